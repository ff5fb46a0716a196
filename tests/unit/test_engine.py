"""db/engine.py: connections, pragmas and units of work."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlmodel import select

from cscterm.db.engine import BUSY_TIMEOUT_MS, Database, make_engine
from cscterm.db.models import Meta


def pragmas(conn) -> tuple[str, int, int]:  # type: ignore[no-untyped-def]
    return (
        conn.exec_driver_sql("PRAGMA journal_mode").scalar_one(),
        conn.exec_driver_sql("PRAGMA foreign_keys").scalar_one(),
        conn.exec_driver_sql("PRAGMA busy_timeout").scalar_one(),
    )


def test_every_connection_gets_wal_foreign_keys_and_busy_timeout(empty_db: Database) -> None:
    with empty_db.engine.connect() as first, empty_db.engine.connect() as second:
        assert pragmas(first) == ("wal", 1, 5000)
        assert pragmas(second) == ("wal", 1, 5000)
    with empty_db.engine.connect() as third:  # NullPool: a brand-new connection
        assert pragmas(third) == ("wal", 1, 5000)
    assert BUSY_TIMEOUT_MS == 5000


def test_session_connections_get_the_pragmas_too(empty_db: Database) -> None:
    with empty_db.session() as session:
        assert pragmas(session.connection()) == ("wal", 1, 5000)


def test_foreign_keys_are_enforced(empty_db: Database) -> None:
    from sqlalchemy.exc import IntegrityError

    with pytest.raises(IntegrityError), empty_db.session() as session:
        session.execute(text(
            "INSERT INTO script_usage (script_id, user_id, style, used_at) VALUES (999, 999, 'standard', '2026-01-01')"))


def test_make_engine_creates_the_parent_folder(tmp_path) -> None:
    path = tmp_path / "a" / "b" / "x.db"
    engine = make_engine(path)
    with engine.connect() as conn:
        conn.exec_driver_sql("SELECT 1")
    engine.dispose()
    assert path.exists()


def test_session_commits_when_the_block_succeeds(empty_db: Database) -> None:
    with empty_db.session() as session:
        session.add(Meta(key="k", value="v"))
    with empty_db.session() as session:
        assert session.get(Meta, "k").value == "v"


def test_session_rolls_back_when_the_block_raises(empty_db: Database) -> None:
    with pytest.raises(RuntimeError), empty_db.session() as session:
        session.add(Meta(key="k", value="v"))
        session.flush()
        raise RuntimeError("boom")
    with empty_db.session() as session:
        assert session.exec(select(Meta)).all() == []


def test_objects_stay_readable_after_the_session_commits(empty_db: Database) -> None:
    with empty_db.session() as session:
        row = Meta(key="k", value="v")
        session.add(row)
    assert row.value == "v"  # expire_on_commit=False


def test_data_version_changes_when_another_connection_writes(empty_db: Database) -> None:
    with empty_db.engine.connect() as watcher:
        before = empty_db.data_version(watcher)
        with empty_db.session() as session:
            session.add(Meta(key="k", value="v"))
        assert empty_db.data_version(watcher) != before


def test_ensure_schema_reports_creation_once(db_path) -> None:
    db = Database(db_path)
    try:
        assert db.ensure_schema() is True
        assert db.ensure_schema() is False
    finally:
        db.dispose()
