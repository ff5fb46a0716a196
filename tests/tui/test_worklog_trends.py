"""Work-log trends and the lead's team log: switching metric and range,
what the team view shows (submitted days, never notes), who may open it,
and snapshots of a month's chart and of the team's day.

The screens' clock is stopped at 09:00 on 2026-11-24 (UTC, the tests' time
zone), the shift date 2026-11-24; every value is kept through the service
for an explicit day, so the charts are the same on every run.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from textual.widgets import DataTable

from cscterm.services import users
from cscterm.services import worklog as wl

from .helpers import LARGE, SMALL, acting, screen_text, settle, started

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)
SECRET_NOTE = "私人便签：别告诉组长"


def day(offset: int) -> date:
    return TODAY - timedelta(days=offset)


def keep(db_path: Path, user: str, values: dict[int, dict[str, str]], *,
         submit: bool = True, reflection: tuple[str, str, str] | None = None) -> None:
    """``values``: days before today → metric key → value as typed."""
    with acting(db_path, user) as (session, actor):
        for offset, row in values.items():
            for key, value in row.items():
                wl.set_value(session, actor, key, value, day=day(offset), now=NOW)
            if reflection is not None:
                page = wl.day_page(session, actor, day(offset), now=NOW, carry=False)
                business, teamwork, learnings = reflection
                wl.save_reflection(session, actor, day(offset), page.reflection.version,
                                   business=business, teamwork=teamwork, learnings=learnings,
                                   now=NOW)
            if submit:
                wl.submit_day(session, actor, day(offset), now=NOW)


def seed_month(db_path: Path, user: str = "wang") -> None:
    """30 days of contacts around the target of 120 (days 3, 10, 11 and 17
    without a value: gaps), handle times around 180 s and satisfaction."""
    values: dict[int, dict[str, str]] = {}
    for offset in range(30):
        if offset in (3, 10, 11, 17):
            continue
        values[offset] = {"contacts": str(100 + (offset * 7) % 45),
                          "handle_time": str(150 + (offset * 13) % 70),
                          "satisfaction": str(90 + (offset * 3) % 10)}
    keep(db_path, user, values, submit=False)


def seed_team(db_path: Path) -> None:
    """wang leads 默认 team with li, sun and zhou; zhou has not submitted today."""
    with acting(db_path) as (session, _lead):
        users.identify(session, "li", "李雷")
        users.identify(session, "sun", "孙丽")
        users.identify(session, "zhou", "周杰")
    keep(db_path, "li", {0: {"contacts": "130", "handle_time": "2m50s", "satisfaction": "97"},
                         1: {"contacts": "110", "handle_time": "200", "satisfaction": "93"}},
         reflection=("退款咨询集中在下午，[bold]物流延误[/]为主", "和孙丽对齐了话术",
                     "先安抚再核实订单"))
    keep(db_path, "sun", {0: {"contacts": "98", "handle_time": "4m10s", "satisfaction": "99",
                              "callbacks": "12"}},
         reflection=("今天以售前咨询为主", "", "VIP 客户先报工号\x1b[31m"))
    keep(db_path, "zhou", {0: {"contacts": "150"}}, submit=False)
    with acting(db_path, "li") as (session, actor):
        wl.add_note(session, actor, SECRET_NOTE, now=NOW)


async def open_trends(app, pilot):  # noqa: ANN001, ANN201
    from cscterm.tui.screens.worklog_trends import TrendScreen

    await settle(app, pilot)
    app.push_screen(TrendScreen(now=NOW))
    await settle(app, pilot)
    return app.screen


async def open_team(app, pilot):  # noqa: ANN001, ANN201
    from cscterm.tui.screens.worklog_trends import TeamLogScreen

    await settle(app, pilot)
    app.push_screen(TeamLogScreen(now=NOW))
    await settle(app, pilot)
    return app.screen


async def press(app, pilot, *keys: str) -> None:  # noqa: ANN001
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def table_rows(app) -> list[list[str]]:  # noqa: ANN001
    table = app.screen.query_one("#wlt-team-table", DataTable)
    return [[str(c).strip() for c in table.get_row_at(n)] for n in range(table.row_count)]


def reflection_text(app) -> str:  # noqa: ANN001
    return app.screen.query_one("#wlt-reflection-text").content.plain


# ── trends ─────────────────────────────────────────────────────────────────


async def test_the_trend_opens_on_the_first_metric_for_the_last_30_days(make_app,
                                                                       db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed_month(db_path)
    async with started(app) as pilot:
        screen = await open_trends(app, pilot)
        trend = screen.current
        assert trend.metric.key == "contacts"
        assert (trend.days[0], trend.days[-1]) == (day(29), TODAY)
        assert trend.values[-4] is None and trend.values[-1] == 100
        text = screen_text(app)
        assert "My trends · Contacts handled (1/5) · last 30 days (10-26 – 11-24)" in text
        assert "met on" in text and "of 26 days kept (30 days)" in text
        assert "10-26" in text and "11-24" in text  # MM-DD under the chart


async def test_tab_and_arrows_cycle_the_metric(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed_month(db_path)
    async with started(app) as pilot:
        screen = await open_trends(app, pilot)
        seen = []
        for key in ("tab", "tab", "right", "shift+tab", "left", "left"):
            await press(app, pilot, key)
            seen.append(screen.current.metric.key)
        assert seen == ["handle_time", "resolve_time", "satisfaction", "resolve_time",
                        "handle_time", "contacts"]
        await press(app, pilot, "shift+tab")
        assert screen.current.metric.key == "callbacks"  # wraps round
        assert "Nothing kept in these 30 days." in screen_text(app)


async def test_w_and_m_switch_between_week_and_month(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed_month(db_path)
    async with started(app) as pilot:
        screen = await open_trends(app, pilot)
        await press(app, pilot, "tab", "w")
        assert screen.loaded_span == "week"
        assert screen.current.metric.key == "handle_time"  # the metric stays
        assert screen.current.days == [day(n) for n in range(6, -1, -1)]
        assert screen.current.values[3] is None  # three days ago: a gap
        text = screen_text(app)
        assert "last 7 days (11-18 – 11-24)" in text and "of 6 days kept (7 days)" in text
        for n in range(7):  # every day of a week is labelled
            assert day(n).strftime("%m-%d") in text
        await press(app, pilot, "m")
        assert screen.loaded_span == "month" and len(screen.current.days) == 30


async def test_the_summary_counts_days_meeting_the_target(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    keep(db_path, "wang", {0: {"handle_time": "150"}, 1: {"handle_time": "200"},
                           2: {"handle_time": "3m"}}, submit=False)
    async with started(app) as pilot:
        await open_trends(app, pilot)
        await press(app, pilot, "w", "tab")
        text = screen_text(app)
        # 150 s and 180 s are within ≤ 3m00s; 200 s is not. Average 176.7 s.
        assert "Average 2m57s · target ≤ 3m00s met on 2 of 3 days kept (7 days)" in text


def test_a_month_chart_draws_gaps_and_the_target_line() -> None:
    """The chart as plotext draws it: a gap for each run of missing days, the
    target line, MM-DD labels only."""
    from textual_plotext import Plot

    from cscterm.services.worklog import Metric, Trend
    from cscterm.tui.screens.worklog_trends import draw_trend

    metric = Metric(1, "contacts", "接待量", "count", "up", 120.0, 1)
    days = [day(n) for n in range(29, -1, -1)]
    values = [None if n in (5, 6, 20) else 100.0 + n for n in range(30)]
    plot = Plot()
    draw_trend(plot, Trend(metric, days, values), "month", (0, 0, 255), (255, 0, 0))
    plot.plotsize(100, 20)
    drawn = plot.uncolorize(plot.build())
    assert "10-27" in drawn and "11-24" in drawn  # every 7th day back from today
    assert "─" * 5 in drawn  # the target
    assert "接待量" not in drawn  # the metric's name is a Label above the chart
    assert all(ord(ch) < 0x2E80 for ch in drawn)  # nothing wide inside the chart


# ── the team log ───────────────────────────────────────────────────────────


async def test_the_team_log_shows_submitted_days_only_and_never_notes(make_app,
                                                                      db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed_team(db_path)
    async with started(app) as pilot:
        await open_team(app, pilot)
        rows = table_rows(app)
        assert [r[0] for r in rows] == ["李雷", "孙丽"]  # zhou kept a value, not submitted
        assert rows[0][1:] == ["130", "2m50s", "—", "97%", "—"]
        assert rows[1][1:] == ["98", "4m10s", "—", "99%", "12"]
        shown = reflection_text(app)
        assert "李雷 · 2026-11-24" in shown
        assert "退款咨询集中在下午，[bold]物流延误[/]为主" in shown  # literally
        assert "先安抚再核实订单" in shown
        assert SECRET_NOTE not in screen_text(app) and SECRET_NOTE not in shown
        await press(app, pilot, "down")
        shown = reflection_text(app)
        assert "孙丽 · 2026-11-24" in shown and "(not written)" in shown
        assert "VIP 客户先报工号␛[31m" in shown  # an escape code shown, not obeyed


async def test_brackets_move_the_day_and_g_shows_seven_day_averages(make_app,
                                                                    db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed_team(db_path)
    async with started(app) as pilot:
        screen = await open_team(app, pilot)
        await press(app, pilot, "right_square_bracket")  # never past today
        assert screen.day == TODAY
        await press(app, pilot, "left_square_bracket")
        assert screen.day == day(1)
        assert [r[0] for r in table_rows(app)] == ["李雷"]
        assert "2026-11-23" in screen_text(app)
        await press(app, pilot, "right_square_bracket", "g")
        assert screen.week
        rows = table_rows(app)
        assert [r[:3] for r in rows] == [["李雷", "2", "120"], ["孙丽", "1", "98"]]
        assert rows[0][3] == "3m05s"  # (170 + 200) / 2
        assert "averages of the last 7 days (2026-11-18 – 2026-11-24)" in screen_text(app)
        await press(app, pilot, "g")
        assert not screen.week and len(table_rows(app)) == 2


async def test_an_agent_is_refused_the_team_log(make_app, db_path) -> None:
    from cscterm.tui.screens.worklog_trends import TeamLogScreen

    app = make_app(lang="en", size=LARGE, user="li")
    async with started(app) as pilot:
        await open_team(app, pilot)
        assert not isinstance(app.screen, TeamLogScreen)
        assert ("error", "The team's daily logs are for leads.") in app.test_notes


# ── snapshots ──────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("lang", "size"), [
    pytest.param("zh_CN", SMALL, id="zh_80x24"),
    pytest.param("en", LARGE, id="en_120x40"),
])
def test_month_trend_snapshot(snap_compare, make_app, db_path, run_before, lang, size) -> None:
    from cscterm.tui.screens.worklog_trends import TrendScreen

    app = make_app(lang, size=size)
    seed_month(db_path)

    async def push(pilot) -> None:  # noqa: ANN001
        app.push_screen(TrendScreen(now=NOW))

    assert snap_compare(app, terminal_size=size, run_before=run_before(push))


@pytest.mark.parametrize(("lang", "size"), [
    pytest.param("zh_CN", SMALL, id="zh_80x24"),
    pytest.param("en", LARGE, id="en_120x40"),
])
def test_team_log_snapshot(snap_compare, make_app, db_path, run_before, lang, size) -> None:
    from cscterm.tui.screens.worklog_trends import TeamLogScreen

    app = make_app(lang, size=size)
    seed_team(db_path)

    async def push(pilot) -> None:  # noqa: ANN001
        app.push_screen(TeamLogScreen(now=NOW))

    assert snap_compare(app, terminal_size=size, run_before=run_before(push))
