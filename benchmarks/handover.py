"""Shift handover on three years of notes: inbox, lead queue, opening a note,
history search, and what the live inbox costs while it waits.

    uv run python benchmarks/handover.py [DB] [--n 200] [--budget 20] [--base-n 40] [--idle 20] [--no-explain]

DB defaults to benchmarks/out/cscterm-handover.db (env CSCTERM_BENCH_HANDOVER_DB),
built by handover_generate.py if missing or out of date (~1 minute): 20 teams ×
3 shifts a day × 3 years ≈ 65,700 notes, ≈ 296,000 items. Every call is one
unit of work (``Database.session()``) at the generator's fixed ``NOW``
(2026-11-20 10:30 Beijing time):

* ``handover.inbox(session, actor, now=NOW)`` for 15 people of five teams
  (teams with notes waiting, one addressed to a person, drafts, a quiet team);
* ``handover.lead_queue`` as bench-lead for 1, 7 and 31 days, all teams and one
  team (rotating); half the ranges end today, half on a random past day;
* ``handover.get_handover`` of random notes, opened by a member of the team;
* ``handover.search_history`` for 1-, 2- and 3–6-character Chinese queries
  drawn from the notes, alternately as the lead (every team) and as an agent
  (their own team).

Each kind runs up to ``--n`` calls (or ``--budget`` seconds, at least 30). Next to
the first ``--base-n`` of them, taking turns on which goes first, runs a naive
baseline answering the same question without the indexes: the same list
queries hand-written with ``NOT INDEXED`` (so each is a full scan of its
table) returning raw rows, or for history search a ``LIKE '%q%'`` over the
notes' and items' text, newest first, same limit. The baselines build no views,
so they do less Python work than the service. Targets: inbox and lead queue
p95 ≤ 100 ms; the other kinds are for information.

Then ``EXPLAIN QUERY PLAN`` of every statement the inbox, the lead queue,
opening a note and search issue (captured with SQLAlchemy's
``before_cursor_execute``), each replayed alone with its time, full scans of
the handover tables flagged. Last, the live inbox's idle cost: a thread polling
``PRAGMA data_version`` once a second on one connection, as
``Database.data_version`` does, for ``--idle`` seconds with nothing changing,
its CPU time as % of one core (target < 1 %); and what one detected change
costs (``handover.waiting_ids`` in a fresh unit of work).
"""

from __future__ import annotations

import random
import re
import resource
import sys
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _build import stamp as _stamp  # noqa: E402
from _common import LOGIN, percentile, say, table  # noqa: E402
from _measure import (WARM_UP, Kind, Plans, bench_args, bench_parser, full_scans, measure, people,  # noqa: E402
                      print_scans, print_table, recording, verdict)
from handover_generate import NOW, TEAMS, ZONE, db_path  # noqa: E402

SEED = 11
TARGET_MS = 100.0  # p95, inbox and lead queue
IDLE_TARGET = 1.0  # % of one core
INBOX_TEAMS = (0, 5, 11, 1, 19)  # waiting ×2, to a person, to a lead, a draft, quiet (English)
LIMIT = 200  # the service's list limit
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_SELECT_LIST = re.compile(r"^SELECT (?:DISTINCT )?(.{60,}?) FROM ", re.S)  # the plans' shortened select lists
_BIG_TABLES = ("handover_item", "handover_comment", "handover")


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    """Local days first..last as UTC instants (as the service computes them)."""
    start = datetime(first.year, first.month, first.day, tzinfo=ZONE)
    end = datetime(last.year, last.month, last.day, tzinfo=ZONE) + timedelta(days=1)
    return start.astimezone(UTC), end.astimezone(UTC)


# ── the naive baselines: same questions, indexes switched off ───────────────
# They mirror the WHERE and ORDER BY of the service's list queries
# (services/handover.py: inbox, lead_queue, _view); change them together.

INBOX_NAIVE = (
    "SELECT * FROM handover NOT INDEXED WHERE to_user_id = :me AND status = 'submitted' "
    "ORDER BY to_shift_start LIMIT 200",
    "SELECT * FROM handover NOT INDEXED WHERE status = 'submitted' AND team = :team AND to_user_id IS NULL "
    "AND to_shift_start >= :behind AND to_shift_start <= :ahead AND author_id != :me "
    "ORDER BY to_shift_start LIMIT 200",
    "SELECT * FROM handover_item NOT INDEXED WHERE owner_id = :me AND status = 'open' "
    "AND carried_to_id IS NULL ORDER BY due_at LIMIT 200",
    "SELECT * FROM handover_item NOT INDEXED WHERE team = :team AND status = 'open' "
    "AND carried_to_id IS NULL ORDER BY due_at LIMIT 200",
    "SELECT * FROM handover NOT INDEXED WHERE author_id = :me AND status = 'draft' "
    "ORDER BY shift_start DESC LIMIT 200",
    "SELECT * FROM handover NOT INDEXED WHERE team = :team AND status != 'draft' "
    "ORDER BY shift_start DESC LIMIT 20",
)


def _queue_naive(team: bool) -> tuple[str, ...]:
    scope = " AND team = :team" if team else ""
    return (
        "SELECT * FROM handover NOT INDEXED WHERE status != 'draft' AND to_shift_start >= :start "
        "AND to_shift_start < :end AND ((status = 'submitted' AND to_shift_start < :cut) OR ack_delay_s > :grace)"
        f"{scope} ORDER BY to_shift_start DESC LIMIT 200",
        "SELECT * FROM handover_item NOT INDEXED WHERE status = 'open' AND due_at < :overdue_before "
        f"AND carried_to_id IS NULL{scope} ORDER BY due_at DESC LIMIT 200",
        "SELECT * FROM handover_item NOT INDEXED WHERE status = 'open' AND rolled_count >= 3 "
        f"AND carried_to_id IS NULL{scope} ORDER BY rolled_count DESC LIMIT 200",
        "SELECT * FROM handover NOT INDEXED WHERE status != 'draft' AND shift_start >= :start "
        f"AND shift_start < :end{scope} ORDER BY shift_start DESC LIMIT 200",
        "SELECT DISTINCT team FROM user ORDER BY team",
    )


OPEN_NAIVE = (
    "SELECT * FROM handover WHERE id = :id",  # by rowid: no index to switch off
    "SELECT * FROM handover_item NOT INDEXED WHERE handover_id = :id ORDER BY position",
    "SELECT * FROM handover_comment NOT INDEXED WHERE item_id IN "
    "(SELECT id FROM handover_item NOT INDEXED WHERE handover_id = :id) ORDER BY item_id, id",
)

SEARCH_NAIVE = (
    "SELECT h.* FROM handover h WHERE h.status != 'draft'{scope} AND (h.shift_name LIKE :p ESCAPE '\\' "
    "OR h.summary LIKE :p ESCAPE '\\' OR h.watchouts LIKE :p ESCAPE '\\' OR h.synthesis LIKE :p ESCAPE '\\' "
    "OR EXISTS (SELECT 1 FROM handover_item i WHERE i.handover_id = h.id AND (i.reference LIKE :p ESCAPE '\\' "
    "OR i.situation LIKE :p ESCAPE '\\' OR i.next_action LIKE :p ESCAPE '\\'))) ORDER BY h.id DESC LIMIT 50"
)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# ── the work ────────────────────────────────────────────────────────────────


def _raw(db, statements: tuple[str, ...], params: dict[str, object]) -> int:  # type: ignore[no-untyped-def]
    from sqlalchemy import text

    rows = 0
    with db.session() as session:
        for statement in statements:
            rows += len(session.execute(text(statement), params).all())
    return rows


def build_kinds(db, n: int, seed: int) -> list[Kind]:  # type: ignore[no-untyped-def]
    """The calls to time, each kind with its baseline calls (same questions)."""
    from sqlalchemy import text

    from cscterm.services import handover

    rng = random.Random(seed)
    actors = {actor.login: actor for actor in people(db)}
    lead = actors[LOGIN]
    by_team: dict[str, list] = {}
    for actor in actors.values():
        by_team.setdefault(actor.team, []).append(actor)
    with db.session() as session:
        conn = session.connection()
        max_note = conn.exec_driver_sql("SELECT MAX(id) FROM handover").scalar_one()
        picks = rng.sample(range(1, max_note + 1), k=min(max_note, 3 * n + 60))
        marks = ", ".join("?" * len(picks))
        notes = conn.exec_driver_sql(
            f"SELECT id, team, summary || watchouts || (SELECT group_concat(situation || next_action, '') "
            f"FROM handover_item WHERE handover_id = handover.id) FROM handover "
            f"WHERE status != 'draft' AND id IN ({marks})", tuple(picks),
        ).fetchall()
    notes.sort()
    rng.shuffle(notes)
    today = NOW.astimezone(ZONE).date()
    first_day = today - timedelta(days=3 * 365)
    kinds: list[Kind] = []

    # inbox
    kind = Kind("inbox", "inbox", TARGET_MS)
    inbox_people = [a for t in INBOX_TEAMS for a in by_team[TEAMS[t]]]
    for i in range(n + WARM_UP):
        actor = inbox_people[i % len(inbox_people)]

        def ours(actor=actor) -> int:  # type: ignore[no-untyped-def]
            with db.session() as session:
                box = handover.inbox(session, actor, now=NOW)
            return (len(box.to_acknowledge) + len(box.my_items) + len(box.team_items) + len(box.drafts)
                    + len(box.recent))

        params = {"me": actor.id, "team": actor.team, "behind": _stamp(NOW - handover.INBOX_BEHIND),
                  "ahead": _stamp(NOW + handover.INBOX_AHEAD)}
        kind.add(ours, lambda params=params: _raw(db, INBOX_NAIVE, params))
    kinds.append(kind)

    # lead queue: 1, 7, 31 days; every team, then one team
    for scoped in (False, True):
        for days in (1, 7, 31):
            who = "one team" if scoped else "all teams"
            kind = Kind(f"queue{days}{'t' if scoped else ''}", f"lead queue {days:>2} d, {who}", TARGET_MS)
            for i in range(n + WARM_UP):
                last = today if i % 2 == 0 else first_day + timedelta(days=rng.randrange(days, 3 * 365))
                first = last - timedelta(days=days - 1)
                team = TEAMS[i % len(TEAMS)] if scoped else None

                def ours(first=first, last=last, team=team) -> int:  # type: ignore[no-untyped-def]
                    with db.session() as session:
                        q = handover.lead_queue(session, lead, first=first, last=last, team=team, now=NOW,
                                                zone=ZONE)
                    return len(q.late) + len(q.overdue) + len(q.rolled) + len(q.shifts)

                start, end = _bounds(first, last)
                params = {"start": _stamp(start), "end": _stamp(end), "overdue_before": _stamp(min(NOW, end)),
                          "team": team,
                          "cut": _stamp(NOW - handover.DEFAULT_ACK_GRACE),
                          "grace": int(handover.DEFAULT_ACK_GRACE.total_seconds())}
                statements = _queue_naive(scoped)
                kind.add(ours, lambda params=params, statements=statements: _raw(db, statements, params))
            kinds.append(kind)

    # opening a note
    kind = Kind("open", "open a note (get_handover)", None)
    for note_id, team, _content in notes[: n + WARM_UP]:
        reader = by_team[team][1]

        def ours(note_id=note_id, reader=reader) -> int:  # type: ignore[no-untyped-def]
            with db.session() as session:
                view = handover.get_handover(session, reader, note_id)
            return 1 + len(view.items) + sum(len(i.comments) for i in view.items)

        kind.add(ours, lambda note_id=note_id: _raw(db, OPEN_NAIVE, {"id": note_id}))
    kinds.append(kind)

    # history search
    queries: dict[str, list[tuple[str, str]]] = {"cjk1": [], "cjk2": [], "cjk3": []}
    for _id, team, content in notes:
        runs = _CJK_RUN.findall(content or "")
        if not runs:
            continue
        run = rng.choice(runs)
        queries["cjk1"].append((rng.choice(run), team))
        run = rng.choice(runs)
        if len(run) >= 2:
            start = rng.randrange(len(run) - 1)
            queries["cjk2"].append((run[start:start + 2], team))
        long_runs = [r for r in runs if len(r) >= 3]
        if long_runs:
            run = rng.choice(long_runs)
            size = rng.randint(3, min(6, len(run)))
            start = rng.randint(0, len(run) - size)
            queries["cjk3"].append((run[start:start + size], team))
    labels = {"cjk1": "history search, 1 char", "cjk2": "history search, 2 chars",
              "cjk3": "history search, 3-6 chars"}
    for key, drawn in queries.items():
        kind = Kind(key, labels[key], None)
        for i, (query, team) in enumerate(drawn[: n + WARM_UP]):
            actor = lead if i % 2 == 0 else by_team[team][1]

            def ours(query=query, actor=actor) -> int:  # type: ignore[no-untyped-def]
                with db.session() as session:
                    return len(handover.search_history(session, actor, query))

            sql = text(SEARCH_NAIVE.format(scope="" if actor.is_lead else " AND h.team = :team"))
            params = {"p": f"%{_escape(query)}%", "team": actor.team}

            def base(sql=sql, params=params) -> int:  # type: ignore[no-untyped-def]
                with db.session() as session:
                    return len(session.execute(sql, params).all())

            kind.add(ours, base)
        kinds.append(kind)
    return kinds


FULL_SCANS = (  # what one pass over each big table costs here, for scale
    ("SELECT count(*) FROM handover_item", "count(*) handover_item (SQLite counts a small index)"),
    ("SELECT count(*) FROM handover_item NOT INDEXED WHERE situation != ''", "scan of handover_item rows"),
    ("SELECT count(*) FROM handover NOT INDEXED WHERE summary != ''", "scan of handover rows"),
    ("SELECT count(*) FROM handover_comment NOT INDEXED WHERE body != ''", "scan of handover_comment rows"),
)
# ── query plans ─────────────────────────────────────────────────────────────


def explain(db, path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """EXPLAIN QUERY PLAN of what the service runs; returns the full scans found."""
    from cscterm.services import handover
    from cscterm.services.users import identify

    with db.session() as session:
        lead = identify(session, LOGIN)
        agent = identify(session, "agent00b")
        note_id = session.connection().exec_driver_sql(
            "SELECT id FROM handover WHERE team = ? AND status = 'acknowledged' ORDER BY id DESC LIMIT 1",
            (TEAMS[0],)).scalar_one()
    today = NOW.astimezone(ZONE).date()
    month = today - timedelta(days=30)
    calls: list[tuple[str, Callable]] = [
        ("inbox (agent00b)", lambda s: handover.inbox(s, agent, now=NOW)),
        ("lead queue 31 d, all teams", lambda s: handover.lead_queue(s, lead, first=month, last=today,
                                                                    now=NOW, zone=ZONE)),
        (f"lead queue 31 d, {TEAMS[0]}", lambda s: handover.lead_queue(s, lead, first=month, last=today,
                                                                       team=TEAMS[0], now=NOW, zone=ZONE)),
        ("open a note", lambda s: handover.get_handover(s, agent, note_id)),
        ("history search '退款' (agent)", lambda s: handover.search_history(s, agent, "退款")),
    ]
    with Plans(path, _BIG_TABLES, bare=False, verbs=("SELECT",), width=4, rest=": ORM rows, views, names",
               select_list=_SELECT_LIST) as plans, recording(db.engine) as log:
        for label, call in calls:
            log.clear()
            t0 = time.perf_counter_ns()
            with db.session() as session:
                call(session)
            plans.call(label, (time.perf_counter_ns() - t0) / 1e6, list(log))
    return plans.scans


# ── the live inbox while nothing happens ───────────────────────────────────


def idle_cost(db, seconds: float) -> dict:  # type: ignore[no-untyped-def]
    """CPU of a thread polling PRAGMA data_version once a second on one connection."""
    stop = threading.Event()
    out: dict[str, float] = {}

    def watch() -> None:
        with db.engine.connect() as conn:
            last = db.data_version(conn)
            polls = changes = 0
            poll_ns = 0
            cpu0, wall0 = time.thread_time(), time.perf_counter()
            while not stop.wait(1.0):
                t0 = time.perf_counter_ns()
                version = db.data_version(conn)
                poll_ns += time.perf_counter_ns() - t0
                polls += 1
                if version != last:
                    changes, last = changes + 1, version
            out.update(cpu=time.thread_time() - cpu0, wall=time.perf_counter() - wall0, polls=polls,
                       changes=changes, poll_us=poll_ns / 1e3 / max(1, polls))

    usage0, process0 = resource.getrusage(resource.RUSAGE_SELF), time.process_time()
    wall0 = time.perf_counter()
    thread = threading.Thread(target=watch, name="bench-watch")
    thread.start()
    time.sleep(seconds)
    stop.set()
    thread.join()
    wall = time.perf_counter() - wall0
    usage1, process1 = resource.getrusage(resource.RUSAGE_SELF), time.process_time()
    rusage_cpu = (usage1.ru_utime - usage0.ru_utime) + (usage1.ru_stime - usage0.ru_stime)
    out.update(process_cpu=process1 - process0, rusage_cpu=rusage_cpu, process_wall=wall)
    out["pct"] = 100 * out["cpu"] / out["wall"]
    out["process_pct"] = 100 * out["process_cpu"] / wall
    out["ok"] = out["pct"] < IDLE_TARGET and out["changes"] == 0
    return out


def change_cost(db, changes: int) -> dict:  # type: ignore[no-untyped-def]
    """A writer commits ``changes`` times; the watcher notices on its next poll
    and runs waiting_ids once in a fresh unit of work, as the live view would."""
    from sqlalchemy import text

    from cscterm.services import handover
    from cscterm.services.users import identify

    with db.session() as session:
        actor = identify(session, "agent00b")
    stop = threading.Event()
    committed: list[float] = []
    seen: list[tuple[float, float, float, int]] = []  # (detected after s, wall ms, cpu ms, waiting)

    def watch() -> None:
        with db.engine.connect() as conn:
            last = db.data_version(conn)
            while not stop.wait(1.0):
                version = db.data_version(conn)
                if version == last:
                    continue
                last = version
                detected = time.perf_counter()
                cpu0 = time.thread_time()
                with db.session() as session:
                    waiting = handover.waiting_ids(session, actor, now=NOW)
                wall = time.perf_counter() - detected
                seen.append((detected - committed[-1] if committed else float("nan"), wall * 1e3,
                             (time.thread_time() - cpu0) * 1e3, len(waiting)))

    thread = threading.Thread(target=watch, name="bench-watch")
    thread.start()
    time.sleep(0.2)
    for i in range(changes):
        with db.session() as session:  # another connection commits: data_version moves
            session.execute(text("INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_touch', :v)"),
                            {"v": str(i)})
        committed.append(time.perf_counter())
        time.sleep(1.3)
    stop.set()
    thread.join()
    with db.session() as session:
        session.execute(text("DELETE FROM meta WHERE key = 'bench_touch'"))
    walls = [s[1] for s in seen]
    cpus = [s[2] for s in seen]
    return {"changes": changes, "detected": len(seen), "delay_max": max((s[0] for s in seen), default=0.0),
            "wall50": percentile(walls, 50), "wall_max": max(walls, default=float("nan")),
            "cpu50": percentile(cpus, 50), "waiting": seen[0][3] if seen else 0}


# ── main ────────────────────────────────────────────────────────────────────


def run(path: Path | None = None, *, n: int = 200, budget: float = 20.0, base_n: int = 40,
        idle: float = 20.0, explain_plans: bool = True, seed: int = SEED) -> bool:
    import handover_generate

    from cscterm.db.engine import Database

    path = handover_generate.generate(path or db_path(None))
    db = Database(path)
    size = path.stat().st_size / 2**20
    with db.engine.connect() as conn:
        counts = {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar_one()
                  for t in ("handover", "handover_item", "handover_comment")}
    say(f"handover: {path.name} ({counts['handover']:,} notes, {counts['handover_item']:,} items, "
        f"{counts['handover_comment']:,} comments, {size:.0f} MiB); now = "
        f"{NOW.astimezone(ZONE):%Y-%m-%d %H:%M} {ZONE.tzname(None)}; up to {n} calls per kind "
        f"(or {budget:.0f} s), naive baseline next to the first {base_n}; one unit of work per call")
    kinds = build_kinds(db, n, seed)
    started = time.perf_counter()
    results = []
    for kind in kinds:
        results.append(measure(kind, n, budget, base_n, cpu=False, wall_budget=True))
    say(f"(measured in {time.perf_counter() - started:.0f} s)\n")
    print_table(results, baseline="naive", cpu=False)
    say("naive: the same list queries hand-written with NOT INDEXED (each a full scan of its table), raw rows, "
        "no views;\n       open a note: the note by id, its items and comments by NOT INDEXED scans;\n"
        "       history search: LIKE '%q%' over the notes' and items' text, newest first, LIMIT 50 "
        "(team-scoped for agents)\n")
    full_scans(db, FULL_SCANS, repeat=5)

    if explain_plans:
        say("\n═══ query plans (each statement replayed alone on a read-only connection) ═══")
        print_scans(explain(db, path), "full scans of a handover table", "no statement scans a whole handover table")

    say(f"\n═══ live inbox idle: PRAGMA data_version once a second for {idle:.0f} s, nothing changing ═══")
    quiet = idle_cost(db, idle)
    say(table(("polls", "changes seen", "poll us", "thread CPU ms", "wall s", "% of one core",
               "process CPU ms", "process %", "target", "result"), [(
        quiet["polls"], quiet["changes"], quiet["poll_us"], quiet["cpu"] * 1e3, quiet["wall"],
        f"{quiet['pct']:.3f}", quiet["process_cpu"] * 1e3, f"{quiet['process_pct']:.3f}",
        f"< {IDLE_TARGET:.0f} %", "pass" if quiet["ok"] else "FAIL")]))
    change = change_cost(db, 6 if idle >= 10 else 3)
    say("\nwhen a change is seen (another connection commits; the watcher runs waiting_ids once):")
    say(table(("changes", "detected", "max delay s", "waiting_ids p50 ms", "max ms", "CPU p50 ms",
               "notes waiting"), [(change["changes"], change["detected"], change["delay_max"],
                                   change["wall50"], change["wall_max"], change["cpu50"], change["waiting"])]))
    db.dispose()
    return verdict("handover", all(r["ok"] for r in results) and quiet["ok"])


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "cscterm-handover.db", budget=20.0, base_n=40, baseline="naive",
                          wall_budget=True)
    parser.add_argument("--idle", type=float, default=20.0, help="seconds of idle polling (default 20)")
    args = bench_args(parser, argv, SEED)
    ok = run(db_path(args.db), n=args.n, budget=args.budget, base_n=args.base_n, idle=args.idle,
             explain_plans=args.explain, seed=args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
