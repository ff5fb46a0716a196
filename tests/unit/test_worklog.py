"""services/worklog.py: the personal daily work log (工作日报).

Every call gets ``now=`` (and ``zone=`` where it takes one) so nothing
depends on the machine's clock; the centre is in Shanghai and ``TZ`` says so
for the calls that read the local zone. Each service call runs in its own
unit of work, as the screens do.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlmodel import func, select

from cscterm.db.models import MetricDef, ScriptUsage
from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.services import handover as ho
from cscterm.services import scripts, shifts, users
from cscterm.services import transfer as tr
from cscterm.services import worklog as wl
from cscterm.services.handover import ItemDecision, ItemInput
from cscterm.services.users import Actor

from .helpers import DATA

ZONE = ZoneInfo("Asia/Shanghai")
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
CORPUS = DATA / "worklog"
BAD = yaml.safe_load((CORPUS / "bad_values.yaml").read_text(encoding="utf-8"))
GOOD = yaml.safe_load((CORPUS / "good_values.yaml").read_text(encoding="utf-8"))
HOSTILE = yaml.safe_load((CORPUS / "hostile_text.yaml").read_text(encoding="utf-8"))["texts"]
NIGHT_SHIFTS = [("早班", "06:00", "14:00"), ("中班", "14:00", "22:00"), ("夜班", "22:00", "06:00")]
REFUND = {"identity": True, "order": "2026112312345678", "phone": "13812345678",
          "product": "保温杯 ×2", "problem": "杯盖漏水", "reason": "质量问题",
          "received": "已签收", "promised": "无", "mood": "平静"}

Do = Callable[..., Any]


def local(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A wall-clock time at the centre."""
    return datetime(2026, month, day, hour, minute, tzinfo=ZONE)


DAY1, DAY2, DAY3 = date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)


@pytest.fixture(autouse=True)
def _shanghai(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Shanghai")


@pytest.fixture
def do(workspace) -> Do:
    """``do(service_function, *args, **kwargs)`` in a unit of work of its own."""

    def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with workspace.session() as session:
            return fn(session, *args, **kwargs)

    return call


@pytest.fixture
def night_team(do, lead) -> None:
    """lead1's team (agent1's too) works a night shift from 22:00 to 06:00."""
    do(shifts.set_shifts, lead, lead.team, NIGHT_SHIFTS)


@pytest.fixture
def other_lead(do, lead, login_as) -> Actor:
    """lead2, lead of the 售后 team."""
    login_as("lead2")
    do(users.set_role, lead, "lead2", "lead")
    return do(users.set_team, lead, "lead2", "售后")


def page(do: Do, actor: Actor, at: datetime, day: date | None = None, **kw: Any) -> wl.DayPage:
    return do(wl.day_page, actor, day, now=at, zone=ZONE, **kw)


def metric(do: Do, key: str) -> wl.Metric:
    return next(m for m in do(wl.metrics) if m.key == key)


def value_of(p: wl.DayPage, key: str) -> float | None:
    return next(m.value for m in p.metrics if m.metric.key == key)


# ── metrics ────────────────────────────────────────────────────────────────


def test_the_default_metrics_are_seeded_once(workspace, do) -> None:
    first = [m.key for m in do(wl.metrics)]
    do(wl.ensure_metrics)
    assert first == [d[0] for d in wl.DEFAULT_METRICS]
    assert [m.key for m in do(wl.metrics)] == first
    with workspace.session() as session:
        assert session.exec(select(func.count()).select_from(MetricDef)).one() == len(first)


def test_a_lead_defines_a_metric_with_a_target_read_like_a_value(do, lead) -> None:
    made = do(wl.define_metric, lead, "wrap_time", label="话后处理", unit="duration",
              direction="down", target="1m30s")
    assert (made.key, made.unit, made.direction, made.target) == ("wrap_time", "duration", "down",
                                                                   90.0)
    assert metric(do, "wrap_time").label == "话后处理"


def test_an_agent_may_neither_define_nor_retire_a_metric(do, agent) -> None:
    with pytest.raises(NotAllowed):
        do(wl.define_metric, agent, "x", label="X", unit="count")
    with pytest.raises(NotAllowed):
        do(wl.retire_metric, agent, "contacts")
    assert metric(do, "contacts")


def test_a_retired_metric_leaves_the_list_and_refuses_values(do, lead, agent) -> None:
    do(wl.retire_metric, lead, "callbacks")
    assert "callbacks" not in [m.key for m in do(wl.metrics)]
    with pytest.raises(NotFound, match="contacts"):
        do(wl.bump, agent, "callbacks", now=local(23, 10))


@pytest.mark.parametrize(("key", "unit"), [("9lives", "count"), ("ok", "money"), ("Big", "count")])
def test_a_bad_metric_key_or_unit_is_refused(do, lead, key, unit) -> None:
    with pytest.raises(Invalid):
        do(wl.define_metric, lead, key, label="L", unit=unit)


@pytest.mark.parametrize(("unit", "typed", "stored"),
                         [(u, v[0], v[1]) for u, vs in GOOD.items() for v in vs])
def test_values_are_read_by_their_unit(unit, typed, stored) -> None:
    probe = wl.Metric(1, "m", "M", unit, "up", None, 1)
    assert wl.parse_value(probe, typed) == stored


@pytest.mark.parametrize(("unit", "typed"), [(u, v) for u, vs in BAD.items() for v in vs])
def test_a_bad_value_is_refused_with_the_example_of_its_unit(unit, typed) -> None:
    probe = wl.Metric(1, "m", "M", unit, "up", None, 1)
    with pytest.raises(Invalid) as caught:
        wl.parse_value(probe, typed)
    from cscterm.i18n import t

    assert t(f"log.example.{unit}") in str(caught.value)


def test_a_counter_goes_up_and_down_but_never_below_zero(do, agent) -> None:
    at = local(23, 10)
    assert do(wl.bump, agent, "contacts", 1, now=at) == 1
    assert do(wl.bump, agent, "contacts", 2, now=at) == 3
    assert do(wl.bump, agent, "contacts", -3, now=at) == 0
    with pytest.raises(Invalid, match="below zero"):
        do(wl.bump, agent, "contacts", -1, now=at)
    assert value_of(page(do, agent, at), "contacts") == 0


def test_bump_is_refused_on_a_metric_that_is_not_a_count(do, agent) -> None:
    with pytest.raises(Invalid, match="96.5"):  # the percent example
        do(wl.bump, agent, "satisfaction", 1, now=local(23, 10))


def test_set_value_stores_the_parsed_value_on_the_shift_date(do, agent) -> None:
    assert do(wl.set_value, agent, "handle_time", "3m20s", now=local(23, 10)) == 200
    got = page(do, agent, local(23, 11))
    (handle,) = [m for m in got.metrics if m.metric.key == "handle_time"]
    assert (handle.value, handle.shown, handle.target_shown, handle.meets) == (
        200, "3m20s", "3m00s", False)


def test_a_count_short_of_its_target_is_missed_only_once_the_day_is_over(do, agent) -> None:
    do(wl.bump, agent, "contacts", 5, now=local(23, 10))
    do(wl.set_value, agent, "satisfaction", "90", now=local(23, 10))

    def marks(got: wl.DayPage) -> dict[str, bool | None]:
        return {m.metric.key: m.meets for m in got.metrics
                if m.metric.key in ("contacts", "satisfaction")}

    # during the shift: the count is still being made; a rate below target is below it
    assert marks(page(do, agent, local(23, 12))) == {"contacts": None, "satisfaction": False}
    # the next day, looking back: missed
    assert marks(page(do, agent, local(24, 12), date(2026, 11, 23))) == {
        "contacts": False, "satisfaction": False}
    # submitted: the day is over
    do(wl.save_reflection, agent, date(2026, 11, 23), 1, business="b", teamwork="", learnings="",
       now=local(23, 15))
    do(wl.submit_day, agent, date(2026, 11, 23), now=local(23, 15))
    assert marks(page(do, agent, local(23, 16))) == {"contacts": False, "satisfaction": False}
    do(wl.bump, agent, "contacts", 200, now=local(23, 16))
    assert marks(page(do, agent, local(23, 17)))["contacts"] is True


@pytest.mark.parametrize(("text", "delta"), [("+1", 1), ("-1", -1), ("+ 12", 12), ("5", None),
                                             ("96.5", None), ("+1.5", None), ("", None)])
def test_parse_delta_tells_a_change_from_a_value(text, delta) -> None:
    assert wl.parse_delta(text) == delta


# ── notes are private ──────────────────────────────────────────────────────


def test_notes_are_seen_by_their_author_and_nobody_else(do, agent, agent2, lead) -> None:
    at = local(23, 10)
    do(wl.add_note, agent, "客户王女士要求周五前回电", now=at)
    do(wl.submit_day, agent, DAY1, now=at)
    assert [n.body for n in page(do, agent, at).notes] == ["客户王女士要求周五前回电"]
    assert page(do, agent2, at, DAY1).notes == []
    assert page(do, lead, at, DAY1).notes == []
    assert do(wl.export_days, lead, first=DAY1, last=DAY1, zone=ZONE) == []
    (shared,) = do(wl.team_days, lead, first=DAY1, last=DAY1)
    assert "客户王女士" not in repr(shared)


def test_a_note_is_deleted_only_by_its_author(do, agent, agent2) -> None:
    note = do(wl.add_note, agent, "临时", now=local(23, 10))
    with pytest.raises(NotFound):
        do(wl.delete_note, agent2, note.id)
    do(wl.delete_note, agent, note.id)
    assert page(do, agent, local(23, 11)).notes == []


def test_an_empty_or_overlong_note_is_refused(do, agent) -> None:
    with pytest.raises(Invalid):
        do(wl.add_note, agent, "   ", now=local(23, 10))
    with pytest.raises(Invalid, match=str(wl.MAX_NOTE)):
        do(wl.add_note, agent, "字" * (wl.MAX_NOTE + 1), now=local(23, 10))


# ── shift dates across midnight ────────────────────────────────────────────


def test_a_note_at_two_in_the_night_belongs_to_the_night_shifts_start_date(do, agent,
                                                                            night_team) -> None:
    do(wl.add_note, agent, "凌晨两点的记录", now=local(24, 2))
    assert [n.body for n in page(do, agent, local(24, 3)).notes] == ["凌晨两点的记录"]
    assert page(do, agent, local(24, 3)).day == DAY1
    assert page(do, agent, local(24, 10), DAY2).notes == []


def test_the_night_shift_date_holds_for_metrics_plans_and_reminders(do, agent, night_team) -> None:
    at = local(24, 2)  # the night shift of 11-23
    do(wl.bump, agent, "contacts", 4, now=at)
    do(wl.add_plan, agent, "夜班回访", now=at)
    assert do(wl.shift_day, agent, at, ZONE) == DAY1
    assert value_of(page(do, agent, at, DAY1), "contacts") == 4
    assert value_of(page(do, agent, local(24, 7), DAY2), "contacts") is None
    assert [p.text for p in page(do, agent, at, DAY1).plans] == ["夜班回访"]


def test_the_early_shift_after_the_night_starts_a_new_page(do, agent, night_team) -> None:
    do(wl.add_note, agent, "夜班", now=local(24, 5, 59))
    do(wl.add_note, agent, "早班", now=local(24, 6))
    assert [n.body for n in page(do, agent, local(24, 7), DAY1).notes] == ["夜班"]
    assert [n.body for n in page(do, agent, local(24, 7)).notes] == ["早班"]


# ── plans and carry-over ───────────────────────────────────────────────────


def test_an_open_day_item_moves_to_the_next_page_once_keeping_its_first_day(do, agent) -> None:
    do(wl.add_plan, agent, "回访 3 位差评客户", now=local(23, 10))
    (moved,) = page(do, agent, local(24, 10)).plans
    assert (moved.text, moved.status, moved.first_day, moved.age_days) == (
        "回访 3 位差评客户", "open", "2026-11-23", 1)
    again = page(do, agent, local(24, 11))
    assert [p.id for p in again.plans] == [moved.id]
    assert [p.status for p in page(do, agent, local(24, 11), DAY1).plans] == ["carried"]


def test_done_and_dropped_items_do_not_move(do, agent) -> None:
    done = do(wl.add_plan, agent, "已完成", now=local(23, 10))
    dropped = do(wl.add_plan, agent, "不做了", now=local(23, 10))
    do(wl.set_plan_status, agent, done.id, "done", now=local(23, 12))
    do(wl.set_plan_status, agent, dropped.id, "dropped", now=local(23, 12))
    assert page(do, agent, local(24, 10)).plans == []


def test_an_item_carried_over_several_days_ages_and_exists_once_a_day(do, agent) -> None:
    do(wl.add_plan, agent, "拖延的事", now=local(23, 10))
    page(do, agent, local(24, 10))
    (third,) = page(do, agent, local(25, 10)).plans
    assert (third.first_day, third.age_days) == ("2026-11-23", 2)
    statuses = [[p.status for p in page(do, agent, local(25, 10), d).plans] for d in
                (DAY1, DAY2, DAY3)]
    assert statuses == [["carried"], ["carried"], ["open"]]
    do(wl.set_plan_status, agent, third.id, "done", now=local(25, 11))
    assert page(do, agent, local(26, 10)).plans == []


def test_a_carried_item_cannot_be_changed_any_more(do, agent) -> None:
    item = do(wl.add_plan, agent, "x", now=local(23, 10))
    page(do, agent, local(24, 10))
    with pytest.raises(NotFound):
        do(wl.set_plan_status, agent, item.id, "done")


def test_plan_against_actual_is_tallied_per_day(do, agent) -> None:
    a = do(wl.add_plan, agent, "a", now=local(23, 10))
    do(wl.add_plan, agent, "b", now=local(23, 10))
    c = do(wl.add_plan, agent, "c", now=local(23, 10))
    do(wl.set_plan_status, agent, a.id, "done")
    do(wl.set_plan_status, agent, c.id, "dropped")
    today = page(do, agent, local(23, 18))
    assert today.day_tally == wl.PlanTally(planned=3, done=1, dropped=1, open=1, carried=0)
    page(do, agent, local(24, 10))
    assert page(do, agent, local(24, 10), DAY1).day_tally == wl.PlanTally(3, 1, 1, 0, 1)


def test_plan_against_actual_per_month_counts_a_carried_item_once(do, agent) -> None:
    do(wl.add_plan, agent, "拖了三天", now=local(23, 10))
    done = do(wl.add_plan, agent, "当天完成", now=local(23, 10))
    do(wl.set_plan_status, agent, done.id, "done")
    page(do, agent, local(24, 10))
    month = page(do, agent, local(25, 10)).month_tally
    assert (month.planned, month.done, month.open) == (2, 1, 1)


def test_month_plans_belong_to_the_month_and_do_not_carry(do, agent) -> None:
    key = do(wl.add_plan, agent, "满意度提升到 97%", kind="month", now=local(23, 10))
    assert key.period == "2026-11"
    assert [p.text for p in page(do, agent, local(30, 10)).month_plans] == ["满意度提升到 97%"]
    assert page(do, agent, local(1, 10, month=12)).month_plans == []
    child = do(wl.add_plan, agent, "今天回访 2 位", month_plan_id=key.id, now=local(23, 10))
    assert child.month_plan_id == key.id


# ── reminders ──────────────────────────────────────────────────────────────


def remind(do: Do, actor: Actor, when: str = "15:30", text: str = "回电 王女士",
           at: datetime | None = None) -> wl.ReminderView:
    return do(wl.add_reminder, actor, when, text, now=at or local(23, 10), zone=ZONE)


def test_a_reminder_fires_once_when_it_is_due(do, agent) -> None:
    made = remind(do, agent)
    assert made.due_at == local(23, 15, 30)
    assert do(wl.due_reminders, agent, now=local(23, 15, 29)) == []
    (fired,) = do(wl.due_reminders, agent, now=local(23, 15, 30))
    assert (fired.id, fired.text, fired.fired) == (made.id, "回电 王女士", True)
    assert do(wl.due_reminders, agent, now=local(23, 15, 45)) == []


def test_a_snoozed_reminder_moves_and_fires_again(do, agent) -> None:
    made = remind(do, agent)
    do(wl.due_reminders, agent, now=local(23, 15, 30))
    moved = do(wl.snooze, agent, made.id, minutes=10, now=local(23, 15, 31))
    assert (moved.due_at, moved.fired, moved.snoozed) == (local(23, 15, 41), False, 1)
    assert do(wl.due_reminders, agent, now=local(23, 15, 40)) == []
    assert [r.id for r in do(wl.due_reminders, agent, now=local(23, 15, 41))] == [made.id]


def test_a_finished_reminder_stops_firing_and_cannot_be_snoozed(do, agent) -> None:
    made = remind(do, agent)
    do(wl.finish_reminder, agent, made.id, now=local(23, 15))
    assert do(wl.due_reminders, agent, now=local(23, 16)) == []
    assert do(wl.open_reminders, agent) == []
    with pytest.raises(Invalid):
        do(wl.snooze, agent, made.id, now=local(23, 16))


def test_reminders_are_their_owners_alone(do, agent, agent2) -> None:
    made = remind(do, agent)
    assert do(wl.due_reminders, agent2, now=local(23, 16)) == []
    with pytest.raises(NotFound):
        do(wl.finish_reminder, agent2, made.id)


def test_open_reminders_are_offered_for_the_handover_and_marked_when_handed_over(do, agent) -> None:
    early = remind(do, agent, "11:00", "早的")
    late = remind(do, agent, "15:30", "晚的")
    assert [r.id for r in do(wl.open_reminders, agent)] == [early.id, late.id]
    assert [r.id for r in do(wl.open_reminders, agent, until=local(23, 12))] == [early.id]
    (passed,) = do(wl.hand_over_reminders, agent, [late.id], now=local(23, 15))
    assert passed.status == "handed_over"
    assert [r.id for r in do(wl.open_reminders, agent)] == [early.id]
    assert [r.id for r in do(wl.due_reminders, agent, now=local(23, 16))] == [early.id]


@pytest.mark.parametrize("when", ["25:00", "明天", "15-30", "+3d", ""])
def test_an_unreadable_reminder_time_is_refused(do, agent, when) -> None:
    with pytest.raises(Invalid):
        remind(do, agent, when)


def test_a_reminder_in_the_night_shift_is_due_the_next_morning(do, agent, night_team) -> None:
    made = remind(do, agent, "02:00", "夜里回电", at=local(23, 23))
    assert made.due_at == local(24, 2)


# ── reflection and submitting ──────────────────────────────────────────────


def test_a_first_reflection_is_saved_from_an_empty_page(do, agent) -> None:
    fresh = page(do, agent, local(23, 17))
    saved = do(wl.save_reflection, agent, DAY1, fresh.reflection.version, business="退款积压",
               teamwork="帮新人", learnings="先安抚再解释", now=local(23, 17))
    assert (saved.business, saved.teamwork, saved.learnings) == ("退款积压", "帮新人",
                                                                  "先安抚再解释")


def test_a_stale_reflection_save_is_refused_with_a_conflict(do, agent) -> None:
    do(wl.bump, agent, "contacts", now=local(23, 10))  # the day's log exists
    seen = page(do, agent, local(23, 17)).reflection
    do(wl.save_reflection, agent, DAY1, seen.version, business="第一次", teamwork="",
       learnings="", now=local(23, 17))
    with pytest.raises(Conflict):
        do(wl.save_reflection, agent, DAY1, seen.version, business="旧页面上的", teamwork="",
           learnings="", now=local(23, 18))
    assert page(do, agent, local(23, 18)).reflection.business == "第一次"


def submitted_day(do: Do, agent: Actor) -> None:
    do(wl.set_value, agent, "satisfaction", "96.5", now=local(23, 10))
    do(wl.add_note, agent, "私人记录", now=local(23, 10))
    seen = page(do, agent, local(23, 17)).reflection
    do(wl.save_reflection, agent, DAY1, seen.version, business="退款积压 12 单", teamwork="",
       learnings="", now=local(23, 17))
    do(wl.submit_day, agent, DAY1, now=local(23, 18))


def test_an_unsubmitted_day_is_not_shown_to_the_lead(do, agent, lead) -> None:
    do(wl.set_value, agent, "satisfaction", "96.5", now=local(23, 10))
    assert do(wl.team_days, lead, first=DAY1, last=DAY1) == []


def test_a_submitted_day_shows_metrics_and_reflection_to_the_teams_lead(do, agent, lead) -> None:
    submitted_day(do, agent)
    (shown,) = do(wl.team_days, lead, first=DAY1, last=DAY1)
    assert (shown.login, shown.day, shown.values["satisfaction"]) == ("agent1", DAY1, 96.5)
    assert shown.reflection.business == "退款积压 12 单"
    assert shown.reflection.submitted_at is not None


def test_another_teams_lead_does_not_see_the_submitted_day(do, agent, other_lead) -> None:
    submitted_day(do, agent)
    assert do(wl.team_days, other_lead, first=DAY1, last=DAY1) == []


def test_an_agent_is_refused_the_teams_days(do, agent, agent2) -> None:
    submitted_day(do, agent)
    with pytest.raises(NotAllowed):
        do(wl.team_days, agent2, first=DAY1, last=DAY1)


# ── activity counted by the workbench ──────────────────────────────────────


def test_copied_scripts_are_counted_on_todays_page_by_scenario(workspace, do, agent) -> None:
    hit = do(scripts.search, agent, "退款", limit=1)[0]
    do(scripts.record_use, agent, hit.id, hit.default_style)
    do(scripts.record_use, agent, hit.id, hit.default_style)
    with workspace.session() as session:
        used_at = session.exec(select(ScriptUsage.used_at)
                               .where(ScriptUsage.user_id == agent.id)).first()
    assert used_at is not None
    moment = used_at if used_at.tzinfo else used_at.replace(tzinfo=UTC)  # stored in UTC
    today = do(wl.shift_day, agent, moment, ZONE)
    counted = do(wl.activity, agent, today, ZONE)
    assert counted.scripts_copied == 2
    assert counted.by_scenario == [(hit.scenario_title, 2)]
    assert do(wl.activity, agent, today - timedelta(days=1), ZONE).scripts_copied == 0


def handover_note(do: Do, author: Actor, at: datetime) -> ho.HandoverView:
    note = do(ho.start_handover, author, now=at, zone=ZONE)
    note = do(ho.save_draft, author, note.id, note.version, overall="busy", summary="进线量大",
              watchouts="", items=[ItemInput("订单 8812", "客户要求回电", "回电王女士", "23:00")],
              now=at, zone=ZONE)
    return do(ho.submit, author, note.id, note.version, now=at)


def test_handovers_written_and_acknowledged_are_counted_on_their_days(do, agent, agent2) -> None:
    sent = handover_note(do, agent, local(23, 15, 50))
    decisions = {i.id: ItemDecision(accept=True) for i in sent.open_items}
    do(ho.acknowledge, agent2, sent.id, "回电王女士", decisions, now=local(23, 16, 5))
    assert do(wl.activity, agent, DAY1, ZONE).handovers_written == 1
    assert do(wl.activity, agent2, DAY1, ZONE).handovers_acknowledged == 1
    assert do(wl.activity, agent, DAY2, ZONE).handovers_written == 0


def test_a_handover_written_at_the_end_of_the_night_counts_for_the_nights_date(
        do, agent, night_team) -> None:
    handover_note(do, agent, local(24, 5, 50))
    assert do(wl.activity, agent, DAY1, ZONE).handovers_written == 1
    assert do(wl.activity, agent, DAY2, ZONE).handovers_written == 0


def test_transfers_sent_claimed_and_resolved_are_counted_for_each_actor(do, lead, agent,
                                                                         login_as) -> None:
    login_as("after1")
    after1 = do(users.set_team, lead, "after1", "售后")
    view = do(tr.create, agent, "refund", now=local(23, 10))
    view = do(tr.save_draft, agent, view.id, view.version, REFUND, now=local(23, 10))
    view = do(tr.send, agent, view.id, view.version, now=local(23, 10), zone=ZONE)
    view = do(tr.take, after1, view.id, now=local(23, 11))
    do(tr.resolve, after1, view.id, view.version, "refunded", "已退款", now=local(24, 9))
    sender = do(wl.activity, agent, DAY1, ZONE)
    assert (sender.transfers_sent, sender.transfers_claimed) == (1, 0)
    claimer = do(wl.activity, after1, DAY1, ZONE)
    assert (claimer.transfers_claimed, claimer.transfers_resolved) == (1, 0)
    assert do(wl.activity, after1, DAY2, ZONE).transfers_resolved == 1


# ── trend ──────────────────────────────────────────────────────────────────


def test_a_trend_has_one_value_per_day_and_gaps_where_nothing_was_kept(do, agent) -> None:
    do(wl.set_value, agent, "satisfaction", "95", now=local(23, 10))
    do(wl.set_value, agent, "satisfaction", "97", now=local(25, 10))
    got = do(wl.trend, agent, "satisfaction", first=DAY1, last=DAY3)
    assert (got.days, got.values) == ([DAY1, DAY2, DAY3], [95, None, 97])
    with pytest.raises(Invalid):
        do(wl.trend, agent, "satisfaction", first=DAY3, last=DAY1)


# ── export ─────────────────────────────────────────────────────────────────


def busy_day(do: Do, agent: Actor) -> None:
    do(wl.bump, agent, "contacts", 42, now=local(23, 10))
    do(wl.set_value, agent, "satisfaction", "96.5", now=local(23, 10))
    done = do(wl.add_plan, agent, "回访 3 位差评客户", now=local(23, 10))
    do(wl.set_plan_status, agent, done.id, "done")
    do(wl.add_plan, agent, "整理退款单", now=local(23, 10))
    do(wl.add_note, agent, "客户王女士要求周五前回电", now=local(23, 14, 5))


def test_export_markdown_has_the_shape_of_a_daily_report(do, agent) -> None:
    busy_day(do, agent)
    pages = do(wl.export_days, agent, first=DAY1, last=DAY3, zone=ZONE, now=local(24, 12))
    assert [p.day for p in pages] == [DAY1]
    text = wl.to_markdown(pages, agent, ZONE)
    assert text.startswith("# Daily report · agent1 · 2026-11-23\n")
    for part in ("## Figures", "- Contacts handled: 42 / 120 ✗", "- Satisfaction: 96.5% / 95% ✓",
                 "## Plan", "- [x] 回访 3 位差评客户", "- [ ] 整理退款单", "## Notes",
                 "- 14:05 客户王女士要求周五前回电", "## Counted by the workbench"):
        assert part in text


def test_export_pages_are_the_day_pages_of_the_days_with_anything_kept(do, agent) -> None:
    busy_day(do, agent)
    do(wl.add_note, agent, "第三天的记录", now=local(25, 9))
    do(wl.add_plan, agent, "月度：降低退货率", kind="month", now=local(25, 9))
    do(wl.bump, agent, "contacts", 7, now=local(25, 23, 30))
    handover_note(do, agent, local(23, 15, 50))
    handover_note(do, agent, local(25, 15, 50))
    view = do(tr.create, agent, "refund", now=local(25, 10))
    view = do(tr.save_draft, agent, view.id, view.version, REFUND, now=local(25, 10))
    do(tr.send, agent, view.id, view.version, now=local(25, 10), zone=ZONE)
    at = local(26, 12)
    pages = do(wl.export_days, agent, first=DAY1, last=date(2026, 11, 30), zone=ZONE, now=at)
    assert [p.day for p in pages] == [DAY1, date(2026, 11, 25)]
    # read for the whole range at once, the same as each day's page on its own
    assert pages == [page(do, agent, at, p.day, carry=False) for p in pages]
    assert [(p.activity.handovers_written, p.activity.transfers_sent) for p in pages] == [
        (1, 0), (1, 1)]
    assert [len(p.notes) for p in pages] == [1, 1]


def test_export_does_not_carry_plans_over(do, agent) -> None:
    busy_day(do, agent)
    do(wl.export_days, agent, first=DAY1, last=DAY3, zone=ZONE)
    assert [p.status for p in page(do, agent, local(23, 20), DAY1, carry=False).plans] == [
        "done", "open"]


def test_export_csv_has_one_row_a_day_with_metrics_and_plan_counts(do, agent) -> None:
    busy_day(do, agent)
    pages = do(wl.export_days, agent, first=DAY1, last=DAY3, zone=ZONE)
    (row,) = list(csv.DictReader(io.StringIO(wl.to_csv(pages))))
    assert (row["day"], row["contacts"], row["satisfaction"], row["handle_time"]) == (
        "2026-11-23", "42", "96.5", "")
    assert (row["plans_planned"], row["plans_done"], row["submitted"]) == ("2", "1", "0")


def test_an_export_range_backwards_or_over_a_year_is_refused(do, agent) -> None:
    with pytest.raises(Invalid):
        do(wl.export_days, agent, first=DAY3, last=DAY1)
    with pytest.raises(Invalid, match="367"):
        do(wl.export_days, agent, first=date(2025, 1, 1), last=date(2026, 6, 1))


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_exported_literally_with_controls_as_pictures(do, agent, text) -> None:
    do(wl.add_note, agent, text, now=local(23, 10))
    do(wl.add_plan, agent, text, now=local(23, 10))
    seen = page(do, agent, local(23, 17)).reflection
    do(wl.save_reflection, agent, DAY1, seen.version, business=text, teamwork=text,
       learnings=text, now=local(23, 17))
    pages = do(wl.export_days, agent, first=DAY1, last=DAY1, zone=ZONE)
    from cscterm.text import printable

    markdown = printable(wl.to_markdown(pages, agent, ZONE))
    assert not CONTROL.search(markdown.replace("\n", ""))
    assert markdown.count(printable(text)) >= 3  # the reflection parts, as typed
    if "[bold red]" in text:
        assert text.split(" [link")[0] in markdown
    sheet = wl.to_csv(pages)
    assert not CONTROL.search(sheet.replace("\r\n", "").replace("\n", ""))
