"""Shift handover notes (交接班).

A note has the shape of the I-PASS hand-off used in hospitals: an overall
status (normal, busy, incident), a summary of the shift, open items — each a
customer or order, the situation, the next action, a due time and an owner —
and watch-outs; the receiver acknowledges with a synthesis in their own words.

States: ``draft`` (only the author edits it) → ``submitted`` (read-only but
for item status and comments) → ``acknowledged`` (once, by the addressed
shift or person). Items are ``open``, ``done`` or ``handed_on``; an item still
open when the team's next note is started is copied into it (rolled over,
counting how often), and marked handed on when that note is submitted.

Shift times are wall-clock times in the centre's time zone; a shift whose
end is at or before its start crosses midnight and belongs to the date it
starts on. Instants are stored in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo

from sqlalchemy import func, or_, update
from sqlmodel import Session, col, select

from cscterm.db import search
from cscterm.db.tables.core import Meta, User, utcnow
from cscterm.db.tables.handover import Handover, HandoverComment, HandoverItem
from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.services.shifts import ShiftSlot, next_slot, parse_due, slot_at
from cscterm.services.users import Actor, display_names
from cscterm.services.versioning import claim
from cscterm.i18n import t
from cscterm.text import day_range_utc, local_time, local_zone, one_line

OVERALL = ("normal", "busy", "incident")
ITEM_STATUSES = ("draft", "open", "done", "handed_on")  # "draft": in a note not yet sent
DEFAULT_ACK_GRACE = timedelta(minutes=15)
ROLLED_ALERT = 3  # items rolled this often show in the lead queue
MAX_SUMMARY = 4000
MAX_ITEM_TEXT = 2000
MAX_REFERENCE = 120
MAX_SYNTHESIS = 300
MAX_ITEMS = 100
INBOX_AHEAD = timedelta(hours=2)  # an incoming shift sees its notes this early
INBOX_BEHIND = timedelta(hours=24)  # and still sees unacknowledged ones this late


def _f(name: str) -> str:
    """A field's name in the reader's language (errors name fields)."""
    return t(f"field.ho.{name}")


def _item_field(n: int, name: str) -> str:
    return t("field.ho.item", n=n, field=_f(name))


# ── views ──────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class CommentView:
    id: int
    author: str
    kind: str
    body: str
    created_at: datetime


@dataclass(frozen=True)
class ItemView:
    id: int
    position: int
    reference: str
    situation: str
    next_action: str
    due_at: datetime | None
    owner_id: int | None
    owner: str
    status: str
    rolled_count: int
    origin_id: int | None
    ack: str
    closing_note: str
    version: int
    handover_id: int
    comments: tuple[CommentView, ...] = ()
    owner_login: str = ""
    team: str = ""

    def overdue(self, now: datetime) -> bool:
        return self.status == "open" and self.due_at is not None and self.due_at < now

    def due_soon(self, now: datetime, within: timedelta = timedelta(minutes=10)) -> bool:
        return (self.status == "open" and self.due_at is not None
                and now <= self.due_at <= now + within)


@dataclass(frozen=True)
class HandoverView:
    id: int
    team: str
    status: str
    author_id: int
    author: str
    shift_name: str
    shift_date: str
    shift_start: datetime
    shift_end: datetime
    overall: str
    summary: str
    watchouts: str
    to_shift_name: str
    to_shift_date: str
    to_shift_start: datetime | None
    to_user_id: int | None
    to_user: str
    submitted_at: datetime | None
    acked_by: str
    acked_at: datetime | None
    synthesis: str
    version: int
    updated_at: datetime
    items: tuple[ItemView, ...] = ()
    to_user_login: str = ""

    @property
    def open_items(self) -> list[ItemView]:
        return [i for i in self.items if i.status == "open"]

    def addressed_to(self) -> str:
        if self.to_user:
            return self.to_user
        return f"{self.to_shift_date} {self.to_shift_name}".strip()


@dataclass(frozen=True)
class HandoverRow:
    """One line in a list of notes."""

    id: int
    team: str
    status: str
    author: str
    shift_name: str
    shift_date: str
    shift_start: datetime
    overall: str
    summary: str
    to: str
    to_shift_start: datetime | None
    submitted_at: datetime | None
    acked_by: str
    acked_at: datetime | None
    open_items: int


@dataclass(frozen=True)
class ItemInput:
    """An item as an editor holds it (due as typed; owner as a login)."""

    reference: str = ""
    situation: str = ""
    next_action: str = ""
    due: str = ""
    owner: str = ""
    origin_id: int | None = None


@dataclass(frozen=True)
class Inbox:
    to_acknowledge: list[HandoverRow]
    my_items: list[ItemView]
    team_items: list[ItemView]
    drafts: list[HandoverRow]
    recent: list[HandoverRow]


@dataclass(frozen=True)
class LeadQueue:
    late: list[HandoverRow]  # not acknowledged within the grace time (or not yet)
    overdue: list[ItemView]
    rolled: list[ItemView]
    shifts: list[HandoverRow]
    teams: list[str] = field(default_factory=list)
    grace: timedelta = timedelta(minutes=15)


# ── reading ────────────────────────────────────────────────────────────────


def _names(session: Session, ids: set[int | None]) -> dict[int, str]:
    return display_names(session, {i for i in ids if i is not None})


def _logins(session: Session, ids: set[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.exec(select(User.id, User.login).where(col(User.id).in_(wanted))).all()
    return {uid: login for uid, login in rows if uid is not None}


def _item_view(item: HandoverItem, names: dict[int, str],
               comments: tuple[CommentView, ...] = (),
               logins: dict[int, str] | None = None) -> ItemView:
    assert item.id is not None
    return ItemView(
        id=item.id, position=item.position, reference=item.reference,
        situation=item.situation, next_action=item.next_action, due_at=item.due_at,
        owner_id=item.owner_id, owner=names.get(item.owner_id or 0, ""), status=item.status,
        rolled_count=item.rolled_count, origin_id=item.origin_id, ack=item.ack,
        closing_note=item.closing_note, version=item.version, handover_id=item.handover_id,
        comments=comments, owner_login=(logins or {}).get(item.owner_id or 0, ""),
        team=item.team,
    )


def _items_views(session: Session, items: Sequence[HandoverItem],
                 with_comments: bool = False) -> list[ItemView]:
    ids = {i.owner_id for i in items}
    comments: dict[int, list[HandoverComment]] = {}
    if with_comments and items:
        rows = session.exec(
            select(HandoverComment)
            .where(col(HandoverComment.item_id).in_([i.id for i in items]))
            .order_by(HandoverComment.item_id, HandoverComment.id)
        ).all()
        for row in rows:
            comments.setdefault(row.item_id, []).append(row)
            ids.add(row.author_id)
    names = _names(session, ids)
    logins = _logins(session, {i.owner_id for i in items})
    return [
        _item_view(item, names, logins=logins, comments=tuple(
            CommentView(c.id or 0, names.get(c.author_id, "?"), c.kind, c.body, c.created_at)
            for c in comments.get(item.id or 0, [])))
        for item in items
    ]


def _view(session: Session, note: Handover) -> HandoverView:
    assert note.id is not None
    items = session.exec(
        select(HandoverItem).where(HandoverItem.handover_id == note.id)
        .order_by(HandoverItem.position)
    ).all()
    names = _names(session, {note.author_id, note.to_user_id, note.acked_by})
    return HandoverView(
        id=note.id, team=note.team, status=note.status, author_id=note.author_id,
        author=names.get(note.author_id, "?"), shift_name=note.shift_name,
        shift_date=note.shift_date, shift_start=note.shift_start, shift_end=note.shift_end,
        overall=note.overall, summary=note.summary, watchouts=note.watchouts,
        to_shift_name=note.to_shift_name, to_shift_date=note.to_shift_date,
        to_shift_start=note.to_shift_start, to_user_id=note.to_user_id,
        to_user=names.get(note.to_user_id or 0, ""), submitted_at=note.submitted_at,
        acked_by=names.get(note.acked_by or 0, ""), acked_at=note.acked_at,
        synthesis=note.synthesis, version=note.version, updated_at=note.updated_at,
        items=tuple(_items_views(session, items, with_comments=True)),
        to_user_login=_logins(session, {note.to_user_id}).get(note.to_user_id or 0, ""),
    )


def _rows(session: Session, notes: Sequence[Handover]) -> list[HandoverRow]:
    if not notes:
        return []
    ids = [n.id for n in notes]
    counts = dict(session.exec(
        select(HandoverItem.handover_id, func.count())
        .where(col(HandoverItem.handover_id).in_(ids),
               # lower(): keeps the planner on the note index, not the
               # centre-wide status index
               func.lower(HandoverItem.status).in_(("open", "draft")))
        .group_by(HandoverItem.handover_id)
    ).all())
    names = _names(session, {n.author_id for n in notes} | {n.to_user_id for n in notes}
                   | {n.acked_by for n in notes})
    return [
        HandoverRow(
            id=n.id or 0, team=n.team, status=n.status, author=names.get(n.author_id, "?"),
            shift_name=n.shift_name, shift_date=n.shift_date, shift_start=n.shift_start,
            overall=n.overall, summary=one_line(n.summary, 200),
            to=names.get(n.to_user_id or 0, "") or f"{n.to_shift_date} {n.to_shift_name}".strip(),
            to_shift_start=n.to_shift_start, submitted_at=n.submitted_at,
            acked_by=names.get(n.acked_by or 0, ""), acked_at=n.acked_at,
            open_items=counts.get(n.id, 0),
        )
        for n in notes
    ]


def _can_read(actor: Actor, note: Handover) -> bool:
    if note.status == "draft":
        return note.author_id == actor.id
    return actor.is_lead or note.team == actor.team or note.to_user_id == actor.id


def _note(session: Session, actor: Actor, handover_id: int) -> Handover:
    note = session.get(Handover, handover_id, populate_existing=True)
    if note is None or not _can_read(actor, note):
        raise NotFound("err.not_found.handover", id=handover_id)
    return note


def get_handover(session: Session, actor: Actor, handover_id: int) -> HandoverView:
    return _view(session, _note(session, actor, handover_id))


# ── writing a note ─────────────────────────────────────────────────────────


def _rollover_candidates(session: Session, team: str, before: datetime,
                         exclude: int | None = None) -> list[HandoverItem]:
    """Items of the team's earlier notes still open (or handed on) and not yet
    carried into a later note, oldest note first."""
    query = (
        select(HandoverItem)
        .join(Handover, col(Handover.id) == HandoverItem.handover_id)
        .where(HandoverItem.team == team, col(HandoverItem.status).in_(("open", "handed_on")),
               col(HandoverItem.carried_to_id).is_(None), Handover.status != "draft",
               Handover.shift_start < before)
        .order_by(Handover.shift_start, HandoverItem.position)
        .limit(MAX_ITEMS)
    )
    if exclude is not None:
        query = query.where(Handover.id != exclude)
    return list(session.exec(query).all())


def start_handover(session: Session, actor: Actor, *, now: datetime | None = None,
                   zone: tzinfo | None = None, slot: ShiftSlot | None = None) -> HandoverView:
    """The actor's draft for their current shift (made now if there is none),
    with the team's still-open items rolled over into it."""
    now = now or utcnow()
    zone = zone or local_zone()
    slot = slot or slot_at(session, actor.team, now, zone)
    existing = session.exec(
        select(Handover).where(Handover.author_id == actor.id, Handover.status == "draft",
                               Handover.team == actor.team, Handover.shift_start == slot.start)
    ).first()
    if existing is not None:
        return _view(session, existing)
    following = next_slot(session, slot, zone)
    note = Handover(
        team=actor.team, author_id=actor.id, status="draft", shift_name=slot.name,
        shift_date=slot.day.isoformat(), shift_start=slot.start, shift_end=slot.end,
        to_shift_name=following.name, to_shift_date=following.day.isoformat(),
        to_shift_start=following.start, created_at=now, updated_at=now, updated_by=actor.id,
    )
    session.add(note)
    session.flush()
    for position, old in enumerate(_rollover_candidates(session, actor.team, slot.start)):
        session.add(HandoverItem(
            handover_id=note.id, team=note.team, position=position, reference=old.reference,
            situation=old.situation, next_action=old.next_action, due_at=old.due_at,
            owner_id=old.owner_id, rolled_count=old.rolled_count + 1, origin_id=old.id,
            status="draft", updated_at=now, updated_by=actor.id,
        ))
    session.flush()
    return _view(session, note)


def _draft_of(session: Session, actor: Actor, handover_id: int) -> Handover:
    note = session.get(Handover, handover_id, populate_existing=True)
    if note is None or not (_can_read(actor, note) or note.team == actor.team or actor.is_lead):
        raise NotFound("err.not_found.handover", id=handover_id)
    if note.author_id != actor.id:  # a teammate or a lead is told why; others find nothing
        raise NotAllowed("err.not_allowed.handover_author")
    if note.status != "draft":
        raise Conflict("err.conflict.handover_submitted", when=local_time(note.submitted_at or note.updated_at))
    return note


def _text(value: str, field_name: str, limit: int) -> str:
    value = (value or "").strip()
    if len(value) > limit:
        raise Invalid("err.invalid.too_long", field=field_name, length=len(value), limit=limit)
    return value


def _user_by_login(session: Session, login: str, field_name: str) -> User:
    user = session.exec(select(User).where(User.login == login.strip())).first()
    if user is None:
        raise Invalid("err.invalid.unknown_user", field=field_name, login=one_line(login, 40))
    return user


def save_draft(
    session: Session, actor: Actor, handover_id: int, version: int, *,
    overall: str, summary: str, watchouts: str, items: Sequence[ItemInput],
    to_user: str = "", now: datetime | None = None, zone: tzinfo | None = None,
) -> HandoverView:
    """Save the author's draft (a stale version is refused). Fields may still
    be empty; what is there must be valid (due times parse, owners exist)."""
    now = now or utcnow()
    zone = zone or local_zone()
    note = _draft_of(session, actor, handover_id)
    if overall not in OVERALL:
        raise Invalid("err.invalid.overall", value=one_line(overall, 20), allowed=", ".join(OVERALL))
    if len(items) > MAX_ITEMS:
        raise Invalid("err.invalid.too_many_items", count=len(items), limit=MAX_ITEMS)
    summary = _text(summary, _f("summary"), MAX_SUMMARY)
    watchouts = _text(watchouts, _f("watchouts"), MAX_SUMMARY)
    to_user_id = None
    if to_user.strip():
        user = _user_by_login(session, to_user, _f("to"))
        if user.id == actor.id:
            raise Invalid("err.invalid.to_self")
        to_user_id = user.id
    candidates = {i.id: i for i in _rollover_candidates(session, note.team, note.shift_start,
                                                        exclude=note.id)}
    rows: list[HandoverItem] = []
    for n, item in enumerate(items, 1):
        origin = None
        if item.origin_id is not None:
            origin = candidates.get(item.origin_id)
            if origin is None:
                raise Conflict("err.conflict.item_gone", reference=one_line(item.reference, 40))
        due = parse_due(item.due, after=note.shift_start, now=now, zone=zone,
                        field_name=_item_field(n, "due"),
                        keep=origin.due_at if origin is not None else None)
        owner_id = None
        if item.owner.strip():
            owner = _user_by_login(session, item.owner, _item_field(n, "owner"))
            if owner.team != note.team:
                raise Invalid("err.invalid.owner_team", field=_item_field(n, "owner"),
                              login=owner.login, team=note.team)
            owner_id = owner.id
        rolled = origin.rolled_count + 1 if origin is not None else 0
        rows.append(HandoverItem(
            handover_id=note.id, team=note.team, position=n - 1,
            reference=_text(one_line(item.reference), _item_field(n, "reference"), MAX_REFERENCE),
            situation=_text(item.situation, _item_field(n, "situation"), MAX_ITEM_TEXT),
            next_action=_text(item.next_action, _item_field(n, "next_action"), MAX_ITEM_TEXT),
            due_at=due, owner_id=owner_id, rolled_count=rolled, origin_id=item.origin_id,
            status="draft", updated_at=now, updated_by=actor.id,
        ))
    claim(session, Handover, handover_id, version, "what.handover")
    for old in session.exec(select(HandoverItem).where(HandoverItem.handover_id == note.id)):
        session.delete(old)
    session.flush()
    note = session.get(Handover, handover_id, populate_existing=True)
    assert note is not None
    note.overall, note.summary, note.watchouts = overall, summary, watchouts
    note.to_user_id = to_user_id
    note.updated_at, note.updated_by = now, actor.id
    session.add(note)
    session.add_all(rows)
    session.flush()
    return _view(session, note)


def missing_fields(note: HandoverView) -> list[str]:
    """What a submit would refuse for, one entry per empty required field."""
    missing: list[str] = []
    if not note.summary.strip():
        missing.append(_f("summary"))
    for n, item in enumerate(note.items, 1):
        for name, value in (("reference", item.reference), ("situation", item.situation),
                            ("next_action", item.next_action)):
            if not value.strip():
                missing.append(_item_field(n, name))
        if item.due_at is None:
            missing.append(_item_field(n, "due"))
    return missing


def _index_text(session: Session, note: Handover) -> str:
    items = session.exec(select(HandoverItem).where(HandoverItem.handover_id == note.id)).all()
    parts = [note.shift_name, note.summary, note.watchouts, note.synthesis]
    for item in items:
        parts += [item.reference, item.situation, item.next_action]
    return "\n".join(p for p in parts if p)


def submit(session: Session, actor: Actor, handover_id: int, version: int, *,
           now: datetime | None = None) -> HandoverView:
    """Send the draft to its addressee. Refused, naming every empty required
    field, while anything is missing; after this only item status and
    comments change."""
    now = now or utcnow()
    note = _draft_of(session, actor, handover_id)
    current = _view(session, note)
    missing = missing_fields(current)
    if missing:
        raise Invalid("err.invalid.handover_incomplete", fields="; ".join(missing))
    claim(session, Handover, handover_id, version, "what.handover")
    for item in current.items:
        if item.origin_id is None:
            continue
        carried = session.execute(
            update(HandoverItem)
            .where(col(HandoverItem.id) == item.origin_id,
                   col(HandoverItem.carried_to_id).is_(None),
                   col(HandoverItem.status).in_(("open", "handed_on")))
            .values(carried_to_id=item.id, status="handed_on", version=HandoverItem.version + 1,
                    updated_at=now, updated_by=actor.id)
            .execution_options(synchronize_session=False)
        )
        if carried.rowcount != 1:  # type: ignore[attr-defined]
            raise Conflict("err.conflict.item_gone", reference=one_line(item.reference, 40))
    session.execute(
        update(HandoverItem).where(col(HandoverItem.handover_id) == handover_id)
        .values(status="open").execution_options(synchronize_session=False)
    )
    note = session.get(Handover, handover_id, populate_existing=True)
    assert note is not None
    note.status, note.submitted_at = "submitted", now
    note.updated_at, note.updated_by = now, actor.id
    session.add(note)
    session.flush()
    search.index_handover(session, handover_id, note.team, _index_text(session, note))
    return _view(session, note)


def discard_draft(session: Session, actor: Actor, handover_id: int) -> None:
    """Throw away the author's draft (a draft is the only thing ever deleted)."""
    note = _draft_of(session, actor, handover_id)
    for item in session.exec(select(HandoverItem).where(HandoverItem.handover_id == note.id)):
        session.delete(item)
    session.flush()  # the items first: no relationship tells the flush to order them
    session.delete(note)
    session.flush()


# ── receiving ──────────────────────────────────────────────────────────────


def may_acknowledge(actor: Actor, note: HandoverView | Handover) -> bool:
    if note.status != "submitted" or note.author_id == actor.id:
        return False
    if note.to_user_id is not None:
        return note.to_user_id == actor.id
    return note.team == actor.team


@dataclass(frozen=True)
class ItemDecision:
    accept: bool
    question: str = ""


def acknowledge(session: Session, actor: Actor, handover_id: int, synthesis: str,
                decisions: dict[int, ItemDecision], *, now: datetime | None = None) -> HandoverView:
    """Take the note on: a one-line synthesis in the receiver's own words and,
    for each open item, accept it or ask a question. Only one acknowledgement
    counts; a second is refused naming who acknowledged and when."""
    now = now or utcnow()
    note = _note(session, actor, handover_id)
    if note.status == "acknowledged":
        raise _already(session, note)
    if note.status != "submitted" or not may_acknowledge(actor, note):
        raise NotAllowed("err.not_allowed.acknowledge", to=_view(session, note).addressed_to())
    synthesis = one_line(synthesis or "").strip()
    if not synthesis:
        raise Invalid("err.invalid.required", field=_f("synthesis"))
    if len(synthesis) > MAX_SYNTHESIS:
        raise Invalid("err.invalid.too_long", field=_f("synthesis"), length=len(synthesis),
                      limit=MAX_SYNTHESIS)
    items = session.exec(
        select(HandoverItem).where(HandoverItem.handover_id == note.id,
                                   HandoverItem.status == "open").order_by(HandoverItem.position)
    ).all()
    undecided = []
    for item in items:
        decision = decisions.get(item.id or 0)
        if decision is None or (not decision.accept and not decision.question.strip()):
            undecided.append(f"{item.position + 1} ({one_line(item.reference, 30)})")
    if undecided:
        raise Invalid("err.invalid.ack_undecided", items="; ".join(undecided))
    won = session.execute(
        update(Handover)
        .where(col(Handover.id) == handover_id, Handover.status == "submitted")
        .values(status="acknowledged", acked_by=actor.id, acked_at=now, synthesis=synthesis,
                ack_delay_s=int((now - note.to_shift_start).total_seconds())
                if note.to_shift_start else None,
                version=Handover.version + 1, updated_at=now, updated_by=actor.id)
        .execution_options(synchronize_session=False)
    )
    if won.rowcount != 1:  # type: ignore[attr-defined]
        session.expire_all()
        raise _already(session, _note(session, actor, handover_id))
    for item in items:
        decision = decisions[item.id or 0]
        if decision.accept:
            item.ack = "accepted"
            if item.owner_id is None:
                item.owner_id = actor.id
        else:
            item.ack = "question"
            session.add(HandoverComment(item_id=item.id, author_id=actor.id, kind="question",
                                        body=_text(decision.question, _f("question"), MAX_ITEM_TEXT),
                                        created_at=now))
        item.version += 1
        item.updated_at, item.updated_by = now, actor.id
        session.add(item)
    session.flush()
    note = session.get(Handover, handover_id, populate_existing=True)
    assert note is not None
    search.index_handover(session, handover_id, note.team, _index_text(session, note))
    return _view(session, note)


def _already(session: Session, note: Handover) -> Conflict:
    who = _names(session, {note.acked_by}).get(note.acked_by or 0, "?")
    return Conflict("err.conflict.acknowledged", who=who,
                    when=local_time(note.acked_at or note.updated_at))


# ── working the items ──────────────────────────────────────────────────────


def _item(session: Session, actor: Actor, item_id: int) -> tuple[HandoverItem, Handover]:
    item = session.get(HandoverItem, item_id, populate_existing=True)
    if item is None:
        raise NotFound("err.not_found.item", id=item_id)
    note = session.get(Handover, item.handover_id)
    if note is None or not (_can_read(actor, note)
                            or (note.status != "draft" and item.owner_id == actor.id)):
        raise NotFound("err.not_found.item", id=item_id)  # an owner may be of another team
    if note.status == "draft":
        raise Invalid("err.invalid.item_in_draft")
    return item, note


def _workable(actor: Actor, item: HandoverItem, note: Handover) -> None:
    if not (actor.is_lead or note.team == actor.team or item.owner_id == actor.id):
        raise NotAllowed("err.not_allowed.item")
    if item.status != "open":
        raise Conflict("err.conflict.item_closed", status=t(f"ho.status.{item.status}"))


def _comment(session: Session, actor: Actor, item_id: int, kind: str, body: str,
             now: datetime) -> None:
    session.add(HandoverComment(item_id=item_id, author_id=actor.id, kind=kind, body=body,
                                created_at=now))


def complete_item(session: Session, actor: Actor, item_id: int, version: int, note_text: str, *,
                  now: datetime | None = None) -> ItemView:
    """Mark an open item done, saying what was done."""
    now = now or utcnow()
    item, note = _item(session, actor, item_id)
    _workable(actor, item, note)
    note_text = _text(note_text, _f("note"), MAX_ITEM_TEXT)
    if not note_text:
        raise Invalid("err.invalid.required", field=_f("note"))
    claim(session, HandoverItem, item_id, version, "what.item")
    item = session.get(HandoverItem, item_id, populate_existing=True)
    assert item is not None
    item.status, item.closing_note = "done", note_text
    item.closed_at, item.closed_by = now, actor.id
    item.updated_at, item.updated_by = now, actor.id
    session.add(item)
    _comment(session, actor, item_id, "done", note_text, now)
    session.flush()
    return _items_views(session, [item], with_comments=True)[0]


def hand_on_item(session: Session, actor: Actor, item_id: int, version: int, note_text: str,
                 *, to: str = "", now: datetime | None = None) -> ItemView:
    """Pass an open item on: to a named teammate (who then owns it), or to
    the next shift (it is rolled into the team's next note)."""
    now = now or utcnow()
    item, note = _item(session, actor, item_id)
    _workable(actor, item, note)
    note_text = _text(note_text, _f("note"), MAX_ITEM_TEXT)
    owner_id = None
    if to.strip():
        owner = _user_by_login(session, to, _f("to"))
        if owner.team != item.team:
            raise Invalid("err.invalid.owner_team", field=_f("to"), login=owner.login, team=item.team)
        owner_id = owner.id
    claim(session, HandoverItem, item_id, version, "what.item")
    item = session.get(HandoverItem, item_id, populate_existing=True)
    assert item is not None
    if owner_id is not None:
        item.owner_id = owner_id
        body = f"→ {to.strip()}" + (f": {note_text}" if note_text else "")
    else:
        item.status = "handed_on"
        body = note_text
    item.updated_at, item.updated_by = now, actor.id
    session.add(item)
    _comment(session, actor, item_id, "handed_on", body, now)
    session.flush()
    return _items_views(session, [item], with_comments=True)[0]


def add_comment(session: Session, actor: Actor, item_id: int, body: str, *,
                now: datetime | None = None) -> ItemView:
    now = now or utcnow()
    item, note = _item(session, actor, item_id)
    if not (actor.is_lead or note.team == actor.team or item.owner_id == actor.id):
        raise NotAllowed("err.not_allowed.item")
    body = _text(body, _f("comment"), MAX_ITEM_TEXT)
    if not body:
        raise Invalid("err.invalid.required", field=_f("comment"))
    _comment(session, actor, item_id, "note", body, now)
    session.flush()
    return _items_views(session, [item], with_comments=True)[0]


def reassign_item(session: Session, actor: Actor, item_id: int, version: int, to: str, *,
                  now: datetime | None = None) -> ItemView:
    """Leads give an item to someone else (any status but closed)."""
    now = now or utcnow()
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.reassign")
    item, _note_row = _item(session, actor, item_id)
    if item.status == "done" or item.carried_to_id is not None:
        # A carried item lives on in the later note: reassign that one.
        raise Conflict("err.conflict.item_closed", status=t(f"ho.status.{item.status}"))
    owner = _user_by_login(session, to, _f("to"))
    if owner.team != item.team:
        raise Invalid("err.invalid.owner_team", field=_f("to"), login=owner.login, team=item.team)
    if owner.id == item.owner_id:
        return _items_views(session, [item], with_comments=True)[0]
    claim(session, HandoverItem, item_id, version, "what.item")
    item = session.get(HandoverItem, item_id, populate_existing=True)
    assert item is not None
    item.owner_id = owner.id
    item.updated_at, item.updated_by = now, actor.id
    session.add(item)
    _comment(session, actor, item_id, "reassigned", f"→ {owner.login}", now)
    session.flush()
    return _items_views(session, [item], with_comments=True)[0]


# ── lists ──────────────────────────────────────────────────────────────────

LIST_LIMIT = 200
QUEUE_LIMIT = 100  # per lead-queue list: a lead narrows by team or range past this


def inbox(session: Session, actor: Actor, *, now: datetime | None = None,
          limit: int = LIST_LIMIT) -> Inbox:
    """What the actor should look at now: notes to acknowledge (for their
    team's current or coming shift, or addressed to them), items they own,
    the team's open items, their drafts and the team's recent notes."""
    now = now or utcnow()
    to_me = session.exec(
        select(Handover).where(Handover.to_user_id == actor.id, Handover.status == "submitted")
        .order_by(Handover.to_shift_start).limit(limit)
    ).all()
    to_team = session.exec(
        select(Handover).where(Handover.status == "submitted", Handover.team == actor.team,
                               col(Handover.to_user_id).is_(None),
                               col(Handover.to_shift_start) >= now - INBOX_BEHIND,
                               col(Handover.to_shift_start) <= now + INBOX_AHEAD,
                               Handover.author_id != actor.id)
        .order_by(Handover.to_shift_start).limit(limit)
    ).all()
    mine = session.exec(
        select(HandoverItem).where(HandoverItem.owner_id == actor.id, HandoverItem.status == "open",
                                   col(HandoverItem.carried_to_id).is_(None))
        .order_by(HandoverItem.due_at).limit(limit)
    ).all()
    team = session.exec(
        select(HandoverItem)
        .where(HandoverItem.team == actor.team, HandoverItem.status == "open",
               col(HandoverItem.carried_to_id).is_(None))
        .order_by(HandoverItem.due_at).limit(limit)
    ).all()
    drafts = session.exec(
        select(Handover).where(Handover.author_id == actor.id, Handover.status == "draft")
        .order_by(col(Handover.shift_start).desc()).limit(limit)
    ).all()
    recent = session.exec(
        select(Handover).where(Handover.team == actor.team, Handover.status != "draft")
        .order_by(col(Handover.shift_start).desc()).limit(20)
    ).all()
    seen: set[int] = set()
    waiting = []
    for note in [*to_me, *to_team]:
        if note.id not in seen:
            seen.add(note.id or 0)
            waiting.append(note)
    return Inbox(
        to_acknowledge=_rows(session, waiting),
        my_items=_items_views(session, mine),
        team_items=_items_views(session, team),
        drafts=_rows(session, drafts),
        recent=_rows(session, recent),
    )


def waiting_ids(session: Session, actor: Actor, *, now: datetime | None = None) -> set[int]:
    """Ids of the notes waiting for the actor's acknowledgement — the same
    notes as :func:`inbox`'s ``to_acknowledge``, read as bare ids (the live
    view asks this whenever the database changed)."""
    now = now or utcnow()
    to_me = session.exec(
        select(Handover.id).where(Handover.to_user_id == actor.id, Handover.status == "submitted")
    ).all()
    to_team = session.exec(
        select(Handover.id).where(Handover.status == "submitted", Handover.team == actor.team,
                                  col(Handover.to_user_id).is_(None),
                                  col(Handover.to_shift_start) >= now - INBOX_BEHIND,
                                  col(Handover.to_shift_start) <= now + INBOX_AHEAD,
                                  Handover.author_id != actor.id)
    ).all()
    return {i for i in (*to_me, *to_team) if i is not None}


def rows_of(session: Session, actor: Actor, ids: set[int]) -> list[HandoverRow]:
    """List rows for the given notes the actor may read, oldest shift first."""
    if not ids:
        return []
    notes = session.exec(select(Handover).where(col(Handover.id).in_(ids))
                         .order_by(Handover.shift_start)).all()
    return _rows(session, [n for n in notes if _can_read(actor, n)])


_GRACE_KEY = "handover.ack_grace_minutes"
MAX_GRACE_MINUTES = 24 * 60


def ack_grace(session: Session) -> timedelta:
    """How long after the next shift's start a note may wait for its
    acknowledgement before the lead queue calls it late (default 15 min)."""
    row = session.get(Meta, _GRACE_KEY)
    try:
        return timedelta(minutes=int(row.value)) if row is not None else DEFAULT_ACK_GRACE
    except ValueError:
        return DEFAULT_ACK_GRACE


def set_ack_grace(session: Session, actor: Actor, minutes: int) -> timedelta:
    """Leads set the acknowledgement grace time (0 to 1440 minutes)."""
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.grace")
    if not 0 <= minutes <= MAX_GRACE_MINUTES:
        raise Invalid("err.invalid.grace", value=minutes, limit=MAX_GRACE_MINUTES)
    row = session.get(Meta, _GRACE_KEY) or Meta(key=_GRACE_KEY)
    row.value = str(minutes)
    session.add(row)
    session.flush()
    return timedelta(minutes=minutes)



def teams(session: Session) -> list[str]:
    return list(session.exec(select(User.team).distinct().order_by(User.team)).all())


def lead_queue(session: Session, actor: Actor, *, first: date, last: date,
               team: str | None = None, grace: timedelta | None = None,
               now: datetime | None = None, zone: tzinfo | None = None,
               limit: int = QUEUE_LIMIT) -> LeadQueue:
    """Where hand-off is being lost, for one team or all, shifts starting on
    ``first``..``last``: notes not acknowledged within ``grace`` of the shift
    start, items still open past their due time (however long ago: an item
    forgotten last week matters today; the most recently overdue first),
    items rolled three or more times, and every shift's note with its status."""
    if not actor.is_lead:
        raise NotAllowed("err.not_allowed.lead_queue")
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    now = now or utcnow()
    zone = zone or local_zone()
    grace = ack_grace(session) if grace is None else grace
    start, end = day_range_utc(first, last, zone)
    grace_s = int(grace.total_seconds())

    def scoped(query, model):  # type: ignore[no-untyped-def]
        return query.where(model.team == team) if team else query

    late = session.exec(scoped(
        select(Handover).where(
            Handover.status != "draft",
            col(Handover.to_shift_start) >= start, col(Handover.to_shift_start) < end,
            or_(
                (Handover.status == "submitted") & (col(Handover.to_shift_start) < now - grace),
                col(Handover.ack_delay_s) > grace_s,
            ),
        ), Handover).order_by(col(Handover.to_shift_start).desc()).limit(limit)
    ).all()
    overdue = session.exec(scoped(
        select(HandoverItem).where(
            HandoverItem.status == "open", col(HandoverItem.due_at) < min(now, end),
            col(HandoverItem.carried_to_id).is_(None)), HandoverItem)
        .order_by(col(HandoverItem.due_at).desc()).limit(limit)
    ).all()
    rolled = session.exec(scoped(
        select(HandoverItem).where(
            HandoverItem.status == "open", col(HandoverItem.rolled_count) >= ROLLED_ALERT,
            col(HandoverItem.carried_to_id).is_(None)), HandoverItem)
        .order_by(col(HandoverItem.rolled_count).desc()).limit(limit)
    ).all()
    shifts = session.exec(scoped(
        select(Handover).where(Handover.status != "draft", col(Handover.shift_start) >= start,
                               col(Handover.shift_start) < end), Handover)
        .order_by(col(Handover.shift_start).desc()).limit(limit)
    ).all()
    return LeadQueue(
        late=_rows(session, late), overdue=_items_views(session, overdue),
        rolled=_items_views(session, rolled), shifts=_rows(session, shifts),
        teams=teams(session), grace=grace,
    )


def search_history(session: Session, actor: Actor, query: str, *, limit: int = 50,
                   before_id: int | None = None) -> list[HandoverRow]:
    """Past notes whose text matches ``query`` (Chinese included), newest
    first: the actor's team's, or every team's for a lead."""
    ids = search.handover_match_ids(session, query, team=None if actor.is_lead else actor.team,
                                    limit=limit, before_id=before_id)
    if not ids:
        return []
    notes = session.exec(select(Handover).where(col(Handover.id).in_(ids))).all()
    notes = sorted(notes, key=lambda n: -(n.id or 0))
    return _rows(session, notes)


def export(session: Session, actor: Actor, *, first: date, last: date, team: str | None = None,
           zone: tzinfo | None = None) -> list[HandoverView]:
    """Submitted notes of shifts starting ``first``..``last`` for a report:
    an agent's own team; a lead's chosen team or every team."""
    if last < first:
        raise Invalid("err.invalid.date_range", first=first.isoformat(), last=last.isoformat())
    if not actor.is_lead:
        if team and team != actor.team:
            raise NotAllowed("err.not_allowed.other_team")
        team = actor.team
    start, end = day_range_utc(first, last, zone or local_zone())
    query = select(Handover).where(Handover.status != "draft", col(Handover.shift_start) >= start,
                                   col(Handover.shift_start) < end)
    if team:
        query = query.where(Handover.team == team)
    notes = session.exec(query.order_by(Handover.shift_start, Handover.id)).all()
    return [_view(session, note) for note in notes]


# ── reports ────────────────────────────────────────────────────────────────


def _local(moment: datetime | None, zone: tzinfo) -> str:
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else ""


def to_json(notes: Sequence[HandoverView], zone: tzinfo | None = None) -> list[dict[str, object]]:
    """Plain data for a JSON report: times in UTC (ISO 8601) and local."""
    zone = zone or local_zone()

    def stamp(moment: datetime | None) -> dict[str, str] | None:
        if moment is None:
            return None
        return {"utc": moment.astimezone(UTC).isoformat(), "local": _local(moment, zone)}

    return [
        {
            "id": n.id, "team": n.team, "status": n.status, "author": n.author,
            "shift": {"name": n.shift_name, "date": n.shift_date, "start": stamp(n.shift_start),
                      "end": stamp(n.shift_end)},
            "overall": n.overall, "summary": n.summary, "watchouts": n.watchouts,
            "to": n.addressed_to(), "submitted_at": stamp(n.submitted_at),
            "acknowledged": {"by": n.acked_by, "at": stamp(n.acked_at),
                             "synthesis": n.synthesis} if n.acked_at else None,
            "items": [
                {"reference": i.reference, "situation": i.situation,
                 "next_action": i.next_action, "due": stamp(i.due_at), "owner": i.owner,
                 "status": i.status, "rolled": i.rolled_count, "closing_note": i.closing_note,
                 "comments": [{"by": c.author, "kind": c.kind, "body": c.body,
                               "at": stamp(c.created_at)} for c in i.comments]}
                for i in n.items
            ],
        }
        for n in notes
    ]


def to_markdown(notes: Sequence[HandoverView], zone: tzinfo | None = None) -> str:
    """A readable report, one section per note, in the reader's language."""
    zone = zone or local_zone()
    out: list[str] = []
    for n in notes:
        out.append(f"## {n.shift_date} {n.shift_name} · {n.team} · {n.author}")
        out.append("")
        out.append(f"- {t('ho.md.status')}: {t('ho.overall.' + n.overall)}"
                   f" · {t('ho.state.' + n.status)}")
        out.append(f"- {t('ho.md.to')}: {n.addressed_to()}")
        if n.acked_at:
            out.append(f"- {t('ho.md.acked')}: {n.acked_by} {_local(n.acked_at, zone)}"
                       f" — {n.synthesis}")
        out.append("")
        out.append(f"### {t('field.ho.summary')}")
        out.append("")
        out.append(n.summary.strip() or "—")
        out.append("")
        if n.items:
            out.append(f"### {t('ho.md.items')}")
            out.append("")
            for i in n.items:
                due = _local(i.due_at, zone)
                rolled = f" ({t('ho.md.rolled', count=i.rolled_count)})" if i.rolled_count else ""
                out.append(f"- [{'x' if i.status == 'done' else ' '}] **{one_line(i.reference)}**"
                           f" — {one_line(i.situation)}; {t('field.ho.next_action')}:"
                           f" {one_line(i.next_action)}; {t('field.ho.due')} {due}"
                           f"; {i.owner or '—'}; {t('ho.status.' + i.status)}{rolled}")
                if i.closing_note:
                    out.append(f"  - {one_line(i.closing_note)}")
                for c in i.comments:
                    if c.kind != "done":
                        out.append(f"  - {c.author} {_local(c.created_at, zone)}: {one_line(c.body)}")
            out.append("")
        if n.watchouts.strip():
            out.append(f"### {t('field.ho.watchouts')}")
            out.append("")
            out.append(n.watchouts.strip())
            out.append("")
    return "\n".join(out)


def due_items(session: Session, actor: Actor, *, now: datetime | None = None,
              within: timedelta = timedelta(minutes=10)) -> list[ItemView]:
    """The actor's open items due within ``within`` or already overdue (the
    last day), soonest first: what the workbench reminds them of."""
    now = now or utcnow()
    rows = session.exec(
        select(HandoverItem).where(HandoverItem.owner_id == actor.id, HandoverItem.status == "open",
                                   col(HandoverItem.carried_to_id).is_(None),
                                   col(HandoverItem.due_at) <= now + within,
                                   col(HandoverItem.due_at) >= now - timedelta(days=1))
        .order_by(HandoverItem.due_at).limit(20)
    ).all()
    return _items_views(session, rows)
