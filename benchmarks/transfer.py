"""Pre-sale → after-sale transfers on two years of history: the after-sale
queue, the lead view, opening a transfer, and a month's CSV export.

    uv run python benchmarks/transfer.py [DB] [--n 200] [--budget 20] [--base-n 10] [--exports 3] [--no-explain]

DB defaults to benchmarks/out/cscterm-transfer.db (env CSCTERM_BENCH_TRANSFER_DB),
built by transfer_generate.py if missing or out of date (60–90 s): 200,000
transfers sent over two years with ~870,000 timeline events, about 2,800
open at the generator's fixed ``NOW`` (2026-11-23 15:30 Beijing time). Every call is one unit of work (``Database.session()``) at a moment
drawn from ``NOW`` … ``NOW`` + 3 h (the clocks, breaches and "resolved in
the last 7 days" move with it):

* ``transfer.inbox(session, actor, now=…)`` for the 40 agents and 3 leads of
  售后 in turn (the after-sale queue: waiting in the team's queue or sent to
  them, their claims, their recent resolutions), and for pre-sale agents
  (their returned, drafts, sent and resolved transfers);
* ``transfer.lead_view(session, lead, first=…, last=…, now=…)`` for 1, 7 and
  31 days, all queues, by the three leads in turn; half the ranges end
  today, half on a random past day;
* ``transfer.get_transfer`` of random transfers (with their timelines),
  opened by a lead, the sender or the claimer;
* ``transfer.export_csv`` of the last 31 days (the month with 双十一), with
  personal data masked: a few calls, for information.

Each kind runs up to ``--n`` calls (or until they have taken ``--budget``
seconds, at least 30). The baseline is the same call on a copy of the
database with every index on the transfer tables dropped
(``benchmarks/out/cscterm-transfer-noindex.db``, made once from the database
and made again when it is rebuilt), next to the first ``--base-n`` calls,
taking turns on which goes first. Targets: the after-sale queue, the
pre-sale inbox and the lead view p95 ≤ 100 ms (wall time; the CPU time is
shown next to it); the other kinds are for information.

Then ``EXPLAIN QUERY PLAN`` of every statement the inboxes, the lead view
(31 days: all queues, one queue, a year ago with a long limit), opening a
transfer and the export issue (captured with SQLAlchemy's
``before_cursor_execute``), each replayed alone with its time, with the
``ANALYZE`` statistics and as a database never analysed plans it (cscterm
never runs ``ANALYZE``); scans of a whole transfer table (or of one of its
indexes) are flagged.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, percentile, say, table  # noqa: E402
from transfer_generate import AFTER_SALE, NOW, ZONE, db_path, marker_of  # noqa: E402

SEED = 23
TARGET_MS = 100.0  # p95: the after-sale queue, the pre-sale inbox, the lead view
MIN_N = 30
WARM_UP = 5
NOINDEX_DB = OUT / "cscterm-transfer-noindex.db"
EXPORT_DAYS = 31
_SELECT_LIST = re.compile(r"^SELECT (?:DISTINCT )?((?:(?!\(SELECT ).){60,}?) FROM ", re.S)  # not subqueries
_IN_LIST = re.compile(r"\((?:\?, )+\?\)")
_BIG_TABLES = ("transfer_event", "transfer ")


def _moment(rng: random.Random) -> datetime:
    return NOW + timedelta(seconds=rng.uniform(0, 3 * 3600))


# ── the baseline: the same database without the transfer indexes ───────────


def _transfer_indexes(conn: sqlite3.Connection) -> list[str]:
    return [name for (name,) in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
        "AND tbl_name IN ('transfer', 'transfer_event') ORDER BY name")]


def noindex_copy(path: Path, copy: Path = NOINDEX_DB) -> tuple[Path, list[str]]:
    """A copy of ``path`` with every index on transfer and transfer_event
    dropped (reused while it was made from the same build); the names dropped."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        dropped = _transfer_indexes(conn)
    finally:
        conn.close()
    source = f"{marker_of(path)}:{path.stat().st_mtime_ns}"  # the build it was copied from
    if copy.exists():
        try:
            check = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
            try:
                made_of = check.execute("SELECT value FROM meta WHERE key = 'bench_noindex_of'").fetchone()
                if made_of is not None and made_of[0] == source and not _transfer_indexes(check):
                    return copy, dropped
            finally:
                check.close()
        except sqlite3.Error:
            pass
    t0 = time.perf_counter()
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # everything in the file itself
    finally:
        conn.close()
    source = f"{marker_of(path)}:{path.stat().st_mtime_ns}"
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        for name in dropped:
            conn.execute(f'DROP INDEX "{name}"')  # its sqlite_stat1 rows go with it
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_noindex_of', ?)", (source,))
        conn.commit()
    finally:
        conn.close()
    say(f"transfer: made {copy.name} (dropped {len(dropped)} indexes) in {time.perf_counter() - t0:.1f} s")
    return copy, dropped


# ── the work ────────────────────────────────────────────────────────────────


class Kind:
    def __init__(self, key: str, label: str, target: float | None) -> None:
        self.key, self.label, self.target = key, label, target
        self.calls: list[Callable[[object], int]] = []  # each takes the Database to run on


def build_kinds(db, n: int, seed: int) -> list[Kind]:  # type: ignore[no-untyped-def]
    """The calls to time; each runs on the database it is given (ours or the baseline)."""
    from cscterm.services import transfer
    from cscterm.services.users import identify

    rng = random.Random(seed)
    with db.session() as session:
        conn = session.connection()
        logins = [row[0] for row in conn.exec_driver_sql("SELECT login FROM user ORDER BY id")]
        actors = {login: identify(session, login) for login in logins}
        max_id = conn.exec_driver_sql("SELECT MAX(id) FROM transfer").scalar_one()
        picks = sorted(rng.sample(range(1, max_id + 1), k=min(max_id, 2 * (n + WARM_UP) + 50)))
        marks = ", ".join("?" * len(picks))
        opened = conn.exec_driver_sql(
            f"SELECT id, sender_id, claimed_by FROM transfer WHERE status NOT IN ('draft', 'discarded') "
            f"AND id IN ({marks})", tuple(picks)).fetchall()
    by_id = {a.id: a for a in actors.values()}
    after = [a for a in actors.values() if a.team == AFTER_SALE and not a.is_lead]
    after_leads = [a for a in actors.values() if a.team == AFTER_SALE and a.is_lead]
    after_all = after + after_leads
    presale = [a for a in actors.values() if a.team != AFTER_SALE and not a.is_lead]
    rng.shuffle(presale)
    today = NOW.astimezone(ZONE).date()
    first_day = today - timedelta(days=729)
    kinds: list[Kind] = []

    def inbox_call(actor, now):  # type: ignore[no-untyped-def]
        def call(target) -> int:  # type: ignore[no-untyped-def]
            with target.session() as session:
                box = transfer.inbox(session, actor, now=now)
            return (len(box.returned) + len(box.drafts) + len(box.waiting) + len(box.claimed) + len(box.sent)
                    + len(box.resolved))
        return call

    kind = Kind("queue", "after-sale queue (inbox)", TARGET_MS)
    for i in range(n + WARM_UP):
        kind.calls.append(inbox_call(after_all[i % len(after_all)], _moment(rng)))
    kinds.append(kind)
    kind = Kind("presale", "pre-sale inbox", TARGET_MS)
    for i in range(n + WARM_UP):
        kind.calls.append(inbox_call(presale[i % len(presale)], _moment(rng)))
    kinds.append(kind)

    for days in (1, 7, 31):
        kind = Kind(f"lead{days}", f"lead view {days:>2} d, all queues", TARGET_MS)
        for i in range(n + WARM_UP):
            last = today if i % 2 == 0 else first_day + timedelta(days=rng.randrange(days, 729))
            first = last - timedelta(days=days - 1)
            lead = after_leads[i % len(after_leads)]

            def call(target, lead=lead, first=first, last=last, now=_moment(rng)) -> int:  # type: ignore[no-untyped-def]
                with target.session() as session:
                    v = transfer.lead_view(session, lead, first=first, last=last, now=now, zone=ZONE)
                return (len(v.sent) + len(v.claimed) + len(v.returned) + len(v.escalated) + len(v.breaches)
                        + len(v.by_template) + len(v.by_sender))

            kind.calls.append(call)
        kinds.append(kind)

    kind = Kind("open", "open a transfer (get_transfer)", None)
    for i, (transfer_id, sender, claimer) in enumerate(opened[: n + WARM_UP]):
        reader = (after_leads[i % len(after_leads)], by_id.get(sender), by_id.get(claimer))[i % 3] \
            or after_leads[0]

        def call(target, transfer_id=transfer_id, reader=reader, now=_moment(rng)) -> int:  # type: ignore[no-untyped-def]
            with target.session() as session:
                view = transfer.get_transfer(session, reader, transfer_id, now=now)
            return 1 + len(view.events)

        kind.calls.append(call)
    kinds.append(kind)
    return kinds


def measure(kind: Kind, db, base_db, n: int, budget: float, base_n: int) -> dict:  # type: ignore[no-untyped-def]
    for call in kind.calls[-WARM_UP:]:  # warm-up: calls not measured below
        call(db)
    kind.calls[-1](base_db)
    mine, cpu, base, hits = [], [], [], []
    started = time.perf_counter()
    calls = kind.calls[: max(0, len(kind.calls) - WARM_UP)][:n]
    for i, call in enumerate(calls):
        if i >= MIN_N and sum(mine) / 1e3 > budget:  # the budget is for our calls; the baseline's are few
            break
        order = (0, 1) if i % 2 == 0 else (1, 0)
        for which in order:
            if which == 1 and i >= base_n:
                continue
            t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
            if which == 0:
                hits.append(call(db))
                mine.append((time.perf_counter_ns() - t0) / 1e6)
                cpu.append((time.thread_time_ns() - c0) / 1e6)
            else:
                call(base_db)
                base.append((time.perf_counter_ns() - t0) / 1e6)
    p95, b95 = percentile(mine, 95), percentile(base, 95)
    return {
        "kind": kind.key, "label": kind.label, "n": len(mine), "base_n": len(base),
        "rows": sum(hits) / max(1, len(hits)),
        "p50": percentile(mine, 50), "p95": p95, "p99": percentile(mine, 99), "cpu95": percentile(cpu, 95),
        "b50": percentile(base, 50), "b95": b95, "target": kind.target,
        "ok": kind.target is None or p95 <= kind.target,
        "seconds": time.perf_counter() - started,
    }


def print_table(results: list[dict]) -> None:
    rows = [
        (r["label"], r["n"], f"{r['rows']:.0f}", r["p50"], r["p95"], r["p99"], r["cpu95"], r["base_n"], r["b50"],
         r["b95"],
         f"{r['p95'] / r['b95']:.3f}x" if r["b95"] else "-",
         f"<= {r['target']:.0f}" if r["target"] else "-",
         ("pass" if r["ok"] else "FAIL") if r["target"] else "info")
        for r in results
    ]
    say(table(("kind", "n", "rows", "p50 ms", "p95 ms", "p99 ms", "CPU p95 ms", "base n", "no-index p50",
               "no-index p95", "p95 ours/no-index", "target p95 ms", "result"), rows))


def export(db, base_db, times: int) -> dict:  # type: ignore[no-untyped-def]
    """export_csv of the last EXPORT_DAYS days, masked, as a lead: a few calls."""
    from cscterm.services import transfer
    from cscterm.services.users import identify

    with db.session() as session:
        lead = identify(session, LOGIN)
    last = NOW.astimezone(ZONE).date()
    first = last - timedelta(days=EXPORT_DAYS - 1)

    def call(target) -> str:  # type: ignore[no-untyped-def]
        with target.session() as session:
            return transfer.export_csv(session, lead, first=first, last=last, zone=ZONE)

    ours, base = [], []
    text = ""
    for i in range(times):
        t0 = time.perf_counter_ns()
        text = call(db)
        ours.append((time.perf_counter_ns() - t0) / 1e6)
        if i == 0:
            t0 = time.perf_counter_ns()
            call(base_db)
            base.append((time.perf_counter_ns() - t0) / 1e6)
    return {"first": first, "last": last, "rows": text.count("\n") - 1, "bytes": len(text.encode("utf-8")),
            "n": len(ours), "p50": percentile(ours, 50), "max": max(ours), "base": base[0]}


def full_scans(db) -> None:  # type: ignore[no-untyped-def]
    """What one pass over each big table costs here, for scale."""
    statements = (
        ("SELECT count(*) FROM transfer NOT INDEXED WHERE subject != ''", "scan of transfer rows"),
        ("SELECT count(*) FROM transfer_event NOT INDEXED WHERE kind != ''", "scan of transfer_event rows"),
    )
    rows = []
    with db.engine.connect() as conn:
        for sql, label in statements:
            times = []
            for _ in range(3):
                t0 = time.perf_counter_ns()
                count = conn.exec_driver_sql(sql).scalar_one()
                times.append((time.perf_counter_ns() - t0) / 1e6)
            rows.append((label, count, percentile(times, 50)))
    say(table(("one full pass (reference)", "rows", "p50 ms"), rows))


# ── query plans ─────────────────────────────────────────────────────────────


def _shape(statement: str) -> str:
    flat = " ".join(statement.split())
    flat = _SELECT_LIST.sub(lambda m: m[0].replace(m[1], "…"), flat, count=1)
    return _IN_LIST.sub("(?, …)", flat)


def _without_statistics(path: Path) -> sqlite3.Connection:
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


def _replay(conn: sqlite3.Connection, statement: str, params: object) -> tuple[float, int, list[str]]:
    times = []
    found = 0
    for _ in range(3):
        t0 = time.perf_counter_ns()
        found = len(conn.execute(statement, params or ()).fetchall())  # type: ignore[arg-type]
        times.append((time.perf_counter_ns() - t0) / 1e6)
    plan = [row[-1] for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params or ())]  # type: ignore[arg-type]
    return min(times), found, plan


def _scans(plan: list[str]) -> list[str]:
    return [p for p in plan if p.startswith("SCAN ")
            and any(p[5:].startswith(t) or p[5:] == t.strip() for t in _BIG_TABLES)]


def explain(db, path: Path) -> tuple[list[str], list[tuple[str, float, float, float]]]:  # type: ignore[no-untyped-def]
    """EXPLAIN QUERY PLAN of what the service runs, with and without the ANALYZE
    statistics; returns the scans found and per call (label, call ms, SQL ms
    with statistics, SQL ms without)."""
    from sqlalchemy import event

    from cscterm.services import transfer
    from cscterm.services.users import identify

    with db.session() as session:
        lead = identify(session, LOGIN)
        after = identify(session, "aftersale05")
        presale = identify(session, "presale03-07")
        transfer_id = session.connection().exec_driver_sql(
            "SELECT id FROM transfer WHERE bounces > 1 ORDER BY id DESC LIMIT 1").scalar_one()
    today = NOW.astimezone(ZONE).date()
    month = today - timedelta(days=30)
    past = today - timedelta(days=400)
    calls: list[tuple[str, Callable]] = [
        ("after-sale queue (aftersale05)", lambda s: transfer.inbox(s, after, now=NOW)),
        ("pre-sale inbox (presale03-07)", lambda s: transfer.inbox(s, presale, now=NOW)),
        ("lead view 31 d, all queues", lambda s: transfer.lead_view(s, lead, first=month, last=today, now=NOW,
                                                                   zone=ZONE)),
        (f"lead view 31 d, queue {AFTER_SALE}", lambda s: transfer.lead_view(
            s, lead, first=month, last=today, queue=AFTER_SALE, now=NOW, zone=ZONE)),
        # a long limit, so that the resolved ones that missed their levels are listed too
        ("lead view 31 d a year ago, limit 3000", lambda s: transfer.lead_view(
            s, lead, first=past, last=past + timedelta(days=30), now=NOW, zone=ZONE, limit=3000)),
        ("open a transfer", lambda s: transfer.get_transfer(s, lead, transfer_id, now=NOW)),
        (f"export_csv {EXPORT_DAYS} d", lambda s: transfer.export_csv(s, lead, first=month, last=today,
                                                                      zone=ZONE)),
    ]
    replay = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    bare = _without_statistics(path)
    scans: list[str] = []
    summary: list[tuple[str, float, float, float]] = []
    log: list[tuple[str, object]] = []

    def before(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        log.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        for label, call in calls:
            if not label.startswith("export"):  # once unlogged: statements compiled, pages read
                with db.session() as session:
                    call(session)
            log.clear()
            t0 = time.perf_counter_ns()
            with db.session() as session:
                call(session)
            call_ms = (time.perf_counter_ns() - t0) / 1e6
            statements = list(log)
            lines: list[str] = []
            sql_ms = bare_ms = 0.0
            seen: set[str] = set()
            for statement, params in statements:
                shape = _shape(statement)
                if shape in seen or not statement.lstrip().upper().startswith(("SELECT", "WITH")):
                    continue
                seen.add(shape)
                ms, found, plan = _replay(replay, statement, params)
                ms_bare, _, plan_bare = _replay(bare, statement, params)
                flagged, flagged_bare = _scans(plan), _scans(plan_bare)
                mark = "  ⚠ FULL SCAN" if flagged else ""
                sql_ms += ms
                bare_ms += ms_bare
                lines.append(f"{ms:8.2f} ms {found:5d} rows  {shape[:170]}{mark}")
                lines += [f"{'':25}{line}" for line in plan]
                if plan_bare != plan:
                    lines.append(f"{'':25}without statistics: {ms_bare:.2f} ms"
                                 f"{'  ⚠ FULL SCAN' if flagged_bare else ''}")
                    lines += [f"{'':27}{line}" for line in plan_bare]
                if flagged:
                    scans.append(f"{label}: {shape[:120]} → {'; '.join(flagged)} ({ms:.1f} ms)")
                if flagged_bare:
                    scans.append(f"{label}, without statistics: {shape[:100]} → {'; '.join(flagged_bare)} "
                                 f"({ms_bare:.1f} ms)")
            summary.append((label, call_ms, sql_ms, bare_ms))
            say(f"\n── {label}: {len(statements)} statements; the call took {call_ms:.1f} ms, its distinct "
                f"SELECTs replayed alone {sql_ms:.1f} ms ({100 * sql_ms / call_ms:.0f}%; the rest is Python: "
                f"building statements, reading rows, clocks, names); without statistics {bare_ms:.1f} ms ──")
            for line in lines:
                say(line)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
        replay.close()
        bare.execute("ROLLBACK")
        bare.close()
    return scans, summary


# ── main ────────────────────────────────────────────────────────────────────


def run(path: Path | None = None, *, n: int = 200, budget: float = 20.0, base_n: int = 10, exports: int = 3,
        explain_plans: bool = True, seed: int = SEED) -> bool:
    import transfer_generate

    from cscterm.db.engine import Database

    path = transfer_generate.generate(path or db_path(None))
    copy, dropped = noindex_copy(path)
    db, base_db = Database(path), Database(copy)
    size = path.stat().st_size / 2**20
    with db.engine.connect() as conn:
        counts = {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar_one()
                  for t in ("transfer", "transfer_event")}
        states = dict(conn.exec_driver_sql("SELECT status, COUNT(*) FROM transfer GROUP BY status").fetchall())
    open_now = sum(states.get(s, 0) for s in ("sent", "claimed", "returned"))
    say(f"transfer: {path.name} ({counts['transfer']:,} transfers, {counts['transfer_event']:,} events, "
        f"{size:.0f} MiB; open {open_now:,}: sent {states.get('sent', 0):,}, claimed {states.get('claimed', 0):,}, "
        f"returned {states.get('returned', 0):,}); now = {NOW.astimezone(ZONE):%Y-%m-%d %H:%M} "
        f"{ZONE.tzname(None)} + 0–3 h; up to {n} calls per kind (or {budget:.0f} s), the no-index copy next to "
        f"the first {base_n}; one unit of work per call")
    kinds = build_kinds(db, n, seed)
    started = time.perf_counter()
    load = os.getloadavg()[0]
    results = [measure(kind, db, base_db, n, budget, base_n) for kind in kinds]
    say(f"(measured in {time.perf_counter() - started:.0f} s; load average {load:.1f} before, "
        f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores)\n")
    print_table(results)
    say("p50/p95/p99: wall time, the targets' measure; CPU p95: this thread's CPU time, which waiting for a "
        "core does not inflate")
    say(f"no-index: the same calls on a copy without the {len(dropped)} transfer indexes "
        f"({', '.join(dropped)})\n")
    if exports:
        e = export(db, base_db, exports)
        say(table(("export_csv (masked), sent in", "rows", "KiB", "n", "p50 ms", "max ms", "no-index ms"), [
            (f"{e['first']} … {e['last']}", e["rows"], e["bytes"] / 1024, e["n"], e["p50"], e["max"], e["base"])]))
        say("")
    full_scans(db)

    if explain_plans:
        say("\n═══ query plans (each statement replayed alone; a plan is shown twice when it differs without "
            "the ANALYZE statistics, as in a database cscterm made) ═══")
        scans, summary = explain(db, path)
        say("\nSQL per call, statements replayed alone:")
        say(table(("call", "call ms", "SQL ms", "SQL ms without statistics"), summary))
        if scans:
            say("\nscans of a whole transfer table or index:")
            for line in scans:
                say(f"  {line}")
        else:
            say("\nno statement scans a whole transfer table, with or without statistics")
    db.dispose()
    base_db.dispose()
    ok = all(r["ok"] for r in results)
    say(f"\ntransfer: targets {'met' if ok else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help="database (default benchmarks/out/cscterm-transfer.db)")
    parser.add_argument("--n", type=int, default=200, help="measured calls per kind (default 200)")
    parser.add_argument("--budget", type=float, default=20.0,
                        help=f"seconds of our calls per kind; stop early (after at least {MIN_N}) when over it")
    parser.add_argument("--base-n", type=int, default=10, help="no-index baseline calls per kind (default 10)")
    parser.add_argument("--exports", type=int, default=3, help="export_csv calls (default 3; 0: none)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True,
                        help="print the query plans (default on)")
    args = parser.parse_args(argv)
    ok = run(db_path(args.db), n=args.n, budget=args.budget, base_n=args.base_n, exports=args.exports,
             explain_plans=args.explain, seed=args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
