"""Shifts (班次): each team's shifts as wall-clock times in the centre's time
zone, which shift a moment belongs to, and due times typed by a person.

A shift whose end is at or before its start crosses midnight and belongs to
the date it starts on (a night shift's work counts for the day it began).
Until a lead sets a team's shifts, the defaults are 早班 08–16, 中班 16–24
and 夜班 00–08. Instants are stored in UTC.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlmodel import Session, select

from cscterm.db.tables.core import Shift, utcnow
from cscterm.errors import Invalid, NotAllowed, NotFound
from cscterm.i18n import t
from cscterm.services.users import Actor
from cscterm.text import local_zone, one_line

DEFAULT_SHIFTS = (("早班", 8 * 60, 16 * 60), ("中班", 16 * 60, 24 * 60), ("夜班", 0, 8 * 60))


def _f(name: str) -> str:
    """A field's name in the reader's language (errors name fields)."""
    return t(f"field.ho.{name}")


@dataclass(frozen=True)
class ShiftDef:
    name: str
    start_minute: int
    end_minute: int

    @property
    def crosses_midnight(self) -> bool:
        return self.end_minute <= self.start_minute

    @property
    def hours(self) -> str:
        return f"{_clock(self.start_minute)}–{_clock(self.end_minute)}"


@dataclass(frozen=True)
class ShiftSlot:
    """One occurrence of a shift: its team, name, the local date it starts on
    and its start and end instants (UTC)."""

    team: str
    name: str
    day: date
    start: datetime
    end: datetime

    def label(self) -> str:
        return f"{self.day.isoformat()} {self.name}"


def _clock(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


_CLOCK = re.compile(r"^\s*(\d{1,2})[:：](\d{2})\s*$")


def parse_clock(value: str, field_name: str, *, allow_24: bool = False) -> int:
    """``"08:00"`` → 480. ``24:00`` only where ``allow_24`` (a shift's end)."""
    match = _CLOCK.match(value or "")
    if match:
        hour, minute = int(match[1]), int(match[2])
        if minute < 60 and (hour < 24 or (allow_24 and hour == 24 and minute == 0)):
            return hour * 60 + minute
    raise Invalid("err.invalid.clock", field=field_name, value=one_line(value or "", 20))


def team_shifts(session: Session, team: str) -> list[ShiftDef]:
    """The team's shifts by start time; the defaults until a lead sets some."""
    rows = session.exec(
        select(Shift).where(Shift.team == team, Shift.active).order_by(Shift.start_minute)
    ).all()
    if not rows:
        return sorted((ShiftDef(*s) for s in DEFAULT_SHIFTS), key=lambda s: s.start_minute)
    return [ShiftDef(r.name, r.start_minute, r.end_minute) for r in rows]


def set_shifts(session: Session, actor: Actor, team: str,
               shifts: Sequence[tuple[str, str, str]]) -> list[ShiftDef]:
    """Replace a team's shifts with ``(name, "HH:MM", "HH:MM")`` rows (leads).

    Names must be unique and shifts may not overlap. Notes already written
    keep the times they were written for."""
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.shifts")
    team = " ".join(team.split())  # as users.set_team spells it
    if not team:
        raise Invalid("err.invalid.required", field=_f("team"))
    if not shifts:
        raise Invalid("err.invalid.required", field=_f("shifts"))
    parsed: list[ShiftDef] = []
    for n, (name, start, end) in enumerate(shifts, 1):
        name = one_line(name).strip()
        if not name:
            raise Invalid("err.invalid.required", field=f"{n}: {_f('shift_name')}")
        if len(name) > 32:
            raise Invalid("err.invalid.too_long", field=f"{n}: {_f('shift_name')}", length=len(name),
                          limit=32)
        first = parse_clock(start, f"{name}: {_f('start')}")
        last = parse_clock(end, f"{name}: {_f('end')}", allow_24=True)
        if first == last % 1440 and last != 1440:
            raise Invalid("err.invalid.shift_empty", name=name)
        parsed.append(ShiftDef(name, first, last))
    names = [s.name for s in parsed]
    for name in names:
        if names.count(name) > 1:
            raise Invalid("err.invalid.shift_duplicate", name=name)
    minutes: dict[int, str] = {}
    for shift in parsed:
        length = (shift.end_minute - shift.start_minute) % 1440 or 1440
        for m in range(shift.start_minute, shift.start_minute + length):
            other = minutes.setdefault(m % 1440, shift.name)
            if other != shift.name:
                raise Invalid("err.invalid.shift_overlap", first=other, second=shift.name,
                              at=_clock(m % 1440))
    existing = {r.name: r for r in session.exec(select(Shift).where(Shift.team == team))}
    now = utcnow()
    for position, shift in enumerate(sorted(parsed, key=lambda s: s.start_minute)):
        row = existing.pop(shift.name, None) or Shift(team=team, name=shift.name,
                                                      start_minute=0, end_minute=0)
        if row.id is not None:
            row.version += 1
        row.start_minute, row.end_minute = shift.start_minute, shift.end_minute
        row.position, row.active = position, True
        row.updated_at, row.updated_by = now, actor.id
        session.add(row)
    for row in existing.values():  # shifts not listed any more are switched off
        if row.active:
            row.active, row.version, row.updated_at, row.updated_by = False, row.version + 1, now, actor.id
            session.add(row)
    session.flush()
    return team_shifts(session, team)


def slot_of(team: str, shift: ShiftDef, day: date, zone: tzinfo) -> ShiftSlot:
    start_local = datetime.combine(day, time(shift.start_minute // 60, shift.start_minute % 60),
                                   tzinfo=zone)
    end_day = day + timedelta(days=1) if shift.crosses_midnight or shift.end_minute == 1440 else day
    end_minute = shift.end_minute % 1440
    end_local = datetime.combine(end_day, time(end_minute // 60, end_minute % 60), tzinfo=zone)
    return ShiftSlot(team, shift.name, day, start_local.astimezone(UTC), end_local.astimezone(UTC))


def _slots_around(shifts: Sequence[ShiftDef], team: str, day: date, zone: tzinfo,
                  days: range) -> list[ShiftSlot]:
    slots = [slot_of(team, s, day + timedelta(days=d), zone) for d in days for s in shifts]
    return sorted(slots, key=lambda s: s.start)


def slot_at(session: Session, team: str, moment: datetime, zone: tzinfo | None = None) -> ShiftSlot:
    """The shift running at ``moment``; in a gap between shifts, the next one."""
    zone = zone or local_zone()
    shifts = team_shifts(session, team)
    day = moment.astimezone(zone).date()
    slots = _slots_around(shifts, team, day, zone, range(-1, 2))
    for slot in slots:
        if slot.start <= moment < slot.end:
            return slot
    return next(s for s in slots if s.start > moment)


def slot_named(session: Session, team: str, name: str, day: date,
               zone: tzinfo | None = None) -> ShiftSlot:
    for shift in team_shifts(session, team):
        if shift.name == name:
            return slot_of(team, shift, day, zone or local_zone())
    raise NotFound("err.not_found.shift", name=name, team=team)


def next_slot(session: Session, slot: ShiftSlot, zone: tzinfo | None = None) -> ShiftSlot:
    """The team's shift after ``slot`` (the one starting when it ends, or the
    first to start after it)."""
    zone = zone or local_zone()
    shifts = team_shifts(session, slot.team)
    later = [s for s in _slots_around(shifts, slot.team, slot.day, zone, range(0, 3))
             if s.start > slot.start]
    for s in later:
        if s.start >= slot.end:
            return s
    return later[0]


# ── due times ──────────────────────────────────────────────────────────────

_DUE_CLOCK = re.compile(r"^(\d{1,2})[:：](\d{2})$")
_DUE_DATE = re.compile(r"^(?:(\d{4})-)?(\d{1,2})-(\d{1,2})[ T]+(\d{1,2})[:：](\d{2})$")
_DUE_RELATIVE = re.compile(r"^\+\s*(\d+)\s*(m|min|h)$", re.IGNORECASE)


def parse_due(value: str, *, after: datetime, now: datetime, zone: tzinfo,
              field_name: str, keep: datetime | None = None) -> datetime | None:
    """A due time typed by a person, as a UTC instant; None when empty.

    ``15:30`` is the first 15:30 at or after ``after`` (the shift's start, so a
    night shift's ``02:00`` is the next morning); ``11-24 09:00`` (next year's
    when this year's is half a year past) and ``2026-11-24 09:00`` are dates;
    ``+30m`` and ``+2h`` count from now.
    Times before ``after`` are refused, but for ``keep`` (a rolled-over item's
    due, shown to the minute), which is returned as it was."""
    text = (value or "").strip()
    if not text:
        return None
    local_after = after.astimezone(zone)
    due: datetime | None = None
    try:
        if match := _DUE_CLOCK.match(text):
            clock = time(int(match[1]), int(match[2]))
            due = datetime.combine(local_after.date(), clock, tzinfo=zone)
            if due < local_after:
                due += timedelta(days=1)
        elif match := _DUE_DATE.match(text):
            year = int(match[1]) if match[1] else local_after.year
            due = datetime(year, int(match[2]), int(match[3]), int(match[4]), int(match[5]),
                           tzinfo=zone)
            if not match[1] and due < local_after - timedelta(days=183):
                due = due.replace(year=year + 1)  # "01-01 02:00" in a New Year's Eve shift
        elif match := _DUE_RELATIVE.match(text):
            amount = int(match[1])
            due = now + (timedelta(hours=amount) if match[2].lower() == "h"
                         else timedelta(minutes=amount))
        if due is not None:
            due = due.astimezone(UTC)
    except (ValueError, OverflowError):  # no such date, or beyond what a datetime holds
        due = None
    if due is None:
        raise Invalid("err.invalid.due", field=field_name, value=one_line(text, 30))
    if due < after:
        if keep is not None and due == keep.astimezone(UTC).replace(second=0, microsecond=0):
            return keep
        raise Invalid("err.invalid.due_early", field=field_name, value=one_line(text, 30),
                      start=local_after.strftime("%m-%d %H:%M"))
    return due
