"""Editor drafts: what a person typed but has not saved yet.

Editors write their state here every couple of seconds while it differs
from what was last saved; saving or discarding removes the draft. On the
next start the workbench offers any draft back. Drafts are private: only
their author reads or removes them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlmodel import Session, select

from cscterm.db.tables.core import utcnow
from cscterm.db.tables.drafts import Draft
from cscterm.errors import Invalid
from cscterm.services.users import Actor

MAX_PAYLOAD = 256 * 1024  # characters of JSON


@dataclass(frozen=True)
class DraftInfo:
    kind: str
    ref: str
    payload: dict[str, Any]
    updated_at: datetime


def save(session: Session, actor: Actor, kind: str, ref: str, payload: dict[str, Any]) -> None:
    size = len(json.dumps(payload, ensure_ascii=False))
    if size > MAX_PAYLOAD:
        raise Invalid("err.invalid.too_long", field="draft", length=size, limit=MAX_PAYLOAD)
    row = session.exec(select(Draft).where(Draft.user_id == actor.id, Draft.kind == kind,
                                           Draft.ref == ref)).first()
    if row is None:
        row = Draft(user_id=actor.id, kind=kind, ref=ref)
    row.payload = dict(payload)
    row.updated_at = utcnow()
    session.add(row)
    session.flush()


def discard(session: Session, actor: Actor, kind: str, ref: str) -> None:
    row = session.exec(select(Draft).where(Draft.user_id == actor.id, Draft.kind == kind,
                                           Draft.ref == ref)).first()
    if row is not None:
        session.delete(row)
        session.flush()


def pending(session: Session, actor: Actor, kind: str | None = None) -> list[DraftInfo]:
    """The actor's drafts, newest first."""
    query = select(Draft).where(Draft.user_id == actor.id)
    if kind is not None:
        query = query.where(Draft.kind == kind)
    rows = session.exec(query.order_by(Draft.updated_at.desc()))  # type: ignore[attr-defined]
    return [DraftInfo(r.kind, r.ref, dict(r.payload), r.updated_at) for r in rows]
