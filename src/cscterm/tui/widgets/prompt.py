"""A one-line question: Enter answers, Esc cancels (None)."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cscterm.i18n import t
from cscterm.text import printable


class TextPrompt(ModalScreen["str | None"]):
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", show=False)]

    def __init__(self, question: str, *, placeholder: str = "", value: str = "",
                 allow_empty: bool = False, max_length: int = 2000) -> None:
        super().__init__()
        self.question = question
        self.placeholder = placeholder
        self.value = value
        self.allow_empty = allow_empty
        self.max_length = max_length

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog prompt-dialog"):
            yield Static(self.question, markup=False)
            yield Input(printable(self.value), placeholder=self.placeholder,
                        max_length=self.max_length, id="prompt-input")
            yield Static(t("prompt.hint"), markup=False, classes="dialog-hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if not value and not self.allow_empty:
            self.notify(t("prompt.empty"), severity="warning", markup=False)
            return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
