"""The scenario script library (话术库): search, read, fill, lint, copy.

Searching runs in a thread worker as the agent types; if a search is still
running when another key arrives, only the newest query runs next, so a
keystroke never waits for the database and stale results never linger.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static, Tree

from cscterm.errors import DomainError
from cscterm.i18n import get_language, style_label, t
from cscterm.text import one_line, strip_controls
from cscterm.tui.localise import localise_bindings
from cscterm.tui.screens.mode import TopBar
from cscterm.tui.widgets.script_list import ScriptList, status_line
from cscterm.tui.widgets.script_view import ScriptView

if TYPE_CHECKING:
    from cscterm.services.lint import Linter
    from cscterm.services.scripts import Category, ScriptDetail, ScriptHit  # noqa: F401

PAGE = 50


class SearchInput(Input):
    """Typing searches; arrows move the results; Enter copies the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down", "screen.move(1)", "↓", show=False),
        Binding("up", "screen.move(-1)", "↑", show=False),
        Binding("pagedown", "screen.move(10)", show=False),
        Binding("pageup", "screen.move(-10)", show=False),
        Binding("tab", "screen.cycle_style(1)", "key.style"),
        Binding("shift+tab", "screen.cycle_style(-1)", "key.style_prev", show=False),
        Binding("escape", "screen.leave_search", "key.back"),
    ]

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        localise_bindings(self)


class LibraryScreen(Screen[None]):
    CSS_PATH = "library.tcss"
    AUTO_FOCUS = "#results"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "focus_search", "key.search"),
        Binding("y", "copy", "key.copy"),
        Binding("enter", "copy", "key.copy", show=False),
        Binding("s", "cycle_style(1)", "key.style"),
        Binding("S", "cycle_style(-1)", "key.style_prev", show=False),
        Binding("f", "fill", "key.fill", show=False),
        Binding("e", "edit", "key.edit"),
        Binding("n", "new", "key.new"),
        Binding("c", "toggle_tree", "key.tree"),
        Binding("t", "terms", "key.terms", show=False),
        Binding("T", "transfer", "key.transfer", show=False),
        Binding("delete", "retire", "key.retire", show=False),
        Binding("escape", "back", "key.back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        localise_bindings(self)
        self.query_text = ""
        self.category: str | None = None
        self.more = False
        self.detail: ScriptDetail | None = None
        self.style = ""
        self.linter: Linter | None = None
        self.labels: dict[str, str] = {}
        self.shown_text = ""
        # Search coalescing: the newest wanted query, and whether a worker runs.
        self._wanted: str | None = None
        self._searching = False
        self._lock = threading.Lock()
        # Incremented whenever results are painted (benchmarks and tests wait on it).
        self.results_version = 0
        self.results_query = ""
        self._tree_loaded = False
        self._gc_frozen = False
        # A script to keep highlighted when the next results arrive (just saved).
        self._keep_id: int | None = None

    # ── layout ─────────────────────────────────────────────────────────────

    def compose(self) -> ComposeResult:
        yield TopBar(id="topbar")
        yield SearchInput(placeholder=t("lib.search_placeholder"), id="search")
        with Horizontal(id="main"):
            # The category tree is mounted when first shown (see tree()).
            with Vertical(id="left"):
                yield Static(t("loading"), id="status", markup=False)
                yield ScriptList(id="results")
            yield ScriptView(id="detail")
        yield Footer()

    def on_mount(self) -> None:
        self.update_topbar()
        self.query_one(ScriptView).show_message(t("loading"))
        if self.app.ws is not None:  # type: ignore[attr-defined]
            self.workspace_ready()

    def tree(self) -> Tree[str | None]:
        """The category tree, mounted on first use: at 80 columns it stays
        hidden until asked for, and the first frame should not pay for it."""
        found = self.query("#tree")
        if found:
            return found.first(Tree)
        tree: Tree[str | None] = Tree(Text(t("tree.all")), id="tree")
        tree.show_root = True
        self.query_one("#main").mount(tree, before="#left")
        tree.root.expand()
        return tree

    def update_topbar(self) -> None:
        values = len(self.app.conversation)  # type: ignore[attr-defined]
        self.query_one(TopBar).show("library", self.app.ws,  # type: ignore[attr-defined]
                                    t("conv.values", count=values) if values else "")

    def language_changed(self) -> None:
        """Labels follow at once; the list, tree and placeholder labels are
        read again, since browsing lists the UI language's scripts first."""
        self.update_topbar()
        self.query_one(SearchInput).placeholder = t("lib.search_placeholder")
        if self.query("#tree"):
            self.tree().root.set_label(Text(t("tree.all")))
        self.show_detail()
        self.update_status()
        if self.app.ws is None:  # type: ignore[attr-defined]
            return
        self._tree_loaded = False
        self.load_reference()
        if self.detail is not None:
            self._keep_id = self.detail.id
        self.request_search(self.query_one(SearchInput).value)

    def conversation_changed(self) -> None:
        self.update_topbar()
        self.show_detail()

    # ── loading ────────────────────────────────────────────────────────────

    def workspace_ready(self) -> None:
        self.update_topbar()
        self.load_reference()
        self.request_search(self.query_one(SearchInput).value)
        self.offer_drafts()

    @work(thread=True, group="drafts")
    def offer_drafts(self) -> None:
        """A script left unsaved last time (a dropped connection, a crash) is
        offered back once the library is open."""
        from cscterm.services import drafts, scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        with ws.session() as session:
            found = drafts.pending(session, ws.actor, "script")
            if not found:
                self._offer_handover_draft(session)
                return
            draft = found[0]
            payload = draft.payload
            detail = scenario = None
            script_id = payload.get("script_id")
            if script_id:
                try:
                    detail = scripts.get_script(session, ws.actor, int(script_id))
                except DomainError:
                    drafts.discard(session, ws.actor, "script", draft.ref)
                    payload = {**payload, "copy": False, "script_id": None}
            card = payload.get("scenario")
            if detail is None and isinstance(card, dict) and card.get("id"):
                try:
                    scenario = scripts.get_scenario(session, int(card["id"]))
                except DomainError:
                    scenario = None
        self.app.call_from_thread(self._offer_draft, draft, payload, detail, scenario)

    def _offer_handover_draft(self, session: object) -> None:
        """An unsent handover left with unsaved typing is offered back too."""
        from cscterm.services import drafts, handover

        ws = self.app.ws  # type: ignore[attr-defined]
        for draft in drafts.pending(session, ws.actor, "handover"):  # type: ignore[arg-type]
            try:
                note = handover.get_handover(session, ws.actor, int(draft.ref))  # type: ignore[arg-type]
            except (DomainError, ValueError):
                continue
            if note.status == "draft":
                self.app.call_from_thread(self._offer_handover, note, draft.updated_at)
                return
        if drafts.pending(session, ws.actor, "transfer"):  # type: ignore[arg-type]
            from cscterm.tui.screens import transfer

            found = transfer.unsent_draft(session, ws.actor)
            if found is not None:
                self.app.call_from_thread(transfer.offer_draft, self.app, found)

    def _offer_handover(self, note: object, when: object) -> None:
        from cscterm.text import local_time
        from cscterm.tui.widgets.confirm import Confirm

        shift = f"{note.shift_date} {one_line(note.shift_name)}"  # type: ignore[attr-defined]

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.app.switch_mode("handover")
            self.app.call_after_refresh(
                lambda: self.app.screen.open_editor(note.id))  # type: ignore[attr-defined]

        self.app.push_screen(
            Confirm(t("draft.offer_handover", shift=shift,
                      when=local_time(when, "%m-%d %H:%M")),  # type: ignore[arg-type]
                    t("draft.open"), t("draft.later")), answered)

    def _offer_draft(self, draft: object, payload: dict[str, object], detail: object,
                     scenario: object) -> None:
        from cscterm.text import local_time
        from cscterm.tui.screens.editor import ScriptEditor
        from cscterm.tui.widgets.confirm import Confirm

        title = one_line(str(payload.get("title") or "—"), 40)

        def answered(yes: bool | None) -> None:
            if yes:
                self.app.push_screen(
                    ScriptEditor(detail, scenario=scenario, copy=bool(payload.get("copy")),  # type: ignore[arg-type]
                                 draft=payload), self._edited)

        when = local_time(draft.updated_at, "%m-%d %H:%M")  # type: ignore[attr-defined]
        self.app.push_screen(
            Confirm(t("draft.offer", title=title, when=when), t("draft.open"), t("draft.later")),
            answered)

    @work(thread=True, group="reference")
    def load_reference(self) -> None:
        """Forbidden terms and placeholder labels (small, rarely change)."""
        from cscterm.services import io, lint

        ws = self.app.ws  # type: ignore[attr-defined]
        with ws.session() as session:
            linter = lint.linter(session)
            labels = io.placeholder_labels(session, get_language())
        self.app.call_from_thread(self._reference_loaded, linter, labels)
        if self._tree_wanted:
            self.load_tree()

    def _reference_loaded(self, linter: Linter, labels: dict[str, str]) -> None:
        if not self.is_mounted:
            return
        self.linter = linter
        self.app.linter = linter  # type: ignore[attr-defined]
        self.labels = labels
        self.show_detail()

    @property
    def _tree_wanted(self) -> bool:
        """The tree counts every script, so it is read only once it is shown."""
        return self.has_class("-wide") or self.has_class("-tree-open")

    def on_resize(self) -> None:
        if self._tree_wanted and not self._tree_loaded and self.app.ws is not None:  # type: ignore[attr-defined]
            self.load_tree()

    @work(thread=True, group="tree", exclusive=True)
    def load_tree(self) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        self._tree_loaded = True
        with ws.session() as session:
            cats = scripts.categories(session, ws.actor, get_language())
        self.app.call_from_thread(self.fill_tree, cats)

    def fill_tree(self, cats: list[Category]) -> None:
        if not self.is_mounted:
            return
        tree = self.tree()
        tree.clear()
        tree.root.set_label(Text(t("tree.all")))
        tree.root.data = None
        nodes = {"": tree.root}
        for cat in cats:
            parent = nodes.get(cat.path.rsplit("/", 1)[0] if "/" in cat.path else "", tree.root)
            label = Text(f"{one_line(cat.name)} ({cat.count})")
            node = parent.add(label, data=cat.path, expand=cat.depth == 0)
            nodes[cat.path] = node
        tree.root.expand()

    def reload_terms(self) -> None:
        self.load_reference()

    # ── search ─────────────────────────────────────────────────────────────

    @on(Input.Changed, "#search")
    def _query_changed(self, event: Input.Changed) -> None:
        self.request_search(event.value)

    def request_search(self, query: str) -> None:
        if self.app.ws is None:  # type: ignore[attr-defined]
            return
        if query.strip() == "/" and self.results_version:
            return  # the start of a /shortcut: keep what is shown
        with self._lock:
            self._wanted = query
            if self._searching:
                return
            self._searching = True
        self.run_searches()

    @work(thread=True, group="search")
    def run_searches(self) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        while True:
            with self._lock:
                query = self._wanted
                self._wanted = None
                if query is None:
                    self._searching = False
                    return
            category = self.category
            try:
                with ws.session() as session:
                    if query.strip().lstrip("/"):
                        hits = scripts.search(session, ws.actor, query, limit=PAGE + 1)
                    else:
                        hits = scripts.browse(session, ws.actor, category=category,
                                              limit=PAGE + 1, language=get_language())
            except Exception as exc:  # noqa: BLE001 - shown, never a traceback
                self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
                hits = []
            self.app.call_from_thread(self._results, query, hits)

    def _results(self, query: str, hits: list[ScriptHit]) -> None:
        if not self.is_mounted:
            return
        self.more = len(hits) > PAGE
        hits = hits[:PAGE]
        self.query_text = query
        results = self.query_one(ScriptList)
        keep, self._keep_id = self._keep_id, None
        if hits:
            index = next((n for n, h in enumerate(hits) if h.id == keep), 0)
            results.show(hits, highlight=index)
        else:
            results.empty_message(
                t("lib.no_results", query=one_line(query, 30)) if query.strip() else t("lib.empty"))
            self.detail = None
            self.query_one(ScriptView).show_message(t("lib.pick_script"))
        self.update_status()
        self.results_query = query
        self.results_version += 1
        self.app.start_watching()  # type: ignore[attr-defined]
        if not self._gc_frozen:
            # Everything loaded so far lives as long as the app: keep the
            # collector from walking it again on every full collection
            # (those pauses showed up as keystroke latency spikes).
            import gc

            gc.freeze()
            self._gc_frozen = True

    def update_status(self) -> None:
        results = self.query_one(ScriptList)
        self.query_one("#status", Static).update(
            status_line(self.query_text.strip(), len(results.hits), self.more))

    @work(thread=True, group="more", exclusive=True)
    def load_more(self) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        results = self.query_one(ScriptList)
        query, loaded = self.query_text, list(results.hits)
        with ws.session() as session:
            if query.strip().lstrip("/"):
                hits = scripts.search(session, ws.actor, query, limit=PAGE + 1, offset=len(loaded))
            else:
                hits = scripts.browse(session, ws.actor, category=self.category, limit=PAGE + 1,
                                      after=loaded[-1], language=get_language())
        self.app.call_from_thread(self._more_loaded, query, len(loaded), hits)

    def _more_loaded(self, query: str, count: int, hits: list[ScriptHit]) -> None:
        if not self.is_mounted:
            return
        results = self.query_one(ScriptList)
        if query != self.query_text or count != len(results.hits):
            return  # the results changed meanwhile
        self.more = len(hits) > PAGE
        results.show(hits[:PAGE], append=True)
        self.update_status()

    # ── detail ─────────────────────────────────────────────────────────────

    @on(OptionList.OptionHighlighted, "#results")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        results = self.query_one(ScriptList)
        hit = results.current
        if hit is None:
            return
        if self.more and event.option_index >= len(results.hits) - 5:
            self.more = False
            self.load_more()
        if self.detail is None or self.detail.id != hit.id:
            self.load_detail(hit.id)

    @on(OptionList.OptionSelected, "#results")
    def _selected(self, _event: OptionList.OptionSelected) -> None:
        self.action_copy()

    @on(Input.Submitted, "#search")
    def _submitted(self, _event: Input.Submitted) -> None:
        """Enter in the search box copies the highlighted script, as on the list."""
        if self.query_one(ScriptList).current is not None:
            self.action_copy()

    @work(thread=True, group="detail", exclusive=True)
    def load_detail(self, script_id: int) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                detail = scripts.get_script(session, ws.actor, script_id)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.app.call_from_thread(self._detail_loaded, detail)

    def _detail_loaded(self, detail: ScriptDetail) -> None:
        if not self.is_mounted:
            return
        current = self.query_one(ScriptList).current
        if current is not None and current.id != detail.id:
            return  # the highlight moved on
        keep_style = self.detail is not None and self.detail.id == detail.id
        self.detail = detail
        if not keep_style or self.style not in detail.variants:
            self.style = detail.default_style
        self.show_detail()

    def show_detail(self) -> None:
        view = self.query_one(ScriptView)
        if self.detail is None:
            return
        self.shown_text = view.show(self.detail, self.style,
                                    self.app.conversation, self.linter)  # type: ignore[attr-defined]

    # ── actions ────────────────────────────────────────────────────────────

    def action_focus_search(self) -> None:
        search = self.query_one(SearchInput)
        search.focus()
        search.select_all() if search.value else None

    def action_leave_search(self) -> None:
        self.query_one(ScriptList).focus()

    def action_move(self, delta: int) -> None:
        results = self.query_one(ScriptList)
        if not results.hits:
            return
        index = results.highlighted or 0
        results.highlighted = max(0, min(len(results.hits) - 1, index + delta))

    def action_cycle_style(self, step: int) -> None:
        if self.detail is None or not self.detail.styles:
            return
        styles = self.detail.styles
        index = styles.index(self.style) if self.style in styles else 0
        self.style = styles[(index + step) % len(styles)]
        self.show_detail()

    def action_toggle_tree(self) -> None:
        """Wide screens always show the tree (c focuses it); narrow ones open it over the list."""
        tree = self.tree()
        if self.has_class("-wide"):
            if tree.has_focus:
                self.query_one(ScriptList).focus()
            else:
                tree.focus()
            return
        self.toggle_class("-tree-open")
        if self.has_class("-tree-open"):
            if not self._tree_loaded:
                self.load_tree()
            tree.focus()
        else:
            self.query_one(ScriptList).focus()

    @on(Tree.NodeSelected, "#tree")
    def _category_selected(self, event: Tree.NodeSelected) -> None:
        self.category = event.node.data
        search = self.query_one(SearchInput)
        self.remove_class("-tree-open")
        if search.value:
            search.value = ""  # triggers a browse of the category
        else:
            self.request_search("")
        self.query_one(ScriptList).focus()

    def action_back(self) -> None:
        """Esc closes the open tree, else clears the search (the search box's
        own Esc, which only leaves the box, comes first while it has focus)."""
        if self.has_class("-tree-open"):
            self.remove_class("-tree-open")
            self.query_one(ScriptList).focus()
        elif self.query_one(SearchInput).value:
            self.query_one(SearchInput).value = ""

    # copy ────────────────────────────────────────────────────────────────

    def action_fill(self) -> None:
        self.copy_flow(copy=False)

    def action_copy(self) -> None:
        self.copy_flow(copy=True)

    @work(exclusive=True, group="copy")
    async def copy_flow(self, copy: bool = True) -> None:
        """Fill placeholders (form), lint (confirm if needed), copy, record."""
        from cscterm.services import render
        from cscterm.tui.widgets.fill_form import FillForm
        from cscterm.tui.widgets.lint_confirm import LintConfirm

        detail, style = self.detail, self.style
        if detail is None:
            self.notify(t("copy.nothing"), severity="warning", markup=False)
            return
        body = detail.variants.get(style, "")
        conversation: dict[str, str] = self.app.conversation  # type: ignore[attr-defined]
        found = render.placeholders(body)
        if found:
            values = await self.app.push_screen_wait(
                FillForm(found, conversation, self.labels, f"/{detail.shortcut} {detail.title}"))
            if values is None:
                return
            conversation.update({k: v for k, v in values.items() if v})
            for name, value in values.items():
                if not value:
                    conversation.pop(name, None)
            self.conversation_changed()
        result = render.render(body, conversation)
        if not result.complete:  # defensive: the form refuses this already
            self.notify(t("copy.refused", fields="、".join(result.missing)), severity="warning",
                        markup=False)
            return
        if not copy:
            return
        hits = self.linter.lint(result.text) if self.linter else []
        if hits and not await self.app.push_screen_wait(LintConfirm(result.text, hits)):
            return
        self.app.copy_to_clipboard(strip_controls(result.text))
        self.notify(t("copy.done", shortcut=one_line(detail.shortcut), style=style_label(style)),
                    markup=False)
        self.record_use(detail.id, style)

    @work(thread=True, group="usage")
    def record_use(self, script_id: int, style: str) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                scripts.record_use(session, ws.actor, script_id, style)
        except Exception as exc:  # noqa: BLE001
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)

    def copy_script(self, script_id: int) -> None:
        """Copy a script chosen elsewhere (the command palette)."""
        self._copy_by_id(script_id)

    @work(exclusive=True, group="copy-by-id")
    async def _copy_by_id(self, script_id: int) -> None:
        import asyncio

        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]

        def fetch() -> ScriptDetail:
            with ws.session() as session:
                return scripts.get_script(session, ws.actor, script_id)

        try:
            detail = await asyncio.to_thread(fetch)
        except DomainError as exc:
            self.notify(str(exc), severity="warning", markup=False)
            return
        self.detail = detail
        self.style = detail.default_style
        self.show_detail()
        self.copy_flow(copy=True)

    # edit ────────────────────────────────────────────────────────────────

    def action_new(self) -> None:
        from cscterm.tui.screens.editor import ScriptEditor

        if self.app.ws is None:  # type: ignore[attr-defined]
            return
        scenario = self.detail.scenario if self.detail else None
        self.app.push_screen(ScriptEditor(None, scenario=scenario), self._created)

    def action_edit(self) -> None:
        from cscterm.tui.screens.editor import ScriptEditor

        if self.detail is None:
            self.notify(t("copy.nothing"), severity="warning", markup=False)
            return
        actor = self.app.ws.actor  # type: ignore[attr-defined]
        editable = (self.detail.owner_id == actor.id) or (self.detail.owner_id is None and actor.is_lead)
        if not editable:
            self.notify(t("ed.team_copy"), markup=False)
        self.app.push_screen(ScriptEditor(self.detail, copy=not editable),
                             self._created if not editable else self._edited)

    def _created(self, detail: ScriptDetail | None) -> None:
        self._edited(detail, created=True)

    def _edited(self, detail: ScriptDetail | None, *, created: bool = False) -> None:
        if detail is None:
            return
        self.detail = detail
        self.style = detail.default_style
        self._tree_loaded = False
        self.on_resize()
        self._keep_id = detail.id
        search = self.query_one(SearchInput)
        wanted = "/" + detail.shortcut if created and detail.shortcut else search.value
        if search.value != wanted:
            # A new script is listed by its code, so it is there to copy at once.
            search.value = wanted  # Input.Changed searches again
        else:
            self.request_search(wanted)
        self.show_detail()

    def action_retire(self) -> None:
        from cscterm.tui.widgets.confirm import Confirm

        detail = self.detail
        if detail is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.retire(detail.id, detail.version, detail.shortcut)

        self.app.push_screen(Confirm(t("ed.retire_confirm", shortcut=one_line(detail.shortcut)),
                                     t("ed.retire_yes"), t("key.cancel")), answered)

    @work(thread=True, group="retire")
    def retire(self, script_id: int, version: int, shortcut: str) -> None:
        from cscterm.services import scripts

        ws = self.app.ws  # type: ignore[attr-defined]
        try:
            with ws.session() as session:
                scripts.retire_script(session, ws.actor, script_id, expected_version=version)
        except DomainError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        self.app.call_from_thread(self.notify, t("ed.retired", shortcut=one_line(shortcut)),
                                  markup=False)
        self.detail = None
        self._tree_loaded = False
        self.app.call_from_thread(self.on_resize)
        self.app.call_from_thread(self.request_search, self.query_text)

    def action_transfer(self) -> None:
        """Start a transfer to after-sale from the highlighted script's scenario."""
        from cscterm.tui.screens.transfer import start_from_scenario

        if self.detail is None:
            self.notify(t("copy.nothing"), severity="warning", markup=False)
            return
        card = self.detail.scenario
        start_from_scenario(self.app, card.id, card.category, card.title)  # type: ignore[arg-type]

    def action_terms(self) -> None:
        from cscterm.tui.screens.forbidden import ForbiddenTermsScreen

        if self.app.ws is None:  # type: ignore[attr-defined]
            return
        self.app.push_screen(ForbiddenTermsScreen(), lambda _changed: self.reload_terms())
