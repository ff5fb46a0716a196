"""Writing scripts in the editor, and what the service refuses: an agent
changing team content, a save based on a version someone else replaced."""

from __future__ import annotations

from rich.cells import cell_len
from textual.widgets import Input, Static, TextArea

from cscterm.services import lint, scripts
from cscterm.tui.screens.editor import ScenarioPicker, ScriptEditor
from cscterm.tui.screens.forbidden import ForbiddenTermsScreen, TermForm
from cscterm.tui.screens.library import LibraryScreen

from .helpers import (
    LARGE,
    AGENT,
    acting,
    add_personal_script,
    focus_results,
    paste_text,
    query_db,
    results,
    screen_text,
    search,
    settle,
    started,
    type_text,
)


async def _pick_scenario(app, pilot, words: str) -> None:
    await pilot.press("ctrl+o")
    await settle(app, pilot)
    assert isinstance(app.screen, ScenarioPicker)
    await type_text(pilot, words)
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, ScriptEditor)


async def test_new_personal_script_is_saved_and_found_by_its_shortcut(make_app, db_path):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        editor = app.screen
        assert isinstance(editor, ScriptEditor) and not editor.editing
        await _pick_scenario(app, pilot, "未发货")
        assert editor.scenario is not None and "未发货" in editor.scenario.title + editor.scenario.category
        assert "未发货" in str(editor.query_one("#ed-scenario", Static).render())

        assert app.focused is editor.query_one("#ed-title", Input)
        await type_text(pilot, "催发货安抚")
        await pilot.click("#ed-shortcut")
        await type_text(pilot, "my1")
        await pilot.click("#body-standard")
        assert app.focused is editor.query_one("#body-standard", TextArea)
        lint_panel = editor.query_one("#ed-lint", Static)
        await type_text(pilot, "亲，马上给您发")
        await settle(app, pilot)
        assert "✓ 无禁忌语" in str(lint_panel.render())
        await type_text(pilot, "，不知道")  # a forbidden term: the panel says so at once
        await settle(app, pilot)
        panel = str(lint_panel.render())
        assert "1 处禁忌语" in panel and "「不知道」" in panel and "换成" in panel
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await settle(app, pilot)
        assert "✓ 无禁忌语" in str(lint_panel.render())

        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert ("information", "已保存 /my1。") in app.test_notes

        await search(app, pilot, "/my1")
        hit = results(app)[0]
        assert (hit.shortcut, hit.title, hit.personal) == ("my1", "催发货安抚", True)
        assert query_db(db_path, "SELECT s.version, u.login FROM script s JOIN user u "
                        "ON u.id = s.owner_id WHERE s.shortcut = 'my1'") == [(1, "wang")]


async def test_saved_new_script_stays_selected_in_the_library(make_app):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        await _pick_scenario(app, pilot, "未发货")
        await paste_text(pilot, "催发货安抚")
        await pilot.click("#ed-shortcut")
        await paste_text(pilot, "my1")
        await pilot.click("#body-standard")
        await paste_text(pilot, "马上给您发")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert app.screen.detail.shortcut == "my1"


async def test_editing_a_personal_script_bumps_its_version(make_app, db_path):
    app = make_app()
    add_personal_script(db_path, "my2", "您好，马上为您处理。", title="旧标题")
    async with started(app) as pilot:
        await search(app, pilot, "/my2")
        await focus_results(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        editor = app.screen
        assert isinstance(editor, ScriptEditor) and editor.editing
        assert editor.query_one("#ed-shortcut", Input).value == "my2"
        title = editor.query_one("#ed-title", Input)
        assert app.focused is title and title.value == "旧标题"
        await pilot.press("end")
        await type_text(pilot, "（新）")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert isinstance(app.screen, LibraryScreen)
        assert query_db(db_path, "SELECT title, version FROM script WHERE shortcut = 'my2'") \
            == [("旧标题（新）", 2)]
        assert app.screen.detail.title == "旧标题（新）"
        assert app.screen.detail.version == 2


async def test_escape_in_an_unchanged_editor_closes_it(make_app):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)


async def test_escape_in_a_changed_editor_asks_before_discarding(make_app, db_path):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        await type_text(pilot, "草稿")
        await pilot.press("escape")
        await settle(app, pilot)
        from cscterm.tui.widgets.confirm import Confirm

        assert isinstance(app.screen, Confirm)
        await pilot.press("n")  # keep editing
        await settle(app, pilot)
        assert isinstance(app.screen, ScriptEditor)
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        assert query_db(db_path, "SELECT COUNT(*) FROM script WHERE title = '草稿'") == [(0,)]


async def test_saving_without_a_scenario_asks_for_one(make_app):
    app = make_app()
    async with started(app) as pilot:
        app.screen.detail = None  # nothing highlighted: the new script has no scenario yet
        await pilot.press("n")
        await settle(app, pilot)
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert ("warning", "场景不能为空。") in app.test_notes
        assert isinstance(app.screen, ScenarioPicker)


async def test_save_refused_by_validation_keeps_the_editor_open(make_app):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("n")
        await settle(app, pilot)
        await type_text(pilot, "没有快捷码")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, ScriptEditor)
        assert ("error", "快捷码不能为空。") in app.test_notes


# ── what an agent may not do ────────────────────────────────────────────────


async def test_agent_editing_a_team_script_gets_a_personal_copy(make_app, db_path):
    make_app()  # the lead's database
    app = make_app(user=AGENT)
    async with started(app) as pilot:
        assert app.ws.actor.role == "agent"
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert ("information", "团队话术由组长维护；这里会另存一份你自己的话术。") in app.test_notes
        editor = app.screen
        assert isinstance(editor, ScriptEditor) and editor.copy and not editor.editing
        assert editor.query_one("#ed-shortcut", Input).value == ""
        assert editor.query_one("#ed-title", Input).value == "同意退款，说明到账时间"
        assert "把 /tk1 另存为我的话术" in str(editor.query_one("#ed-heading").render())
        assert not editor.query("#ed-team")  # no team checkbox for agents

        await pilot.click("#ed-shortcut")
        await type_text(pilot, "litk1")
        await pilot.press("ctrl+s")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        rows = query_db(db_path, "SELECT s.shortcut, u.login FROM script s LEFT JOIN user u "
                        "ON u.id = s.owner_id WHERE s.title = '同意退款，说明到账时间' "
                        "ORDER BY s.id")
        assert rows == [("tk1", None), ("litk1", "li")]  # the team script is untouched


async def test_agent_cannot_add_a_forbidden_term(make_app, db_path):
    make_app()
    app = make_app(user=AGENT)
    async with started(app) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ForbiddenTermsScreen)
        assert "只有组长可以编辑禁忌语。" in str(screen.query_one("#terms-note", Static).render())
        before = len(screen.terms)
        assert before > 0

        await pilot.press("a")
        await settle(app, pilot)
        assert isinstance(app.screen, TermForm)
        await paste_text(pilot, "看情况")
        await pilot.press("tab")
        await paste_text(pilot, "敷衍")
        await pilot.press("tab")
        await paste_text(pilot, "我马上帮您确认")
        await pilot.press("enter")
        await settle(app, pilot)

        assert app.screen is screen
        assert ("error", "只有组长可以编辑禁忌语列表。") in app.test_notes
        assert query_db(db_path, "SELECT COUNT(*) FROM forbidden_term WHERE term = '看情况'") == [(0,)]
        assert len(screen.terms) == before


async def test_lead_adds_a_forbidden_term_and_the_library_lints_with_it(make_app, db_path):
    app = make_app()
    add_personal_script(db_path, "soft1", "这个要看情况哦。")
    async with started(app) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        await pilot.press("a")
        await settle(app, pilot)
        await paste_text(pilot, "看情况")
        await pilot.press("tab")
        await paste_text(pilot, "敷衍")
        await pilot.press("tab")
        await paste_text(pilot, "我马上帮您确认")
        await pilot.press("enter")
        await settle(app, pilot)
        assert ("information", "已保存「看情况」。") in app.test_notes
        assert query_db(db_path, "SELECT reason, alternative FROM forbidden_term "
                        "WHERE term = '看情况'") == [("敷衍", "我马上帮您确认")]
        await pilot.press("escape")
        await settle(app, pilot)
        assert isinstance(app.screen, LibraryScreen)
        await search(app, pilot, "/soft1")
        assert "「看情况」" in str(app.screen.query_one("#sv-lint", Static).render())


async def test_delete_retires_a_script_after_confirming(make_app, db_path):
    app = make_app()
    add_personal_script(db_path, "old1", "旧话术。")
    async with started(app) as pilot:
        await search(app, pilot, "/old1")
        await focus_results(app, pilot)
        await pilot.press("delete")
        await settle(app, pilot)
        from cscterm.tui.widgets.confirm import Confirm

        assert isinstance(app.screen, Confirm)
        await pilot.press("y")
        await settle(app, pilot)
        assert ("information", "已停用 /old1，搜索中不再出现。") in app.test_notes
        assert query_db(db_path, "SELECT active FROM script WHERE shortcut = 'old1'") == [(0,)]
        assert all(h.shortcut != "old1" for h in results(app))


async def test_agent_cannot_retire_a_team_script(make_app, db_path):
    make_app()
    app = make_app(user=AGENT)
    async with started(app) as pilot:
        await search(app, pilot, "/tk1")
        await focus_results(app, pilot)
        await pilot.press("delete")
        await settle(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        assert ("error", "只有组长可以修改团队话术；可以另存为自己的话术。") in app.test_notes
        assert query_db(db_path, "SELECT active FROM script WHERE shortcut = 'tk1'") == [(1,)]


# ── a save based on a version someone else replaced ─────────────────────────


async def test_stale_save_is_refused_and_the_other_change_kept(make_app, db_path):
    app = make_app()
    script_id = add_personal_script(db_path, "my3", "第一版正文。", title="第一版")
    async with started(app) as pilot:
        await search(app, pilot, "/my3")
        await focus_results(app, pilot)
        await pilot.press("e")
        await settle(app, pilot)
        assert isinstance(app.screen, ScriptEditor)

        # Meanwhile the same user saves from another window.
        with acting(db_path) as (session, actor):
            current = scripts.get_script(session, actor, script_id)
            draft = scripts.ScriptDraft(current.scenario.id, "别处的修改", "my3",
                                        {"standard": "别处改过的正文。"})
            scripts.update_script(session, actor, script_id, draft,
                                  expected_version=current.version)

        await type_text(pilot, "（本窗口）")
        await pilot.press("ctrl+s")
        await settle(app, pilot)

        assert isinstance(app.screen, ScriptEditor)  # still open, nothing lost on screen
        errors = [m for sev, m in app.test_notes if sev == "error"]
        assert len(errors) == 1
        assert "这条话术已被 wang 于" in errors[0]
        assert "（版本 2），你编辑的是版本 1" in errors[0]
        assert query_db(db_path, "SELECT title, version FROM script WHERE id = ?", script_id) \
            == [("别处的修改", 2)]
        assert query_db(db_path, "SELECT body FROM script_variant WHERE script_id = ?",
                        script_id) == [("别处改过的正文。",)]


async def test_forbidden_term_screen_shows_the_whole_alternative_when_there_is_room(make_app):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        # a long alternative that still fits beside the term and reason columns
        term = next(t for t in app.screen.terms[:10] if 30 <= cell_len(t.alternative) < 60)
        assert term.alternative in screen_text(app)


async def test_forbidden_term_screen_lists_every_term_for_a_lead(make_app, db_path):
    app = make_app()
    async with started(app) as pilot:
        await pilot.press("t")
        await settle(app, pilot)
        screen = app.screen
        with acting(db_path) as (session, _actor):
            expected = [t.term for t in lint.list_terms(session, language_first="zh_CN")]
        assert [t.term for t in screen.terms] == expected
        assert str(screen.query_one("#terms-note", Static).render()) == ""
