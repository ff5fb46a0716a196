"""The personal daily work log (工作日报): one page per shift date.

The page shows, in panels, the day's metrics against their targets (a
counter is bumped with ``+`` / ``-``, any value typed with ``=``), quick
timestamped notes, the day's plan items and the month's key plans, open
reminders, the three-part reflection (edited in its own autosaving editor)
and what the workbench counted itself. ``[`` / ``]`` page through earlier
days, which are read-only except for the plans' status.
"""

from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from cscterm.errors import DomainError
from cscterm.i18n import t
from cscterm.text import local_time, one_line, printable
from cscterm.tui.autosave import DraftAutosave
from cscterm.tui.localise import localise_bindings
from cscterm.tui.screens.mode import ModeScreen, TopBar
from cscterm.tui.widgets.prompt import TextPrompt
from cscterm.tui.widgets.script_list import fit

if TYPE_CHECKING:
    from cscterm.services.worklog import DayPage, MetricToday, Plan, Reflection, ReminderView

DRAFT_KIND = "worklog"
PARTS = ("business", "teamwork", "learnings")


def clock() -> datetime:
    """The current instant (UTC). Screens read the time through here, so a
    test can stop the clock by replacing this function."""
    from cscterm.db.tables.core import utcnow

    return utcnow()


def _label(text: str, style: str = "bold $text-primary") -> Content:
    return Content(text).stylize(style)


def _hm(moment: datetime | None) -> str:
    return local_time(moment, "%H:%M") if moment else "--:--"


# ── rendering (plain Content: user text is never markup) ───────────────────


def metric_prompt(m: MetricToday, width: int = 40) -> Content:
    """``接待量        86 / 120 ✗`` in one line of ``width`` cells."""
    mark = {True: Content(" ✓").stylize("bold $success"),
            False: Content(" ✗").stylize("bold $error"),
            None: Content("  ")}[m.meets]
    value = Content(f"{m.shown:>7}").stylize("bold" if m.value is not None else "$text-muted")
    target = Content(f" / {m.target_shown}" if m.target_shown else "").stylize("$text-muted")
    room = max(width - 11 - target.cell_length, 6)
    label = fit(one_line(m.metric.label), room)
    pad = " " * max(room - cell_len(label), 0)
    counter = Content(" ±").stylize("$text-muted") if m.metric.is_counter else Content("  ")
    return Content.assemble(Content(label + pad), value, target, mark, counter)


def plan_prompt(plan: Plan, width: int = 40) -> Content:
    box = {"done": Content("✓ ").stylize("bold $success"),
           "dropped": Content("✗ ").stylize("$text-muted"),
           "carried": Content("→ ").stylize("$text-muted")}.get(plan.status, Content("☐ "))
    age = (Content(f" ↻{t('wl.age', days=plan.age_days)}").stylize(
        "bold $warning" if plan.age_days >= 3 else "$warning")
        if plan.age_days and plan.kind == "day" else Content(""))
    room = max(width - 2 - age.cell_length, 6)
    text = Content(fit(one_line(plan.text), room))
    if plan.status in ("done", "dropped", "carried"):
        text = text.stylize("$text-muted strike" if plan.status == "dropped" else "$text-muted")
    return Content.assemble(box, text, age)


def reminder_prompt(r: ReminderView, now: datetime, width: int = 40) -> Content:
    when = (local_time(r.due_at, "%H:%M")
            if local_time(r.due_at, "%Y-%m-%d") == local_time(now, "%Y-%m-%d")
            else local_time(r.due_at, "%m-%d %H:%M"))
    due = r.due_at <= now
    head = Content(("⚠ " if due else "  ") + when + " ").stylize(
        "bold $warning" if due else "$text-muted")
    tail = Content(f" ↻{r.snoozed}" if r.snoozed else "").stylize("$text-muted")
    room = max(width - head.cell_length - tail.cell_length, 6)
    return Content.assemble(head, Content(fit(one_line(r.text), room)), tail)


def notes_content(page: DayPage) -> Content:
    if not page.notes:
        return Content(t("wl.no_notes")).stylize("$text-muted")
    return Content("\n").join(
        Content.assemble(Content(f"{_hm(n.at)} ").stylize("$text-muted"), Content(printable(n.body)))
        for n in page.notes)


def reflection_content(r: Reflection) -> Content:
    lines: list[Content] = []
    for part in PARTS:
        text = getattr(r, part).strip()
        lines.append(_label(t(f"log.{part}"), "bold"))
        lines.append(Content(printable(text)) if text
                     else Content(t("wl.empty_part")).stylize("$text-muted"))
    return Content("\n").join(lines)


def activity_content(page: DayPage) -> Content:
    a = page.activity
    lines = [Content(t("log.activity.scripts", count=a.scripts_copied))]
    if a.by_scenario:
        shown = " · ".join(f"{one_line(title, 12)} {count}" for title, count in a.by_scenario[:4])
        lines.append(Content("  " + shown).stylize("$text-muted"))
    lines.append(Content(t("log.activity.handovers", written=a.handovers_written,
                           acked=a.handovers_acknowledged)))
    lines.append(Content(t("log.activity.transfers", sent=a.transfers_sent,
                           claimed=a.transfers_claimed, resolved=a.transfers_resolved)))
    return Content("\n").join(lines)


class PanelList(OptionList):
    """A panel's list. Its rows are cut to its width, which follows the
    terminal's (and the wide layout), so it says when that changes."""

    class Resized(Message):
        pass

    def on_resize(self) -> None:
        self.post_message(self.Resized())


def _guarded_import(module: str, name: str) -> Any:
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


# ── the day page ───────────────────────────────────────────────────────────


class WorkLogScreen(ModeScreen):
    MODE = "log"
    AUTO_FOCUS = "#wl-metrics"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("plus", "bump(1)", "key.wl.plus"),
        Binding("minus", "bump(-1)", "key.wl.minus"),
        Binding("equals_sign", "set_value", "key.wl.set_value", show=False),
        Binding("n", "note", "key.wl.note"),
        Binding("p", "plan('day')", "key.wl.plan"),
        Binding("P", "plan('month')", "key.wl.month_plan", show=False),
        Binding("space,x", "toggle_plan", "key.wl.toggle", show=False),
        Binding("d", "drop_plan", "key.wl.drop", show=False),
        Binding("r", "reminder", "key.wl.reminder"),
        Binding("z", "snooze", "key.wl.snooze", show=False),
        Binding("e", "reflect", "key.wl.reflect"),
        Binding("S", "submit", "key.wl.submit"),
        Binding("left_square_bracket", "day(-1)", "key.wl.prev_day", show=False),
        Binding("right_square_bracket", "day(1)", "key.wl.next_day", show=False),
        Binding("t", "today", "key.wl.today", show=False),
        Binding("g", "trends", "key.wl.trends", show=False),
        Binding("L", "team", "key.wl.team", show=False),
        Binding("ctrl+r", "reload", "key.wl.reload", show=False),
    ]

    def __init__(self, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.day: date | None = None  # None: today's shift date
        self.today: date | None = None
        self.page: DayPage | None = None
        self.loaded_version = 0  # counts page loads (tests wait on it)
        self._draft_checked = False
        # Opening today's page carries plan items over: one read at a time.
        self._reading = threading.Lock()

    def now(self) -> datetime:
        return self.fixed_now or clock()

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield Static(t("loading"), id="wl-head", markup=False)
        with VerticalScroll(id="wl-page"):
            with Horizontal(id="wl-cols"):
                with Vertical(id="wl-left", classes="wl-col"):
                    yield Static(t("wl.metrics"), id="wl-metrics-title", classes="wl-title",
                                 markup=False)
                    yield PanelList(id="wl-metrics", markup=False)
                    yield Static(id="wl-plans-title", classes="wl-title", markup=False)
                    yield PanelList(id="wl-plans", markup=False)
                    yield Static(id="wl-month-title", classes="wl-title", markup=False)
                    yield PanelList(id="wl-month", markup=False)
                    yield Static(t("wl.reminders"), id="wl-reminders-title", classes="wl-title",
                                 markup=False)
                    yield PanelList(id="wl-reminders", markup=False)
                with Vertical(id="wl-right", classes="wl-col"):
                    yield Static(t("wl.notes"), id="wl-notes-title", classes="wl-title",
                                 markup=False)
                    yield Static(id="wl-notes", classes="wl-text", markup=False)
                    yield Static(t("wl.reflection"), id="wl-reflection-title", classes="wl-title",
                                 markup=False)
                    yield Static(id="wl-reflection", classes="wl-text", markup=False)
                    yield Static(t("wl.activity"), id="wl-activity-title", classes="wl-title",
                                 markup=False)
                    yield Static(id="wl-activity", classes="wl-text", markup=False)
        yield Footer()

    def language_changed(self) -> None:
        self.update_topbar()
        for widget_id, key in (("#wl-metrics-title", "wl.metrics"),
                               ("#wl-reminders-title", "wl.reminders"),
                               ("#wl-notes-title", "wl.notes"),
                               ("#wl-reflection-title", "wl.reflection"),
                               ("#wl-activity-title", "wl.activity")):
            self.query_one(widget_id, Static).update(t(key))
        self.render_page()

    def reminders_changed(self) -> None:
        """The App fired or closed a reminder: read the page again."""
        self.reload()

    # loading ─────────────────────────────────────────────────────────────

    @work(thread=True, exclusive=True, group="wl-page")
    def reload(self) -> None:
        from cscterm.services import drafts, worklog

        ws = self.ws
        now = self.now()
        offer = None
        try:
            with self._reading, ws.session() as session:
                today = worklog.shift_day(session, ws.actor, now)
                page = worklog.day_page(session, ws.actor, self.day or today, now=now)
                if not self._draft_checked:
                    offer = _unsaved_reflection(session, ws.actor, drafts, worklog)
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._loaded, today, page, offer)

    def _loaded(self, today: date, page: DayPage,
                offer: tuple[date, dict[str, object], datetime] | None) -> None:
        if not self.is_mounted:
            return
        self.today, self.page = today, page
        self.render_page()
        self.loaded_version += 1
        if not self._draft_checked:
            self._draft_checked = True
            if offer is not None:
                self.offer_draft(*offer)

    @property
    def read_only(self) -> bool:
        return self.page is not None and self.today is not None and self.page.day < self.today

    def _width(self, list_id: str) -> int:
        return max(self.query_one(list_id, OptionList).scrollable_content_region.width - 1, 24)

    def render_page(self) -> None:
        page = self.page
        if page is None:
            return
        now = self.now()
        head = [Content(f" {page.day.isoformat()} ").stylize("bold reverse $primary")]
        if self.read_only:
            head.append(Content(f"  {t('wl.past')}").stylize("$warning"))
        else:
            head.append(Content(f"  {t('wl.today')}").stylize("$text-muted"))
        tally = page.day_tally
        head.append(Content(f"  {t('wl.tally', done=tally.done, planned=tally.planned)}"))
        if page.reflection.submitted_at:
            head.append(Content(f"  {t('wl.submitted', when=_hm(page.reflection.submitted_at))}")
                        .stylize("bold $success"))
        else:
            head.append(Content(f"  {t('wl.not_submitted')}").stylize("$text-muted"))
        self.query_one("#wl-head", Static).update(Content.assemble(*head))

        width = self._width("#wl-metrics")
        self._fill("#wl-metrics", [metric_prompt(m, width) for m in page.metrics], "")
        self.query_one("#wl-plans-title", Static).update(t("wl.plans", done=tally.done,
                                                           planned=tally.planned))
        self._fill("#wl-plans", [plan_prompt(p, width) for p in page.plans], t("wl.no_plans"))
        month = page.month_tally
        self.query_one("#wl-month-title", Static).update(
            t("wl.month_plans", month=page.day.strftime("%Y-%m"), done=month.done,
              planned=month.planned))
        self._fill("#wl-month", [plan_prompt(p, width) for p in page.month_plans],
                   t("wl.no_month_plans"))
        self._fill("#wl-reminders", [reminder_prompt(r, now, width) for r in page.reminders],
                   t("wl.no_reminders"))
        self.query_one("#wl-notes", Static).update(notes_content(page))
        self.query_one("#wl-reflection", Static).update(reflection_content(page.reflection))
        self.query_one("#wl-activity", Static).update(activity_content(page))

    def _fill(self, list_id: str, prompts: list[Content], empty: str) -> None:
        listing = self.query_one(list_id, OptionList)
        keep = listing.highlighted
        options = [Option(p) for p in prompts]
        if not options and empty:
            options = [Option(Content(empty).stylize("$text-muted"), disabled=True)]
        listing.set_options(options)
        if prompts:
            listing.highlighted = min(keep or 0, len(prompts) - 1)

    @on(PanelList.Resized)
    def _refit(self) -> None:
        self.render_page()

    # what is highlighted ─────────────────────────────────────────────────

    def _chosen(self, list_id: str, values: list[Any]) -> Any:
        listing = self.query_one(list_id, OptionList)
        if not listing.has_focus or listing.highlighted is None:
            return None
        index = listing.highlighted
        return values[index] if index < len(values) else None

    def chosen_metric(self) -> MetricToday | None:
        return self._chosen("#wl-metrics", self.page.metrics) if self.page else None

    def chosen_plan(self) -> Plan | None:
        if self.page is None:
            return None
        return (self._chosen("#wl-plans", self.page.plans)
                or self._chosen("#wl-month", self.page.month_plans))

    def chosen_reminder(self) -> ReminderView | None:
        return self._chosen("#wl-reminders", self.page.reminders) if self.page else None

    def _warn(self, key: str, **values: object) -> None:
        self.notify(t(key, **values), severity="warning", markup=False)

    def _writable(self) -> bool:
        if self.ws is None:
            return False
        if self.read_only:
            self._warn("wl.read_only", day=self.page.day.isoformat())  # type: ignore[union-attr]
            return False
        return True

    # running a service call ──────────────────────────────────────────────

    @work(thread=True, group="wl-do")
    def do(self, call: Any, done: str = "") -> None:
        """Run ``call(session, actor)``; a refusal becomes a notification,
        success ``done`` (a message key, formatted with the result)."""
        ws = self.ws
        try:
            with ws.session() as session:
                result = call(session, ws.actor)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False,
                                      timeout=10)
            return
        if done:
            self.app.call_from_thread(self.notify, t(done, result=result), markup=False)
        self.app.call_from_thread(self.reload)

    # metrics ─────────────────────────────────────────────────────────────

    def _metric_to_change(self) -> MetricToday | None:
        """The highlighted metric, when one is and the page may be changed."""
        metric = self.chosen_metric()
        if metric is None:
            self._warn("wl.pick_metric")
            return None
        return metric if self._writable() else None

    def action_bump(self, delta: int) -> None:
        metric = self._metric_to_change()
        if metric is None:
            return
        from cscterm.services import worklog

        key, day, now = metric.metric.key, self.page.day, self.now()  # type: ignore[union-attr]
        self.do(lambda s, a: worklog.bump(s, a, key, delta, day=day, now=now))

    def action_set_value(self) -> None:
        metric = self._metric_to_change()
        if metric is None:
            return
        from cscterm.services import worklog

        key, day, now = metric.metric.key, self.page.day, self.now()  # type: ignore[union-attr]
        example = t(f"log.example.{metric.metric.unit}")

        def typed(text: str | None) -> None:
            if not text:
                return
            delta = worklog.parse_delta(text) if metric.metric.is_counter else None
            if delta is not None:
                self.do(lambda s, a: worklog.bump(s, a, key, delta, day=day, now=now))
            else:
                self.do(lambda s, a: worklog.set_value(s, a, key, text, day=day, now=now))

        current = "" if metric.value is None else metric.shown
        self.app.push_screen(TextPrompt(t("wl.ask.value", metric=one_line(metric.metric.label)),
                                        placeholder=example, value=current, max_length=40), typed)

    @on(OptionList.OptionSelected, "#wl-metrics")
    def _metric_selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_set_value()

    # notes ───────────────────────────────────────────────────────────────

    def action_note(self) -> None:
        if not self._writable():
            return
        from cscterm.services import worklog

        def typed(text: str | None) -> None:
            if text:
                now = self.now()
                self.do(lambda s, a: worklog.add_note(s, a, text, now=now), "wl.did.note")

        self.app.push_screen(TextPrompt(t("wl.ask.note"), placeholder=t("wl.ask.note_hint"),
                                        max_length=2000), typed)

    # plans ───────────────────────────────────────────────────────────────

    def action_plan(self, kind: str) -> None:
        if self.page is None or not self._writable():
            return
        from cscterm.services import worklog

        day = self.page.day  # type: ignore[union-attr]

        def typed(text: str | None) -> None:
            if text:
                now = self.now()
                self.do(lambda s, a: worklog.add_plan(s, a, text, kind=kind, day=day,
                                                              now=now))

        question = t("wl.ask.plan" if kind == "day" else "wl.ask.month_plan",
                     month=day.strftime("%Y-%m"))
        self.app.push_screen(TextPrompt(question, max_length=300), typed)

    def _set_plan(self, status_of: Any) -> None:
        plan = self.chosen_plan()
        if plan is None:
            self._warn("wl.pick_plan")
            return
        if plan.status == "carried":
            self._warn("wl.carried_on")
            return
        from cscterm.services import worklog

        status, now = status_of(plan.status), self.now()
        self.do(lambda s, a: worklog.set_plan_status(s, a, plan.id, status, now=now))

    def action_toggle_plan(self) -> None:
        self._set_plan(lambda old: "open" if old == "done" else "done")

    def action_drop_plan(self) -> None:
        self._set_plan(lambda old: "open" if old == "dropped" else "dropped")

    @on(OptionList.OptionSelected, "#wl-plans, #wl-month")
    def _plan_selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_toggle_plan()

    # reminders ───────────────────────────────────────────────────────────

    def action_reminder(self) -> None:
        if self.ws is None:
            return
        from cscterm.services import worklog

        def timed(when: str | None) -> None:
            if not when:
                return

            def typed(text: str | None) -> None:
                if text:
                    now = self.now()
                    self.do(lambda s, a: worklog.add_reminder(s, a, when, text, now=now),
                            "wl.did.reminder")

            self.app.push_screen(TextPrompt(t("wl.ask.reminder_text", when=one_line(when, 20)),
                                            placeholder=t("wl.ask.reminder_text_hint")), typed)

        self.app.push_screen(TextPrompt(t("wl.ask.reminder_when"),
                                        placeholder=t("wl.ask.reminder_when_hint"), max_length=40),
                             timed)

    def action_snooze(self) -> None:
        reminder = self.chosen_reminder()
        if reminder is None:
            self._warn("wl.pick_reminder")
            return
        from cscterm.services import worklog

        now = self.now()
        self.do(lambda s, a: worklog.snooze(s, a, reminder.id, now=now),
                "wl.did.snooze")

    @on(OptionList.OptionSelected, "#wl-reminders")
    def _reminder_selected(self, _event: OptionList.OptionSelected) -> None:
        reminder = self.chosen_reminder()
        if reminder is None:
            return
        from cscterm.services import worklog

        now = self.now()
        self.do(lambda s, a: worklog.finish_reminder(s, a, reminder.id, now=now),
                "wl.did.reminder_done")

    # the reflection and submitting ───────────────────────────────────────

    def action_reflect(self) -> None:
        if self.page is None or not self._writable():
            return
        self.app.push_screen(ReflectionEditor(self.page.day, self.page.reflection,
                                              now=self.fixed_now))

    def offer_draft(self, day: date, payload: dict[str, object], when: datetime) -> None:
        from cscterm.tui.widgets.confirm import Confirm

        def answered(yes: bool | None) -> None:
            if yes and self.page is not None:
                reflection = self.page.reflection if self.page.day == day else None
                self.open_reflection(day, payload, reflection)

        self.app.push_screen(Confirm(t("wl.draft_offer", day=day.isoformat(),
                                       when=local_time(when, "%m-%d %H:%M")),
                                     t("draft.open"), t("draft.later")), answered)

    @work(thread=True, group="wl-open")
    def open_reflection(self, day: date, payload: dict[str, object],
                        reflection: Reflection | None) -> None:
        if reflection is None:
            from cscterm.services import worklog

            ws = self.ws
            with ws.session() as session:
                reflection = worklog.reflection(session, ws.actor, day)
        self.app.call_from_thread(
            self.app.push_screen, ReflectionEditor(day, reflection, draft=payload,
                                                   now=self.fixed_now))

    def action_submit(self) -> None:
        if self.page is None or not self._writable():
            return
        from cscterm.services import worklog
        from cscterm.tui.widgets.confirm import Confirm

        page = self.page
        assert page is not None
        empty = not any(getattr(page.reflection, p).strip() for p in PARTS)
        question = t("wl.submit_confirm", day=page.day.isoformat())
        if empty:
            question += "\n" + t("wl.submit_empty")
        day, now = page.day, self.now()

        def answered(yes: bool | None) -> None:
            if yes:
                self.do(lambda s, a: _hm(worklog.submit_day(s, a, day, now=now)
                                                   .submitted_at), "wl.did.submit")

        self.app.push_screen(Confirm(question, t("wl.submit_yes"), t("draft.later")), answered)

    # days and other views ────────────────────────────────────────────────

    def action_day(self, delta: int) -> None:
        if self.page is None or self.today is None:
            return
        day = self.page.day + timedelta(days=delta)
        if day > self.today:
            self._warn("wl.no_future")
            return
        self.day = None if day == self.today else day
        self.reload()

    def action_today(self) -> None:
        self.day = None
        self.reload()

    def action_trends(self) -> None:
        screen = _guarded_import("cscterm.tui.screens.worklog_trends", "TrendScreen")
        if screen is None:
            self._warn("wl.unavailable", what=t("key.wl.trends"))
            return
        self.app.push_screen(screen(now=self.fixed_now))

    def action_team(self) -> None:
        if self.ws is None:
            return
        if not self.ws.actor.is_lead:
            self.notify(str(DomainError("err.not_allowed.team_logs")), severity="warning",
                        markup=False)
            return
        screen = _guarded_import("cscterm.tui.screens.worklog_trends", "TeamLogScreen")
        if screen is None:
            self._warn("wl.unavailable", what=t("key.wl.team"))
            return
        self.app.push_screen(screen(now=self.fixed_now))


def _unsaved_reflection(session: Any, actor: Any, drafts: Any, worklog: Any
                        ) -> tuple[date, dict[str, object], datetime] | None:
    """Reflection typing left unsaved (a dropped connection, a crash): the
    newest draft that differs from what is stored; others are dropped."""
    for draft in drafts.pending(session, actor, DRAFT_KIND):
        try:
            day = date.fromisoformat(draft.ref)
            stored = worklog.reflection(session, actor, day)
        except (DomainError, ValueError):
            drafts.discard(session, actor, DRAFT_KIND, draft.ref)
            continue
        if any(str(draft.payload.get(p, "")).strip() != getattr(stored, p) for p in PARTS):
            return day, draft.payload, draft.updated_at
        drafts.discard(session, actor, DRAFT_KIND, draft.ref)
    return None


# ── the reflection editor ──────────────────────────────────────────────────


class ReflectionEditor(DraftAutosave, Screen[None]):
    """The day's three-part reflection: business (业务日常), team (团队日常),
    learnings (工作心得). Typing is autosaved every second as a draft;
    ctrl+s stores it, Esc stores and leaves."""

    DRAFT_KIND = DRAFT_KIND
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save"),
        Binding("escape", "close", "key.back"),
    ]

    def __init__(self, day: date, reflection: Reflection, *,
                 draft: dict[str, object] | None = None, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.day = day
        self.reflection = reflection
        self.draft = draft
        self.fixed_now = now
        self._saved_state: tuple[object, ...] | None = None
        self._drafted_state: tuple[object, ...] | None = None

    @property
    def draft_ref(self) -> str:
        return self.day.isoformat()

    def compose(self) -> ComposeResult:
        yield Static(Content.assemble(_label(f" {t('wl.reflection_title')} ", "bold"),
                                      Content(self.day.isoformat())), id="wl-ed-heading")
        with VerticalScroll(id="wl-ed-form"):
            for part in PARTS:
                yield Static(t(f"log.{part}"), classes="wl-ed-label", markup=False)
                yield TextArea(printable(getattr(self.reflection, part)), id=f"wl-ed-{part}",
                               soft_wrap=True, classes="wl-ed-text")
        yield Footer()

    def on_mount(self) -> None:
        self._saved_state = self.state()
        if self.draft is not None:
            for part in PARTS:
                value = self.draft.get(part)
                if isinstance(value, str):
                    self.query_one(f"#wl-ed-{part}", TextArea).text = printable(value)
            self.notify(t("ho.draft_restored"), markup=False)
        self._drafted_state = self.state()
        self.query_one("#wl-ed-business", TextArea).focus()
        self.set_interval(1.0, self.autosave)

    def state(self) -> tuple[object, ...]:
        return tuple(self.query_one(f"#wl-ed-{p}", TextArea).text for p in PARTS)

    def draft_payload(self) -> dict[str, object]:
        return dict(zip(PARTS, self.state(), strict=True))

    def action_save(self) -> None:
        self.persist(commit=False, close=False)

    def action_close(self) -> None:
        if self.state() == self._saved_state and self.draft is None:
            self.dismiss(None)
            return
        self.persist(commit=False, close=True)

    def store(self, session: Any, actor: Any, payload: dict[str, object]) -> Reflection:
        from cscterm.services import worklog

        # A day with nothing kept yet has no version: its log starts at 1.
        return worklog.save_reflection(session, actor, self.day, self.reflection.version or 1,
                                       now=self.fixed_now, **payload)  # type: ignore[arg-type]

    def adopt(self, record: Reflection) -> None:
        self.reflection = record

    def persisted(self, record: Reflection, committed: bool, close: bool) -> None:
        self.reflection = record
        self.draft = None
        self.notify(t("ho.saved"), markup=False)
        if close:
            self.dismiss(None)
