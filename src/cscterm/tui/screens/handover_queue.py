"""The lead's handover queue (交接班): where hand-off is being lost.

For one range of days and one team or all, four views over
:func:`cscterm.services.handover.lead_queue`: notes acknowledged late (or not
yet), open items past their due time, items rolled over three times or more,
and every shift's note with its status. Enter reads a note in full; on an
item, r gives it to someone else. Rows are sorted here (the service returns at
most a few hundred), so changing the sort never goes back to the database.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
from textual.widgets import DataTable, Footer, Input, Label, Static
from textual.timer import Timer
from textual.worker import get_current_worker

from cscterm.errors import DomainError
from cscterm.i18n import t
from cscterm.tui.spans import span as _span
from cscterm.text import local_time, local_zone, one_line, printable
from cscterm.tui.localise import localise_bindings

if TYPE_CHECKING:
    from cscterm.services.handover import HandoverRow, HandoverView, ItemView, LeadQueue

VIEWS = ("late", "overdue", "rolled", "shifts")
ITEM_VIEWS = ("overdue", "rolled")
RANGES = (("today", 0), ("week", 6), ("month", 30))  # name, days before today
DEFAULT_RANGE = 1  # the last 7 days: yesterday's misses are still news at a shift change
OVERALL_COLOUR = {"normal": "success", "busy": "warning", "incident": "error"}
OVERALL_RANK = {"normal": 0, "busy": 1, "incident": 2}
FLEX_MIN = 10  # a flexible column never gets narrower than this
LIVE_INTERVAL = 5.0  # seconds between reads when the database keeps changing


def _aware(moment: datetime | None) -> datetime | None:
    """Stored instants are UTC; a naive one is read as UTC, as local_time does."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _when(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    return local_time(moment, fmt) if moment else "—"



def _cell(text: str, width: int | None = None, style: str | Style = "") -> Text:
    """One line of (user) text as a literal table cell, cut to ``width`` cells."""
    cell = Text(one_line(text, width), style=style, end="", no_wrap=True)
    if width is not None and cell.cell_len > width:
        cell.truncate(width, overflow="ellipsis")
    return cell


def _cut(text: str, width: int) -> str:
    """``text`` on one line in at most ``width`` cells (Chinese takes two)."""
    return _cell(text, width).plain


@dataclass(frozen=True)
class Column:
    key: str
    narrow: int  # widest cell under 110 columns
    wide: int  # and from 110 columns on
    flex: bool = False  # takes the width the others leave
    right: bool = False

    @property
    def label(self) -> str:
        return t(f"hq.col.{self.key}")


COLUMNS: dict[str, tuple[Column, ...]] = {
    "late": (Column("shift", 11, 18), Column("team", 6, 12), Column("author", 6, 12),
             Column("to", 10, 16), Column("submitted", 11, 11), Column("acked", 12, 22),
             Column("late", 12, 14, right=True)),
    "overdue": (Column("reference", 14, 22), Column("situation", 0, 0, flex=True),
                Column("due", 11, 11), Column("overdue", 12, 14, right=True),
                Column("owner", 8, 12), Column("team", 6, 12)),
    "rolled": (Column("reference", 14, 22), Column("rolled", 4, 6, right=True),
               Column("situation", 0, 0, flex=True), Column("due", 11, 11),
               Column("owner", 8, 12), Column("team", 6, 12)),
    "shifts": (Column("date", 5, 10), Column("shift", 6, 10), Column("team", 6, 12),
               Column("author", 6, 12), Column("overall", 8, 10), Column("state", 12, 14),
               Column("open", 4, 6, right=True), Column("summary", 0, 0, flex=True)),
}
# What s cycles through per view, each with the direction it starts in
# (True: largest first), the first being the view's default.
SORTS: dict[str, tuple[tuple[str, bool], ...]] = {
    "late": (("late", True), ("shift", True), ("team", False), ("author", False),
             ("submitted", True), ("acked", True)),
    "overdue": (("due", False), ("owner", False), ("team", False), ("reference", False)),
    "rolled": (("rolled", True), ("due", False), ("owner", False), ("team", False),
               ("reference", False)),
    "shifts": (("date", True), ("overall", True), ("state", False), ("open", True),
               ("team", False), ("author", False)),
}


# ── dialogs ────────────────────────────────────────────────────────────────


def _field(label: str) -> Content:
    return Content(t("hq.note.field", label=label)).stylize("$text-muted")


def _section(title: str) -> Content:
    return Content(title).stylize("bold $text-primary")


def _note_lines(note: HandoverView, now: datetime, grace: timedelta) -> list[Content]:
    """The note's header: who, when, to whom, and how it was taken on."""
    overall = Content(t(f"ho.overall.{note.overall}")).stylize(
        f"bold ${OVERALL_COLOUR.get(note.overall, 'foreground')}")
    lines = [
        Content.assemble(_field(t("hq.note.overall")), overall,
                         Content(f" · {t(f'ho.state.{note.status}')}")),
        Content.assemble(_field(t("hq.note.to")),
                         Content(one_line(note.addressed_to()) or "—"),
                         Content("   ") + _field(t("hq.note.submitted")),
                         Content(_when(_aware(note.submitted_at)))),
    ]
    start = _aware(note.to_shift_start)
    acked_at = _aware(note.acked_at)
    if acked_at is not None:
        ack = Content.assemble(
            _field(t("hq.note.acked")),
            Content(t("hq.note.acked_value", who=one_line(note.acked_by) or "?",
                      when=_when(acked_at))))
        if start is not None and acked_at > start:
            late = Content(f"  ({t('hq.note.after_start', span=_span(acked_at - start))})")
            ack = ack + late.stylize("$warning" if acked_at - start > grace else "$text-muted")
        lines.append(ack)
        lines.append(Content.assemble(
            _field(t("field.ho.synthesis")),
            Content(one_line(note.synthesis) or "—")))
    elif note.status == "submitted":
        waiting = _field(t("hq.note.acked")) + Content(
            t("hq.not_yet")).stylize("bold $error")
        if start is not None and now > start:
            waiting += Content(f"  ({t('hq.note.after_start', span=_span(now - start))})")
        lines.append(waiting)
    return lines


def _item_head(item: ItemView, n: int, focused: bool) -> Content:
    head = Content.assemble(
        Content("▶ " if focused else "  ").stylize("bold $accent"),
        Content(f"{n}. "),
        Content(one_line(item.reference) or "—").stylize("bold"),
    )
    return head.stylize("on $boost") if focused else head


def _item_body(item: ItemView, now: datetime) -> Content:
    """Situation, next action, due/owner/status, closing note and comments
    (the Static holding it is indented, so long lines wrap under themselves)."""
    due = _aware(item.due_at)
    muted = "$text-muted"
    lines = [
        _field(t("hq.col.situation")) + Content(printable(item.situation.strip()) or "—"),
        _field(t("hq.note.next_action")) + Content(printable(item.next_action.strip()) or "—"),
    ]
    facts = [Content(f"{t('hq.col.due')} {_when(due)}")]
    if item.status == "open" and due is not None and due < now:
        facts.append(Content(t("hq.note.overdue", span=_span(now - due))).stylize("bold $error"))
    facts.append(Content(f"{t('hq.col.owner')} ") + (
        Content(one_line(item.owner)) if item.owner else
        Content(t("hq.unowned")).stylize(f"italic {muted}")))
    facts.append(Content(t(f"ho.status.{item.status}")))
    if item.rolled_count:
        facts.append(Content(t("hq.note.rolled", count=item.rolled_count)).stylize(
            "$warning" if item.rolled_count >= 3 else muted))
    lines.append(Content(" · ").join(facts))
    if item.closing_note.strip():
        lines.append(Content("✓ ").stylize("$success") + Content(printable(item.closing_note.strip())))
    for comment in item.comments:
        mark = t(f"hq.comment.{comment.kind}")
        lines.append(Content.assemble(
            Content(f"{mark} {one_line(comment.author)} {_when(_aware(comment.created_at))}: ")
            .stylize(muted),
            Content(one_line(comment.body))))
    return Content("\n").join(lines)


class NoteScreen(ModalScreen[None]):
    """A whole handover note, read-only."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "key.hq.close"),
    ]

    def __init__(self, note: HandoverView, now: datetime, grace: timedelta,
                 item_id: int | None = None) -> None:
        super().__init__()
        self.note = note
        self.now = now
        self.grace = grace
        self.item_id = item_id

    def compose(self) -> ComposeResult:
        note = self.note
        title = t("hq.note.title", shift=f"{note.shift_date} {one_line(note.shift_name)}",
                  team=one_line(note.team), author=one_line(note.author))
        with Vertical(classes="dialog", id="hq-note"):
            yield Label(Content(title).stylize("bold"), id="hq-note-title", markup=False)
            with VerticalScroll(id="hq-note-body"):
                yield Static(Content("\n").join(_note_lines(note, self.now, self.grace)), markup=False)
                yield Static(_section(t("field.ho.summary")), classes="hq-note-section",
                             markup=False)
                yield Static(Content(printable(note.summary.strip()) or "—"), markup=False)
                yield Static(_section(t("hq.note.items", count=len(note.items))),
                             classes="hq-note-section", markup=False)
                if not note.items:
                    yield Static(Content(t("hq.note.no_items")).stylize("$text-muted"),
                                 markup=False)
                for n, item in enumerate(note.items, 1):
                    focused = item.id == self.item_id
                    yield Static(_item_head(item, n, focused), markup=False,
                                 id=f"hq-note-item-{item.id}", classes="hq-note-item")
                    yield Static(_item_body(item, self.now), markup=False,
                                 classes="hq-note-item-body")
                if note.watchouts.strip():
                    yield Static(_section(t("field.ho.watchouts")), classes="hq-note-section",
                                 markup=False)
                    yield Static(Content(printable(note.watchouts.strip())), markup=False)
            yield Static(t("hq.note.hint"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        localise_bindings(self)
        self.query_one("#hq-note-body", VerticalScroll).focus()
        if self.item_id is not None:
            found = self.query(f"#hq-note-item-{self.item_id}")
            if found:
                self.call_after_refresh(found.first().scroll_visible, animate=False, top=True)

    def action_close(self) -> None:
        self.dismiss(None)


class ReassignForm(ModalScreen["str | None"]):
    """Ask for the login of an item's new owner (None: cancelled)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
    ]

    def __init__(self, item: ItemView) -> None:
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        owner = (f"{one_line(item.owner)} ({one_line(item.owner_login)})" if item.owner_login
                 else t("hq.unowned"))
        with Vertical(classes="dialog", id="hq-reassign"):
            yield Label(Content(t("hq.reassign.title", ref=one_line(item.reference, 60)))
                        .stylize("bold"), markup=False)
            yield Static(Content(one_line(item.situation, 200)).stylize("$text-muted"),
                         markup=False)
            yield Static(Content(t("hq.reassign.current", owner=owner)), markup=False)
            yield Label(t("hq.reassign.login"), markup=False, id="hq-reassign-label")
            yield Input(placeholder=t("hq.reassign.placeholder"), max_length=64,
                        id="hq-reassign-login")
            yield Static(t("hq.reassign.hint"), classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        localise_bindings(self)
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        login = event.value.strip()
        if not login:
            self.notify(t("hq.reassign.empty"), severity="warning", markup=False)
            return
        self.dismiss(login)

    def action_cancel(self) -> None:
        self.dismiss(None)


# ── the queue ──────────────────────────────────────────────────────────────


class LeadQueueScreen(Screen[None]):
    """The team lead's review of hand-offs (交接队列)."""

    CSS_PATH = "handover_queue.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("tab", "next_view(1)", "key.hq.view", show=False),
        Binding("shift+tab", "next_view(-1)", "key.hq.view_prev", show=False),
        Binding("1", "view('late')", "key.hq.late", show=False),
        Binding("2", "view('overdue')", "key.hq.overdue", show=False),
        Binding("3", "view('rolled')", "key.hq.rolled", show=False),
        Binding("4", "view('shifts')", "key.hq.shifts", show=False),
        Binding("enter", "open", "key.hq.open", priority=True),
        Binding("r", "reassign", "key.hq.reassign"),
        Binding("t", "team", "key.hq.team"),
        Binding("g", "range", "key.hq.range"),
        Binding("s", "sort", "key.hq.sort"),
        Binding("S", "sort_reverse", "key.hq.sort_reverse", show=False),
        Binding("ctrl+r,R", "reload", "key.hq.reload"),
        Binding("escape", "back", "key.back"),
    ]

    def __init__(self, now: datetime | None = None) -> None:
        from cscterm.services.handover import DEFAULT_ACK_GRACE, QUEUE_LIMIT

        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.grace = DEFAULT_ACK_GRACE  # later than this after the next shift began is late
        self.limit = QUEUE_LIMIT  # the service lists at most this many of each
        self.view = "late"
        self.team: str | None = None
        self.range_index = DEFAULT_RANGE
        self.sort: dict[str, tuple[str, bool]] = {v: SORTS[v][0] for v in VIEWS}
        self.queue: LeadQueue | None = None
        self.teams: list[str] = []
        self.loaded_at: datetime | None = None  # the "now" the rows were judged at
        self.loading = False
        self.error = ""
        self.item_teams: dict[int, str] = {}  # note id → team (items do not carry it)
        self.shown: list[Any] = []  # the current view's rows, sorted as shown
        self.remembered: dict[str, str | None] = {}  # view → row last highlighted there
        self._built_for: tuple[object, ...] = ()
        self._load_started = 0.0
        self._live_timer: Timer | None = None

    # ── layout ─────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        yield Label(id="hq-title", markup=False)
        yield Static(id="hq-tabs", markup=False)
        yield Static(id="hq-status", markup=False)
        yield DataTable(id="hq-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.render_view())
        live = getattr(self.app, "live_views", None)
        if live is not None:
            live.add(self)
        self.render_header()
        self.query_one(DataTable).focus()
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

    def handovers_changed(self) -> None:
        """The database changed (the App watches it): read again quietly, at
        most every LIVE_INTERVAL seconds however busy the centre is."""
        if self._live_timer is not None or not self.is_attached:
            return
        wait = LIVE_INTERVAL - (time.monotonic() - self._load_started)
        if wait <= 0 and not self.loading:
            self.load(quiet=True)
        else:
            self._live_timer = self.set_timer(max(wait, 0.5), self._live_reload)

    def _live_reload(self) -> None:
        self._live_timer = None
        self.load(quiet=True)

    def language_changed(self) -> None:
        self.render_view()

    def on_resize(self) -> None:
        if self.queue is not None and self._layout_key() != self._built_for[:2]:
            self.render_view()

    # ── time and range ─────────────────────────────────────────────────────

    def _now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def date_range(self, now: datetime | None = None) -> tuple[date, date]:
        last = (now or self._now()).astimezone(local_zone()).date()
        return last - timedelta(days=RANGES[self.range_index][1]), last

    def range_label(self) -> str:
        first, last = self.date_range(self.loaded_at)
        return t(f"hq.range.{RANGES[self.range_index][0]}", first=first.strftime("%m-%d"),
                 last=last.strftime("%m-%d"))

    # ── loading ────────────────────────────────────────────────────────────

    def load(self, quiet: bool = False) -> None:
        """Read the queue again; ``quiet`` (a live refresh) keeps the status
        line and tells of a failure there only."""
        self.loading = True
        self._load_started = time.monotonic()
        if not quiet:
            self.render_status()
        now = self._now()
        first, last = self.date_range(now)
        self.fetch(now, first, last, self.team, quiet)

    @work(thread=True, exclusive=True, group="queue")
    def fetch(self, now: datetime, first: date, last: date, team: str | None,
              quiet: bool) -> None:
        from cscterm.services import handover

        worker = get_current_worker()
        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                queue = handover.lead_queue(session, ws.actor, first=first, last=last, team=team,
                                            now=now)
                teams = self._item_teams(session, ws.actor, queue, team)
        except DomainError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as a line, never a traceback
            error = t("hq.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")
        else:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._loaded, queue, teams, now)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._failed, error, quiet)

    def _item_teams(self, session: Any, actor: Any, queue: LeadQueue,
                    team: str | None) -> dict[int, str]:
        """The team of each listed note (by note id), for the Team column."""
        known = {row.id: row.team for row in queue.shifts} | {row.id: row.team for row in queue.late}
        for item in [*queue.overdue, *queue.rolled]:
            known[item.handover_id] = item.team
        return known

    def _loaded(self, queue: LeadQueue, teams: dict[int, str], now: datetime) -> None:
        self.grace = queue.grace
        self.loading = False
        self.error = ""
        self.queue = queue
        self.teams = list(queue.teams)
        self.item_teams = teams
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

    def render_header(self) -> None:
        team = one_line(self.team, 30) if self.team else t("hq.all_teams")
        title = t("hq.title", team=team, range=self.range_label())
        self.query_one("#hq-title", Label).update(Content(title).stylize("bold"))
        queue = self.queue
        tabs = []
        for n, view in enumerate(VIEWS, 1):
            count = len(getattr(queue, view)) if queue is not None else None
            label = t(f"hq.tab.{view}" if not self.has_class("-wide") else f"hq.view.{view}")
            tab = Content(f" {n} {label} ")
            if count is not None:
                style = "$text-muted"
                if count and view in ("late", "overdue"):
                    style = "bold $error"
                elif count and view == "rolled":
                    style = "bold $warning"
                shown = f"{count}+" if count >= self.limit else str(count)
                tab += Content(f"{shown} ").stylize(style)
            if view == self.view:
                tab = tab.stylize("bold reverse")
            tabs.append(tab.stylize(f"@click=screen.view('{view}')"))
        self.query_one("#hq-tabs", Static).update(Content("│").stylize("$text-muted").join(tabs))

    def render_status(self) -> None:
        status = self.query_one("#hq-status", Static)
        if self.loading:
            status.update(Content(t("hq.loading")).stylize("$text-muted"))
            return
        if self.error:
            status.update(Content(self.error).stylize("$error"))
            return
        if not self.shown:
            style = "$text-muted" if self.view == "shifts" else "$success"
            status.update(Content(t(f"hq.empty.{self.view}")).stylize(style))
            return
        count = len(self.shown)
        text = t(f"hq.status.{self.view}", count=count, grace=_span(self.grace))
        if count >= self.limit:
            text += " · " + t("hq.capped", limit=self.limit)
        key, reverse = self.sort[self.view]
        sort = t("hq.sorted", column=t(f"hq.col.{key}"), dir="↓" if reverse else "↑")
        status.update(Content.assemble(Content(text), Content(f"   {sort}").stylize("$text-muted")))

    def _layout_key(self) -> tuple[object, ...]:
        return (self.has_class("-wide"), self.size.width)

    def _columns(self) -> list[Column]:
        return [c for c in COLUMNS[self.view] if not (c.key == "team" and self.team)]

    def render_view(self) -> None:
        """Rebuild the table for the current view, keeping the highlighted row."""
        self.render_header()
        table = self.query_one(DataTable)
        if self._built_for[2:] == (self.view,):
            previous = self._row_key(table.cursor_row)
        else:  # another view: back to the row last highlighted there
            previous = self.remembered.get(self.view)
        queue = self.queue
        rows: list[Any] = list(getattr(queue, self.view)) if queue is not None else []
        self.shown = self._sorted(rows)
        wide = self.has_class("-wide")
        columns = self._columns()
        now = self.loaded_at or self._now()
        cells = [self._cells(row, now, wide) for row in self.shown]
        key, reverse = self.sort[self.view]
        labels = {c.key: c.label + ((" ↓" if reverse else " ↑") if c.key == key else "")
                  for c in columns}
        widths = {c.key: max([cell_len(labels[c.key])] + [r[c.key].cell_len for r in cells])
                  for c in columns if not c.flex}
        # Whatever the fixed columns leave (each cell has one space either side;
        # one column for the scrollbar) goes to the flexible one, if any.
        spare = (table.size.width or self.size.width) - 1 - 2 * len(columns) - sum(widths.values())
        for column in columns:
            if column.flex:
                widths[column.key] = max(spare, FLEX_MIN)
        table.clear(columns=True)
        for column in columns:
            label = Text(labels[column.key], justify="right" if column.right else "left")
            table.add_column(label, key=column.key, width=widths[column.key])
        for row, row_cells in zip(self.shown, cells, strict=True):
            values = []
            for column in columns:
                cell = row_cells[column.key]
                if column.flex and cell.cell_len > widths[column.key]:
                    cell.truncate(widths[column.key], overflow="ellipsis")
                if column.right:
                    cell.justify = "right"
                values.append(cell)
            table.add_row(*values, key=self._key_of(row))
        if self.shown:
            keys = [self._key_of(r) for r in self.shown]
            table.move_cursor(row=keys.index(previous) if previous in keys else 0)
        self._built_for = (*self._layout_key(), self.view)
        self.render_status()
        self.refresh_bindings()

    def _key_of(self, row: Any) -> str:
        return f"{'i' if self.view in ITEM_VIEWS else 'n'}{row.id}"

    def _row_key(self, index: int) -> str | None:
        if 0 <= index < len(self.shown):
            return self._key_of(self.shown[index])
        return None

    # ── cells ──────────────────────────────────────────────────────────────

    def _colour(self, name: str) -> Style:
        value = self.app.theme_variables.get(name)  # the theme's $success, $warning, $error
        fallback = {"success": "green", "warning": "yellow", "error": "red"}.get(name, "default")
        try:
            return Style(color=value or fallback)
        except Exception:  # noqa: BLE001 - a theme value rich cannot read
            return Style(color=fallback)

    def _owner(self, item: ItemView, width: int) -> Text:
        if item.owner:
            return _cell(item.owner, width)
        return _cell(t("hq.unowned"), width, "italic dim")

    def _cells(self, row: Any, now: datetime, wide: bool) -> dict[str, Text]:
        caps = {c.key: c.wide if wide else c.narrow for c in COLUMNS[self.view]}

        def w(key: str) -> int:
            return caps.get(key, 12)

        error, warning = self._colour("error"), self._colour("warning")
        if self.view == "late":
            note: HandoverRow = row
            start = _aware(note.to_shift_start)
            acked_at = _aware(note.acked_at)
            if acked_at is not None:
                when = _when(acked_at, "%m-%d %H:%M" if wide else "%H:%M")
                who = _cut(note.acked_by or "?", w("acked") - len(when) - 1)
                acked = _cell(f"{who} {when}", w("acked"))
                late = _cell(f"+{_span(acked_at - start)}" if start else "—", w("late"), warning)
            else:
                acked = _cell(t("hq.not_yet"), w("acked"), error + Style(bold=True))
                late = _cell(f"+{_span(now - start)}" if start else "—", w("late"), error)
            return {
                "shift": _cell(f"{note.shift_date if wide else note.shift_date[5:]} "
                               f"{one_line(note.shift_name)}", w("shift")),
                "team": _cell(note.team, w("team")),
                "author": _cell(note.author, w("author")),
                "to": _cell(self._to(note, wide), w("to")),
                "submitted": _cell(_when(_aware(note.submitted_at)), w("submitted")),
                "acked": acked,
                "late": late,
            }
        if self.view in ITEM_VIEWS:
            item: ItemView = row
            due = _aware(item.due_at)
            overdue = item.status == "open" and due is not None and due < now
            cells = {
                "reference": _cell(item.reference, w("reference"), Style(bold=True)),
                "situation": _cell(item.situation or "—", 400),
                "due": _cell(_when(due), w("due"), error if overdue else ""),
                "overdue": _cell(f"+{_span(now - due)}" if overdue and due else "—",
                                 w("overdue"), error),
                "owner": self._owner(item, w("owner")),
                "team": _cell(self.item_teams.get(item.handover_id, ""), w("team")),
            }
            if self.view == "rolled":
                cells["rolled"] = _cell(t("hq.rolled_n", count=item.rolled_count), w("rolled"),
                                        warning + Style(bold=True))
            return cells
        note = row
        overall = _cell(t(f"ho.overall.{note.overall}"), w("overall"),
                        self._colour(OVERALL_COLOUR.get(note.overall, "")) + Style(bold=True))
        start = _aware(note.to_shift_start)
        late_now = note.status == "submitted" and start is not None and now - start > self.grace
        state = _cell(t(f"ho.state.{note.status}"), w("state"),
                      error if late_now else ("dim" if note.status == "acknowledged" else ""))
        return {
            "date": _cell(note.shift_date if wide else note.shift_date[5:], w("date")),
            "shift": _cell(note.shift_name, w("shift")),
            "team": _cell(note.team, w("team")),
            "author": _cell(note.author, w("author")),
            "overall": overall,
            "state": state,
            "open": _cell(str(note.open_items), w("open"), "bold" if note.open_items else "dim"),
            "summary": _cell(note.summary or "—", 400),
        }

    @staticmethod
    def _to(note: HandoverRow, wide: bool) -> str:
        """The next shift without its date when that is the note's own date."""
        to = one_line(note.to)
        if to.startswith(note.shift_date + " "):
            return to[len(note.shift_date) + 1:]
        if not wide and len(to) > 11 and to[4] == "-" and to[7] == "-" and to[10] == " ":
            return to[5:]
        return to

    # ── sorting ────────────────────────────────────────────────────────────

    def _sort_value(self, key: str, row: Any) -> Any:
        now = self.loaded_at or self._now()
        text: Callable[[str], str] = str.casefold
        if self.view == "late":
            start = _aware(row.to_shift_start)
            if key == "late":
                end = _aware(row.acked_at) or now
                return (end - start).total_seconds() if start else None
            return {"shift": lambda: _aware(row.shift_start), "team": lambda: text(row.team),
                    "author": lambda: text(row.author),
                    "submitted": lambda: _aware(row.submitted_at),
                    "acked": lambda: _aware(row.acked_at)}[key]()
        if self.view in ITEM_VIEWS:
            return {"due": lambda: _aware(row.due_at), "rolled": lambda: row.rolled_count,
                    "owner": lambda: text(row.owner) if row.owner else None,
                    "team": lambda: text(self.item_teams.get(row.handover_id, "")),
                    "reference": lambda: text(row.reference)}[key]()
        return {"date": lambda: _aware(row.shift_start),
                "overall": lambda: OVERALL_RANK.get(row.overall, -1),
                "state": lambda: (row.status != "submitted", _aware(row.to_shift_start) or now),
                "open": lambda: row.open_items, "team": lambda: text(row.team),
                "author": lambda: text(row.author)}[key]()

    def _sorted(self, rows: list[Any]) -> list[Any]:
        """Rows by the view's sort; rows without a value (no owner, not yet
        acknowledged) last either way."""
        key, reverse = self.sort[self.view]
        valued = [(self._sort_value(key, r), r) for r in rows]
        present = [pair for pair in valued if pair[0] is not None]
        present.sort(key=lambda pair: pair[0], reverse=reverse)
        return [r for _, r in present] + [r for value, r in valued if value is None]

    # ── actions ────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reassign":
            return self.view in ITEM_VIEWS
        if action == "open":
            return True if self.shown else None
        return True

    @property
    def current(self) -> Any | None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.shown):
            return self.shown[table.cursor_row]
        return None

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_view(self, view: str) -> None:
        if view in VIEWS and view != self.view:
            self.remembered[self.view] = self._row_key(self.query_one(DataTable).cursor_row)
            self.view = view
            self.render_view()

    def action_next_view(self, step: int) -> None:
        self.action_view(VIEWS[(VIEWS.index(self.view) + step) % len(VIEWS)])

    def action_team(self) -> None:
        choices: list[str | None] = [None, *self.teams]
        at = choices.index(self.team) if self.team in choices else 0
        self.team = choices[(at + 1) % len(choices)]
        self.render_header()
        self.load()

    def action_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        self.loaded_at = None
        self.render_header()
        self.load()

    def action_sort(self) -> None:
        options = SORTS[self.view]
        keys = [k for k, _ in options]
        current = keys.index(self.sort[self.view][0]) if self.sort[self.view][0] in keys else -1
        for step in range(1, len(options) + 1):
            key, reverse = options[(current + step) % len(options)]
            if not (key == "team" and self.team):  # one team shown: nothing to sort
                break
        self.sort[self.view] = (key, reverse)
        self.render_view()

    def action_sort_reverse(self) -> None:
        key, reverse = self.sort[self.view]
        self.sort[self.view] = (key, not reverse)
        self.render_view()

    def action_reload(self) -> None:
        self.load()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.current
        if row is None:
            return
        if self.view in ITEM_VIEWS:
            self.open_note(row.handover_id, row.id)
        else:
            self.open_note(row.id, None)

    @work(thread=True, exclusive=True, group="note")
    def open_note(self, handover_id: int, item_id: int | None) -> None:
        from cscterm.services import handover

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                note = handover.get_handover(session, ws.actor, handover_id)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.call_from_thread(
                self.notify, t("hq.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}"),
                severity="error", markup=False)
            return
        self.app.call_from_thread(self.app.push_screen,
                                  NoteScreen(note, self.loaded_at or self._now(), self.grace, item_id))

    def action_reassign(self) -> None:
        item = self.current if self.view in ITEM_VIEWS else None
        if item is None:
            return

        def answered(login: str | None) -> None:
            if login:
                self.reassign(item, login)

        self.app.push_screen(ReassignForm(item), answered)

    @work(thread=True, group="write")
    def reassign(self, item: ItemView, login: str) -> None:
        from cscterm.services import handover

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                done = handover.reassign_item(session, ws.actor, item.id, item.version, login,
                                              now=self._now())
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10,
                                      markup=False)
            self.app.call_from_thread(self.load, True)
            return
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.call_from_thread(
                self.notify, t("hq.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}"),
                severity="error", markup=False)
            return
        owner = f"{one_line(done.owner)} ({one_line(done.owner_login)})" if done.owner_login else login
        self.app.call_from_thread(
            self.notify, t("hq.reassigned", ref=one_line(item.reference, 40), owner=owner),
            markup=False)
        self.app.call_from_thread(self.load, True)
