"""Help: the keys of the screen it was opened from, and the global ones,
built from the bindings themselves so it never goes stale."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Label, Static

from cscterm.i18n import t


def _key_label(app: object, key: str) -> str:
    return ", ".join(app.get_key_display(Binding(k.strip(), "")) for k in key.split(","))  # type: ignore[attr-defined]


# Textual's own bindings carry English descriptions; these read in the UI language.
_BUILT_IN = {
    "Focus Next": "key.focus_next",
    "Focus Previous": "key.focus_previous",
    "Copy selected text": "key.copy_selection",
}


def _describe(description: str) -> str:
    key = _BUILT_IN.get(description)
    return t(key) if key else description


class HelpScreen(ModalScreen[None]):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,question_mark,q", "dismiss", "key.back"),
    ]

    def __init__(self, under: Screen[object]) -> None:
        super().__init__()
        self.under = under

    def _rows(self, node: object) -> Content:
        lines = []
        seen = set()
        for key, binding in node._bindings:  # type: ignore[attr-defined]
            if not binding.description or (binding.action, binding.description) in seen:
                continue
            seen.add((binding.action, binding.description))
            lines.append(Content.assemble(
                Content(f"{_key_label(self.app, key):>12}").stylize("bold $text-accent"),
                "  ", Content(_describe(binding.description))))
        return Content("\n").join(lines)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="help-dialog"):
            yield Label(Content(t("help.title")).stylize("bold"), markup=False)
            with VerticalScroll():
                yield Static(self._rows(self.under), markup=False)
                yield Label(Content(t("help.global")).stylize("bold $text-muted"), markup=False)
                yield Static(self._rows(self.app), markup=False)
            yield Static(t("help.close"), classes="dialog-hint", markup=False)

    async def action_dismiss(self, result: None = None) -> None:
        self.dismiss(result)
