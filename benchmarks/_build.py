"""What the benchmark database generators share: Beijing time and SQLite's
time stamps, the generator's marker that says whether a database can be
reused, the schema fingerprint, bulk inserts on one connection and how a
build is finished (foreign keys checked, marker written, ``ANALYZE``, WAL
checkpoint), the benchmark lead, and the command line."""

from __future__ import annotations

import argparse
import hashlib
import random
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import TypeVar

from _common import DISPLAY_NAME, LOGIN, remove_db, say
from _vocab import GIVEN, SURNAMES

ZONE = timezone(timedelta(hours=8), "CST")  # Asia/Shanghai: no daylight saving
T = TypeVar("T")


def stamp(moment: datetime) -> str:
    """As SQLAlchemy stores a DateTime in SQLite (naive UTC text)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def full_name(rng: random.Random) -> str:
    """A Chinese name: a surname and a given name."""
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


# ── is a database there, and built with these parameters? ───────────────────


def read_only(path: Path, read: Callable[[sqlite3.Connection], T], default: T) -> T:
    """``read`` on a read-only connection to ``path``; ``default`` on any SQLite error."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            return read(conn)
        finally:
            conn.close()
    except sqlite3.Error:
        return default


def _meta(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


def meta_value(path: Path, key: str) -> str | None:
    """The value stored under ``key`` in ``path``'s meta table (None if there is none or no database)."""
    return read_only(path, lambda conn: _meta(conn, key), None)


def count_rows(conn: sqlite3.Connection, tables: Sequence[str]) -> dict[str, int]:
    return {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def stored_marker(path: Path, key: str, tables: Sequence[str]) -> tuple[str, dict[str, int]] | None:
    """The generator's marker stored under ``key`` in ``path`` and the row
    counts of ``tables`` now; None if ``path`` holds no finished database."""
    if not path.exists():
        return None
    found = read_only(path, lambda conn: (_meta(conn, key), count_rows(conn, tables)), None)
    if found is None or found[0] is None:
        return None
    return found[0], found[1]


def schema_fingerprint(tables: Sequence[str]) -> str:
    """The schema revision and the indexes of ``tables`` as the models define
    them (columns, and the WHERE of a partial index): a database built before
    either changed is built again."""
    from cscterm.db.engine import SCHEMA_HEAD
    from cscterm.db.models import SQLModel

    parts = []
    for name in tables:
        for index in sorted(SQLModel.metadata.tables[name].indexes, key=lambda i: i.name or ""):
            where = index.dialect_options["sqlite"].get("where")
            columns = ",".join(c.name for c in index.columns)
            parts.append(f"{index.name}({columns})" + ("" if where is None else f" WHERE {where}"))
    return f"{SCHEMA_HEAD}-{hashlib.sha1(';'.join(parts).encode()).hexdigest()[:10]}"


def reusable(path: Path, who: str, current: bool) -> bool:
    """True (and says so) if the database at ``path`` is ``current`` and is
    reused; otherwise it is removed and its folder made, ready for a build."""
    if current:
        say(f"{who}: reusing {path}")
        return True
    remove_db(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return False


# ── building ────────────────────────────────────────────────────────────────


def bench_lead(session):  # type: ignore[no-untyped-def]
    """bench-lead (shown as DISPLAY_NAME), which must be the database's first user and so its lead."""
    from cscterm.services.users import identify

    lead = identify(session, LOGIN, DISPLAY_NAME)
    assert lead.role == "lead", "the benchmark user must be the database's first user"
    return lead


def insert_sql(table: str, columns: tuple[str, ...]) -> str:
    """An INSERT of one row of ``columns`` (quoted) into ``table``, for executemany."""
    quoted = ", ".join(f'"{c}"' for c in columns)
    return f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})"


@contextmanager
def bulk(db, *, defer_keys: bool = False) -> Iterator:  # type: ignore[no-untyped-def]
    """One connection for bulk inserts, with ``synchronous=OFF`` (and with
    ``defer_keys`` foreign keys off, to be checked at the end with
    ``check_keys``); what is not committed is rolled back at the end and the
    settings put back."""
    with db.engine.connect() as conn:
        if defer_keys:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        conn.commit()
        try:
            yield conn
        finally:
            conn.rollback()
            if defer_keys:
                conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")


def check_keys(conn, who: str) -> None:  # type: ignore[no-untyped-def]
    """Foreign keys back on, then every reference checked: a dangling one stops the build."""
    conn.exec_driver_sql("PRAGMA foreign_keys=ON")
    bad = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if bad:
        raise SystemExit(f"{who}: {len(bad)} dangling references, e.g. {bad[:3]}")


def seal(conn, key: str, marker: str, *, analyze: bool) -> float:  # type: ignore[no-untyped-def]
    """The generator's ``marker`` stored under meta ``key`` and committed, then
    (with ``analyze``) ``ANALYZE`` run, and the WAL checkpointed into the
    file; returns the seconds ANALYZE took."""
    from sqlalchemy import text

    conn.execute(text("INSERT INTO meta (key, value) VALUES (:key, :v)"), {"key": key, "v": marker})
    conn.commit()
    analyze_s = 0.0
    if analyze:
        t0 = time.perf_counter()
        conn.exec_driver_sql("ANALYZE")
        conn.commit()
        analyze_s = time.perf_counter() - t0
    conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    return analyze_s


# ── the command line ────────────────────────────────────────────────────────


def generator_main(doc: str, argv: list[str] | None, generate: Callable[..., Path],
                   db_path: Callable[[str | None], Path], seed: int, db_name: str) -> Path:
    """A generator's command line: ``[PATH] [--seed S] [--force]``."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("path", nargs="?", help=f"database file (default benchmarks/out/{db_name})")
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--force", action="store_true", help="rebuild even if a current database exists")
    args = parser.parse_args(argv)
    return generate(db_path(args.path), seed=args.seed, force=args.force)
