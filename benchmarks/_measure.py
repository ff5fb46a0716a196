"""What the service benchmarks (handover, transfer, work log) share: timing a
kind of call next to a baseline answering the same question, the results
table, a copy of a database without some indexes to serve as the baseline,
and ``EXPLAIN QUERY PLAN`` of the statements a call issues, each replayed
alone (with the ``ANALYZE`` statistics and, optionally, as a database never
analysed plans it) with full scans of the big tables flagged."""

from __future__ import annotations

import argparse
import os
import random
import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path

from _build import meta_value, read_only
from _common import copy_db, percentile, say, table

MIN_N = 30  # calls measured per kind at least, whatever the budget
WARM_UP = 5  # calls per kind run before measuring, not measured

# ── timing ──────────────────────────────────────────────────────────────────


class Kind:
    """A kind of call to time: its calls and, next to each, a baseline call
    answering the same question; the last WARM_UP of them warm up only."""

    def __init__(self, key: str, label: str, target: float | None) -> None:
        self.key, self.label, self.target = key, label, target
        self.ours: list[Callable[[], int]] = []
        self.base: list[Callable[[], object]] = []

    def add(self, ours: Callable[[], int], base: Callable[[], object]) -> None:
        self.ours.append(ours)
        self.base.append(base)

    def on_both(self, call: Callable[[object], int], db: object, base_db: object) -> None:
        """``call`` on ``db``, with the same call on ``base_db`` as its baseline."""
        self.add(partial(call, db), partial(call, base_db))


def people(db):  # type: ignore[no-untyped-def]
    """Every user of ``db`` as an actor, in id order."""
    from cscterm.services.users import identify

    with db.session() as session:
        return [identify(session, login) for (login,) in session.connection().exec_driver_sql(
            "SELECT login FROM user ORDER BY id")]


def moment(rng: random.Random, start: datetime) -> datetime:
    """A moment in ``start`` … ``start`` + 3 h."""
    return start + timedelta(seconds=rng.uniform(0, 3 * 3600))


def measure(kind: Kind, n: int, budget: float, base_n: int, *, cpu: bool = True, wall_budget: bool = False) -> dict:
    """Up to ``n`` of the kind's calls, the first ``base_n`` with their
    baseline next to them, taking turns on which goes first; after MIN_N
    calls it stops once ``budget`` seconds are spent: of our calls' time, or
    with ``wall_budget`` of the whole loop's. With ``cpu``, this thread's CPU
    time of our calls is taken too."""
    for call in kind.ours[-WARM_UP:]:  # warm-up: calls not measured below
        call()
    kind.base[-1]()
    mine, cpu_ms, base, hits = [], [], [], []
    started = time.perf_counter()
    calls = list(zip(kind.ours, kind.base))[: max(0, len(kind.ours) - WARM_UP)][:n]
    for i, (ours, baseline) in enumerate(calls):
        if i >= MIN_N and (time.perf_counter() - started if wall_budget else sum(mine) / 1e3) > budget:
            break
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for which in order:
            if which == 1 and i >= base_n:
                continue
            t0 = time.perf_counter_ns()
            c0 = time.thread_time_ns() if cpu else 0
            if which == 0:
                hits.append(ours())
                mine.append((time.perf_counter_ns() - t0) / 1e6)
                if cpu:
                    cpu_ms.append((time.thread_time_ns() - c0) / 1e6)
            else:
                baseline()
                base.append((time.perf_counter_ns() - t0) / 1e6)
    return result(kind.key, kind.label, kind.target, mine, cpu_ms, base, hits, time.perf_counter() - started)


def result(key: str, label: str, target: float | None, mine: list[float], cpu: list[float], base: list[float],
           hits: list[int], seconds: float) -> dict:
    """One row of the results: percentiles of our times (ms), of our CPU
    times and of the baseline's, rows per call, and whether p95 met the target."""
    p95 = percentile(mine, 95)
    return {
        "kind": key, "label": label, "n": len(mine), "base_n": len(base),
        "rows": sum(hits) / max(1, len(hits)),
        "p50": percentile(mine, 50), "p95": p95, "p99": percentile(mine, 99), "cpu95": percentile(cpu, 95),
        "b50": percentile(base, 50), "b95": percentile(base, 95), "target": target,
        "ok": target is None or p95 <= target, "seconds": seconds,
    }


def print_table(results: list[dict], *, baseline: str, cpu: bool = True) -> None:
    """The results, the baseline's columns named ``baseline``; with ``cpu`` a CPU p95 column."""
    rows = [
        (r["label"], r["n"], f"{r['rows']:.0f}", r["p50"], r["p95"], r["p99"], *((r["cpu95"],) if cpu else ()),
         r["base_n"], r["b50"], r["b95"],
         f"{r['p95'] / r['b95']:.3f}x" if r["b95"] == r["b95"] and r["b95"] else "-",
         f"<= {r['target']:.0f}" if r["target"] else "-",
         ("pass" if r["ok"] else "FAIL") if r["target"] else "info")
        for r in results
    ]
    say(table(("kind", "n", "rows", "p50 ms", "p95 ms", "p99 ms", *(("CPU p95 ms",) if cpu else ()), "base n",
               f"{baseline} p50", f"{baseline} p95", f"p95 ours/{baseline}", "target p95 ms", "result"), rows))


CPU_NOTE = ("p50/p95/p99: wall time, the targets' measure; CPU p95: this thread's CPU time, which waiting for a "
            "core does not inflate")


@contextmanager
def load_noted() -> Iterator[None]:
    """Says, after the block, how long it took and the load average before and after it."""
    started = time.perf_counter()
    load = os.getloadavg()[0]
    yield
    say(f"(measured in {time.perf_counter() - started:.0f} s; load average {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores)\n")


def full_scans(db, statements: Sequence[tuple[str, str]], repeat: int = 3) -> None:  # type: ignore[no-untyped-def]
    """What one pass over each big table costs here, for scale: each
    (statement, label) run ``repeat`` times, its median shown."""
    rows = []
    with db.engine.connect() as conn:
        for sql, label in statements:
            times = []
            for _ in range(repeat):
                t0 = time.perf_counter_ns()
                count = conn.exec_driver_sql(sql).scalar_one()
                times.append((time.perf_counter_ns() - t0) / 1e6)
            rows.append((label, count, percentile(times, 50)))
    say(table(("one full pass (reference)", "rows", "p50 ms"), rows))


# ── the baseline: the same database without some indexes ──────────────────


def noindex_copy(path: Path, copy: Path, names: Sequence[str], *, marker: str, who: str, tag: str = "",
                 indexed: Callable[[sqlite3.Connection], list[str]] | None = None) -> Path:
    """A copy of ``path`` with the indexes ``names`` dropped (their
    sqlite_stat1 rows go with them). It is made once per build of ``path``
    (the generator's marker, stored under meta ``marker``, and the file's
    mtime, plus ``tag``) and reused while it says it was made of that build
    and, given ``indexed``, that finds no index left in it."""

    def made_of() -> str:
        return f"{meta_value(path, marker)}:{path.stat().st_mtime_ns}{tag}"

    source = made_of()
    if copy.exists() and read_only(copy, lambda check: (
            check.execute("SELECT value FROM meta WHERE key = 'bench_noindex_of'").fetchone() == (source,)
            and not (indexed is not None and indexed(check))), False):
        return copy
    t0 = time.perf_counter()
    copy_db(path, copy)
    source = made_of()
    conn = sqlite3.connect(copy)
    try:
        for name in names:
            conn.execute(f'DROP INDEX "{name}"')  # its sqlite_stat1 rows go with it
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_noindex_of', ?)", (source,))
        conn.commit()
    finally:
        conn.close()
    say(f"{who}: made {copy.name} (dropped {len(names)} indexes) in {time.perf_counter() - t0:.1f} s")
    return copy


# ── query plans ─────────────────────────────────────────────────────────────

SELECT_LIST = re.compile(r"^SELECT (?:DISTINCT )?((?:(?!\(SELECT ).){60,}?) FROM ", re.S)  # not subqueries
_IN_LIST = re.compile(r"\((?:\?, )+\?\)")
_PLANS_HEADING = ("\n═══ query plans (each statement replayed alone; a plan is shown twice when it differs without "
                 "the ANALYZE statistics, as in a database cscterm made) ═══")


def shape(statement: str, select_list: re.Pattern[str] = SELECT_LIST) -> str:
    """The statement on one line, a long select list and IN lists shortened."""
    flat = " ".join(statement.split())
    flat = select_list.sub(lambda m: m[0].replace(m[1], "…"), flat, count=1)
    return _IN_LIST.sub("(?, …)", flat)


@contextmanager
def recording(engine) -> Iterator[list[tuple[str, object]]]:  # type: ignore[no-untyped-def]
    """The statements (with their parameters) ``engine`` runs during the block."""
    from sqlalchemy import event

    log: list[tuple[str, object]] = []

    def before(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        log.append((statement, params))

    event.listen(engine, "before_cursor_execute", before)
    try:
        yield log
    finally:
        event.remove(engine, "before_cursor_execute", before)


def without_statistics(path: Path) -> sqlite3.Connection:
    """A connection that plans as a database never analysed does: sqlite_stat1
    emptied inside a transaction that is rolled back at the end (cscterm itself
    never runs ANALYZE, so that is how the app's own databases are planned)."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    try:
        conn.execute("DELETE FROM sqlite_stat1")
    except sqlite3.OperationalError:  # never analysed: nothing to hide
        pass
    conn.execute("ANALYZE sqlite_schema")  # reload the (now missing) statistics
    return conn


def replay(conn: sqlite3.Connection, statement: str, params: object) -> tuple[float, int, list[str]]:
    """The statement run three times alone: its fastest ms, its rows, its plan."""
    times = []
    found = 0
    for _ in range(3):
        t0 = time.perf_counter_ns()
        found = len(conn.execute(statement, params or ()).fetchall())  # type: ignore[arg-type]
        times.append((time.perf_counter_ns() - t0) / 1e6)
    plan = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params or ())]  # type: ignore[arg-type]
    return min(times), found, plan


def scans(plan: list[str], tables: Sequence[str]) -> list[str]:
    """The plan's lines that scan one of ``tables`` whole (or one of its
    indexes); a virtual table's lookup is no such scan."""
    return [p for p in plan if p.startswith("SCAN ") and "VIRTUAL TABLE" not in p
            and p[5:].split(" ")[0] in tables]


class Plans:
    """Replays the statements of calls alone on read-only connections to a
    database and prints each with its time, rows and plan, full scans of
    ``tables`` flagged; with ``bare``, also as a database never analysed
    plans it. Collects the scans found and per call (label, call ms, SQL ms,
    SQL ms without statistics). Use it as a context manager."""

    def __init__(self, path: Path, tables: Sequence[str], *, bare: bool = True,
                 verbs: tuple[str, ...] = ("SELECT", "WITH"), width: int = 5, rest: str = "",
                 select_list: re.Pattern[str] = SELECT_LIST) -> None:
        self.path, self.tables, self.verbs, self.width, self.rest = path, tables, verbs, width, rest
        self.select_list = select_list
        self.with_bare = bare
        self.scans: list[str] = []
        self.summary: list[tuple[str, float, float, float]] = []

    def __enter__(self) -> Plans:
        self.replay = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        self.bare = without_statistics(self.path) if self.with_bare else None
        return self

    def __exit__(self, *_exc: object) -> None:
        self.replay.close()
        if self.bare is not None:
            self.bare.execute("ROLLBACK")
            self.bare.close()

    def call(self, label: str, call_ms: float, statements: list[tuple[str, object]]) -> None:
        """The distinct SELECTs of one call (``call_ms`` long) replayed and printed."""
        lines: list[str] = []
        sql_ms = bare_ms = 0.0
        seen: set[str] = set()
        indent = " " * (self.width + 20)
        for statement, params in statements:
            flat = shape(statement, self.select_list)
            if flat in seen or not statement.lstrip().upper().startswith(self.verbs):
                continue
            seen.add(flat)
            ms, found, plan = replay(self.replay, statement, params)
            flagged = scans(plan, self.tables)
            sql_ms += ms
            lines.append(f"{ms:8.2f} ms {found:{self.width}d} rows  {flat[:170]}{'  ⚠ FULL SCAN' if flagged else ''}")
            lines += [f"{indent}{line}" for line in plan]
            if flagged:
                self.scans.append(f"{label}: {flat[:120]} → {'; '.join(flagged)} ({ms:.1f} ms)")
            if self.bare is None:
                continue
            ms_bare, _, plan_bare = replay(self.bare, statement, params)
            flagged_bare = scans(plan_bare, self.tables)
            bare_ms += ms_bare
            if plan_bare != plan:
                lines.append(f"{indent}without statistics: {ms_bare:.2f} ms{'  ⚠ FULL SCAN' if flagged_bare else ''}")
                lines += [f"{indent}  {line}" for line in plan_bare]
            if flagged_bare:
                self.scans.append(f"{label}, without statistics: {flat[:100]} → {'; '.join(flagged_bare)} "
                                  f"({ms_bare:.1f} ms)")
        self.summary.append((label, call_ms, sql_ms, bare_ms))
        say(f"\n── {label}: {len(statements)} statements; the call took {call_ms:.1f} ms, its distinct "
            f"SELECTs replayed alone {sql_ms:.1f} ms ({100 * sql_ms / call_ms:.0f}%; the rest is Python{self.rest})"
            + (f"; without statistics {bare_ms:.1f} ms" if self.bare is not None else "") + " ──")
        for line in lines:
            say(line)


def print_plans(explain: Callable[[], tuple[list[str], list[tuple[str, float, float, float]]]], what: str) -> None:
    """The query plans ``explain()`` prints, then the SQL time per call and the
    scans it found of a whole ``what`` (a table named so) or index."""
    say(_PLANS_HEADING)
    scans, summary = explain()
    print_scans(scans, f"scans of a whole {what} or index",
                f"no statement scans a whole {what}, with or without statistics", summary)


def verdict(name: str, ok: bool) -> bool:
    """Says whether the benchmark ``name`` met its targets; returns ``ok``."""
    say(f"\n{name}: targets {'met' if ok else 'MISSED'}")
    return ok


def print_scans(scans: list[str], found: str, none: str,
                summary: list[tuple[str, float, float, float]] | None = None) -> None:
    """With ``summary``, the SQL time per call; then the scans under the
    heading ``found``, or ``none`` if there are none."""
    if summary is not None:
        say("\nSQL per call, statements replayed alone:")
        say(table(("call", "call ms", "SQL ms", "SQL ms without statistics"), summary))
    if scans:
        say(f"\n{found}:")
        for line in scans:
            say(f"  {line}")
    else:
        say(f"\n{none}")


# ── the command line ────────────────────────────────────────────────────────


def bench_parser(doc: str, db_name: str, *, budget: float, base_n: int, baseline: str,
                 wall_budget: bool = False) -> argparse.ArgumentParser:
    """``[DB] [--n N] [--budget S] [--base-n N]``; ``bench_args`` adds the rest."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help=f"database (default benchmarks/out/{db_name})")
    parser.add_argument("--n", type=int, default=200, help="measured calls per kind (default 200)")
    spent = "seconds per kind" if wall_budget else "seconds of our calls per kind"
    parser.add_argument("--budget", type=float, default=budget,
                        help=f"{spent}; stop early (after at least {MIN_N}) when over it")
    parser.add_argument("--base-n", type=int, default=base_n,
                        help=f"{baseline} baseline calls per kind (default {base_n})")
    return parser


def bench_args(parser: argparse.ArgumentParser, argv: list[str] | None, seed: int) -> argparse.Namespace:
    """``--seed`` and ``--explain`` added, then the command line parsed."""
    parser.add_argument("--seed", type=int, default=seed)
    parser.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True,
                        help="print the query plans (default on)")
    return parser.parse_args(argv)
