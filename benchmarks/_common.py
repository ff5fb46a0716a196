"""Shared bits of the benchmarks: paths, the benchmark user, database files,
the app's language, percentiles, tables."""

from __future__ import annotations

import math
import os
import shutil
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
OUT = BENCH_DIR / "out"  # git-ignored
DEFAULT_DB = OUT / "cscterm-100k.db"
# The first user of the generated database (its lead, with usage stats).
LOGIN = "bench-lead"
DISPLAY_NAME = "王小明"
# The shared start-up measurer (never copied into the repo).
# Programs are measured as installed ones run: with compiled bytecode. An
# environment that forbids writing it makes every start compile SQLAlchemy
# and Textual from source, and that is all any start-up ratio would measure.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

STARTUP_TOOL = Path(os.environ.get("CSCTERM_STARTUP_TOOL", REPO.parent / "shared" / "tools" / "startup.py"))


def db_path(argv_value: str | None, env: str = "CSCTERM_BENCH_DB", default: Path = DEFAULT_DB) -> Path:
    """The database named on the command line, else in the environment variable ``env``, else ``default``."""
    return Path(argv_value or os.environ.get(env) or default).resolve()


def remove_db(path: Path) -> None:
    """The SQLite database at ``path`` deleted, with its WAL, shared-memory and journal files."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def copy_db(source: Path, copy: Path) -> None:
    """A copy of ``source`` at ``copy`` (any database there removed first), with
    everything in ``source``'s WAL checkpointed into the file before it is copied."""
    conn = sqlite3.connect(source)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself
    finally:
        conn.close()
    remove_db(copy)
    shutil.copyfile(source, copy)


@contextmanager
def language(code: str) -> Iterator[None]:
    """The app's language set to ``code`` for the block, and put back after it."""
    from cscterm.i18n import get_language, set_language

    before = get_language()
    set_language(code)
    try:
        yield
    finally:
        set_language(before)


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain fixed-width table (CJK-safe enough: the cells are ASCII)."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.rjust(w) if _numeric(c) else c.ljust(w) for c, w in zip(row, widths)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.2f}"
    return str(value)


def _numeric(cell: str) -> bool:
    return cell.replace(".", "", 1).replace("x", "").replace("-", "").isdigit()


def say(*parts: object) -> None:
    print(*parts, flush=True)


def warn(*parts: object) -> None:
    print(*parts, file=sys.stderr, flush=True)
