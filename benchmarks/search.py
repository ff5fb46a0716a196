"""Search latency on the 100k library: the real service against a naive LIKE scan.

    uv run python benchmarks/search.py [DB] [--n 200] [--seed S] [--explain | --no-explain]

For each kind of query — CJK text of 3+ characters, CJK of 1–2 characters,
pinyin initials, shortcut codes typed bare ("wlkd17") and with the slash
("/wlkd17") — a few hundred queries are drawn from the data (seeded) and each
is run through ``cscterm.services.scripts.search(session, actor, q, limit=50)``
in its own unit of work (``Database.session()``, as the TUI and CLI call it),
then through the naive baseline in the same run, alternating which goes first:

* CJK kinds: ``cscterm.db.search.like_scan_ids`` — ``LIKE '%q%'`` over every
  variant body, same LIMIT;
* key kinds (initials, shortcuts): ``LIKE '%q%'`` over the script titles,
  shortcuts and initials, same LIMIT (bodies never contain them, so a body
  scan would be a strawman).

Both are preceded by a warm-up on other queries. The table reports p50/p99 in
milliseconds, the ratio ours/baseline at p99, the target and pass/fail. When a
kind misses its target (or with --explain) a second pass times every SQL
statement the service issues and prints where the time goes, with
EXPLAIN QUERY PLAN of the costliest statements.
"""

from __future__ import annotations

import argparse
import random
import re
import sqlite3
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, db_path, percentile, say, table  # noqa: E402

LIMIT = 50
SEED = 7
WARM_UP = 15  # queries per kind, not measured
MIN_N = 50  # measured queries per kind even when over the time budget
TARGETS = {"cjk3": 5.0, "cjk12": 20.0, "initials": 20.0, "shortcut": 20.0, "/shortcut": 20.0}
LABELS = {
    "cjk3": "CJK text, 3+ chars",
    "cjk12": "CJK, 1-2 chars",
    "initials": "pinyin initials",
    "shortcut": "shortcut code",
    "/shortcut": "/shortcut code",
}
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_IN_LIST = re.compile(r"\((?:\?, )+\?\)")


# ── queries drawn from the data ─────────────────────────────────────────────


def draw_queries(conn, viewer_id: int, n: int, seed: int) -> dict[str, list[str]]:  # type: ignore[no-untyped-def]
    """``n`` queries of each kind (plus a warm-up set), sampled from visible scripts."""
    rng = random.Random(seed)
    max_id = conn.exec_driver_sql("SELECT MAX(id) FROM script").scalar_one()
    want = (n + 40) * 4
    ids = rng.sample(range(1, max_id + 1), k=min(max_id, want))
    rows = []
    for chunk in range(0, len(ids), 500):
        part = ids[chunk:chunk + 500]
        marks = ", ".join("?" * len(part))
        rows += conn.exec_driver_sql(
            f"SELECT s.id, s.title, s.shortcut, s.initials, c.phrases, c.language, "
            f"(SELECT body FROM script_variant v WHERE v.script_id = s.id ORDER BY position LIMIT 1) "
            f"FROM script s JOIN scenario c ON c.id = s.scenario_id "
            f"WHERE s.id IN ({marks}) AND s.active AND (s.owner_id IS NULL OR s.owner_id = ?)",
            (*part, viewer_id),
        ).fetchall()
    rows.sort(key=lambda r: r[0])
    rng.shuffle(rows)
    out: dict[str, list[str]] = defaultdict(list)
    for _id, title, shortcut, initials, phrases, language, body in rows:
        source = rng.choice((title, phrases or "", body or ""))
        runs = _CJK_RUN.findall(source)
        long_runs = [r for r in runs if len(r) >= 3]
        if long_runs:
            run = rng.choice(long_runs)
            size = rng.randint(3, min(6, len(run)))
            start = rng.randint(0, len(run) - size)
            out["cjk3"].append(run[start:start + size])
        if runs:
            run = rng.choice(runs)
            size = 1 if rng.random() < 0.5 or len(run) < 2 else 2
            start = rng.randint(0, len(run) - size)
            out["cjk12"].append(run[start:start + size])
        if language == "zh_CN" and initials and len(initials) >= 2:
            out["initials"].append(initials[: rng.randint(2, min(5, len(initials)))])
        out["shortcut"].append(shortcut)
        out["/shortcut"].append("/" + shortcut)
    return {kind: out[kind][: n + 40] for kind in TARGETS}


# ── runners ─────────────────────────────────────────────────────────────────


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def make_runners(db, actor) -> tuple[Callable[[str], int], Callable[[str, str], int]]:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    from cscterm.db import search as fts
    from cscterm.services import scripts

    def ours(query: str) -> int:
        with db.session() as session:
            return len(scripts.search(session, actor, query, limit=LIMIT))

    key_sql = text(
        "SELECT id FROM script WHERE title LIKE :p ESCAPE '\\' OR shortcut LIKE :p ESCAPE '\\' "
        "OR initials LIKE :p ESCAPE '\\' LIMIT :limit"
    )

    def baseline(kind: str, query: str) -> int:
        with db.session() as session:
            if kind in ("cjk3", "cjk12"):
                return len(fts.like_scan_ids(session, query, limit=LIMIT))
            needle = _escape(query.lstrip("/").lower())
            return len(session.execute(key_sql, {"p": f"%{needle}%", "limit": LIMIT}).all())

    return ours, baseline


def measure(db, actor, queries: dict[str, list[str]], n: int, budget: float) -> list[dict]:  # type: ignore[no-untyped-def]
    ours, baseline = make_runners(db, actor)
    for kind, qs in queries.items():  # warm-up: other queries than the measured ones
        for q in qs[n:][:WARM_UP]:
            ours(q)
            baseline(kind, q)
    results = []
    for kind, qs in queries.items():
        mine, base, hits = [], [], []
        started = time.perf_counter()
        for i, q in enumerate(qs[:n]):
            if i >= MIN_N and time.perf_counter() - started > budget:
                break  # slow enough that more samples will not change the verdict
            order = (0, 1) if i % 2 == 0 else (1, 0)
            for which in order:
                t0 = time.perf_counter_ns()
                if which == 0:
                    hits.append(ours(q))
                    mine.append((time.perf_counter_ns() - t0) / 1e6)
                else:
                    baseline(kind, q)
                    base.append((time.perf_counter_ns() - t0) / 1e6)
        p99 = percentile(mine, 99)
        results.append({
            "kind": kind, "n": len(mine), "hits": sum(hits) / max(1, len(hits)),
            "p50": percentile(mine, 50), "p99": p99,
            "b50": percentile(base, 50), "b99": percentile(base, 99),
            "target": TARGETS[kind], "ok": p99 <= TARGETS[kind],
            "seconds": time.perf_counter() - started,
        })
    return results


def print_table(results: list[dict]) -> None:
    rows = [
        (LABELS[r["kind"]], r["n"], f"{r['hits']:.0f}", r["p50"], r["p99"], r["b50"], r["b99"],
         f"{r['p99'] / r['b99']:.2f}x" if r["b99"] else "-", f"<= {r['target']:.0f}",
         "pass" if r["ok"] else "FAIL")
        for r in results
    ]
    say(table(("kind", "n", "hits", "p50 ms", "p99 ms", "LIKE p50", "LIKE p99",
               "p99 ours/LIKE", "target p99 ms", "result"), rows))


# ── where the time goes ─────────────────────────────────────────────────────


def _shape(statement: str) -> str:
    return _IN_LIST.sub("(?, …)", " ".join(statement.split()))


def profile(db, actor, queries: dict[str, list[str]], kinds: list[str], per_kind: int) -> None:  # type: ignore[no-untyped-def]
    """Time each SQL statement the service runs; EXPLAIN the costliest."""
    from sqlalchemy import event

    from cscterm.services import scripts

    log: list[tuple[float, str, object]] = []

    def before(conn, _cursor, _statement, _params, _context, _many):  # type: ignore[no-untyped-def]
        conn.info["bench_t0"] = time.perf_counter_ns()

    def after(conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        log.append(((time.perf_counter_ns() - conn.info.pop("bench_t0")) / 1e6, statement, params))

    event.listen(db.engine, "before_cursor_execute", before)
    event.listen(db.engine, "after_cursor_execute", after)
    try:
        for kind in kinds:
            log.clear()
            totals = []
            for q in queries[kind][:per_kind]:
                t0 = time.perf_counter_ns()
                with db.session() as session:
                    scripts.search(session, actor, q, limit=LIMIT)
                totals.append((time.perf_counter_ns() - t0) / 1e6)
            # SQLAlchemy's events time cursor.execute() only, and SQLite does most
            # of a query's work while rows are fetched; so every statement is
            # replayed on a plain sqlite3 connection with fetchall() and timed.
            spent: dict[str, list[float]] = defaultdict(list)
            worst: dict[str, tuple[float, str, object]] = {}
            replay = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
            try:
                for _, statement, params in log:
                    t0 = time.perf_counter_ns()
                    replay.execute(statement, params or ()).fetchall()
                    ms = (time.perf_counter_ns() - t0) / 1e6
                    shape = _shape(statement)
                    spent[shape].append(ms)
                    if ms > worst.get(shape, (-1.0, "", None))[0]:
                        worst[shape] = (ms, statement, params)
            finally:
                replay.close()
            grand = sum(totals)
            in_sql = sum(sum(v) for v in spent.values())
            say(f"\n── {LABELS[kind]}: where the time goes ({len(totals)} queries, "
                f"mean {grand / len(totals):.1f} ms; SQL replayed with fetch: {100 * in_sql / grand:.0f}%, "
                f"the rest is Python: connection, binding, ranking, hits) ──")
            ranked = sorted(spent.items(), key=lambda kv: -sum(kv[1]))
            rows = []
            for shape, times in ranked[:6]:
                rows.append((f"{100 * sum(times) / grand:.0f}%", len(times),
                             sum(times) / len(times), max(times), shape[:110]))
            say(table(("share", "runs", "mean ms", "max ms", "statement"), rows))
            for shape, times in ranked[:2]:
                if sum(times) / grand < 0.15:
                    continue
                _, statement, params = worst[shape]
                say(f"\nEXPLAIN QUERY PLAN  {shape[:150]}")
                with db.engine.connect() as conn:
                    for row in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, params):
                        say(f"    {row[-1]}")
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        event.remove(db.engine, "after_cursor_execute", after)


# ── main ────────────────────────────────────────────────────────────────────


def run(path: Path, *, n: int = 200, seed: int = SEED, explain: bool | None = None,
        budget: float = 30.0, profile_queries: int = 30) -> list[dict]:
    from cscterm.db.engine import Database
    from cscterm.services.users import identify

    db = Database(path)
    with db.session() as session:
        actor = identify(session, LOGIN)
        queries = draw_queries(session.connection(), actor.id, n, seed)
    say(f"search: {path.name}, up to {n} queries per kind (or {budget:.0f} s), limit {LIMIT}, "
        f"one unit of work per query, viewer {actor.login} ({actor.role})")
    started = time.perf_counter()
    results = measure(db, actor, queries, n, budget)
    say(f"(measured in {time.perf_counter() - started:.0f} s)\n")
    print_table(results)
    say("baseline: like_scan_ids (LIKE over variant bodies) for CJK kinds; LIKE over "
        "title/shortcut/initials for key kinds; same LIMIT, same unit of work per query")
    missed = [r["kind"] for r in results if not r["ok"]]
    if explain or (explain is None and missed):
        profile(db, actor, queries, list(TARGETS) if explain else missed, profile_queries)
    db.dispose()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help="database (default benchmarks/out/cscterm-100k.db)")
    parser.add_argument("--n", type=int, default=200, help="measured queries per kind (default 200)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--budget", type=float, default=30.0,
                        help=f"seconds per kind; stop early (after at least {MIN_N}) when over it")
    parser.add_argument("--explain", action=argparse.BooleanOptionalAction, default=None,
                        help="profile statements and print query plans (default: only for misses)")
    args = parser.parse_args(argv)
    path = db_path(args.db)
    if not path.exists():
        from generate import generate

        generate(path)
    results = run(path, n=args.n, seed=args.seed, explain=args.explain, budget=args.budget)
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
