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
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import get_current_worker

from cscterm.errors import DomainError
from cscterm.i18n import register, t
from cscterm.tui.spans import span as _span
from cscterm.text import local_time, local_zone, one_line, printable
from cscterm.tui.localise import localise_bindings

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
RANGES = (("today", 0), ("week", 6), ("month", 30))  # name, days before today
DEFAULT_RANGE = 1  # the last 7 days
FLEX_MIN = 10  # the subject never gets narrower than this
LIVE_INTERVAL = 5.0  # seconds between reads when the database keeps changing
TALLY_NAME = 24  # widest template or sender name in the tallies



def _when(moment: datetime | None) -> str:
    return local_time(moment, "%m-%d %H:%M") if moment else "—"


def _cell(text: str, width: int | None = None, style: str | Style = "") -> Text:
    """One line of (user) text as a literal table cell, cut to ``width`` cells."""
    cell = Text(one_line(text), style=style, end="", no_wrap=True)
    if width is not None and cell.cell_len > width:
        cell.truncate(width, overflow="ellipsis")
    return cell


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


@dataclass(frozen=True)
class Column:
    key: str
    narrow: int  # widest cell under 110 columns
    wide: int  # and from 110 columns on
    flex: bool = False  # takes the width the others leave
    right: bool = False

    @property
    def label(self) -> str:
        return t(f"trl.col.{self.key}")


COLUMNS = (Column("id", 4, 6, right=True), Column("template", 8, 16),
           Column("subject", 0, 0, flex=True), Column("sender", 6, 10),
           Column("claimer", 7, 12), Column("age", 6, 8, right=True),
           Column("clock", 12, 20), Column("bounces", 3, 4, right=True))


# ── dialogs ────────────────────────────────────────────────────────────────


def _muted(text: str) -> Content:
    return Content(text).stylize("$text-muted")


def _section(title: str) -> Content:
    return Content(title).stylize("bold $text-primary")


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
        tail = t("trl.clock.due", when=_when(c.due))
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
    lines += [Content(""), _section(t("trl.detail.checklist", count=len(view.items)))]
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
    lines += [Content(""), _section(t("trl.detail.timeline"))]
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
            _muted(f"{_when(event.at)}  "),
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


class TransferLeadScreen(Screen[None]):
    """The team lead's overview of pre-sale → after-sale transfers."""

    CSS_PATH = "../styles/transfer_lead.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "next_view(1)", "key.trl_view", show=False),
        Binding("shift+tab", "next_view(-1)", "key.trl_view_prev", show=False),
        Binding("1", "view('sent')", "key.trl_sent", show=False),
        Binding("2", "view('claimed')", "key.trl_claimed", show=False),
        Binding("3", "view('returned')", "key.trl_returned", show=False),
        Binding("4", "view('escalated')", "key.trl_escalated", show=False),
        Binding("5", "view('breaches')", "key.trl_breaches", show=False),
        Binding("6", "view('bounces')", "key.trl_bounces", show=False),
        Binding("enter", "open", "key.trl_open", priority=True),
        Binding("r", "reassign", "key.trl_reassign"),
        Binding("t", "queue", "key.trl_queue"),
        Binding("g", "range", "key.trl_range"),
        Binding("e", "export", "key.trl_export"),
        Binding("R,ctrl+r", "reload", "key.trl_reload"),
        Binding("escape,q", "back", "key.back"),
    ]

    def __init__(self, now: datetime | None = None) -> None:
        from cscterm.services.transfer import LIST_LIMIT

        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.limit = LIST_LIMIT  # the service lists at most this many of each
        self.view = "sent"
        self.queue_filter: str | None = None
        self.range_index = DEFAULT_RANGE
        self.lead: LeadView | None = None
        self.queues: list[str] = []
        self.loaded_at: datetime | None = None  # the "now" the rows were judged at
        self.loading = False
        self.error = ""
        self.shown: list[TransferRow] = []  # the current view's rows, as shown
        self.remembered: dict[str, int | None] = {}  # view → transfer last highlighted there
        self._built_for: tuple[object, ...] = ()
        self._load_started = 0.0
        self._live_timer: Timer | None = None

    # ── layout ─────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        yield Label(id="trl-title", markup=False)
        yield Static(id="trl-counts", markup=False)
        yield Static(id="trl-tabs", markup=False)
        yield Static(id="trl-status", markup=False)
        yield DataTable(id="trl-table", cursor_type="row", zebra_stripes=True)
        with Vertical(id="trl-bounces"):
            with Vertical(classes="trl-tally", id="trl-tally-template"):
                yield Label(id="trl-by-template-title", classes="trl-tally-title", markup=False)
                yield DataTable(id="trl-by-template", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="trl-tally", id="trl-tally-sender"):
                yield Label(id="trl-by-sender-title", classes="trl-tally-title", markup=False)
                yield DataTable(id="trl-by-sender", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.render_view())
        live = getattr(self.app, "live_views", None)
        if live is not None:
            live.add(self)
        self.query_one("#trl-bounces").display = False
        self.render_header()
        self.query_one("#trl-table", DataTable).focus()
        if self.app.ws is not None:  # type: ignore[attr-defined]
            self.load()
        else:  # the workspace is still opening: workspace_ready() loads
            self.loading = True
            self.render_status()

    def workspace_ready(self) -> None:
        self.load()

    def on_unmount(self) -> None:
        live = getattr(self.app, "live_views", None)
        if live is not None:
            live.discard(self)

    def transfers_changed(self) -> None:
        """The database changed (the App watches it): read again quietly, at
        most every LIVE_INTERVAL seconds however busy the centre is."""
        if self._live_timer is not None or not self.is_attached:
            return
        wait = LIVE_INTERVAL - (time.monotonic() - self._load_started)
        if wait <= 0 and not self.loading:
            self.load(quiet=True)
        else:
            self._live_timer = self.set_timer(max(wait, 0.5), self._live_reload)

    handovers_changed = transfers_changed  # the same watcher, told the other way

    def _live_reload(self) -> None:
        self._live_timer = None
        self.load(quiet=True)

    def language_changed(self) -> None:
        self.render_view()

    def on_resize(self) -> None:
        if self.lead is not None and self._layout_key() != self._built_for[:2]:
            self.render_view()

    # ── time and range ─────────────────────────────────────────────────────

    def _now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def date_range(self, now: datetime | None = None) -> tuple[date, date]:
        last = (now or self._now()).astimezone(local_zone()).date()
        return last - timedelta(days=RANGES[self.range_index][1]), last

    def range_label(self) -> str:
        first, last = self.date_range(self.loaded_at)
        return t(f"trl.range.{RANGES[self.range_index][0]}", first=first.strftime("%m-%d"),
                 last=last.strftime("%m-%d"))

    def queue_label(self) -> str:
        return one_line(self.queue_filter, 30) if self.queue_filter else t("trl.all_queues")

    # ── loading ────────────────────────────────────────────────────────────

    def load(self, quiet: bool = False) -> None:
        """Read the overview again; ``quiet`` (a live refresh) keeps the
        status line and tells of a failure there only."""
        self.loading = True
        self._load_started = time.monotonic()
        if not quiet:
            self.render_status()
        now = self._now()
        first, last = self.date_range(now)
        self.fetch(now, first, last, self.queue_filter, quiet)

    @work(thread=True, exclusive=True, group="transfer-lead")
    def fetch(self, now: datetime, first: date, last: date, queue: str | None,
              quiet: bool) -> None:
        from cscterm.services import transfer

        worker = get_current_worker()
        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                lead = transfer.lead_view(session, ws.actor, first=first, last=last, queue=queue,
                                          now=now)
        except DomainError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as a line, never a traceback
            error = t("trl.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")
        else:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._loaded, lead, now)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._failed, error, quiet)

    def _loaded(self, lead: LeadView, now: datetime) -> None:
        self.loading = False
        self.error = ""
        self.lead = lead
        self.queues = list(lead.queues)
        self.loaded_at = now
        self.render_view()

    def _failed(self, error: str, quiet: bool) -> None:
        self.loading = False
        self.error = error
        self.render_header()
        self.render_status()
        if not quiet:
            self.notify(error, severity="error", timeout=10, markup=False)

    # ── painting ───────────────────────────────────────────────────────────

    def _colour(self, name: str) -> Style:
        """A theme colour ($warning, $error, $success) as a rich style."""
        if name == "muted":
            return Style(dim=True)
        value = self.app.theme_variables.get(name)
        fallback = {"success": "green", "warning": "yellow", "error": "red"}.get(name, "default")
        try:
            return Style(color=value or fallback)
        except Exception:  # noqa: BLE001 - a theme value rich cannot read
            return Style(color=fallback)

    def render_header(self) -> None:
        title = t("trl.title", queue=self.queue_label(), range=self.range_label())
        self.query_one("#trl-title", Label).update(Content(title).stylize("bold"))
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
        tabs = []
        for n, view in enumerate(VIEWS, 1):
            tab = Content(f" {n} {t(f'trl.view.{view}')} ")
            if view == self.view:
                tab = tab.stylize("bold reverse")
            tabs.append(tab.stylize(f"@click=screen.view('{view}')"))
        self.query_one("#trl-tabs", Static).update(Content("│").stylize("$text-muted").join(tabs))

    def render_status(self) -> None:
        status = self.query_one("#trl-status", Static)
        if self.loading and self.lead is None:
            status.update(_muted(t("trl.loading")))
            return
        if self.error:
            status.update(Content(self.error).stylize("$error"))
            return
        lead = self.lead
        if self.view == "bounces":
            empty = lead is None or not (lead.by_template or lead.by_sender)
            status.update(Content(t("trl.empty.bounces")).stylize("$text-muted") if empty
                          else Content(t("trl.status.bounces")))
            return
        if not self.shown:
            status.update(Content(t(f"trl.empty.{self.view}")).stylize("$success"))
            return
        count = len(self.shown)
        text = t(f"trl.status.{self.view}", count=count)
        if count >= self.limit:
            text += " · " + t("trl.capped", limit=self.limit)
        status.update(Content(text))

    def _layout_key(self) -> tuple[object, ...]:
        return (self.has_class("-wide"), self.size.width)

    def render_view(self) -> None:
        """Rebuild the current view, keeping the highlighted transfer."""
        self.render_header()
        table = self.query_one("#trl-table", DataTable)
        bounces = self.view == "bounces"
        table.display = not bounces
        self.query_one("#trl-bounces").display = bounces
        if bounces:
            self.render_tallies()
        else:
            self.render_rows(table)
        self._built_for = (*self._layout_key(), self.view)
        self.render_status()
        self.refresh_bindings()

    def render_rows(self, table: DataTable[Any]) -> None:
        if self._built_for[2:] == (self.view,):
            previous = self.current.id if self.current is not None else None
        else:  # another view: back to the row last highlighted there
            previous = self.remembered.get(self.view)
        self.shown = list(getattr(self.lead, self.view)) if self.lead is not None else []
        wide = self.has_class("-wide")
        now = self.loaded_at or self._now()
        cells = [self._cells(row, now, wide) for row in self.shown]
        labels = {c.key: c.label for c in COLUMNS}
        widths = {c.key: max([cell_len(labels[c.key])] + [r[c.key].cell_len for r in cells])
                  for c in COLUMNS if not c.flex}
        # What the fixed columns leave (each cell has one space either side;
        # one column for the scrollbar) goes to the subject.
        spare = (table.size.width or self.size.width) - 1 - 2 * len(COLUMNS) - sum(widths.values())
        widths["subject"] = max(spare, FLEX_MIN)
        table.clear(columns=True)
        for column in COLUMNS:
            label = Text(labels[column.key])
            if column.right:
                label.align("right", widths[column.key])
            table.add_column(label, key=column.key, width=widths[column.key])
        for row, row_cells in zip(self.shown, cells, strict=True):
            values = []
            for column in COLUMNS:
                cell = row_cells[column.key]
                if column.flex and cell.cell_len > widths[column.key]:
                    cell.truncate(widths[column.key], overflow="ellipsis")
                if column.right:  # padded: a justified cell loses it on the cursor row
                    cell.align("right", widths[column.key])
                values.append(cell)
            table.add_row(*values, key=str(row.id))
        if self.shown:
            ids = [r.id for r in self.shown]
            table.move_cursor(row=ids.index(previous) if previous in ids else 0)
        if not table.has_focus:
            table.focus()

    def _cells(self, row: TransferRow, now: datetime, wide: bool) -> dict[str, Text]:
        caps = {c.key: c.wide if wide else c.narrow for c in COLUMNS}
        error, warning = self._colour("error"), self._colour("warning")
        if row.claimed_by:
            claimer = _cell(row.claimed_by, caps["claimer"])
        elif row.to_user:
            claimer = _cell(f"→{one_line(row.to_user)}", caps["claimer"], "italic")
        else:
            claimer = _cell("—", caps["claimer"], "dim")
        text, colour = clock_text(row.clock)
        if wide and row.clock is not None:
            text = f"{t(f'trl.clock.{row.clock.which}')} {text}"
        style = self._colour(colour) if colour else Style()
        if colour in ("error", "warning"):
            style += Style(bold=True)
        if row.escalated:
            bounces = _cell(f"⇡{row.bounces}", caps["bounces"], error + Style(bold=True))
        else:
            bounces = _cell(str(row.bounces), caps["bounces"], warning if row.bounces else "dim")
        return {
            "id": _cell(f"#{row.id}", caps["id"], Style(bold=True)),
            "template": _cell(row.template_name, caps["template"]),
            "subject": _cell(row.subject or "—", 400),
            "sender": _cell(row.sender, caps["sender"]),
            "claimer": claimer,
            "age": _cell(_span(now - row.sent_at) if row.sent_at else "—", caps["age"], "dim"),
            "clock": _cell(text, caps["clock"], style),
            "bounces": bounces,
        }

    def render_tallies(self) -> None:
        lead = self.lead
        for which, rows in (("template", lead.by_template if lead else []),
                            ("sender", lead.by_sender if lead else [])):
            self.query_one(f"#trl-by-{which}-title", Label).update(
                _section(t(f"trl.tally.by_{which}")))
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
        cells = [[_cell(tally.name, TALLY_NAME), Text(str(tally.transfers)),
                  Text(str(tally.bounces), style=warning + bold if tally.bounces else "dim"),
                  Text(str(tally.escalated), style=error + bold if tally.escalated else "dim")]
                 for tally in rows]
        if not cells:
            cells = [[_cell(t("trl.tally.none"), TALLY_NAME, "dim"), Text(""), Text(""), Text("")]]
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "reassign"):
            return True if self.view in ROW_VIEWS and self.shown else None
        return True

    @property
    def current(self) -> TransferRow | None:
        if self.view not in ROW_VIEWS:
            return None
        table = self.query_one("#trl-table", DataTable)
        if 0 <= table.cursor_row < len(self.shown):
            return self.shown[table.cursor_row]
        return None

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_view(self, view: str) -> None:
        if view in VIEWS and view != self.view:
            if self.view in ROW_VIEWS:
                row = self.current
                self.remembered[self.view] = row.id if row is not None else None
            self.view = view
            self.render_view()

    def action_next_view(self, step: int) -> None:
        self.action_view(VIEWS[(VIEWS.index(self.view) + step) % len(VIEWS)])

    def action_queue(self) -> None:
        choices: list[str | None] = [None, *self.queues]
        at = choices.index(self.queue_filter) if self.queue_filter in choices else 0
        self.queue_filter = choices[(at + 1) % len(choices)]
        self.render_header()
        self.load()

    def action_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        self.loaded_at = None
        self.render_header()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @on(DataTable.RowSelected, "#trl-table")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.open_transfer(row.id)

    @work(thread=True, exclusive=True, group="transfer-detail")
    def open_transfer(self, transfer_id: int) -> None:
        from cscterm.services import transfer

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                view = transfer.get_transfer(session, ws.actor, transfer_id,
                                             now=self.loaded_at or self._now())
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.call_from_thread(self._report, exc)
            return
        self.app.call_from_thread(self.app.push_screen, TransferDetail(view))

    def _report(self, exc: Exception) -> None:
        message = str(exc) if isinstance(exc, DomainError) else t(
            "trl.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")
        self.notify(message, severity="error", timeout=10, markup=False)

    def action_reassign(self) -> None:
        from cscterm.tui.widgets.prompt import TextPrompt

        row = self.current
        if row is None:
            self.notify(t("trl.reassign.nothing"), severity="warning", markup=False)
            return
        if row.status not in ("sent", "claimed"):
            self.notify(t("trl.reassign.not_open", id=row.id, state=t(f"tr.state.{row.status}")),
                        severity="warning", markup=False)
            return
        current = (one_line(row.claimed_by) or one_line(row.to_user)
                   or t("trl.queue_of", queue=one_line(row.queue)))

        def answered(login: str | None) -> None:
            if login:
                self.reassign(row, login)

        self.app.push_screen(TextPrompt(t("trl.reassign.question", id=row.id, current=current),
                                        placeholder=t("trl.reassign.placeholder"),
                                        max_length=64), answered)

    @work(thread=True, group="transfer-write")
    def reassign(self, row: TransferRow, login: str) -> None:
        from cscterm.services import transfer

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                done = transfer.reassign(session, ws.actor, row.id, row.version, login,
                                         now=self._now())
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.call_from_thread(self._report, exc)
            self.app.call_from_thread(self.load, True)
            return
        who = one_line(done.row.claimed_by or done.row.to_user) or login
        self.app.call_from_thread(self.notify, t("trl.reassigned", id=row.id, who=who),
                                  markup=False)
        self.app.call_from_thread(self.load, True)

    def action_export(self) -> None:
        from cscterm.tui.widgets.prompt import TextPrompt

        first, last = self.date_range(self.loaded_at)
        queue = self.queue_filter
        default = f"~/cscterm-transfers-{first.isoformat()}-{last.isoformat()}.csv"

        def chose_path(path: str | None) -> None:
            if not path:
                return

            def chose_personal(personal: bool | None) -> None:
                if personal is not None:
                    self.export(path, personal, first, last, queue)

            self.app.push_screen(PersonalDataChoice(), chose_personal)

        self.app.push_screen(TextPrompt(t("trl.export.path", range=self.range_label(),
                                          queue=self.queue_label()), value=default), chose_path)

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
            self.app.call_from_thread(self._report, exc)
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
