"""The scenario script library (话术库): scenarios, scripts and their
variants, forbidden terms, placeholder labels, and who copied what."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from cscterm.db.tables.core import utcnow  # and the users their foreign keys point to


class Scenario(SQLModel, table=True):
    """A customer situation (场景) with the card agents read before replying."""

    __tablename__ = "scenario"
    __table_args__ = (Index("ix_scenario_language_category", "language", "category"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(unique=True, max_length=64)
    language: str = Field(default="zh_CN", max_length=8)
    category: str = Field(index=True, max_length=200)  # "退款/未发货"
    title: str = Field(max_length=120)
    level: str = Field(default="all", max_length=8)  # new | all | senior
    tags: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    situation: str = ""  # 处境
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    concerns: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    phrases: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    guidance: str = ""
    never: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    active: bool = True
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class Script(SQLModel, table=True):
    """A reply for a scenario, written once in one or more styles."""

    __tablename__ = "script"
    __table_args__ = (
        Index("ix_script_shortcut", "shortcut"),
        Index("ix_script_title", "title"),
        Index("ix_script_initials", "initials"),
        Index("ix_script_pinyin", "pinyin"),
        Index("ix_script_scenario", "scenario_id"),
        Index("ix_script_owner", "owner_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    scenario_id: int = Field(foreign_key="scenario.id")
    owner_id: int | None = Field(default=None, foreign_key="user.id")  # NULL: team script
    title: str = Field(max_length=120)
    shortcut: str = Field(max_length=32)  # stored lower-case, without "/"
    default_style: str = Field(default="standard", max_length=16)
    # Search keys computed at write time: lower-case pinyin of the title
    # ("tuikuan") and its initials ("tk"); for non-CJK titles, the words.
    pinyin: str = Field(default="", max_length=600)
    initials: str = Field(default="", max_length=120)
    active: bool = True
    version: int = 1
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class ScriptVariant(SQLModel, table=True):
    """The body of a script in one style (标准, 贴心, 卖萌, 江湖, 搞笑)."""

    __tablename__ = "script_variant"
    __table_args__ = (UniqueConstraint("script_id", "style"),)

    id: int | None = Field(default=None, primary_key=True)
    script_id: int = Field(foreign_key="script.id", index=True)
    style: str = Field(max_length=16)
    position: int = 0
    body: str = ""


class ForbiddenTerm(SQLModel, table=True):
    """A phrase that must never reach a customer (禁忌语)."""

    __tablename__ = "forbidden_term"

    id: int | None = Field(default=None, primary_key=True)
    term: str = Field(max_length=100)
    term_key: str = Field(unique=True, max_length=100)  # casefolded term
    reason: str = ""
    alternative: str = ""
    language: str = Field(default="zh_CN", max_length=8)
    active: bool = True
    version: int = 1
    updated_at: datetime = Field(default_factory=utcnow)
    updated_by: int | None = Field(default=None, foreign_key="user.id")


class PlaceholderLabel(SQLModel, table=True):
    """What a placeholder means, shown in the fill-in form (订单号 for order_no)."""

    __tablename__ = "placeholder_label"

    name: str = Field(primary_key=True, max_length=64)
    language: str = Field(primary_key=True, max_length=8)
    label: str = Field(max_length=120)


class ScriptUsage(SQLModel, table=True):
    """One copy of a script to the clipboard (append-only)."""

    __tablename__ = "script_usage"
    __table_args__ = (Index("ix_script_usage_user_time", "user_id", "used_at"),)

    id: int | None = Field(default=None, primary_key=True)
    script_id: int = Field(foreign_key="script.id")
    user_id: int = Field(foreign_key="user.id")
    style: str = Field(max_length=16)
    used_at: datetime = Field(default_factory=utcnow)


class ScriptUsageStat(SQLModel, table=True):
    """Per user and script: how often and how lately it was used (for ranking)."""

    __tablename__ = "script_usage_stat"

    user_id: int = Field(foreign_key="user.id", primary_key=True)
    script_id: int = Field(foreign_key="script.id", primary_key=True)
    uses: int = 0
    last_used: datetime = Field(default_factory=utcnow)


__all__ = [
    "ForbiddenTerm",
    "PlaceholderLabel",
    "Scenario",
    "Script",
    "ScriptUsage",
    "ScriptUsageStat",
    "ScriptVariant",
]
