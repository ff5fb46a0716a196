"""Checklist templates for transfers (转售后清单模板): everyone reads them,
leads edit them.

The list shows every active template with its current version, its items,
the after-sale queue it sends to and its service levels; below it, the
highlighted template's YAML. A lead edits the YAML itself (or starts a new
template from a copy); saving stores a new version through
:func:`cscterm.services.checklists.save_source`, which takes the whole text
or nothing: every problem is listed as ``FILE:LINE: field: problem`` and the
cursor goes to the first. Transfers already created keep the version they
were made with.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Label, Static, TextArea
from textual.widgets.text_area import Selection

from cscterm.errors import Conflict, DomainError
from cscterm.i18n import register, t
from cscterm.text import one_line, printable
from cscterm.tui.localise import localise_bindings

if TYPE_CHECKING:
    from cscterm.services.checklists import TemplateDef, TemplateInfo
    from cscterm.services.io import Problem

EN = {
    "tpl.ui.title": "Checklist templates ({count})",
    "tpl.ui.title_read": "Checklist templates ({count}) · read only: leads edit them",
    "tpl.ui.col.name": "Name",
    "tpl.ui.col.key": "Key",
    "tpl.ui.col.number": "Ver.",
    "tpl.ui.col.items": "Items",
    "tpl.ui.col.queue": "Queue",
    "tpl.ui.col.sla": "Accept / resolve",
    "tpl.ui.preview": "{name} · version {number} · YAML",
    "tpl.ui.loading": "Loading…",
    "tpl.ui.empty": "No checklist templates yet.",
    "tpl.ui.failed": "Could not load the templates: {error}",
    "tpl.ui.lead_only": "Only a lead can edit or add checklist templates; you can read them here.",
    "tpl.ui.edit_title": "Editing {name} ({key}) · based on version {number}",
    "tpl.ui.new_title": "New template, copied from {name}: give it a key of its own",
    "tpl.ui.new_key": "<new-key>",
    "tpl.ui.new_key_comment": "a new key: a-z, 0-9, . _ -",
    "tpl.ui.problems": "{count} problem(s); nothing was saved. F8: next problem",
    "tpl.ui.not_saved": "Not saved: {message}",
    "tpl.ui.saved": "{name} saved as version {number}.",
    "tpl.ui.discard": "Discard your changes to this template?",
    "tpl.ui.discard_yes": "Discard",
    "tpl.ui.discard_no": "Keep editing",
    "tpl.ui.save_failed": "Could not save the template: {error}",
    "key.trl_tpl_edit": "Edit",
    "key.trl_tpl_new": "New from copy",
    "key.trl_tpl_problem": "Next problem",
    "key.trl_tpl_reload": "Reload",
}

ZH = {
    "tpl.ui.title": "清单模板（{count}）",
    "tpl.ui.title_read": "清单模板（{count}）· 只读：由组长维护",
    "tpl.ui.col.name": "名称",
    "tpl.ui.col.key": "键",
    "tpl.ui.col.number": "版本",
    "tpl.ui.col.items": "项数",
    "tpl.ui.col.queue": "队列",
    "tpl.ui.col.sla": "认领 / 解决时限",
    "tpl.ui.preview": "{name} · 第 {number} 版 · YAML",
    "tpl.ui.loading": "正在加载…",
    "tpl.ui.empty": "还没有清单模板。",
    "tpl.ui.failed": "无法加载模板：{error}",
    "tpl.ui.lead_only": "只有组长可以编辑或新增清单模板；你可以在这里查看。",
    "tpl.ui.edit_title": "编辑 {name}（{key}）· 基于第 {number} 版",
    "tpl.ui.new_title": "新模板，复制自 {name}：请给它起一个新的键",
    "tpl.ui.new_key": "<new-key>",
    "tpl.ui.new_key_comment": "新的键：a-z、0-9、. _ -",
    "tpl.ui.problems": "发现 {count} 个问题，未保存。F8 下一个问题",
    "tpl.ui.not_saved": "未保存：{message}",
    "tpl.ui.saved": "{name} 已保存为第 {number} 版。",
    "tpl.ui.discard": "放弃对这个模板的修改？",
    "tpl.ui.discard_yes": "放弃",
    "tpl.ui.discard_no": "继续编辑",
    "tpl.ui.save_failed": "无法保存模板：{error}",
    "key.trl_tpl_edit": "编辑",
    "key.trl_tpl_new": "复制新建",
    "key.trl_tpl_problem": "下一个问题",
    "key.trl_tpl_reload": "刷新",
}

register(EN, ZH)

_TOP_KEY = re.compile(r"^key:[^\n]*$", re.MULTILINE)
NAME_WIDTH = (14, 24)  # the name column, narrow and wide


def _cell(text: str, width: int) -> Text:
    cell = Text(one_line(text), end="", no_wrap=True)
    if cell.cell_len > width:
        cell.truncate(width, overflow="ellipsis")
    return cell


def sla(span: timedelta) -> str:
    """A service level as a template states it: 30m, 1h30m, 24h, 72h."""
    minutes = int(span.total_seconds() // 60)
    hours, minutes = divmod(minutes, 60)
    if not hours:
        return f"{minutes}m"
    return f"{hours}h{minutes:02d}m" if minutes else f"{hours}h"


def copy_source(source: str) -> str:
    """A template's YAML for a new one: the top-level key replaced by a
    placeholder that is not a valid key, so it cannot be saved unchanged."""
    line = f"key: {t('tpl.ui.new_key')}  # ← {t('tpl.ui.new_key_comment')}"
    if _TOP_KEY.search(source):
        return _TOP_KEY.sub(lambda _m: line, source, count=1)
    return f"{line}\n{source}"


def _yaml_language() -> str | None:
    """YAML highlighting when tree-sitter is installed; plain text otherwise
    (no extra dependency for a nicety)."""
    try:
        from textual._tree_sitter import TREE_SITTER, get_language
    except ImportError:
        return None
    try:
        return "yaml" if TREE_SITTER and get_language("yaml") is not None else None
    except Exception:  # noqa: BLE001 - a broken grammar package: plain text
        return None


# ── the editor ─────────────────────────────────────────────────────────────


class TemplateEditor(Screen["TemplateDef | None"]):
    """The YAML of one template (``key`` given) or of a new one (``key``
    None). Dismissed with the saved version, or None."""

    CSS_PATH = "../styles/transfer_lead.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "save", "key.save", priority=True),
        Binding("f8", "next_problem", "key.trl_tpl_problem"),
        Binding("escape", "cancel", "key.cancel"),
    ]

    def __init__(self, source: str, *, heading: str, key: str | None = None,
                 version: int | None = None,
                 select: tuple[tuple[int, int], tuple[int, int]] | None = None) -> None:
        super().__init__()
        localise_bindings(self)
        self.source = source
        self.heading = heading
        self.key = key
        self.version = version
        self.select = select
        self.original = source  # what was last saved (the text as loaded, once mounted)
        self.problems: list[Problem] = []
        self.problem_index = 0
        self.saving = False

    def compose(self) -> ComposeResult:
        yield Label(Content(self.heading).stylize("bold"), id="tpl-ed-heading", markup=False)
        yield TextArea(printable(self.source), id="tpl-ed-text", language=_yaml_language(),
                       show_line_numbers=True, soft_wrap=False)
        with VerticalScroll(id="tpl-ed-problems"):
            yield Static(id="tpl-ed-problem-list", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        self.original = area.text
        area.focus()
        if self.select is not None:  # the placeholder a new template must replace
            area.selection = Selection(*self.select)

    @property
    def text(self) -> str:
        return self.query_one(TextArea).text

    @property
    def dirty(self) -> bool:
        return self.text != self.original

    # ── saving ─────────────────────────────────────────────────────────────

    def action_save(self) -> None:
        if not self.saving:
            self.saving = True
            self.save(self.text)

    @work(thread=True, exclusive=True, group="template-save")
    def save(self, source: str) -> None:
        from cscterm.services import checklists
        from cscterm.services.io import ImportFailed

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                saved = checklists.save_source(session, ws.actor, source, key=self.key,
                                               version=self.version)
        except ImportFailed as exc:
            self.app.call_from_thread(self.show_problems, exc.problems)
        except DomainError as exc:  # a stale edit (who changed it), not a lead, too long
            self.app.call_from_thread(self.show_refusal, str(exc), isinstance(exc, Conflict))
        except Exception as exc:  # noqa: BLE001 - a message, never a traceback
            self.app.call_from_thread(
                self.show_refusal,
                t("tpl.ui.save_failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}"),
                False)
        else:
            self.app.call_from_thread(self._saved, saved)
            return
        self.app.call_from_thread(setattr, self, "saving", False)

    def show_problems(self, problems: list[Problem]) -> None:
        """Every problem below the editor; the cursor on the first one's line."""
        self.problems = list(problems)
        self.problem_index = 0
        self._paint_problems()
        self.notify(t("tpl.ui.problems", count=len(problems)), severity="error", markup=False)
        self.go_to_problem()

    def show_refusal(self, message: str, conflict: bool) -> None:
        self.problems = []
        pane = self.query_one("#tpl-ed-problems")
        pane.add_class("-shown")
        self.query_one("#tpl-ed-problem-list", Static).update(
            Content(t("tpl.ui.not_saved", message=message)).stylize("$error"))
        self.notify(message, severity="error", timeout=15 if conflict else 10, markup=False)

    def _paint_problems(self) -> None:
        lines = [Content(t("tpl.ui.problems", count=len(self.problems))).stylize("bold $error")]
        for n, problem in enumerate(self.problems):
            line = Content(printable(str(problem)))
            if n == self.problem_index:
                line = Content.assemble(Content("▶ ").stylize("bold $error"), line.stylize("bold"))
            else:
                line = Content.assemble(Content("  "), line)
            lines.append(line)
        self.query_one("#tpl-ed-problems").add_class("-shown")
        self.query_one("#tpl-ed-problem-list", Static).update(Content("\n").join(lines))

    def go_to_problem(self) -> None:
        if not self.problems:
            return
        area = self.query_one(TextArea)
        line = min(max(self.problems[self.problem_index].line - 1, 0),
                   max(area.document.line_count - 1, 0))
        area.move_cursor((line, 0))
        area.focus()
        self.call_after_refresh(area.scroll_cursor_visible, center=True)

    def action_next_problem(self) -> None:
        if self.problems:
            self.problem_index = (self.problem_index + 1) % len(self.problems)
            self._paint_problems()
            self.go_to_problem()

    def _saved(self, saved: TemplateDef) -> None:
        self.saving = False
        self.original = self.text
        self.notify(t("tpl.ui.saved", name=one_line(saved.name), number=saved.number),
                    markup=False)
        self.dismiss(saved)

    def action_cancel(self) -> None:
        from cscterm.tui.widgets.confirm import Confirm

        if not self.dirty:
            self.dismiss(None)
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.dismiss(None)

        self.app.push_screen(Confirm(t("tpl.ui.discard"), t("tpl.ui.discard_yes"),
                                     t("tpl.ui.discard_no")), answered)


# ── the list ───────────────────────────────────────────────────────────────


class TemplatesScreen(Screen[None]):
    """Every checklist template, with the highlighted one's YAML."""

    CSS_PATH = "../styles/transfer_lead.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "edit", "key.trl_tpl_edit", priority=True),
        Binding("e", "edit", "key.trl_tpl_edit", show=False),
        Binding("n", "new", "key.trl_tpl_new"),
        Binding("R,ctrl+r", "reload", "key.trl_tpl_reload", show=False),
        Binding("escape,q", "back", "key.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self.templates: list[TemplateInfo] = []
        self.sources: dict[tuple[str, int], str] = {}  # (key, version number) → YAML
        self.loaded = False
        self.select_key: str | None = None  # highlight this one after the next load

    def compose(self) -> ComposeResult:
        yield Label(id="tpl-title", markup=False)
        yield DataTable(id="tpl-table", cursor_type="row", zebra_stripes=True)
        yield Label(id="tpl-preview-title", markup=False)
        with VerticalScroll(id="tpl-preview"):
            yield Static(id="tpl-yaml", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.render_title()
        self.query_one(DataTable).focus()
        if self.app.ws is not None:  # type: ignore[attr-defined]
            self.load()

    def workspace_ready(self) -> None:
        self.load()

    def language_changed(self) -> None:
        self.render_list()

    @property
    def is_lead(self) -> bool:
        ws = self.app.ws  # type: ignore[attr-defined]
        return ws is not None and ws.actor.is_lead

    # ── loading ────────────────────────────────────────────────────────────

    def load(self) -> None:
        self.fetch()

    @work(thread=True, exclusive=True, group="templates")
    def fetch(self) -> None:
        from cscterm.services import checklists

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                templates = checklists.list_templates(session)
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            message = str(exc) if isinstance(exc, DomainError) else t(
                "tpl.ui.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        self.app.call_from_thread(self._loaded, templates)

    def _loaded(self, templates: list[TemplateInfo]) -> None:
        self.templates = templates
        self.loaded = True
        self.render_list()

    @work(thread=True, exclusive=True, group="template-preview")
    def fetch_source(self, key: str, number: int) -> None:
        from cscterm.services import checklists

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                source, _version = checklists.template_source(session, key)
        except Exception as exc:  # noqa: BLE001 - shown in the preview
            source = f"# {type(exc).__name__}: {one_line(str(exc), 200)}"
        self.app.call_from_thread(self._source_loaded, key, number, source)

    def _source_loaded(self, key: str, number: int, source: str) -> None:
        self.sources[(key, number)] = source
        info = self.current
        if info is not None and (info.key, info.number) == (key, number):
            self.render_preview()

    # ── painting ───────────────────────────────────────────────────────────

    def render_title(self) -> None:
        key = "tpl.ui.title" if self.is_lead or self.app.ws is None else "tpl.ui.title_read"  # type: ignore[attr-defined]
        self.query_one("#tpl-title", Label).update(
            Content(t(key, count=len(self.templates))).stylize("bold"))

    def render_list(self) -> None:
        self.render_title()
        table = self.query_one(DataTable)
        previous = self.select_key or (self.current.key if self.current else None)
        self.select_key = None
        wide = self.has_class("-wide")
        table.clear(columns=True)
        for key in ("name", "key", "number", "items", "queue", "sla"):
            right = key in ("number", "items")
            table.add_column(Text(t(f"tpl.ui.col.{key}"), justify="right" if right else "left"),
                             key=key)
        name_width = NAME_WIDTH[1] if wide else NAME_WIDTH[0]
        for info in self.templates:
            table.add_row(
                _cell(info.name, name_width), _cell(info.key, 24),
                Text(f"v{info.number}", justify="right"), Text(str(info.item_count),
                                                                justify="right"),
                _cell(info.queue, 12),
                Text(f"{sla(info.accept)} / {sla(info.resolve)}"),
                key=info.key)
        keys = [info.key for info in self.templates]
        if keys:
            table.move_cursor(row=keys.index(previous) if previous in keys else 0)
        self.render_preview()

    @property
    def current(self) -> TemplateInfo | None:
        table = self.query_one(DataTable)
        if 0 <= table.cursor_row < len(self.templates):
            return self.templates[table.cursor_row]
        return None

    @on(DataTable.RowHighlighted)
    def _highlighted(self, _event: DataTable.RowHighlighted) -> None:
        self.render_preview()

    def render_preview(self) -> None:
        title = self.query_one("#tpl-preview-title", Label)
        shown = self.query_one("#tpl-yaml", Static)
        info = self.current
        if info is None:
            title.update("")
            shown.update(Content(t("tpl.ui.empty" if self.loaded else "tpl.ui.loading"))
                         .stylize("$text-muted"))
            return
        title.update(Content(t("tpl.ui.preview", name=one_line(info.name), number=info.number)))
        source = self.sources.get((info.key, info.number))
        if source is None:
            shown.update(Content(t("tpl.ui.loading")).stylize("$text-muted"))
            self.fetch_source(info.key, info.number)
            return
        shown.update(Content(printable(source)))
        self.query_one("#tpl-preview", VerticalScroll).scroll_home(animate=False)

    # ── actions ────────────────────────────────────────────────────────────

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("edit", "new"):
            return True if self.templates else None
        return True

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_reload(self) -> None:
        self.sources.clear()
        self.load()

    def _lead_only(self) -> bool:
        if self.is_lead:
            return False
        self.notify(t("tpl.ui.lead_only"), severity="warning", markup=False)
        return True

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit()

    def action_edit(self) -> None:
        info = self.current
        if info is None or self._lead_only():
            return
        self.open_editor(info, copy=False)

    def action_new(self) -> None:
        info = self.current
        if info is None or self._lead_only():
            return
        self.open_editor(info, copy=True)

    @work(thread=True, exclusive=True, group="template-open")
    def open_editor(self, info: TemplateInfo, copy: bool) -> None:
        """Read the current text and the version to edit against, then edit
        it (or a copy of it under a new key)."""
        from cscterm.services import checklists

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                source, version = checklists.template_source(session, info.key)
                number = checklists.get_template(session, info.key).number
        except Exception as exc:  # noqa: BLE001 - a notification, never a traceback
            message = str(exc) if isinstance(exc, DomainError) else t(
                "tpl.ui.failed", error=f"{type(exc).__name__}: {one_line(str(exc), 200)}")
            self.app.call_from_thread(self.notify, message, severity="error", markup=False)
            return
        name = one_line(info.name)
        editor: TemplateEditor
        if copy:
            text = copy_source(source)
            placeholder = t("tpl.ui.new_key")
            at = text.find(placeholder)
            row = text.count("\n", 0, at)
            column = at - (text.rfind("\n", 0, at) + 1)
            editor = TemplateEditor(text, heading=t("tpl.ui.new_title", name=name),
                                    select=((row, column), (row, column + len(placeholder))))
        else:
            editor = TemplateEditor(source, heading=t("tpl.ui.edit_title", name=name,
                                                      key=info.key, number=number),
                                    key=info.key, version=version)
        self.app.call_from_thread(self.app.push_screen, editor, self._edited)

    def _edited(self, saved: Any) -> None:
        if saved is not None:
            self.select_key = saved.key
            self.load()


__all__ = ["TemplateEditor", "TemplatesScreen", "copy_source"]
