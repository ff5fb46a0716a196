"""The small form that fills a script's placeholders for this conversation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from cscterm.i18n import t
from cscterm.text import one_line, printable

if TYPE_CHECKING:
    from cscterm.services.render import Placeholder


class FillForm(ModalScreen[dict[str, str] | None]):
    """Returns the values entered, or None if cancelled. Refuses to close with
    a required placeholder empty, naming it."""

    BINDINGS = [
        Binding("escape", "cancel", "key.cancel"),
        Binding("ctrl+s", "submit", "key.copy", show=False),
    ]

    def __init__(
        self,
        placeholders: Sequence[Placeholder],
        values: Mapping[str, str],
        labels: Mapping[str, str],
        title: str,
    ) -> None:
        super().__init__()
        self.placeholders = list(placeholders)
        self.values = dict(values)
        self.labels = dict(labels)
        self.script_title = title

    def compose(self) -> ComposeResult:
        with Vertical(id="fill-dialog", classes="dialog"):
            yield Label(Content(t("fill.title")).stylize("bold"), id="fill-title", markup=False)
            yield Label(Content(one_line(self.script_title)).stylize("$text-muted"), markup=False)
            with VerticalScroll(id="fill-fields"):
                for ph in self.placeholders:
                    label = self.labels.get(ph.name, "")
                    hint = t("fill.required") if ph.required else t("fill.default", default=ph.default)
                    text = f"{one_line(label)} ({ph.name})" if label else ph.name
                    yield Static(
                        Content.assemble(Content(text).stylize("bold"), "  ",
                                         Content(one_line(hint)).stylize("$text-muted")),
                        classes="fill-label", markup=False,
                    )
                    yield Input(
                        value=self.values.get(ph.name, ""),
                        placeholder=printable(ph.default or ""),
                        id=f"ph-{ph.name}",
                        classes="fill-input required" if ph.required else "fill-input",
                    )
            yield Static(t("fill.hint"), id="fill-hint", markup=False)

    def on_mount(self) -> None:
        from cscterm.tui.localise import localise_bindings

        localise_bindings(self)
        empty = next((ph for ph in self.placeholders if ph.required
                      and not self.values.get(ph.name, "").strip()), None)
        target = empty or (self.placeholders[0] if self.placeholders else None)
        if target is not None:
            self.query_one(f"#ph-{target.name}", Input).focus()

    def collected(self) -> dict[str, str]:
        return {ph.name: self.query_one(f"#ph-{ph.name}", Input).value.strip()
                for ph in self.placeholders}

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        values = self.collected()
        missing = [ph for ph in self.placeholders if ph.required and not values[ph.name]]
        for ph in self.placeholders:
            self.query_one(f"#ph-{ph.name}", Input).set_class(ph in missing, "-invalid")
        if missing:
            names = "、".join(self.labels.get(ph.name) or ph.name for ph in missing)
            self.notify(t("copy.refused", fields=one_line(names)), severity="warning", markup=False)
            self.query_one(f"#ph-{missing[0].name}", Input).focus()
            return
        self.dismiss(values)

    def action_cancel(self) -> None:
        self.dismiss(None)
