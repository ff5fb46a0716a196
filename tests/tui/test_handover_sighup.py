"""The handover editor loses at most the last two seconds of typing when the
terminal goes away: a real ``cscterm`` in a pseudo-terminal opens the editor,
types, and is hung up on (SIGHUP, a dropped SSH link), terminated (SIGTERM)
or killed (SIGKILL). The typing must be in the database as a draft."""

from __future__ import annotations

import os
import shutil
import signal
import sys
from pathlib import Path

import pytest

from cscterm.db.engine import Database
from cscterm.services import drafts, users

from .test_draft_sighup import _drain, _read_until, spawn_in_pty

pytestmark = pytest.mark.slow

SUMMARY = "断线前写的交接：退款积压 12 单"
F6 = b"\x1b[17~"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty and signals")
@pytest.mark.parametrize("sig", [signal.SIGHUP, signal.SIGTERM, signal.SIGKILL],
                         ids=["SIGHUP", "SIGTERM", "SIGKILL"])
def test_typing_in_the_handover_editor_survives_the_terminal_going_away(
        tmp_path: Path, tui_template: Path, sig: signal.Signals) -> None:
    db_path = tmp_path / "c.db"
    shutil.copy(tui_template, db_path)
    child, master = spawn_in_pty(db_path, tmp_path)
    try:
        _read_until(master, b"All scripts", 60)
        _drain(master, 0.5)
        os.write(master, F6)
        _read_until(master, b"To acknowledge", 20)
        _drain(master, 0.5)
        os.write(master, b"w")  # the editor opens with the summary focused
        _read_until(master, b"Watch-outs", 20)
        _drain(master, 0.5)
        os.write(master, SUMMARY.encode("utf-8"))
        _drain(master, 2.5)  # autosave runs every second
        child.send_signal(sig)
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)

    db = Database(db_path)
    with db.session() as session:
        found = drafts.pending(session, users.identify(session, "wang"), "handover")
    db.dispose()
    assert [d.payload["summary"] for d in found] == [SUMMARY]


async def test_the_next_start_offers_an_unsent_handover_back(make_app, db_path: Path) -> None:
    from textual.widgets import TextArea

    from cscterm.services import handover
    from cscterm.tui.screens.handover import HandoverEditor
    from cscterm.tui.widgets.confirm import Confirm

    from .helpers import settle

    app = make_app(lang="en")  # copies the template to db_path
    db = Database(db_path)
    with db.session() as session:
        wang = users.identify(session, "wang")
        note = handover.start_handover(session, wang)
        drafts.save(session, wang, "handover", str(note.id),
                    {"overall": "busy", "to": "", "summary": SUMMARY, "watchouts": "",
                     "items": []})
    db.dispose()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        assert note.shift_name in app.screen.question
        await pilot.press("y")
        for _ in range(20):
            await settle(app, pilot)
            if isinstance(app.screen, HandoverEditor):
                break
        assert isinstance(app.screen, HandoverEditor)
        assert app.screen.query_one("#he-summary", TextArea).text == SUMMARY
