"""Tables every part of the workbench needs: people, their teams' shifts
and facts about the database.

Timestamps are aware UTC ``datetime`` values (SQLModel stores them as UTC and
returns them as UTC); the layers above convert to local time for display.
Shared records carry a ``version`` that every update bumps, so a stale save
can be refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(UTC)


class User(SQLModel, table=True):
    __tablename__ = "user"

    id: int | None = Field(default=None, primary_key=True)
    login: str = Field(unique=True, max_length=64)
    display_name: str = Field(default="", max_length=64)
    role: str = Field(default="agent", max_length=16)  # "lead" | "agent"
    team: str = Field(default="default", max_length=64)
    created_at: datetime = Field(default_factory=utcnow)


class Meta(SQLModel, table=True):
    """Small key/value facts about the database (e.g. starter library loaded)."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = ""


class Shift(SQLModel, table=True):
    """A team's shift: wall-clock start and end in the centre's time zone, in
    minutes after midnight. An end at or before the start crosses midnight;
    the shift belongs to the date it starts on."""

    __tablename__ = "shift"
    __table_args__ = (UniqueConstraint("team", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    team: str = Field(max_length=64)
    name: str = Field(max_length=32)
    start_minute: int  # 0..1439
    end_minute: int  # 1..1440; <= start_minute crosses midnight
    position: int = 0
    active: bool = True
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


__all__ = [
    "Meta",
    "Shift",
    "User",
    "utcnow",
]
