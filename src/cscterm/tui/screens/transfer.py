"""Pre-sale → after-sale transfers (转售后): the inbox, the checklist editor
and the after-sale steps (claim, return, resolve).

The inbox lists, top to bottom, what needs the agent first: transfers
returned to them to fix, their drafts, transfers waiting in their queue and
those they claimed (each by time left on its clock), what they sent and what
was resolved lately; the pane on the right shows the highlighted transfer in
full with its timeline. New work arrives while it is open (the App watches
the database and tells the screen).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.cells import cell_len
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widget import Widget
from textual.widgets import (
    Checkbox,
    Footer,
    Input,
    OptionList,
    Select,
    SelectionList,
    Static,
)
from textual.widgets.option_list import Option

from cscterm.errors import DomainError
from cscterm.i18n import t
from cscterm.text import local_time, one_line, printable
from cscterm.tui.autosave import DraftAutosave
from cscterm.tui.localise import localise_bindings
from cscterm.tui.screens.mode import InboxScreen
from cscterm.tui.spans import span
from cscterm.tui.widgets.script_list import fit

if TYPE_CHECKING:
    from cscterm.services.checklists import ItemDef, TemplateInfo
    from cscterm.services.transfer import Clock, Inbox, ItemProblem, TransferRow, TransferView
    from cscterm.tui.app import CscApp

DRAFT_KIND = "transfer"
CLOCK_TICK = 30.0  # seconds between re-reads while the inbox is shown
# The inbox's sections, top to bottom (Inbox field, message key suffix).
SECTIONS = ("returned", "drafts", "waiting", "claimed", "sent", "resolved")


def clock() -> datetime:
    """The current instant (UTC). Screens read the time through here, so a
    test can stop the clock by replacing this function."""
    from cscterm.db.tables.core import utcnow

    return utcnow()


def _when(moment: datetime | None) -> str:
    return local_time(moment, "%m-%d %H:%M") if moment else "—"


def _label(text: str, style: str = "bold $text-primary") -> Content:
    return Content(text).stylize(style)



# ── clocks (plain Content: the states are colours, the words say the same) ──


def clock_short(c: Clock | None) -> Content:
    """For a list row: ``剩余12分钟`` (amber when warning), ``⚠ 超时5分钟`` (red)."""
    if c is None:
        return Content("")
    if c.paused:
        return Content(t("tr.clock.paused")).stylize("$text-muted")
    if c.state == "breach":
        return Content(t("tr.clock.over", span=span(-c.left))).stylize("bold $error")
    if c.state == "warning":
        return Content(t("tr.clock.left", span=span(c.left))).stylize("bold $warning")
    if c.state == "ok":
        return Content(t("tr.clock.left", span=span(c.left))).stylize("$success")
    if c.state == "missed":
        return Content(t("tr.clock.missed", span=span(-c.left))).stylize("$error")
    return Content(t("tr.clock.met")).stylize("$success")


def _due(moment: datetime | None, now: datetime) -> str:
    """``14:29`` today, ``11-24 13:59`` another day."""
    if moment is None:
        return "—"
    if local_time(moment, "%Y-%m-%d") == local_time(now, "%Y-%m-%d"):
        return local_time(moment, "%H:%M")
    return _when(moment)


def clock_line(which: str, c: Clock | None, now: datetime) -> Content:
    """For the detail: ``接单时限  剩余12分钟  截止 15:30``."""
    head = _label(f"{t('tr.clock.' + which)}  ", "$text-muted")
    if c is None:
        return Content.assemble(head, Content("—").stylize("$text-muted"))
    if c.state in ("met", "missed"):
        tail = t("tr.clock.took", span=span(c.elapsed))
    elif c.paused:
        tail = t("tr.clock.left", span=span(c.left))
    else:
        tail = t("tr.clock.due", when=_due(c.due, now))
    return Content.assemble(head, clock_short(c), Content(f"  {tail}").stylize("$text-muted"))


# ── rendering a transfer (plain Content: user text is never markup) ────────


def row_prompt(section: str, row: TransferRow, width: int = 36) -> Content:
    """One inbox row fitted to ``width`` cells: the section's lead-in (the
    clock, the return reason, the state), the template and the subject."""
    returned = section == "returned"
    if returned:
        head = Content(f"↩ {t('tr.reason.' + row.return_reason)} ").stylize("bold $warning")
    elif section == "drafts":
        head = Content("✎ ").stylize("$text-muted")
    elif section in ("waiting", "claimed"):
        head = Content.assemble(clock_short(row.clock), " ")
    elif section == "resolved":
        head = Content("✓ ").stylize("$success")
    else:
        state = t(f"tr.state.{row.status}")
        if row.status == "claimed" and row.claimed_by:
            state = f"{state}·{fit(one_line(row.claimed_by), 8)}"
        head = Content(f"{state} ").stylize("$text-muted")
    if row.escalated and not returned:
        head = Content.assemble(Content("⇡").stylize("bold $error"), head)
    name = fit(one_line(row.template_name), 12)
    room = max(width - head.cell_length - cell_len(name) - 1, 4)
    subject = Content(" " + fit(one_line(row.subject) or "—", room))
    return Content.assemble(head, Content(name).stylize("bold"),
                            subject.stylize("$warning") if returned else subject)


def _fact(label: str, value: str) -> Content:
    return Content.assemble(_label(label + " ", "$text-muted"), Content(value))


def item_lines(view: TransferView) -> list[Content]:
    """Every checklist item as ``label: value`` (✓/☐ for checks); the items
    named in a return are marked ↩ in the warning colour."""
    lines = []
    to_fix = set(view.return_items) if view.status == "returned" else set()
    for entry in view.items:
        item = entry.item
        marked = item.key in to_fix
        mark = Content("↩ ").stylize("bold $warning") if marked else Content("  ")
        label_style = "bold $warning" if marked else "$text-muted"
        if item.kind == "check":
            box = Content("✓ ").stylize("$success") if entry.value is True else Content("☐ ")
            lines.append(Content.assemble(mark, box, Content(one_line(item.label)).stylize(
                "bold $warning" if marked else "")))
            continue
        shown = printable(entry.shown).strip()
        value = Content(shown) if shown else Content("—").stylize("$text-muted")
        lines.append(Content.assemble(mark, Content(one_line(item.label) + "：").stylize(label_style),
                                      value))
    return lines


def _event_extra(kind: str, reason: str, detail: dict[str, Any]) -> str:
    if kind == "returned" and reason:
        return t(f"tr.reason.{reason}")
    if kind == "resolved" and reason:
        return t(f"tr.outcome.{reason}")
    if kind in ("sent", "reassigned") and detail.get("to"):
        return f"→ {one_line(str(detail['to']))}"
    if kind == "resent" and detail.get("paused_s"):
        return t("tr.paused_for", span=span(timedelta(seconds=int(detail["paused_s"]))))
    if kind == "created" and detail.get("template_version"):
        return f"v{detail['template_version']}"
    return ""


def timeline_lines(view: TransferView) -> list[Content]:
    lines = []
    for event in view.events:
        who = one_line(event.actor) or t("tr.system")
        extra = _event_extra(event.kind, event.reason, event.detail)
        line = Content.assemble(
            Content(f"{_when(event.at)}  ").stylize("$text-muted"),
            Content(who + "  "),
            Content(t(f"tr.event.{event.kind}")).stylize(
                "bold $warning" if event.kind in ("returned", "escalated") else "bold"),
            Content(f"  {extra}" if extra else ""))
        lines.append(line)
        if event.note:
            lines.append(Content.assemble(Content("      "), Content(printable(event.note))))
    return lines


def transfer_content(view: TransferView, now: datetime) -> Content:
    row = view.row
    state = Content(f" {t('tr.state.' + row.status)} ").stylize(
        "bold reverse $warning" if row.status == "returned" else "bold reverse $primary")
    head = [Content(f"#{row.id} "), Content(one_line(view.template.name)).stylize("bold"),
            Content(f" v{view.template.number}  "), state]
    if row.escalated:
        head.append(Content(f"  {t('tr.escalated')}").stylize("bold $error"))
    lines: list[Content] = [Content.assemble(*head)]
    to = one_line(row.to_user) if row.to_user else t("tr.queue_of", queue=one_line(row.queue))
    people = [f"{t('tr.sender')} {one_line(row.sender)} ({one_line(row.sender_team)})",
              f"→ {to}"]
    if row.claimed_by:
        people.append(f"{t('tr.claimer')} {one_line(row.claimed_by)}")
    lines.append(Content("   ".join(people)))
    if view.scenario:
        lines.append(_fact(t("tr.scenario"), one_line(view.scenario)))
    lines.append(clock_line("accept", view.accept, now))
    lines.append(clock_line("resolve", view.resolve, now))
    if row.status == "returned":
        lines += [Content(""), Content.assemble(
            _label(f"{t('tr.returned_because')} ", "bold $warning"),
            Content(t(f"tr.reason.{row.return_reason}")).stylize("bold $warning"))]
        if view.return_note:
            lines.append(Content(printable(view.return_note)))
        labels = [one_line(i.item.label) for i in view.items if i.item.key in view.return_items]
        if labels:
            lines.append(_fact(t("tr.to_fix"), "、".join(labels)))
    if row.status == "resolved":
        lines += [Content(""), Content.assemble(
            _label(f"{t('tr.result')} ", "bold $success"),
            Content(t(f"tr.outcome.{view.outcome}")).stylize("bold $success"))]
        if view.resolution:
            lines.append(Content(printable(view.resolution)))
    lines += [Content(""), _label(t("tr.checklist", count=len(view.items)))]
    lines += item_lines(view)
    lines += [Content(""), _label(t("tr.timeline"))]
    lines += timeline_lines(view)
    return Content("\n").join(lines)


# ── the inbox ──────────────────────────────────────────────────────────────


def _guarded_import(module: str, name: str) -> Any:
    """A screen another part of the workbench provides, or None when this
    installation does not have it."""
    import importlib

    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        return None


class TransferScreen(InboxScreen):
    MODE = "transfer"
    PREFIX = "tr"
    AUTO_FOCUS = "#tr-list"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new", "key.tr.new"),
        Binding("e", "edit", "key.tr.edit"),
        Binding("c", "claim", "key.tr.claim"),
        Binding("v", "resolve", "key.tr.resolve"),
        Binding("b", "return", "key.tr.return"),
        Binding("x", "discard", "key.tr.discard", show=False),
        Binding("r", "reload", "key.tr.reload", show=False),
        Binding("L", "lead", "key.tr.lead", show=False),
        Binding("T", "templates", "key.tr.templates", show=False),
        Binding("escape", "back", "key.back", show=False),
        Binding("j", "move(1)", show=False),
        Binding("k", "move(-1)", show=False),
    ]

    def __init__(self, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.fixed_now = now
        self.inbox: Inbox | None = None
        self.entries: list[tuple[str, TransferRow | None]] = []
        self.current: TransferView | None = None
        self.loaded_version = 0  # counts inbox loads (tests wait on it)

    def now(self) -> datetime:
        return self.fixed_now or clock()

    def on_mount(self) -> None:
        self.set_interval(CLOCK_TICK, self._tick)

    def _tick(self) -> None:
        """The clocks run on with nothing changing in the database."""
        if self.is_current and self.ws is not None:
            self.reload(detail=True)

    # loading ─────────────────────────────────────────────────────────────

    def transfers_changed(self) -> None:
        """The App saw the database change: read the lists again."""
        self.reload()

    @work(thread=True, exclusive=True, group="tr-inbox")
    def reload(self, detail: bool = False) -> None:
        """Read the inbox (and, with ``detail``, the highlighted transfer
        even if unchanged: its clocks moved on)."""
        from cscterm.services import transfer

        ws = self.ws
        try:
            with ws.session() as session:
                inbox = transfer.inbox(session, ws.actor, now=self.now())
        except Exception as exc:  # noqa: BLE001 - shown, never a traceback
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._loaded, inbox, detail)

    def _loaded(self, inbox: Inbox, detail: bool = False) -> None:
        if not self.is_mounted:
            return
        self.inbox = inbox
        self.render_list()
        self.loaded_version += 1
        row = self.selected_row()
        if detail and row is not None:
            self.load_transfer(row.id)

    def render_list(self) -> None:
        if self.inbox is None:
            return
        listing = self.query_one("#tr-list", OptionList)
        keep = self.selected_row()
        keep_id = keep.id if keep is not None else None
        width = max(listing.scrollable_content_region.width - 1, 24)
        options: list[Option] = []
        self.entries = []
        for section in SECTIONS:
            rows = list(getattr(self.inbox, section))
            if section in ("waiting", "claimed"):
                rows.sort(key=lambda r: r.clock.left if r.clock else timedelta.max)
            if not rows and section != "waiting":
                continue  # the queue is always listed; the rest when there is something
            style = "bold $warning" if section == "returned" and rows else "bold $accent"
            options.append(Option(_label(f"{t('tr.sec.' + section)} ({len(rows)})", style),
                                  disabled=True))
            self.entries.append(("header", None))
            for row in rows:
                options.append(Option(row_prompt(section, row, width),
                                      id=f"{section}:{row.id}:{len(self.entries)}"))
                self.entries.append((section, row))
        listing.set_options(options)
        index = next((n for n, (kind, row) in enumerate(self.entries)
                      if kind != "header" and row is not None and row.id == keep_id), None)
        if index is None:
            index = next((n for n, (kind, _r) in enumerate(self.entries) if kind != "header"), None)
        if index is not None:
            listing.highlighted = index
            self._follow_highlight()
        else:
            self.current = None
            self.query_one("#tr-text", Static).update(t("tr.nothing"))
        inbox = self.inbox
        breached = sum(1 for r in (*inbox.waiting, *inbox.claimed) if r.clock and r.clock.breached)
        self.query_one("#tr-status", Static).update(t(
            "tr.status_line", returned=len(inbox.returned), waiting=len(inbox.waiting),
            claimed=len(inbox.claimed), breached=breached))

    def selected(self) -> tuple[str, TransferRow] | None:
        chosen = self.highlighted_entry()
        return chosen if chosen is not None and chosen[1] is not None else None

    def selected_row(self) -> TransferRow | None:
        chosen = self.selected()
        return chosen[1] if chosen else None

    @on(OptionList.OptionHighlighted, "#tr-list")
    def _highlighted(self, _event: OptionList.OptionHighlighted) -> None:
        self._follow_highlight()

    def _follow_highlight(self) -> None:
        """Read the highlighted transfer unless it is the one shown (at the
        same version)."""
        row = self.selected_row()
        if row is not None and (self.current is None or self.current.id != row.id
                                or self.current.version != row.version):
            self.load_transfer(row.id)

    @on(OptionList.OptionSelected, "#tr-list")
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        section, _row = chosen
        if section in ("drafts", "returned"):
            self.action_edit()
        else:
            self.query_one("#tr-detail").focus()

    @work(thread=True, exclusive=True, group="tr-detail")
    def load_transfer(self, transfer_id: int) -> None:
        from cscterm.services import transfer

        ws = self.ws
        try:
            with ws.session() as session:
                view = transfer.get_transfer(session, ws.actor, transfer_id, now=self.now())
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.app.call_from_thread(self._transfer_loaded, view)

    def _transfer_loaded(self, view: TransferView) -> None:
        if not self.is_mounted:
            return
        row = self.selected_row()
        if row is not None and row.id != view.id:
            return  # the highlight moved on
        self.current = view
        self.show_current()

    def show_current(self) -> None:
        if self.current is not None:
            self.query_one("#tr-text", Static).update(transfer_content(self.current, self.now()))

    # actions ─────────────────────────────────────────────────────────────

    def action_back(self) -> None:
        if self.query_one("#tr-detail").has_focus:
            self.query_one("#tr-list").focus()

    def _chosen_view(self) -> TransferView | None:
        """The highlighted transfer as last read, or a notice to pick one."""
        row = self.selected_row()
        if row is None or self.current is None or self.current.id != row.id:
            self.notify(t("tr.pick"), severity="warning", markup=False)
            return None
        return self.current

    def _refuse(self, key: str, **params: object) -> None:
        self.notify(str(DomainError(key, **params)), severity="warning", markup=False)

    def action_new(self) -> None:
        if self.ws is not None:
            self.new_transfer()

    @work(thread=True, exclusive=True, group="tr-open")
    def new_transfer(self, scenario_id: int | None = None, category: str = "",
                     title: str = "") -> None:
        """Pick a template (the scenario's, when started from the library),
        create the draft, open the editor."""
        from cscterm.services import checklists

        ws = self.ws
        with ws.session() as session:
            templates = checklists.list_templates(session)
            preselect = checklists.for_scenario(session, category) if category else None
        self.app.call_from_thread(self._pick_template, templates, preselect, scenario_id, title)

    def _pick_template(self, templates: list[TemplateInfo], preselect: str | None,
                       scenario_id: int | None, title: str) -> None:
        if not templates:
            self.notify(t("tr.no_templates"), severity="warning", markup=False)
            return

        def picked(key: str | None) -> None:
            if key is not None:
                self.create_transfer(key, scenario_id)

        self.app.push_screen(TemplatePicker(templates, preselect, scenario=title), picked)

    @work(thread=True, exclusive=True, group="tr-open")
    def create_transfer(self, key: str, scenario_id: int | None) -> None:
        from cscterm.services import transfer

        ws = self.ws
        try:
            with ws.session() as session:
                view = transfer.create(session, ws.actor, key, scenario_id=scenario_id,
                                       now=self.now())
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self._open_editor, view, None)

    def action_edit(self) -> None:
        view = self._chosen_view()
        if view is None or self.ws is None:
            return
        if view.sender_id != self.ws.actor.id:
            self._refuse("err.not_allowed.transfer_sender")
        elif view.status not in ("draft", "returned"):
            self._refuse("err.conflict.transfer_state", state=t(f"tr.state.{view.status}"))
        else:
            self.open_editor(view.id)

    @work(thread=True, exclusive=True, group="tr-open")
    def open_editor(self, transfer_id: int) -> None:
        """The editor on a transfer, with what was typed and not saved (a
        dropped connection) put back."""
        from cscterm.services import drafts, transfer, users

        ws = self.ws
        try:
            with ws.session() as session:
                view = transfer.get_transfer(session, ws.actor, transfer_id, now=self.now())
                saved = next((d for d in drafts.pending(session, ws.actor, DRAFT_KIND)
                              if d.ref == str(view.id)), None)
                to_login = users.login_of(session, view.to_user_id)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        draft = saved.payload if saved is not None and saved.updated_at > view.row.updated_at \
            else None
        self.app.call_from_thread(self._open_editor, view, draft, to_login)

    def _open_editor(self, view: TransferView, draft: dict[str, object] | None,
                     to_login: str = "") -> None:
        # Back on this screen, the inbox is read again (on_screen_resume).
        self.app.push_screen(TransferEditor(view, to_login=to_login, draft=draft,
                                            now=self.fixed_now))

    def action_claim(self) -> None:
        view = self._chosen_view()
        if view is not None:
            self.step("claim", view)

    def action_resolve(self) -> None:
        from cscterm.services.transfer import OUTCOMES

        view = self._claimed_view()
        if view is not None:
            self._decide("resolve", view, DecisionForm(
                t("tr.resolve_title", id=view.id, name=one_line(view.template.name)),
                t("field.tr.outcome"), [(t(f"tr.outcome.{o}"), o) for o in OUTCOMES],
                t("field.tr.resolution"), t("tr.resolution_hint")))

    def action_return(self) -> None:
        from cscterm.services.transfer import RETURN_REASONS

        view = self._claimed_view()
        if view is not None:
            self._decide("return", view, DecisionForm(
                t("tr.return_title", id=view.id, sender=one_line(view.row.sender)),
                t("field.tr.reason"), [(t(f"tr.reason.{r}"), r) for r in RETURN_REASONS],
                t("field.tr.return_note"), t("tr.return_hint"),
                items=[(one_line(i.item.label), i.item.key) for i in view.items]))

    def _decide(self, kind: str, view: TransferView, form: DecisionForm) -> None:
        def decided(answer: tuple[str, str, list[str]] | None) -> None:
            if answer is not None:
                self.step(kind, view, *answer)

        self.app.push_screen(form, decided)

    def _claimed_view(self) -> TransferView | None:
        """The highlighted transfer if it is claimed by the user (only the
        claimer resolves or returns), else a notice saying why not."""
        view = self._chosen_view()
        if view is None:
            return None
        if view.status != "claimed":
            self._refuse("err.conflict.transfer_state", state=t(f"tr.state.{view.status}"))
            return None
        if view.claimer_id != self.ws.actor.id:
            self._refuse("err.not_allowed.transfer_claimer")
            return None
        return view

    def action_discard(self) -> None:
        from cscterm.tui.widgets.confirm import Confirm

        view = self._chosen_view()
        if view is None:
            return
        if view.status != "draft":
            self._refuse("err.conflict.transfer_state", state=t(f"tr.state.{view.status}"))
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.step("discard", view)

        self.app.push_screen(Confirm(t("tr.discard_confirm", name=one_line(view.template.name)),
                                     t("tr.discard_yes"), t("key.cancel")), answered)

    @work(thread=True, group="tr-step")
    def step(self, kind: str, view: TransferView, choice: str = "", note: str = "",
             items: list[str] | None = None) -> None:
        from cscterm.services import drafts, transfer

        ws = self.ws
        now = self.now()
        try:
            with ws.session() as session:
                if kind == "claim":
                    transfer.take(session, ws.actor, view.id, now=now)
                elif kind == "resolve":
                    transfer.resolve(session, ws.actor, view.id, view.version, choice, note,
                                     now=now)
                elif kind == "return":
                    transfer.return_to_sender(session, ws.actor, view.id, view.version, choice,
                                              note, items=items or [], now=now)
                else:
                    transfer.discard(session, ws.actor, view.id, now=now)
                    drafts.discard(session, ws.actor, DRAFT_KIND, str(view.id))
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False,
                                      timeout=10)
            self.app.call_from_thread(self.reload)
            return
        self.app.call_from_thread(self.notify, t(f"tr.did.{kind}", id=view.id), markup=False)
        self.app.call_from_thread(self.reload)

    def action_lead(self) -> None:
        if self.ws is None:
            return
        if not self.ws.actor.is_lead:
            self._refuse("err.not_allowed.transfer_lead")
            return
        screen = _guarded_import("cscterm.tui.screens.transfer_lead", "TransferLeadScreen")
        if screen is None:
            self.notify(t("tr.unavailable", what=t("key.tr.lead")), severity="warning",
                        markup=False)
            return
        self.app.push_screen(screen(now=self.fixed_now))

    def action_templates(self) -> None:
        if self.ws is None:
            return
        if not self.ws.actor.is_lead:
            self._refuse("err.not_allowed.templates")
            return
        screen = _guarded_import("cscterm.tui.screens.templates", "TemplatesScreen")
        if screen is None:
            self.notify(t("tr.unavailable", what=t("key.tr.templates")), severity="warning",
                        markup=False)
            return
        self.app.push_screen(screen())


# ── starting from elsewhere (the library, the palette, a restored draft) ───


def _transfer_screen_of(app: CscApp) -> TransferScreen | None:
    screen = app.screen
    return screen if isinstance(screen, TransferScreen) else None


def start_from_scenario(app: CscApp, scenario_id: int, category: str, title: str) -> None:
    """Switch to the transfer mode and start a transfer for a scenario: its
    template is the one preselected, its problem pre-filled."""
    app.switch_mode("transfer")

    def start() -> None:
        screen = _transfer_screen_of(app)
        if screen is not None:
            screen.new_transfer(scenario_id, category, title)

    app.call_after_refresh(start)


def open_draft(app: CscApp, transfer_id: int) -> None:
    """Switch to the transfer mode and open the editor on a transfer."""
    app.switch_mode("transfer")

    def start() -> None:
        screen = _transfer_screen_of(app)
        if screen is not None:
            screen.open_editor(transfer_id)

    app.call_after_refresh(start)


def unsent_draft(session: Any, actor: Any) -> tuple[int, str, datetime] | None:
    """An editable transfer with unsaved typing (id, template name, when),
    to offer back on start. Typing older than the transfer's last change, or
    left for one that has since gone on (sent, discarded), is dropped."""
    from cscterm.services import drafts, transfer

    for draft in drafts.pending(session, actor, DRAFT_KIND):
        try:
            view = transfer.get_transfer(session, actor, int(draft.ref))
        except (DomainError, ValueError):
            drafts.discard(session, actor, DRAFT_KIND, draft.ref)
            continue
        if (view.status in ("draft", "returned") and view.sender_id == actor.id
                and draft.updated_at > view.row.updated_at):
            return view.id, view.template.name, draft.updated_at
        drafts.discard(session, actor, DRAFT_KIND, draft.ref)
    return None


def offer_draft(app: CscApp, found: tuple[int, str, datetime]) -> None:
    from cscterm.tui.widgets.confirm import Confirm

    transfer_id, name, when = found

    def answered(yes: bool | None) -> None:
        if yes:
            open_draft(app, transfer_id)

    app.push_screen(Confirm(t("tr.draft_offer", name=one_line(name), when=_when(when)),
                            t("draft.open"), t("draft.later")), answered)


# ── pickers and forms ──────────────────────────────────────────────────────


class TemplatePicker(ModalScreen["str | None"]):
    """Which checklist: the templates by name with their queue and service
    levels; the scenario's own is highlighted when there is one."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "key.cancel")]

    def __init__(self, templates: list[TemplateInfo], preselect: str | None = None, *,
                 scenario: str = "") -> None:
        super().__init__()
        localise_bindings(self)
        self.templates = templates
        self.preselect = preselect
        self.scenario = scenario

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tr-picker"):
            yield Static(t("tr.pick_template"), markup=False, classes="dialog-title")
            if self.scenario:
                yield Static(Content(t("tr.for_scenario", scenario=one_line(self.scenario, 40))),
                             markup=False, classes="tr-muted")
            options = []
            for info in self.templates:
                options.append(Option(Content.assemble(
                    Content(fit(one_line(info.name), 20)).stylize("bold"),
                    Content("  " + t("tr.template_facts", queue=one_line(info.queue),
                                     accept=span(info.accept), resolve=span(info.resolve),
                                     count=info.item_count)).stylize("$text-muted"))))
            yield OptionList(*options, id="tr-templates", markup=False)
            yield Static(t("tr.picker_hint"), markup=False, classes="dialog-hint")

    def on_mount(self) -> None:
        listing = self.query_one("#tr-templates", OptionList)
        keys = [info.key for info in self.templates]
        listing.highlighted = keys.index(self.preselect) if self.preselect in keys else 0
        listing.focus()

    @on(OptionList.OptionSelected, "#tr-templates")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.templates[event.option_index].key)

    def action_cancel(self) -> None:
        self.dismiss(None)


class DecisionForm(ModalScreen["tuple[str, str, list[str]] | None"]):
    """Resolve (an outcome and a note) or return (a reason, a note and,
    optionally, the items to fix): one choice, a required note, a list."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "confirm", "key.tr.confirm"),
        Binding("escape", "cancel", "key.cancel"),
    ]

    def __init__(self, title: str, choice_label: str, choices: list[tuple[str, str]],
                 note_label: str, note_hint: str, *,
                 items: list[tuple[str, str]] | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.title_text = title
        self.choice_label = choice_label
        self.choices = choices
        self.note_label = note_label
        self.note_hint = note_hint
        self.items = items

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tr-decision"):
            yield Static(self.title_text, markup=False, classes="dialog-title")
            with Horizontal(classes="tr-dec-row"):
                yield Static(self.choice_label, markup=False, classes="tr-dec-label")
                yield Select([(Content(label), value) for label, value in self.choices],
                             allow_blank=False, id="tr-choice")
            with Horizontal(classes="tr-dec-row"):
                yield Static(self.note_label, markup=False, classes="tr-dec-label")
                yield Input(placeholder=self.note_hint, max_length=1000, id="tr-note")
            if self.items:
                yield Static(t("tr.mark_items"), markup=False, classes="tr-muted")
                yield SelectionList[str](*[(Content(label), key) for label, key in self.items],
                                         id="tr-items")
            yield Static(t("tr.decision_hint"), markup=False, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one("#tr-choice", Select).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.items:
            self.query_one("#tr-items").focus()
        else:
            self.action_confirm()

    def action_confirm(self) -> None:
        note = self.query_one("#tr-note", Input).value.strip()
        if not note:
            self.notify(t("tr.note_required", field=self.note_label), severity="warning",
                        markup=False)
            self.query_one("#tr-note", Input).focus()
            return
        items = list(self.query_one("#tr-items", SelectionList).selected) if self.items else []
        self.dismiss((str(self.query_one("#tr-choice", Select).value), note, items))

    def action_cancel(self) -> None:
        self.dismiss(None)


# ── the editor ─────────────────────────────────────────────────────────────


def _field_id(key: str) -> str:
    return f"te-f-{key}"


class TransferEditor(DraftAutosave, Screen["TransferView | None"]):
    """Fill in a transfer's checklist: one field per item. What is typed is
    autosaved every second as a draft; ctrl+s sends (or resends a returned
    transfer), refused with every empty or invalid item marked."""

    DRAFT_KIND = DRAFT_KIND
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "send", "key.tr.send"),
        Binding("escape", "close", "key.back"),
    ]

    def __init__(self, view: TransferView, *, to_login: str = "",
                 draft: dict[str, object] | None = None, now: datetime | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.view = view
        self.to_login = to_login  # the person it goes to, if not the queue
        self.fixed_now = now
        self.draft = draft
        self.problems: list[ItemProblem] = []

    def now(self) -> datetime:
        return self.fixed_now or clock()

    @property
    def draft_ref(self) -> str:
        return str(self.view.id)

    @property
    def items(self) -> list[ItemDef]:
        return list(self.view.template.items)

    # layout ──────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        view = self.view
        returned = view.status == "returned"
        title = t("tr.editor_resend" if returned else "tr.editor_title")
        yield Static(Content.assemble(
            _label(f" {title} ", "bold"),
            Content(f"#{view.id} {one_line(view.template.name)} v{view.template.number}"),
            Content(f"  → {one_line(view.row.queue)}").stylize("$text-muted"),
        ), id="te-heading")
        if returned:
            yield Static(self._return_banner(), id="te-returned")
        yield Static(id="te-problems", markup=False)
        with VerticalScroll(id="te-form"):
            with Horizontal(classes="te-row", id="te-to-row"):
                yield Static(t("field.tr.to"), markup=False, classes="te-label")
                yield Input(printable(self.to_login), id="te-to", compact=True,
                            placeholder=t("tr.to_hint", queue=one_line(view.row.queue)),
                            disabled=returned)
            for entry in view.items:
                yield self._item_row(entry.item, entry.value, entry.shown)
        yield Footer()

    def _return_banner(self) -> Content:
        view = self.view
        labels = [one_line(i.item.label) for i in view.items if i.item.key in view.return_items]
        lines = [Content.assemble(
            _label(f"{t('tr.returned_because')} ", "bold $warning"),
            Content(t(f"tr.reason.{view.row.return_reason}")).stylize("bold $warning"),
            Content(f"  {one_line(view.row.claimed_by)}").stylize("$text-muted"))]
        if view.return_note:
            lines.append(Content(one_line(view.return_note, 200)))
        if labels:
            lines.append(_fact(t("tr.to_fix"), "、".join(labels)))
        return Content("\n").join(lines)

    def _item_row(self, item: ItemDef, value: object, shown: str) -> Widget:
        marked = self.view.status == "returned" and item.key in self.view.return_items
        label = Content(one_line(item.label))
        if item.required:
            label = Content.assemble(label, Content(" *").stylize("$error"))
        if marked:
            label = Content.assemble(Content("↩ ").stylize("bold $warning"), label)
        field: Widget
        if item.kind == "check":
            field = Checkbox(Content(t("tr.form.yes")), value is True, id=_field_id(item.key),
                             compact=True)
        elif item.kind == "choice":
            current = value if isinstance(value, str) and value in item.choices else Select.NULL
            field = Select([(Content(c), c) for c in item.choices], value=current,
                           prompt=t("tr.form.choose"), id=_field_id(item.key), compact=True)
        else:
            text = shown if item.kind == "datetime" else ("" if value is None else str(value))
            field = Input(printable(text), placeholder=one_line(self._placeholder(item)),
                          id=_field_id(item.key), compact=True, max_length=2000)
        children: list[Widget] = [Horizontal(
            Static(label, classes="te-label", markup=False), field, classes="te-row")]
        if item.hint and item.kind in ("check", "choice"):
            children.append(Static(Content(printable(item.hint)), classes="te-hint",
                                   markup=False))
        children.append(Static(classes="te-error", markup=False))
        classes = "te-item -to-fix" if marked else "te-item"
        return Vertical(*children, id=f"te-item-{item.key}", classes=classes)

    @staticmethod
    def _placeholder(item: ItemDef) -> str:
        if item.hint:
            return item.hint
        if item.kind in ("order", "phone") and item.example:
            return t("tr.form.example", example=item.example)
        if item.kind == "datetime":
            return t("tr.form.when_hint")
        return ""

    def on_mount(self) -> None:
        self._saved_state = self.state()
        if self.draft is not None:
            self.apply_draft(self.draft)
            self.notify(t("ho.draft_restored"), markup=False)
        self._drafted_state = self.state()
        self.query_one("#te-problems").display = False
        self.focus_first()
        self.set_interval(1.0, self.autosave)

    def focus_first(self) -> None:
        """The first item named in a return, else the first item not yet
        filled in, else the first."""
        to_fix = [k for k in self.view.return_items if self.view.template.item(k)]
        if self.view.status == "returned" and to_fix:
            self.query_one(f"#{_field_id(to_fix[0])}").focus()
            return
        values = self.values()
        for item in self.items:
            if values.get(item.key) in (None, "", False):
                self.query_one(f"#{_field_id(item.key)}").focus()
                return
        if self.items:
            self.query_one(f"#{_field_id(self.items[0].key)}").focus()

    # state and drafts ────────────────────────────────────────────────────

    def values(self) -> dict[str, object]:
        """What is on screen, per item (a check's tick, a choice or ``""``,
        the text typed)."""
        out: dict[str, object] = {}
        for item in self.items:
            widget = self.query_one(f"#{_field_id(item.key)}")
            if isinstance(widget, Checkbox):
                out[item.key] = widget.value
            elif isinstance(widget, Select):
                out[item.key] = "" if widget.value is Select.NULL else str(widget.value)
            else:
                out[item.key] = widget.value  # type: ignore[attr-defined]
        return out

    def state(self) -> tuple[object, ...]:
        values = self.values()
        return (self.query_one("#te-to", Input).value, *(values[i.key] for i in self.items))

    def draft_payload(self) -> dict[str, object]:
        return {"to": self.query_one("#te-to", Input).value, "values": self.values()}

    def apply_draft(self, draft: dict[str, object]) -> None:
        if isinstance(draft.get("to"), str) and self.view.status == "draft":
            self.query_one("#te-to", Input).value = printable(str(draft["to"]))
        values = draft.get("values")
        if not isinstance(values, dict):
            return
        for item in self.items:
            if item.key not in values:
                continue
            value = values[item.key]
            widget = self.query_one(f"#{_field_id(item.key)}")
            if isinstance(widget, Checkbox):
                widget.value = value is True
            elif isinstance(widget, Select):
                widget.value = value if value in item.choices else Select.NULL
            elif isinstance(widget, Input) and isinstance(value, str):
                widget.value = printable(value)

    def service_values(self, payload: dict[str, object]) -> dict[str, object]:
        """The values to store: a date/time left as shown goes back as it
        was stored (the shown text is local and to the minute)."""
        values = dict(payload["values"])  # type: ignore[call-overload]
        for entry in self.view.items:
            if (entry.item.kind == "datetime" and entry.value
                    and values.get(entry.item.key) == entry.shown):
                values[entry.item.key] = entry.value
        return values

    # marking what the send refused ───────────────────────────────────────

    def mark(self, problems: list[ItemProblem]) -> None:
        self.problems = list(problems)
        by_key = {p.key: p for p in problems}
        for item in self.items:
            row = self.query_one(f"#te-item-{item.key}")
            problem = by_key.get(item.key)
            row.set_class(problem is not None, "-invalid")
            self.query_one(f"#{_field_id(item.key)}").set_class(problem is not None, "-invalid")
            row.query_one(".te-error", Static).update(
                Content(f"⚠ {problem.message}") if problem else Content(""))
        box = self.query_one("#te-problems", Static)
        box.display = bool(problems)
        box.update(Content(t("tr.refused", count=len(problems),
                             items="；".join(one_line(str(p), 80) for p in problems))))
        if problems:
            self.query_one(f"#{_field_id(problems[0].key)}").focus()

    def _unmark(self, widget: Widget) -> None:
        """A field changed after a refusal: it is no longer marked (the next
        send checks it again)."""
        if widget.id and widget.id.startswith("te-f-"):
            widget.remove_class("-invalid")
            self.query_one(f"#te-item-{widget.id.removeprefix('te-f-')}").remove_class("-invalid")

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Checkbox.Changed | Select.Changed) -> None:
        widget = event.control
        if widget is not None:
            self._unmark(widget)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.focus_next()

    # saving and sending ──────────────────────────────────────────────────

    def action_send(self) -> None:
        self.persist(commit=True, close=True)

    def store(self, session: Any, actor: Any, payload: dict[str, object]) -> TransferView:
        from cscterm.services import transfer

        to = str(payload["to"]) if self.view.status == "draft" else None
        return transfer.save_draft(session, actor, self.view.id, self.view.version,
                                   self.service_values(payload), to=to, now=self.now())

    def commit(self, session: Any, actor: Any, record: TransferView) -> TransferView:
        from cscterm.services import transfer

        return transfer.send(session, actor, record.id, record.version, now=self.now())

    def adopt(self, record: TransferView) -> None:
        self.view = record

    def save_failed(self, exc: DomainError, saved: TransferView | None, closing: bool) -> None:
        from cscterm.services.transfer import Incomplete

        if isinstance(exc, Incomplete):
            self._refused(exc, saved)
        else:
            super().save_failed(exc, saved, closing)

    def _refused(self, exc: Exception, saved: TransferView | None) -> None:
        from cscterm.services.transfer import Incomplete

        if saved is not None:  # saved, then the send was refused: edit the saved version
            self.view = saved
            self._saved_state = self._drafted_state = self.state()
        assert isinstance(exc, Incomplete)
        self.notify(str(exc), severity="error", markup=False, timeout=15)
        self.mark(exc.problems)

    def persisted(self, view: TransferView, sent: bool, close: bool) -> None:
        was_returned = self.view.status == "returned"
        self.view = view
        if sent:
            to = one_line(view.row.claimed_by or view.row.to_user or view.row.queue)
            self.notify(t("tr.resent_to" if was_returned else "tr.sent_to", to=to), markup=False)
        else:
            self.mark([])
            self.notify(t("ho.saved"), markup=False)
        if close:
            self.dismiss(view)
