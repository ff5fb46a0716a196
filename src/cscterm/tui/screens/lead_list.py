"""What a lead's review screen is made of, whatever it reviews.

For one range of days (g cycles) and one group — a team, a queue — or all
(t cycles), a screen reads its service once in a worker and shows the result
in several views (number keys, Tab): a title, one tab a view, a status line
and a table of rows, from which Enter opens a row in full and r gives it to
someone else. It reads again when the database changes (quietly, at most
every LIVE_INTERVAL seconds) and keeps the highlighted row of each view.

A screen names its views, its texts and widgets (``PREFIX``), how its group is
called, and gives the parts that are its own: the read, the rows and their
cells, the detail and the reassignment.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, ClassVar, Generic, TypeVar

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.widgets import DataTable, Footer, Label, Static
from textual.worker import get_current_worker

from cscterm.errors import DomainError
from cscterm.i18n import t
from cscterm.text import local_time, local_zone, one_line
from cscterm.tui.localise import localise_bindings

RANGES = (("today", 0), ("week", 6), ("month", 30))  # name, days before today
DEFAULT_RANGE = 1  # the last 7 days: yesterday's misses are still news at a shift change
FLEX_MIN = 10  # a flexible column never gets narrower than this
LIVE_INTERVAL = 5.0  # seconds between reads when the database keeps changing

LoadedT = TypeVar("LoadedT")


def when_text(moment: datetime | None, fmt: str = "%m-%d %H:%M") -> str:
    """A stored instant in local time, or a dash."""
    return local_time(moment, fmt) if moment else "—"


def cell(text: str, width: int | None = None, style: str | Style = "", *,
         cut: bool = False) -> Text:
    """One line of (user) text as a literal table cell, cut to ``width`` cells
    (``cut``: the line is first cut to ``width`` characters)."""
    line = Text(one_line(text, width if cut else None), style=style, end="", no_wrap=True)
    if width is not None and line.cell_len > width:
        line.truncate(width, overflow="ellipsis")
    return line


def section(title: str) -> Content:
    """A heading inside a dialog."""
    return Content(title).stylize("bold $text-primary")


@dataclass(frozen=True)
class Column:
    key: str
    narrow: int  # widest cell under 110 columns
    wide: int  # and from 110 columns on
    flex: bool = False  # takes the width the others leave
    right: bool = False


def lead_bindings(keys: str, views: Sequence[str], group: str, *,
                  extra: Sequence[BindingType] = (), reload: str, back: str) -> list[BindingType]:
    """A lead screen's keys, described by ``keys`` + a name (``"key.hq."`` +
    ``"open"``): Tab and the number keys switch views, Enter opens, r
    reassigns, t cycles the ``group``, g the range, then ``extra``, reload
    and back."""
    return [
        Binding("tab", "next_view(1)", f"{keys}view", show=False),
        Binding("shift+tab", "next_view(-1)", f"{keys}view_prev", show=False),
        *(Binding(str(n), f"view('{view}')", f"{keys}{view}", show=False)
          for n, view in enumerate(views, 1)),
        Binding("enter", "open", f"{keys}open", priority=True),
        Binding("r", "reassign", f"{keys}reassign"),
        Binding("t", "group", f"{keys}{group}"),
        Binding("g", "range", f"{keys}range"),
        *extra,
        Binding(reload, "reload", f"{keys}reload"),
        Binding(back, "back", "key.back"),
    ]


class LeadListScreen(Screen[None], Generic[LoadedT]):
    """A lead's views over one read of a service; ``data`` is that read."""

    PREFIX: ClassVar[str]  # texts (``hq.title``) and widget ids (``#hq-table``)
    VIEWS: ClassVar[tuple[str, ...]]  # in number-key order; the first is shown first
    ROW_VIEWS: ClassVar[tuple[str, ...]]  # the views listed in the table
    GROUP: ClassVar[str]  # what the title calls the group: ``{team}``
    ALL_GROUPS: ClassVar[str]  # the text for no group chosen
    EMPTY_MUTED: ClassVar[tuple[str, ...]] = ()  # views whose emptiness is no good news
    KEEP_STATUS_WHILE_LOADING: ClassVar[bool] = False  # only the first read says "Loading…"
    PAD_RIGHT: ClassVar[bool] = True  # right-aligned cells padded (else justified)
    FAILURE_TIMEOUT: ClassVar[float | None] = 10  # how long a failure stays told

    def __init__(self, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.limit = 0  # the service lists at most this many of each
        self.view = self.VIEWS[0]
        self.group: str | None = None
        self.range_index = DEFAULT_RANGE
        self.data: LoadedT | None = None
        self.groups: list[str] = []
        self.loaded_at: datetime | None = None  # the "now" the rows were judged at
        self.loading = False
        self.error = ""
        self.shown: list[Any] = []  # the current view's rows, as shown
        self.remembered: dict[str, str | None] = {}  # view → row last highlighted there
        self._built_for: tuple[object, ...] = ()
        self._load_started = 0.0
        self._live_timer: Timer | None = None

    # ── what a screen gives ────────────────────────────────────────────────

    def read(self, session: Any, actor: Any, first: date, last: date, group: str | None,
             now: datetime) -> LoadedT:
        """The service's answer for the range and group (in a worker)."""
        raise NotImplementedError

    def groups_in(self, data: LoadedT) -> list[str]:
        """The groups t cycles through."""
        raise NotImplementedError

    def columns(self) -> Sequence[Column]:
        """The table's columns in the current view."""
        raise NotImplementedError

    def row_cells(self, row: Any, now: datetime, wide: bool) -> dict[str, Text]:
        """A row's cells by column key."""
        raise NotImplementedError

    def read_detail(self, session: Any, actor: Any, row: Any, view: str) -> Any:
        """What Enter shows of ``row``, listed in ``view`` (in a worker)."""
        raise NotImplementedError

    def detail_screen(self, detail: Any, row: Any, view: str) -> Screen[Any]:
        """The dialog that shows ``detail``."""
        raise NotImplementedError

    def reassign_form(self, row: Any | None) -> ModalScreen[str | None] | None:
        """The dialog asking for ``row``'s new owner, or None (and why) when
        it cannot be reassigned."""
        raise NotImplementedError

    def reassign_in(self, session: Any, actor: Any, row: Any, login: str) -> str:
        """Give ``row`` to ``login`` (in a worker); what to tell of it."""
        raise NotImplementedError

    def compose_summary(self) -> Iterable[Widget]:
        """Widgets between the title and the tabs."""
        return ()

    def compose_aside(self) -> Iterable[Widget]:
        """Widgets under the table (shown by the views that are not rows)."""
        return ()

    def render_summary(self) -> None:
        """Paint what compose_summary yields."""

    def render_aside(self) -> None:
        """Paint a view that is not listed in the table."""

    def view_status(self) -> Content | None:
        """The status line of a view that is not listed in the table."""
        return None

    def tab_count(self, view: str) -> Content:
        """What a view's tab shows after its name."""
        return Content("")

    def status_text(self, count: int) -> str:
        return t(f"{self.PREFIX}.status.{self.view}", count=count)

    def status_tail(self) -> Content:
        """What the status line shows after the count."""
        return Content("")

    def rows(self) -> list[Any]:
        """The current view's rows, in the order shown."""
        return list(getattr(self.data, self.view)) if self.data is not None else []

    def row_key(self, row: Any) -> str:
        return str(row.id)

    def column_label(self, column: Column) -> str:
        return t(f"{self.PREFIX}.col.{column.key}")

    # ── layout ─────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        prefix = self.PREFIX
        yield Label(id=f"{prefix}-title", markup=False)
        yield from self.compose_summary()
        yield Static(id=f"{prefix}-tabs", markup=False)
        yield Static(id=f"{prefix}-status", markup=False)
        yield DataTable(id=f"{prefix}-table", cursor_type="row", zebra_stripes=True)
        yield from self.compose_aside()
        yield Footer()

    @property
    def table(self) -> DataTable[Any]:
        return self.query_one(f"#{self.PREFIX}-table", DataTable)

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, lambda _theme: self.render_view())
        live = getattr(self.app, "live_views", None)
        if live is not None:
            live.add(self)
        self.render_header()
        self.table.focus()
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

    def follow_change(self, interval: float) -> None:
        """The database changed (the App watches it): read again quietly, at
        most every ``interval`` seconds however busy the centre is."""
        if self._live_timer is not None or not self.is_attached:
            return
        wait = interval - (time.monotonic() - self._load_started)
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
        if self.data is not None and self._layout_key() != self._built_for[:2]:
            self.render_view()

    # ── time, range and group ──────────────────────────────────────────────

    def _now(self) -> datetime:
        return self.fixed_now or datetime.now(UTC)

    def date_range(self, now: datetime | None = None) -> tuple[date, date]:
        last = (now or self._now()).astimezone(local_zone()).date()
        return last - timedelta(days=RANGES[self.range_index][1]), last

    def range_label(self) -> str:
        first, last = self.date_range(self.loaded_at)
        return t(f"{self.PREFIX}.range.{RANGES[self.range_index][0]}",
                 first=first.strftime("%m-%d"), last=last.strftime("%m-%d"))

    def group_label(self) -> str:
        return one_line(self.group, 30) if self.group else t(self.ALL_GROUPS)

    # ── loading ────────────────────────────────────────────────────────────

    def load(self, quiet: bool = False) -> None:
        """Read again; ``quiet`` (a live refresh) keeps the status line and
        tells of a failure there only."""
        self.loading = True
        self._load_started = time.monotonic()
        if not quiet:
            self.render_status()
        now = self._now()
        first, last = self.date_range(now)
        self.fetch(now, first, last, self.group, quiet)

    @work(thread=True, exclusive=True, group="lead-list")
    def fetch(self, now: datetime, first: date, last: date, group: str | None,
              quiet: bool) -> None:
        worker = get_current_worker()
        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                data = self.read(session, ws.actor, first, last, group, now)
        except DomainError as exc:
            error = str(exc)
        except Exception as exc:  # noqa: BLE001 - shown as a line, never a traceback
            error = self.failure(exc)
        else:
            if not worker.is_cancelled:
                self.app.call_from_thread(self._loaded, data, now)
            return
        if not worker.is_cancelled:
            self.app.call_from_thread(self._failed, error, quiet)

    def failure(self, exc: Exception) -> str:
        """An unexpected failure, told in a line."""
        return t(f"{self.PREFIX}.failed",
                 error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")

    def report(self, exc: Exception, timeout: float | None = None) -> None:
        """Tell of a failure: a domain error as it reads, anything else as a
        failure (``timeout``: how long it stays, else the screen's own)."""
        message = str(exc) if isinstance(exc, DomainError) else self.failure(exc)
        self.notify(message, severity="error", timeout=timeout or self.FAILURE_TIMEOUT,
                    markup=False)

    def _loaded(self, data: LoadedT, now: datetime) -> None:
        self.loading = False
        self.error = ""
        self.data = data
        self.groups = self.groups_in(data)
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
        prefix = self.PREFIX
        title = t(f"{prefix}.title", **{self.GROUP: self.group_label()}, range=self.range_label())
        self.query_one(f"#{prefix}-title", Label).update(Content(title).stylize("bold"))
        self.render_summary()
        tabs = []
        for n, view in enumerate(self.VIEWS, 1):
            tab = Content(f" {n} {self.tab_label(view)} ") + self.tab_count(view)
            if view == self.view:
                tab = tab.stylize("bold reverse")
            tabs.append(tab.stylize(f"@click=screen.view('{view}')"))
        self.query_one(f"#{prefix}-tabs", Static).update(
            Content("│").stylize("$text-muted").join(tabs))

    def tab_label(self, view: str) -> str:
        return t(f"{self.PREFIX}.view.{view}")

    def render_status(self) -> None:
        prefix = self.PREFIX
        status = self.query_one(f"#{prefix}-status", Static)
        if self.loading and not (self.KEEP_STATUS_WHILE_LOADING and self.data is not None):
            status.update(Content(t(f"{prefix}.loading")).stylize("$text-muted"))
            return
        if self.error:
            status.update(Content(self.error).stylize("$error"))
            return
        special = self.view_status()
        if special is not None:
            status.update(special)
            return
        if not self.shown:
            style = "$text-muted" if self.view in self.EMPTY_MUTED else "$success"
            status.update(Content(t(f"{prefix}.empty.{self.view}")).stylize(style))
            return
        count = len(self.shown)
        text = self.status_text(count)
        if count >= self.limit:
            text += " · " + t(f"{prefix}.capped", limit=self.limit)
        status.update(Content.assemble(Content(text), self.status_tail()))

    def _layout_key(self) -> tuple[object, ...]:
        return (self.has_class("-wide"), self.size.width)

    def render_view(self) -> None:
        """Rebuild the current view, keeping the highlighted row."""
        self.render_header()
        if self.view in self.ROW_VIEWS:
            self.render_rows(self.table)
        else:
            self.render_aside()
        self._built_for = (*self._layout_key(), self.view)
        self.render_status()
        self.refresh_bindings()

    def render_rows(self, table: DataTable[Any]) -> None:
        if self._built_for[2:] == (self.view,):
            row = self.current
            previous = self.row_key(row) if row is not None else None
        else:  # another view: back to the row last highlighted there
            previous = self.remembered.get(self.view)
        self.shown = self.rows()
        wide = self.has_class("-wide")
        columns = self.columns()
        now = self.loaded_at or self._now()
        cells = [self.row_cells(row, now, wide) for row in self.shown]
        labels = {c.key: self.column_label(c) for c in columns}
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
            table.add_column(self._header(labels[column.key], column, widths[column.key]),
                             key=column.key, width=widths[column.key])
        for row, row_cells in zip(self.shown, cells, strict=True):
            values = []
            for column in columns:
                value = row_cells[column.key]
                if column.flex and value.cell_len > widths[column.key]:
                    value.truncate(widths[column.key], overflow="ellipsis")
                if column.right:
                    self._right(value, widths[column.key])
                values.append(value)
            table.add_row(*values, key=self.row_key(row))
        if self.shown:
            keys = [self.row_key(r) for r in self.shown]
            table.move_cursor(row=keys.index(previous) if previous in keys else 0)
        if not table.has_focus:
            table.focus()

    def _header(self, label: str, column: Column, width: int) -> Text:
        if not self.PAD_RIGHT:
            return Text(label, justify="right" if column.right else "left")
        text = Text(label)
        if column.right:
            text.align("right", width)
        return text

    def _right(self, value: Text, width: int) -> None:
        """Align a cell right, by padding (which holds on the cursor row) or
        by justifying it, as the screen chooses."""
        if self.PAD_RIGHT:
            value.align("right", width)
        else:
            value.justify = "right"

    # ── actions ────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("open", "reassign"):
            return True if self.view in self.ROW_VIEWS and self.shown else None
        return True

    @property
    def current(self) -> Any | None:
        if self.view not in self.ROW_VIEWS:
            return None
        table = self.table
        if 0 <= table.cursor_row < len(self.shown):
            return self.shown[table.cursor_row]
        return None

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_view(self, view: str) -> None:
        if view in self.VIEWS and view != self.view:
            if self.view in self.ROW_VIEWS:
                row = self.current
                self.remembered[self.view] = self.row_key(row) if row is not None else None
            self.view = view
            self.render_view()

    def action_next_view(self, step: int) -> None:
        views = self.VIEWS
        self.action_view(views[(views.index(self.view) + step) % len(views)])

    def action_group(self) -> None:
        choices: list[str | None] = [None, *self.groups]
        at = choices.index(self.group) if self.group in choices else 0
        self.group = choices[(at + 1) % len(choices)]
        self.render_header()
        self.load()

    def action_range(self) -> None:
        self.range_index = (self.range_index + 1) % len(RANGES)
        self.loaded_at = None
        self.render_header()
        self.load()

    def action_reload(self) -> None:
        self.load()

    @on(DataTable.RowSelected)
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table is not self.table:
            return
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.current
        if row is not None:
            self.open_detail(row, self.view)

    def _in_session(self, job: Callable[[Any, Any], Any],
                    failed: Callable[[Exception], None]) -> tuple[Any] | None:
        """``job(session, actor)``'s answer (in a worker); None when it fails,
        after ``failed`` is called with the error on the main thread."""
        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                return (job(session, ws.actor),)
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            self.app.call_from_thread(failed, exc)
            return None

    @work(thread=True, exclusive=True, group="lead-detail")
    def open_detail(self, row: Any, view: str) -> None:
        done = self._in_session(
            lambda session, actor: self.read_detail(session, actor, row, view), self.report)
        if done is not None:
            self.app.call_from_thread(self._show_detail, done[0], row, view)

    def _show_detail(self, detail: Any, row: Any, view: str) -> None:
        self.app.push_screen(self.detail_screen(detail, row, view))

    def action_reassign(self) -> None:
        row = self.current
        form = self.reassign_form(row)
        if form is None:
            return

        def answered(login: str | None) -> None:
            if login:
                self.reassign(row, login)

        self.app.push_screen(form, answered)

    @work(thread=True, group="lead-write")
    def reassign(self, row: Any, login: str) -> None:
        done = self._in_session(
            lambda session, actor: self.reassign_in(session, actor, row, login),
            self.reassign_failed)
        if done is not None:
            self.app.call_from_thread(self.notify, done[0], markup=False)
            self.app.call_from_thread(self.load, True)

    def reassign_failed(self, exc: Exception) -> None:
        """Tell why, and read again: someone may have changed the row."""
        self.report(exc, 10)
        self.load(True)
