"""A dropped connection loses at most the last two seconds of typing.

A real ``cscterm`` runs in a pseudo-terminal, opens the script editor and
types; it is then hung up on (SIGHUP, as when an SSH link drops). The draft
must be in the database, and the next start must offer it back.
"""

from __future__ import annotations

import os
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cscterm.db.engine import Database
from cscterm.services import drafts, users

pytestmark = pytest.mark.slow

TITLE = "断线前写的话术"


def _read_until(fd: int, marker: bytes, timeout: float) -> bytes:
    seen = b""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            seen += chunk
            if marker in seen:
                return seen
    raise AssertionError(f"{marker!r} did not appear on the screen within {timeout}s")


def _drain(fd: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                os.read(fd, 65536)
            except OSError:
                return


def spawn_in_pty(db_path: Path, tmp_path: Path, user: str = "wang") -> tuple[subprocess.Popen[bytes], int]:
    """A real ``cscterm`` (English, 100×30) in a new pseudo-terminal on
    ``db_path``: the child and the terminal's master side."""
    import fcntl
    import struct
    import termios

    env = {
        **os.environ,
        "CSCTERM_DB": str(db_path),
        "CSCTERM_USER": user,
        "CSCTERM_LANG": "en",
        "CSCTERM_CONFIG": str(tmp_path / "settings.json"),
        "TERM": "xterm-256color",
        "COLUMNS": "100",
        "LINES": "30",
    }
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
    child = subprocess.Popen(
        [sys.executable, "-m", "cscterm"],
        stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
    )
    os.close(slave)
    return child, master


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pty and SIGHUP")
def test_sighup_keeps_the_draft_and_the_next_start_offers_it(tmp_path: Path, tui_template: Path) -> None:
    db_path = tmp_path / "c.db"
    shutil.copy(tui_template, db_path)
    child, master = spawn_in_pty(db_path, tmp_path)
    try:
        _read_until(master, b"All scripts", 60)  # the library is listed
        _drain(master, 0.5)
        os.write(master, b"n")  # new personal script: the title field has focus
        _read_until(master, b"New personal script", 20)
        _drain(master, 0.3)
        os.write(master, TITLE.encode("utf-8"))
        _drain(master, 2.5)  # autosave runs every second
        child.send_signal(signal.SIGHUP)
        child.wait(timeout=20)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)

    db = Database(db_path)
    with db.session() as session:
        wang = users.identify(session, "wang")
        found = drafts.pending(session, wang, "script")
    db.dispose()
    assert [d.payload["title"] for d in found] == [TITLE]


async def test_the_next_start_offers_the_draft_back_and_opens_it(make_app, db_path: Path) -> None:
    from textual.widgets import Input

    from cscterm.tui.screens.editor import ScriptEditor
    from cscterm.tui.widgets.confirm import Confirm

    from .helpers import settle

    app = make_app(lang="en")  # copies the template to db_path
    db = Database(db_path)
    with db.session() as session:
        drafts.save(session, users.identify(session, "wang"), "script", "new",
                    {"title": TITLE, "shortcut": "dx1", "variants": {"standard": "您好"},
                     "scenario": None, "script_id": None, "copy": False})
    db.dispose()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert isinstance(app.screen, Confirm)
        assert TITLE in app.screen.question
        await pilot.press("y")
        await settle(app, pilot)
        assert isinstance(app.screen, ScriptEditor)
        assert app.screen.query_one("#ed-title", Input).value == TITLE
