"""Shown before copying a reply that contains forbidden terms."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from cscterm.i18n import t
from cscterm.tui.widgets.script_view import lint_summary, with_lint

if TYPE_CHECKING:
    from cscterm.services.lint import LintHit


class LintConfirm(ModalScreen[bool]):
    BINDINGS = [
        Binding("enter", "confirm", "key.copy_anyway"),
        Binding("escape", "cancel", "key.back"),
    ]

    def __init__(self, text: str, hits: Sequence[LintHit]) -> None:
        super().__init__()
        self.text = text
        self.hits = list(hits)

    def compose(self) -> ComposeResult:
        from cscterm.text import printable

        with Vertical(id="lint-dialog", classes="dialog"):
            yield Label(Content(t("lintc.title")).stylize("bold $text-error"), markup=False)
            with VerticalScroll():
                yield Static(with_lint(Content(printable(self.text)), self.hits), markup=False,
                             id="lint-text")
                yield Static(lint_summary(self.hits, limit=None), markup=False, id="lint-hits")
            yield Static(t("lintc.hint"), markup=False, classes="dialog-hint")

    def on_mount(self) -> None:
        from cscterm.tui.localise import localise_bindings

        localise_bindings(self)

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
