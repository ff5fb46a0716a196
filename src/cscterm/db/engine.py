"""Opening the database: engine, connection pragmas, schema upgrades.

Start-up is on the hot path, so Alembic is imported only when the schema is
behind: a current database costs one ``SELECT`` of ``alembic_version``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlmodel import Session

# The newest migration's revision id; tests check it matches the scripts.
SCHEMA_HEAD = "0006"

BUSY_TIMEOUT_MS = 5000


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def make_engine(path: Path | str) -> Engine:
    """An engine for the SQLite file at ``path`` (":memory:" is refused: the
    workbench's workers use several connections)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        f"sqlite:///{path}",
        # Worker threads check connections out of the pool one at a time;
        # reusing them saves opening the file and the pragmas on every search.
        connect_args={"check_same_thread": False},
        pool_size=4,
        max_overflow=4,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def migrations_location() -> str:
    return str(resources.files("cscterm.db") / "migrations")


def current_revision(conn: Connection) -> str | None:
    try:
        row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
    except OperationalError:
        return None
    return row[0] if row else None


def upgrade(conn: Connection, revision: str = "head") -> None:
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", migrations_location())
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, revision)


class Database:
    """One database: its engine and how to get a unit of work on it."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self.engine = make_engine(self.path)

    def ensure_schema(self) -> bool:
        """Bring the schema to the newest revision. True if it was created now."""
        with self.engine.begin() as conn:
            revision = current_revision(conn)
            if revision == SCHEMA_HEAD:
                return False
            upgrade(conn)
            return revision is None

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed if the block succeeds, rolled back if not."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def data_version(self, conn: Connection) -> int:
        """Changes by other connections bump this (cheap polling for live views)."""
        return int(conn.exec_driver_sql("PRAGMA data_version").scalar_one())

    @contextmanager
    def watcher(self) -> Iterator[Callable[[], int]]:
        """A function returning a number that changes whenever another
        connection commits (SQLite's ``PRAGMA data_version`` on one
        connection kept for the purpose; no transaction is left open)."""
        with self.engine.connect() as conn:
            def changed() -> int:
                try:
                    return self.data_version(conn)
                finally:
                    conn.rollback()

            yield changed

    def dispose(self) -> None:
        self.engine.dispose()
