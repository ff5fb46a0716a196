"""Checklist templates: everyone reads them, leads edit the YAML; a save
with a problem lists every FILE:LINE and puts the cursor on the first, a
stale edit names who changed it, a good save is a new version that leaves
existing transfers on theirs."""

from __future__ import annotations

import pytest
from textual.widgets import DataTable, TextArea

from cscterm.services import checklists, users
from cscterm.services import transfer as tr

from .helpers import LARGE, SMALL, acting, paste_text, screen_text, settle, started

REFUND_ACCEPT_LINE = 9  # "  accept: 30m" in the starter refund.yaml


async def open_templates(app, pilot) -> None:  # noqa: ANN001
    from cscterm.tui.screens.templates import TemplatesScreen

    await settle(app, pilot)
    app.push_screen(TemplatesScreen())
    await settle(app, pilot)


async def press(app, pilot, *keys: str) -> None:  # noqa: ANN001
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


async def highlight(app, pilot, key: str) -> None:  # noqa: ANN001
    screen = app.screen
    keys = [info.key for info in screen.templates]
    screen.query_one(DataTable).move_cursor(row=keys.index(key))
    await settle(app, pilot)


def editor(app) -> TextArea:  # noqa: ANN001
    return app.screen.query_one("#tpl-ed-text", TextArea)


def replace(app, old: str, new: str) -> None:  # noqa: ANN001
    """Edit the YAML as typing would: ``old``'s first occurrence becomes ``new``."""
    area = editor(app)
    at = area.text.index(old)
    row = area.text.count("\n", 0, at)
    column = at - (area.text.rfind("\n", 0, at) + 1)
    area.replace(new, (row, column), (row, column + len(old)))


def problems_text(app) -> str:  # noqa: ANN001
    return app.screen.query_one("#tpl-ed-problem-list").content.plain


async def edit_refund(app, pilot) -> None:  # noqa: ANN001
    await open_templates(app, pilot)
    await highlight(app, pilot, "refund")
    await press(app, pilot, "e")


async def test_everyone_sees_the_templates_and_the_yaml(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE, user="li")
    async with started(app) as pilot:
        await open_templates(app, pilot)
        screen = app.screen
        assert len(screen.templates) == 6
        await highlight(app, pilot, "refund")
        text = screen_text(app)
        assert "read only" in text and "30m / 24h" in text
        assert "key: refund" in screen.query_one("#tpl-yaml").content.plain


async def test_an_agent_cannot_edit_or_add_a_template(make_app, db_path) -> None:
    from cscterm.tui.screens.templates import TemplateEditor

    app = make_app(lang="en", size=LARGE, user="li")
    async with started(app) as pilot:
        await open_templates(app, pilot)
        await press(app, pilot, "e", "enter", "n")
        assert not any(isinstance(s, TemplateEditor) for s in app.screen_stack)
        lead_only = ("warning", "Only a lead can edit or add checklist templates; "
                                "you can read them here.")
        assert app.test_notes.count(lead_only) == 3


async def test_a_save_with_problems_lists_each_and_moves_the_cursor(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    async with started(app) as pilot:
        await edit_refund(app, pilot)
        editor(app).move_cursor((0, 0))
        replace(app, "accept: 30m", "accept: soon")
        replace(app, "pattern: '\\d{16}'", "pattern: '\\d{16'")
        await press(app, pilot, "ctrl+s")
        shown = problems_text(app)
        assert "2 problem(s); nothing was saved." in shown
        assert f"refund.yaml:{REFUND_ACCEPT_LINE}: sla.accept: “soon” is not a duration" in shown
        assert ("refund.yaml:23: items[1].example: the example “2026112312345678” does not "
                "match the pattern") in shown
        assert editor(app).cursor_location == (REFUND_ACCEPT_LINE - 1, 0)
        assert editor(app).has_focus
        await press(app, pilot, "f8")
        assert editor(app).cursor_location == (22, 0)
    with acting(db_path) as (session, _lead):
        assert checklists.get_template(session, "refund").number == 1


async def test_a_fixed_edit_saves_version_2_and_a_transfer_keeps_version_1(make_app,
                                                                          db_path) -> None:
    from cscterm.tui.screens.templates import TemplatesScreen

    app = make_app(lang="en", size=LARGE)
    async with started(app) as pilot:
        with acting(db_path, "li") as (session, agent):
            draft = tr.create(session, agent, "refund").id
        await edit_refund(app, pilot)
        replace(app, "accept: 30m", "accept: soon")
        await press(app, pilot, "ctrl+s")
        assert "sla.accept" in problems_text(app)
        replace(app, "accept: soon", "accept: 20m")
        await press(app, pilot, "ctrl+s")
        assert ("information", "退货退款 saved as version 2.") in app.test_notes
        assert isinstance(app.screen, TemplatesScreen)
        assert app.screen.current.key == "refund" and app.screen.current.number == 2
    with acting(db_path, "li") as (session, agent):
        assert checklists.get_template(session, "refund").accept.total_seconds() == 20 * 60
        assert tr.get_transfer(session, agent, draft).template.number == 1
        assert tr.create(session, agent, "refund").template.number == 2


async def test_a_stale_edit_is_refused_naming_who_changed_it(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    async with started(app) as pilot:
        await edit_refund(app, pilot)
        with acting(db_path) as (session, lead):
            users.identify(session, "sun")
            users.set_role(session, lead, "sun", "lead")
        with acting(db_path, "sun") as (session, sun):
            source, version = checklists.template_source(session, "refund")
            checklists.save_source(session, sun, source.replace("resolve: 24h", "resolve: 12h"),
                                   key="refund", version=version)
        replace(app, "accept: 30m", "accept: 20m")
        await press(app, pilot, "ctrl+s")
        shown = problems_text(app)
        assert "Not saved: This template was changed by sun" in shown
        assert "you edited version 1" in shown


async def test_n_starts_a_new_template_from_a_copy_with_a_placeholder_key(make_app,
                                                                        db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    async with started(app) as pilot:
        await open_templates(app, pilot)
        await highlight(app, pilot, "refund")
        await press(app, pilot, "n")
        area = editor(app)
        assert "key: <new-key>" in area.text and "key: refund\n" not in area.text
        assert area.selected_text == "<new-key>"
        await press(app, pilot, "ctrl+s")  # the placeholder is not a key
        assert "new.yaml:3: key: “<new-key>” is not a valid key" in problems_text(app)
        replace(app, "<new-key>", "refund_vip")
        await press(app, pilot, "ctrl+s")
        assert ("information", "退货退款 saved as version 1.") in app.test_notes
        assert "refund_vip" in [info.key for info in app.screen.templates]
        assert app.screen.current.key == "refund_vip"


async def test_esc_with_unsaved_changes_asks_first(make_app, db_path) -> None:
    from cscterm.tui.screens.templates import TemplateEditor, TemplatesScreen
    from cscterm.tui.widgets.confirm import Confirm

    app = make_app(lang="en", size=LARGE)
    async with started(app) as pilot:
        await edit_refund(app, pilot)
        await press(app, pilot, "escape")  # nothing changed: straight back
        assert isinstance(app.screen, TemplatesScreen)
        await press(app, pilot, "e")
        await paste_text(pilot, "# ")
        await press(app, pilot, "escape")
        assert isinstance(app.screen, Confirm)
        await press(app, pilot, "n")
        assert isinstance(app.screen, TemplateEditor)
        await press(app, pilot, "escape", "y")
        assert isinstance(app.screen, TemplatesScreen)


@pytest.mark.parametrize(("lang", "size"), [
    pytest.param("zh_CN", SMALL, id="zh_80x24"),
    pytest.param("en", LARGE, id="en_120x40"),
])
def test_template_editor_problems_visible_snapshot(snap_compare, make_app, db_path, run_before,
                                                   lang, size) -> None:
    from cscterm.tui.screens.templates import TemplatesScreen

    app = make_app(lang, size=size)

    async def push(pilot) -> None:  # noqa: ANN001
        app.push_screen(TemplatesScreen())

    async def pick_refund(pilot) -> None:  # noqa: ANN001
        await highlight(app, pilot, "refund")

    async def break_it(pilot) -> None:  # noqa: ANN001
        replace(app, "accept: 30m", "accept: soon")
        replace(app, "pattern: '\\d{16}'", "pattern: '\\d{16'")

    async def still(pilot) -> None:  # noqa: ANN001
        # A blinking cursor is drawn or not by the timer's phase, and lines
        # drawn in either phase are cached: stop it, forget the drawn lines.
        area = editor(app)
        area.cursor_blink = False
        area.notify_style_update()
        area.refresh()

    assert snap_compare(app, terminal_size=size,
                        run_before=run_before(push, pick_refund, "e", break_it, "ctrl+s", still))


@pytest.mark.parametrize(("lang", "size"), [
    pytest.param("zh_CN", SMALL, id="zh_80x24"),
    pytest.param("en", LARGE, id="en_120x40"),
])
def test_template_list_snapshot(snap_compare, make_app, db_path, run_before, lang, size) -> None:
    from cscterm.tui.screens.templates import TemplatesScreen

    app = make_app(lang, size=size)

    async def push(pilot) -> None:  # noqa: ANN001
        app.push_screen(TemplatesScreen())

    assert snap_compare(app, terminal_size=size, run_before=run_before(push, "down"))
