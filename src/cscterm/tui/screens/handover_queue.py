"""The lead's handover queue (交接班): where hand-off is being lost.

For one range of days and one team or all, four views over
:func:`cscterm.services.handover.lead_queue`: notes acknowledged late (or not
yet), open items past their due time, items rolled over three times or more,
and every shift's note with its status. Enter reads a note in full; on an
item, r gives it to someone else. Rows are sorted here (the service returns at
most a few hundred), so changing the sort never goes back to the database.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cscterm.errors import DomainError
from cscterm.i18n import t
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
    from cscterm.services.handover import HandoverRow, HandoverView, ItemView, LeadQueue

VIEWS = ("late", "overdue", "rolled", "shifts")
ITEM_VIEWS = ("overdue", "rolled")
OVERALL_COLOUR = {"normal": "success", "busy": "warning", "incident": "error"}
OVERALL_RANK = {"normal": 0, "busy": 1, "incident": 2}
# A long line is cut to its width in characters before it is cut to cells.
_cell = partial(cell, cut=True)


def _aware(moment: datetime | None) -> datetime | None:
    """Stored instants are UTC; a naive one is read as UTC, as local_time does."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=UTC)


def _cut(text: str, width: int) -> str:
    """``text`` on one line in at most ``width`` cells (Chinese takes two)."""
    return _cell(text, width).plain


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
                         Content(when_text(_aware(note.submitted_at)))),
    ]
    start = _aware(note.to_shift_start)
    acked_at = _aware(note.acked_at)
    if acked_at is not None:
        ack = Content.assemble(
            _field(t("hq.note.acked")),
            Content(t("hq.note.acked_value", who=one_line(note.acked_by) or "?",
                      when=when_text(acked_at))))
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
    facts = [Content(f"{t('hq.col.due')} {when_text(due)}")]
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
            Content(f"{mark} {one_line(comment.author)} {when_text(_aware(comment.created_at))}: ")
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
                yield Static(section(t("field.ho.summary")), classes="hq-note-section",
                             markup=False)
                yield Static(Content(printable(note.summary.strip()) or "—"), markup=False)
                yield Static(section(t("hq.note.items", count=len(note.items))),
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
                    yield Static(section(t("field.ho.watchouts")), classes="hq-note-section",
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


class LeadQueueScreen(LeadListScreen["LeadQueue"]):
    """The team lead's review of hand-offs (交接队列)."""

    CSS_PATH = "handover_queue.tcss"
    BINDINGS: ClassVar[list[BindingType]] = lead_bindings(
        "key.hq.", VIEWS, "team", reload="ctrl+r,R", back="escape", extra=[
            Binding("s", "sort", "key.hq.sort"),
            Binding("S", "sort_reverse", "key.hq.sort_reverse", show=False),
        ])
    PREFIX = "hq"
    VIEWS = VIEWS
    ROW_VIEWS = VIEWS
    GROUP = "team"
    ALL_GROUPS = "hq.all_teams"
    EMPTY_MUTED = ("shifts",)
    PAD_RIGHT = False
    FAILURE_TIMEOUT = None

    def __init__(self, now: datetime | None = None) -> None:
        from cscterm.services.handover import DEFAULT_ACK_GRACE, QUEUE_LIMIT

        super().__init__(now)
        self.grace = DEFAULT_ACK_GRACE  # later than this after the next shift began is late
        self.limit = QUEUE_LIMIT
        self.sort: dict[str, tuple[str, bool]] = {v: SORTS[v][0] for v in VIEWS}
        self.item_teams: dict[int, str] = {}  # note id → team (items do not carry it)

    def handovers_changed(self) -> None:
        """The database changed: read again quietly (see follow_change)."""
        self.follow_change(LIVE_INTERVAL)

    # ── loading ────────────────────────────────────────────────────────────

    def read(self, session: Any, actor: Any, first: date, last: date, group: str | None,
             now: datetime) -> LeadQueue:
        from cscterm.services import handover

        return handover.lead_queue(session, actor, first=first, last=last, team=group, now=now)

    def groups_in(self, data: LeadQueue) -> list[str]:
        return list(data.teams)

    @staticmethod
    def _item_teams(queue: LeadQueue) -> dict[int, str]:
        """The team of each listed note (by note id), for the Team column."""
        known = {row.id: row.team for row in queue.shifts} | {row.id: row.team for row in queue.late}
        for item in [*queue.overdue, *queue.rolled]:
            known[item.handover_id] = item.team
        return known

    def _loaded(self, data: LeadQueue, now: datetime) -> None:
        self.grace = data.grace
        self.item_teams = self._item_teams(data)
        super()._loaded(data, now)

    # ── painting ───────────────────────────────────────────────────────────

    def tab_label(self, view: str) -> str:
        return t(f"hq.tab.{view}" if not self.has_class("-wide") else f"hq.view.{view}")

    def tab_count(self, view: str) -> Content:
        if self.data is None:
            return Content("")
        count = len(getattr(self.data, view))
        style = "$text-muted"
        if count and view in ("late", "overdue"):
            style = "bold $error"
        elif count and view == "rolled":
            style = "bold $warning"
        shown = f"{count}+" if count >= self.limit else str(count)
        return Content(f"{shown} ").stylize(style)

    def status_text(self, count: int) -> str:
        return t(f"hq.status.{self.view}", count=count, grace=_span(self.grace))

    def status_tail(self) -> Content:
        key, reverse = self.sort[self.view]
        sort = t("hq.sorted", column=t(f"hq.col.{key}"), dir="↓" if reverse else "↑")
        return Content(f"   {sort}").stylize("$text-muted")

    def columns(self) -> list[Column]:
        return [c for c in COLUMNS[self.view] if not (c.key == "team" and self.group)]

    def column_label(self, column: Column) -> str:
        key, reverse = self.sort[self.view]
        arrow = (" ↓" if reverse else " ↑") if column.key == key else ""
        return super().column_label(column) + arrow

    def rows(self) -> list[Any]:
        return self._sorted(super().rows())

    def row_key(self, row: Any) -> str:
        return f"{'i' if self.view in ITEM_VIEWS else 'n'}{row.id}"

    # ── cells ──────────────────────────────────────────────────────────────

    def _owner(self, item: ItemView, width: int) -> Text:
        if item.owner:
            return _cell(item.owner, width)
        return _cell(t("hq.unowned"), width, "italic dim")

    def row_cells(self, row: Any, now: datetime, wide: bool) -> dict[str, Text]:
        caps = {c.key: c.wide if wide else c.narrow for c in COLUMNS[self.view]}

        def w(key: str) -> int:
            return caps.get(key, 12)

        error, warning = self._colour("error"), self._colour("warning")
        if self.view == "late":
            note: HandoverRow = row
            start = _aware(note.to_shift_start)
            acked_at = _aware(note.acked_at)
            if acked_at is not None:
                when = when_text(acked_at, "%m-%d %H:%M" if wide else "%H:%M")
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
                "submitted": _cell(when_text(_aware(note.submitted_at)), w("submitted")),
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
                "due": _cell(when_text(due), w("due"), error if overdue else ""),
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
        return super().check_action(action, parameters)

    def action_sort(self) -> None:
        options = SORTS[self.view]
        keys = [k for k, _ in options]
        current = keys.index(self.sort[self.view][0]) if self.sort[self.view][0] in keys else -1
        for step in range(1, len(options) + 1):
            key, reverse = options[(current + step) % len(options)]
            if not (key == "team" and self.group):  # one team shown: nothing to sort
                break
        self.sort[self.view] = (key, reverse)
        self.render_view()

    def action_sort_reverse(self) -> None:
        key, reverse = self.sort[self.view]
        self.sort[self.view] = (key, not reverse)
        self.render_view()

    def read_detail(self, session: Any, actor: Any, row: Any, view: str) -> HandoverView:
        from cscterm.services import handover

        return handover.get_handover(session, actor,
                                     row.handover_id if view in ITEM_VIEWS else row.id)

    def detail_screen(self, detail: HandoverView, row: Any, view: str) -> NoteScreen:
        return NoteScreen(detail, self.loaded_at or self._now(), self.grace,
                          row.id if view in ITEM_VIEWS else None)

    def reassign_form(self, row: Any | None) -> ReassignForm | None:
        return ReassignForm(row) if row is not None and self.view in ITEM_VIEWS else None

    def reassign_in(self, session: Any, actor: Any, row: ItemView, login: str) -> str:
        from cscterm.services import handover

        done = handover.reassign_item(session, actor, row.id, row.version, login, now=self._now())
        owner = f"{one_line(done.owner)} ({one_line(done.owner_login)})" if done.owner_login else login
        return t("hq.reassigned", ref=one_line(row.reference, 40), owner=owner)

    def reassign_failed(self, exc: Exception) -> None:
        """A refusal is told and the queue read again; anything else is told."""
        if isinstance(exc, DomainError):
            super().reassign_failed(exc)
        else:
            self.report(exc)
