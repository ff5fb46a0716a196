"""The detail pane: the script in the chosen style, its lint, and the
scenario card (处境, 来意, 关心, 常说, 怎么答, 禁忌)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from textual.containers import VerticalScroll
from textual.content import Content
from textual.widgets import Static

from cscterm.i18n import level_label, style_label, t
from cscterm.text import one_line, printable

if TYPE_CHECKING:
    from cscterm.services.lint import LintHit, Linter
    from cscterm.services.scripts import ScenarioCard, ScriptDetail


def rendered_body(body: str, values: Mapping[str, str]) -> tuple[Content, str]:
    """The body with conversation values filled in, as styled literal content,
    and the plain filled text (what lint checks and copy sends)."""
    from cscterm.services.render import PLACEHOLDER

    pieces: list[tuple[str, str]] = []
    pos = 0
    for match in PLACEHOLDER.finditer(body):
        pieces.append((body[pos : match.start()], ""))
        name, default = match.group(1), match.group(2)
        value = (values.get(name) or "").strip()
        if value:
            pieces.append((value, "bold $text-success"))
        elif default is not None:
            pieces.append((default.strip(), "italic $text-muted"))
        else:
            pieces.append((match.group(), "bold $text-warning"))
        pos = match.end()
    pieces.append((body[pos:], ""))
    plain = "".join(text for text, _ in pieces)
    content = Content(printable(plain))
    offset = 0
    for text, style in pieces:
        if style:
            content = content.stylize(style, offset, offset + len(text))
        offset += len(text)
    return content, plain


def with_lint(content: Content, hits: Sequence[LintHit]) -> Content:
    for hit in hits:
        content = content.stylize("underline bold $text-error", hit.start, hit.end)
    return content


def lint_summary(hits: Sequence[LintHit], limit: int | None = 3) -> Content:
    if not hits:
        return Content(t("lint.clean")).stylize("$text-success")
    lines = [t("lint.hits", count=len(hits))]
    shown = hits if limit is None else hits[:limit]
    lines += [
        "  " + t("lint.hit", term=printable(h.term), reason=one_line(h.reason),
                 alternative=one_line(h.alternative))
        for h in shown
    ]
    if limit is not None and len(hits) > limit:
        lines.append(f"  … +{len(hits) - limit}")
    return Content("\n".join(lines)).stylize("$text-error", 0, len(lines[0]))


def card_content(card: ScenarioCard) -> Content:
    rows: list[tuple[str, str]] = [
        (t("card.situation"), card.situation),
        (t("card.reasons"), "；".join(card.reasons) if card.language == "zh_CN" else "; ".join(card.reasons)),
        (t("card.concerns"), "；".join(card.concerns) if card.language == "zh_CN" else "; ".join(card.concerns)),
        (t("card.phrases"), "  ".join(f"“{p}”" for p in card.phrases)),
        (t("card.guidance"), card.guidance),
        (t("card.never"), "；".join(card.never) if card.language == "zh_CN" else "; ".join(card.never)),
        (t("card.level"), level_label(card.level)),
    ]
    if card.tags:
        rows.append((t("card.tags"), " ".join(f"#{tag}" for tag in card.tags)))
    parts: list[Content] = []
    for label, value in rows:
        if not value:
            continue
        label_content = Content(label).stylize("bold $text-primary")
        parts.append(Content.assemble(label_content, "  ", Content(printable(value.strip()))))
    return Content("\n").join(parts)


class ScriptView(VerticalScroll, can_focus=True):
    """Shows one script; the screen tells it what to show."""

    DEFAULT_CLASSES = "script-view"

    def compose(self):  # type: ignore[no-untyped-def]
        yield Static(id="sv-head", markup=False)
        yield Static(id="sv-body", markup=False)
        yield Static(id="sv-lint", markup=False)
        yield Static(id="sv-card", markup=False)

    def show_message(self, message: str) -> None:
        self.query_one("#sv-head", Static).update(Content(message).stylize("$text-muted"))
        for name in ("#sv-body", "#sv-lint", "#sv-card"):
            self.query_one(name, Static).update("")

    def show(
        self,
        detail: ScriptDetail,
        style: str,
        values: Mapping[str, str],
        linter: Linter | None,
    ) -> str:
        """Show ``detail`` in ``style``; returns the filled text."""
        styles = detail.styles
        index = styles.index(style) + 1 if style in styles else 1
        owner = ""
        if detail.personal:
            owner = "  · " + t("lib.mine")
        head = Content.assemble(
            Content(one_line(detail.title)).stylize("bold"),
            Content(f"  /{one_line(detail.shortcut)}").stylize("$text-accent"),
            Content(owner).stylize("$text-muted"),
            "  ",
            Content(t("lib.style_n", label=style_label(style), n=index, total=len(styles)))
            .stylize("reverse $text-primary"),
        )
        category = Content(one_line(detail.scenario.category.replace("/", " › ")) + " › "
                           + one_line(detail.scenario.title)).stylize("$text-muted")
        self.query_one("#sv-head", Static).update(Content("\n").join([head, category]))
        body, plain = rendered_body(detail.variants.get(style, ""), values)
        hits = linter.lint(plain) if linter is not None else []
        self.query_one("#sv-body", Static).update(with_lint(body, hits))
        self.query_one("#sv-lint", Static).update(lint_summary(hits))
        self.query_one("#sv-card", Static).update(card_content(detail.scenario))
        return plain
