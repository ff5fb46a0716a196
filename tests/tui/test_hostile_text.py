"""Text from an import is shown literally: Rich markup stays text, escape
sequences never reach the terminal, and the clipboard gets no control
characters (tests/data/hostile_text.yaml)."""

from __future__ import annotations

import re

import pytest
from textual.widgets import Static

from cscterm.services import io
from cscterm.tui.screens.library import LibraryScreen
from cscterm.tui.widgets.fill_form import FillForm
from cscterm.tui.widgets.script_list import ScriptList

from .helpers import (
    HOSTILE,
    LARGE,
    acting,
    focus_results,
    results,
    screen_text,
    search,
    settle,
    started,
    type_text,
)

# What must never reach a terminal: C0 controls but TAB and LF, DEL, C1.
CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


@pytest.fixture
def hostile_db(make_app, db_path):
    """The template plus the hostile pack, imported by the lead."""
    make_app()  # copies the template
    with acting(db_path) as (session, actor):
        io.import_files(session, actor, [HOSTILE])
    return db_path


def _pane_texts(screen: LibraryScreen) -> dict[str, str]:
    texts = {name: str(screen.query_one(f"#{name}", Static).render())
             for name in ("sv-head", "sv-body", "sv-lint", "sv-card", "status")}
    options = screen.query_one(ScriptList)
    texts["results"] = "\n".join(str(options.get_option_at_index(i).prompt)
                                 for i in range(options.option_count))
    return texts


def _assert_no_controls(texts: dict[str, str]) -> None:
    for name, text in texts.items():
        assert not CONTROLS.search(text), f"control character in {name}: {text!r}"


async def test_markup_in_a_script_is_shown_literally(make_app, hostile_db):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await search(app, pilot, "/hostile-markup")
        assert results(app)[0].shortcut == "hostile-markup"
        texts = _pane_texts(app.screen)
        assert "[bold red]Markup title[/] [/]" in texts["sv-head"]
        assert "[bold]x[/] [/] [link=http://e.invalid]click[/link] [red]" in texts["sv-body"]
        assert "[i]friend[/i]" in texts["sv-body"]  # the placeholder's default, literally
        assert "[@click=app.quit]quit[/]" in texts["sv-card"]
        assert "#[b]tag[/b]" in texts["sv-card"]
        assert "[bold red]Markup › [bold red]M" in texts["results"]  # cut to fit, still literal
        _assert_no_controls(texts)
        frame = screen_text(app)
        assert "[bold]x[/]" in frame and "[/]" in frame
        assert "\x1b" not in frame

        await pilot.press("tab")  # the caring style: escaped brackets and emoji codes
        body = str(app.screen.query_one("#sv-body", Static).render())
        assert "\\[escaped]" in body and ":smile:" in body and "[on red]background[/on red]" in body


async def test_escape_sequences_are_shown_as_symbols_never_sent(make_app, hostile_db):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await search(app, pilot, "/hostile-ansi")
        screen = app.screen
        assert screen.detail.shortcut == "hostile-ansi"
        for style in screen.detail.styles:  # standard, caring (raw bytes), casual (multi-line)
            texts = _pane_texts(screen)
            _assert_no_controls(texts)
            assert "␛[31m" in texts["sv-body"] or "␛[1m" in texts["sv-body"], style
            assert "\x1b" not in screen_text(app)
            await pilot.press("tab")
        assert "␛]52;c;ZXZpbA==" in _pane_texts(screen)["sv-card"]  # OSC 52 in the situation


async def test_wide_and_long_text_stays_in_its_pane(make_app, hostile_db):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await search(app, pilot, "hostile")
        shortcuts = {h.shortcut for h in results(app)}
        assert {"hostile-markup", "hostile-ansi", "hostile-tabs", "hostile-emoji",
                "hostile-long"} <= shortcuts
        _assert_no_controls(_pane_texts(app.screen))
        await search(app, pilot, "/hostile-long")
        head = str(app.screen.query_one("#sv-head", Static).render())
        assert "超长标题" in head
        _assert_no_controls(_pane_texts(app.screen))


async def test_copy_strips_control_characters(make_app, hostile_db):
    app = make_app()
    async with started(app) as pilot:
        await search(app, pilot, "/hostile-ansi")
        await focus_results(app, pilot)
        await pilot.press("y")
        await settle(app, pilot)
        copied = app._clipboard
        assert copied, "nothing copied"
        assert not CONTROLS.search(copied), repr(copied)
        assert "[31mred[0m" in copied  # the printable rest of the sequence stays
        assert "OSC 52 ]52;c;ZXZpbA==" in copied


async def test_fill_form_shows_a_markup_label_literally(make_app, hostile_db):
    app = make_app(lang="en", size=LARGE)
    async with started(app) as pilot:
        await search(app, pilot, "/hostile-markup")
        await focus_results(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, FillForm)
        labels = "\n".join(str(w.render()) for w in app.screen.query(".fill-label"))
        assert "[bold]Customer[/]" in labels
        assert not CONTROLS.search(labels), repr(labels)
        assert "\x1b" not in screen_text(app)
        await type_text(pilot, "[b]Ann[/b]")
        await pilot.press("enter")
        await settle(app, pilot)
        assert "for [b]Ann[/b]" in app._clipboard
