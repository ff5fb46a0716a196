"""Pre-sale → after-sale transfers (售前转售后): checklist templates and
their versions, transfers and their append-only timeline."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from cscterm.db.tables.core import utcnow  # and the users their foreign keys point to
from cscterm.db.tables import library as _library  # noqa: F401 - transfers point to scenarios


class ChecklistTemplate(SQLModel, table=True):
    """A kind of transfer (退货退款, 质量投诉 …): its current definition is the
    newest of its versions; a transfer keeps the version it was made from."""

    __tablename__ = "checklist_template"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=64)
    name: str = Field(max_length=120)
    current_version: int = 1
    active: bool = True
    version: int = 1  # optimistic concurrency for edits
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ChecklistTemplateVersion(SQLModel, table=True):
    """One version of a template, never changed once written."""

    __tablename__ = "checklist_template_version"
    __table_args__ = (UniqueConstraint("template_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    template_id: int = Field(foreign_key="checklist_template.id")
    number: int
    name: str = Field(max_length=120)
    definition: dict[str, object] = Field(default_factory=dict,
                                          sa_column=Column(JSON, nullable=False))
    source: str = ""  # the YAML it was read from, for editing
    created_at: datetime = Field(default_factory=utcnow)
    created_by: int | None = Field(default=None, foreign_key="user.id")


class Transfer(SQLModel, table=True):
    """A case handed from pre-sale to after-sale with its checklist filled.

    ``accept_due_at`` / ``resolve_due_at`` are the service-level deadlines,
    moved later by the time the transfer sat returned with its sender (the
    clock pauses then); ``paused_s`` is that time so far."""

    __tablename__ = "transfer"
    __table_args__ = (
        Index("ix_transfer_queue", "queue", "status", "accept_due_at"),
        Index("ix_transfer_to_user", "to_user_id", "status"),
        Index("ix_transfer_claimer", "claimed_by", "status", "resolve_due_at"),
        Index("ix_transfer_sender", "sender_id", "status", "updated_at"),
        Index("ix_transfer_status_sent", "status", "sent_at"),
        Index("ix_transfer_resolve_due", "status", "resolve_due_at"),
        Index("ix_transfer_resolved", "status", "resolved_at"),
        Index("ix_transfer_escalated", "status", "escalated_at",
              sqlite_where=text("escalated_at IS NOT NULL")),  # few are: a small index
        # sent in a range, covering what the lead view's tallies read
        Index("ix_transfer_sent_at", "sent_at", "queue", "template_key", "sender_id", "bounces",
              "escalated_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    template_version_id: int = Field(foreign_key="checklist_template_version.id")
    template_key: str = Field(max_length=64)
    scenario_id: int | None = Field(default=None, foreign_key="scenario.id")
    status: str = Field(default="draft", max_length=16)  # draft|sent|claimed|returned|resolved
    sender_id: int = Field(foreign_key="user.id")
    sender_team: str = Field(max_length=64)
    queue: str = Field(max_length=64)  # the after-sale team it is sent to
    to_user_id: int | None = Field(default=None, foreign_key="user.id")
    claimed_by: int | None = Field(default=None, foreign_key="user.id")
    subject: str = Field(default="", max_length=200)  # one line for lists
    values: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    bounces: int = 0
    escalated_at: datetime | None = None
    return_reason: str = Field(default="", max_length=32)
    return_note: str = ""
    return_items: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    outcome: str = Field(default="", max_length=32)
    resolution: str = ""
    sent_at: datetime | None = None  # first send: the clock starts
    claimed_at: datetime | None = None  # first claim: the accept clock stops
    returned_at: datetime | None = None  # while returned: the clock is paused since
    resolved_at: datetime | None = None
    paused_s: int = 0
    accept_due_at: datetime | None = None
    resolve_due_at: datetime | None = None
    accept_breached: bool = False
    resolve_breached: bool = False
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class TransferEvent(SQLModel, table=True):
    """The append-only timeline of a transfer (the database refuses edits)."""

    __tablename__ = "transfer_event"
    __table_args__ = (Index("ix_transfer_event_transfer", "transfer_id", "id"),
                      Index("ix_transfer_event_actor", "actor_id", "at"))

    id: int | None = Field(default=None, primary_key=True)
    transfer_id: int = Field(foreign_key="transfer.id")
    at: datetime = Field(default_factory=utcnow)
    actor_id: int | None = Field(default=None, foreign_key="user.id")
    kind: str = Field(max_length=16)  # created|sent|claimed|returned|resent|escalated|resolved|reassigned
    reason: str = Field(default="", max_length=32)
    note: str = ""
    detail: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


__all__ = [
    "ChecklistTemplate",
    "ChecklistTemplateVersion",
    "Transfer",
    "TransferEvent",
]
