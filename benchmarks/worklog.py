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

import argparse
import os
import random
import re
import shutil
import sqlite3
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import LOGIN, OUT, percentile, say, table  # noqa: E402
from worklog_generate import FIRST_DAY, LAST_DAY, NOW, ZONE, db_path, marker_of  # noqa: E402

SEED = 23
DAY_TARGET_MS = 100.0  # p95: the day page
TREND_TARGET_MS = 200.0  # p95: a month trend, service + chart
MIN_N = 30
WARM_UP = 5
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
_SELECT_LIST = re.compile(r"^SELECT (?:DISTINCT )?((?:(?!\(SELECT ).){60,}?) FROM ", re.S)
_IN_LIST = re.compile(r"\((?:\?, )+\?\)")
_INDEX = re.compile(r"USING (?:COVERING )?INDEX (\w+)")


def _moment(rng: random.Random) -> datetime:
    return NOW + timedelta(seconds=rng.uniform(0, 3 * 3600))


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
    from sqlalchemy import event

    log: list[tuple[str, object]] = []

    def before(_conn, _cursor, statement, params, _context, _many):  # type: ignore[no-untyped-def]
        log.append((statement, params))

    event.listen(db.engine, "before_cursor_execute", before)
    try:
        with rolled_back(db) as session:
            work(session)
    finally:
        event.remove(db.engine, "before_cursor_execute", before)
    return log


def dropped_indexes(db, path: Path) -> list[str]:  # type: ignore[no-untyped-def]
    """The work-log indexes, the activity ones named above, and any other
    (droppable) index EXPLAIN QUERY PLAN shows the activity counts use."""
    from cscterm.services import worklog
    from cscterm.services.users import identify

    with db.session() as session:
        people = [identify(session, login) for (login,) in session.connection().exec_driver_sql(
            "SELECT login FROM user ORDER BY id")]
    used: set[str] = set()
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        for actor in people[:: max(1, len(people) // 6)]:
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
    source = f"{marker_of(path)}:{path.stat().st_mtime_ns}:{','.join(names)}"
    if copy.exists():
        try:
            check = sqlite3.connect(f"file:{copy}?mode=ro", uri=True)
            try:
                made_of = check.execute("SELECT value FROM meta WHERE key = 'bench_noindex_of'").fetchone()
                if made_of is not None and made_of[0] == source:
                    return copy
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
    source = f"{marker_of(path)}:{path.stat().st_mtime_ns}:{','.join(names)}"
    shutil.copyfile(path, copy)
    conn = sqlite3.connect(copy)
    try:
        for name in names:
            conn.execute(f'DROP INDEX "{name}"')  # its sqlite_stat1 rows go with it
        conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('bench_noindex_of', ?)", (source,))
        conn.commit()
    finally:
        conn.close()
    say(f"worklog: made {copy.name} (dropped {len(names)} indexes) in {time.perf_counter() - t0:.1f} s")
    return copy


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


class Kind:
    def __init__(self, key: str, label: str, target: float | None) -> None:
        self.key, self.label, self.target = key, label, target
        self.calls: list[Callable[[object], int]] = []  # each takes the Database to run on


def _people(db):  # type: ignore[no-untyped-def]
    from cscterm.services.users import identify

    with db.session() as session:
        return [identify(session, login) for (login,) in session.connection().exec_driver_sql(
            "SELECT login FROM user ORDER BY id")]


def _past_day(rng: random.Random, back: int = 0):  # type: ignore[no-untyped-def]
    return FIRST_DAY + timedelta(days=rng.randrange(back, (LAST_DAY - FIRST_DAY).days))


def build_kinds(db, n: int, seed: int) -> list[Kind]:  # type: ignore[no-untyped-def]
    """The calls to time; each runs on the database it is given (ours or the baseline)."""
    from cscterm.services import worklog

    rng = random.Random(seed)
    people = _people(db)
    leads = [p for p in people if p.is_lead]
    kinds: list[Kind] = []

    kind = Kind("past", "day page, a past day", DAY_TARGET_MS)
    for _ in range(n + WARM_UP):
        actor, day = rng.choice(people), _past_day(rng)

        def call(target, actor=actor, day=day) -> int:  # type: ignore[no-untyped-def]
            with target.session() as session:
                page = worklog.day_page(session, actor, day, now=NOW, zone=ZONE, carry=False)
            return len(page.notes) + len(page.plans) + page.activity.scripts_copied
        kind.calls.append(call)
    kinds.append(kind)

    kind = Kind("today", "day page, today (carry=True)", DAY_TARGET_MS)
    order = people[:]
    rng.shuffle(order)
    for i in range(n + WARM_UP):
        actor = order[i % len(order)]

        def call(target, actor=actor, now=_moment(rng)) -> int:  # type: ignore[no-untyped-def]
            with rolled_back(target) as session:
                page = worklog.day_page(session, actor, now=now, zone=ZONE)
            return len(page.notes) + len(page.plans) + page.activity.scripts_copied
        kind.calls.append(call)
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
    return _result(kind.key, kind.label, kind.target, mine, cpu, base, hits, time.perf_counter() - started)


def _result(key: str, label: str, target: float | None, mine: list[float], cpu: list[float], base: list[float],
            hits: list[int], seconds: float) -> dict:
    p95 = percentile(mine, 95)
    return {
        "kind": key, "label": label, "n": len(mine), "base_n": len(base),
        "rows": sum(hits) / max(1, len(hits)),
        "p50": percentile(mine, 50), "p95": p95, "p99": percentile(mine, 99), "cpu95": percentile(cpu, 95),
        "b50": percentile(base, 50), "b95": percentile(base, 95), "target": target,
        "ok": target is None or p95 <= target, "seconds": seconds,
    }


def measure_trends(db, base_db, n: int, budget: float, base_n: int, seed: int, *,  # type: ignore[no-untyped-def]
                   days: int, label: str, target: float | None) -> list[dict]:
    """``trends`` for ``days`` days, then the chart of one of its metrics at
    both sizes; the service and each drawing timed apart, and added up."""
    from cscterm.services import worklog

    rng = random.Random(seed + days)
    chart = Chart()
    people = _people(db)
    samples = []
    for i in range(n + WARM_UP):
        last = LAST_DAY if i % 2 == 0 else _past_day(rng, days)
        samples.append((rng.choice(people), last - timedelta(days=days - 1), last, i % 5))

    def service(target, actor, first, last):  # type: ignore[no-untyped-def]
        with target.session() as session:
            return worklog.trends(session, actor, first=first, last=last)

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
            t0 = time.perf_counter_ns()
            service(base_db, actor, first, last)
            b_ms = (time.perf_counter_ns() - t0) / 1e6
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        found = service(db, actor, first, last)
        ms = (time.perf_counter_ns() - t0) / 1e6
        svc.append(ms)
        cpu.append((time.thread_time_ns() - c0) / 1e6)
        trend = found[which % len(found)]
        kept.append(sum(v is not None for v in trend.values))
        if i < base_n and i % 2 == 0:
            t0 = time.perf_counter_ns()
            service(base_db, actor, first, last)
            b_ms = (time.perf_counter_ns() - t0) / 1e6
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
    out = [_result(f"trend{days}", f"{label}: trends() {days} d", None, svc, cpu, base, kept, seconds)]
    for name, _, _ in SIZES:
        out.append(_result(f"draw{days}-{name}", f"{label}: chart at {name}", None, draws[name], [], [], kept,
                           seconds))
    for name, _, _ in SIZES:
        out.append(_result(f"total{days}-{name}", f"{label} total at {name}", target, totals[name], [],
                           base_totals[name], kept, seconds))
    return out


def print_table(results: list[dict]) -> None:
    rows = [
        (r["label"], r["n"], f"{r['rows']:.0f}", r["p50"], r["p95"], r["p99"], r["cpu95"], r["base_n"], r["b50"],
         r["b95"],
         f"{r['p95'] / r['b95']:.3f}x" if r["b95"] == r["b95"] and r["b95"] else "-",
         f"<= {r['target']:.0f}" if r["target"] else "-",
         ("pass" if r["ok"] else "FAIL") if r["target"] else "info")
        for r in results
    ]
    say(table(("kind", "n", "rows", "p50 ms", "p95 ms", "p99 ms", "CPU p95 ms", "base n", "no-index p50",
               "no-index p95", "p95 ours/no-index", "target p95 ms", "result"), rows))


def export(db, base_db, times: int, seed: int) -> dict:  # type: ignore[no-untyped-def]
    """export_days of EXPORT_DAYS days for one agent, then Markdown and CSV."""
    from cscterm.services import worklog

    rng = random.Random(seed)
    agents = [p for p in _people(db) if not p.is_lead]
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


def full_scans(db) -> None:  # type: ignore[no-untyped-def]
    """What one pass over each big table costs here, for scale."""
    statements = (
        ("SELECT count(*) FROM metric_value NOT INDEXED WHERE value >= 0", "scan of metric_value rows"),
        ("SELECT count(*) FROM log_note NOT INDEXED WHERE body != ''", "scan of log_note rows"),
        ("SELECT count(*) FROM plan_item NOT INDEXED WHERE status != ''", "scan of plan_item rows"),
        ("SELECT count(*) FROM script_usage NOT INDEXED WHERE style != ''", "scan of script_usage rows"),
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
    emptied inside a transaction that is rolled back at the end."""
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
    return [p for p in plan if p.startswith("SCAN ") and p[5:].split(" ")[0] in _BIG_TABLES]


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
    replay = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    bare = _without_statistics(path)
    scans: list[str] = []
    summary: list[tuple[str, float, float, float]] = []
    try:
        for label, call_ms, statements in captured:
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
                sql_ms += ms
                bare_ms += ms_bare
                lines.append(f"{ms:8.2f} ms {found:5d} rows  {shape[:170]}{'  ⚠ FULL SCAN' if flagged else ''}")
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
                f"SELECTs replayed alone {sql_ms:.1f} ms ({100 * sql_ms / call_ms:.0f}%; the rest is Python); "
                f"without statistics {bare_ms:.1f} ms ──")
            for line in lines:
                say(line)
    finally:
        replay.close()
        bare.execute("ROLLBACK")
        bare.close()
    return scans, summary


# ── main ────────────────────────────────────────────────────────────────────


def run(path: Path | None = None, *, n: int = 200, budget: float = 15.0, base_n: int = 10, exports: int = 3,
        explain_plans: bool = True, seed: int = SEED) -> bool:
    import worklog_generate

    from cscterm.db.engine import Database
    from cscterm.i18n import get_language, set_language

    language = get_language()
    set_language("zh_CN")  # the Markdown export's headings, as the centre reads them
    try:
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
        kinds = build_kinds(db, n, seed)
        started = time.perf_counter()
        load = os.getloadavg()[0]
        results = [measure(kind, db, base_db, n, budget, base_n) for kind in kinds[:2]]
        results += measure_trends(db, base_db, n, budget, base_n, seed, days=MONTH_SPAN, label="month trend",
                                  target=TREND_TARGET_MS)
        results += measure_trends(db, base_db, max(MIN_N, n // 4), budget / 3, min(base_n, 5), seed, days=365,
                                  label="year trend", target=None)
        results += [measure(kind, db, base_db, n, budget, base_n) for kind in kinds[2:]]
        say(f"(measured in {time.perf_counter() - started:.0f} s; load average {load:.1f} before, "
            f"{os.getloadavg()[0]:.1f} after, on {os.cpu_count()} cores)\n")
        print_table(results)
        say("p50/p95/p99: wall time, the targets' measure; CPU p95: this thread's CPU time, which waiting for a "
            "core does not inflate (service calls only)")
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
        full_scans(db)

        if explain_plans:
            say("\n═══ query plans (each statement replayed alone; a plan is shown twice when it differs without "
                "the ANALYZE statistics, as in a database cscterm made) ═══")
            scans, summary = explain(db, path)
            say("\nSQL per call, statements replayed alone:")
            say(table(("call", "call ms", "SQL ms", "SQL ms without statistics"), summary))
            if scans:
                say("\nscans of a whole work-log or activity table or index:")
                for line in scans:
                    say(f"  {line}")
            else:
                say("\nno statement scans a whole work-log or activity table, with or without statistics")
        db.dispose()
        base_db.dispose()
    finally:
        set_language(language)
    ok = all(r["ok"] for r in results)
    say(f"\nworklog: targets {'met' if ok else 'MISSED'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("db", nargs="?", help="database (default benchmarks/out/cscterm-worklog.db)")
    parser.add_argument("--n", type=int, default=200, help="measured calls per kind (default 200)")
    parser.add_argument("--budget", type=float, default=15.0,
                        help=f"seconds of our calls per kind; stop early (after at least {MIN_N}) when over it")
    parser.add_argument("--base-n", type=int, default=10, help="no-index baseline calls per kind (default 10)")
    parser.add_argument("--exports", type=int, default=3, help="month exports (default 3; 0: none)")
    parser.add_argument("--quick", action="store_true", help="60 calls per kind, 6 s, 5 baseline calls, 1 export")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--explain", action=argparse.BooleanOptionalAction, default=True,
                        help="print the query plans (default on)")
    args = parser.parse_args(argv)
    if args.quick:
        args.n, args.budget, args.base_n, args.exports = 60, 6.0, 5, 1
    ok = run(db_path(args.db), n=args.n, budget=args.budget, base_n=args.base_n, exports=args.exports,
             explain_plans=args.explain, seed=args.seed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
