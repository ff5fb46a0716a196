"""Writing a script: personal scripts for agents, team scripts for leads.

The lint panel follows the text as it is typed, so a forbidden term is seen
before the script is ever saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import (
    Checkbox,
    Footer,
    Input,
    Label,
    OptionList,
    Select,
    Static,
    TabbedContent,
    TabPane,
    TextArea,
)
from textual.widgets.option_list import Option

from cscterm.errors import DomainError
from cscterm.i18n import STYLE_LABELS, style_label, t
from cscterm.text import one_line, printable
from cscterm.tui.autosave import DraftAutosave
from cscterm.tui.localise import localise_bindings
from cscterm.tui.widgets.script_view import lint_summary

if TYPE_CHECKING:
    from cscterm.services.scripts import ScenarioCard, ScriptDetail

STYLES = tuple(STYLE_LABELS["en"])


class ScenarioPicker(ModalScreen["ScenarioCard | None"]):
    """Type to find a scenario by title or category; Enter picks it."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.found: list[ScenarioCard] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="picker-dialog"):
            yield Label(t("ed.scenario"), markup=False)
            yield Input(id="picker-query")
            yield OptionList(id="picker-list", markup=False)

    def on_mount(self) -> None:
        localise_bindings(self)
        self.query_one("#picker-query", Input).focus()
        self.lookup("")

    @on(Input.Changed, "#picker-query")
    def _changed(self, event: Input.Changed) -> None:
        self.lookup(event.value)

    @work(thread=True, exclusive=True)
    def lookup(self, query: str) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        with ws.session() as session:
            found = scripts.find_scenarios(session, query, limit=50)
        self.app.call_from_thread(self._show, found)

    def _show(self, found: list[ScenarioCard]) -> None:
        self.found = found
        options = self.query_one("#picker-list", OptionList)
        options.clear_options()
        options.add_options(
            Option(Content(f"{one_line(c.category)} › {one_line(c.title)}")) for c in found)
        if found:
            options.highlighted = 0

    def action_move(self, delta: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if self.found:
            options.highlighted = max(0, min(len(self.found) - 1, (options.highlighted or 0) + delta))

    @on(Input.Submitted, "#picker-query")
    def _submitted(self) -> None:
        index = self.query_one("#picker-list", OptionList).highlighted
        if index is not None and index < len(self.found):
            self.dismiss(self.found[index])

    @on(OptionList.OptionSelected, "#picker-list")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.found[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)


class ScriptEditor(DraftAutosave, Screen["ScriptDetail | None"]):
    """Create (``detail`` None), edit, or save a personal copy (``copy``)."""

    CSS_PATH = "editor.tcss"
    DRAFT_KIND = "script"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save", priority=True),
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+o", "pick_scenario", "key.scenario"),
    ]

    def __init__(
        self,
        detail: ScriptDetail | None,
        *,
        scenario: ScenarioCard | None = None,
        copy: bool = False,
        draft: dict[str, object] | None = None,
    ) -> None:
        super().__init__()
        localise_bindings(self)
        self.detail = detail
        self.copy = copy
        self.scenario = detail.scenario if detail else scenario
        self.draft = draft  # restored content from an earlier, unsaved session
        self._saved_state: tuple[object, ...] | None = None
        self._drafted_state: tuple[object, ...] | None = None

    @property
    def draft_ref(self) -> str:
        """Which draft slot this editor writes: new, a copy of N, or edit of N."""
        if self.detail is None:
            return "new"
        return f"copy:{self.detail.id}" if self.copy else str(self.detail.id)

    @property
    def editing(self) -> bool:
        return self.detail is not None and not self.copy

    def compose(self) -> ComposeResult:
        detail = self.detail
        if detail is None:
            heading = t("ed.new_title")
        elif self.copy:
            heading = t("ed.copy_title", shortcut=one_line(detail.shortcut))
        else:
            heading = t("ed.edit_title", shortcut=one_line(detail.shortcut))
        yield Label(Content(heading).stylize("bold"), id="ed-heading", markup=False)
        with VerticalScroll(id="ed-form"):
            with Horizontal(classes="ed-row"):
                yield Label(t("ed.scenario"), classes="ed-label", markup=False)
                yield Static(id="ed-scenario", markup=False)
            with Horizontal(classes="ed-row"):
                yield Label(t("ed.title"), classes="ed-label", markup=False)
                yield Input(value=printable(detail.title) if detail else "", id="ed-title",
                            max_length=120)
            with Horizontal(classes="ed-row"):
                yield Label(t("ed.shortcut"), classes="ed-label", markup=False)
                yield Input(value="" if (detail is None or self.copy) else printable(detail.shortcut),
                            id="ed-shortcut", max_length=33, placeholder="tk9")
                yield Label(t("ed.default_style"), classes="ed-label", markup=False)
                yield Select(
                    [(style_label(s), s) for s in STYLES],
                    value=detail.default_style if detail else "standard",
                    allow_blank=False, id="ed-default",
                )
            actor = self.app.ws.actor  # type: ignore[attr-defined]
            if detail is None and actor.is_lead:
                yield Checkbox(t("ed.team"), id="ed-team")
            with TabbedContent(id="ed-tabs"):
                for style in STYLES:
                    with TabPane(style_label(style), id=f"tab-{style}"):
                        # Control characters are edited as their visible
                        # pictures (␛): raw, they would reach the terminal.
                        body = printable(detail.variants.get(style, "")) if detail else ""
                        yield TextArea(body, id=f"body-{style}", soft_wrap=True,
                                       show_line_numbers=False)
            yield Static(id="ed-lint", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.show_scenario()
        self.query_one("#ed-title", Input).focus()
        self._saved_state = self.state()
        if self.draft is not None:
            self.apply_draft(self.draft)
        self._drafted_state = self.state()
        self.relint()
        # Autosave: at most a second of typing is lost if the connection drops.
        self.set_interval(1.0, self.autosave)

    def apply_draft(self, draft: dict[str, object]) -> None:
        self.query_one("#ed-title", Input).value = printable(str(draft.get("title", "")))
        self.query_one("#ed-shortcut", Input).value = printable(str(draft.get("shortcut", "")))
        style = draft.get("default_style")
        if style in STYLES:
            self.query_one("#ed-default", Select).value = style
        variants = draft.get("variants")
        if isinstance(variants, dict):
            for style_key in STYLES:
                self.query_one(f"#body-{style_key}", TextArea).text = printable(
                    str(variants.get(style_key, "")))

    def draft_payload(self) -> dict[str, object]:
        return {
            "scenario": {"id": self.scenario.id, "title": self.scenario.title,
                         "category": self.scenario.category} if self.scenario else None,
            "title": self.query_one("#ed-title", Input).value,
            "shortcut": self.query_one("#ed-shortcut", Input).value,
            "default_style": str(self.query_one("#ed-default", Select).value),
            "variants": {s: self.query_one(f"#body-{s}", TextArea).text for s in STYLES},
            "script_id": self.detail.id if self.detail else None,
            "copy": self.copy,
        }

    def show_scenario(self) -> None:
        label = (f"{one_line(self.scenario.category)} › {one_line(self.scenario.title)}"
                 if self.scenario else "—")
        self.query_one("#ed-scenario", Static).update(
            Content.assemble(Content(label), Content("  (ctrl+o)").stylize("$text-muted")))

    def state(self) -> tuple[object, ...]:
        return (
            self.scenario.id if self.scenario else None,
            self.query_one("#ed-title", Input).value,
            self.query_one("#ed-shortcut", Input).value,
            self.query_one("#ed-default", Select).value,
            tuple(self.query_one(f"#body-{s}", TextArea).text for s in STYLES),
        )

    @property
    def dirty(self) -> bool:
        return self._saved_state is not None and self.state() != self._saved_state

    @on(TextArea.Changed)
    @on(TabbedContent.TabActivated)
    def relint(self) -> None:
        linter = self.app.linter  # type: ignore[attr-defined]
        active = self.query_one("#ed-tabs", TabbedContent).active or "tab-standard"
        style = active.removeprefix("tab-")
        text = self.query_one(f"#body-{style}", TextArea).text
        hits = linter.lint(text) if linter else []
        self.query_one("#ed-lint", Static).update(lint_summary(hits, limit=None))

    def action_pick_scenario(self) -> None:
        def picked(card: ScenarioCard | None) -> None:
            if card is not None:
                self.scenario = card
                self.show_scenario()

        self.app.push_screen(ScenarioPicker(), picked)

    def action_save(self) -> None:
        from cscterm.services.scripts import ScriptDraft

        if self.scenario is None:
            self.notify(t("err.invalid.required", field=t("ed.scenario")), severity="warning",
                        markup=False)
            self.action_pick_scenario()
            return
        draft = ScriptDraft(
            scenario_id=self.scenario.id,
            title=self.query_one("#ed-title", Input).value,
            shortcut=self.query_one("#ed-shortcut", Input).value,
            variants={s: self.query_one(f"#body-{s}", TextArea).text for s in STYLES},
            default_style=str(self.query_one("#ed-default", Select).value),
        )
        team = bool(self.query(Checkbox).first().value) if self.query(Checkbox) else False
        self.save(draft, team)

    @work(thread=True, exclusive=True, group="save")
    def save(self, draft: object, team: bool) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                if self.editing:
                    assert self.detail is not None
                    saved = scripts.update_script(session, ws.actor, self.detail.id, draft,  # type: ignore[arg-type]
                                                  expected_version=self.detail.version)
                else:
                    saved = scripts.create_script(session, ws.actor, draft, team=team)  # type: ignore[arg-type]
                self.drop_draft(session)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", timeout=10,
                                      markup=False)
            return
        self.app.call_from_thread(self._saved, saved)

    def _saved(self, saved: ScriptDetail) -> None:
        self.notify(t("ed.saved", shortcut=one_line(saved.shortcut)), markup=False)
        self._saved_state = self._drafted_state = self.state()
        self.dismiss(saved)

    def action_cancel(self) -> None:
        from cscterm.tui.widgets.confirm import Confirm

        if not self.dirty:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self._saved_state = self._drafted_state = self.state()
                self.write_draft(None)
                self.dismiss(None)

        self.app.push_screen(Confirm(t("ed.discard"), t("ed.discard_yes"), t("ed.discard_no")),
                             answered)

    def language_changed(self) -> None:
        self.show_scenario()
        self.relint()


__all__ = ["ScenarioPicker", "ScriptEditor"]
