"""Start-up of ``cscterm`` in a real pty at 80×24 on the 100k library, against baselines.

    uv run python benchmarks/startup.py [DB] [--rounds 7] [--no-imports]

Builds on the shared measurer ``../shared/tools/startup.py`` (env
CSCTERM_STARTUP_TOOL to point elsewhere; it is not copied into this repo). Its
``run(cmd)`` starts a command in a pty at 80×24 and returns (first paint,
settled, peak RSS): first paint is the first full-screen frame after the
alternate screen is entered, settled the last write before 0.4 s of quiet
(here: the library listed and searchable), peak RSS from ``wait4``. This script
runs, alternately in each round after one warm-up each:

* ``cscterm`` with CSCTERM_DB pointing at the 100k database (user bench-lead);
* bare  — the tool's bare Textual app (Header, Label, Footer);
* floor — the tool's floor app: imports sqlmodel and runs one query on the
  *same* 100k database before painting (the least this stack can do);

and prints the medians and the per-round ratios' medians against the targets:
first paint ≤ 1.25× bare, settled ≤ 1.25× floor, peak RSS ≤ 1.3× floor.

Two hooks on the tool, both needed because cscterm paints first and opens the
database afterwards in a worker: its screen is then quiet for over a second
while SQLModel imports, so with the tool's 0.4 s quiet window it would be quit
on the loading frame and "settled" would be the loading frame. cscterm runs
therefore get a longer quiet window (--quiet, default 3 s; settled is still the
time of the last write, the window only delays the ctrl+q), and the tool's
``os`` is wrapped to watch the bytes written: a run counts only if the results
list (a "/shortcut") was painted, and the time it first appeared is reported
as "library listed".
Then (unless --no-imports) it lists what the start-up path imports, by
cumulative import time (``python -X importtime``).

If the shared tool is missing the benchmark says so and is skipped; if it has
changed shape (no ``run``), it is driven as a command and its one-line output
parsed (its floor then uses an empty database).
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, REPO, STARTUP_TOOL, db_path, say, table, warn  # noqa: E402

TARGETS = {"first": 1.25, "settled": 1.25, "rss": 1.3}


def load_tool(path: Path) -> dict | None:
    """The shared tool's functions, without running its ``main()``."""
    source = path.read_text(encoding="utf-8")
    body = re.sub(r"\n(?:if __name__ == .__main__.:\s*\n\s+)?main\(\)\s*$", "\n", source)
    namespace: dict = {"__name__": "shared_startup_tool", "__file__": str(path)}
    exec(compile(body, str(path), "exec"), namespace)  # noqa: S102 - our own shared tool
    if not all(name in namespace for name in ("run", "BARE", "FLOOR")):
        return None
    return namespace


def cscterm_command() -> list[str]:
    script = REPO / ".venv" / "bin" / "cscterm"
    return [str(script)] if script.exists() else [sys.executable, "-m", "cscterm"]


def app_environment(db: Path) -> None:
    """What the child processes inherit (the tool's ``run`` uses os.environ)."""
    os.environ.update({
        "CSCTERM_DB": str(db), "CSCTERM_USER": LOGIN, "CSCTERM_LANG": "zh_CN",
        "CSCTERM_CONFIG": str(OUT / "settings.json"),
    })


class _Sniffer:
    """Stands in for ``os`` inside the tool: records what the app writes to the pty
    (to check the library really painted, and when), delegates everything else."""

    def __init__(self) -> None:
        self.chunks: list[tuple[float, bytes]] = []

    def __getattr__(self, name: str) -> object:
        return getattr(os, name)

    def read(self, fd: int, size: int) -> bytes:
        data = os.read(fd, size)
        self.chunks.append((time.perf_counter(), data))
        return data


def measure(tool: dict, db: Path, rounds: int, quiet: float) -> tuple[list, list[float]]:
    """Rounds of (cscterm, bare, floor) results, and when cscterm listed the library."""
    sniffer = _Sniffer()
    tool["os"] = sniffer
    base_quiet = tool.get("QUIET", 0.4)

    def run(cmd: list[str], ours: bool = False) -> tuple | None:
        # cscterm paints its frame, then opens the database in a worker: its
        # screen is quiet for longer than the tool's 0.4 s while SQLModel
        # imports, so it gets a longer quiet window (settled is still the time
        # of the last write, the window only delays the ctrl+q).
        tool["QUIET"] = quiet if ours else base_quiet
        sniffer.chunks.clear()
        t0 = time.perf_counter()
        result = tool["run"](cmd)
        if ours and result is not None:
            listed = _library_listed(sniffer.chunks, t0)
            if listed is None:
                raise SystemExit(f"startup: cscterm went quiet for {quiet} s before listing the "
                                 "library; raise --quiet")
            shown.append(listed)
        return result

    python = sys.executable
    ours = cscterm_command()
    bare = [python, "-c", tool["BARE"]]
    floor = [python, "-c", tool["FLOOR"], str(db)]
    shown: list[float] = []
    for cmd in (bare, floor):
        run(cmd)  # warm-up (page cache, .pyc)
    run(ours, True)
    shown.clear()
    rows = []
    for n in range(rounds):
        order = [(0, ours), (1, bare), (2, floor)]
        if n % 2:
            order.reverse()
        got: list = [None, None, None]
        for slot, cmd in order:
            got[slot] = run(cmd, slot == 0)
        if None in got:
            which = [name for name, g in zip(("cscterm", "bare", "floor"), got) if g is None]
            raise SystemExit(f"startup: {', '.join(which)} painted nothing or did not quit on ctrl+q "
                             "within 30 s")
        rows.append(tuple(got))
    return rows, shown


# A shortcut in the results list ("/wlkd17"): the library is listed.
_LISTED = re.compile(rb"/[a-z]{2,}[0-9]+")


def _library_listed(chunks: list[tuple[float, bytes]], t0: float) -> float | None:
    seen = b""
    for t, data in chunks:
        seen = seen[-64:] + data
        if _LISTED.search(seen):
            return t - t0
    return None


def report(rows: list[tuple[tuple, tuple, tuple]], shown: list[float]) -> bool:
    med = statistics.median
    r_first = med(a[0] / b[0] for a, b, _ in rows)
    r_settled = med(a[1] / f[1] for a, _, f in rows)
    r_rss = med(a[2] / f[2] for a, _, f in rows)
    say(table(("median of rounds", "first paint s", "library listed s", "settled s", "peak RSS MiB"), [
        ("cscterm (100k db)", med(a[0] for a, _, _ in rows), med(shown), med(a[1] for a, _, _ in rows),
         f"{med(a[2] for a, _, _ in rows):.0f}"),
        ("bare Textual app", med(b[0] for _, b, _ in rows), "", med(b[1] for _, b, _ in rows),
         f"{med(b[2] for _, b, _ in rows):.0f}"),
        ("floor (sqlmodel + 1 query)", med(f[0] for _, _, f in rows), "", med(f[1] for _, _, f in rows),
         f"{med(f[2] for _, _, f in rows):.0f}"),
    ]))
    say("")
    checks = [
        ("first paint / bare", r_first, TARGETS["first"]),
        ("settled / floor", r_settled, TARGETS["settled"]),
        ("peak RSS / floor", r_rss, TARGETS["rss"]),
    ]
    say(table(("ratio (median of rounds)", "value", "target", "result"), [
        (name, f"{value:.2f}x", f"<= {target:.2f}x", "pass" if value <= target else "FAIL")
        for name, value, target in checks
    ]))
    return all(value <= target for _, value, target in checks)


def run_tool_as_command(db: Path) -> bool:
    """Fallback: the tool's own CLI (floor on an empty database)."""
    out = subprocess.run(
        [sys.executable, str(STARTUP_TOOL), sys.executable, "--", *cscterm_command()],
        capture_output=True, text=True, timeout=900, check=False)
    numbers = out.stdout.split()
    if out.returncode != 0 or len(numbers) != 9:
        warn(f"startup: the shared tool failed: {out.stdout.strip()} {out.stderr.strip()[-500:]}")
        return False
    first, settled, rss, a0, b0, a1, f1, arss, frss = map(float, numbers)
    say(f"(shared tool CLI; its floor uses an empty database) cscterm first {a0:.2f} s, bare {b0:.2f} s, "
        f"settled {a1:.2f} s, floor {f1:.2f} s, RSS {arss:.0f} / {frss:.0f} MiB")
    say(table(("ratio", "value", "target", "result"), [
        ("first paint / bare", f"{first:.2f}x", "<= 1.25x", "pass" if first <= 1.25 else "FAIL"),
        ("settled / floor", f"{settled:.2f}x", "<= 1.25x", "pass" if settled <= 1.25 else "FAIL"),
        ("peak RSS / floor", f"{rss:.2f}x", "<= 1.30x", "pass" if rss <= 1.3 else "FAIL"),
    ]))
    return first <= 1.25 and settled <= 1.25 and rss <= 1.3


# ── what the start-up path imports ──────────────────────────────────────────


_IMPORT_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def import_profile(top: int = 8) -> None:
    """Direct imports of each start-up phase, by cumulative time (µs → ms).

    Phase 1 is what runs before the first frame (``cscterm.cli`` then
    ``cscterm.tui.app``); phase 2 is what the workspace worker adds
    (``cscterm.services.workspace``: the ORM, the services) before the library
    can be listed.
    """
    code = ("import sys, cscterm.cli; sys.stderr.write('@phase tui\\n'); import cscterm.tui.app; "
            "sys.stderr.write('@phase workspace\\n'); import cscterm.services.workspace")
    out = subprocess.run([sys.executable, "-X", "importtime", "-c", code], capture_output=True,
                         text=True, check=False)
    phases: dict[str, list[tuple[int, int, int, str]]] = {"cli": [], "tui": [], "workspace": []}
    phase = "cli"
    for line in out.stderr.splitlines():
        if line.startswith("@phase "):
            phase = line.split()[1]
            continue
        m = _IMPORT_LINE.match(line)
        if m:
            phases[phase].append((int(m.group(1)), int(m.group(2)), len(m.group(3)) // 2, m.group(4)))
    say("\nstart-up imports (python -X importtime; inflated by the tracing, compare shares):")
    for name, title in (("cli", "cscterm.cli (before anything)"),
                        ("tui", "cscterm.tui.app (before the first frame)"),
                        ("workspace", "cscterm.services.workspace (worker, before the library shows)")):
        entries = phases[name]
        if not entries:
            continue
        total = sum(self_us for self_us, _, _, _ in entries)
        roots = sorted((e for e in entries if e[2] <= 1), key=lambda e: -e[1])[:top]
        say(f"  {title}: {total / 1000:.0f} ms in {len(entries)} modules; largest:")
        say("    " + ", ".join(f"{mod} {cum / 1000:.0f}" for _, cum, _, mod in roots))


def run(db: Path, *, rounds: int = 7, imports: bool = True, quiet: float = 3.0) -> bool:
    if not STARTUP_TOOL.exists():
        warn(f"startup: skipped — the shared measurer {STARTUP_TOOL} is not there "
             "(set CSCTERM_STARTUP_TOOL to its path)")
        return True
    app_environment(db)
    say(f"startup: {' '.join(Path(c).name for c in cscterm_command())} on {db.name} in a pty at 80x24, "
        f"{rounds} rounds alternating with bare and floor (floor queries the same database); "
        f"measurer {STARTUP_TOOL}")
    tool = load_tool(STARTUP_TOOL)
    if tool is None:
        ok = run_tool_as_command(db)
    else:
        ok = report(*measure(tool, db, rounds, quiet))
    if imports:
        import_profile()
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help="database (default benchmarks/out/cscterm-100k.db)")
    parser.add_argument("--rounds", type=int, default=7, help="measured rounds (default 7)")
    parser.add_argument("--quiet", type=float, default=3.0,
                        help="quiet window that ends a cscterm run, seconds (default 3.0; the tool's is 0.4)")
    parser.add_argument("--imports", action=argparse.BooleanOptionalAction, default=True,
                        help="list what start-up imports (default on)")
    args = parser.parse_args(argv)
    path = db_path(args.db)
    if not path.exists():
        from generate import generate

        generate(path)
    return 0 if run(path, rounds=args.rounds, imports=args.imports, quiet=args.quiet) else 1


if __name__ == "__main__":
    sys.exit(main())
