"""Shift handover notes (交接班): notes, their open items and comments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from cscterm.db.tables.core import utcnow  # and the users their foreign keys point to


class Handover(SQLModel, table=True):
    """One shift's handover note (I-PASS shaped): status, summary, open items,
    watch-outs; addressed to the next shift or a person, acknowledged once.

    The shift's name and its start and end instants are copied in, so a later
    change to the team's shifts never moves an old note."""

    __tablename__ = "handover"
    __table_args__ = (
        Index("ix_handover_team_start", "team", "shift_start"),
        Index("ix_handover_acked_by", "acked_by", "acked_at"),
        Index("ix_handover_team_to_start", "team", "to_shift_start"),
        Index("ix_handover_start", "shift_start"),
        Index("ix_handover_to_start", "to_shift_start"),
        Index("ix_handover_inbox", "status", "team", "to_shift_start"),
        Index("ix_handover_to_user", "to_user_id", "status"),
        Index("ix_handover_author", "author_id", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team: str = Field(max_length=64)
    author_id: int = Field(foreign_key="user.id")
    status: str = Field(default="draft", max_length=16)  # draft | submitted | acknowledged
    shift_name: str = Field(max_length=32)
    shift_date: str = Field(max_length=10)  # ISO date the shift starts on (local)
    shift_start: datetime
    shift_end: datetime
    overall: str = Field(default="normal", max_length=16)  # normal | busy | incident
    summary: str = ""
    watchouts: str = ""
    to_shift_name: str = Field(default="", max_length=32)
    to_shift_date: str = Field(default="", max_length=10)
    to_shift_start: datetime | None = None
    to_user_id: int | None = Field(default=None, foreign_key="user.id")
    submitted_at: datetime | None = None
    acked_by: int | None = Field(default=None, foreign_key="user.id")
    acked_at: datetime | None = None
    ack_delay_s: int | None = None  # acked_at - to_shift_start, for the lead queue
    synthesis: str = ""
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class HandoverItem(SQLModel, table=True):
    """An open item: a customer or order, the situation, the next action, when
    and who. Still open at the next handover, it is copied into it (rolled
    over) and this one is marked handed on."""

    __tablename__ = "handover_item"
    __table_args__ = (
        Index("ix_handover_item_note", "handover_id", "position"),
        Index("ix_handover_item_open_due", "status", "due_at"),
        Index("ix_handover_item_team_open", "team", "status", "due_at"),
        Index("ix_handover_item_owner", "owner_id", "status", "due_at"),
        Index("ix_handover_item_rolled", "status", "rolled_count"),
    )

    id: int | None = Field(default=None, primary_key=True)
    handover_id: int = Field(foreign_key="handover.id")
    team: str = Field(max_length=64)
    position: int = 0
    reference: str = Field(default="", max_length=120)  # customer or order
    situation: str = ""
    next_action: str = ""
    due_at: datetime | None = None
    owner_id: int | None = Field(default=None, foreign_key="user.id")
    status: str = Field(default="draft", max_length=16)  # draft | open | done | handed_on
    rolled_count: int = 0
    origin_id: int | None = Field(default=None, foreign_key="handover_item.id")
    carried_to_id: int | None = Field(default=None, foreign_key="handover_item.id")
    ack: str = Field(default="", max_length=16)  # "" | accepted | question
    closing_note: str = ""
    closed_at: datetime | None = None
    closed_by: int | None = Field(default=None, foreign_key="user.id")
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class HandoverComment(SQLModel, table=True):
    """The thread on an item: questions at acknowledgement, notes, reassignments."""

    __tablename__ = "handover_comment"
    __table_args__ = (Index("ix_handover_comment_item", "item_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    item_id: int = Field(foreign_key="handover_item.id")
    author_id: int = Field(foreign_key="user.id")
    kind: str = Field(default="note", max_length=16)  # note | question | done | handed_on | reassigned
    body: str = ""
    created_at: datetime = Field(default_factory=utcnow)


__all__ = [
    "Handover",
    "HandoverComment",
    "HandoverItem",
]
