"""The script library driven from the keyboard: search, styles, fill, lint,
copy, the command palette, help and the language switch."""

from __future__ import annotations

import json
from pathlib import Path

from textual.command import CommandPalette
from textual.widgets import Input, Label, Static

from cscterm.services.scripts import ScriptHit, get_script, search_keys
from cscterm.tui.screens.forbidden import ForbiddenTermsScreen
from cscterm.tui.screens.help import HelpScreen
from cscterm.tui.screens.library import LibraryScreen, SearchInput
from cscterm.tui.widgets.fill_form import FillForm
from cscterm.tui.widgets.lint_confirm import LintConfirm
from cscterm.tui.widgets.script_list import ScriptList

from .helpers import (
    LARGE,
    acting,
    add_personal_script,
    focus_results,
    query_db,
    results,
    screen_text,
    search,
    settle,
    started,
    type_text,
    wait_until,
)

# ── search ──────────────────────────────────────────────────────────────────


def _mentions(db_path: Path, hit: ScriptHit, word: str) -> bool:
    """Whether ``word`` is anywhere search indexes the script: its title, its
    scenario's title, category, phrases and tags, or a body."""
    with acting(db_path) as (session, actor):
        detail = get_script(session, actor, hit.id)
    card = detail.scenario
    texts = [detail.title, card.title, card.category, *card.phrases, *card.tags,
             *detail.variants.values()]
    return any(word in text for text in texts)


async def test_search_shows_only_hits_for_the_words_typed(make_app, db_path):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "退款", typed=True)
        hits = results(app)
        assert hits, "no results for 退款"
        assert all(_mentions(db_path, hit, "退款") for hit in hits), \
            [h.shortcut for h in hits if not _mentions(db_path, h, "退款")]
        status = str(app.screen.query_one("#status", Static).render())
        assert "退款" in status and str(len(hits)) in status
        assert app.screen.results_query == "退款"


async def test_search_by_pinyin_initials_finds_titles_with_those_initials(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "tk", typed=True)
        hits = results(app)
        assert hits
        # Shortcut prefix first (tk1 …), then titles whose pinyin initials hold tk.
        assert all(h.shortcut.startswith("tk") or "tk" in search_keys(h.title)[1] for h in hits)
        assert any(not h.shortcut.startswith("tk") for h in hits), "no hit found by initials"
        assert "退款" in "".join(h.title for h in hits if not h.shortcut.startswith("tk"))


async def test_search_by_shortcut_puts_that_script_first(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1", typed=True)
        hits = results(app)
        assert hits[0].shortcut == "tk1"
        assert app.screen.detail is not None and app.screen.detail.shortcut == "tk1"


async def test_search_replaces_the_query_when_slash_is_pressed_again(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "退款")
        await focus_results(app, pilot)
        await search(app, pilot, "/tk2")  # "/" selects the old query, typing replaces it
        assert app.screen.query_one(SearchInput).value == "/tk2"
        assert results(app)[0].shortcut == "tk2"


async def test_search_with_no_hits_says_so(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "zzzqqq")
        assert results(app) == []
        assert "zzzqqq" in screen_text(app)
        await focus_results(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert app._clipboard == ""
        assert ("warning", "没有可复制的内容：请先选择一条话术。") in app.test_notes


async def test_arrow_keys_in_the_search_box_move_the_highlight(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "退款")
        second = results(app)[1]
        await pilot.press("down")
        await settle(app, pilot)
        assert isinstance(app.focused, SearchInput)
        assert app.screen.query_one(ScriptList).highlighted == 1
        assert app.screen.detail.id == second.id


# Keyboard paths the README promises that do not work yet. Strict: when the
# fix lands these pass, and the marker has to go.


async def test_escape_in_search_box_keeps_the_query(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "退款")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.focused, ScriptList)
        assert app.screen.query_one(SearchInput).value == "退款"  # only the second esc clears


async def test_enter_in_search_box_copies_the_highlighted_script(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FillForm)


async def test_second_escape_clears_the_search(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "退款")
        await focus_results(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.screen.query_one(SearchInput).value == ""
        assert "全部话术" in str(app.screen.query_one("#status", Static).render())


# ── styles ──────────────────────────────────────────────────────────────────


async def test_s_cycles_through_the_styles_and_wraps(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        screen = app.screen
        styles = list(screen.detail.styles)
        assert len(styles) == 5 and screen.style == styles[0]
        seen = []
        for _ in styles:
            await pilot.press("s")
            seen.append(screen.style)
        assert seen == styles[1:] + styles[:1]
        head = str(screen.query_one("#sv-head", Static).render())
        assert "标准版 1/5" in head


async def test_shift_s_goes_back_a_style(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        screen = app.screen
        styles = list(screen.detail.styles)
        await pilot.press("S")
        assert screen.style == styles[-1]
        assert "搞笑版 5/5" in str(screen.query_one("#sv-head", Static).render())
        await pilot.press("S")
        assert screen.style == styles[-2]


async def test_tab_and_shift_tab_change_style_while_typing(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        screen = app.screen
        styles = list(screen.detail.styles)
        await pilot.press("tab")
        assert screen.style == styles[1]
        assert isinstance(app.focused, SearchInput)  # tab did not move the focus
        await pilot.press("shift+tab", "shift+tab")
        assert screen.style == styles[-1]
        body = str(screen.query_one("#sv-body", Static).render())
        assert body.strip() == screen.detail.variants[styles[-1]].strip().replace(
            "{{amount|款项}}", "款项")


# ── fill and copy ───────────────────────────────────────────────────────────


async def test_fill_form_then_copy_puts_the_filled_text_on_the_clipboard(make_app, db_path):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        form = app.screen
        assert isinstance(form, FillForm)
        assert isinstance(app.focused, Input) and app.focused.id == "ph-order_no"
        await type_text(pilot, "DD20240601")
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, LibraryScreen)
        copied = app._clipboard
        assert "DD20240601" in copied and "{{" not in copied
        assert "款项" in copied  # the optional placeholder fell back to its default
        assert ("information", "已复制 /tk1（标准版）到剪贴板。") in app.test_notes
        script_id = results(app)[0].id
        assert query_db(db_path, "SELECT s.shortcut, u.login, su.style FROM script_usage su "
                        "JOIN script s ON s.id = su.script_id JOIN user u ON u.id = su.user_id") \
            == [("tk1", "wang", "standard")]
        assert query_db(db_path, "SELECT uses FROM script_usage_stat WHERE script_id = ?",
                        script_id) == [(1,)]
        assert "本次会话：1 项" in str(app.screen.query_one("#top-user", Label).render())


async def test_copy_again_prefills_the_conversation_values_until_ctrl_n(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        await type_text(pilot, "A1")
        await pilot.press("enter")
        await settle(app, pilot)

        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, FillForm)
        assert app.screen.query_one("#ph-order_no", Input).value == "A1"
        await pilot.press("escape")
        await settle(app, pilot)

        await pilot.press("ctrl+n")
        await settle(app, pilot)
        assert app.conversation == {}
        assert ("information", "已开始新会话：占位符的值已清空。") in app.test_notes
        await pilot.press("y")
        await settle(app, pilot)
        assert app.screen.query_one("#ph-order_no", Input).value == ""


async def test_copy_refused_while_a_required_value_is_empty(make_app, db_path):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)

        assert isinstance(app.screen, FillForm)  # still open
        field = app.screen.query_one("#ph-order_no", Input)
        assert field.has_class("-invalid") and field.has_focus
        assert ("warning", "未复制：请填写 订单号。") in app.test_notes
        assert app._clipboard == ""
        assert query_db(db_path, "SELECT COUNT(*) FROM script_usage") == [(0,)]


async def test_escape_in_fill_form_copies_nothing(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await type_text(pilot, "X9")
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app._clipboard == "" and app.conversation == {}


async def test_f_fills_in_without_copying(make_app):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        await pilot.press("f")
        await settle(app, pilot)
        await type_text(pilot, "B2")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app._clipboard == ""
        assert app.conversation == {"order_no": "B2"}
        assert "B2" in str(app.screen.query_one("#sv-body", Static).render())


# ── forbidden terms on copy ─────────────────────────────────────────────────

RISKY = "这个我不知道，这是规定。"


async def test_lint_warning_before_copying_a_reply_with_forbidden_terms(make_app, db_path):
    app = make_app()
    add_personal_script(db_path, "risky1", RISKY)
    async with started(app) as pilot:
        await search(app, pilot, "/risky1")
        await focus_results(app, pilot)
        assert results(app)[0].personal
        await pilot.press("y")
        await settle(app, pilot)

        assert isinstance(app.screen, LintConfirm)
        hits = str(app.screen.query_one("#lint-hits", Static).render())
        assert "2 处禁忌语" in hits
        assert "「不知道」：显得不专业，等于把问题丢回给客户 → 换成：这个我马上帮您确认一下，5分钟内回复您" in hits
        assert "「这是规定」" in hits
        assert RISKY in str(app.screen.query_one("#lint-text", Static).render())

        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert app._clipboard == ""
        assert query_db(db_path, "SELECT COUNT(*) FROM script_usage") == [(0,)]

        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, LintConfirm)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app._clipboard == RISKY
        assert query_db(db_path, "SELECT COUNT(*) FROM script_usage") == [(1,)]


async def test_detail_pane_marks_forbidden_terms(make_app, db_path):
    app = make_app()
    add_personal_script(db_path, "risky1", RISKY)
    async with started(app) as pilot:
        await search(app, pilot, "/risky1")
        lint = str(app.screen.query_one("#sv-lint", Static).render())
        assert "⚠ 2 处禁忌语" in lint and "「不知道」" in lint
        assert "我的" in str(app.screen.query_one("#sv-head", Static).render())


# ── command palette ─────────────────────────────────────────────────────────


async def test_ctrl_p_opens_the_command_palette(make_app):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)


async def _open_palette(app, pilot) -> None:
    await pilot.press("ctrl+p")
    await settle(app, pilot)
    assert isinstance(app.screen, CommandPalette)


async def test_command_palette_finds_a_script_by_shortcut_and_copies_it(make_app):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await _open_palette(app, pilot)
        await type_text(pilot, "tk1")
        await pilot.pause(0.3)  # the palette debounces its searches
        await settle(app, pilot)
        assert "复制 /tk1 同意退款，说明到账时间" in screen_text(app)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FillForm)
        assert app.screen.script_title == "/tk1 同意退款，说明到账时间"
        await type_text(pilot, "P1")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "P1" in app._clipboard


async def test_command_palette_offers_the_workbench_commands(make_app):
    app = make_app()
    async with started(app) as pilot:
        await _open_palette(app, pilot)
        await type_text(pilot, "禁忌语列表")
        await pilot.pause(0.3)
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ForbiddenTermsScreen)


# ── help ────────────────────────────────────────────────────────────────────


async def test_question_mark_opens_help_with_the_library_keys(make_app):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        text = "\n".join(str(w.render()) for w in app.screen.query(Static))
        for words in ("快捷键", "搜索", "复制", "风格", "上一风格", "填写", "编辑", "新建", "分类",
                      "禁忌语", "停用", "任何界面", "新会话", "^p", "命令"):
            assert words in text, words
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)

        await pilot.press("question_mark")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)


# ── language ────────────────────────────────────────────────────────────────


async def test_f2_switches_the_interface_to_english_and_remembers_it(make_app, settings_path):
    app = make_app()
    async with started(app) as pilot:
        assert "搜索" in screen_text(app)
        await pilot.press("f2")
        await settle(app, pilot)
        text = screen_text(app)
        assert "cscterm · Scripts" in text
        assert "wang · default · lead" in text
        for words in ("Search", "Copy", "Style", "Edit", "New", "Categories"):
            assert words in text, words
        assert "复制" not in text.splitlines()[-1]
        assert "All scripts" in str(app.screen.query_one("#status", Static).render())
        assert json.loads(settings_path.read_text(encoding="utf-8")) == {"lang": "en"}
        assert ("information", "Language: English") in app.test_notes

        await pilot.press("f2")
        await settle(app, pilot)
        assert "cscterm · 话术库" in screen_text(app)
        assert json.loads(settings_path.read_text(encoding="utf-8")) == {"lang": "zh_CN"}


async def test_f2_lists_the_new_languages_scripts_first(make_app):
    app = make_app()
    async with started(app) as pilot:
        assert results(app)[0].language == "zh_CN"
        await pilot.press("f2")
        await settle(app, pilot)
        assert results(app)[0].language == "en"
        assert app.screen.labels["order_no"] == "Order number"


# ── following the database live ─────────────────────────────────────────────


def _watchers(app) -> list[object]:
    return [w for w in app.workers if w.group == "watch" and not w.is_finished]


async def test_the_live_watch_starts_once_the_library_has_listed_and_only_once(make_app):
    app = make_app()
    async with started(app) as pilot:
        assert app.screen.results_version >= 1
        assert len(_watchers(app)) == 1
        await search(app, pilot, "退款")
        app.start_watching()
        await settle(app, pilot)
        assert len(_watchers(app)) == 1


async def test_the_live_watch_starts_even_when_the_library_never_lists(make_app, monkeypatch):
    import cscterm.tui.app as app_module

    monkeypatch.setattr(app_module, "WATCH_START_LIMIT", 0.2)
    monkeypatch.setattr(LibraryScreen, "_results", lambda self, query, hits: None)
    app = make_app()
    async with app.run_test(size=app.test_size) as pilot:
        await wait_until(pilot, lambda: app.ws is not None, "the database opened")
        assert app.screen.results_version == 0
        await wait_until(pilot, lambda: len(_watchers(app)) == 1, "the watch started")
