"""Shared by the TUI tests: waiting for the workbench to settle, typing, and
reading what widgets show."""

from __future__ import annotations

import io
import sqlite3
import time
import unicodedata
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from rich.console import Console
from textual import events
from textual.screen import ModalScreen
from textual.widgets import Input, Static, TextArea
from textual.worker import WorkerState

from cscterm.tui.widgets.script_list import ScriptList

if TYPE_CHECKING:
    from sqlmodel import Session
    from textual.pilot import Pilot

    from cscterm.services.handover import HandoverView, ItemInput
    from cscterm.services.scripts import ScriptHit
    from cscterm.services.users import Actor
    from cscterm.tui.app import CscApp
    from cscterm.tui.screens.handover import HandoverScreen

LEAD = "wang"  # the first login: the template's lead
AGENT = "li"  # a second login on the same database: an agent
SMALL = (80, 24)
LARGE = (120, 40)

DATA = Path(__file__).resolve().parent.parent / "data"
HOSTILE = DATA / "hostile_text.yaml"

# Workers that await a modal screen (fill form, lint confirm): waiting for them
# while the modal is up would wait for ever.
_MODAL_GROUPS = frozenset({"copy", "copy-by-id"})
_LIVE = (WorkerState.PENDING, WorkerState.RUNNING)


def _loading(app: CscApp) -> bool:
    """The library has not shown its first results yet (the workspace opens
    after the first paint, so at first there is no worker to wait for)."""
    from cscterm.tui.screens.library import LibraryScreen

    library = next((s for s in app.screen_stack if isinstance(s, LibraryScreen)), None)
    return app.ws is None or (library is not None and library.results_version == 0)


# Workers that run as long as the app does (watching the database).
_FOREVER = {"watch"}


def _busy(app: CscApp) -> list[object]:
    modal_up = isinstance(app.screen, ModalScreen)
    return [
        w for w in app.workers
        if w.state in _LIVE and w.group not in _FOREVER
        and not (modal_up and w.group in _MODAL_GROUPS)
    ]


async def settle(app: CscApp, pilot: Pilot[None], limit: float = 15.0) -> None:
    """Wait until no worker runs and the screen has caught up.

    Workers chain (workspace → reference data + search → detail; copy → usage),
    so this waits, lets the posted results land, and looks again — until two
    quiet rounds in a row.
    """
    deadline = time.monotonic() + limit
    quiet = 0
    while quiet < 2:
        if time.monotonic() > deadline:
            raise AssertionError(f"the app did not settle: workers {_busy(app)}, "
                                 f"loading {_loading(app)}")
        busy = _busy(app)
        if busy:
            await app.workers.wait_for_complete(busy)  # type: ignore[arg-type]
        await pilot.pause()
        if _loading(app) or _busy(app):
            quiet = 0
            if not _busy(app):
                await pilot.pause(0.02)
        else:
            quiet += 1
    await pilot.pause()


async def type_text(pilot: Pilot[None], text: str) -> None:
    """Type ``text`` key by key (CJK characters included), as one burst."""
    await pilot.press(*(_key(ch) for ch in text))


async def paste_text(pilot: Pilot[None], text: str) -> None:
    """Paste ``text`` into whatever has focus, as the terminal would (one event,
    so one search instead of one per key)."""
    event = events.Paste(text)
    event.set_sender(pilot.app)
    pilot.app._driver.send_message(event)  # noqa: SLF001 - as the driver does
    await pilot.pause()


def _key(ch: str) -> str:
    if ch in _ASCII_KEYS:
        return _ASCII_KEYS[ch]
    if not ch.isascii() and not ch.isalnum():
        # Pilot turns "，" into the key "fullwidth_comma" and cannot turn that
        # back into a character; the Unicode name round-trips.
        return unicodedata.name(ch)
    return ch


_ASCII_KEYS = {" ": "space", "/": "slash", "?": "question_mark"}


def still_cursor(app: CscApp) -> None:
    """Stop cursors blinking so a screenshot does not depend on timing."""
    for screen in app.screen_stack:
        for widget in screen.query(Input):
            widget.cursor_blink = False
        for widget in screen.query(TextArea):
            widget.cursor_blink = False


def screen_text(app: CscApp) -> str:
    """Every character on the terminal, row by row: what the user sees, as
    ``export_screenshot`` draws it but as plain text (escape codes included,
    were any to reach the terminal)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(  # noqa: SLF001 - the frame itself
        full=True, screen_stack=app._background_screens)  # noqa: SLF001
    console.print(update)
    return console.export_text(styles=False)


def query_db(path: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    con = sqlite3.connect(path)
    try:
        return list(con.execute(sql, params))
    finally:
        con.close()


@asynccontextmanager
async def started(app: CscApp) -> AsyncIterator[Pilot[None]]:
    """Run ``app`` headless at its ``test_size`` and wait until it has settled."""
    async with app.run_test(size=app.test_size) as pilot:  # type: ignore[attr-defined]
        await settle(app, pilot)
        yield pilot


@dataclass(frozen=True)
class Type:
    """A ``run_before`` step: type this text into whatever has focus."""

    text: str


@dataclass(frozen=True)
class Paste:
    """A ``run_before`` step: paste this text into whatever has focus."""

    text: str


# ── acting on the database behind the app's back ───────────────────────────


@contextmanager
def acting(db_path: Path, user: str = LEAD) -> Iterator[tuple[Session, Actor]]:
    """A unit of work on ``db_path`` as ``user`` (another session than the app's)."""
    from cscterm.config import resolve
    from cscterm.services.workspace import open_workspace

    ws = open_workspace(resolve(db=db_path, lang="zh_CN", user=user, env={}))
    try:
        with ws.session() as session:
            yield session, ws.actor
    finally:
        ws.close()


def add_personal_script(db_path: Path, shortcut: str, body: str, *, user: str = LEAD,
                        title: str = "我的话术", scenario: str = "未发货") -> int:
    """A personal script of ``user`` in the first scenario matching ``scenario``."""
    from cscterm.services import scripts

    with acting(db_path, user) as (session, actor):
        card = scripts.find_scenarios(session, scenario, limit=1)[0]
        draft = scripts.ScriptDraft(card.id, title, shortcut, {"standard": body})
        return scripts.create_script(session, actor, draft).id


# ── driving the library ─────────────────────────────────────────────────────


async def search(app: CscApp, pilot: Pilot[None], query: str, *, typed: bool = False) -> None:
    """Search for ``query`` (replacing any earlier one) and wait for the results:
    ``/`` from the list (it selects the old query), ``end ctrl+u`` in the box;
    then the query is pasted, or ``typed`` key by key."""
    from cscterm.tui.screens.library import SearchInput

    if isinstance(app.focused, SearchInput):
        await pilot.press("end", "ctrl+u")
    else:
        await pilot.press("slash")
    if typed:
        await type_text(pilot, query)
    else:
        await paste_text(pilot, query)
    await settle(app, pilot)


def results(app: CscApp) -> list[ScriptHit]:
    return list(app.screen.query_one("#results", ScriptList).hits)


async def focus_results(app: CscApp, pilot: Pilot[None]) -> None:
    """Move from the search box to the results without losing the query.

    README: esc leaves the search box. It also clears the query today (the
    screen's ``key_escape`` runs before the search box's escape binding; see
    ``test_escape_in_search_box_keeps_the_query``), so the flows focus the list
    directly until that is fixed.
    """
    app.screen.query_one("#results", ScriptList).focus()
    await pilot.pause()


# ── the handover screen ─────────────────────────────────────────────────────


def add_logins(db_path: Path, *users: str) -> None:
    """Make ``users`` known on ``db_path`` (a login is created on first
    sight, as an agent of the default team)."""
    assert db_path.exists(), "make_app first: it copies the template database"
    for user in users:
        with acting(db_path, user):
            pass


def stop_the_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime) -> None:
    """The handover screens read the time as ``moment`` (services called
    without ``now=`` still read the real clock)."""
    from cscterm.tui.screens import handover as screens

    monkeypatch.setattr(screens, "clock", lambda: moment)


async def wait_until(pilot: Pilot[None], condition: Callable[[], object], what: str,
                     limit: float = 5.0) -> None:
    """Pause in short steps until ``condition()`` holds, failing after ``limit`` s."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {limit} s: {what}")
        await pilot.pause(0.05)


async def open_handover(app: CscApp, pilot: Pilot[None]) -> HandoverScreen:
    """F6, then wait until the inbox and the highlighted note are shown."""
    from cscterm.tui.screens.handover import HandoverScreen

    await pilot.press("f6")
    await wait_until(pilot, lambda: isinstance(app.screen, HandoverScreen)
                     and app.screen.loaded_version > 0, "the handover inbox loaded")
    await settle(app, pilot)
    return app.screen  # type: ignore[return-value]


async def highlight_entry(app: CscApp, pilot: Pilot[None], kind: str,
                          match: Callable[[object], bool]) -> None:
    """Move the inbox's highlight to the first ``kind`` ("note", "item",
    "draft") row whose value ``match``-es, and wait for its note to show."""
    from textual.widgets import OptionList

    screen = app.screen
    index = next(n for n, (k, value) in enumerate(screen.entries)  # type: ignore[attr-defined]
                 if k == kind and match(value))
    screen.query_one("#ho-list", OptionList).highlighted = index
    await settle(app, pilot)


def detail_text(app: CscApp) -> str:
    """What the inbox's right-hand pane shows, as plain text."""
    from textual.content import Content

    shown = app.screen.query_one("#ho-text", Static).content
    return shown.plain if isinstance(shown, Content) else str(shown)


def item_input(reference: str, due: str = "+30m", *, situation: str = "客户催退款",
               next_action: str = "回电确认退款进度", owner: str = "",
               origin_id: int | None = None) -> ItemInput:
    """An open item as the editor sends it (due as typed, owner a login)."""
    from cscterm.services.handover import ItemInput

    return ItemInput(reference=reference, situation=situation, next_action=next_action,
                     due=due, owner=owner, origin_id=origin_id)


def submit_handover(db_path: Path, user: str = LEAD, *, summary: str = "平稳，退款咨询偏多",
                    items: Sequence[ItemInput] = (), to_user: str = "",
                    now: datetime | None = None, slot_at: datetime | None = None,
                    overall: str = "normal", watchouts: str = "") -> HandoverView:
    """A note by ``user`` submitted behind the app's back, written ``now``
    (default: the real time) for the shift running at ``slot_at`` (default:
    the shift before the one running ``now``, so that it is addressed to the
    shift on duty and waits in the team's inbox)."""
    from cscterm.services import handover, shifts

    assert db_path.exists(), "make_app first: it copies the template database"
    now = now or datetime.now(UTC)
    with acting(db_path, user) as (session, actor):
        if slot_at is None:
            slot_at = shifts.slot_at(session, actor.team, now).start - timedelta(minutes=1)
        slot = shifts.slot_at(session, actor.team, slot_at)
        note = handover.start_handover(session, actor, now=now, slot=slot)
        note = handover.save_draft(session, actor, note.id, note.version, overall=overall,
                                   summary=summary, watchouts=watchouts, items=list(items),
                                   to_user=to_user, now=now)
        return handover.submit(session, actor, note.id, note.version, now=now)
