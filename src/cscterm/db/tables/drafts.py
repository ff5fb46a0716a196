"""Editors' drafts: what is typed, saved every second, so a dropped
connection loses almost nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from cscterm.db.tables.core import utcnow  # and the users its foreign key points to


class Draft(SQLModel, table=True):
    """Unsaved editor content, written every second or two while typing, so a
    dropped connection loses almost nothing. One per user, editor and record."""

    __tablename__ = "draft"
    __table_args__ = (UniqueConstraint("user_id", "kind", "ref"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    kind: str = Field(max_length=32)  # "script", later "handover", "transfer"
    ref: str = Field(default="", max_length=64)  # the record edited ("" for new)
    payload: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


__all__ = ["Draft"]
