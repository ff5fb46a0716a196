"""Shift handover (交接班): the inbox, the note editor and acknowledging.

The screen lists, top to bottom, what an agent at a shift change needs:
notes waiting for their acknowledgement, items they own, the team's open
items, their drafts and the team's recent notes; the pane on the right shows
the highlighted note or item in full. New notes arrive while it is open (the
App watches the database and tells the screen).
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from cscterm.errors import DomainError
from cscterm.i18n import t
from cscterm.text import local_time, one_line, printable
from cscterm.tui.autosave import DraftAutosave
from cscterm.tui.localise import localise_bindings
from cscterm.tui.screens.mode import InboxScreen
from cscterm.tui.widgets.prompt import TextPrompt
from cscterm.tui.widgets.script_list import fit

if TYPE_CHECKING:
    from cscterm.services.handover import HandoverRow, HandoverView, Inbox, ItemInput, ItemView
    from cscterm.services.worklog import ReminderView

OVERALL_STYLE = {"normal": "$success", "busy": "$warning", "incident": "$error"}


def clock() -> datetime:
    """The current instant (UTC). Screens read the time through here, so a
    test can stop the clock by replacing this function."""
    from cscterm.db.tables.core import utcnow

    return utcnow()


def _now() -> datetime:
    return clock()


def _when(moment: datetime | None) -> str:
    return local_time(moment, "%m-%d %H:%M") if moment else "—"


def _label(text: str, style: str = "bold $text-primary") -> Content:
    return Content(text).stylize(style)


# ── rendering a note or an item (plain Content: user text is never markup) ──


def item_lines(item: ItemView, n: int, now: datetime) -> list[Content]:
    status = t(f"ho.status.{item.status}")
    due = _when(item.due_at)
    head = Content.assemble(
        Content(f"{n}. "),
        Content(one_line(item.reference) or "—").stylize("bold"),
        Content(f"  {t('ho.due')} {due}"),
        Content(f"  {t('ho.owner')} {one_line(item.owner) or t('ho.next_shift')}"),
        Content(f"  {status}").stylize("$error" if item.overdue(now) else "$text-muted"),
    )
    if item.overdue(now):
        head = Content.assemble(head, Content(f"  {t('ho.overdue')}").stylize("bold $error"))
    if item.rolled_count:
        head = Content.assemble(
            head, Content(f"  {t('ho.rolled', count=item.rolled_count)}").stylize(
                "$warning" if item.rolled_count >= 3 else "$text-muted"))
    if item.ack:
        head = Content.assemble(head, Content(f"  {t('ho.ack.' + item.ack)}").stylize("$text-muted"))
    lines = [head]
    if item.situation:
        lines.append(Content.assemble(Content("   "), _label(t("field.ho.situation"), "$text-muted"),
                                      Content("  " + printable(item.situation))))
    if item.next_action:
        lines.append(Content.assemble(Content("   "), _label(t("field.ho.next_action"), "$text-muted"),
                                      Content("  " + printable(item.next_action))))
    for c in item.comments:
        lines.append(Content.assemble(
            Content(f"   {t('ho.comment.' + c.kind)} {one_line(c.author)} {_when(c.created_at)}: ").stylize(
                "$text-muted"),
            Content(printable(c.body))))
    return lines


def note_content(note: HandoverView, now: datetime) -> Content:
    overall = Content(f" {t('ho.overall.' + note.overall)} ").stylize(
        f"bold reverse {OVERALL_STYLE.get(note.overall, '$text')}")
    state = t(f"ho.state.{note.status}")
    lines: list[Content] = [
        Content.assemble(
            Content(f"{note.shift_date} {one_line(note.shift_name)} · {one_line(note.author)}").stylize("bold"),
            Content(f" → {one_line(note.addressed_to())}  "), overall, Content(f"  {state}")),
    ]
    facts = [f"{t('ho.team')} {one_line(note.team)}"]
    if note.submitted_at:
        facts.append(f"{t('ho.submitted')} {_when(note.submitted_at)}")
    if note.acked_at:
        facts.append(f"{t('ho.acked_by', who=one_line(note.acked_by))} {_when(note.acked_at)}")
    lines.append(Content("   ".join(facts)).stylize("$text-muted"))
    if note.synthesis:
        lines.append(Content.assemble(_label(t("field.ho.synthesis")),
                                      Content("  " + printable(note.synthesis))))
    lines += [Content(""), _label(t("field.ho.summary")),
              Content(printable(note.summary) or "—"), Content("")]
    open_count = sum(1 for i in note.items if i.status in ("open", "draft"))
    lines.append(_label(t("ho.items", count=len(note.items), open=open_count)))
    if not note.items:
        lines.append(Content(t("ho.no_items")).stylize("$text-muted"))
    for n, item in enumerate(note.items, 1):
        lines += item_lines(item, n, now)
    if note.watchouts.strip():
        lines += [Content(""), _label(t("field.ho.watchouts")), Content(printable(note.watchouts))]
    return Content("\n").join(lines)


def row_prompt(row: HandoverRow, width: int = 36) -> Content:
    """``● 11-23 早班 wang   2 open`` in one line of ``width`` cells."""
    head = f"{row.shift_date[5:]} {fit(one_line(row.shift_name), 8)} "
    tail = f"  {t('ho.n_open', count=row.open_items)}"
    author = fit(one_line(row.author), max(width - 2 - cell_len(head) - cell_len(tail), 4))
    return Content.assemble(
        Content("● ").stylize(OVERALL_STYLE.get(row.overall, "$text")),
        Content(head), Content(author).stylize("bold"), Content(tail).stylize("$text-muted"),
    )


def _due_short(due: datetime | None, now: datetime) -> str:
    """``15:30`` today, ``11-25`` another day (the detail pane has both)."""
    if due is None:
        return "--:--"
    if local_time(due, "%Y-%m-%d") == local_time(now, "%Y-%m-%d"):
        return local_time(due, "%H:%M")
    return local_time(due, "%m-%d")


def item_prompt(item: ItemView, now: datetime, width: int = 36) -> Content:
    """``⚠ 15:30 订单 8812 回电王女士`` in one line of ``width`` cells."""
    due = _due_short(item.due_at, now)
    style = "bold $error" if item.overdue(now) else ("$warning" if item.due_soon(now) else "")
    mark = "⚠ " if item.overdue(now) else "  "
    reference = fit(one_line(item.reference), 16)
    room = max(width - cell_len(mark + due) - cell_len(reference) - 2, 4)
    return Content.assemble(
        Content(mark + due).stylize(style) if style else Content(mark + due),
        Content(" "), Content(reference).stylize("bold"),
        Content(" " + fit(one_line(item.next_action or item.situation), room)),
    )


# ── the inbox ─────────────────────────────────────────────────────────────


class HandoverScreen(InboxScreen):
    MODE = "handover"
    PREFIX = "ho"
    CSS_PATH = "handover.tcss"
    AUTO_FOCUS = "#ho-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("w", "write", "key.ho.write"),
        Binding("a", "acknowledge", "key.ho.ack"),
        Binding("d", "done", "key.ho.done"),
        Binding("h", "hand_on", "key.ho.hand_on"),
        Binding("m", "comment", "key.ho.comment"),
        Binding("slash", "search", "key.ho.search"),
        Binding("L", "queue", "key.ho.queue"),
        Binding("ctrl+r", "reload", "key.ho.reload", show=False),
        Binding("escape", "clear_search", "key.back", show=False),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
    ]

    def __init__(self, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.inbox: Inbox | None = None
        self.search_query = ""
        self.search_rows: list[HandoverRow] = []
        self.entries: list[tuple[str, object]] = []  # ("note", HandoverRow) / ("item", ItemView)
        self.current: HandoverView | None = None
        self.current_item: ItemView | None = None
        self.loaded_version = 0

    def now(self) -> datetime:
        return self.fixed_now or _now()

    # loading ─────────────────────────────────────────────────────────────

    def handovers_changed(self) -> None:
        """The App saw the database change: read the lists again."""
        self.reload()

    @work(thread=True, exclusive=True, group="ho-inbox")
    def reload(self) -> None:
        from cscterm.services import handover

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                inbox = handover.inbox(session, ws.actor, now=self.now())
                found = (handover.search_history(session, ws.actor, self.search_query)
                         if self.search_query else [])
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._loaded, inbox, found)

    def _loaded(self, inbox: Inbox, found: list[HandoverRow]) -> None:
        if not self.is_mounted:
            return
        self.inbox = inbox
        self.search_rows = found
        self.render_list()
        self.loaded_version += 1

    def render_list(self) -> None:
        if self.inbox is None:
            return
        now = self.now()
        listing = self.query_one("#ho-list", OptionList)
        keep = self.selected_key()
        options: list[Option] = []
        self.entries = []

        def section(title: str, count: int) -> None:
            options.append(Option(_label(f"{title} ({count})", "bold $accent"), disabled=True))
            self.entries.append(("header", None))

        def rows(kind: str, values: list, prompt) -> None:  # type: ignore[no-untyped-def]
            for value in values:
                options.append(Option(prompt(value), id=f"{kind}:{value.id}:{len(self.entries)}"))
                self.entries.append((kind, value))

        inbox = self.inbox
        width = max(listing.scrollable_content_region.width - 1, 24)

        def note_row(row: HandoverRow) -> Content:
            return row_prompt(row, width)

        def item_row(item: ItemView) -> Content:
            return item_prompt(item, now, width)

        if self.search_query:
            section(t("ho.sec.search", query=one_line(self.search_query, 20)), len(self.search_rows))
            rows("note", self.search_rows, note_row)
        section(t("ho.sec.waiting"), len(inbox.to_acknowledge))
        rows("note", inbox.to_acknowledge, note_row)
        section(t("ho.sec.mine"), len(inbox.my_items))
        rows("item", inbox.my_items, item_row)
        mine = {i.id for i in inbox.my_items}
        team = [i for i in inbox.team_items if i.id not in mine]
        section(t("ho.sec.team"), len(team))
        rows("item", team, item_row)
        if inbox.drafts:
            section(t("ho.sec.drafts"), len(inbox.drafts))
            rows("draft", inbox.drafts, note_row)
        section(t("ho.sec.recent"), len(inbox.recent))
        rows("note", inbox.recent, note_row)
        listing.set_options(options)
        index = next((n for n, (kind, value) in enumerate(self.entries)
                      if kind != "header" and (kind, getattr(value, "id", None)) == keep), None)
        if index is None:
            index = next((n for n, (kind, _v) in enumerate(self.entries) if kind != "header"), None)
        if index is not None:
            listing.highlighted = index
        else:
            self.current = self.current_item = None
            self.query_one("#ho-text", Static).update(t("ho.nothing"))
        waiting = len(inbox.to_acknowledge)
        overdue = sum(1 for i in inbox.my_items if i.overdue(now))
        self.query_one("#ho-status", Static).update(
            t("ho.status_line", waiting=waiting, mine=len(inbox.my_items), overdue=overdue))

    def selected_key(self) -> tuple[str, int | None] | None:
        chosen = self.highlighted_entry()
        if chosen is None:
            return None
        kind, value = chosen
        return (kind, getattr(value, "id", None))

    def selected(self) -> tuple[str, object] | None:
        return self.highlighted_entry()

    @on(OptionList.OptionHighlighted, "#ho-list")
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        chosen = self.selected()
        if chosen is None or chosen[0] == "header":
            return
        kind, value = chosen
        note_id = value.handover_id if kind == "item" else value.id  # type: ignore[attr-defined]
        self.load_note(note_id, value.id if kind == "item" else None)  # type: ignore[attr-defined]

    @on(OptionList.OptionSelected, "#ho-list")
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        kind, value = chosen
        if kind == "draft":
            self.action_write()
        elif kind == "note" and self.current is not None and self.may_acknowledge():
            self.action_acknowledge()
        else:
            self.query_one("#ho-detail").focus()

    @work(thread=True, exclusive=True, group="ho-note")
    def load_note(self, note_id: int, item_id: int | None) -> None:
        from cscterm.services import handover

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                note = handover.get_handover(session, ws.actor, note_id)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.app.call_from_thread(self._note_loaded, note, item_id)

    def _note_loaded(self, note: HandoverView, item_id: int | None) -> None:
        if not self.is_mounted:
            return
        self.current = note
        self.current_item = next((i for i in note.items if i.id == item_id), None)
        self.show_current()

    def show_current(self) -> None:
        if self.current is None:
            return
        now = self.now()
        text = note_content(self.current, now)
        if self.current_item is not None:
            n = next(n for n, i in enumerate(self.current.items, 1) if i.id == self.current_item.id)
            focus = Content("\n").join(item_lines(self.current_item, n, now))
            text = Content.assemble(_label(t("ho.this_item"), "bold $accent"), Content("\n"), focus,
                                    Content("\n\n"), Content("─" * 30).stylize("$text-muted"),
                                    Content("\n"), text)
        self.query_one("#ho-text", Static).update(text)

    def may_acknowledge(self) -> bool:
        from cscterm.services.handover import may_acknowledge

        ws = self.app.ws  # type: ignore[attr-defined]
        return self.current is not None and ws is not None and may_acknowledge(ws.actor, self.current)

    # actions ─────────────────────────────────────────────────────────────

    def action_write(self) -> None:
        if self.app.ws is None:  # type: ignore[attr-defined]
            return
        chosen = self.selected()
        note_id = chosen[1].id if chosen and chosen[0] == "draft" else None  # type: ignore[union-attr]
        self.open_editor(note_id)

    @work(thread=True, exclusive=True, group="ho-open")
    def open_editor(self, note_id: int | None) -> None:
        from cscterm.services import drafts, handover

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                if note_id is None:
                    note = handover.start_handover(session, ws.actor, now=self.now())
                else:
                    note = handover.get_handover(session, ws.actor, note_id)
                saved = next((d for d in drafts.pending(session, ws.actor, "handover")
                              if d.ref == str(note.id)), None)
                reminders = _open_reminders(session, ws.actor, self.now()) if note_id is None else []
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        draft = saved.payload if saved is not None and saved.updated_at > note.updated_at else None
        self.app.call_from_thread(self._open_editor, note, draft, reminders)

    def _open_editor(self, note: HandoverView, draft: dict[str, object] | None,
                     reminders: list[ReminderView] | None = None) -> None:
        editor = HandoverEditor(note, draft=draft, now=self.fixed_now)
        self.app.push_screen(editor, lambda _result: self.reload())
        if reminders:
            offer_reminders(editor, reminders)

    def action_acknowledge(self) -> None:
        if self.current is None:
            return
        if not self.may_acknowledge():
            note = self.current
            if note.status == "acknowledged":
                message = t("ho.already_acked", who=one_line(note.acked_by), when=_when(note.acked_at))
            else:
                message = t("ho.not_yours", to=one_line(note.addressed_to()))
            self.notify(message, severity="warning", markup=False)
            return
        self.app.push_screen(AckScreen(self.current, now=self.fixed_now),
                             lambda _done: self.reload())

    def _item_or_warn(self) -> ItemView | None:
        chosen = self.selected()
        if chosen is None or chosen[0] != "item":
            self.notify(t("ho.pick_item"), severity="warning", markup=False)
            return None
        return chosen[1]  # type: ignore[return-value]

    def action_done(self) -> None:
        item = self._item_or_warn()
        if item is None:
            return

        def answered(note: str | None) -> None:
            if note:
                self.item_action("done", item, note, "")

        self.app.push_screen(TextPrompt(t("ho.ask.done", ref=one_line(item.reference, 30)),
                                        placeholder=t("ho.ask.done_hint")), answered)

    def action_hand_on(self) -> None:
        item = self._item_or_warn()
        if item is None:
            return

        def to_chosen(to: str | None) -> None:
            if to is None:
                return

            def noted(note: str | None) -> None:
                if note is not None:
                    self.item_action("hand_on", item, note, to)

            self.app.push_screen(TextPrompt(t("ho.ask.hand_on_note"), allow_empty=True), noted)

        self.app.push_screen(TextPrompt(t("ho.ask.hand_on", ref=one_line(item.reference, 30)),
                                        placeholder=t("ho.ask.hand_on_hint"), allow_empty=True),
                             to_chosen)

    def action_comment(self) -> None:
        item = self._item_or_warn()
        if item is None:
            return

        def answered(body: str | None) -> None:
            if body:
                self.item_action("comment", item, body, "")

        self.app.push_screen(TextPrompt(t("ho.ask.comment", ref=one_line(item.reference, 30))),
                             answered)

    @work(thread=True, group="ho-item")
    def item_action(self, kind: str, item: ItemView, text: str, to: str) -> None:
        from cscterm.services import handover

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                if kind == "done":
                    handover.complete_item(session, ws.actor, item.id, item.version, text)
                elif kind == "hand_on":
                    handover.hand_on_item(session, ws.actor, item.id, item.version, text, to=to)
                else:
                    handover.add_comment(session, ws.actor, item.id, text)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, t(f"ho.did.{kind}"), markup=False)
        self.app.call_from_thread(self.reload)

    def action_search(self) -> None:
        def answered(query: str | None) -> None:
            if query:
                self.search_query = query
                self.reload()

        self.app.push_screen(TextPrompt(t("ho.ask.search"), value=self.search_query,
                                        placeholder=t("ho.ask.search_hint")), answered)

    def action_clear_search(self) -> None:
        if self.search_query:
            self.search_query = ""
            self.reload()
        elif self.query_one("#ho-detail").has_focus:
            self.query_one("#ho-list").focus()

    def action_queue(self) -> None:
        ws = self.app.ws  # type: ignore[attr-defined]
        if ws is None:
            return
        if not ws.actor.is_lead:
            self.notify(str(DomainError("err.not_allowed.lead_queue")), severity="warning",
                        markup=False)
            return
        from cscterm.tui.screens.handover_queue import LeadQueueScreen

        self.app.push_screen(LeadQueueScreen(now=self.fixed_now))


# ── the editor ────────────────────────────────────────────────────────────


def _open_reminders(session: object, actor: object, now: datetime) -> list[ReminderView]:
    """The writer's work-log reminders still open before the shift ends."""
    from cscterm.services import shifts, worklog

    end = shifts.slot_at(session, actor.team, now).end  # type: ignore[arg-type, attr-defined]
    return worklog.open_reminders(session, actor, until=end)  # type: ignore[arg-type]


def offer_reminders(editor: HandoverEditor, reminders: list[ReminderView]) -> None:
    """Offer open reminders as the note's open items; the ones taken are
    marked handed over (they stop firing for the writer)."""
    from cscterm.services.handover import ItemInput
    from cscterm.tui.widgets.confirm import Confirm

    def answered(yes: bool | None) -> None:
        if not yes:
            return
        for r in reminders:
            when = local_time(r.due_at, "%Y-%m-%d %H:%M")
            editor.items.append(ItemInput(
                reference=one_line(r.text, 120), next_action=t("ho.reminder_next"), due=when,
                situation=t("ho.reminder_situation", when=local_time(r.due_at, "%H:%M"))))
        editor.render_items()
        editor.run_worker(partial(_hand_over, editor, [r.id for r in reminders]), thread=True,
                          group="ho-reminders")

    editor.app.push_screen(Confirm(t("ho.reminders_offer", count=len(reminders)),
                                   t("ho.reminders_add"), t("draft.later")), answered)


def _hand_over(editor: HandoverEditor, ids: list[int]) -> None:
    from cscterm.services import worklog

    ws = editor.app.ws  # type: ignore[attr-defined]
    try:
        with ws.session() as session:
            worklog.hand_over_reminders(session, ws.actor, ids)
    except DomainError as exc:
        editor.app.call_from_thread(editor.notify, str(exc), severity="warning", markup=False)


class ItemForm(ModalScreen["ItemInput | None"]):
    """One open item: customer or order, situation, next action, due, owner."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+s", "save", "key.save"),
    ]
    FIELDS = ("reference", "situation", "next_action", "due", "owner")

    def __init__(self, item: ItemInput | None) -> None:
        super().__init__()
        localise_bindings(self)
        self.item = item

    def compose(self) -> ComposeResult:
        from cscterm.services.handover import ItemInput

        item = self.item or ItemInput()
        with Vertical(classes="dialog", id="ho-item-form"):
            yield Static(t("ho.item_form"), markup=False, classes="dialog-title")
            for name in self.FIELDS:
                # label beside its field: five fields fit in a 24-line terminal
                with Horizontal(classes="if-row"):
                    yield Static(t(f"ho.form.{name}"), markup=False, classes="if-label")
                    yield Input(printable(getattr(item, name)), id=f"if-{name}",
                                placeholder=t(f"ho.form.{name}_hint"), max_length=2000)
            yield Static(t("ho.form.hint"), markup=False, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#if-reference", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()
        if event.input.id == "if-owner":
            self.action_save()

    def action_save(self) -> None:
        from cscterm.services.handover import ItemInput

        values = {name: self.query_one(f"#if-{name}", Input).value for name in self.FIELDS}
        self.dismiss(ItemInput(origin_id=self.item.origin_id if self.item else None, **values))

    def action_cancel(self) -> None:
        self.dismiss(None)


class HandoverEditor(DraftAutosave, Screen["HandoverView | None"]):
    """Write the shift's note. Everything typed is autosaved every second as
    a draft (a dropped connection loses at most that); ctrl+s submits."""

    CSS_PATH = "handover.tcss"
    DRAFT_KIND = "handover"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "submit", "key.ho.submit"),
        Binding("ctrl+w", "save", "key.ho.save_draft"),
        Binding("ctrl+o", "add_item", "key.ho.add_item"),
        Binding("escape", "close", "key.back"),
    ]

    def __init__(self, note: HandoverView, *, draft: dict[str, object] | None = None,
                 now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.note = note
        self.fixed_now = now
        self.items: list[ItemInput] = [self._input_of(i) for i in note.items]
        self.draft = draft
        self._saved_state: tuple[object, ...] | None = None
        self._drafted_state: tuple[object, ...] | None = None

    @staticmethod
    def _input_of(item: ItemView) -> ItemInput:
        from cscterm.services.handover import ItemInput

        return ItemInput(reference=item.reference, situation=item.situation,
                         next_action=item.next_action,
                         due=local_time(item.due_at, "%Y-%m-%d %H:%M") if item.due_at else "",
                         owner=item.owner_login,
                         origin_id=item.origin_id)

    @property
    def draft_ref(self) -> str:
        return str(self.note.id)

    def compose(self) -> ComposeResult:
        note = self.note
        yield Static(Content.assemble(
            _label(f" {t('ho.editor_title')} ", "bold"),
            Content(f"{note.shift_date} {one_line(note.shift_name)} · {one_line(note.team)}"),
        ), id="ed-heading")
        with VerticalScroll(id="he-form"):
            with Horizontal(classes="ed-row"):
                yield Static(t("ho.form.overall"), classes="ed-label", markup=False)
                yield Select([(t(f"ho.overall.{o}"), o) for o in ("normal", "busy", "incident")],
                             value=note.overall, allow_blank=False, id="he-overall")
                yield Static(t("ho.form.to"), classes="ed-label", markup=False)
                yield Input(printable(note.to_user_login),
                            placeholder=t("ho.form.to_hint",
                                          shift=f"{note.to_shift_date[5:]} {note.to_shift_name}"),
                            id="he-to")
            yield Static(t("field.ho.summary"), classes="he-label", markup=False)
            yield TextArea(printable(note.summary), id="he-summary", soft_wrap=True)
            yield Static(id="he-items-label", classes="he-label", markup=False)
            yield OptionList(id="he-items", markup=False)
            yield Static(t("field.ho.watchouts"), classes="he-label", markup=False)
            yield TextArea(printable(note.watchouts), id="he-watchouts", soft_wrap=True)
        yield Footer()

    def on_mount(self) -> None:
        self._saved_state = self.state()
        if self.draft is not None:
            self.apply_draft(self.draft)
            self.notify(t("ho.draft_restored"), markup=False)
        self._drafted_state = self.state()
        self.render_items()
        self.query_one("#he-summary", TextArea).focus()
        self.set_interval(1.0, self.autosave)

    # state and drafts ────────────────────────────────────────────────────

    def state(self) -> tuple[object, ...]:
        return (
            self.query_one("#he-overall", Select).value,
            self.query_one("#he-to", Input).value,
            self.query_one("#he-summary", TextArea).text,
            self.query_one("#he-watchouts", TextArea).text,
            tuple(self.items),
        )

    def draft_payload(self) -> dict[str, object]:
        return {
            "overall": str(self.query_one("#he-overall", Select).value),
            "to": self.query_one("#he-to", Input).value,
            "summary": self.query_one("#he-summary", TextArea).text,
            "watchouts": self.query_one("#he-watchouts", TextArea).text,
            "items": [dict(reference=i.reference, situation=i.situation,
                           next_action=i.next_action, due=i.due, owner=i.owner,
                           origin_id=i.origin_id) for i in self.items],
        }

    def apply_draft(self, draft: dict[str, object]) -> None:
        from cscterm.services.handover import OVERALL, ItemInput

        if draft.get("overall") in OVERALL:
            self.query_one("#he-overall", Select).value = str(draft["overall"])
        self.query_one("#he-to", Input).value = printable(str(draft.get("to", "")))
        self.query_one("#he-summary", TextArea).text = printable(str(draft.get("summary", "")))
        self.query_one("#he-watchouts", TextArea).text = printable(str(draft.get("watchouts", "")))
        items = draft.get("items")
        if isinstance(items, list):
            restored = []
            for raw in items:
                if isinstance(raw, dict):
                    origin = raw.get("origin_id")
                    restored.append(ItemInput(
                        **{k: printable(str(raw.get(k, ""))) for k in
                           ("reference", "situation", "next_action", "due", "owner")},
                        origin_id=origin if isinstance(origin, int) else None))
            self.items = restored

    # items ───────────────────────────────────────────────────────────────

    def render_items(self) -> None:
        listing = self.query_one("#he-items", OptionList)
        options = []
        for n, item in enumerate(self.items, 1):
            rolled = (Content(f"  ↻{t('ho.rolled_short')}").stylize("$warning")
                      if item.origin_id is not None else Content(""))
            options.append(Option(Content.assemble(
                Content(f"{n}. "), Content(one_line(item.reference, 16) or "—").stylize("bold"),
                Content(f"  {one_line(item.due, 16) or '--:--'}  "),
                Content(one_line(item.next_action or item.situation, 40)), rolled)))
        options.append(Option(Content(t("ho.add_item")).stylize("$text-muted")))
        highlighted = listing.highlighted
        listing.set_options(options)
        if highlighted is not None:
            listing.highlighted = min(highlighted, len(options) - 1)
        self.query_one("#he-items-label", Static).update(
            t("ho.items_label", count=len(self.items)))

    @on(OptionList.OptionSelected, "#he-items")
    def _item_chosen(self, event: OptionList.OptionSelected) -> None:
        index = event.option_index
        if index >= len(self.items):
            self.action_add_item()
            return

        def edited(item: ItemInput | None) -> None:
            if item is not None:
                self.items[index] = item
                self.render_items()

        self.app.push_screen(ItemForm(self.items[index]), edited)

    def action_add_item(self) -> None:
        def added(item: ItemInput | None) -> None:
            if item is not None:
                self.items.append(item)
                self.render_items()
                self.query_one("#he-items", OptionList).highlighted = len(self.items) - 1

        self.app.push_screen(ItemForm(None), added)

    def key_delete(self) -> None:
        listing = self.query_one("#he-items", OptionList)
        if not listing.has_focus or listing.highlighted is None:
            return
        index = listing.highlighted
        if index < len(self.items):
            del self.items[index]
            self.render_items()

    # saving ──────────────────────────────────────────────────────────────

    def action_save(self) -> None:
        self.persist(commit=False, close=False)

    def action_submit(self) -> None:
        self.persist(commit=True, close=True)

    def store(self, session: Any, actor: Any, payload: dict[str, object]) -> HandoverView:
        from cscterm.services import handover

        return handover.save_draft(
            session, actor, self.note.id, self.note.version,
            overall=str(payload["overall"]), summary=str(payload["summary"]),
            watchouts=str(payload["watchouts"]), items=list(self.items),
            to_user=str(payload["to"]), now=self.fixed_now)

    def commit(self, session: Any, actor: Any, record: HandoverView) -> HandoverView:
        from cscterm.services import handover

        return handover.submit(session, actor, record.id, record.version, now=self.fixed_now)

    def adopt(self, record: HandoverView) -> None:
        self.note = record

    def persisted(self, record: HandoverView, committed: bool, close: bool) -> None:
        self.note = record
        self.notify(t("ho.submitted_to", to=one_line(record.addressed_to())) if committed
                    else t("ho.saved"), markup=False)
        if close:
            self.dismiss(record)


# ── acknowledging ─────────────────────────────────────────────────────────


class AckScreen(ModalScreen[bool]):
    """Take a note on: a one-line synthesis, and accept or question each item."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "key.ho.confirm_ack"),
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+y", "accept_all", "key.ho.accept_all"),
    ]

    def __init__(self, note: HandoverView, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.note = note
        self.fixed_now = now
        self.open_items = [i for i in note.items if i.status == "open"]
        self.decisions: dict[int, tuple[bool, str]] = {}

    def now(self) -> datetime:
        return self.fixed_now or _now()

    def compose(self) -> ComposeResult:
        note = self.note
        with Vertical(classes="dialog", id="ack-dialog"):
            yield Static(Content.assemble(
                _label(t("ho.ack_title"), "bold"),
                Content(f"  {note.shift_date} {one_line(note.shift_name)} · {one_line(note.author)}")),
                id="ack-title")
            yield Static(t("ho.ack_synthesis"), markup=False, classes="fill-label")
            yield Input(placeholder=t("ho.ack_synthesis_hint"), id="ack-synthesis", max_length=300)
            yield Static(t("ho.ack_items", count=len(self.open_items)), markup=False,
                         classes="fill-label")
            yield OptionList(id="ack-items", markup=False)
            yield Static(t("ho.ack_hint"), markup=False, classes="dialog-hint")

    def on_mount(self) -> None:
        self.render_items()
        self.query_one("#ack-synthesis", Input).focus()

    def render_items(self) -> None:
        listing = self.query_one("#ack-items", OptionList)
        keep = listing.highlighted
        options = []
        for item in self.open_items:
            decision = self.decisions.get(item.id)
            if decision is None:
                mark = Content("[ ] ").stylize("$text-muted")
            elif decision[0]:
                mark = Content("[✓] ").stylize("$success")
            else:
                mark = Content("[?] ").stylize("$warning")
            due = local_time(item.due_at, "%m-%d %H:%M") if item.due_at else "--"
            line = Content.assemble(mark, Content(due + " ").stylize(
                                        "$error" if item.overdue(self.now()) else "$text-muted"),
                                    Content(one_line(item.reference, 16)).stylize("bold"),
                                    Content("  " + one_line(item.next_action, 34)))
            if decision and not decision[0]:
                line = Content.assemble(line, Content(f"  ?{one_line(decision[1], 30)}").stylize(
                    "$warning"))
            options.append(Option(line))
        listing.set_options(options)
        if options:
            listing.highlighted = keep if keep is not None and keep < len(options) else 0

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.open_items:
            self.query_one("#ack-items").focus()
        else:
            self.action_confirm()

    def _highlighted_item(self) -> ItemView | None:
        index = self.query_one("#ack-items", OptionList).highlighted
        return self.open_items[index] if index is not None and index < len(self.open_items) else None

    def on_key(self, event) -> None:  # type: ignore[no-untyped-def]
        listing = self.query_one("#ack-items", OptionList)
        if not listing.has_focus:
            return
        item = self._highlighted_item()
        if item is None:
            return
        if event.key in ("a", "space"):
            event.stop()
            self.decisions[item.id] = (True, "")
            self.render_items()
            listing.action_cursor_down()
        elif event.key == "q":
            event.stop()

            def asked(question: str | None) -> None:
                if question:
                    self.decisions[item.id] = (False, question)
                    self.render_items()

            self.app.push_screen(TextPrompt(t("ho.ask.question", ref=one_line(item.reference, 30))),
                                 asked)

    @on(OptionList.OptionSelected, "#ack-items")
    def _toggle(self, _event: OptionList.OptionSelected) -> None:
        item = self._highlighted_item()
        if item is not None:
            self.decisions[item.id] = (True, "")
            self.render_items()

    def action_accept_all(self) -> None:
        for item in self.open_items:
            self.decisions.setdefault(item.id, (True, ""))
        self.render_items()

    def action_confirm(self) -> None:
        self.send(self.query_one("#ack-synthesis", Input).value)

    @work(thread=True, exclusive=True, group="ho-ack")
    def send(self, synthesis: str) -> None:
        from cscterm.services import handover

        ws = self.app.ws  # type: ignore[attr-defined]
        decisions = {item_id: handover.ItemDecision(accept, question)
                     for item_id, (accept, question) in self.decisions.items()}
        try:
            with ws.session() as session:
                handover.acknowledge(session, ws.actor, self.note.id, synthesis, decisions,
                                     now=self.fixed_now)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False,
                                      timeout=10)
            return
        self.app.call_from_thread(self._done)

    def _done(self) -> None:
        self.notify(t("ho.acked"), markup=False)
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)

