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

import random
import sqlite3
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, percentile, say, table  # noqa: E402
from _measure import (CPU_NOTE, WARM_UP, Kind, Plans, bench_args, bench_parser, full_scans,  # noqa: E402
                      load_noted, measure, moment, people, print_plans, print_table, recording, verdict)
from _measure import noindex_copy as _noindex_copy  # noqa: E402
from transfer_generate import AFTER_SALE, NOW, ZONE, db_path  # noqa: E402

SEED = 23
TARGET_MS = 100.0  # p95: the after-sale queue, the pre-sale inbox, the lead view
NOINDEX_DB = OUT / "cscterm-transfer-noindex.db"
EXPORT_DAYS = 31
_BIG_TABLES = ("transfer_event", "transfer")
FULL_SCANS = (  # what one pass over each big table costs here, for scale
    ("SELECT count(*) FROM transfer NOT INDEXED WHERE subject != ''", "scan of transfer rows"),
    ("SELECT count(*) FROM transfer_event NOT INDEXED WHERE kind != ''", "scan of transfer_event rows"),
)


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
    return _noindex_copy(path, copy, dropped, marker="bench_transfer", who="transfer",
                         indexed=_transfer_indexes), dropped


# ── the work ────────────────────────────────────────────────────────────────


def build_kinds(db, base_db, n: int, seed: int) -> list[Kind]:  # type: ignore[no-untyped-def]
    """The calls to time, each on ``db`` with the same call on ``base_db`` as its baseline."""
    from cscterm.services import transfer

    rng = random.Random(seed)
    actors = {actor.login: actor for actor in people(db)}
    with db.session() as session:
        conn = session.connection()
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
        kind.on_both(inbox_call(after_all[i % len(after_all)], moment(rng, NOW)), db, base_db)
    kinds.append(kind)
    kind = Kind("presale", "pre-sale inbox", TARGET_MS)
    for i in range(n + WARM_UP):
        kind.on_both(inbox_call(presale[i % len(presale)], moment(rng, NOW)), db, base_db)
    kinds.append(kind)

    for days in (1, 7, 31):
        kind = Kind(f"lead{days}", f"lead view {days:>2} d, all queues", TARGET_MS)
        for i in range(n + WARM_UP):
            last = today if i % 2 == 0 else first_day + timedelta(days=rng.randrange(days, 729))
            first = last - timedelta(days=days - 1)
            lead = after_leads[i % len(after_leads)]

            def call(target, lead=lead, first=first, last=last, now=moment(rng, NOW)) -> int:  # type: ignore[no-untyped-def]
                with target.session() as session:
                    v = transfer.lead_view(session, lead, first=first, last=last, now=now, zone=ZONE)
                return (len(v.sent) + len(v.claimed) + len(v.returned) + len(v.escalated) + len(v.breaches)
                        + len(v.by_template) + len(v.by_sender))

            kind.on_both(call, db, base_db)
        kinds.append(kind)

    kind = Kind("open", "open a transfer (get_transfer)", None)
    for i, (transfer_id, sender, claimer) in enumerate(opened[: n + WARM_UP]):
        reader = (after_leads[i % len(after_leads)], by_id.get(sender), by_id.get(claimer))[i % 3] \
            or after_leads[0]

        def call(target, transfer_id=transfer_id, reader=reader, now=moment(rng, NOW)) -> int:  # type: ignore[no-untyped-def]
            with target.session() as session:
                view = transfer.get_transfer(session, reader, transfer_id, now=now)
            return 1 + len(view.events)

        kind.on_both(call, db, base_db)
    kinds.append(kind)
    return kinds


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


# ── query plans ─────────────────────────────────────────────────────────────


def explain(db, path: Path) -> tuple[list[str], list[tuple[str, float, float, float]]]:  # type: ignore[no-untyped-def]
    """EXPLAIN QUERY PLAN of what the service runs, with and without the ANALYZE
    statistics; returns the scans found and per call (label, call ms, SQL ms
    with statistics, SQL ms without)."""
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
    with Plans(path, _BIG_TABLES, rest=": building statements, reading rows, clocks, names") as plans, \
            recording(db.engine) as log:
        for label, call in calls:
            if not label.startswith("export"):  # once unlogged: statements compiled, pages read
                with db.session() as session:
                    call(session)
            log.clear()
            t0 = time.perf_counter_ns()
            with db.session() as session:
                call(session)
            plans.call(label, (time.perf_counter_ns() - t0) / 1e6, list(log))
    return plans.scans, plans.summary


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
    kinds = build_kinds(db, base_db, n, seed)
    with load_noted():
        results = [measure(kind, n, budget, base_n) for kind in kinds]
    print_table(results, baseline="no-index")
    say(CPU_NOTE)
    say(f"no-index: the same calls on a copy without the {len(dropped)} transfer indexes "
        f"({', '.join(dropped)})\n")
    if exports:
        e = export(db, base_db, exports)
        say(table(("export_csv (masked), sent in", "rows", "KiB", "n", "p50 ms", "max ms", "no-index ms"), [
            (f"{e['first']} … {e['last']}", e["rows"], e["bytes"] / 1024, e["n"], e["p50"], e["max"], e["base"])]))
        say("")
    full_scans(db, FULL_SCANS)

    if explain_plans:
        print_plans(lambda: explain(db, path), "transfer table")
    db.dispose()
    base_db.dispose()
    return verdict("transfer", all(r["ok"] for r in results))


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "cscterm-transfer.db", budget=20.0, base_n=10, baseline="no-index")
    parser.add_argument("--exports", type=int, default=3, help="export_csv calls (default 3; 0: none)")
    args = bench_args(parser, argv, SEED)
    ok = run(db_path(args.db), n=args.n, budget=args.budget, base_n=args.base_n, exports=args.exports,
             explain_plans=args.explain, seed=args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
