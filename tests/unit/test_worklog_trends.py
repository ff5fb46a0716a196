"""The work-log aggregates behind the trend charts and the team log: every
metric's days in one read, the summary under a chart, and the team's days
folded into one row per person."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from cscterm.errors import Invalid
from cscterm.services import worklog as wl
from cscterm.services.users import Actor
from cscterm.services.workspace import Workspace

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


def day(offset: int) -> date:
    return TODAY - timedelta(days=offset)


def test_trends_reads_every_active_metric_day_by_day_with_gaps(workspace: Workspace,
                                                               agent: Actor) -> None:
    with workspace.session() as session:
        wl.set_value(session, agent, "contacts", "130", day=day(0), now=NOW)
        wl.set_value(session, agent, "contacts", "90", day=day(2), now=NOW)
        wl.set_value(session, agent, "handle_time", "3m", day=day(1), now=NOW)
        wl.set_value(session, agent, "contacts", "500", day=day(7), now=NOW)  # outside
        found = wl.trends(session, agent, first=day(6), last=TODAY)
    assert [tr.metric.key for tr in found] == [m[0] for m in wl.DEFAULT_METRICS]
    contacts, handle = found[0], found[1]
    assert contacts.days == [day(n) for n in range(6, -1, -1)]
    assert contacts.values == [None, None, None, None, 90.0, None, 130.0]
    assert handle.values[-2] == 180.0 and handle.values.count(None) == 6


def test_trends_agrees_with_trend_for_each_metric(workspace: Workspace, agent: Actor) -> None:
    with workspace.session() as session:
        for n in range(10):
            wl.set_value(session, agent, "satisfaction", str(90 + n), day=day(n), now=NOW)
        every = {tr.metric.key: tr for tr in wl.trends(session, agent, first=day(29),
                                                         last=TODAY)}
        one = wl.trend(session, agent, "satisfaction", first=day(29), last=TODAY)
    assert every["satisfaction"] == one


def test_trends_never_shows_another_persons_values(workspace: Workspace, agent: Actor,
                                                    agent2: Actor) -> None:
    with workspace.session() as session:
        wl.set_value(session, agent2, "contacts", "77", day=TODAY, now=NOW)
        found = wl.trends(session, agent, first=TODAY, last=TODAY)
    assert found[0].values == [None]


def test_trends_refuses_a_range_that_ends_before_it_starts(workspace: Workspace,
                                                           agent: Actor) -> None:
    with workspace.session() as session, pytest.raises(Invalid):
        wl.trends(session, agent, first=TODAY, last=day(1))


def test_summarise_averages_the_days_kept_and_counts_those_meeting_the_target() -> None:
    down = wl.Metric(1, "handle_time", "AHT", "duration", "down", 180.0, 1)
    trend = wl.Trend(down, [day(n) for n in range(3, -1, -1)], [150.0, None, 200.0, 180.0])
    assert wl.summarise(trend) == wl.TrendSummary(average=530 / 3, kept=3, met=2, days=4)
    empty = wl.Trend(down, [TODAY], [None])
    assert wl.summarise(empty) == wl.TrendSummary(None, 0, 0, 1)
    untargeted = wl.Metric(2, "x", "X", "number", "up", None, 1)
    assert wl.summarise(wl.Trend(untargeted, [TODAY], [3.0])).met == 0


def _team_day(login: str, offset: int, values: dict[str, float], business: str = "") -> wl.TeamDay:
    reflection = wl.Reflection(business, "", "", NOW, 1)
    return wl.TeamDay(login, login.upper(), day(offset), values, reflection)


def test_averages_by_person_folds_days_into_one_row_each() -> None:
    days = [_team_day("li", 2, {"contacts": 100.0, "handle_time": 200.0}, "old"),
            _team_day("sun", 1, {"contacts": 90.0}),
            _team_day("li", 0, {"contacts": 140.0}, "new")]
    rows = wl.averages_by_person(days)
    assert [r.login for r in rows] == ["li", "sun"]
    li = rows[0]
    assert li.days == 2
    # A metric kept on one day only averages over that day.
    assert li.values == {"contacts": 120.0, "handle_time": 200.0}
    assert li.latest.reflection.business == "new" and li.latest.day == TODAY
    assert wl.averages_by_person([]) == []


def test_averages_follow_the_team_days_a_lead_reads(workspace: Workspace, lead: Actor,
                                                    agent: Actor) -> None:
    with workspace.session() as session:
        for offset, value in ((0, "130"), (1, "110"), (2, "100")):
            wl.set_value(session, agent, "contacts", value, day=day(offset), now=NOW)
        wl.submit_day(session, agent, day(0), now=NOW)
        wl.submit_day(session, agent, day(1), now=NOW)  # day 2 is never submitted
        rows = wl.averages_by_person(wl.team_days(session, lead, first=day(6), last=TODAY))
    assert [(r.login, r.days, r.values["contacts"]) for r in rows] == [("agent1", 2, 120.0)]
