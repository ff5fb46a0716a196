"""The personal daily work log (工作日报): metric definitions, each day's
log with its reflection, values, notes, plan items and reminders."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cscterm.db.tables.core import utcnow  # and the users their foreign keys point to


class MetricDef(SQLModel, table=True):
    """A figure agents keep each day (接待量, 平均接待时长 …), set by leads."""

    __tablename__ = "metric_def"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=32)
    label: str = Field(max_length=60)
    unit: str = Field(max_length=16)  # count | duration | percent | number
    direction: str = Field(default="up", max_length=8)  # up: higher is better | down
    target: float | None = None
    position: int = 0
    active: bool = True
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class DailyLog(SQLModel, table=True):
    """One agent's day (the shift date: a night shift belongs to the date it
    starts on): the reflection, and whether it was submitted to the lead."""

    __tablename__ = "daily_log"
    __table_args__ = (UniqueConstraint("user_id", "day"),
                      Index("ix_daily_log_team_day", "team", "day"))

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    team: str = Field(max_length=64)
    day: str = Field(max_length=10)  # ISO date
    business: str = ""  # 业务日常
    teamwork: str = ""  # 团队日常
    learnings: str = ""  # 工作心得
    submitted_at: datetime | None = None
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class MetricValue(SQLModel, table=True):
    __tablename__ = "metric_value"
    __table_args__ = (Index("ix_metric_value_metric_day", "metric_id", "day"),)

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    day: str = Field(max_length=10, primary_key=True)
    metric_id: int = Field(foreign_key="metric_def.id", primary_key=True)
    value: float = 0
    updated_at: datetime = Field(default_factory=utcnow)


class LogNote(SQLModel, table=True):
    """A quick timestamped note; private to its author."""

    __tablename__ = "log_note"
    __table_args__ = (Index("ix_log_note_user_day", "user_id", "day", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    day: str = Field(max_length=10)
    at: datetime = Field(default_factory=utcnow)
    body: str = ""


class PlanItem(SQLModel, table=True):
    """A monthly key plan (period ``2026-11``) or a day's plan item (period
    ``2026-11-23``). A day item not done is carried to the next day the
    agent opens, keeping the day it was first planned."""

    __tablename__ = "plan_item"
    __table_args__ = (Index("ix_plan_item_user_period", "user_id", "kind", "period", "status"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    kind: str = Field(max_length=8)  # month | day
    period: str = Field(max_length=10)
    text: str = ""
    status: str = Field(default="open", max_length=12)  # open | done | dropped | carried
    first_day: str = Field(max_length=10)  # when it was first planned (its age)
    month_plan_id: int | None = Field(default=None, foreign_key="plan_item.id")
    position: int = 0
    closed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


class Reminder(SQLModel, table=True):
    """Fires at ``due_at`` while the workbench runs (二次致电 …)."""

    __tablename__ = "reminder"
    __table_args__ = (Index("ix_reminder_user_status_due", "user_id", "status", "due_at"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id")
    day: str = Field(max_length=10)
    due_at: datetime
    text: str = ""
    status: str = Field(default="open", max_length=12)  # open | done | handed_over
    fired_at: datetime | None = None
    snoozed: int = 0
    closed_at: datetime | None = None
    created_at: datetime = Field(default_factory=utcnow)


__all__ = [
    "DailyLog",
    "LogNote",
    "MetricDef",
    "MetricValue",
    "PlanItem",
    "Reminder",
]
