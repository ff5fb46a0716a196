"""``cscterm log "…"`` (a quick note from the shell) against importing SQLModel.

    uv run python benchmarks/log_cli.py [--rounds 15] [--db PATH] [--worklog]

Writing a note from the shell should cost little more than the stack's
floor: the Python start-up plus ``import sqlmodel``. The script builds a
database first (schema and starter library, so no run pays for creating
them; ``--db``, default benchmarks/out/log-cli.db, is made afresh), then
runs, alternately, after one warm-up each:

* ``.venv/bin/cscterm --db DB --user bench-lead log "…"``;
* ``.venv/bin/python -c "import sqlmodel"``;
* ``.venv/bin/python -c "import sqlmodel, cscterm.db.models"`` — for
  information: what defining the tables costs before any work is done;

each as a subprocess, timing wall-clock time, and prints both medians and
their ratio against the target: ≤ 1.2× the floor. The exit code is 1 if the
target is missed. Afterwards the modules the log path imports that the floor
does not are listed, so a heavy import that slipped in is easy to find.

With ``--worklog`` (as ``run_all.py`` runs it) the note goes into a
realistically large log instead: a fresh copy
(benchmarks/out/log-cli-worklog.db) of the five-year work-log database of
worklog_generate.py (built first if needed; ``CSCTERM_BENCH_WORKLOG_DB``),
whose first user bench-lead has five years of days. ``--db`` naming a
database that generator built is copied the same way: the benchmark
database itself is never written to.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, REPO, copy_db, say, table, warn  # noqa: E402

TARGET = 1.2
VENV_BIN = REPO / ".venv" / "bin"
NOTE = "客户王女士要求周五前回电"
HEAVY = ("textual", "rich", "alembic", "pypinyin", "yaml")


def _env() -> dict[str, str]:
    """Both commands run as an installed program does: with compiled
    bytecode (kept under benchmarks/out/, so the source tree stays clean;
    without it every run compiles SQLAlchemy from source and that is all
    either command measures)."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.update(CSCTERM_LANG="zh_CN", CSCTERM_USER=LOGIN,
               CSCTERM_CONFIG=str(OUT / "log-cli-settings.json"),
               PYTHONPYCACHEPREFIX=str(OUT / "pycache"))
    return env


def build(db: Path) -> None:
    """A database with the current schema and the starter library."""
    db.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    subprocess.run([str(VENV_BIN / "cscterm"), "--db", str(db), "log", "metrics"],
                   env=_env(), check=True, stdout=subprocess.DEVNULL)


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=_env(), check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def extra_modules(db: Path) -> list[str]:
    """Top-level packages the log path loads beyond ``import sqlmodel``."""
    listing = "import sys; print('\\n'.join(sorted(sys.modules)))"
    floor = subprocess.run([str(VENV_BIN / "python"), "-c", "import sqlmodel; " + listing],
                           env=_env(), check=True, capture_output=True, text=True).stdout
    code = ("import sys\n"
            f"sys.argv = ['cscterm', '--db', {str(db)!r}, 'log', 'x']\n"
            "from cscterm.launch import main\n"
            "try:\n    main()\nexcept SystemExit:\n    pass\n"
            "sys.stdout = sys.stderr\n" + listing)
    path = subprocess.run([str(VENV_BIN / "python"), "-c", code], env=_env(), check=True,
                          capture_output=True, text=True).stderr
    extra = set(path.split()) - set(floor.split())
    return sorted({name.split(".")[0] for name in extra if not name[0].isdigit()})


WORKLOG_COPY = OUT / "log-cli-worklog.db"


def copy_worklog(source: Path, copy: Path = WORKLOG_COPY) -> Path:
    """A fresh copy of a work-log benchmark database (notes go into the copy)."""
    copy_db(source, copy)
    return copy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--db", type=Path, default=None,
                        help="database to build afresh (default benchmarks/out/log-cli.db); one built by "
                             "worklog_generate.py is copied instead")
    parser.add_argument("--worklog", action="store_true",
                        help="write into a copy of the five-year work-log database (built if needed)")
    args = parser.parse_args()
    return 0 if run(rounds=args.rounds, db=args.db, worklog=args.worklog) else 1


def run(*, rounds: int = 15, db: Path | None = None, worklog: bool = False) -> bool:
    """Time the quick-capture command against the ORM's import; True if met."""
    import worklog_generate

    if worklog or (db is not None and worklog_generate.marker_of(db.resolve())):
        source = worklog_generate.generate(db.resolve() if db is not None else worklog_generate.db_path(None))
        t0 = time.perf_counter()
        db = copy_worklog(source)
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            notes, days = conn.execute(
                "SELECT (SELECT COUNT(*) FROM log_note), (SELECT COUNT(*) FROM daily_log)").fetchone()
        finally:
            conn.close()
        say(f"log-cli: a copy of {source.name} ({db.stat().st_size / 2**20:.0f} MiB, {notes:,} notes, "
            f"{days:,} daily logs) in {time.perf_counter() - t0:.1f} s; the notes go into the copy")
    else:
        db = (db or OUT / "log-cli.db").resolve()
        build(db)
    log_cmd = [str(VENV_BIN / "cscterm"), "--db", str(db), "log", NOTE]
    floor_cmd = [str(VENV_BIN / "python"), "-c", "import sqlmodel"]
    models_cmd = [str(VENV_BIN / "python"), "-c", "import sqlmodel, cscterm.db.models"]
    timed(log_cmd), timed(floor_cmd), timed(models_cmd)  # warm-up: disk cache, .pyc files
    logs: list[float] = []
    floors: list[float] = []
    models: list[float] = []
    ratios: list[float] = []
    for _ in range(rounds):
        logs.append(timed(log_cmd))
        floors.append(timed(floor_cmd))
        models.append(timed(models_cmd))
        ratios.append(logs[-1] / floors[-1])
    log_median, floor_median = statistics.median(logs), statistics.median(floors)
    ratio = log_median / floor_median
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    say(table(["command", "median s", "min s", "max s"], [
        ["cscterm log \"…\"", log_median, min(logs), max(logs)],
        ["python -c 'import sqlmodel'", floor_median, min(floors), max(floors)],
        ["  + cscterm.db.models", statistics.median(models), min(models), max(models)],
    ]))
    say(f"ratio of medians {ratio:.2f} (per-round median {statistics.median(ratios):.2f}), "
        f"target ≤ {TARGET}: {verdict}")
    say(f"(importing the table definitions alone: "
        f"{statistics.median(models) / floor_median:.2f}× the floor)")
    extra = extra_modules(db)
    say("loaded beyond sqlmodel: " + ", ".join(extra))
    heavy = [name for name in HEAVY if name in extra]
    if heavy:
        warn("heavy imports on the log path: " + ", ".join(heavy))
        verdict = "FAIL"
    return verdict == "PASS"


if __name__ == "__main__":
    sys.exit(main())
