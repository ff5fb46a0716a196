"""SQLModel tables.

Timestamps are aware UTC ``datetime`` values (SQLModel stores them as UTC and
returns them as UTC); the layers above convert to local time for display. Shared records carry a
``version`` that every update bumps, so a stale save can be refused.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Index, UniqueConstraint, text
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


class Meta(SQLModel, table=True):
    """Small key/value facts about the database (e.g. starter library loaded)."""

    __tablename__ = "meta"

    key: str = Field(primary_key=True, max_length=64)
    value: str = ""


__all__ = [
    "Draft",
    "ForbiddenTerm",
    "Handover",
    "HandoverComment",
    "HandoverItem",
    "Meta",
    "PlaceholderLabel",
    "Scenario",
    "Script",
    "ScriptUsage",
    "ScriptUsageStat",
    "ScriptVariant",
    "Shift",
    "User",
    "utcnow",
]


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


# ── shift handover (交接班) ─────────────────────────────────────────────────


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


# ── pre-sale → after-sale transfers (售前转售后) ───────────────────────────────


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


# ── personal daily work log (工作日报) ────────────────────────────────────────


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
