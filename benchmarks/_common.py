"""Shared bits of the benchmarks: paths, the benchmark user, percentiles, tables."""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Sequence
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


def db_path(argv_value: str | None) -> Path:
    return Path(argv_value or os.environ.get("CSCTERM_BENCH_DB") or DEFAULT_DB).resolve()


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
