"""The list of scripts beside the detail pane (search results or a category)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.binding import Binding
from textual.content import Content
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from cscterm.i18n import t
from cscterm.text import one_line

if TYPE_CHECKING:
    from cscterm.services.scripts import ScriptHit


def fit(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` terminal cells (CJK characters take two)."""
    if cell_len(text) <= width:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > width - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…"


def hit_prompt(hit: ScriptHit, width: int) -> Content:
    """One line: ``leaf › title … /shortcut`` fitted to ``width`` cells."""
    leaf = one_line(hit.category.rsplit("/", 1)[-1])
    title = one_line(hit.title)
    shortcut = "/" + one_line(hit.shortcut)
    mark = "◆ " if hit.personal else ""
    room = max(width - cell_len(shortcut) - 1, 6)
    left = fit(f"{mark}{leaf} › {title}", room)
    pad = max(width - cell_len(left) - cell_len(shortcut), 1)
    content = Content(left + " " * pad + shortcut)
    prefix = f"{mark}{leaf} › "
    if left.startswith(prefix):
        content = content.stylize("$text-muted", 0, len(prefix))
    start = len(left) + pad
    return content.stylize("$text-accent", start, start + len(shortcut))


class ScriptList(OptionList):
    """Script hits; the screen feeds pages in and reacts to the highlight."""

    BINDINGS = [
        Binding("j", "cursor_down", show=False),
        Binding("k", "cursor_up", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(markup=False, **kwargs)  # type: ignore[arg-type]
        self.hits: list[ScriptHit] = []

    def _prompt_width(self) -> int:
        return max(self.scrollable_content_region.width - 1, 20)

    def show(self, hits: list[ScriptHit], *, append: bool = False, highlight: int = 0) -> None:
        width = self._prompt_width()
        if not append:
            self.hits = []
            self.clear_options()
        start = len(self.hits)
        self.hits.extend(hits)
        self.add_options(Option(hit_prompt(h, width), id=str(start + n)) for n, h in enumerate(hits))
        if not append and hits:
            self.highlighted = min(highlight, len(hits) - 1)

    def on_resize(self) -> None:
        if not self.hits:
            return
        keep = self.highlighted
        width = self._prompt_width()
        self.clear_options()
        self.add_options(Option(hit_prompt(h, width), id=str(n)) for n, h in enumerate(self.hits))
        if keep is not None and keep < len(self.hits):
            self.highlighted = keep

    @property
    def current(self) -> ScriptHit | None:
        index = self.highlighted
        if index is None or index >= len(self.hits):
            return None
        return self.hits[index]

    def empty_message(self, message: str) -> None:
        self.hits = []
        self.clear_options()
        self.add_option(Option(Content(message), disabled=True))


def status_line(query: str, count: int, more: bool) -> str:
    if not query:
        return t("lib.results_all")
    key = "lib.results_more" if more else "lib.results_query"
    return t(key, count=count, query=one_line(query, 24))
