"""Fixtures shared by every test folder: a fresh database per test, actors.

Loading the starter library (pypinyin over every title, ~50 scenarios) takes
seconds, so it is done once per session into a template file that each test
copies. Nothing here touches the real home directory: ``CSCTERM_DB`` and the
platform data folders point into the test's temporary directory.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from cscterm import config, i18n
from cscterm.db.engine import Database
from cscterm.services import users
from cscterm.services.users import Actor
from cscterm.services.workspace import Workspace, open_workspace

LEAD = "lead1"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """English messages, and any default database path inside tmp_path."""
    home = tmp_path / "home"
    monkeypatch.setenv("CSCTERM_DB", str(home / "env.db"))
    monkeypatch.setenv("CSCTERM_LANG", "en")
    monkeypatch.setenv("CSCTERM_USER", LEAD)
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("CSCTERM_CONFIG", str(home / "settings.json"))
    i18n.set_language("en")
    yield
    i18n.set_language("en")


def _settle(path: Path) -> None:
    """Fold the WAL into the main file so copying that one file is enough."""
    con = sqlite3.connect(path)
    try:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.execute("PRAGMA journal_mode=DELETE")
    finally:
        con.close()
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists(), f"{path}{suffix} left behind"


@pytest.fixture(scope="session")
def starter_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the starter library and ``lead1`` as its lead, built once."""
    path = tmp_path_factory.mktemp("template") / "starter.db"
    ws = open_workspace(config.resolve(db=path, lang="en", user=LEAD, env={}))
    assert ws.created and ws.actor.is_lead
    ws.close()
    _settle(path)
    return path


@pytest.fixture(scope="session")
def schema_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with the current schema and nothing in it, built once."""
    path = tmp_path_factory.mktemp("template") / "schema.db"
    db = Database(path)
    db.ensure_schema()
    db.dispose()
    _settle(path)
    return path


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cscterm.db"


@pytest.fixture
def workspace(db_path: Path, starter_template: Path) -> Iterator[Workspace]:
    """A fresh database with the starter library, opened by ``lead1`` (its lead)."""
    shutil.copy(starter_template, db_path)
    ws = open_workspace(config.resolve(db=db_path, lang="en", user=LEAD, env={}))
    yield ws
    ws.close()


@pytest.fixture
def empty_db(db_path: Path, schema_template: Path) -> Iterator[Database]:
    """A fresh database with the schema but no users and no library."""
    shutil.copy(schema_template, db_path)
    db = Database(db_path)
    yield db
    db.dispose()


@pytest.fixture
def login_as(workspace: Workspace) -> Callable[[str], Actor]:
    """``login_as("agent1")``: that user, created on first sight as an agent."""

    def login(name: str) -> Actor:
        with workspace.session() as session:
            return users.identify(session, name)

    return login


@pytest.fixture
def lead(workspace: Workspace) -> Actor:
    return workspace.actor


@pytest.fixture
def agent(login_as: Callable[[str], Actor]) -> Actor:
    return login_as("agent1")


@pytest.fixture
def agent2(login_as: Callable[[str], Actor]) -> Actor:
    return login_as("agent2")
