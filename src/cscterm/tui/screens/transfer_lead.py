"""The lead's overview of transfers (转售后总览): what waits, what is late,
what keeps coming back.

For one range of days and one queue or all, six views over
:func:`cscterm.services.transfer.lead_view`: transfers waiting to be claimed
(oldest first), claimed and not yet resolved, returned to their senders,
escalated, past their service level, and returns counted per template and
per sender. Enter reads a transfer (personal data masked until p), r gives
it to someone else, e writes the range as CSV. The view follows the database
live: the App tells it when transfers change.
"""

from __future__ import annotations

import csv
import errno
import io
import os
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Static

from cscterm.i18n import register, t
from cscterm.text import one_line, printable
from cscterm.tui.localise import localise_bindings
from cscterm.tui.screens.lead_list import (
    LIVE_INTERVAL,
    Column,
    LeadListScreen,
    cell,
    lead_bindings,
    section,
    when_text,
)
from cscterm.tui.spans import span as _span

if TYPE_CHECKING:
    from cscterm.services.transfer import Clock, LeadView, Tally, TransferRow, TransferView

EN = {
    "trl.title": "Transfers · lead overview · {queue} · {range}",
    "trl.all_queues": "all queues",
    "trl.queue_of": "queue {queue}",
    "trl.range.today": "today ({last})",
    "trl.range.week": "last 7 days ({first} – {last})",
    "trl.range.month": "last 31 days ({first} – {last})",
    "trl.count.sent": "Waiting",
    "trl.count.claimed": "Claimed",
    "trl.count.returned": "Returned",
    "trl.count.escalated": "Escalated",
    "trl.count.breached": "Breached now",
    "trl.count.resolved": "Resolved in range",
    "trl.count_short.breached": "Breached",
    "trl.count_short.resolved": "Resolved",
    "trl.view.sent": "Waiting",
    "trl.view.claimed": "Claimed",
    "trl.view.returned": "Returned",
    "trl.view.escalated": "Escalated",
    "trl.view.breaches": "Breaches",
    "trl.view.bounces": "Bounces",
    "trl.status.sent": "{count} waiting to be claimed, oldest first",
    "trl.status.claimed": "{count} claimed and not yet resolved, oldest first",
    "trl.status.returned": "{count} back with their senders (the clock is paused)",
    "trl.status.escalated": "{count} open and escalated (returned twice or more)",
    "trl.status.breaches": "{count} past their service level: open now, or resolved late in the range",
    "trl.status.bounces": "Returns per template and per sender, for transfers sent in the range",
    "trl.empty.sent": "Nothing waiting: every transfer has been claimed.",
    "trl.empty.claimed": "Nobody is working on a transfer right now.",
    "trl.empty.returned": "No transfer is back with its sender.",
    "trl.empty.escalated": "No escalated transfer is open.",
    "trl.empty.breaches": "No breach: every clock is within its service level.",
    "trl.empty.bounces": "No transfer was sent in this range.",
    "trl.capped": "only the first {limit}",
    "trl.loading": "Loading…",
    "trl.failed": "Could not load the transfer overview: {error}",
    "trl.col.id": "#",
    "trl.col.template": "Template",
    "trl.col.subject": "Subject",
    "trl.col.sender": "Sender",
    "trl.col.claimer": "Claimer",
    "trl.col.age": "Age",
    "trl.col.clock": "Clock",
    "trl.col.bounces": "↩",
    "trl.col.tally_template": "Template",
    "trl.col.tally_sender": "Sender",
    "trl.col.transfers": "Transfers",
    "trl.col.returns": "Returns",
    "trl.col.escalations": "Escalated",
    "trl.tally.by_template": "Returns per template",
    "trl.tally.by_sender": "Returns per sender",
    "trl.tally.none": "none",
    "trl.clock.accept": "accept",
    "trl.clock.resolve": "resolve",
    "trl.clock.left": "{span} left",
    "trl.clock.over": "⚠ {span} over",
    "trl.clock.paused": "paused",
    "trl.clock.missed": "missed by {span}",
    "trl.clock.met": "met",
    "trl.clock.due": "due {when}",
    "trl.clock.took": "took {span}",
    "trl.clock.budget": "Time to {which}: {span}",
    "trl.detail.title": "#{id} · {template} v{number} · {state}",
    "trl.detail.escalated": "escalated",
    "trl.detail.sender": "Sender",
    "trl.detail.to": "To",
    "trl.detail.claimer": "Claimer",
    "trl.detail.scenario": "Scenario",
    "trl.detail.returned": "Returned: {reason}",
    "trl.detail.to_fix": "To fix",
    "trl.detail.resolved": "Resolved: {outcome}",
    "trl.detail.checklist": "Checklist ({count})",
    "trl.detail.label": "{label}: ",
    "trl.detail.timeline": "Timeline",
    "trl.detail.masked": "Personal data is masked. Press p to show it.",
    "trl.detail.unmasked": "Personal data is shown. Press p to mask it again.",
    "trl.detail.hint": "p: personal data · Esc: close · ↑ ↓ PgUp PgDn: scroll",
    "trl.system": "system",
    "trl.reassign.question": "Reassign #{id} (now: {current}) to whom? Type a login.",
    "trl.reassign.placeholder": "a login, e.g. zhou",
    "trl.reassign.not_open": "#{id} is {state}; only waiting or claimed transfers can be reassigned.",
    "trl.reassign.nothing": "Pick a transfer in one of the lists first.",
    "trl.reassigned": "#{id} now goes to {who}.",
    "trl.export.path": "Write the transfers sent {range} ({queue}) as CSV to:",
    "trl.export.personal": "Include personal data (phone numbers, names, addresses) unmasked?",
    "trl.export.personal_hint": "y: include it · n / Enter: keep it masked · Esc: cancel the export",
    "trl.export.done": "{count} transfer(s) written to {path} (personal data masked).",
    "trl.export.done_personal": "{count} transfer(s) written to {path} WITH personal data: keep the file safe and delete it when done.",
    "trl.export.failed": "Could not write {path}: {error}",
    "key.trl_view": "Next view",
    "key.trl_view_prev": "Previous view",
    "key.trl_sent": "Waiting",
    "key.trl_claimed": "Claimed",
    "key.trl_returned": "Returned",
    "key.trl_escalated": "Escalated",
    "key.trl_breaches": "Breaches",
    "key.trl_bounces": "Bounces",
    "key.trl_open": "Open",
    "key.trl_reassign": "Reassign",
    "key.trl_queue": "Queue",
    "key.trl_range": "Range",
    "key.trl_export": "Export CSV",
    "key.trl_reload": "Refresh",
    "key.trl_close": "Close",
    "key.trl_personal": "Personal data",
    "key.trl_include": "Include",
    "key.trl_mask": "Masked",
}

ZH = {
    "trl.title": "转售后总览 · {queue} · {range}",
    "trl.all_queues": "全部队列",
    "trl.queue_of": "{queue}队列",
    "trl.range.today": "今天（{last}）",
    "trl.range.week": "近7天（{first} – {last}）",
    "trl.range.month": "近31天（{first} – {last}）",
    "trl.count.sent": "待认领",
    "trl.count.claimed": "处理中",
    "trl.count.returned": "已退回",
    "trl.count.escalated": "已升级",
    "trl.count.breached": "当前超时",
    "trl.count.resolved": "期间已解决",
    "trl.count_short.breached": "当前超时",
    "trl.count_short.resolved": "期间已解决",
    "trl.view.sent": "待认领",
    "trl.view.claimed": "处理中",
    "trl.view.returned": "已退回",
    "trl.view.escalated": "已升级",
    "trl.view.breaches": "超时",
    "trl.view.bounces": "退回统计",
    "trl.status.sent": "{count} 单等待认领，最早的在前",
    "trl.status.claimed": "{count} 单已认领、尚未解决，最早的在前",
    "trl.status.returned": "{count} 单退回给了发送人（时限暂停计时）",
    "trl.status.escalated": "{count} 单已升级（退回两次及以上）且未结",
    "trl.status.breaches": "{count} 单超出时限：当前未结的，以及期间内超时解决的",
    "trl.status.bounces": "期间内发出的转单，按模板和发送人统计退回次数",
    "trl.empty.sent": "没有待认领的转单，都已有人接手。",
    "trl.empty.claimed": "目前没有正在处理的转单。",
    "trl.empty.returned": "没有退回给发送人的转单。",
    "trl.empty.escalated": "没有未结的升级转单。",
    "trl.empty.breaches": "没有超时，所有时限都在范围内。",
    "trl.empty.bounces": "这段时间没有发出转单。",
    "trl.capped": "只显示前 {limit} 单",
    "trl.loading": "正在加载…",
    "trl.failed": "无法加载转售后总览：{error}",
    "trl.col.id": "#",
    "trl.col.template": "模板",
    "trl.col.subject": "摘要",
    "trl.col.sender": "发送人",
    "trl.col.claimer": "认领人",
    "trl.col.age": "已过",
    "trl.col.clock": "时限",
    "trl.col.bounces": "退回",
    "trl.col.tally_template": "模板",
    "trl.col.tally_sender": "发送人",
    "trl.col.transfers": "转单",
    "trl.col.returns": "退回",
    "trl.col.escalations": "升级",
    "trl.tally.by_template": "按模板统计退回",
    "trl.tally.by_sender": "按发送人统计退回",
    "trl.tally.none": "无",
    "trl.clock.accept": "认领",
    "trl.clock.resolve": "解决",
    "trl.clock.left": "剩{span}",
    "trl.clock.over": "⚠ 超{span}",
    "trl.clock.paused": "暂停中",
    "trl.clock.missed": "超时{span}",
    "trl.clock.met": "达标",
    "trl.clock.due": "截止 {when}",
    "trl.clock.took": "用时{span}",
    "trl.clock.budget": "{which}时限 {span}",
    "trl.detail.title": "#{id} · {template} 第{number}版 · {state}",
    "trl.detail.escalated": "已升级",
    "trl.detail.sender": "发送人",
    "trl.detail.to": "发给",
    "trl.detail.claimer": "认领人",
    "trl.detail.scenario": "场景",
    "trl.detail.returned": "已退回：{reason}",
    "trl.detail.to_fix": "需修改",
    "trl.detail.resolved": "已解决：{outcome}",
    "trl.detail.checklist": "清单（{count} 项）",
    "trl.detail.label": "{label}：",
    "trl.detail.timeline": "经过",
    "trl.detail.masked": "个人信息已隐藏，按 p 显示。",
    "trl.detail.unmasked": "正在显示个人信息，按 p 重新隐藏。",
    "trl.detail.hint": "p 个人信息 · Esc 关闭 · ↑ ↓ PgUp PgDn 滚动",
    "trl.system": "系统",
    "trl.reassign.question": "把 #{id}（当前：{current}）改派给谁？请输入登录名。",
    "trl.reassign.placeholder": "登录名，例如 zhou",
    "trl.reassign.not_open": "#{id} 现在是“{state}”，只有待认领或处理中的转单可以改派。",
    "trl.reassign.nothing": "请先在列表里选一张转单。",
    "trl.reassigned": "#{id} 已改派给 {who}。",
    "trl.export.path": "把{range}发出的转单（{queue}）导出为 CSV，保存到：",
    "trl.export.personal": "导出时包含未隐藏的个人信息（电话、姓名、地址）吗？",
    "trl.export.personal_hint": "y 包含 · n / Enter 保持隐藏 · Esc 取消导出",
    "trl.export.done": "已把 {count} 单写入 {path}（个人信息已隐藏）。",
    "trl.export.done_personal": "已把 {count} 单写入 {path}，其中含个人信息：请妥善保管，用完删除。",
    "trl.export.failed": "无法写入 {path}：{error}",
    "key.trl_view": "切换视图",
    "key.trl_view_prev": "上一视图",
    "key.trl_sent": "待认领",
    "key.trl_claimed": "处理中",
    "key.trl_returned": "已退回",
    "key.trl_escalated": "已升级",
    "key.trl_breaches": "超时",
    "key.trl_bounces": "退回统计",
    "key.trl_open": "查看",
    "key.trl_reassign": "改派",
    "key.trl_queue": "队列",
    "key.trl_range": "时间范围",
    "key.trl_export": "导出 CSV",
    "key.trl_reload": "刷新",
    "key.trl_close": "关闭",
    "key.trl_personal": "个人信息",
    "key.trl_include": "包含",
    "key.trl_mask": "隐藏",
}

register(EN, ZH)

# Views in number-key order: a LeadView list each, then the two tallies.
VIEWS = ("sent", "claimed", "returned", "escalated", "breaches", "bounces")
ROW_VIEWS = VIEWS[:5]
COUNTS = ("sent", "claimed", "returned", "escalated", "breached", "resolved")
SHORT_COUNTS = ("breached", "resolved")  # under 110 columns
TALLY_NAME = 24  # widest template or sender name in the tallies



def clock_text(c: Clock | None) -> tuple[str, str]:
    """What a clock says in a list, and its theme colour ("" for none)."""
    if c is None:
        return "—", ""
    if c.paused:
        return t("trl.clock.paused"), "muted"
    if c.state == "breach":
        return t("trl.clock.over", span=_span(-c.left)), "error"
    if c.state in ("warning", "ok"):
        return t("trl.clock.left", span=_span(c.left)), "warning" if c.state == "warning" else ""
    if c.state == "missed":
        return t("trl.clock.missed", span=_span(-c.left)), "error"
    return t("trl.clock.met"), "success"


COLUMNS = (Column("id", 4, 6, right=True), Column("template", 8, 16),
           Column("subject", 0, 0, flex=True), Column("sender", 6, 10),
           Column("claimer", 7, 12), Column("age", 6, 8, right=True),
           Column("clock", 12, 20), Column("bounces", 3, 4, right=True))


# ── dialogs ────────────────────────────────────────────────────────────────


def _muted(text: str) -> Content:
    return Content(text).stylize("$text-muted")


def _clock_line(which: str, c: Clock | None) -> Content:
    """``Accept within 30m  ⚠ 10m over  (due 11-24 08:50)``."""
    if c is None:
        return Content.assemble(_muted(t(f"trl.clock.{which}")), _muted("  —"))
    head = _muted(t("trl.clock.budget", which=t(f"trl.clock.{which}"), span=_span(c.budget)))
    text, colour = clock_text(c)
    state = Content(text).stylize(f"bold ${'text-muted' if colour == 'muted' else colour}"
                                  if colour else "bold")
    if c.state in ("met", "missed"):
        tail = t("trl.clock.took", span=_span(c.elapsed))
    elif c.paused:
        tail = t("trl.clock.left", span=_span(c.left))
    else:
        tail = t("trl.clock.due", when=when_text(c.due))
    return Content.assemble(head, "  ", state, _muted(f"  ({tail})"))


def detail_content(view: TransferView, personal: bool) -> Content:
    """A transfer in full: who, the clocks, the return or the outcome, the
    checklist (personal values masked unless ``personal``), the timeline."""
    row = view.row
    lines: list[Content] = []
    people = [Content.assemble(_muted(t("trl.detail.sender") + " "),
                               Content(f"{one_line(row.sender)} ({one_line(row.sender_team)})")),
              Content.assemble(_muted(t("trl.detail.to") + " "),
                               Content(one_line(row.to_user) if row.to_user
                                       else t("trl.queue_of", queue=one_line(row.queue))))]
    if row.claimed_by:
        people.append(Content.assemble(_muted(t("trl.detail.claimer") + " "),
                                       Content(one_line(row.claimed_by))))
    lines.append(Content("   ").join(people))
    if view.scenario:
        lines.append(Content.assemble(_muted(t("trl.detail.scenario") + " "),
                                      Content(one_line(view.scenario))))
    lines.append(_clock_line("accept", view.accept))
    lines.append(_clock_line("resolve", view.resolve))
    if row.status == "returned":
        lines += [Content(""), Content(t("trl.detail.returned",
                                         reason=t(f"tr.reason.{row.return_reason}")))
                  .stylize("bold $warning")]
        if view.return_note:
            lines.append(Content(printable(view.return_note)))
        labels = [one_line(i.item.label) for i in view.items if i.item.key in view.return_items]
        if labels:
            lines.append(Content.assemble(_muted(t("trl.detail.to_fix") + " "),
                                          Content("、".join(labels))))
    if row.status == "resolved":
        lines += [Content(""), Content(t("trl.detail.resolved",
                                         outcome=t(f"tr.outcome.{view.outcome}")))
                  .stylize("bold $success")]
        if view.resolution:
            lines.append(Content(printable(view.resolution)))
    lines += [Content(""), section(t("trl.detail.checklist", count=len(view.items)))]
    lines.append(Content(t("trl.detail.unmasked")).stylize("bold $warning") if personal
                 else _muted(t("trl.detail.masked")))
    to_fix = set(view.return_items) if row.status == "returned" else set()
    for entry in view.items:
        item = entry.item
        mark = Content("↩ ").stylize("bold $warning") if item.key in to_fix else Content("  ")
        if item.kind == "check":
            box = Content("✓ ").stylize("$success") if entry.value is True else Content("☐ ")
            lines.append(Content.assemble(mark, box, Content(one_line(item.label))))
            continue
        shown = printable(entry.shown if personal else entry.masked).strip()
        value = Content(shown) if shown else _muted("—")
        if item.personal and shown:
            value = value.stylize("$warning" if personal else "$text-muted")
        lines.append(Content.assemble(mark, _muted(t("trl.detail.label", label=one_line(item.label))),
                                      value))
    lines += [Content(""), section(t("trl.detail.timeline"))]
    for event in view.events:
        extra = ""
        if event.kind == "returned" and event.reason:
            extra = t(f"tr.reason.{event.reason}")
        elif event.kind == "resolved" and event.reason:
            extra = t(f"tr.outcome.{event.reason}")
        elif event.kind in ("sent", "reassigned") and event.detail.get("to"):
            extra = f"→ {one_line(str(event.detail['to']))}"
        elif event.kind == "created" and event.detail.get("template_version"):
            extra = f"v{event.detail['template_version']}"
        lines.append(Content.assemble(
            _muted(f"{when_text(event.at)}  "),
            Content((one_line(event.actor) or t("trl.system")) + "  "),
            Content(t(f"tr.event.{event.kind}")).stylize(
                "bold $warning" if event.kind in ("returned", "escalated") else "bold"),
            Content(f"  {extra}" if extra else "")))
        if event.note:
            lines.append(Content.assemble(Content("      "), Content(printable(event.note))))
    return Content("\n").join(lines)


class TransferDetail(ModalScreen[None]):
    """One transfer, read-only; personal data masked until p."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "key.trl_close"),
        Binding("p", "personal", "key.trl_personal"),
    ]

    def __init__(self, view: TransferView) -> None:
        super().__init__()
        self.view = view
        self.personal = False

    def compose(self) -> ComposeResult:
        view = self.view
        title = Content(t("trl.detail.title", id=view.id, template=one_line(view.template.name),
                          number=view.template.number, state=t(f"tr.state.{view.status}")))
        title = title.stylize("bold")
        if view.row.escalated:
            title += Content(f"  ⇡ {t('trl.detail.escalated')}").stylize("bold $error")
        with Vertical(classes="dialog", id="trl-detail"):
            yield Label(title, id="trl-detail-title", markup=False)
            with VerticalScroll(id="trl-detail-body"):
                yield Static(id="trl-detail-text", markup=False)
            yield Static(t("trl.detail.hint"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        localise_bindings(self)
        self.show()
        self.query_one("#trl-detail-body", VerticalScroll).focus()

    def show(self) -> None:
        self.query_one("#trl-detail-text", Static).update(detail_content(self.view, self.personal))

    def action_personal(self) -> None:
        self.personal = not self.personal
        self.show()

    def action_close(self) -> None:
        self.dismiss(None)


class PersonalDataChoice(ModalScreen["bool | None"]):
    """Export with personal data? y: yes; n / Enter: no (masked); Esc: cancel."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "key.trl_include"),
        Binding("n,enter", "answer(False)", "key.trl_mask"),
        Binding("escape", "answer(None)", "key.cancel"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="trl-personal"):
            yield Static(t("trl.export.personal"), markup=False)
            yield Static(t("trl.export.personal_hint"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        localise_bindings(self)

    def action_answer(self, answer: bool | None) -> None:
        self.dismiss(answer)


# ── the overview ───────────────────────────────────────────────────────────


class TransferLeadScreen(LeadListScreen["LeadView"]):
    """The team lead's overview of pre-sale → after-sale transfers."""

    CSS_PATH = "../styles/transfer_lead.tcss"
    BINDINGS: ClassVar[list[BindingType]] = lead_bindings(
        "key.trl_", VIEWS, "queue", reload="R,ctrl+r", back="escape,q",
        extra=[Binding("e", "export", "key.trl_export")])
    PREFIX = "trl"
    VIEWS = VIEWS
    ROW_VIEWS = ROW_VIEWS
    GROUP = "queue"
    ALL_GROUPS = "trl.all_queues"
    KEEP_STATUS_WHILE_LOADING = True

    def __init__(self, now: datetime | None = None) -> None:
        from cscterm.services.transfer import LIST_LIMIT

        super().__init__(now)
        self.limit = LIST_LIMIT

    @property
    def lead(self) -> LeadView | None:
        """The overview as last read."""
        return self.data

    @property
    def queue_filter(self) -> str | None:
        """The queue shown, or None for all."""
        return self.group

    def transfers_changed(self) -> None:
        """The database changed: read again quietly (see follow_change)."""
        self.follow_change(LIVE_INTERVAL)

    handovers_changed = transfers_changed  # the same watcher, told the other way

    def compose_summary(self) -> ComposeResult:
        yield Static(id="trl-counts", markup=False)

    def compose_aside(self) -> ComposeResult:
        with Vertical(id="trl-bounces"):
            with Vertical(classes="trl-tally", id="trl-tally-template"):
                yield Label(id="trl-by-template-title", classes="trl-tally-title", markup=False)
                yield DataTable(id="trl-by-template", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="trl-tally", id="trl-tally-sender"):
                yield Label(id="trl-by-sender-title", classes="trl-tally-title", markup=False)
                yield DataTable(id="trl-by-sender", cursor_type="row", zebra_stripes=True)

    def read(self, session: Any, actor: Any, first: date, last: date, group: str | None,
             now: datetime) -> LeadView:
        from cscterm.services import transfer

        return transfer.lead_view(session, actor, first=first, last=last, queue=group, now=now)

    def groups_in(self, data: LeadView) -> list[str]:
        return list(data.queues)

    # ── painting ───────────────────────────────────────────────────────────

    def render_summary(self) -> None:
        counts = self.lead.counts if self.lead is not None else {}
        parts = []
        for key in COUNTS:
            number = counts.get(key)
            value = Content("…" if number is None else str(number))
            if number:
                value = value.stylize({"breached": "bold $error", "escalated": "bold $error",
                                       "returned": "bold $warning"}.get(key, "bold"))
            label = t(f"trl.count.{key}")
            if not self.has_class("-wide"):  # the short words, where there are any
                label = t(f"trl.count_short.{key}") if key in SHORT_COUNTS else label
            parts.append(Content.assemble(_muted(label + " "), value))
        self.query_one("#trl-counts", Static).update(Content(" · ").join(parts))

    def view_status(self) -> Content | None:
        if self.view != "bounces":
            return None
        lead = self.lead
        empty = lead is None or not (lead.by_template or lead.by_sender)
        return (Content(t("trl.empty.bounces")).stylize("$text-muted") if empty
                else Content(t("trl.status.bounces")))

    def render_view(self) -> None:
        bounces = self.view == "bounces"
        self.table.display = not bounces
        self.query_one("#trl-bounces").display = bounces
        super().render_view()

    def columns(self) -> tuple[Column, ...]:
        return COLUMNS

    def row_cells(self, row: TransferRow, now: datetime, wide: bool) -> dict[str, Text]:
        caps = {c.key: c.wide if wide else c.narrow for c in COLUMNS}
        error, warning = self._colour("error"), self._colour("warning")
        if row.claimed_by:
            claimer = cell(row.claimed_by, caps["claimer"])
        elif row.to_user:
            claimer = cell(f"→{one_line(row.to_user)}", caps["claimer"], "italic")
        else:
            claimer = cell("—", caps["claimer"], "dim")
        text, colour = clock_text(row.clock)
        if wide and row.clock is not None:
            text = f"{t(f'trl.clock.{row.clock.which}')} {text}"
        style = self._colour(colour) if colour else Style()
        if colour in ("error", "warning"):
            style += Style(bold=True)
        if row.escalated:
            bounces = cell(f"⇡{row.bounces}", caps["bounces"], error + Style(bold=True))
        else:
            bounces = cell(str(row.bounces), caps["bounces"], warning if row.bounces else "dim")
        return {
            "id": cell(f"#{row.id}", caps["id"], Style(bold=True)),
            "template": cell(row.template_name, caps["template"]),
            "subject": cell(row.subject or "—", 400),
            "sender": cell(row.sender, caps["sender"]),
            "claimer": claimer,
            "age": cell(_span(now - row.sent_at) if row.sent_at else "—", caps["age"], "dim"),
            "clock": cell(text, caps["clock"], style),
            "bounces": bounces,
        }

    def render_aside(self) -> None:
        """The bounces view: returns per template and per sender."""
        lead = self.lead
        for which, rows in (("template", lead.by_template if lead else []),
                            ("sender", lead.by_sender if lead else [])):
            self.query_one(f"#trl-by-{which}-title", Label).update(
                section(t(f"trl.tally.by_{which}")))
            self._tally(self.query_one(f"#trl-by-{which}", DataTable), which, rows)
        focused = self.focused
        if focused is None or focused.id not in ("trl-by-template", "trl-by-sender"):
            self.query_one("#trl-by-template", DataTable).focus()

    def _tally(self, table: DataTable[Any], which: str, rows: list[Tally]) -> None:
        """Name, transfers, returns, escalations; the numbers padded to the
        right (a justified cell loses it on the cursor row)."""
        error, warning = self._colour("error"), self._colour("warning")
        bold = Style(bold=True)
        keys = (f"tally_{which}", "transfers", "returns", "escalations")
        cells = [[cell(tally.name, TALLY_NAME), Text(str(tally.transfers)),
                  Text(str(tally.bounces), style=warning + bold if tally.bounces else "dim"),
                  Text(str(tally.escalated), style=error + bold if tally.escalated else "dim")]
                 for tally in rows]
        if not cells:
            cells = [[cell(t("trl.tally.none"), TALLY_NAME, "dim"), Text(""), Text(""), Text("")]]
        labels = [Text(t(f"trl.col.{key}")) for key in keys]
        widths = [max(cell_len(label.plain), *(row[n].cell_len for row in cells))
                  for n, label in enumerate(labels)]
        table.clear(columns=True)
        for n, (key, label) in enumerate(zip(keys, labels, strict=True)):
            if n:
                label.align("right", widths[n])
            table.add_column(label, key=key, width=widths[n])
        for row in cells:
            for n in range(1, len(row)):
                row[n].align("right", widths[n])
            table.add_row(*row)

    # ── actions ────────────────────────────────────────────────────────────

    def read_detail(self, session: Any, actor: Any, row: TransferRow, view: str) -> TransferView:
        from cscterm.services import transfer

        return transfer.get_transfer(session, actor, row.id, now=self.loaded_at or self._now())

    def detail_screen(self, detail: TransferView, row: TransferRow, view: str) -> TransferDetail:
        return TransferDetail(detail)

    def reassign_form(self, row: TransferRow | None) -> ModalScreen[str | None] | None:
        from cscterm.tui.widgets.prompt import TextPrompt

        if row is None:
            self.notify(t("trl.reassign.nothing"), severity="warning", markup=False)
            return None
        if row.status not in ("sent", "claimed"):
            self.notify(t("trl.reassign.not_open", id=row.id, state=t(f"tr.state.{row.status}")),
                        severity="warning", markup=False)
            return None
        current = (one_line(row.claimed_by) or one_line(row.to_user)
                   or t("trl.queue_of", queue=one_line(row.queue)))
        return TextPrompt(t("trl.reassign.question", id=row.id, current=current),
                          placeholder=t("trl.reassign.placeholder"), max_length=64)

    def reassign_in(self, session: Any, actor: Any, row: TransferRow, login: str) -> str:
        from cscterm.services import transfer

        done = transfer.reassign(session, actor, row.id, row.version, login, now=self._now())
        who = one_line(done.row.claimed_by or done.row.to_user) or login
        return t("trl.reassigned", id=row.id, who=who)

    def action_export(self) -> None:
        from cscterm.tui.widgets.prompt import TextPrompt

        first, last = self.date_range(self.loaded_at)
        queue = self.group
        default = f"~/cscterm-transfers-{first.isoformat()}-{last.isoformat()}.csv"

        def chose_path(path: str | None) -> None:
            if not path:
                return

            def chose_personal(personal: bool | None) -> None:
                if personal is not None:
                    self.export(path, personal, first, last, queue)

            self.app.push_screen(PersonalDataChoice(), chose_personal)

        self.app.push_screen(TextPrompt(t("trl.export.path", range=self.range_label(),
                                          queue=self.group_label()), value=default), chose_path)

    @work(thread=True, group="transfer-write")
    def export(self, path: str, personal: bool, first: date, last: date,
               queue: str | None) -> None:
        from cscterm.services import transfer

        ws = self.app.ws  # type: ignore[attr-defined]
        target = Path(path).expanduser()
        try:
            with ws.session() as session:
                text = transfer.export_csv(session, ws.actor, first=first, last=last,
                                           include_personal_data=personal, queue=queue)
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.call_from_thread(self.report, exc)
            return
        try:
            write_private(target, text)
        except OSError as exc:
            self.app.call_from_thread(
                self.notify, t("trl.export.failed", path=str(target),
                               error=exc.strerror or type(exc).__name__),
                severity="error", timeout=15, markup=False)
            return
        count = max(sum(1 for _ in csv.reader(io.StringIO(text))) - 1, 0)
        key = "trl.export.done_personal" if personal else "trl.export.done"
        self.app.call_from_thread(
            self.notify, t(key, count=count, path=str(target.resolve())),
            severity="warning" if personal else "information", timeout=15, markup=False)


def write_private(target: Path, text: str) -> None:
    """Write ``text`` as UTF-8 with a byte-order mark (spreadsheets then read
    Chinese right), readable by the owner only: exports hold customer data."""
    if target.is_dir():
        raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR), str(target))
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8-sig", newline="") as out:
        out.write(text)


__all__ = ["PersonalDataChoice", "TransferDetail", "TransferLeadScreen"]
