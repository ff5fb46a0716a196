"""Generate the 100k library if needed, run every benchmark, print the tables.

    uv run python benchmarks/run_all.py [--db PATH] [--quick] [--only search,startup,keystroke,handover,transfer,worklog,logcli]

Takes about 14–16 minutes on two cores (the first run adds ~6 minutes to build
the databases: the 100k library, the handover history the handover benchmark
uses, the transfer history the transfer benchmark uses and the five-year work
log the worklog and logcli benchmarks use). --quick runs fewer queries and
rounds (about 6–7 minutes) for a smoke check. A summary is also
written to benchmarks/out/last-run.json. The exit code is 1 if any target was
missed.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import OUT, db_path, say, table  # noqa: E402

BENCHMARKS = ("search", "startup", "keystroke", "handover", "transfer", "worklog", "logcli")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", help="database (default benchmarks/out/cscterm-100k.db)")
    parser.add_argument("--quick", action="store_true", help="fewer samples, for a smoke check")
    parser.add_argument("--only", default=",".join(BENCHMARKS),
                        help=f"comma-separated subset of {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")

    started = time.perf_counter()
    path = db_path(args.db)
    import generate

    if set(chosen) - {"handover", "transfer", "worklog", "logcli"}:  # these build databases of their own
        generate.generate(path)
    outcome: dict[str, object] = {}
    timings: dict[str, float] = {}

    if "search" in chosen:
        import search

        say("\n═══ search latency ═══")
        t0 = time.perf_counter()
        results = search.run(path, n=60 if args.quick else 200, budget=10 if args.quick else 30)
        timings["search"] = time.perf_counter() - t0
        outcome["search"] = all(r["ok"] for r in results)
    if "startup" in chosen:
        import startup

        say("\n═══ start-up ═══")
        t0 = time.perf_counter()
        outcome["startup"] = startup.run(path, rounds=3 if args.quick else 7)
        timings["startup"] = time.perf_counter() - t0
    if "keystroke" in chosen:
        import keystroke

        say("\n═══ keystroke to results painted ═══")
        t0 = time.perf_counter()
        outcome["keystroke"] = keystroke.run(path, count=10 if args.quick else 24)
        timings["keystroke"] = time.perf_counter() - t0
    if "handover" in chosen:
        import handover

        say("\n═══ shift handover ═══")
        t0 = time.perf_counter()
        outcome["handover"] = handover.run(n=60 if args.quick else 200, budget=8 if args.quick else 20,
                                           base_n=15 if args.quick else 40, idle=10 if args.quick else 20)
        timings["handover"] = time.perf_counter() - t0
    if "transfer" in chosen:
        import transfer

        say("\n═══ pre-sale → after-sale transfers ═══")
        t0 = time.perf_counter()
        outcome["transfer"] = transfer.run(n=60 if args.quick else 200, budget=8 if args.quick else 20,
                                           base_n=5 if args.quick else 10, exports=1 if args.quick else 3)
        timings["transfer"] = time.perf_counter() - t0
    if "worklog" in chosen:
        import worklog

        say("\n═══ personal daily work log (工作日报) ═══")
        t0 = time.perf_counter()
        outcome["worklog"] = worklog.run(n=60 if args.quick else 200, budget=6 if args.quick else 15,
                                         base_n=5 if args.quick else 10, exports=1 if args.quick else 3)
        timings["worklog"] = time.perf_counter() - t0
    if "logcli" in chosen:
        import log_cli

        say("\n═══ cscterm log: quick capture from the shell (into the five-year work log) ═══")
        t0 = time.perf_counter()
        outcome["logcli"] = log_cli.run(rounds=5 if args.quick else 15, worklog=True)
        timings["logcli"] = time.perf_counter() - t0

    total = time.perf_counter() - started
    say("\n═══ summary ═══")
    say(table(("benchmark", "targets", "seconds"), [
        (name, "met" if outcome[name] else "MISSED", f"{timings[name]:.0f}") for name in outcome
    ]))
    say(f"total {total:.0f} s")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "last-run.json").write_text(json.dumps({
        "db": str(path), "quick": args.quick, "met": outcome, "seconds": timings,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
    }, indent=2), encoding="utf-8")
    return 0 if all(outcome.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
