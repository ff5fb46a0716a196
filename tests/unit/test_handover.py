"""services/handover.py: shift handover notes (交接班).

Every call gets ``now=`` and ``zone=`` so nothing depends on the machine's
clock or time zone. The centre is in Shanghai (no daylight saving) except in
the clock-change tests, which use Berlin. Each service call runs in its own
unit of work, as the screens do, so a refused call is seen rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlmodel import select

from cscterm.db.models import Handover, HandoverItem, Shift
from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.services import handover as ho
from cscterm.services import shifts, users
from cscterm.services.handover import HandoverView, ItemDecision, ItemInput
from cscterm.services.shifts import ShiftDef
from cscterm.services.users import Actor
from cscterm.text import local_time, one_line

from .helpers import DATA

ZONE = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
DEFAULTS = [("早班", "08:00", "16:00"), ("中班", "16:00", "24:00"), ("夜班", "00:00", "08:00")]

HOSTILE = yaml.safe_load((DATA / "handover" / "hostile_text.yaml").read_text(encoding="utf-8"))["texts"]
BAD_TIMES = yaml.safe_load((DATA / "handover" / "bad_times.yaml").read_text(encoding="utf-8"))


def local(day: int, hour: int, minute: int = 0, month: int = 11, year: int = 2026) -> datetime:
    """A wall-clock time at the centre."""
    return datetime(year, month, day, hour, minute, tzinfo=ZONE)


EARLY_START = local(24, 8)
EARLY = local(24, 10)  # during the early shift (早班) of 2026-11-24
END_OF_EARLY = local(24, 15, 50)
MIDDLE = local(24, 16, 5)  # just after the middle shift (中班) began


Do = Callable[..., Any]


@pytest.fixture
def do(workspace) -> Do:
    """``do(service_function, *args, **kwargs)`` in a unit of work of its own."""

    def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with workspace.session() as session:
            return fn(session, *args, **kwargs)

    return call


@pytest.fixture
def agent3(login_as) -> Actor:
    return login_as("agent3")


@pytest.fixture
def outsider(do, lead, login_as) -> Actor:
    """An agent of team B."""
    login_as("agent9")
    return do(users.set_team, lead, "agent9", "B")


def item(reference: str = "订单 A1001", due: str = "23:00", *, situation: str = "客户催退款",
         next_action: str = "回电确认到账", owner: str = "", origin_id: int | None = None) -> ItemInput:
    return ItemInput(reference=reference, situation=situation, next_action=next_action, due=due,
                     owner=owner, origin_id=origin_id)


def kept(view: HandoverView) -> list[ItemInput]:
    """A draft's items as its editor sends them back (rolled-over ones included)."""
    return [
        ItemInput(reference=i.reference, situation=i.situation, next_action=i.next_action,
                  due=i.due_at.astimezone(ZONE).strftime("%Y-%m-%d %H:%M") if i.due_at else "",
                  owner=i.owner, origin_id=i.origin_id)
        for i in view.items
    ]


def draft(do: Do, actor: Actor, when: datetime, *, summary: str = "平稳，退款咨询偏多",
          items: Sequence[ItemInput] | None = None, watchouts: str = "", to_user: str = "",
          overall: str = "normal", keep: bool = False) -> HandoverView:
    """The actor's draft for the shift running at ``when``, saved with these fields
    (``keep``: the rolled-over items it was started with)."""
    view = do(ho.start_handover, actor, now=when, zone=ZONE)
    chosen = kept(view) if keep else list(items or [])
    if keep and items:
        chosen += list(items)
    return do(ho.save_draft, actor, view.id, view.version, overall=overall, summary=summary,
              watchouts=watchouts, items=chosen, to_user=to_user, now=when, zone=ZONE)


def submitted(do: Do, actor: Actor, when: datetime, **fields: Any) -> HandoverView:
    view = draft(do, actor, when, **fields)
    return do(ho.submit, actor, view.id, view.version, now=when)


def morning_note(do: Do, actor: Actor, **fields: Any) -> HandoverView:
    """The early shift's note with two open items (the second owned by agent1),
    submitted just before the middle shift."""
    fields.setdefault("items", [item("订单 A1", "23:00"), item("订单 A2", "20:00", owner="agent1")])
    return submitted(do, actor, END_OF_EARLY, **fields)


def accept_all(view: HandoverView) -> dict[int, ItemDecision]:
    return {i.id: ItemDecision(accept=True) for i in view.open_items}


def row(workspace, model: Any, row_id: int) -> Any:
    with workspace.session() as session:
        return session.get(model, row_id)


# ── shifts ──────────────────────────────────────────────────────────────────


def test_a_team_without_shifts_has_early_middle_and_night_shifts(do, agent) -> None:
    assert do(shifts.team_shifts, agent.team) == [
        ShiftDef("夜班", 0, 8 * 60), ShiftDef("早班", 8 * 60, 16 * 60), ShiftDef("中班", 16 * 60, 24 * 60)]


@pytest.mark.parametrize(("moment", "name", "start", "end"), [
    (local(24, 0), "夜班", local(24, 0), local(24, 8)),
    (local(24, 7, 59), "夜班", local(24, 0), local(24, 8)),
    (local(24, 8), "早班", local(24, 8), local(24, 16)),
    (local(24, 15, 59), "早班", local(24, 8), local(24, 16)),
    (local(24, 16), "中班", local(24, 16), local(25, 0)),
    (local(24, 23, 59), "中班", local(24, 16), local(25, 0)),
], ids=["00:00", "07:59", "08:00", "15:59", "16:00", "23:59"])
def test_slot_at_finds_the_default_shift_running_then(do, agent, moment, name, start, end) -> None:
    slot = do(shifts.slot_at, agent.team, moment, ZONE)
    assert (slot.name, slot.day, slot.start, slot.end) == (name, date(2026, 11, 24), start, end)
    assert slot.start.tzinfo == UTC and slot.label() == f"2026-11-24 {name}"


def test_a_shift_crossing_midnight_belongs_to_the_date_it_starts_on(do, lead) -> None:
    do(shifts.set_shifts, lead, "default", [("白班", "08:00", "16:00"), ("晚班", "16:00", "22:00"),
                                        ("夜班", "22:00", "06:00")])
    for moment in (local(23, 22), local(24, 2), local(24, 5, 59)):
        slot = do(shifts.slot_at, "default", moment, ZONE)
        assert (slot.name, slot.day, slot.start, slot.end) == (
            "夜班", date(2026, 11, 23), local(23, 22), local(24, 6))


def test_slot_at_in_a_gap_between_shifts_is_the_next_shift(do, lead) -> None:
    do(shifts.set_shifts, lead, "default", [("上午", "09:00", "12:00"), ("下午", "13:00", "18:00")])
    assert do(shifts.slot_at, "default", local(24, 12, 30), ZONE).start == local(24, 13)
    assert do(shifts.slot_at, "default", local(24, 20), ZONE).start == local(25, 9)


@pytest.mark.parametrize(("name", "day", "following", "following_start"), [
    ("夜班", 24, "早班", local(24, 8)),
    ("早班", 24, "中班", local(24, 16)),
    ("中班", 24, "夜班", local(25, 0)),
])
def test_next_slot_is_the_shift_starting_when_this_one_ends(do, agent, name, day, following,
                                                             following_start) -> None:
    slot = do(shifts.slot_named, agent.team, name, date(2026, 11, day), ZONE)
    after = do(shifts.next_slot, slot, ZONE)
    assert (after.name, after.start) == (following, following_start)


def test_next_slot_after_a_night_shift_crossing_midnight_skips_the_gap(do, lead) -> None:
    do(shifts.set_shifts, lead, "default", [("白班", "08:00", "16:00"), ("夜班", "22:00", "06:00")])
    night = do(shifts.slot_named, "default", "夜班", date(2026, 11, 23), ZONE)
    after = do(shifts.next_slot, night, ZONE)
    assert (after.name, after.day, after.start) == ("白班", date(2026, 11, 24), local(24, 8))


def test_slot_named_with_an_unknown_shift_is_not_found(do, agent) -> None:
    with pytest.raises(NotFound) as caught:
        do(shifts.slot_named, agent.team, "午班", date(2026, 11, 24), ZONE)
    assert "午班" in str(caught.value)


def test_only_a_lead_sets_shift_times(do, agent) -> None:
    with pytest.raises(NotAllowed):
        do(shifts.set_shifts, agent, "default", [("全天", "00:00", "24:00")])
    assert len(do(shifts.team_shifts, "default")) == 3


def test_a_lead_sets_shifts_and_they_are_listed_by_start_time(do, lead) -> None:
    defs = do(shifts.set_shifts, lead, "default", [("夜班", "20:00", "08:00"), ("白班", "08:00", "20:00")])
    assert defs == [ShiftDef("白班", 480, 1200), ShiftDef("夜班", 1200, 480)]
    assert defs[1].crosses_midnight and defs[0].hours == "08:00–20:00"


@pytest.mark.parametrize("value", BAD_TIMES["clock"])
def test_set_shifts_refuses_a_bad_start_naming_the_field_with_an_example(do, lead, value) -> None:
    with pytest.raises(Invalid) as caught:
        do(shifts.set_shifts, lead, "default", [("早班", value, "16:00")])
    assert str(caught.value).startswith("早班: start: “")
    assert "write it as 08:00" in str(caught.value)


@pytest.mark.parametrize("value", ["25:00", "24:01", "8点", ""])
def test_set_shifts_refuses_a_bad_end_naming_the_field(do, lead, value) -> None:
    with pytest.raises(Invalid) as caught:
        do(shifts.set_shifts, lead, "default", [("早班", "08:00", value)])
    assert str(caught.value).startswith("早班: end: “") and "08:00" in str(caught.value)


def test_24_00_is_an_end_but_not_a_start(do, lead) -> None:
    assert do(shifts.set_shifts, lead, "default", [("全天", "00:00", "24:00")]) == [ShiftDef("全天", 0, 1440)]
    with pytest.raises(Invalid):
        do(shifts.set_shifts, lead, "default", [("晚班", "24:00", "08:00")])


def test_set_shifts_refuses_two_shifts_of_the_same_name(do, lead) -> None:
    with pytest.raises(Invalid) as caught:
        do(shifts.set_shifts, lead, "default", [("早班", "08:00", "12:00"), ("早班", "12:00", "16:00")])
    assert str(caught.value) == "Two shifts are called “早班”."


@pytest.mark.parametrize(("rows", "message"), [
    ([("早班", "08:00", "16:00"), ("加班", "15:00", "18:00")], "Shifts “早班” and “加班” overlap at 15:00."),
    ([("夜班", "22:00", "06:00"), ("早班", "05:30", "14:00")], "Shifts “夜班” and “早班” overlap at 05:30."),
    ([("全天", "00:00", "24:00"), ("加班", "23:00", "23:30")], "Shifts “全天” and “加班” overlap at 23:00."),
])
def test_set_shifts_refuses_overlapping_shifts_naming_both_and_when(do, lead, rows, message) -> None:
    with pytest.raises(Invalid) as caught:
        do(shifts.set_shifts, lead, "default", rows)
    assert str(caught.value) == message


@pytest.mark.parametrize("clock", ["08:00", "00:00"])
def test_set_shifts_refuses_a_shift_of_no_length(do, lead, clock) -> None:
    with pytest.raises(Invalid) as caught:
        do(shifts.set_shifts, lead, "default", [("空班", clock, clock)])
    assert str(caught.value) == "Shift “空班” starts and ends at the same time."


def test_set_shifts_refuses_no_shifts_and_a_nameless_shift(do, lead) -> None:
    with pytest.raises(Invalid) as caught:
        do(shifts.set_shifts, lead, "default", [])
    assert str(caught.value) == "Shifts is required."
    with pytest.raises(Invalid) as caught:
        do(shifts.set_shifts, lead, "default", [("  ", "08:00", "16:00")])
    assert str(caught.value) == "1: shift name is required."


def test_shifts_left_out_are_switched_off_and_a_listed_one_is_switched_on_again(workspace, do, lead) -> None:
    do(shifts.set_shifts, lead, "default", DEFAULTS)
    do(shifts.set_shifts, lead, "default", [("白班", "08:00", "20:00"), ("夜班", "20:00", "08:00")])
    with workspace.session() as session:
        rows = {r.name: r for r in session.exec(select(Shift).where(Shift.team == "default"))}
    active = {n: r.active for n, r in rows.items()}
    assert active == {"早班": False, "中班": False, "夜班": True, "白班": True}
    assert (rows["夜班"].start_minute, rows["夜班"].end_minute, rows["夜班"].version) == (1200, 480, 2)
    assert [s.name for s in do(shifts.team_shifts, "default")] == ["白班", "夜班"]
    do(shifts.set_shifts, lead, "default", DEFAULTS)
    assert [s.name for s in do(shifts.team_shifts, "default")] == ["夜班", "早班", "中班"]


def test_one_teams_shifts_leave_the_others_on_the_defaults(do, lead, outsider) -> None:
    do(shifts.set_shifts, lead, "B", [("全天", "00:00", "24:00")])
    assert [s.name for s in do(shifts.team_shifts, "B")] == ["全天"]
    assert [s.name for s in do(shifts.team_shifts, "default")] == ["夜班", "早班", "中班"]


def test_a_team_name_is_spaced_as_the_team_of_its_people(do, lead, outsider) -> None:
    do(users.set_team, lead, "agent9", "售后 二组")
    do(shifts.set_shifts, lead, "  售后   二组 ", [("全天", "00:00", "24:00")])
    assert [s.name for s in do(shifts.team_shifts, "售后 二组")] == ["全天"]


def test_a_note_keeps_its_shift_times_when_the_shifts_change(do, lead, agent) -> None:
    note = morning_note(do, agent)
    do(shifts.set_shifts, lead, "default", [("白班", "09:00", "21:00"), ("夜班", "21:00", "09:00")])
    again = do(ho.get_handover, agent, note.id)
    assert (again.shift_name, again.shift_start, again.shift_end, again.to_shift_name) == (
        "早班", local(24, 8), local(24, 16), "中班")


@pytest.mark.parametrize(("day", "hours", "start", "end"), [
    (date(2026, 3, 28), 8, datetime(2026, 3, 27, 23, tzinfo=UTC), datetime(2026, 3, 28, 7, tzinfo=UTC)),
    (date(2026, 3, 29), 7, datetime(2026, 3, 28, 23, tzinfo=UTC), datetime(2026, 3, 29, 6, tzinfo=UTC)),
    (date(2026, 10, 25), 9, datetime(2026, 10, 24, 22, tzinfo=UTC), datetime(2026, 10, 25, 7, tzinfo=UTC)),
], ids=["ordinary", "spring-forward", "fall-back"])
def test_the_night_shift_lasts_its_real_length_across_a_clock_change(do, agent, day, hours, start,
                                                                     end) -> None:
    night = do(shifts.slot_named, agent.team, "夜班", day, BERLIN)
    assert (night.start, night.end) == (start, end)
    assert night.end - night.start == timedelta(hours=hours)


@pytest.mark.parametrize(("day", "start_hour_utc"), [
    (date(2026, 3, 28), 7), (date(2026, 3, 29), 6), (date(2026, 10, 24), 6), (date(2026, 10, 25), 7),
])
def test_the_early_shift_starts_at_0800_local_on_either_side_of_a_clock_change(do, agent, day,
                                                                             start_hour_utc) -> None:
    early = do(shifts.slot_named, agent.team, "早班", day, BERLIN)
    start = datetime.combine(day, datetime.min.time(), tzinfo=UTC) + timedelta(hours=start_hour_utc)
    assert (early.start, early.end) == (start, start + timedelta(hours=8))
    assert early.start.astimezone(BERLIN).hour == 8 and early.end.astimezone(BERLIN).hour == 16


def test_slot_at_on_a_clock_change_day_switches_at_0800_local(do, agent) -> None:
    spring = datetime(2026, 3, 29, 5, 59, tzinfo=UTC)  # 07:59 summer time
    assert do(shifts.slot_at, agent.team, spring, BERLIN).name == "夜班"
    assert do(shifts.slot_at, agent.team, spring + timedelta(minutes=1), BERLIN).name == "早班"
    for twice in (datetime(2026, 10, 25, 0, 30, tzinfo=UTC), datetime(2026, 10, 25, 1, 30, tzinfo=UTC)):
        slot = do(shifts.slot_at, agent.team, twice, BERLIN)  # 02:30 happens twice
        assert (slot.name, slot.day) == ("夜班", date(2026, 10, 25))


# ── due times ──────────────────────────────────────────────────────────────


def due(text: str, *, after: datetime = EARLY_START, now: datetime = EARLY,
        keep: datetime | None = None) -> datetime | None:
    return shifts.parse_due(text, after=after, now=now, zone=ZONE, field_name="Item 1: due", keep=keep)


@pytest.mark.parametrize(("text", "expected"), [
    ("15:30", local(24, 15, 30)),
    ("15：30", local(24, 15, 30)),
    ("8:00", local(24, 8)),
    ("07:00", local(25, 7)),
    ("11-24 09:00", local(24, 9)),
    ("11-25 9:05", local(25, 9, 5)),
    ("2026-11-24 09:00", local(24, 9)),
    ("2026-11-24T09:00", local(24, 9)),
    ("2026-12-01 00:00", local(1, 0, month=12)),
])
def test_parse_due_reads_a_clock_or_a_date_from_the_shift_start(text, expected) -> None:
    result = due(text)
    assert result == expected and result.tzinfo == UTC


def test_parse_due_clock_in_a_shift_ending_after_midnight_is_the_next_morning() -> None:
    assert due("02:00", after=local(24, 16), now=local(24, 17)) == local(25, 2)
    assert due("23:30", after=local(24, 16), now=local(24, 17)) == local(24, 23, 30)
    assert due("02:00", after=local(23, 22), now=local(23, 23)) == local(24, 2)


@pytest.mark.parametrize(("text", "delta"), [
    ("+30m", timedelta(minutes=30)), ("+2h", timedelta(hours=2)), ("+ 45 min", timedelta(minutes=45)),
    ("+1H", timedelta(hours=1)), ("+0m", timedelta(0)),
])
def test_parse_due_counts_plus_minutes_and_hours_from_now(text, delta) -> None:
    assert due(text) == EARLY + delta


@pytest.mark.parametrize("text", ["", "   ", "\n"])
def test_parse_due_of_nothing_is_none(text) -> None:
    assert due(text) is None


@pytest.mark.parametrize("text", BAD_TIMES["due"])
def test_parse_due_refuses_garbage_naming_the_field_with_examples(text) -> None:
    with pytest.raises(Invalid) as caught:
        due(text)
    message = str(caught.value)
    assert message.startswith("Item 1: due: “") and "15:30" in message and "+30m" in message


@pytest.mark.parametrize(("text", "now"), [
    ("11-24 07:59", EARLY), ("2026-11-23 23:00", EARLY), ("+30m", local(24, 7)),
])
def test_parse_due_refuses_a_time_before_the_shift_starts(text, now) -> None:
    with pytest.raises(Invalid) as caught:
        due(text, now=now)
    assert str(caught.value) == (f"Item 1: due: “{text}” is before the shift starts (11-24 08:00); "
                                 "give a later time, e.g. 15:30 or +30m.")


def test_parse_due_keeps_a_rolled_over_items_earlier_due_shown_to_the_minute() -> None:
    earlier = local(24, 7, 30) + timedelta(seconds=37)
    assert due("2026-11-24 07:30", keep=earlier) == earlier
    with pytest.raises(Invalid):
        due("2026-11-24 07:29", keep=earlier)


def test_parse_due_date_without_a_year_on_new_years_eve_is_next_january() -> None:
    eve = local(31, 22, month=12)
    assert due("01-01 02:00", after=eve, now=eve) == local(1, 2, month=1, year=2027)
    with pytest.raises(Invalid):
        due("12-31 21:00", after=eve, now=eve)


# ── writing and submitting ─────────────────────────────────────────────────


def test_start_handover_makes_a_draft_for_the_current_shift_addressed_to_the_next(do, agent) -> None:
    view = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    assert (view.status, view.author, view.team, view.version) == ("draft", "agent1", "default", 1)
    assert (view.shift_name, view.shift_date, view.shift_start, view.shift_end) == (
        "早班", "2026-11-24", local(24, 8), local(24, 16))
    assert (view.to_shift_name, view.to_shift_date, view.to_shift_start) == (
        "中班", "2026-11-24", local(24, 16))
    assert view.items == () and view.addressed_to() == "2026-11-24 中班"


def test_start_handover_again_in_the_same_shift_returns_the_same_draft(do, agent, agent2) -> None:
    first = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    saved = do(ho.save_draft, agent, first.id, first.version, overall="busy", summary="写了一半",
               watchouts="", items=[item()], now=EARLY, zone=ZONE)
    again = do(ho.start_handover, agent, now=EARLY + timedelta(hours=5), zone=ZONE)
    assert (again.id, again.summary, len(again.items)) == (first.id, "写了一半", 1)
    assert do(ho.start_handover, agent2, now=EARLY, zone=ZONE).id != first.id
    assert saved.version == 2


def test_save_draft_keeps_every_field(do, agent, agent3) -> None:
    view = draft(do, agent, EARLY, summary="系统卡顿", watchouts="注意 VIP 客户", overall="incident",
                 to_user="agent3", items=[item("订单 A1", "15:30", owner="agent3")])
    assert (view.overall, view.summary, view.watchouts, view.to_user, view.to_user_id) == (
        "incident", "系统卡顿", "注意 VIP 客户", "agent3", agent3.id)
    (only,) = view.items
    assert (only.reference, only.situation, only.next_action, only.due_at, only.owner, only.status) == (
        "订单 A1", "客户催退款", "回电确认到账", local(24, 15, 30), "agent3", "draft")
    assert view.addressed_to() == "agent3"


@pytest.mark.parametrize("who", ["agent2", "lead1"])
def test_only_the_author_saves_a_draft(do, login_as, agent, who) -> None:
    view = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    with pytest.raises(NotAllowed) as caught:
        do(ho.save_draft, login_as(who), view.id, view.version, overall="normal", summary="x",
           watchouts="", items=[], now=EARLY, zone=ZONE)
    assert str(caught.value) == "Only its author can edit a draft handover."


def test_someone_of_another_team_saving_a_draft_finds_nothing(do, agent, outsider) -> None:
    view = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    with pytest.raises(NotFound):
        do(ho.save_draft, outsider, view.id, view.version, overall="normal", summary="x",
           watchouts="", items=[], now=EARLY, zone=ZONE)


def test_saving_a_stale_version_conflicts_naming_who_when_and_both_versions(do, agent) -> None:
    view = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    later = EARLY + timedelta(minutes=7)
    do(ho.save_draft, agent, view.id, view.version, overall="normal", summary="在另一个窗口写的",
       watchouts="", items=[], now=later, zone=ZONE)
    with pytest.raises(Conflict) as caught:
        do(ho.save_draft, agent, view.id, view.version, overall="busy", summary="旧窗口",
           watchouts="", items=[], now=later, zone=ZONE)
    assert str(caught.value) == (
        f"This handover was changed by agent1 at {local_time(later)} (version 2); you edited "
        "version 1. Reload it and apply your change again.")
    assert do(ho.get_handover, agent, view.id).summary == "在另一个窗口写的"


def test_submit_lists_every_missing_field(do, agent) -> None:
    view = draft(do, agent, EARLY, summary="  ",
                 items=[ItemInput(), ItemInput(reference="订单 A2", due="15:30")])
    with pytest.raises(Invalid) as caught:
        do(ho.submit, agent, view.id, view.version, now=END_OF_EARLY)
    assert str(caught.value) == (
        "Fill in before submitting: Summary; Item 1: customer or order; Item 1: situation; "
        "Item 1: next action; Item 1: due; Item 2: situation; Item 2: next action.")
    assert do(ho.get_handover, agent, view.id).status == "draft"


def test_submit_names_missing_fields_in_the_readers_language(do, agent) -> None:
    from cscterm.i18n import set_language

    view = draft(do, agent, EARLY, summary="", items=[ItemInput(reference="订单 A2", situation="x",
                                                               next_action="y")])
    set_language("zh_CN")
    with pytest.raises(Invalid) as caught:
        do(ho.submit, agent, view.id, view.version, now=END_OF_EARLY)
    assert str(caught.value) == "提交前请填写：本班概况; 第 1 项：截止时间。"


def test_submit_sends_the_note_and_opens_its_items(do, agent) -> None:
    view = draft(do, agent, EARLY, items=[item("订单 A1"), item("订单 A2")])
    sent = do(ho.submit, agent, view.id, view.version, now=END_OF_EARLY)
    assert (sent.status, sent.submitted_at, sent.version) == ("submitted", END_OF_EARLY, view.version + 1)
    assert [i.status for i in sent.items] == ["open", "open"]
    assert [i.reference for i in sent.open_items] == ["订单 A1", "订单 A2"]


def test_a_submitted_note_can_no_longer_be_saved_or_submitted(do, agent) -> None:
    sent = morning_note(do, agent)
    with pytest.raises(Conflict) as caught:
        do(ho.save_draft, agent, sent.id, sent.version, overall="normal", summary="改一下",
           watchouts="", items=[], now=MIDDLE, zone=ZONE)
    assert str(caught.value) == (
        f"This handover was submitted at {local_time(END_OF_EARLY)} and can no longer be edited.")
    with pytest.raises(Conflict):
        do(ho.submit, agent, sent.id, sent.version, now=MIDDLE)
    with pytest.raises(Conflict):
        do(ho.discard_draft, agent, sent.id)


def test_a_submit_from_a_stale_editor_conflicts(do, agent) -> None:
    view = draft(do, agent, EARLY)
    do(ho.save_draft, agent, view.id, view.version, overall="busy", summary="新的", watchouts="",
       items=[], now=EARLY, zone=ZONE)
    with pytest.raises(Conflict) as caught:
        do(ho.submit, agent, view.id, view.version, now=END_OF_EARLY)
    assert "(version 3); you edited version 2" in str(caught.value)
    assert do(ho.get_handover, agent, view.id).status == "draft"


def test_a_note_addressed_to_an_unknown_login_is_invalid(do, agent) -> None:
    view = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    with pytest.raises(Invalid) as caught:
        do(ho.save_draft, agent, view.id, view.version, overall="normal", summary="x", watchouts="",
           items=[], to_user="ghost", now=EARLY, zone=ZONE)
    assert str(caught.value) == "To: nobody logs in as “ghost”."


def test_a_note_addressed_to_its_author_is_invalid(do, agent) -> None:
    view = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    with pytest.raises(Invalid) as caught:
        do(ho.save_draft, agent, view.id, view.version, overall="normal", summary="x", watchouts="",
           items=[], to_user=" agent1 ", now=EARLY, zone=ZONE)
    assert str(caught.value) == "A handover cannot be addressed to its author."


@pytest.mark.parametrize(("fields", "message"), [
    ({"overall": "calm"}, "Unknown shift status “calm”; use one of: normal, busy, incident."),
    ({"summary": "长" * 4001}, "Summary is too long (4001 characters; at most 4000)."),
    ({"watchouts": "x" * 4001}, "Watch-outs is too long (4001 characters; at most 4000)."),
    ({"items": [item("订" * 121)]}, "Item 1: customer or order is too long (121 characters; at most 120)."),
    ({"items": [item(situation="x" * 2001)]},
     "Item 1: situation is too long (2001 characters; at most 2000)."),
    ({"items": [item()] * 101}, "101 items; a handover holds at most 100."),
    ({"items": [item(), item(owner="ghost")]}, "Item 2: owner: nobody logs in as “ghost”."),
    ({"items": [item(owner="agent9")]}, "Item 1: owner: agent9 is not in team default."),
    ({"items": [item(due="明天")]}, "Item 1: due: “明天” is not a time; write 15:30, 11-24 09:00, "
                                    "2026-11-24 09:00 or +30m / +2h."),
])
def test_save_draft_refuses_invalid_fields_and_keeps_the_draft(do, agent, outsider, fields,
                                                               message) -> None:
    view = do(ho.start_handover, agent, now=EARLY, zone=ZONE)
    values = {"overall": "normal", "summary": "ok", "watchouts": "", "items": [], **fields}
    with pytest.raises(Invalid) as caught:
        do(ho.save_draft, agent, view.id, view.version, now=EARLY, zone=ZONE, **values)
    assert str(caught.value) == message
    assert do(ho.get_handover, agent, view.id).version == view.version


def test_discarding_a_draft_removes_it_and_only_its_author_may(do, agent, agent2) -> None:
    view = draft(do, agent, EARLY, summary="不要了", items=[item()])
    with pytest.raises(NotAllowed):
        do(ho.discard_draft, agent2, view.id)
    do(ho.discard_draft, agent, view.id)
    assert do(ho.inbox, agent, now=EARLY).drafts == []
    assert do(ho.start_handover, agent, now=EARLY, zone=ZONE).summary == ""


# ── rollover ───────────────────────────────────────────────────────────────


def test_open_items_of_the_last_note_prefill_the_next_shifts_draft(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    following = do(ho.start_handover, agent2, now=MIDDLE, zone=ZONE)
    assert following.shift_name == "中班"
    assert [(i.reference, i.situation, i.next_action, i.due_at, i.owner_id, i.rolled_count,
             i.origin_id, i.status) for i in following.items] == [
        (o.reference, o.situation, o.next_action, o.due_at, o.owner_id, 1, o.id, "draft")
        for o in sent.items]


def test_submitting_the_next_note_hands_the_origin_items_on(workspace, do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    following = submitted(do, agent2, MIDDLE, keep=True)
    for origin, copy in zip(sent.items, following.items, strict=True):
        stored = row(workspace, HandoverItem, origin.id)
        assert (stored.status, stored.carried_to_id, stored.version) == (
            "handed_on", copy.id, origin.version + 1)
        assert (copy.status, copy.rolled_count, copy.origin_id) == ("open", 1, origin.id)
    assert [i.status for i in do(ho.get_handover, agent, sent.id).items] == ["handed_on", "handed_on"]


def test_items_of_a_draft_never_roll_over(do, agent, agent2) -> None:
    draft(do, agent, END_OF_EARLY, items=[item("订单 草稿")])
    assert do(ho.start_handover, agent2, now=MIDDLE, zone=ZONE).items == ()


def test_done_items_and_other_teams_items_do_not_roll_over(do, agent, agent2, outsider) -> None:
    sent = morning_note(do, agent)
    submitted(do, outsider, END_OF_EARLY, items=[item("B组订单")])
    first = sent.items[0]
    do(ho.complete_item, agent, first.id, first.version, "已退款", now=END_OF_EARLY)
    following = do(ho.start_handover, agent2, now=MIDDLE, zone=ZONE)
    assert [i.reference for i in following.items] == ["订单 A2"]


def test_an_item_done_meanwhile_makes_the_submit_of_its_copy_conflict_writing_nothing(
        workspace, do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    following = draft(do, agent2, MIDDLE, keep=True)
    first = sent.items[0]
    do(ho.complete_item, agent, first.id, first.version, "已退款", now=MIDDLE + timedelta(minutes=1))
    with pytest.raises(Conflict) as caught:
        do(ho.submit, agent2, following.id, following.version, now=MIDDLE + timedelta(minutes=2))
    assert str(caught.value) == (
        "The rolled-over item “订单 A1” was meanwhile closed or handed on in another note; "
        "remove it from this one.")
    still = do(ho.get_handover, agent2, following.id)
    assert (still.status, still.version) == ("draft", following.version)
    assert [i.status for i in still.items] == ["draft", "draft"]
    other = row(workspace, HandoverItem, sent.items[1].id)
    assert (other.status, other.carried_to_id) == ("open", None)


def test_saving_a_draft_that_still_carries_a_closed_item_conflicts(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    following = draft(do, agent2, MIDDLE, keep=True)
    first = sent.items[0]
    do(ho.complete_item, agent, first.id, first.version, "已退款", now=MIDDLE)
    with pytest.raises(Conflict):
        do(ho.save_draft, agent2, following.id, following.version, overall="normal", summary="x",
           watchouts="", items=kept(following), now=MIDDLE, zone=ZONE)
    saved = do(ho.save_draft, agent2, following.id, following.version, overall="normal", summary="x",
               watchouts="", items=kept(following)[1:], now=MIDDLE, zone=ZONE)
    assert do(ho.submit, agent2, saved.id, saved.version, now=MIDDLE).status == "submitted"


def test_of_two_drafts_carrying_the_same_item_the_second_submit_conflicts(do, agent, agent2,
                                                                          agent3) -> None:
    morning_note(do, agent)
    mine = draft(do, agent2, MIDDLE, keep=True)
    theirs = draft(do, agent3, MIDDLE, keep=True)
    assert do(ho.submit, agent2, mine.id, mine.version, now=MIDDLE).status == "submitted"
    with pytest.raises(Conflict) as caught:
        do(ho.submit, agent3, theirs.id, theirs.version, now=MIDDLE)
    assert "订单 A1" in str(caught.value)
    assert do(ho.get_handover, agent3, theirs.id).status == "draft"


def test_the_rolled_count_keeps_growing_shift_after_shift(do, agent, agent2, agent3) -> None:
    sent = submitted(do, agent, END_OF_EARLY, items=[item("订单 老大难", "2026-11-26 12:00")])
    chain = [sent.items[0]]
    for actor, when in ((agent2, MIDDLE), (agent3, local(25, 1)), (agent, local(25, 9))):
        note = submitted(do, actor, when, keep=True)
        (copy,) = note.items
        assert (copy.origin_id, copy.rolled_count) == (chain[-1].id, len(chain))
        chain.append(copy)
    assert [i.rolled_count for i in chain] == [0, 1, 2, 3]


def test_a_rolled_over_item_past_its_due_is_saved_unchanged_and_stays_overdue(do, lead, agent,
                                                                               agent2) -> None:
    sent = submitted(do, agent, EARLY + timedelta(seconds=37), items=[item("订单 过期", "+30m")])
    following = draft(do, agent2, MIDDLE, keep=True)  # its due, 10:30, is before 16:00
    (copy,) = following.items
    assert copy.due_at == sent.items[0].due_at == EARLY + timedelta(minutes=30, seconds=37)
    moved = do(ho.submit, agent2, following.id, following.version, now=MIDDLE)
    assert [i.id for i in queue(do, lead, MIDDLE).overdue] == [moved.items[0].id]


def test_a_rolled_over_item_given_another_time_before_the_shift_is_refused(do, agent, agent2) -> None:
    submitted(do, agent, EARLY, items=[item("订单 过期", "10:30")])
    following = draft(do, agent2, MIDDLE, keep=True)
    changed = [replace(kept(following)[0], due="2026-11-24 11:00")]
    with pytest.raises(Invalid) as caught:
        do(ho.save_draft, agent2, following.id, following.version, overall="normal", summary="x",
           watchouts="", items=changed, now=MIDDLE, zone=ZONE)
    assert "is before the shift starts (11-24 16:00)" in str(caught.value)


def test_a_discarded_draft_lets_its_rolled_over_items_roll_again(workspace, do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    following = draft(do, agent2, MIDDLE, keep=True)
    do(ho.discard_draft, agent2, following.id)
    assert [(r.status, r.carried_to_id) for r in
            (row(workspace, HandoverItem, i.id) for i in sent.items)] == [("open", None)] * 2
    again = do(ho.start_handover, agent2, now=MIDDLE, zone=ZONE)
    assert [i.origin_id for i in again.items] == [i.id for i in sent.items]


def test_an_item_handed_on_to_the_next_shift_rolls_into_the_next_note(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    second = sent.items[1]
    handed = do(ho.hand_on_item, agent, second.id, second.version, "下一班跟进", now=END_OF_EARLY)
    assert (handed.status, handed.owner_id) == ("handed_on", agent.id)
    assert handed.comments[-1].kind == "handed_on"
    following = do(ho.start_handover, agent2, now=MIDDLE, zone=ZONE)
    assert [(i.reference, i.rolled_count) for i in following.items] == [("订单 A1", 1), ("订单 A2", 1)]


# ── acknowledging ──────────────────────────────────────────────────────────


def test_the_next_shift_acknowledges_with_a_synthesis(workspace, do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    acked = do(ho.acknowledge, agent2, sent.id, "  退款两单，A1 今晚回电  ", accept_all(sent), now=MIDDLE)
    assert (acked.status, acked.acked_by, acked.acked_at, acked.synthesis) == (
        "acknowledged", "agent2", MIDDLE, "退款两单，A1 今晚回电")
    assert acked.version == sent.version + 1
    assert [i.ack for i in acked.items] == ["accepted", "accepted"]
    assert row(workspace, Handover, sent.id).ack_delay_s == 5 * 60


def test_accepted_items_without_an_owner_go_to_the_acknowledger(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    acked = do(ho.acknowledge, agent2, sent.id, "收到", accept_all(sent), now=MIDDLE)
    assert [(i.reference, i.owner) for i in acked.items] == [("订单 A1", "agent2"), ("订单 A2", "agent1")]


def test_a_question_becomes_a_comment_and_leaves_the_item_open_and_unowned(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    first, second = sent.items
    acked = do(ho.acknowledge, agent2, sent.id, "收到", {
        first.id: ItemDecision(accept=False, question="客户电话是多少？"),
        second.id: ItemDecision(accept=True)}, now=MIDDLE)
    asked = acked.items[0]
    assert (asked.ack, asked.status, asked.owner_id) == ("question", "open", None)
    assert [(c.author, c.kind, c.body, c.created_at) for c in asked.comments] == [
        ("agent2", "question", "客户电话是多少？", MIDDLE)]


def test_acknowledging_needs_a_decision_on_every_open_item_listing_the_undecided(do, agent,
                                                                                agent2) -> None:
    sent = morning_note(do, agent)
    first, second = sent.items
    with pytest.raises(Invalid) as caught:
        do(ho.acknowledge, agent2, sent.id, "收到", {}, now=MIDDLE)
    assert str(caught.value) == "Accept or ask a question on every open item: 1 (订单 A1); 2 (订单 A2)."
    with pytest.raises(Invalid) as caught:
        do(ho.acknowledge, agent2, sent.id, "收到", {
            first.id: ItemDecision(accept=False, question="  "), second.id: ItemDecision(accept=True)},
           now=MIDDLE)
    assert str(caught.value) == "Accept or ask a question on every open item: 1 (订单 A1)."
    assert do(ho.get_handover, agent2, sent.id).status == "submitted"


def test_items_closed_before_the_acknowledgement_need_no_decision(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    first, second = sent.items
    do(ho.complete_item, agent, first.id, first.version, "已回电", now=END_OF_EARLY)
    acked = do(ho.acknowledge, agent2, sent.id, "收到", {second.id: ItemDecision(True)}, now=MIDDLE)
    assert [(i.status, i.ack) for i in acked.items] == [("done", ""), ("open", "accepted")]


@pytest.mark.parametrize("synthesis", ["", "   ", "\n \n"])
def test_acknowledging_without_a_synthesis_is_invalid(do, agent, agent2, synthesis) -> None:
    sent = morning_note(do, agent)
    with pytest.raises(Invalid) as caught:
        do(ho.acknowledge, agent2, sent.id, synthesis, accept_all(sent), now=MIDDLE)
    assert str(caught.value) == "Synthesis is required."


def test_a_synthesis_is_at_most_300_characters(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    with pytest.raises(Invalid) as caught:
        do(ho.acknowledge, agent2, sent.id, "复" * 301, accept_all(sent), now=MIDDLE)
    assert str(caught.value) == "Synthesis is too long (301 characters; at most 300)."
    acked = do(ho.acknowledge, agent2, sent.id, "复" * 300, accept_all(sent), now=MIDDLE)
    assert acked.synthesis == "复" * 300


def test_the_author_cannot_acknowledge_their_own_note(do, agent) -> None:
    sent = morning_note(do, agent)
    with pytest.raises(NotAllowed) as caught:
        do(ho.acknowledge, agent, sent.id, "自己确认", accept_all(sent), now=MIDDLE)
    assert str(caught.value) == (
        "This handover is addressed to 2026-11-24 中班; only they can acknowledge it.")


def test_a_note_to_a_named_person_is_acknowledged_by_them_alone(do, lead, agent, agent2, agent3) -> None:
    sent = morning_note(do, agent, to_user="agent3")
    for other in (agent2, lead):
        with pytest.raises(NotAllowed) as caught:
            do(ho.acknowledge, other, sent.id, "我来", accept_all(sent), now=MIDDLE)
        assert "addressed to agent3" in str(caught.value)
    assert do(ho.acknowledge, agent3, sent.id, "收到", accept_all(sent), now=MIDDLE).acked_by == "agent3"


def test_a_lead_outside_the_addressed_team_cannot_acknowledge(do, lead, outsider) -> None:
    sent = submitted(do, outsider, END_OF_EARLY, items=[item("B组订单")])
    with pytest.raises(NotAllowed):
        do(ho.acknowledge, lead, sent.id, "组长确认", accept_all(sent), now=MIDDLE)


def test_someone_of_another_team_cannot_even_find_the_note_to_acknowledge(do, agent, outsider) -> None:
    sent = morning_note(do, agent)
    with pytest.raises(NotFound):
        do(ho.acknowledge, outsider, sent.id, "收到", accept_all(sent), now=MIDDLE)


def test_a_second_acknowledgement_conflicts_naming_who_and_when(do, agent, agent2, agent3) -> None:
    sent = morning_note(do, agent)
    do(ho.acknowledge, agent2, sent.id, "收到", accept_all(sent), now=MIDDLE)
    with pytest.raises(Conflict) as caught:
        do(ho.acknowledge, agent3, sent.id, "我也收到", accept_all(sent), now=MIDDLE + timedelta(minutes=1))
    assert str(caught.value) == f"Already acknowledged by agent2 at {local_time(MIDDLE)}."
    assert do(ho.get_handover, agent3, sent.id).synthesis == "收到"


def test_a_draft_cannot_be_acknowledged(do, agent, agent2) -> None:
    view = draft(do, agent, EARLY, items=[item()])
    with pytest.raises(NotFound):
        do(ho.acknowledge, agent2, view.id, "收到", {}, now=MIDDLE)
    with pytest.raises(NotAllowed):
        do(ho.acknowledge, agent, view.id, "收到", {}, now=MIDDLE)


def test_the_acknowledgement_delay_is_recorded_even_when_early(workspace, do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    do(ho.acknowledge, agent2, sent.id, "提前接班", accept_all(sent), now=local(24, 15, 55))
    assert row(workspace, Handover, sent.id).ack_delay_s == -5 * 60


# ── working the items ──────────────────────────────────────────────────────


def test_completing_an_item_needs_a_note_and_closes_it(workspace, do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    first = sent.items[0]
    with pytest.raises(Invalid) as caught:
        do(ho.complete_item, agent2, first.id, first.version, "  ", now=MIDDLE)
    assert str(caught.value) == "Note is required."
    done = do(ho.complete_item, agent2, first.id, first.version, "已原路退款", now=MIDDLE)
    assert (done.status, done.closing_note, done.version) == ("done", "已原路退款", first.version + 1)
    assert [(c.kind, c.author, c.body) for c in done.comments] == [("done", "agent2", "已原路退款")]
    stored = row(workspace, HandoverItem, first.id)
    assert (stored.closed_at, stored.closed_by) == (MIDDLE, agent2.id)


def test_completing_from_a_stale_version_conflicts_naming_who_and_both_versions(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    first = sent.items[0]
    do(ho.add_comment, agent, first.id, "客户没接电话", now=MIDDLE)
    moved = do(ho.hand_on_item, agent, first.id, first.version, "你来跟", to="agent2", now=MIDDLE)
    with pytest.raises(Conflict) as caught:
        do(ho.complete_item, agent2, first.id, first.version, "已处理", now=MIDDLE)
    assert str(caught.value) == (
        f"This item was changed by agent1 at {local_time(MIDDLE)} (version {moved.version}); you "
        f"edited version {first.version}. Reload it and apply your change again.")


def test_a_closed_item_cannot_be_completed_handed_on_or_reassigned(do, lead, agent) -> None:
    first = morning_note(do, agent).items[0]
    done = do(ho.complete_item, agent, first.id, first.version, "好了", now=MIDDLE)
    with pytest.raises(Conflict) as caught:
        do(ho.complete_item, agent, first.id, done.version, "再关一次", now=MIDDLE)
    assert str(caught.value) == "This item is already done."
    with pytest.raises(Conflict):
        do(ho.hand_on_item, agent, first.id, done.version, "", now=MIDDLE)
    with pytest.raises(Conflict):
        do(ho.reassign_item, lead, first.id, done.version, "agent1", now=MIDDLE)


def test_handing_an_item_to_a_teammate_makes_them_its_owner(do, agent, agent3) -> None:
    first = morning_note(do, agent).items[0]
    moved = do(ho.hand_on_item, agent, first.id, first.version, "你熟这个客户", to="agent3", now=MIDDLE)
    assert (moved.status, moved.owner, moved.version) == ("open", "agent3", first.version + 1)
    assert [(c.kind, c.body) for c in moved.comments] == [("handed_on", "→ agent3: 你熟这个客户")]
    assert [i.reference for i in do(ho.inbox, agent3, now=MIDDLE).my_items] == ["订单 A1"]


def test_an_item_cannot_be_handed_to_someone_of_another_team_or_nobody(do, agent, outsider) -> None:
    first = morning_note(do, agent).items[0]
    with pytest.raises(Invalid) as caught:
        do(ho.hand_on_item, agent, first.id, first.version, "", to="agent9", now=MIDDLE)
    assert str(caught.value) == "To: agent9 is not in team default."
    with pytest.raises(Invalid):
        do(ho.hand_on_item, agent, first.id, first.version, "", to="ghost", now=MIDDLE)


def test_a_comment_joins_the_items_thread(do, agent, agent2) -> None:
    first = morning_note(do, agent).items[0]
    with pytest.raises(Invalid) as caught:
        do(ho.add_comment, agent2, first.id, " \n ", now=MIDDLE)
    assert str(caught.value) == "Comment is required."
    view = do(ho.add_comment, agent2, first.id, "客户改约明早", now=MIDDLE)
    assert [(c.author, c.kind, c.body) for c in view.comments] == [("agent2", "note", "客户改约明早")]
    assert view.version == first.version


def test_only_a_lead_reassigns_an_item(do, lead, agent, agent2) -> None:
    first = morning_note(do, agent).items[0]
    with pytest.raises(NotAllowed):
        do(ho.reassign_item, agent2, first.id, first.version, "agent2", now=MIDDLE)
    moved = do(ho.reassign_item, lead, first.id, first.version, "agent2", now=MIDDLE)
    assert (moved.owner, moved.status) == ("agent2", "open")
    assert [(c.author, c.kind, c.body) for c in moved.comments] == [("lead1", "reassigned", "→ agent2")]


def test_someone_of_another_team_cannot_see_or_work_the_items(do, agent, outsider) -> None:
    first = morning_note(do, agent).items[0]
    for call in (lambda: do(ho.complete_item, outsider, first.id, first.version, "x", now=MIDDLE),
                 lambda: do(ho.hand_on_item, outsider, first.id, first.version, "x", now=MIDDLE),
                 lambda: do(ho.add_comment, outsider, first.id, "x", now=MIDDLE)):
        with pytest.raises(NotFound):
            call()
    assert do(ho.inbox, outsider, now=MIDDLE).team_items == []


def test_a_reader_from_another_team_may_not_work_items_they_do_not_own(do, agent, outsider) -> None:
    sent = morning_note(do, agent, to_user="agent9")
    first = sent.items[1]  # owned by agent1
    assert do(ho.get_handover, outsider, sent.id).to_user == "agent9"
    with pytest.raises(NotAllowed) as caught:
        do(ho.complete_item, outsider, first.id, first.version, "x", now=MIDDLE)
    assert str(caught.value) == "Only the team, the item's owner or a lead can work on this item."


def test_a_lead_reassigns_only_within_the_items_team(do, lead, agent, outsider) -> None:
    first = morning_note(do, agent).items[0]
    with pytest.raises(Invalid) as caught:
        do(ho.reassign_item, lead, first.id, first.version, "agent9", now=MIDDLE)
    assert "agent9" in str(caught.value) and "default" in str(caught.value)
    assert do(ho.inbox, outsider, now=MIDDLE).my_items == []


def test_reassigning_to_the_current_owner_changes_nothing(do, lead, agent) -> None:
    owned = morning_note(do, agent).items[1]  # owned by agent1
    again = do(ho.reassign_item, lead, owned.id, owned.version, "agent1", now=MIDDLE)
    assert again.version == owned.version and again.comments == ()


def test_items_of_a_draft_are_worked_in_the_draft(do, agent, agent2) -> None:
    view = draft(do, agent, EARLY, items=[item()])
    only = view.items[0]
    with pytest.raises(Invalid) as caught:
        do(ho.complete_item, agent, only.id, only.version, "x", now=EARLY)
    assert str(caught.value) == "The handover is still a draft; edit the item in the draft."
    with pytest.raises(NotFound):
        do(ho.add_comment, agent2, only.id, "x", now=EARLY)


def test_an_unknown_item_is_not_found(do, agent) -> None:
    with pytest.raises(NotFound) as caught:
        do(ho.complete_item, agent, 9999, 1, "x", now=EARLY)
    assert str(caught.value) == "Item #9999 does not exist or is not visible to you."


# ── who sees what ──────────────────────────────────────────────────────────


def test_a_draft_is_visible_to_its_author_only(do, lead, agent, agent2) -> None:
    view = draft(do, agent, EARLY)
    assert do(ho.get_handover, agent, view.id).id == view.id
    for other in (agent2, lead):
        with pytest.raises(NotFound):
            do(ho.get_handover, other, view.id)


def test_another_teams_note_is_hidden_from_an_agent_and_shown_to_a_lead(do, lead, agent, outsider) -> None:
    sent = submitted(do, outsider, END_OF_EARLY, items=[item("B组订单")])
    with pytest.raises(NotFound) as caught:
        do(ho.get_handover, agent, sent.id)
    assert str(caught.value) == f"Handover #{sent.id} does not exist or is not visible to you."
    assert do(ho.get_handover, lead, sent.id).team == "B"


@pytest.fixture
def history(do, agent, agent2, outsider) -> tuple[HandoverView, HandoverView]:
    ours = submitted(do, agent, END_OF_EARLY, summary="今天退款高峰，系统卡顿",
                     watchouts="Refund API slow after 15:00",
                     items=[item("订单 A1", situation="客户投诉物流停滞")])
    theirs = submitted(do, outsider, END_OF_EARLY, summary="B组也有退款")
    draft(do, agent2, MIDDLE, summary="草稿里的秘密")
    return ours, theirs


@pytest.mark.parametrize("query", ["退", "卡", "退款", "物流", "退款高峰", "投诉物流停滞", "refund",
                                   "REFUND api", "A1"])
def test_search_history_finds_short_and_long_chinese_and_english_words(do, agent2, history, query) -> None:
    ours, _theirs = history
    assert [r.id for r in do(ho.search_history, agent2, query)] == [ours.id]


@pytest.mark.parametrize("query", ["高峰退款", "秘密", "草稿", "refunds", "", "  ", "!!"])
def test_search_history_finds_nothing_that_is_not_in_a_sent_note(do, agent2, history, query) -> None:
    assert do(ho.search_history, agent2, query) == []


def test_search_history_of_a_lead_covers_every_team_newest_first(do, lead, outsider, history) -> None:
    ours, theirs = history
    assert [r.id for r in do(ho.search_history, lead, "退款")] == [theirs.id, ours.id]
    assert [r.id for r in do(ho.search_history, outsider, "退款")] == [theirs.id]
    assert [r.id for r in do(ho.search_history, lead, "退款", before_id=theirs.id)] == [ours.id]


def test_search_history_finds_the_synthesis_once_acknowledged(do, agent2, agent3, history) -> None:
    ours, _theirs = history
    assert do(ho.search_history, agent3, "盯紧") == []
    do(ho.acknowledge, agent2, ours.id, "已接手，今晚盯紧物流", accept_all(ours), now=MIDDLE)
    (found,) = do(ho.search_history, agent3, "盯紧")
    assert (found.id, found.status, found.acked_by) == (ours.id, "acknowledged", "agent2")


# ── inbox ──────────────────────────────────────────────────────────────────


def waiting(do: Do, actor: Actor, now: datetime) -> list[int]:
    return [r.id for r in do(ho.inbox, actor, now=now).to_acknowledge]


def test_the_inbox_offers_a_note_from_two_hours_before_its_shift(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    assert waiting(do, agent2, local(24, 13, 59)) == []
    assert waiting(do, agent2, local(24, 14)) == [sent.id]
    assert waiting(do, agent2, MIDDLE) == [sent.id]
    assert do(ho.waiting_ids, agent2, now=MIDDLE) == {sent.id}


def test_rows_of_lists_only_notes_the_viewer_may_read(do, lead, agent, agent2, outsider) -> None:
    sent = morning_note(do, agent)
    assert [r.id for r in do(ho.rows_of, agent2, {sent.id})] == [sent.id]
    assert do(ho.rows_of, outsider, {sent.id}) == []
    assert do(ho.rows_of, agent2, set()) == []


def test_the_inbox_never_offers_the_authors_own_note(do, agent) -> None:
    morning_note(do, agent)
    assert waiting(do, agent, MIDDLE) == []


def test_an_acknowledged_note_leaves_everyones_inbox(do, agent, agent2, agent3) -> None:
    sent = morning_note(do, agent)
    do(ho.acknowledge, agent2, sent.id, "收到", accept_all(sent), now=MIDDLE)
    assert waiting(do, agent2, MIDDLE) == [] and waiting(do, agent3, MIDDLE) == []
    assert [r.id for r in do(ho.inbox, agent3, now=MIDDLE).recent] == [sent.id]


def test_a_note_to_a_named_person_waits_in_their_inbox_only_whenever_it_is(do, agent, agent2,
                                                                         agent3) -> None:
    sent = morning_note(do, agent, to_user="agent3")
    assert waiting(do, agent3, local(24, 9)) == [sent.id]
    assert waiting(do, agent3, local(26, 9)) == [sent.id]
    assert waiting(do, agent2, MIDDLE) == []


def test_the_inbox_drops_a_team_note_a_day_after_its_shift_began(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    assert waiting(do, agent2, local(25, 16)) == [sent.id]
    assert waiting(do, agent2, local(25, 16, 1)) == []


def test_another_teams_notes_never_wait_in_an_agents_inbox(do, agent, outsider) -> None:
    morning_note(do, agent)
    assert waiting(do, outsider, MIDDLE) == []


def test_the_inbox_lists_my_items_the_teams_open_items_and_my_drafts(do, agent, agent2, agent3) -> None:
    sent = morning_note(do, agent)
    do(ho.acknowledge, agent2, sent.id, "收到", accept_all(sent), now=MIDDLE)
    mine = draft(do, agent3, MIDDLE, summary="写了一半")
    box2 = do(ho.inbox, agent2, now=MIDDLE)
    assert [i.reference for i in box2.my_items] == ["订单 A1"]
    assert [i.reference for i in do(ho.inbox, agent, now=MIDDLE).my_items] == ["订单 A2"]
    assert sorted(i.reference for i in box2.team_items) == ["订单 A1", "订单 A2"]
    assert [r.id for r in do(ho.inbox, agent3, now=MIDDLE).drafts] == [mine.id]
    assert box2.drafts == []


def test_items_carried_into_a_later_note_are_listed_once(do, agent, agent2) -> None:
    sent = morning_note(do, agent)
    following = submitted(do, agent2, MIDDLE, keep=True)
    items = do(ho.inbox, agent, now=MIDDLE).team_items
    assert sorted(i.id for i in items) == sorted(i.id for i in following.items)
    assert not {i.id for i in items} & {i.id for i in sent.items}


# ── the lead's queue ───────────────────────────────────────────────────────


def queue(do: Do, lead: Actor, now: datetime, **kwargs: Any) -> ho.LeadQueue:
    kwargs.setdefault("first", date(2026, 11, 24))
    kwargs.setdefault("last", date(2026, 11, 24))
    return do(ho.lead_queue, lead, now=now, zone=ZONE, **kwargs)


def test_the_stored_grace_decides_what_is_late(do, lead, agent) -> None:
    sent = morning_note(do, agent)  # addressed to the middle shift (16:00)
    at = sent.to_shift_start + timedelta(minutes=20)
    assert [r.id for r in queue(do, lead, at).late] == [sent.id]
    assert do(ho.set_ack_grace, lead, 30) == timedelta(minutes=30)
    assert queue(do, lead, at).late == []
    assert queue(do, lead, at).grace == timedelta(minutes=30)


def test_only_a_lead_sets_the_grace_and_only_within_a_day(do, lead, agent) -> None:
    with pytest.raises(NotAllowed):
        do(ho.set_ack_grace, agent, 30)
    for bad in (-1, 24 * 60 + 1):
        with pytest.raises(Invalid):
            do(ho.set_ack_grace, lead, bad)


def test_the_lead_queue_is_for_leads(do, agent) -> None:
    with pytest.raises(NotAllowed):
        queue(do, agent, MIDDLE)


def test_a_note_not_acknowledged_15_minutes_into_the_shift_is_late(do, lead, agent) -> None:
    sent = morning_note(do, agent)
    assert queue(do, lead, local(24, 16, 15)).late == []
    assert [r.id for r in queue(do, lead, local(24, 16, 16)).late] == [sent.id]


def test_the_grace_time_is_configurable(do, lead, agent) -> None:
    morning_note(do, agent)
    assert queue(do, lead, local(24, 16, 20), grace=timedelta(minutes=30)).late == []
    assert len(queue(do, lead, local(24, 16, 31), grace=timedelta(minutes=30)).late) == 1


def test_a_note_acknowledged_in_time_is_not_late_and_one_acknowledged_late_is(do, lead, agent,
                                                                             agent2) -> None:
    on_time = morning_note(do, agent)
    do(ho.acknowledge, agent2, on_time.id, "收到", accept_all(on_time), now=local(24, 16, 15))
    assert queue(do, lead, local(24, 20)).late == []
    late = submitted(do, agent2, local(24, 23, 50), items=[])
    do(ho.acknowledge, agent, late.id, "收到", {}, now=local(25, 0, 20))
    found = queue(do, lead, local(25, 9), last=date(2026, 11, 25)).late
    assert [(r.id, r.acked_by) for r in found] == [(late.id, "agent1")]


def test_open_items_past_their_due_time_are_overdue(do, lead, agent) -> None:
    sent = morning_note(do, agent)
    first, second = sent.items  # due 23:00 and 20:00
    assert queue(do, lead, local(24, 19, 59)).overdue == []
    assert [i.id for i in queue(do, lead, local(24, 20, 1)).overdue] == [second.id]
    do(ho.complete_item, agent, second.id, second.version, "好了", now=local(24, 21))
    assert [i.id for i in queue(do, lead, local(24, 23, 30)).overdue] == [first.id]


def test_an_item_overdue_since_before_the_range_still_shows_most_recent_first(do, lead, agent) -> None:
    first, second = morning_note(do, agent).items  # due 23:00 and 20:00 on the 24th
    later = queue(do, lead, local(26, 9), first=date(2026, 11, 26), last=date(2026, 11, 26))
    assert [i.id for i in later.overdue] == [first.id, second.id]
    assert {i.team for i in later.overdue} == {"default"}
    # a range that ends before the due time does not list it
    early = queue(do, lead, local(26, 9), first=date(2026, 11, 23), last=date(2026, 11, 23))
    assert early.overdue == []


def test_an_item_carried_into_a_later_note_cannot_be_reassigned(do, lead, agent, agent2) -> None:
    sent = morning_note(do, agent)
    submitted(do, agent2, MIDDLE, keep=True)
    old = sent.items[0]
    with pytest.raises(Conflict):
        do(ho.reassign_item, lead, old.id, old.version + 1, "agent2", now=MIDDLE)


def test_items_rolled_over_three_times_are_flagged(do, lead, agent, agent2, agent3) -> None:
    submitted(do, agent, END_OF_EARLY, items=[item("订单 老大难", "2026-11-26 12:00")])
    submitted(do, agent2, MIDDLE, keep=True)
    submitted(do, agent3, local(25, 1), keep=True)
    assert queue(do, lead, local(25, 2)).rolled == []
    third = submitted(do, agent, local(25, 9), keep=True)
    assert [(i.id, i.rolled_count) for i in queue(do, lead, local(25, 10)).rolled] == [
        (third.items[0].id, 3)]


def test_the_lead_queue_lists_every_sent_note_of_the_range_for_a_chosen_team(do, lead, agent, agent2,
                                                                          outsider) -> None:
    ours = morning_note(do, agent)
    theirs = submitted(do, outsider, END_OF_EARLY, items=[])
    draft(do, agent2, MIDDLE)
    tomorrow = submitted(do, agent2, local(25, 9), items=[])
    everything = queue(do, lead, MIDDLE)
    assert sorted(r.id for r in everything.shifts) == sorted([ours.id, theirs.id])
    assert everything.teams == ["B", "default"]
    assert [r.id for r in queue(do, lead, MIDDLE, team="B").shifts] == [theirs.id]
    later = queue(do, lead, local(25, 10), first=date(2026, 11, 25), last=date(2026, 11, 25))
    assert [r.id for r in later.shifts] == [tomorrow.id]


def test_a_lead_queue_range_ending_before_it_starts_is_invalid(do, lead) -> None:
    with pytest.raises(Invalid) as caught:
        queue(do, lead, MIDDLE, first=date(2026, 11, 24), last=date(2026, 11, 23))
    assert str(caught.value) == "The range ends (2026-11-23) before it starts (2026-11-24)."


# ── export ─────────────────────────────────────────────────────────────────


@pytest.fixture
def two_days(do, agent, agent2, outsider) -> dict[str, HandoverView]:
    return {
        "ours": morning_note(do, agent),
        "theirs": submitted(do, outsider, END_OF_EARLY, items=[item("B组订单")]),
        "tomorrow": submitted(do, agent2, local(25, 9), items=[]),
        "draft": draft(do, agent, local(25, 9)),
    }


def test_an_agent_exports_their_own_teams_sent_notes_of_the_range(do, agent, two_days) -> None:
    notes = do(ho.export, agent, first=date(2026, 11, 24), last=date(2026, 11, 25), zone=ZONE)
    assert [n.id for n in notes] == [two_days["ours"].id, two_days["tomorrow"].id]
    assert [i.reference for i in notes[0].items] == ["订单 A1", "订单 A2"]
    one_day = do(ho.export, agent, first=date(2026, 11, 24), last=date(2026, 11, 24), zone=ZONE)
    assert [n.id for n in one_day] == [two_days["ours"].id]


def test_an_agent_may_not_export_another_team(do, agent, two_days) -> None:
    with pytest.raises(NotAllowed) as caught:
        do(ho.export, agent, first=date(2026, 11, 24), last=date(2026, 11, 25), team="B", zone=ZONE)
    assert str(caught.value) == "You can only export your own team's handovers."


def test_a_lead_exports_every_team_or_a_chosen_one(do, lead, two_days) -> None:
    every = do(ho.export, lead, first=date(2026, 11, 24), last=date(2026, 11, 25), zone=ZONE)
    assert {n.id for n in every} == {two_days[k].id for k in ("ours", "theirs", "tomorrow")}
    only_b = do(ho.export, lead, first=date(2026, 11, 24), last=date(2026, 11, 25), team="B", zone=ZONE)
    assert [n.id for n in only_b] == [two_days["theirs"].id]


def test_an_export_range_ending_before_it_starts_is_invalid(do, agent) -> None:
    with pytest.raises(Invalid):
        do(ho.export, agent, first=date(2026, 11, 25), last=date(2026, 11, 24), zone=ZONE)


# ── hostile text ───────────────────────────────────────────────────────────


@pytest.mark.parametrize("text", HOSTILE, ids=lambda s: one_line(s, 24))
def test_markup_and_escape_sequences_are_stored_as_typed(do, agent, agent2, text) -> None:
    sent = submitted(do, agent, END_OF_EARLY, summary=text, watchouts=text,
                     items=[item(text, situation=text, next_action=text), item("订单 H2")])
    first, second = sent.items
    acked = do(ho.acknowledge, agent2, sent.id, text, {
        first.id: ItemDecision(accept=False, question=text), second.id: ItemDecision(True)}, now=MIDDLE)
    do(ho.add_comment, agent2, first.id, text, now=MIDDLE)
    do(ho.complete_item, agent2, second.id, acked.items[1].version, text, now=MIDDLE)
    back = do(ho.get_handover, agent2, sent.id)
    assert (back.summary, back.watchouts) == (text, text)
    assert (back.items[0].situation, back.items[0].next_action) == (text, text)
    assert [c.body for c in back.items[0].comments] == [text, text]
    assert back.items[1].closing_note == text
    # one-line fields keep the first line, control characters as visible pictures
    assert back.items[0].reference == one_line(text)
    assert back.synthesis == one_line(text)
    assert isinstance(do(ho.search_history, agent2, text), list)


@pytest.mark.parametrize("text", [t for t in HOSTILE if t == one_line(t)], ids=lambda s: s[:24])
def test_markup_in_one_line_fields_is_stored_as_typed(do, agent, agent2, text) -> None:
    sent = submitted(do, agent, END_OF_EARLY, items=[item(text)])
    acked = do(ho.acknowledge, agent2, sent.id, text, accept_all(sent), now=MIDDLE)
    assert (acked.items[0].reference, acked.synthesis) == (text, text)
