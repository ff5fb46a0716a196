"""Pre-sale → after-sale transfers (售前转售后).

Pre-sale fills a checklist from a template and sends the case to an
after-sale team's queue (or to one person); after-sale claims it, then
resolves it with an outcome or returns it to the sender with a reason. The
sender fixes what was named and resends; it goes back to whoever returned it.
The second return escalates the transfer to the leads.

States::

    draft ─send→ sent ─claim→ claimed ─resolve→ resolved
                              │    ↑
                         return    resend
                              ↓    │
                             returned

A draft may also be discarded. Only the sender edits a draft or a returned
transfer; only the queue's team (or the named person) claims; only the
claimer resolves or returns; leads reassign. Every event is appended to the
timeline, which nothing edits.

Clock: the accept clock runs from the first send to the first claim; the
resolve clock from the first send to the resolution, paused while the
transfer sits returned with its sender. Each warns at 80 % of the template's
service level and is breached past 100 %. Instants are stored in UTC.
"""

from __future__ import annotations

import csv
import io
import re
from collections import namedtuple
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from sqlalchemy import UnaryExpression, and_, func, or_, update
from sqlalchemy.sql import operators
from sqlmodel import Session, col, select

from cscterm.db.tables.core import User, utcnow
from cscterm.db.tables.library import Scenario
from cscterm.db.tables.transfer import Transfer, TransferEvent
from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.i18n import t
from cscterm.services import checklists
from cscterm.services.checklists import ItemDef, TemplateDef, normalise
from cscterm.services.users import Actor, display_names
from cscterm.services.versioning import claim as cas
from cscterm.text import day_range_utc, local_zone, one_line, printable

STATES = ("draft", "sent", "claimed", "returned", "resolved", "discarded")
OPEN_STATES = ("sent", "claimed", "returned")
RETURN_REASONS = ("missing_info", "wrong_info", "not_after_sale", "customer_unreachable", "other")
OUTCOMES = ("solved", "refunded", "replaced", "repaired", "compensated", "explained", "no_action")
ESCALATE_AT = 2  # the second return escalates to the leads
WARN_AT = 0.8
MAX_TEXT = 2000
MAX_NOTE = 1000
LIST_LIMIT = 100


def _f(name: str) -> str:
    return t(f"field.tr.{name}")


# ── the clock ──────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Clock:
    """One service-level clock at a moment: which (``accept`` or
    ``resolve``), how much of its budget is used, and its state:
    ``ok`` / ``warning`` (≥ 80 %) / ``breach`` while running, ``met`` /
    ``missed`` once stopped; ``paused`` while returned with the sender."""

    which: str
    budget: timedelta
    elapsed: timedelta
    due: datetime | None
    state: str
    paused: bool = False

    @property
    def left(self) -> timedelta:
        return self.budget - self.elapsed

    @property
    def fraction(self) -> float:
        seconds = self.budget.total_seconds()
        return self.elapsed.total_seconds() / seconds if seconds else 1.0

    @property
    def breached(self) -> bool:
        return self.state in ("breach", "missed")


def _state(elapsed: timedelta, budget: timedelta, running: bool) -> str:
    if not running:
        return "missed" if elapsed > budget else "met"
    if elapsed > budget:
        return "breach"
    if elapsed >= budget * WARN_AT:
        return "warning"
    return "ok"


def paused_for(row: Transfer, now: datetime) -> timedelta:
    """Time spent returned with the sender so far (the clock stood still)."""
    paused = timedelta(seconds=row.paused_s)
    if row.status == "returned" and row.returned_at is not None:
        paused += max(now - row.returned_at, timedelta(0))
    return paused


def clock(row: Transfer, template: TemplateDef, now: datetime) -> Clock | None:
    """The clock that matters now: accepting while nobody has claimed it,
    resolving after; None for a draft."""
    if row.sent_at is None or row.status in ("draft", "discarded"):
        return None
    if row.claimed_at is None and row.status == "sent":
        elapsed = now - row.sent_at
        return Clock("accept", template.accept, elapsed, row.sent_at + template.accept,
                     _state(elapsed, template.accept, True))
    return resolve_clock(row, template, now)


def accept_clock(row: Transfer, template: TemplateDef, now: datetime) -> Clock | None:
    if row.sent_at is None:
        return None
    end = row.claimed_at or now
    elapsed = end - row.sent_at
    return Clock("accept", template.accept, elapsed, row.sent_at + template.accept,
                 _state(elapsed, template.accept, row.claimed_at is None))


def resolve_clock(row: Transfer, template: TemplateDef, now: datetime) -> Clock | None:
    if row.sent_at is None:
        return None
    running = row.status != "resolved"
    end = row.resolved_at if row.resolved_at is not None else now
    paused = paused_for(row, end)
    elapsed = end - row.sent_at - paused
    return Clock("resolve", template.resolve, elapsed, row.sent_at + template.resolve + paused,
                 _state(elapsed, template.resolve, running), paused=row.status == "returned")


# ── values ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ItemProblem:
    key: str
    label: str
    message: str

    def __str__(self) -> str:
        return t("tr.problem.item", label=self.label, message=self.message)


class Incomplete(Invalid):
    """Sending refused: every empty or invalid item is listed."""

    def __init__(self, problems: Sequence[ItemProblem]) -> None:
        super().__init__("err.transfer.incomplete", items=t("tr.problem.sep").join(
            str(p) for p in problems))
        self.problems = list(problems)


def _parse_when(value: str, now: datetime, zone: tzinfo, label: str,
                keep: datetime | None) -> datetime:
    from cscterm.services.shifts import parse_due

    due = parse_due(value, after=now, now=now, zone=zone, field_name=label, keep=keep)
    assert due is not None
    return due


def _stored_when(value: object) -> datetime | None:
    """A time as send stores it (ISO with its UTC offset); a time without an
    offset ("2026-11-24 09:00") is one typed in local time, not yet read."""
    if isinstance(value, str) and value:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return None
        return moment if moment.tzinfo else None
    return None


def check_item(item: ItemDef, value: object, *, now: datetime, zone: tzinfo,
               stored: object = None) -> tuple[object, str]:
    """The value to store and a problem ("" when fine) for one item."""
    if item.kind == "check":
        ticked = value is True or (isinstance(value, str) and value.lower() in ("true", "yes", "1",
                                                                                 "x", "✓"))
        return ticked, (t("tr.problem.unchecked") if item.required and not ticked else "")
    text = "" if value is None or isinstance(value, bool) else str(value).strip()
    if not text:
        return "", (t("tr.problem.empty") if item.required else "")
    if len(text) > MAX_TEXT:
        return text, t("tr.problem.too_long", length=len(text), limit=MAX_TEXT)
    if item.kind == "choice":
        if text not in item.choices:
            return text, t("tr.problem.choice", value=one_line(text, 30),
                           choices=" / ".join(item.choices))
        return text, ""
    if item.kind in ("order", "phone"):
        plain = normalise(text)
        if not item.matches(plain):
            return text, t(f"tr.problem.{item.kind}", value=one_line(text, 40),
                           example=item.example)
        return plain, ""
    if item.kind == "datetime":
        keep = _stored_when(stored)
        if keep is not None and text == stored:  # checked before: it stays as it was
            return text, ""
        try:
            moment = _parse_when(text, now, zone, item.label, keep)
        except Invalid:
            return text, t("tr.problem.when", value=one_line(text, 30))
        return moment.astimezone(UTC).isoformat(), ""
    return text, ""


def check_values(template: TemplateDef, values: Mapping[str, object], *, now: datetime,
                 zone: tzinfo | None = None,
                 stored: Mapping[str, object] | None = None) -> tuple[dict[str, object],
                                                                      list[ItemProblem]]:
    """Every item checked: the values to store and every problem, in the
    template's order (the send gate)."""
    zone = zone or local_zone()
    stored = stored or {}
    clean: dict[str, object] = {}
    problems: list[ItemProblem] = []
    for item in template.items:
        value, problem = check_item(item, values.get(item.key), now=now, zone=zone,
                                    stored=stored.get(item.key))
        clean[item.key] = value
        if problem:
            problems.append(ItemProblem(item.key, item.label, problem))
    return clean, problems


def mask(item: ItemDef, value: object, zone: tzinfo | None = None) -> str:
    """Personal data for lists and exports: ``138****5678``, ``王**``."""
    text = display_value(item, value, zone)
    if not item.personal or not text:
        return text
    if item.kind == "phone":
        digits = re.sub(r"\D", "", text)
        return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"
    return text[0] + "*" * min(max(len(text) - 1, 2), 8)


def display_value(item: ItemDef, value: object, zone: tzinfo | None = None) -> str:
    if item.kind == "check":
        return "✓" if value is True else ""
    if value is None:
        return ""
    if item.kind == "datetime":
        moment = _stored_when(value)
        if moment is not None:
            return moment.astimezone(zone or local_zone()).strftime("%Y-%m-%d %H:%M")
    return str(value)


def subject_of(template: TemplateDef, values: Mapping[str, object], *,
               masked: bool = True) -> str:
    """One line for lists, from the template's ``subject`` (personal data
    masked unless ``masked`` is false: an export that asked for it)."""
    def value(key: str) -> str:
        item = template.item(key)
        if item is None:
            return ""
        shown = mask(item, values.get(key)) if masked else display_value(item, values.get(key))
        return one_line(shown)

    if template.subject:
        text = re.sub(r"\{([^{}]*)\}", lambda m: value(m[1]), template.subject)
    else:
        firsts = [value(i.key) for i in template.items if i.kind in ("order", "text")]
        text = " ".join(v for v in firsts[:2] if v)
    return " ".join(text.split())[:200]


# ── views ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class EventView:
    at: datetime
    actor: str
    kind: str
    reason: str
    note: str
    detail: dict[str, Any]


@dataclass(frozen=True)
class ItemValue:
    item: ItemDef
    value: object  # as stored
    shown: str  # as a person reads it (local time, ✓)
    masked: str


@dataclass(frozen=True)
class TransferRow:
    id: int
    template_key: str
    template_name: str
    status: str
    subject: str
    sender: str
    sender_team: str
    queue: str
    to_user: str
    claimed_by: str
    bounces: int
    escalated: bool
    return_reason: str
    clock: Clock | None
    sent_at: datetime | None
    updated_at: datetime
    version: int


@dataclass(frozen=True)
class TransferView:
    row: TransferRow
    template: TemplateDef
    items: list[ItemValue]
    events: list[EventView]
    values: dict[str, object]
    scenario: str
    sender_id: int
    claimer_id: int | None
    to_user_id: int | None
    return_note: str
    return_items: list[str]
    outcome: str
    resolution: str
    accept: Clock | None
    resolve: Clock | None

    @property
    def id(self) -> int:
        return self.row.id

    @property
    def status(self) -> str:
        return self.row.status

    @property
    def version(self) -> int:
        return self.row.version


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    return display_names(session, {i for i in ids if i is not None})


def _row(r: Transfer, names: Mapping[int, str], template: TemplateDef, now: datetime) -> TransferRow:
    assert r.id is not None
    return TransferRow(
        id=r.id, template_key=r.template_key, template_name=template.name, status=r.status,
        subject=r.subject, sender=names.get(r.sender_id, "?"), sender_team=r.sender_team,
        queue=r.queue, to_user=names.get(r.to_user_id, "") if r.to_user_id else "",
        claimed_by=names.get(r.claimed_by, "") if r.claimed_by else "", bounces=r.bounces,
        escalated=r.escalated_at is not None, return_reason=r.return_reason,
        clock=clock(r, template, now), sent_at=r.sent_at, updated_at=r.updated_at,
        version=r.version)


# What _row and the clocks read. Lists select these columns rather than whole
# transfers: a hundred rows then cost no ORM objects and no checklist values.
_LIST_COLUMNS = (Transfer.id, Transfer.template_version_id, Transfer.template_key, Transfer.status,
                 Transfer.subject, Transfer.sender_id, Transfer.sender_team, Transfer.queue,
                 Transfer.to_user_id, Transfer.claimed_by, Transfer.bounces, Transfer.escalated_at,
                 Transfer.return_reason, Transfer.sent_at, Transfer.claimed_at, Transfer.returned_at,
                 Transfer.resolved_at, Transfer.paused_s, Transfer.updated_at, Transfer.version)
_Listed = namedtuple("_Listed", [c.key for c in _LIST_COLUMNS])


def _people(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    """display_names(), read as plain rows rather than User objects."""
    wanted = {i for i in ids if i is not None}
    return {i: name or login for i, name, login in session.exec(
        select(User.id, User.display_name, User.login).where(col(User.id).in_(wanted))).all()} \
        if wanted else {}


def _people_in(lists: Iterable[Sequence[Any]]) -> list[int | None]:
    return [i for rows in lists for r in rows for i in (r.sender_id, r.to_user_id, r.claimed_by)]


def _rows(session: Session, rows: Sequence[Any], now: datetime,
          names: Mapping[int, str] | None = None) -> list[TransferRow]:
    """TransferRows of result rows of _LIST_COLUMNS (``names``: the people in
    them, when already read)."""
    # As named tuples: a result row's attribute lookup costs ~0.5 µs, and _row
    # and the clocks make some thirty of them.
    rows = [_Listed._make(r) for r in rows]
    if names is None:
        names = _people(session, _people_in([rows]))
    templates: dict[int, TemplateDef] = {}
    out = []
    for r in rows:
        template = templates.get(r.template_version_id)
        if template is None:
            template = templates[r.template_version_id] = checklists.by_version_id(
                session, r.template_version_id)
        out.append(_row(r, names, template, now))
    return out


def _view(session: Session, r: Transfer, now: datetime) -> TransferView:
    template = checklists.by_version_id(session, r.template_version_id)
    events = session.exec(select(TransferEvent).where(TransferEvent.transfer_id == r.id)
                          .order_by(col(TransferEvent.id))).all()
    names = _names(session, [r.sender_id, r.to_user_id, r.claimed_by,
                             *(e.actor_id for e in events)])
    values = dict(r.values)
    scenario = ""
    if r.scenario_id is not None:
        row = session.get(Scenario, r.scenario_id)
        scenario = row.title if row else ""
    return TransferView(
        row=_row(r, names, template, now), template=template,
        items=[ItemValue(i, values.get(i.key), display_value(i, values.get(i.key)),
                         mask(i, values.get(i.key))) for i in template.items],
        events=[EventView(e.at, names.get(e.actor_id, "") if e.actor_id else "", e.kind,
                          e.reason, e.note, dict(e.detail)) for e in events],
        values=values, scenario=scenario, sender_id=r.sender_id, claimer_id=r.claimed_by,
        to_user_id=r.to_user_id, return_note=r.return_note, return_items=list(r.return_items),
        outcome=r.outcome, resolution=r.resolution,
        accept=accept_clock(r, template, now), resolve=resolve_clock(r, template, now))


# ── access ─────────────────────────────────────────────────────────────────


def in_queue(actor: Actor, r: Transfer) -> bool:
    """The actor is who the transfer was sent to (the team, or the person)."""
    if r.to_user_id is not None:
        return r.to_user_id == actor.id
    return actor.team == r.queue


def _can_read(actor: Actor, r: Transfer) -> bool:
    if r.status in ("draft", "discarded"):
        return r.sender_id == actor.id
    return (actor.is_lead or r.sender_id == actor.id or r.claimed_by == actor.id
            or in_queue(actor, r))


def _get(session: Session, actor: Actor, transfer_id: int) -> Transfer:
    r = session.get(Transfer, transfer_id)
    if r is None or not _can_read(actor, r):
        raise NotFound("err.not_found.transfer", id=transfer_id)
    return r


def get_transfer(session: Session, actor: Actor, transfer_id: int, *,
                 now: datetime | None = None) -> TransferView:
    return _view(session, _get(session, actor, transfer_id), now or utcnow())


def _event(session: Session, r: Transfer, actor: Actor | None, kind: str, now: datetime, *,
           reason: str = "", note: str = "", **detail: Any) -> None:
    assert r.id is not None
    session.add(TransferEvent(transfer_id=r.id, at=now, actor_id=actor.id if actor else None,
                              kind=kind, reason=reason, note=note, detail=detail))


def _touch(r: Transfer, actor: Actor, now: datetime) -> None:
    r.updated_at = now
    r.updated_by = actor.id


def _step(session: Session, actor: Actor, r: Transfer, version: int, allowed: Sequence[str]) -> None:
    """Refuse a stale or out-of-turn change, then take the version step."""
    assert r.id is not None
    if r.version == version and r.status not in allowed:
        raise Conflict("err.conflict.transfer_state", state=t(f"tr.state.{r.status}"))
    cas(session, Transfer, r.id, version, "what.transfer")
    if r.status not in allowed:  # changed under us between the read and the step
        raise Conflict("err.conflict.transfer_state", state=t(f"tr.state.{r.status}"))


def _text(value: str, name: str, limit: int, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid("err.invalid.required", field=_f(name))
    if len(value) > limit:
        raise Invalid("err.invalid.too_long", field=_f(name), length=len(value), limit=limit)
    return value


def _user(session: Session, login: str, name: str) -> User:
    login = login.strip()
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None:
        raise Invalid("err.invalid.unknown_user", field=_f(name), login=one_line(login, 40))
    return user


# ── pre-sale: drafts and sending ───────────────────────────────────────────


def create(session: Session, actor: Actor, template_key: str, *, scenario_id: int | None = None,
           values: Mapping[str, object] | None = None, now: datetime | None = None) -> TransferView:
    """A new draft from the template's current version; from a scenario in the
    library, the problem is pre-filled with the scenario."""
    now = now or utcnow()
    template = checklists.get_template(session, template_key)
    filled: dict[str, object] = {}
    if scenario_id is not None:
        scenario = session.get(Scenario, scenario_id)
        if scenario is None:
            raise NotFound("err.not_found.scenario", ref=scenario_id)
        target = next((i for i in template.items if i.kind == "text"), None)
        if target is not None:
            filled[target.key] = f"{scenario.category} · {scenario.title}"
    for key, value in (values or {}).items():
        if template.item(key) is not None:
            filled[key] = value
    assert template.version_id is not None
    r = Transfer(template_version_id=template.version_id, template_key=template.key,
                 scenario_id=scenario_id, sender_id=actor.id, sender_team=actor.team,
                 queue=template.queue, values=filled, subject=subject_of(template, filled),
                 created_at=now, updated_at=now, updated_by=actor.id)
    session.add(r)
    session.flush()
    _event(session, r, actor, "created", now, template=template.key, template_version=template.number)
    session.flush()
    return _view(session, r, now)


def _own_editable(session: Session, actor: Actor, transfer_id: int) -> Transfer:
    r = _get(session, actor, transfer_id)
    if r.sender_id != actor.id:
        raise NotAllowed("err.not_allowed.transfer_sender")
    if r.status not in ("draft", "returned"):
        raise Conflict("err.conflict.transfer_state", state=t(f"tr.state.{r.status}"))
    return r


def save_draft(session: Session, actor: Actor, transfer_id: int, version: int,
               values: Mapping[str, object], *, to: str | None = None,
               now: datetime | None = None) -> TransferView:
    """Store what the sender typed (not yet checked: the gate is at send).
    ``to`` is a login to send to one person, "" for the team queue."""
    now = now or utcnow()
    r = _own_editable(session, actor, transfer_id)
    template = checklists.by_version_id(session, r.template_version_id)
    kept: dict[str, object] = {}
    for item in template.items:
        value = values.get(item.key, r.values.get(item.key))
        if isinstance(value, str):
            if len(value) > MAX_TEXT:
                raise Invalid("err.invalid.too_long", field=item.label, length=len(value),
                              limit=MAX_TEXT)
        elif not (value is None or isinstance(value, bool)):
            value = str(value)
        kept[item.key] = value
    to_user = r.to_user_id
    if to is not None and r.status == "draft":
        to_user = _user(session, to, "to").id if to.strip() else None
        if to_user == actor.id:
            raise Invalid("err.invalid.transfer_to_self")
    _step(session, actor, r, version, ("draft", "returned"))
    r.values = kept
    r.to_user_id = to_user
    r.subject = subject_of(template, kept)
    _touch(r, actor, now)
    session.add(r)
    session.flush()
    return _view(session, r, now)


def send(session: Session, actor: Actor, transfer_id: int, version: int, *,
         now: datetime | None = None, zone: tzinfo | None = None) -> TransferView:
    """Send a draft to after-sale, or resend a returned transfer to whoever
    returned it. Refused, listing every item, while any is empty or invalid."""
    now = now or utcnow()
    r = _own_editable(session, actor, transfer_id)
    template = checklists.by_version_id(session, r.template_version_id)
    clean, problems = check_values(template, r.values, now=now, zone=zone, stored=r.values)
    if problems:
        raise Incomplete(problems)
    was = r.status
    _step(session, actor, r, version, ("draft", "returned"))
    r.values = clean
    r.subject = subject_of(template, clean)
    _touch(r, actor, now)
    if was == "draft":
        r.status = "sent"
        r.sent_at = now
        r.accept_due_at = now + template.accept
        r.resolve_due_at = now + template.resolve
        _event(session, r, actor, "sent", now,
               to=(session.get(User, r.to_user_id).login if r.to_user_id else r.queue))  # type: ignore[union-attr]
    else:
        paused = max(now - (r.returned_at or now), timedelta(0))
        r.paused_s += int(paused.total_seconds())
        r.returned_at = None
        r.resolve_due_at = (r.sent_at or now) + template.resolve + timedelta(seconds=r.paused_s)
        r.status = "claimed" if r.claimed_by is not None else "sent"
        fixed = [k for k in r.return_items]
        r.return_reason, r.return_note, r.return_items = "", "", []
        _event(session, r, actor, "resent", now, paused_s=int(paused.total_seconds()), fixed=fixed)
    session.add(r)
    session.flush()
    return _view(session, r, now)


def discard(session: Session, actor: Actor, transfer_id: int, *, now: datetime | None = None) -> None:
    """Drop a draft that was never sent (kept, hidden, for the timeline's sake)."""
    now = now or utcnow()
    r = _get(session, actor, transfer_id)
    if r.sender_id != actor.id:
        raise NotAllowed("err.not_allowed.transfer_sender")
    if r.status != "draft":
        raise Conflict("err.conflict.transfer_state", state=t(f"tr.state.{r.status}"))
    r.status = "discarded"
    r.version += 1
    _touch(r, actor, now)
    session.add(r)
    _event(session, r, actor, "discarded", now)
    session.flush()


# ── after-sale: claim, return, resolve ─────────────────────────────────────


def take(session: Session, actor: Actor, transfer_id: int, *,
         now: datetime | None = None) -> TransferView:
    """Claim a transfer waiting in the actor's queue. When two claim at once,
    one wins; the other is told who took it and when."""
    now = now or utcnow()
    r = _get(session, actor, transfer_id)
    if not in_queue(actor, r):
        raise NotAllowed("err.not_allowed.transfer_claim", queue=r.queue)
    result = session.execute(
        update(Transfer)
        .where(col(Transfer.id) == transfer_id, col(Transfer.status) == "sent",
               col(Transfer.claimed_by).is_(None))
        .values(status="claimed", claimed_by=actor.id, version=Transfer.version + 1,
                updated_at=now, updated_by=actor.id)
        .execution_options(synchronize_session="fetch"))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(r)
        if r.status == "claimed" and r.claimed_by is not None:  # else name the state
            who = _names(session, [r.claimed_by]).get(r.claimed_by, "?")
            claimed = next(iter(session.exec(
                select(TransferEvent.at).where(TransferEvent.transfer_id == r.id,
                                               TransferEvent.kind == "claimed")
                .order_by(col(TransferEvent.id).desc()).limit(1))), r.updated_at)
            raise Conflict("err.conflict.transfer_taken", who=who,
                           when=claimed.astimezone(local_zone()).strftime("%m-%d %H:%M"))
        raise Conflict("err.conflict.transfer_state", state=t(f"tr.state.{r.status}"))
    session.refresh(r)
    if r.claimed_at is None:
        r.claimed_at = now
        r.accept_breached = r.accept_due_at is not None and now > r.accept_due_at
    session.add(r)
    _event(session, r, actor, "claimed", now)
    session.flush()
    return _view(session, r, now)


def _claimer_step(session: Session, actor: Actor, transfer_id: int, version: int) -> Transfer:
    r = _get(session, actor, transfer_id)
    if r.claimed_by != actor.id:
        raise NotAllowed("err.not_allowed.transfer_claimer")
    _step(session, actor, r, version, ("claimed",))
    return r


def return_to_sender(session: Session, actor: Actor, transfer_id: int, version: int, reason: str,
                     note: str, *, items: Sequence[str] = (),
                     now: datetime | None = None) -> TransferView:
    """Send it back with a reason (and the items to fix); the clock pauses.
    The second return escalates the transfer to the leads."""
    now = now or utcnow()
    if reason not in RETURN_REASONS:
        raise Invalid("err.invalid.choice", field=_f("reason"), value=one_line(reason, 30),
                      choices=", ".join(RETURN_REASONS))
    note = _text(note, "return_note", MAX_NOTE, required=True)
    r = _get(session, actor, transfer_id)
    template = checklists.by_version_id(session, r.template_version_id)
    unknown = [k for k in items if template.item(k) is None]
    if unknown:
        raise Invalid("err.invalid.choice", field=_f("return_items"),
                      value=one_line(", ".join(unknown), 40),
                      choices=", ".join(i.key for i in template.items))
    r = _claimer_step(session, actor, transfer_id, version)
    r.status = "returned"
    r.returned_at = now
    r.bounces += 1
    r.return_reason, r.return_note, r.return_items = reason, note, list(dict.fromkeys(items))
    _touch(r, actor, now)
    session.add(r)
    _event(session, r, actor, "returned", now, reason=reason, note=note, items=list(items),
           bounce=r.bounces)
    if r.bounces >= ESCALATE_AT and r.escalated_at is None:
        r.escalated_at = now
        _event(session, r, None, "escalated", now, bounces=r.bounces)
    session.flush()
    return _view(session, r, now)


def resolve(session: Session, actor: Actor, transfer_id: int, version: int, outcome: str,
            note: str, *, now: datetime | None = None) -> TransferView:
    now = now or utcnow()
    if outcome not in OUTCOMES:
        raise Invalid("err.invalid.choice", field=_f("outcome"), value=one_line(outcome, 30),
                      choices=", ".join(OUTCOMES))
    note = _text(note, "resolution", MAX_NOTE, required=True)
    r = _claimer_step(session, actor, transfer_id, version)
    r.status = "resolved"
    r.resolved_at = now
    r.outcome, r.resolution = outcome, note
    r.resolve_breached = r.resolve_due_at is not None and now > r.resolve_due_at
    _touch(r, actor, now)
    session.add(r)
    _event(session, r, actor, "resolved", now, reason=outcome, note=note)
    session.flush()
    return _view(session, r, now)


def reassign(session: Session, actor: Actor, transfer_id: int, version: int, to: str, *,
             now: datetime | None = None) -> TransferView:
    """A lead moves a waiting transfer to a person, or a claimed one to
    another claimer (the clocks run on)."""
    now = now or utcnow()
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.transfer_reassign")
    user = _user(session, to, "to")
    r = _get(session, actor, transfer_id)
    _step(session, actor, r, version, ("sent", "claimed"))
    before = r.claimed_by if r.status == "claimed" else r.to_user_id
    if r.status == "claimed":
        r.claimed_by = user.id
    else:
        r.to_user_id = user.id
    _touch(r, actor, now)
    session.add(r)
    _event(session, r, actor, "reassigned", now, to=user.login,
           before=_names(session, [before]).get(before, "") if before else r.queue)
    session.flush()
    return _view(session, r, now)


# ── lists ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Inbox:
    returned: list[TransferRow]  # mine, back with me to fix
    drafts: list[TransferRow]
    waiting: list[TransferRow]  # in my queue, by time left to accept
    claimed: list[TransferRow]  # mine to resolve, by time left
    sent: list[TransferRow]  # mine, with after-sale
    resolved: list[TransferRow]  # recently, sent or claimed by me


def inbox(session: Session, actor: Actor, *, now: datetime | None = None,
          limit: int = LIST_LIMIT) -> Inbox:
    now = now or utcnow()

    def fetch(query: Any, most: int = limit) -> Sequence[Any]:
        return session.exec(query.limit(most)).all()

    listed = select(*_LIST_COLUMNS)  # what a list shows (see _rows)
    mine = listed.where(Transfer.sender_id == actor.id)
    waiting_filter = or_(and_(col(Transfer.queue) == actor.team, col(Transfer.to_user_id).is_(None)),
                         col(Transfer.to_user_id) == actor.id)
    lists = dict(
        returned=fetch(mine.where(Transfer.status == "returned").order_by(col(Transfer.returned_at))),
        drafts=fetch(mine.where(Transfer.status == "draft")
                     .order_by(col(Transfer.updated_at).desc())),
        waiting=fetch(listed.where(Transfer.status == "sent", waiting_filter)
                      .order_by(col(Transfer.accept_due_at), col(Transfer.id))),
        claimed=fetch(listed.where(Transfer.claimed_by == actor.id, Transfer.status == "claimed")
                      .order_by(col(Transfer.resolve_due_at), col(Transfer.id))),
        sent=fetch(mine.where(col(Transfer.status).in_(("sent", "claimed")))
                   .order_by(col(Transfer.updated_at).desc())),
        resolved=fetch(listed.where(
            Transfer.status == "resolved",
            or_(col(Transfer.sender_id) == actor.id, col(Transfer.claimed_by) == actor.id),
            col(Transfer.resolved_at) >= now - timedelta(days=7))
            .order_by(col(Transfer.resolved_at).desc()), min(limit, 20)),
    )
    names = _people(session, _people_in(lists.values()))  # one read for every list
    return Inbox(**{key: _rows(session, rows, now, names) for key, rows in lists.items()})


def watch_key(session: Session, actor: Actor) -> tuple[int, ...]:
    """What a live view compares to know new work arrived for the actor:
    waiting in their queue, returned to them, and for a lead the open
    escalated transfers."""
    waiting = session.exec(select(func.count(), func.max(Transfer.id)).where(
        Transfer.status == "sent",
        or_(and_(col(Transfer.queue) == actor.team, col(Transfer.to_user_id).is_(None)),
            col(Transfer.to_user_id) == actor.id))).one()
    returned = session.exec(select(func.count()).select_from(Transfer).where(
        Transfer.sender_id == actor.id, Transfer.status == "returned")).one()
    escalated = session.exec(select(func.count()).select_from(Transfer).where(
        col(Transfer.status).in_(OPEN_STATES), col(Transfer.escalated_at).is_not(None))).one() \
        if actor.is_lead else 0
    return (int(waiting[0]), int(waiting[1] or 0), int(returned), int(escalated))


# ── the lead view ──────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Tally:
    name: str
    transfers: int
    bounces: int
    escalated: int


@dataclass(frozen=True)
class LeadView:
    counts: dict[str, int]  # open states now; resolved in the range
    sent: list[TransferRow]  # oldest first
    claimed: list[TransferRow]
    returned: list[TransferRow]
    escalated: list[TransferRow]
    breaches: list[TransferRow]
    by_template: list[Tally]
    by_sender: list[Tally]
    first: date
    last: date
    queues: list[str]



def queues(session: Session) -> list[str]:
    return sorted(q for q in session.exec(select(Transfer.queue).distinct()).all() if q)


def lead_view(session: Session, actor: Actor, *, first: date, last: date,
              queue: str | None = None, now: datetime | None = None,
              zone: tzinfo | None = None, limit: int = LIST_LIMIT) -> LeadView:
    """Open transfers by state (oldest first), breaches, escalations, and
    bounces per template and per sender for transfers sent in the range."""
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.transfer_lead")
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    now = now or utcnow()
    start, end = day_range_utc(first, last, zone or local_zone())

    # "+queue": a queue holds most transfers, so no index should be chosen for
    # it; without ANALYZE statistics SQLite would take ix_transfer_queue (queue
    # first) over the date and state indexes and read the whole queue.
    by_queue = UnaryExpression(col(Transfer.queue), operator=operators.custom_op("+")) == queue

    def scoped(query: Any) -> Any:
        return query.where(by_queue) if queue else query

    def fetch(query: Any, most: int = limit) -> Sequence[Any]:
        return session.exec(scoped(query).limit(most)).all()

    def counted(*where: Any) -> Any:
        return scoped(select(func.count()).select_from(Transfer).where(*where)).scalar_subquery()

    listed = select(*_LIST_COLUMNS)  # what a list shows (see _rows)
    overdue = or_(and_(col(Transfer.status) == "sent", col(Transfer.accept_due_at) < now),
                  and_(col(Transfer.status) == "claimed", col(Transfer.resolve_due_at) < now))
    # every count in one statement (each its own subquery, on its own index)
    counts = dict(zip((*OPEN_STATES, "resolved", "escalated", "breached"), session.exec(select(
        *(counted(Transfer.status == state) for state in OPEN_STATES),
        counted(Transfer.status == "resolved", col(Transfer.resolved_at) >= start,
                col(Transfer.resolved_at) < end),
        counted(col(Transfer.status).in_(OPEN_STATES), col(Transfer.escalated_at).is_not(None)),
        counted(overdue))).one(), strict=True))

    # Ordered by "+sent_at", the same order: the unary plus keeps SQLite from
    # walking the sent_at index oldest first in the hope of meeting `limit`
    # matches early (it would read years of resolved transfers to find them).
    oldest_first = UnaryExpression(col(Transfer.sent_at), operator=operators.custom_op("+"))
    breached = list(fetch(listed.where(overdue).order_by(oldest_first)))
    if len(breached) < limit:  # then the closed ones that missed, in the range
        breached += fetch(listed.where(
            Transfer.status == "resolved", col(Transfer.resolved_at) >= start,
            col(Transfer.resolved_at) < end,
            or_(col(Transfer.accept_breached), col(Transfer.resolve_breached)))
            .order_by(oldest_first), limit - len(breached))
    lists = dict(
        sent=fetch(listed.where(Transfer.status == "sent").order_by(col(Transfer.sent_at))),
        claimed=fetch(listed.where(Transfer.status == "claimed").order_by(col(Transfer.sent_at))),
        returned=fetch(listed.where(Transfer.status == "returned")
                       .order_by(col(Transfer.returned_at))),
        escalated=fetch(listed.where(col(Transfer.status).in_(OPEN_STATES),
                                     col(Transfer.escalated_at).is_not(None))
                        .order_by(col(Transfer.escalated_at))),
        breaches=breached,
    )

    in_range = scoped(select(Transfer).where(col(Transfer.sent_at) >= start,
                                             col(Transfer.sent_at) < end)).subquery()
    escalated_case = func.count(in_range.c.escalated_at)  # counts the non-null ones
    by_template = [Tally(name, n, b or 0, e or 0) for name, n, b, e in session.exec(
        select(in_range.c.template_key, func.count(), func.sum(in_range.c.bounces), escalated_case)
        .group_by(in_range.c.template_key)
        .order_by(func.sum(in_range.c.bounces).desc(), in_range.c.template_key)).all()]
    names = {info.key: info.name for info in checklists.list_templates(session)}
    by_template = [Tally(names.get(x.name, x.name), x.transfers, x.bounces, x.escalated)
                   for x in by_template]
    sender_rows = session.exec(
        select(in_range.c.sender_id, func.count(), func.sum(in_range.c.bounces), escalated_case)
        .group_by(in_range.c.sender_id)
        .having(func.sum(in_range.c.bounces) > 0)
        .order_by(func.sum(in_range.c.bounces).desc()).limit(limit)).all()
    # the names in the lists and of the senders, in one read
    people = _people(session, [*_people_in(lists.values()), *(s for s, *_ in sender_rows)])
    by_sender = [Tally(people.get(s, "?"), n, b or 0, e or 0) for s, n, b, e in sender_rows]
    # What queues() returns, found by skipping from one queue to the next
    # along ix_transfer_queue instead of reading every transfer.
    walk = select(func.min(Transfer.queue).label("queue")).cte("queue_walk", recursive=True)
    walk = walk.union_all(
        select(select(func.min(Transfer.queue)).where(col(Transfer.queue) > walk.c.queue)
               .scalar_subquery()).where(walk.c.queue.is_not(None)))
    queue_names = sorted(q for q in session.exec(select(walk.c.queue)).all() if q)

    return LeadView(
        counts=counts, **{key: _rows(session, rows, now, people) for key, rows in lists.items()},
        by_template=by_template, by_sender=by_sender, first=first, last=last, queues=queue_names)


# ── export ─────────────────────────────────────────────────────────────────

_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: object) -> str:
    """A CSV cell a spreadsheet will not run as a formula; controls shown."""
    text = printable("" if value is None else str(value)).replace("\r", "")
    return "'" + text if text.startswith(_FORMULA) else text


def export_csv(session: Session, actor: Actor, *, first: date, last: date,
               include_personal_data: bool = False, queue: str | None = None,
               zone: tzinfo | None = None) -> str:
    """Transfers sent in the range as CSV, one row each, checklist items as
    columns (by label). Personal data is masked unless asked for (leads)."""
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.transfer_lead")
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    zone = zone or local_zone()
    start, end = day_range_utc(first, last, zone)
    query = select(Transfer).where(col(Transfer.sent_at) >= start, col(Transfer.sent_at) < end)
    if queue:
        query = query.where(Transfer.queue == queue)
    rows = session.exec(query.order_by(col(Transfer.sent_at), col(Transfer.id))).all()
    names = _names(session, [i for r in rows for i in (r.sender_id, r.to_user_id, r.claimed_by)])
    labels: dict[str, None] = {}
    templates = {}
    for r in rows:
        template = templates.setdefault(r.template_version_id,
                                        checklists.by_version_id(session, r.template_version_id))
        for item in template.items:
            labels.setdefault(item.label)

    def stamp(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""

    out = io.StringIO()
    writer = csv.writer(out)
    head = ["id", "template", "template_version", "status", "sender", "sender_team", "queue",
            "to", "claimed_by", "subject", "sent_at", "claimed_at", "resolved_at",
            "accept_due_at", "resolve_due_at", "accept_breached", "resolve_breached", "bounces",
            "escalated_at", "outcome", "resolution"]
    writer.writerow(head + list(labels))
    for r in rows:
        template = templates[r.template_version_id]
        values = dict(r.values)
        by_label = {i.label: (display_value(i, values.get(i.key), zone) if include_personal_data
                              else mask(i, values.get(i.key), zone)) for i in template.items}
        writer.writerow([_cell(v) for v in [
            r.id, template.name, template.number, r.status, names.get(r.sender_id, ""),
            r.sender_team, r.queue, names.get(r.to_user_id, "") if r.to_user_id else "",
            names.get(r.claimed_by, "") if r.claimed_by else "",
            subject_of(template, values, masked=not include_personal_data),
            stamp(r.sent_at), stamp(r.claimed_at),
            stamp(r.resolved_at), stamp(r.accept_due_at), stamp(r.resolve_due_at),
            int(r.accept_breached), int(r.resolve_breached), r.bounces, stamp(r.escalated_at),
            r.outcome, r.resolution]] + [_cell(by_label.get(label, "")) for label in labels])
    return out.getvalue()
