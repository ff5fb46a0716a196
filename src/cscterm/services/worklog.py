"""The personal daily work log (工作日报).

One page per agent and shift date (a night shift belongs to the date it
starts on): the day's metrics against their targets, quick timestamped
notes, plan items (a day item not done is carried to the next day, keeping
its age) and monthly key plans (月度重点计划), reminders that fire during the
shift (二次致电 …), the three-part reflection — business (业务日常), team (团队
日常), learnings (工作心得) — and the activity the workbench counted itself.

Notes are private to their author. Submitting the day shows its metrics and
reflection to the leads of the author's team. Metric definitions are for
leads to change.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from typing import TypeVar

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from cscterm.db.tables.core import User, utcnow
from cscterm.db.tables.worklog import DailyLog, LogNote, MetricDef, MetricValue, PlanItem, Reminder
from cscterm.errors import Invalid, NotAllowed, NotFound
from cscterm.i18n import t
from cscterm.services.users import Actor, require_lead
from cscterm.services.versioning import claim
from cscterm.text import local_zone, one_line

UNITS = ("count", "duration", "percent", "number")
DIRECTIONS = ("up", "down")
# key, label (zh), label (en), unit, direction, target
DEFAULT_METRICS = (
    ("contacts", "接待量", "Contacts handled", "count", "up", 120.0),
    ("handle_time", "平均接待时长", "Average handle time", "duration", "down", 180.0),
    ("resolve_time", "平均解决时长", "Average time to resolve", "duration", "down", 1800.0),
    ("satisfaction", "满意度", "Satisfaction", "percent", "up", 95.0),
    ("callbacks", "回访 / 二次致电", "Callbacks made", "count", "up", 10.0),
)
MAX_NOTE = 2000
MAX_PLAN = 300
MAX_REFLECTION = 4000
MAX_COUNT = 1_000_000
MAX_DURATION = 7 * 24 * 3600
SNOOZE = timedelta(minutes=10)
T = TypeVar("T")
_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")


def _f(name: str) -> str:
    return t(f"field.log.{name}")


# ── days ───────────────────────────────────────────────────────────────────


def shift_day(session: Session, actor: Actor, moment: datetime | None = None,
              zone: tzinfo | None = None) -> date:
    """The shift date ``moment`` belongs to in the actor's team."""
    from cscterm.services.shifts import slot_at

    return slot_at(session, actor.team, moment or utcnow(), zone).day


def day_window(session: Session, team: str, day: date,
               zone: tzinfo | None = None) -> tuple[datetime, datetime]:
    """From the first of the day's shifts' start to the last one's end."""
    return day_windows(session, team, [day], zone)[day]


def day_windows(session: Session, team: str, days: Sequence[date],
                zone: tzinfo | None = None) -> dict[date, tuple[datetime, datetime]]:
    """:func:`day_window` of each of ``days`` (the team's shifts read once)."""
    from cscterm.services.shifts import slot_of, team_shifts

    zone = zone or local_zone()
    shifts = team_shifts(session, team)
    out = {}
    for day in days:
        slots = [slot_of(team, shift, day, zone) for shift in shifts]
        out[day] = (min(s.start for s in slots), max(s.end for s in slots))
    return out


def parse_day(value: str, field_name: str = "date") -> date:
    text = (value or "").strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid("err.invalid.date", field=field_name, value=one_line(text, 20)) from None


# ── metrics ────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Metric:
    id: int
    key: str
    label: str
    unit: str
    direction: str
    target: float | None
    version: int

    @property
    def is_counter(self) -> bool:
        return self.unit == "count"


def _metric(row: MetricDef) -> Metric:
    assert row.id is not None
    return Metric(row.id, row.key, row.label, row.unit, row.direction, row.target, row.version)


def ensure_metrics(session: Session) -> None:
    """The default set, in a database that has none yet."""
    if session.exec(select(func.count()).select_from(MetricDef)).one():
        return
    from cscterm.i18n import get_language

    zh = get_language() == "zh_CN"
    for n, (key, label_zh, label_en, unit, direction, target) in enumerate(DEFAULT_METRICS):
        session.add(MetricDef(key=key, label=label_zh if zh else label_en, unit=unit,
                              direction=direction, target=target, position=n))
    session.flush()


def metrics(session: Session) -> list[Metric]:
    ensure_metrics(session)
    rows = session.exec(select(MetricDef).where(MetricDef.active)
                        .order_by(col(MetricDef.position), col(MetricDef.id))).all()
    return [_metric(r) for r in rows]


def _metric_by_key(session: Session, key: str) -> MetricDef:
    ensure_metrics(session)
    row = session.exec(select(MetricDef).where(MetricDef.key == key.strip(), MetricDef.active)).first()
    if row is None:
        known = ", ".join(m.key for m in metrics(session))
        raise NotFound("err.not_found.metric", key=one_line(key, 32), known=known)
    return row


def define_metric(session: Session, actor: Actor, key: str, *, label: str, unit: str,
                  direction: str = "up", target: str | float | None = None,
                  version: int | None = None) -> Metric:
    """Add or change a metric (leads). ``target`` is read like a value."""
    require_lead(actor, "err.not_allowed.metrics")
    key = key.strip()
    if not _KEY.fullmatch(key):
        raise Invalid("err.invalid.metric_key", key=one_line(key, 40))
    label = " ".join((label or "").split())
    if not label:
        raise Invalid("err.invalid.required", field=_f("label"))
    if len(label) > 60:
        raise Invalid("err.invalid.too_long", field=_f("label"), length=len(label), limit=60)
    if unit not in UNITS:
        raise Invalid("err.invalid.choice", field=_f("unit"), value=one_line(unit, 20),
                      choices=", ".join(UNITS))
    if direction not in DIRECTIONS:
        raise Invalid("err.invalid.choice", field=_f("direction"), value=one_line(direction, 20),
                      choices=", ".join(DIRECTIONS))
    row = session.exec(select(MetricDef).where(MetricDef.key == key)).first()
    probe = MetricDef(key=key, label=label, unit=unit, direction=direction)
    goal = None if target in (None, "") else (
        parse_value(_metric_like(probe), target) if isinstance(target, str) else float(target))
    if row is None:
        position = session.exec(select(func.count()).select_from(MetricDef)).one()
        row = MetricDef(key=key, label=label, unit=unit, direction=direction, target=goal,
                        position=position, updated_by=actor.id)
    else:
        if version is not None:
            assert row.id is not None
            claim(session, MetricDef, row.id, version, "what.metric")
        else:
            row.version += 1
        row.label, row.unit, row.direction, row.target, row.active = label, unit, direction, goal, True
        row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    session.flush()
    return _metric(row)


def retire_metric(session: Session, actor: Actor, key: str) -> None:
    """Stop asking for a metric (leads); the values kept stay in the history."""
    require_lead(actor, "err.not_allowed.metrics")
    row = _metric_by_key(session, key)
    row.active = False
    row.version += 1
    row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    session.flush()


def _metric_like(row: MetricDef) -> Metric:
    return Metric(row.id or 0, row.key, row.label, row.unit, row.direction, row.target, row.version)


_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*(?:(\d+(?:\.\d+)?)\s*s)?$",
                       re.IGNORECASE)
_CLOCKLIKE = re.compile(r"^(\d+):([0-5]\d)$")


def parse_value(metric: Metric, value: str | float | int) -> float:
    """A value typed for ``metric``: counts are whole numbers ≥ 0, percentages
    0–100, durations ``3m20s`` / ``200s`` / ``3:20``, numbers any ≥ 0."""
    text = str(value).strip().replace("，", ",").replace("％", "%")
    example = t(f"log.example.{metric.unit}")
    number: float | None = None
    if metric.unit == "duration":
        match = _DURATION.match(text) if text else None
        clock = _CLOCKLIKE.match(text)
        if clock:
            number = int(clock[1]) * 60 + int(clock[2])
        elif match and any(match.groups()):
            hours, minutes, seconds = match.groups()
            number = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
        elif re.fullmatch(r"\d+(?:\.\d+)?", text):
            number = float(text)  # plain seconds
        if number is None or number > MAX_DURATION:
            raise Invalid("err.invalid.metric_value", metric=metric.label,
                          value=one_line(text, 20), example=example)
        return float(number)
    try:
        number = float(text.rstrip("%").strip()) if text else None
    except ValueError:
        number = None
    if number is None or number != number or number in (float("inf"), float("-inf")):
        raise Invalid("err.invalid.metric_value", metric=metric.label, value=one_line(text, 20),
                      example=example)
    if metric.unit == "count" and (number < 0 or number != int(number) or number > MAX_COUNT):
        raise Invalid("err.invalid.metric_value", metric=metric.label, value=one_line(text, 20),
                      example=example)
    if metric.unit == "percent" and not 0 <= number <= 100:
        raise Invalid("err.invalid.metric_value", metric=metric.label, value=one_line(text, 20),
                      example=example)
    if number < 0:
        raise Invalid("err.invalid.metric_value", metric=metric.label, value=one_line(text, 20),
                      example=example)
    return number


def format_value(metric: Metric, value: float | None) -> str:
    if value is None:
        return "—"
    if metric.unit == "duration":
        seconds = int(round(value))
        hours, rest = divmod(seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        if hours:
            return f"{hours}h{minutes:02d}m"
        return f"{minutes}m{seconds:02d}s" if minutes else f"{seconds}s"
    if metric.unit == "percent":
        return f"{value:g}%"
    if metric.unit == "count":
        return str(int(value))
    return f"{value:g}"


def meets(metric: Metric, value: float | None) -> bool | None:
    """Whether ``value`` reaches the target (None without either)."""
    if value is None or metric.target is None:
        return None
    return value >= metric.target if metric.direction == "up" else value <= metric.target


def _value_row(session: Session, actor: Actor, day: date, metric: MetricDef) -> MetricValue | None:
    return session.get(MetricValue, (actor.id, day.isoformat(), metric.id))


def _log(session: Session, actor: Actor, day: date) -> DailyLog | None:
    return session.exec(select(DailyLog).where(DailyLog.user_id == actor.id,
                                               DailyLog.day == day.isoformat())).first()


def _ensure_log(session: Session, actor: Actor, day: date) -> DailyLog:
    row = _log(session, actor, day)
    if row is None:
        row = DailyLog(user_id=actor.id, team=actor.team, day=day.isoformat(), updated_by=actor.id)
        session.add(row)
        session.flush()
    return row


def set_value(session: Session, actor: Actor, key: str, value: str | float, *,
              day: date | None = None, now: datetime | None = None) -> float:
    now = now or utcnow()
    day = day or shift_day(session, actor, now)
    row = _metric_by_key(session, key)
    number = parse_value(_metric(row), value)
    _ensure_log(session, actor, day)
    stored = _value_row(session, actor, day, row)
    if stored is None:
        stored = MetricValue(user_id=actor.id, day=day.isoformat(), metric_id=row.id or 0)
    stored.value = number
    stored.updated_at = now
    session.add(stored)
    session.flush()
    return number


def bump(session: Session, actor: Actor, key: str, delta: int = 1, *, day: date | None = None,
         now: datetime | None = None) -> float:
    """``+1`` / ``-1`` on a counter; it never goes below zero."""
    now = now or utcnow()
    day = day or shift_day(session, actor, now)
    row = _metric_by_key(session, key)
    if row.unit != "count":
        raise Invalid("err.invalid.not_counter", metric=row.label,
                      example=t(f"log.example.{row.unit}"))
    stored = _value_row(session, actor, day, row)
    current = stored.value if stored else 0
    if current + delta < 0:
        raise Invalid("err.invalid.below_zero", metric=row.label, value=int(current))
    return set_value(session, actor, key, str(int(current + delta)), day=day, now=now)


_DELTA = re.compile(r"^([+-])\s*(\d{1,7})$")


def parse_delta(text: str) -> int | None:
    """``+1`` / ``-2`` → 1 / -2; None when ``text`` is a value to set."""
    match = _DELTA.match(text.strip())
    if not match:
        return None
    return int(match[2]) * (1 if match[1] == "+" else -1)


# ── notes ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Note:
    id: int
    at: datetime
    body: str


def _text(value: str, name: str, limit: int) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid("err.invalid.required", field=_f(name))
    if len(value) > limit:
        raise Invalid("err.invalid.too_long", field=_f(name), length=len(value), limit=limit)
    return value


def add_note(session: Session, actor: Actor, body: str, *, now: datetime | None = None) -> Note:
    now = now or utcnow()
    body = _text(body, "note", MAX_NOTE)
    row = LogNote(user_id=actor.id, day=shift_day(session, actor, now).isoformat(), at=now,
                  body=body)
    session.add(row)
    session.flush()
    assert row.id is not None
    return Note(row.id, row.at, row.body)


def notes(session: Session, actor: Actor, day: date) -> list[Note]:
    """The actor's own notes of a day (nobody else reads them)."""
    rows = session.exec(select(LogNote).where(LogNote.user_id == actor.id,
                                              LogNote.day == day.isoformat())
                        .order_by(col(LogNote.at))).all()
    return [Note(r.id or 0, r.at, r.body) for r in rows]


def delete_note(session: Session, actor: Actor, note_id: int) -> None:
    row = session.get(LogNote, note_id)
    if row is None or row.user_id != actor.id:
        raise NotFound("err.not_found.note", id=note_id)
    session.delete(row)
    session.flush()


# ── plans ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Plan:
    id: int
    kind: str
    period: str
    text: str
    status: str
    first_day: str
    age_days: int  # days since first planned, as of the page's day
    month_plan_id: int | None


def _plan(row: PlanItem, day: date) -> Plan:
    age = (day - date.fromisoformat(row.first_day)).days if row.first_day else 0
    return Plan(row.id or 0, row.kind, row.period, row.text, row.status, row.first_day,
                max(age, 0), row.month_plan_id)


def add_plan(session: Session, actor: Actor, text: str, *, kind: str = "day",
             day: date | None = None, month_plan_id: int | None = None,
             now: datetime | None = None) -> Plan:
    if kind not in ("day", "month"):
        raise Invalid("err.invalid.choice", field=_f("plan"), value=kind, choices="day, month")
    day = day or shift_day(session, actor, now)
    text = _text(text, "plan", MAX_PLAN)
    if month_plan_id is not None:
        parent = session.get(PlanItem, month_plan_id)
        if parent is None or parent.user_id != actor.id or parent.kind != "month":
            raise NotFound("err.not_found.plan", id=month_plan_id)
    period = day.isoformat() if kind == "day" else day.isoformat()[:7]
    position = session.exec(select(func.count()).select_from(PlanItem).where(
        PlanItem.user_id == actor.id, PlanItem.kind == kind, PlanItem.period == period)).one()
    row = PlanItem(user_id=actor.id, kind=kind, period=period, text=text,
                   first_day=day.isoformat(), month_plan_id=month_plan_id, position=position)
    session.add(row)
    session.flush()
    return _plan(row, day)


def set_plan_status(session: Session, actor: Actor, plan_id: int, status: str, *,
                    now: datetime | None = None) -> Plan:
    """Mark a plan item done, dropped, or open again."""
    if status not in ("open", "done", "dropped"):
        raise Invalid("err.invalid.choice", field=_f("status"), value=status,
                      choices="open, done, dropped")
    row = session.get(PlanItem, plan_id)
    if row is None or row.user_id != actor.id or row.status == "carried":
        raise NotFound("err.not_found.plan", id=plan_id)
    row.status = status
    row.closed_at = None if status == "open" else (now or utcnow())
    session.add(row)
    session.flush()
    day = date.fromisoformat(row.period) if row.kind == "day" else date.fromisoformat(row.first_day)
    return _plan(row, day)


def carry_over(session: Session, actor: Actor, day: date) -> list[Plan]:
    """Day items still open from earlier days move to ``day`` (once), keeping
    the day they were first planned."""
    old = session.exec(select(PlanItem).where(
        PlanItem.user_id == actor.id, PlanItem.kind == "day", PlanItem.status == "open",
        col(PlanItem.period) < day.isoformat()).order_by(col(PlanItem.period),
                                                         col(PlanItem.position))).all()
    carried = []
    position = session.exec(select(func.count()).select_from(PlanItem).where(
        PlanItem.user_id == actor.id, PlanItem.kind == "day",
        PlanItem.period == day.isoformat())).one()
    for row in old:
        # Compare-and-set: two pages opened at once carry each item once.
        taken = session.execute(update(PlanItem).where(col(PlanItem.id) == row.id,
                                                       col(PlanItem.status) == "open")
                                .values(status="carried")
                                .execution_options(synchronize_session="fetch"))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue
        new = PlanItem(user_id=actor.id, kind="day", period=day.isoformat(), text=row.text,
                       first_day=row.first_day, month_plan_id=row.month_plan_id,
                       position=position)
        position += 1
        session.add(new)
        carried.append(new)
    if carried:
        session.flush()
    return [_plan(r, day) for r in carried]


@dataclass(frozen=True)
class PlanTally:
    """Plan against actual: items planned, and how they ended."""

    planned: int
    done: int
    dropped: int
    open: int
    carried: int


def _tally(rows: Sequence[PlanItem]) -> PlanTally:
    statuses = [r.status for r in rows]
    return PlanTally(len(statuses), statuses.count("done"), statuses.count("dropped"),
                     statuses.count("open"), statuses.count("carried"))


def _month_tally(rows: Sequence[PlanItem]) -> PlanTally:
    """An item carried over leaves a "carried" row on each day it moved from;
    the month counts the item once (its latest row), and the moves apart."""
    kept = [r for r in rows if r.status != "carried"]
    tally = _tally(kept)
    return PlanTally(tally.planned, tally.done, tally.dropped, tally.open, len(rows) - len(kept))


# ── reminders ──────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ReminderView:
    id: int
    due_at: datetime
    text: str
    status: str
    fired: bool
    snoozed: int


def _reminder(row: Reminder) -> ReminderView:
    return ReminderView(row.id or 0, row.due_at, row.text, row.status, row.fired_at is not None,
                        row.snoozed)


def add_reminder(session: Session, actor: Actor, when: str, text: str, *,
                 now: datetime | None = None, zone: tzinfo | None = None) -> ReminderView:
    """``15:30`` (the next 15:30), ``11-24 09:00``, ``+30m``, ``+2h``."""
    from cscterm.services.shifts import parse_due

    now = now or utcnow()
    zone = zone or local_zone()
    text = _text(text, "reminder", MAX_PLAN)
    due = parse_due(when, after=now - timedelta(minutes=1), now=now, zone=zone,
                    field_name=_f("when"))
    if due is None:
        raise Invalid("err.invalid.required", field=_f("when"))
    row = Reminder(user_id=actor.id, day=shift_day(session, actor, now, zone).isoformat(),
                   due_at=due, text=text, created_at=now)
    session.add(row)
    session.flush()
    return _reminder(row)


def _own_reminder(session: Session, actor: Actor, reminder_id: int) -> Reminder:
    row = session.get(Reminder, reminder_id)
    if row is None or row.user_id != actor.id:
        raise NotFound("err.not_found.reminder", id=reminder_id)
    return row


def due_reminders(session: Session, actor: Actor, *, now: datetime | None = None) -> list[ReminderView]:
    """Open reminders whose time has come and that have not fired yet; they
    are marked fired (each fires once; a snooze sets it again)."""
    now = now or utcnow()
    rows = session.exec(select(Reminder).where(
        Reminder.user_id == actor.id, Reminder.status == "open", col(Reminder.due_at) <= now,
        col(Reminder.fired_at).is_(None)).order_by(col(Reminder.due_at)).limit(20)).all()
    for row in rows:
        row.fired_at = now
        session.add(row)
    session.flush()
    return [_reminder(r) for r in rows]


def snooze(session: Session, actor: Actor, reminder_id: int, *, minutes: int = 10,
           now: datetime | None = None) -> ReminderView:
    if not 1 <= minutes <= 24 * 60:
        raise Invalid("err.invalid.snooze", value=minutes)
    row = _own_reminder(session, actor, reminder_id)
    if row.status != "open":
        raise Invalid("err.invalid.reminder_closed")
    row.due_at = (now or utcnow()) + timedelta(minutes=minutes)
    row.fired_at = None
    row.snoozed += 1
    session.add(row)
    session.flush()
    return _reminder(row)


def finish_reminder(session: Session, actor: Actor, reminder_id: int, *,
                    now: datetime | None = None) -> ReminderView:
    row = _own_reminder(session, actor, reminder_id)
    row.status = "done"
    row.closed_at = now or utcnow()
    session.add(row)
    session.flush()
    return _reminder(row)


def open_reminders(session: Session, actor: Actor, *, until: datetime | None = None) -> list[ReminderView]:
    """Open reminders (due before ``until`` if given), soonest first: what the
    end of the shift offers as open items for the handover."""
    query = select(Reminder).where(Reminder.user_id == actor.id, Reminder.status == "open")
    if until is not None:
        query = query.where(col(Reminder.due_at) <= until)
    return [_reminder(r) for r in session.exec(query.order_by(col(Reminder.due_at)).limit(100))]


def hand_over_reminders(session: Session, actor: Actor, ids: Sequence[int], *,
                        now: datetime | None = None) -> list[ReminderView]:
    """Mark reminders as passed on in the shift handover (they stop firing)."""
    out = []
    for reminder_id in ids:
        row = _own_reminder(session, actor, reminder_id)
        if row.status == "open":
            row.status = "handed_over"
            row.closed_at = now or utcnow()
            session.add(row)
        out.append(_reminder(row))
    session.flush()
    return out


# ── reflection and submitting the day ──────────────────────────────────────


@dataclass(frozen=True)
class Reflection:
    business: str
    teamwork: str
    learnings: str
    submitted_at: datetime | None
    version: int


def _reflection(row: DailyLog) -> Reflection:
    return Reflection(row.business, row.teamwork, row.learnings, row.submitted_at, row.version)


def save_reflection(session: Session, actor: Actor, day: date, version: int, *, business: str,
                    teamwork: str, learnings: str, now: datetime | None = None) -> Reflection:
    """Store the three parts (a stale save is refused)."""
    parts = {"business": business, "teamwork": teamwork, "learnings": learnings}
    for name, value in parts.items():
        if len(value or "") > MAX_REFLECTION:
            raise Invalid("err.invalid.too_long", field=_f(name), length=len(value),
                          limit=MAX_REFLECTION)
    row = _ensure_log(session, actor, day)
    assert row.id is not None
    if version == 0 and not (row.business or row.teamwork or row.learnings):
        row.version += 1  # written from an empty page over an empty one: nothing to lose
    else:
        claim(session, DailyLog, row.id, version, "what.daily_log")
    row.business, row.teamwork, row.learnings = (v.strip() for v in parts.values())
    row.updated_at, row.updated_by = now or utcnow(), actor.id
    session.add(row)
    session.flush()
    return _reflection(row)


def submit_day(session: Session, actor: Actor, day: date, *,
               now: datetime | None = None) -> Reflection:
    """Show the day's metrics and reflection to the team's leads (notes stay
    private). A day may be submitted again after a change."""
    row = _ensure_log(session, actor, day)
    row.submitted_at = now or utcnow()
    row.version += 1
    row.updated_at, row.updated_by = row.submitted_at, actor.id
    session.add(row)
    session.flush()
    return _reflection(row)


# ── activity the workbench counted ─────────────────────────────────────────


@dataclass(frozen=True)
class Activity:
    scripts_copied: int
    by_scenario: list[tuple[str, int]]  # most used first
    handovers_written: int
    handovers_acknowledged: int
    transfers_sent: int
    transfers_claimed: int
    transfers_resolved: int


def activity(session: Session, actor: Actor, day: date, zone: tzinfo | None = None) -> Activity:
    return activities(session, actor, [day], zone)[day]


def activities(session: Session, actor: Actor, days: Sequence[date],
               zone: tzinfo | None = None) -> dict[date, Activity]:
    """What the workbench counted for the actor on each of ``days``: the
    moments are read once for the whole span and counted into each day's
    window (from its first shift's start to its last one's end)."""
    # The other parts' tables are built only when activity is counted: a
    # note or a count from the shell needs none of them.
    from cscterm.db.tables.handover import Handover
    from cscterm.db.tables.library import Scenario, Script, ScriptUsage
    from cscterm.db.tables.transfer import TransferEvent

    if not days:
        return {}
    windows = day_windows(session, actor.team, days, zone)
    start, end = min(w[0] for w in windows.values()), max(w[1] for w in windows.values())
    copied = session.exec(
        select(ScriptUsage.used_at, Scenario.title)
        .select_from(ScriptUsage)
        .join(Script, col(Script.id) == col(ScriptUsage.script_id))
        .join(Scenario, col(Scenario.id) == col(Script.scenario_id), isouter=True)
        .where(ScriptUsage.user_id == actor.id, col(ScriptUsage.used_at) >= start,
               col(ScriptUsage.used_at) < end)).all()
    written = session.exec(select(Handover.submitted_at).where(
        Handover.author_id == actor.id, col(Handover.submitted_at) >= start,
        col(Handover.submitted_at) < end)).all()
    acked = session.exec(select(Handover.acked_at).where(
        Handover.acked_by == actor.id, col(Handover.acked_at) >= start,
        col(Handover.acked_at) < end)).all()
    events = session.exec(select(TransferEvent.at, TransferEvent.kind).where(
        TransferEvent.actor_id == actor.id, col(TransferEvent.at) >= start,
        col(TransferEvent.at) < end)).all()
    titles: dict[date, dict[str, int]] = {day: {} for day in windows}
    for day, (_at, title) in _by_day(windows, copied, lambda row: row[0]):
        titles[day][title or "—"] = titles[day].get(title or "—", 0) + 1
    kinds: dict[date, dict[str, int]] = {day: {} for day in windows}
    for day, (_at, kind) in _by_day(windows, events, lambda row: row[0]):
        kinds[day][kind] = kinds[day].get(kind, 0) + 1
    wrote: dict[date, int] = dict.fromkeys(windows, 0)
    for day, _at in _by_day(windows, written, lambda at: at):
        wrote[day] += 1
    took: dict[date, int] = dict.fromkeys(windows, 0)
    for day, _at in _by_day(windows, acked, lambda at: at):
        took[day] += 1
    out = {}
    for day in windows:
        pairs = sorted(titles[day].items(), key=lambda pair: (-pair[1], pair[0]))  # most used first
        counted = kinds[day]
        out[day] = Activity(
            scripts_copied=sum(titles[day].values()), by_scenario=pairs,
            handovers_written=wrote[day], handovers_acknowledged=took[day],
            transfers_sent=counted.get("sent", 0) + counted.get("resent", 0),
            transfers_claimed=counted.get("claimed", 0),
            transfers_resolved=counted.get("resolved", 0))
    return out


def _by_day(windows: dict[date, tuple[datetime, datetime]], rows: Sequence[T],
            moment: Callable[[T], datetime]) -> Iterator[tuple[date, T]]:
    """Each row with every day whose window holds its moment. A later day's
    window starts and ends later, so the days holding a moment are the ones
    just before the first window starting after it (found by bisection)."""
    days = sorted(windows, key=lambda d: windows[d][0])
    starts = [windows[d][0] for d in days]
    for row in rows:
        at = moment(row)
        i = bisect_right(starts, at) - 1
        while i >= 0 and windows[days[i]][1] > at:
            yield days[i], row
            i -= 1


# ── the day page ───────────────────────────────────────────────────────────


@dataclass(frozen=True)
class MetricToday:
    metric: Metric
    value: float | None
    shown: str
    target_shown: str
    meets: bool | None


@dataclass(frozen=True)
class DayPage:
    day: date
    metrics: list[MetricToday]
    notes: list[Note]
    plans: list[Plan]  # the day's items, oldest first; "carried" ones moved on to a later day
    month_plans: list[Plan]
    day_tally: PlanTally
    month_tally: PlanTally
    reminders: list[ReminderView]  # open ones, soonest first
    reflection: Reflection
    activity: Activity


def day_page(session: Session, actor: Actor, day: date | None = None, *,
             now: datetime | None = None, zone: tzinfo | None = None,
             carry: bool = True) -> DayPage:
    """Everything on the actor's page for ``day`` (today's shift date by
    default); opening today's page carries open plan items over."""
    now = now or utcnow()
    today = shift_day(session, actor, now, zone)
    day = day or today
    if carry and day == today:
        carry_over(session, actor, day)
    return _pages(session, actor, [day], today, zone)[0]


def _pages(session: Session, actor: Actor, days: Sequence[date], today: date,
           zone: tzinfo | None) -> list[DayPage]:
    """The actor's pages for ``days`` (ascending), each table read once for
    the whole span."""
    lo, hi = days[0].isoformat(), days[-1].isoformat()
    months = sorted({d.isoformat()[:7] for d in days})
    values: dict[str, dict[int, float]] = {}
    for row in session.exec(select(MetricValue).where(
            MetricValue.user_id == actor.id, col(MetricValue.day) >= lo,
            col(MetricValue.day) <= hi)):
        values.setdefault(row.day, {})[row.metric_id] = row.value
    logs = {row.day: row for row in session.exec(select(DailyLog).where(
        DailyLog.user_id == actor.id, col(DailyLog.day) >= lo, col(DailyLog.day) <= hi))}
    notes_of: dict[str, list[Note]] = {}
    for row in session.exec(select(LogNote).where(
            LogNote.user_id == actor.id, col(LogNote.day) >= lo, col(LogNote.day) <= hi)
            .order_by(col(LogNote.at))):
        notes_of.setdefault(row.day, []).append(Note(row.id or 0, row.at, row.body))
    plans_of: dict[str, list[PlanItem]] = {}
    for row in session.exec(select(PlanItem).where(
            PlanItem.user_id == actor.id, PlanItem.kind == "day", col(PlanItem.period) >= lo,
            col(PlanItem.period) <= hi)
            .order_by(col(PlanItem.first_day), col(PlanItem.position))):
        plans_of.setdefault(row.period, []).append(row)
    month_plans: dict[str, list[PlanItem]] = {}
    for row in session.exec(select(PlanItem).where(
            PlanItem.user_id == actor.id, PlanItem.kind == "month",
            col(PlanItem.period).in_(months)).order_by(col(PlanItem.position))):
        month_plans.setdefault(row.period, []).append(row)
    month_days: dict[str, list[PlanItem]] = {}
    for row in session.exec(select(PlanItem).where(
            PlanItem.user_id == actor.id, PlanItem.kind == "day",
            col(PlanItem.period) >= months[0], col(PlanItem.period) < months[-1] + "~")):
        month_days.setdefault(row.period[:7], []).append(row)
    defined = metrics(session)
    reminders = open_reminders(session, actor)
    counted = activities(session, actor, days, zone)
    pages = []
    for day in days:
        key, month = day.isoformat(), day.isoformat()[:7]
        log = logs.get(key)
        kept = _reflection(log) if log else Reflection("", "", "", None, 0)
        # Today's counts are still being made until the day is submitted:
        # one below its target is not missed yet.
        counting = day == today and kept.submitted_at is None
        day_rows = plans_of.get(key, [])
        pages.append(DayPage(
            day=day,
            metrics=[_metric_today(m, values.get(key, {}).get(m.id), counting) for m in defined],
            notes=notes_of.get(key, []), plans=[_plan(r, day) for r in day_rows],
            month_plans=[_plan(r, day) for r in month_plans.get(month, [])],
            day_tally=_tally(day_rows), month_tally=_month_tally(month_days.get(month, [])),
            reminders=reminders, reflection=kept, activity=counted[day]))
    return pages


def _metric_today(metric: Metric, value: float | None, counting: bool = False) -> MetricToday:
    met = meets(metric, value)
    if counting and met is False and metric.is_counter and metric.direction == "up":
        met = None  # short of the target so far, not missed
    return MetricToday(metric, value, format_value(metric, value),
                       format_value(metric, metric.target) if metric.target is not None else "",
                       met)


def metric_today(session: Session, actor: Actor, key: str, day: date) -> MetricToday:
    """One metric's value on the actor's ``day`` against its target."""
    row = _metric_by_key(session, key)
    stored = _value_row(session, actor, day, row)
    return _metric_today(_metric(row), stored.value if stored else None)


def reflection(session: Session, actor: Actor, day: date) -> Reflection:
    """The actor's reflection on ``day`` (empty, version 0, before one is kept)."""
    log = _log(session, actor, day)
    return _reflection(log) if log else Reflection("", "", "", None, 0)


# ── trends and the lead's view ─────────────────────────────────────────────


@dataclass(frozen=True)
class Trend:
    metric: Metric
    days: list[date]
    values: list[float | None]  # one per day, None where nothing was kept


def trend(session: Session, actor: Actor, key: str, *, first: date, last: date) -> Trend:
    """One metric of the actor's, day by day."""
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    row = _metric_by_key(session, key)
    found = dict(session.exec(select(MetricValue.day, MetricValue.value).where(
        MetricValue.user_id == actor.id, MetricValue.metric_id == row.id,
        col(MetricValue.day) >= first.isoformat(), col(MetricValue.day) <= last.isoformat())).all())
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return Trend(_metric(row), days, [found.get(d.isoformat()) for d in days])


@dataclass(frozen=True)
class TeamDay:
    login: str
    name: str
    day: date
    values: dict[str, float]  # metric key → value
    reflection: Reflection


def team_days(session: Session, actor: Actor, *, first: date, last: date,
              team: str | None = None) -> list[TeamDay]:
    """Submitted days of the lead's team, side by side (notes never show)."""
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.team_logs")
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    team = team or actor.team
    # Columns, not ORM objects: a month of a team is a few hundred days and
    # over a thousand values, and building objects for them was most of the time.
    logs = session.exec(
        select(DailyLog.user_id, DailyLog.day, User.login, User.display_name,
               DailyLog.business, DailyLog.teamwork, DailyLog.learnings,
               DailyLog.submitted_at, DailyLog.version)
        .join(User, col(User.id) == col(DailyLog.user_id))
        .where(DailyLog.team == team, col(DailyLog.submitted_at).is_not(None),
               col(DailyLog.day) >= first.isoformat(), col(DailyLog.day) <= last.isoformat())
        .order_by(col(DailyLog.day), col(User.login)).limit(2000)).all()
    keys = {m.id: m.key for m in metrics(session)}
    values: dict[tuple[int, str], dict[str, float]] = {}
    if logs:
        users = {row[0] for row in logs}
        for user_id, day, metric_id, value in session.exec(
                select(MetricValue.user_id, MetricValue.day, MetricValue.metric_id,
                       MetricValue.value)
                .where(col(MetricValue.user_id).in_(users),
                       col(MetricValue.day) >= first.isoformat(),
                       col(MetricValue.day) <= last.isoformat())):
            if metric_id in keys:
                values.setdefault((user_id, day), {})[keys[metric_id]] = value
    return [TeamDay(login, name or login, date.fromisoformat(day), values.get((user_id, day), {}),
                    Reflection(business, teamwork, learnings, submitted_at, version))
            for user_id, day, login, name, business, teamwork, learnings, submitted_at, version
            in logs]


# ── export ─────────────────────────────────────────────────────────────────


def export_days(session: Session, actor: Actor, *, first: date, last: date,
                zone: tzinfo | None = None, now: datetime | None = None) -> list[DayPage]:
    """The actor's own pages for a range (days with anything on them)."""
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    if (last - first).days > 366:
        raise Invalid("err.invalid.range_too_long", days=(last - first).days + 1, limit=367)
    kept = set(session.exec(select(DailyLog.day).where(
        DailyLog.user_id == actor.id, col(DailyLog.day) >= first.isoformat(),
        col(DailyLog.day) <= last.isoformat())).all())
    kept |= set(session.exec(select(LogNote.day).where(
        LogNote.user_id == actor.id, col(LogNote.day) >= first.isoformat(),
        col(LogNote.day) <= last.isoformat())).all())
    kept |= set(session.exec(select(PlanItem.period).where(
        PlanItem.user_id == actor.id, PlanItem.kind == "day",
        col(PlanItem.period) >= first.isoformat(), col(PlanItem.period) <= last.isoformat())).all())
    if not kept:
        return []
    today = shift_day(session, actor, now or utcnow(), zone)
    return _pages(session, actor, [date.fromisoformat(d) for d in sorted(kept)], today, zone)


def to_markdown(pages: Sequence[DayPage], actor: Actor, zone: tzinfo | None = None) -> str:
    """Pages in the shape of a 日报."""
    zone = zone or local_zone()
    out: list[str] = []
    for page in pages:
        out += [f"# {t('log.md.title', name=actor.name, day=page.day.isoformat())}", ""]
        out += [f"## {t('log.md.metrics')}", ""]
        for m in page.metrics:
            target = f" / {m.target_shown}" if m.target_shown else ""
            mark = {True: " ✓", False: " ✗", None: ""}[m.meets]
            out.append(f"- {m.metric.label}: {m.shown}{target}{mark}")
        a = page.activity
        out += ["", f"## {t('log.md.activity')}", "",
                f"- {t('log.activity.scripts', count=a.scripts_copied)}",
                f"- {t('log.activity.handovers', written=a.handovers_written, acked=a.handovers_acknowledged)}",
                f"- {t('log.activity.transfers', sent=a.transfers_sent, claimed=a.transfers_claimed, resolved=a.transfers_resolved)}"]
        if page.plans:
            out += ["", f"## {t('log.md.plans')}", ""]
            for p in page.plans:
                box = {"done": "x", "dropped": "-", "carried": ">"}.get(p.status, " ")
                age = f" ({t('log.age', days=p.age_days)})" if p.age_days else ""
                out.append(f"- [{box}] {one_line(p.text)}{age}")
        for title, text in ((t("log.business"), page.reflection.business),
                            (t("log.teamwork"), page.reflection.teamwork),
                            (t("log.learnings"), page.reflection.learnings)):
            if text.strip():
                out += ["", f"## {title}", "", text.strip()]
        if page.notes:
            out += ["", f"## {t('log.md.notes')}", ""]
            out += [f"- {n.at.astimezone(zone).strftime('%H:%M')} {one_line(n.body)}"
                    for n in page.notes]
        out.append("")
    return "\n".join(out)


def to_csv(pages: Sequence[DayPage]) -> str:
    """One row per day: the metrics, the activity, plans done of planned."""
    import csv
    import io

    from cscterm.text import printable

    out = io.StringIO()
    writer = csv.writer(out)
    keys = [m.metric for m in pages[0].metrics] if pages else []
    writer.writerow(["day", *[m.key for m in keys], "scripts_copied", "handovers_written",
                     "handovers_acknowledged", "transfers_sent", "transfers_claimed",
                     "transfers_resolved", "plans_planned", "plans_done", "submitted"])
    for page in pages:
        values = {m.metric.key: m.value for m in page.metrics}
        a = page.activity
        row = [page.day.isoformat(), *["" if values.get(m.key) is None else f"{values[m.key]:g}"
                                       for m in keys],
               a.scripts_copied, a.handovers_written, a.handovers_acknowledged, a.transfers_sent,
               a.transfers_claimed, a.transfers_resolved, page.day_tally.planned,
               page.day_tally.done, "1" if page.reflection.submitted_at else "0"]
        writer.writerow([printable(str(v)) for v in row])
    return out.getvalue()


# ── trend charts and the team's averages ───────────────────────────────────


def trends(session: Session, actor: Actor, *, first: date, last: date) -> list[Trend]:
    """Every active metric of the actor's, day by day, read in one query (the
    trend charts switch metric without going back to the database)."""
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    shown = metrics(session)
    found: dict[tuple[int, str], float] = {
        (metric_id, day): value for metric_id, day, value in session.exec(
            select(MetricValue.metric_id, MetricValue.day, MetricValue.value).where(
                MetricValue.user_id == actor.id,
                col(MetricValue.metric_id).in_([m.id for m in shown]),
                col(MetricValue.day) >= first.isoformat(),
                col(MetricValue.day) <= last.isoformat())).all()}
    days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
    return [Trend(m, days, [found.get((m.id, d.isoformat())) for d in days]) for m in shown]


@dataclass(frozen=True)
class TrendSummary:
    average: float | None  # of the days kept
    kept: int  # days with a value
    met: int  # of those, days that reach the target
    days: int  # days in the range


def summarise(trend_: Trend) -> TrendSummary:
    kept = [v for v in trend_.values if v is not None]
    met = sum(1 for v in kept if meets(trend_.metric, v))
    return TrendSummary(sum(kept) / len(kept) if kept else None, len(kept), met,
                        len(trend_.days))


@dataclass(frozen=True)
class PersonAverage:
    login: str
    name: str
    days: int  # submitted days in the range
    values: dict[str, float]  # metric key → average over the days that kept it
    latest: TeamDay  # the person's last submitted day in the range


def averages_by_person(days: Sequence[TeamDay]) -> list[PersonAverage]:
    """The team's submitted days folded into one row per person (by login)."""
    by_login: dict[str, list[TeamDay]] = {}
    for team_day in days:
        by_login.setdefault(team_day.login, []).append(team_day)
    out = []
    for login in sorted(by_login):
        kept = sorted(by_login[login], key=lambda d: d.day)
        sums: dict[str, list[float]] = {}
        for team_day in kept:
            for key, value in team_day.values.items():
                sums.setdefault(key, []).append(value)
        out.append(PersonAverage(login, kept[-1].name, len(kept),
                                 {k: sum(v) / len(v) for k, v in sums.items()}, kept[-1]))
    return out
