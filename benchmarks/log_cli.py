"""``cscterm log "…"`` (a quick note from the shell) against importing SQLModel.

    uv run python benchmarks/log_cli.py [--rounds 15] [--db PATH]

Writing a note from the shell should cost little more than the stack's
floor: the Python start-up plus ``import sqlmodel``. The script builds a
database first (schema and starter library, so no run pays for creating
them), then runs, alternately, after one warm-up each:

* ``.venv/bin/cscterm --db DB --user bench-lead log "…"``;
* ``.venv/bin/python -c "import sqlmodel"``;
* ``.venv/bin/python -c "import sqlmodel, cscterm.db.models"`` — for
  information: what defining the tables costs before any work is done;

each as a subprocess, timing wall-clock time, and prints both medians and
their ratio against the target: ≤ 1.2× the floor. The exit code is 1 if the
target is missed. Afterwards the modules the log path imports that the floor
does not are listed, so a heavy import that slipped in is easy to find.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, REPO, say, table, warn  # noqa: E402

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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--db", type=Path, default=OUT / "log-cli.db")
    args = parser.parse_args()
    return 0 if run(rounds=args.rounds, db=args.db) else 1


def run(*, rounds: int = 15, db: Path = OUT / "log-cli.db") -> bool:
    """Time the quick-capture command against the ORM's import; True if met."""
    db = db.resolve()
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
