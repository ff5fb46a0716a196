"""The personal daily work log (工作日报) on five years of logs for 50 agents:
the day page, the month trend (service and chart), the lead's team view and
a month's export.

    uv run python benchmarks/worklog.py [DB] [--n 200] [--budget 15] [--base-n 10] [--exports 3] [--no-explain]

DB defaults to benchmarks/out/cscterm-worklog.db (env CSCTERM_BENCH_WORKLOG_DB),
built by worklog_generate.py if missing or out of date (~70 s): 54 people in
four teams, 2021-11-24 … 2026-11-23, ~68,000 daily logs, ~300,000 metric
values, ~180,000 notes, ~205,000 plan items, ~1.1 million script usages,
with handovers and transfer events for the activity counts, at the
generator's fixed ``NOW`` (2026-11-23 15:30 Beijing time). Every call is
one unit of work (``Database.session()``), with ``zone`` = Beijing time:

* ``worklog.day_page(s, actor, day, now=NOW, carry=False)`` for random
  (person, day) pairs over the five years (rest days too: their pages are
  mostly empty);
* today's page as the TUI opens it: ``day_page(s, actor, now=…)`` with
  ``carry=True`` at a moment in ``NOW`` … ``NOW`` + 3 h, for everybody in
  turn; it carries open plan items over (people off today, the 中班 who
  have not opened it yet), so the unit of work is rolled back instead of
  committed and every call does the carrying the first opening does;
* the month trend: ``worklog.trends(s, actor, first=, last=)`` for the 30
  shift dates the trend screen shows (``SPANS['month']``), ending today or
  on a random past day, PLUS the chart the screen draws: ``draw_trend`` of ``cscterm.tui.screens.worklog_trends`` (the
  screen's own function, imported, not copied) on a new textual-plotext
  ``Plot``, then what ``PlotextPlot.render`` does (``plotsize``,
  ``_set_size``, ``theme``, ``build``, ``Text.from_ansi``) at the size the
  chart gets in an 80×24 terminal (80×20: title, summary, legend and footer
  take a line each) and in a 120×40 one (120×36); service and drawing are
  timed apart and added up per call for the target; a year (365 days) for
  information;
* the lead's team view: ``worklog.team_days`` + ``averages_by_person`` for
  7 and 31 days, by the four leads in turn, ending today or on a random
  past day;
* a month's export for one person: ``export_days`` of 31 days, then
  ``to_markdown`` and ``to_csv`` (``--exports`` calls, for information).

Each kind runs up to ``--n`` calls (or until they have taken ``--budget``
seconds, at least 30). The baseline is the same call on a copy of the
database without the work-log indexes (``ix_metric_value_metric_day``,
``ix_log_note_user_day``, ``ix_plan_item_user_period``,
``ix_reminder_user_status_due``, ``ix_daily_log_team_day``) and the ones the
activity counts use (``ix_script_usage_user_time``, ``ix_handover_acked_by``,
``ix_transfer_event_actor`` and whatever else ``EXPLAIN QUERY PLAN`` of
``worklog.activity`` shows) — ``benchmarks/out/cscterm-worklog-noindex.db``,
made once and again when the database is rebuilt — next to the first
``--base-n`` calls, taking turns on which goes first. Primary keys and
UNIQUE constraints (``metric_value (user_id, day, metric_id)``,
``daily_log (user_id, day)``) cannot be dropped and stay. Targets: the day
page (past days and today) p95 ≤ 100 ms; the month trend, service plus
chart, p95 ≤ 200 ms at both sizes. The exit code is 1 if one is missed.

Then ``EXPLAIN QUERY PLAN`` of every statement the day page (a past day,
today with carrying), the trends (month, year), the team view (31 days) and
the export issue, each replayed alone, with the ``ANALYZE`` statistics and
as a database never analysed plans it (cscterm never runs ``ANALYZE``);
scans of a whole work-log or activity table (or of one of its indexes) are
flagged.
"""

from __future__ import annotations

import random
import re
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, language, percentile, say, table  # noqa: E402
from _measure import (CPU_NOTE, MIN_N, WARM_UP, Kind, Plans, bench_args, bench_parser, full_scans,  # noqa: E402
                      load_noted, measure, moment, people, print_plans, print_table, recording, result,
                      verdict)
from _measure import noindex_copy as _noindex_copy  # noqa: E402
from worklog_generate import FIRST_DAY, LAST_DAY, NOW, ZONE, db_path  # noqa: E402

SEED = 23
DAY_TARGET_MS = 100.0  # p95: the day page
TREND_TARGET_MS = 200.0  # p95: a month trend, service + chart
NOINDEX_DB = OUT / "cscterm-worklog-noindex.db"
MONTH_SPAN = 30  # as the trend screen shows a month (SPANS["month"])
EXPORT_DAYS = 31
# The sizes the chart gets: the terminal less the title, summary, legend and footer lines.
SIZES = (("80×24", 80, 20), ("120×40", 120, 36))
WORKLOG_INDEXES = ("ix_metric_value_metric_day", "ix_log_note_user_day", "ix_plan_item_user_period",
                   "ix_reminder_user_status_due", "ix_daily_log_team_day")
ACTIVITY_INDEXES = ("ix_script_usage_user_time", "ix_handover_acked_by", "ix_transfer_event_actor")
_BIG_TABLES = ("metric_value", "daily_log", "log_note", "plan_item", "reminder", "script_usage", "handover",
               "transfer_event", "transfer")
_INDEX = re.compile(r"USING (?:COVERING )?INDEX (\w+)")
FULL_SCANS = (  # what one pass over each big table costs here, for scale
    ("SELECT count(*) FROM metric_value NOT INDEXED WHERE value >= 0", "scan of metric_value rows"),
    ("SELECT count(*) FROM log_note NOT INDEXED WHERE body != ''", "scan of log_note rows"),
    ("SELECT count(*) FROM plan_item NOT INDEXED WHERE status != ''", "scan of plan_item rows"),
    ("SELECT count(*) FROM script_usage NOT INDEXED WHERE style != ''", "scan of script_usage rows"),
)


@contextmanager
def rolled_back(db) -> Iterator:  # type: ignore[no-untyped-def]
    """A unit of work like ``Database.session()`` whose writes are rolled back."""
    from sqlmodel import Session

    with Session(db.engine, expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


# ── the baseline: the same database without the work-log indexes ───────────


def _capture(db, work: Callable) -> list[tuple[str, object]]:  # type: ignore[no-untyped-def]
    """The statements ``work(session)`` issues (in a unit of work rolled back)."""
    with recording(db.engine) as log, rolled_back(db) as session:
        work(session)
    return log


def dropped_indexes(db, path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The work-log indexes, the activity ones named above, and any other
    (droppable) index EXPLAIN QUERY PLAN shows the activity counts use."""
    from cscterm.services import worklog

    everyone = people(db)
    used: set[str] = set()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for actor in everyone[:: max(1, len(everyone) // 6)]:
            for statement, params in _capture(db, lambda s, a=actor: worklog.activity(s, a, LAST_DAY, ZONE)):
                if statement.lstrip().upper().startswith("SELECT"):
                    for row in conn.execute("EXPLAIN QUERY PLAN " + statement, params or ()):  # type: ignore[arg-type]
                        used.update(_INDEX.findall(row[-1]))
        existing = {name for (name,) in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    finally:
        conn.close()
    wanted = set(WORKLOG_INDEXES) | set(ACTIVITY_INDEXES) | {n for n in used if not n.startswith("sqlite_")}
    return sorted(wanted & existing)


def noindex_copy(path: Path, names: list[str], copy: Path = NOINDEX_DB) -> Path:
    """A copy of ``path`` without the indexes ``names`` (reused while it was
    made from the same build and drops the same ones)."""
    return _noindex_copy(path, copy, names, marker="bench_worklog", who="worklog", tag=f":{','.join(names)}")


# ── the chart, drawn as the trend screen draws it ───────────────────────────


class Chart:
    """What TrendScreen + PlotextPlot do to show a trend, without a terminal:
    the screen's ``draw_trend`` on a new textual-plotext ``Plot`` in the
    default theme's colours, then the widget's ``render``."""

    def __init__(self) -> None:
        from plotext._dict import themes
        from rich.text import Text
        from textual.color import Color
        from textual.theme import BUILTIN_THEMES
        from textual_plotext.plot import Plot, _rgbify_theme, _sequence

        from cscterm.tui.screens.worklog_trends import draw_trend

        colours = BUILTIN_THEMES["textual-dark"].to_color_system().generate()
        self.theme = "textual-auto-textual-dark"  # as PlotextPlot names it
        if self.theme not in themes:  # as PlotextPlot._register_theme does
            surface = Color.parse(colours["surface"]).rgb
            themes[self.theme] = _rgbify_theme(surface, surface, Color.parse(colours["foreground"]).rgb,
                                               "default", _sequence)
        self.line = Color.parse(colours["primary"]).rgb  # _theme_rgb(screen, "primary")
        self.target = Color.parse(colours["warning"]).rgb  # _theme_rgb(screen, "warning")
        self.Plot, self.Text, self.draw_trend = Plot, Text, draw_trend

    def render(self, trend, span: str, width: int, height: int):  # type: ignore[no-untyped-def]
        plot = self.Plot()  # the screen mounts a new PlotextPlot on its first load
        self.draw_trend(plot, trend, span, self.line, self.target)
        plot.plotsize(width, height)  # PlotextPlot.render
        plot._set_size(width, height)
        plot.theme(self.theme)
        return self.Text.from_ansi(plot.build())


# ── the work ────────────────────────────────────────────────────────────────


def _past_day(rng: random.Random, back: int = 0):  # type: ignore[no-untyped-def]
    return FIRST_DAY + timedelta(days=rng.randrange(back, (LAST_DAY - FIRST_DAY).days))


def build_kinds(db, base_db, n: int, seed: int) -> list[Kind]:  # type: ignore[no-untyped-def]
    """The calls to time, each on ``db`` with the same call on ``base_db`` as its baseline."""
    from cscterm.services import worklog

    rng = random.Random(seed)
    everyone = people(db)
    leads = [p for p in everyone if p.is_lead]
    kinds: list[Kind] = []

    kind = Kind("past", "day page, a past day", DAY_TARGET_MS)
    for _ in range(n + WARM_UP):
        actor, day = rng.choice(everyone), _past_day(rng)

        def call(target, actor=actor, day=day) -> int:  # type: ignore[no-untyped-def]
            with target.session() as session:
                page = worklog.day_page(session, actor, day, now=NOW, zone=ZONE, carry=False)
            return len(page.notes) + len(page.plans) + page.activity.scripts_copied
        kind.on_both(call, db, base_db)
    kinds.append(kind)

    kind = Kind("today", "day page, today (carry=True)", DAY_TARGET_MS)
    order = everyone[:]
    rng.shuffle(order)
    for i in range(n + WARM_UP):
        actor = order[i % len(order)]

        def call(target, actor=actor, now=moment(rng, NOW)) -> int:  # type: ignore[no-untyped-def]
            with rolled_back(target) as session:
                page = worklog.day_page(session, actor, now=now, zone=ZONE)
            return len(page.notes) + len(page.plans) + page.activity.scripts_copied
        kind.on_both(call, db, base_db)
    kinds.append(kind)

    for days in (7, 31):
        kind = Kind(f"team{days}", f"team view {days:>2} d + averages", None)
        for i in range(n + WARM_UP):
            lead = leads[i % len(leads)]
            last = LAST_DAY if i % 2 == 0 else _past_day(rng, days)
            first = last - timedelta(days=days - 1)

            def call(target, lead=lead, first=first, last=last) -> int:  # type: ignore[no-untyped-def]
                with target.session() as session:
                    found = worklog.team_days(session, lead, first=first, last=last)
                return len(found) + len(worklog.averages_by_person(found))
            kind.on_both(call, db, base_db)
        kinds.append(kind)
    return kinds


def measure_trends(db, base_db, n: int, budget: float, base_n: int, seed: int, *,  # type: ignore[no-untyped-def]
                   days: int, label: str, target: float | None) -> list[dict]:
    """``trends`` for ``days`` days, then the chart of one of its metrics at
    both sizes; the service and each drawing timed apart, and added up."""
    from cscterm.services import worklog

    rng = random.Random(seed + days)
    chart = Chart()
    everyone = people(db)
    samples = []
    for i in range(n + WARM_UP):
        last = LAST_DAY if i % 2 == 0 else _past_day(rng, days)
        samples.append((rng.choice(everyone), last - timedelta(days=days - 1), last, i % 5))

    def service(target, actor, first, last):  # type: ignore[no-untyped-def]
        with target.session() as session:
            return worklog.trends(session, actor, first=first, last=last)

    def base_ms(actor, first, last) -> float:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter_ns()
        service(base_db, actor, first, last)
        return (time.perf_counter_ns() - t0) / 1e6

    for actor, first, last, _ in samples[-WARM_UP:]:
        found = service(db, actor, first, last)
        for _, w, h in SIZES:
            chart.render(found[0], "month", w, h)
    service(base_db, *samples[-1][:3])
    svc, cpu, base, kept = [], [], [], []
    draws: dict[str, list[float]] = {name: [] for name, _, _ in SIZES}
    totals: dict[str, list[float]] = {name: [] for name, _, _ in SIZES}
    base_totals: dict[str, list[float]] = {name: [] for name, _, _ in SIZES}
    started = time.perf_counter()
    for i, (actor, first, last, which) in enumerate(samples[:-WARM_UP][:n]):
        if i >= MIN_N and sum(totals[SIZES[-1][0]]) / 1e3 > budget:
            break
        b_ms = None
        if i < base_n and i % 2 == 1:
            b_ms = base_ms(actor, first, last)
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        found = service(db, actor, first, last)
        ms = (time.perf_counter_ns() - t0) / 1e6
        svc.append(ms)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
        trend = found[which % len(found)]
        kept.append(sum(v is not None for v in trend.values))
        if i < base_n and i % 2 == 0:
            b_ms = base_ms(actor, first, last)
        if b_ms is not None:
            base.append(b_ms)
        for name, w, h in SIZES:
            t0 = time.perf_counter_ns()
            text = chart.render(trend, "month", w, h)
            draw = (time.perf_counter_ns() - t0) / 1e6
            assert len(text.plain.splitlines()) == h, (name, len(text.plain.splitlines()))
            draws[name].append(draw)
            totals[name].append(ms + draw)
            if b_ms is not None:
                base_totals[name].append(b_ms + draw)
    seconds = time.perf_counter() - started
    out = [result(f"trend{days}", f"{label}: trends() {days} d", None, svc, cpu, base, kept, seconds)]
    for name, _, _ in SIZES:
        out.append(result(f"draw{days}-{name}", f"{label}: chart at {name}", None, draws[name], [], [], kept,
                           seconds))
    for name, _, _ in SIZES:
        out.append(result(f"total{days}-{name}", f"{label} total at {name}", target, totals[name], [],
                           base_totals[name], kept, seconds))
    return out


def export(db, base_db, times: int, seed: int) -> dict:  # type: ignore[no-untyped-def]
    """export_days of EXPORT_DAYS days for one agent, then Markdown and CSV."""
    from cscterm.services import worklog

    rng = random.Random(seed)
    agents = [p for p in people(db) if not p.is_lead]
    last = LAST_DAY
    first = last - timedelta(days=EXPORT_DAYS - 1)

    def call(target, actor) -> tuple[float, float, float, int, int, int]:  # type: ignore[no-untyped-def]
        t0 = time.perf_counter_ns()
        with target.session() as session:
            pages = worklog.export_days(session, actor, first=first, last=last, zone=ZONE)
        t1 = time.perf_counter_ns()
        markdown = worklog.to_markdown(pages, actor, zone=ZONE)
        t2 = time.perf_counter_ns()
        csv = worklog.to_csv(pages)
        t3 = time.perf_counter_ns()
        return ((t1 - t0) / 1e6, (t2 - t1) / 1e6, (t3 - t2) / 1e6, len(pages), len(markdown.encode()),
                len(csv.encode()))

    call(db, agents[0])  # warm-up
    ours, base = [], []
    for i in range(times):
        actor = rng.choice(agents)
        ours.append(call(db, actor))
        if i == 0:
            base.append(call(base_db, actor))
    pages_ms = [o[0] for o in ours]
    return {"first": first, "last": last, "pages": ours[0][3], "md_kib": ours[0][4] / 1024,
            "csv_kib": ours[0][5] / 1024, "n": len(ours), "p50": percentile(pages_ms, 50), "max": max(pages_ms),
            "md": percentile([o[1] for o in ours], 50), "csv": percentile([o[2] for o in ours], 50),
            "base": base[0][0]}


# ── query plans ─────────────────────────────────────────────────────────────


def explain(db, path: Path) -> tuple[list[str], list[tuple[str, float, float, float]]]:  # type: ignore[no-untyped-def]
    """EXPLAIN QUERY PLAN of what the service runs, with and without the ANALYZE
    statistics; returns the scans found and per call (label, call ms, SQL ms
    with statistics, SQL ms without)."""
    from cscterm.services import worklog
    from cscterm.services.users import identify

    with db.session() as session:
        lead = identify(session, LOGIN)
        agent = identify(session, "wl2-03")  # after-sale: claims and resolves transfers
        sender = identify(session, "wl0-05")  # pre-sale: sends them
        off_today = session.connection().exec_driver_sql(  # someone whose open items today's page carries
            "SELECT u.login FROM plan_item p JOIN user u ON u.id = p.user_id WHERE p.kind = 'day' "
            "AND p.status = 'open' AND p.period < ? ORDER BY u.id LIMIT 1", (LAST_DAY.isoformat(),)).scalar()
        carrier = identify(session, off_today or "wl3-01")
    past = LAST_DAY - timedelta(days=400)
    month_first = LAST_DAY - timedelta(days=MONTH_SPAN - 1)
    calls: list[tuple[str, Callable]] = [
        (f"day page {past} (wl2-03)", lambda s: worklog.day_page(s, agent, past, now=NOW, zone=ZONE, carry=False)),
        (f"day page {past} (wl0-05, pre-sale)",
         lambda s: worklog.day_page(s, sender, past, now=NOW, zone=ZONE, carry=False)),
        (f"today's page, carry=True ({carrier.login})",
         lambda s: worklog.day_page(s, carrier, now=NOW + timedelta(hours=1), zone=ZONE)),
        (f"trends {MONTH_SPAN} d", lambda s: worklog.trends(s, agent, first=month_first, last=LAST_DAY)),
        ("trends 365 d", lambda s: worklog.trends(s, agent, first=LAST_DAY - timedelta(days=364), last=LAST_DAY)),
        ("team view 31 d", lambda s: worklog.team_days(s, lead, first=LAST_DAY - timedelta(days=30),
                                                       last=LAST_DAY)),
        (f"export_days {EXPORT_DAYS} d", lambda s: worklog.export_days(
            s, agent, first=LAST_DAY - timedelta(days=EXPORT_DAYS - 1), last=LAST_DAY, zone=ZONE)),
    ]
    captured = []
    for label, call in calls:  # first, as the writes of today's page must not wait for the replays' lock
        _capture(db, call)  # once unlogged: statements compiled, pages read
        t0 = time.perf_counter_ns()
        statements = _capture(db, call)
        captured.append((label, (time.perf_counter_ns() - t0) / 1e6, statements))
    with Plans(path, _BIG_TABLES) as plans:
        for label, call_ms, statements in captured:
            plans.call(label, call_ms, statements)
    return plans.scans, plans.summary


# ── main ────────────────────────────────────────────────────────────────────


def run(path: Path | None = None, *, n: int = 200, budget: float = 15.0, base_n: int = 10, exports: int = 3,
        explain_plans: bool = True, seed: int = SEED) -> bool:
    import worklog_generate

    from cscterm.db.engine import Database

    with language("zh_CN"):  # the Markdown export's headings, as the centre reads them
        path = worklog_generate.generate(path or db_path(None))
        db = Database(path)
        names = dropped_indexes(db, path)
        copy = noindex_copy(path, names)
        base_db = Database(copy)
        size = path.stat().st_size / 2**20
        with db.engine.connect() as conn:
            counts = {t: conn.exec_driver_sql(f"SELECT COUNT(*) FROM {t}").scalar_one()
                      for t in ("user", "daily_log", "metric_value", "log_note", "plan_item", "reminder",
                                "script_usage", "handover", "transfer_event")}
        say(f"worklog: {path.name} ({size:.0f} MiB; " + ", ".join(f"{t} {c:,}" for t, c in counts.items())
            + f"); {FIRST_DAY} … {LAST_DAY}, now = {NOW.astimezone(ZONE):%Y-%m-%d %H:%M} {ZONE.tzname(None)}; "
            f"up to {n} calls per kind (or {budget:.0f} s), the no-index copy next to the first {base_n}; "
            "one unit of work per call")
        kinds = build_kinds(db, base_db, n, seed)
        with load_noted():
            results = [measure(kind, n, budget, base_n) for kind in kinds[:2]]
            results += measure_trends(db, base_db, n, budget, base_n, seed, days=MONTH_SPAN, label="month trend",
                                      target=TREND_TARGET_MS)
            results += measure_trends(db, base_db, max(MIN_N, n // 4), budget / 3, min(base_n, 5), seed, days=365,
                                      label="year trend", target=None)
            results += [measure(kind, n, budget, base_n) for kind in kinds[2:]]
        print_table(results, baseline="no-index")
        say(CPU_NOTE + " (service calls only)")
        say("chart: draw_trend + PlotextPlot.render (plotext build, Text.from_ansi) at the chart's size in that "
            "terminal (80×20, 120×36); total = trends() + chart, per call; its no-index column adds the same "
            "chart time to the no-index service time")
        say(f"no-index: the same calls on a copy without the {len(names)} indexes ({', '.join(names)})\n")
        if exports:
            e = export(db, base_db, exports, seed)
            say(table(("export, one agent", "pages", "md KiB", "csv KiB", "n", "export_days p50 ms", "max ms",
                       "to_markdown ms", "to_csv ms", "no-index ms"), [
                (f"{e['first']} … {e['last']}", e["pages"], e["md_kib"], e["csv_kib"], e["n"], e["p50"], e["max"],
                 e["md"], e["csv"], e["base"])]))
            say("")
        full_scans(db, FULL_SCANS)

        if explain_plans:
            print_plans(lambda: explain(db, path), "work-log or activity table")
        db.dispose()
        base_db.dispose()
    return verdict("worklog", all(r["ok"] for r in results))


def main(argv: list[str] | None = None) -> int:
    parser = bench_parser(__doc__, "cscterm-worklog.db", budget=15.0, base_n=10, baseline="no-index")
    parser.add_argument("--exports", type=int, default=3, help="month exports (default 3; 0: none)")
    parser.add_argument("--quick", action="store_true", help="60 calls per kind, 6 s, 5 baseline calls, 1 export")
    args = bench_args(parser, argv, SEED)
    if args.quick:
        args.n, args.budget, args.base_n, args.exports = 60, 6.0, 5, 1
    ok = run(db_path(args.db), n=args.n, budget=args.budget, base_n=args.base_n, exports=args.exports,
             explain_plans=args.explain, seed=args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
