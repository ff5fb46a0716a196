"""The forbidden-term list (禁忌语): everyone reads it, leads edit it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label, Static
from textual.widgets.data_table import ColumnKey

from cscterm.errors import DomainError
from cscterm.i18n import get_language, t
from cscterm.text import one_line, printable
from cscterm.tui.localise import localise_bindings

if TYPE_CHECKING:
    from cscterm.services.lint import Term


class TermForm(ModalScreen["tuple[str, str, str] | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+s", "submit", "key.save"),
    ]

    def __init__(self, heading: str, term: Term | None = None) -> None:
        super().__init__()
        self.heading = heading
        self.term = term

    def compose(self) -> ComposeResult:
        term = self.term
        with Vertical(classes="dialog", id="term-dialog"):
            yield Label(Content(self.heading).stylize("bold"), markup=False)
            yield Label(t("terms.col_term"), markup=False)
            yield Input(value=printable(term.term) if term else "", id="tf-term", max_length=100)
            yield Label(t("terms.col_reason"), markup=False)
            yield Input(value=printable(term.reason) if term else "", id="tf-reason")
            yield Label(t("terms.col_alternative"), markup=False)
            yield Input(value=printable(term.alternative) if term else "", id="tf-alternative")
            yield Static("Enter/ctrl+s · Esc", classes="dialog-hint", markup=False)

    def on_mount(self) -> None:
        localise_bindings(self)
        self.query_one("#tf-term", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        self.dismiss(tuple(self.query_one(f"#tf-{name}", Input).value  # type: ignore[arg-type]
                           for name in ("term", "reason", "alternative")))

    def action_cancel(self) -> None:
        self.dismiss(None)


class ForbiddenTermsScreen(Screen[bool]):
    """Dismissed with True when the list changed (the library reloads its linter)."""

    CSS_PATH = "forbidden.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "key.back"),
        Binding("a", "add", "key.add"),
        Binding("e,enter", "edit", "key.edit"),
        Binding("delete", "retire", "key.retire"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self.terms: list[Term] = []
        self.changed = False

    def compose(self) -> ComposeResult:
        yield Label(Content(t("terms.title")).stylize("bold"), id="terms-heading", markup=False)
        yield Static(id="terms-note", markup=False)
        yield DataTable(id="terms-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column(t("terms.col_term"), key="term", width=14)
        table.add_column(t("terms.col_reason"), key="reason", width=34)
        table.add_column(t("terms.col_alternative"), key="alternative")
        actor = self.app.ws.actor  # type: ignore[attr-defined]
        self.query_one("#terms-note", Static).update(
            "" if actor.is_lead else Content(t("terms.readonly")).stylize("$text-muted"))
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        from cscterm.services import lint

        ws = self.app.ws  # type: ignore[attr-defined]
        with ws.session() as session:
            terms = lint.list_terms(session, language_first=get_language())
        self.app.call_from_thread(self._loaded, terms)

    def _loaded(self, terms: list[Term]) -> None:
        self.terms = terms
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear()
        for term in terms:
            # rich Text: literal like Content, and DataTable measures its width.
            table.add_row(Text(one_line(term.term)), Text(one_line(term.reason)),
                          Text(one_line(term.alternative)), key=str(term.id))
        # The "say instead" column is as wide as its longest entry, decided
        # here once rather than whenever the table's auto-width runs.
        column = table.columns[ColumnKey("alternative")]
        column.auto_width = False
        column.width = max([cell_len(one_line(term.alternative)) for term in terms]
                           + [cell_len(str(column.label))])
        table.refresh()
        if terms:
            table.move_cursor(row=min(keep, len(terms) - 1))

    @property
    def current(self) -> Term | None:
        table = self.query_one(DataTable)
        if not self.terms or table.cursor_row >= len(self.terms):
            return None
        return self.terms[table.cursor_row]

    def action_back(self) -> None:
        self.dismiss(self.changed)

    def action_add(self) -> None:
        self.app.push_screen(TermForm(t("terms.add_title")), self._add_answered)

    def _add_answered(self, values: tuple[str, str, str] | None) -> None:
        if values is not None:
            self.write("add", None, values)

    def action_edit(self) -> None:
        term = self.current
        if term is None:
            return

        def answered(values: tuple[str, str, str] | None) -> None:
            if values is not None:
                self.write("update", term, values)

        self.app.push_screen(TermForm(t("terms.edit_title"), term), answered)

    def action_retire(self) -> None:
        from cscterm.tui.widgets.confirm import Confirm

        term = self.current
        if term is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.write("retire", term, None)

        self.app.push_screen(Confirm(t("terms.retire_confirm", term=one_line(term.term)),
                                     t("ed.retire_yes"), t("key.cancel")), answered)

    @work(thread=True, group="write")
    def write(self, kind: str, term: Term | None, values: tuple[str, str, str] | None) -> None:
        """Every change goes through the service, which refuses agents."""
        from cscterm.services import lint

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                if kind == "add":
                    assert values is not None
                    saved = lint.add_term(session, ws.actor, *values)
                    message = t("terms.saved", term=one_line(saved.term))
                elif kind == "update":
                    assert term is not None and values is not None
                    saved = lint.update_term(session, ws.actor, term.id,
                                             expected_version=term.version, term=values[0],
                                             reason=values[1], alternative=values[2])
                    message = t("terms.saved", term=one_line(saved.term))
                else:
                    assert term is not None
                    lint.retire_term(session, ws.actor, term.id, expected_version=term.version)
                    message = t("terms.retired", term=one_line(term.term))
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=8,
                                      markup=False)
            return
        self.changed = True
        self.app.call_from_thread(self.notify, message, markup=False)
        self.app.call_from_thread(self.load)
