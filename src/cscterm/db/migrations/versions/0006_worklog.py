"""Personal daily work log (工作日报): metric definitions and values, the
day's reflection, quick notes, plans and reminders; indexes for counting a
person's handover and transfer activity by day.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "metric_def",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(32), nullable=False, unique=True),
        sa.Column("label", sa.String(60), nullable=False),
        sa.Column("unit", sa.String(16), nullable=False),
        sa.Column("direction", sa.String(8), nullable=False),
        sa.Column("target", sa.Float()),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id")),
    )
    op.create_table(
        "daily_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("business", sa.Text(), nullable=False),
        sa.Column("teamwork", sa.Text(), nullable=False),
        sa.Column("learnings", sa.Text(), nullable=False),
        sa.Column("submitted_at", UTC),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id")),
        sa.UniqueConstraint("user_id", "day"),
    )
    op.create_index("ix_daily_log_team_day", "daily_log", ["team", "day"])
    op.create_table(
        "metric_value",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), primary_key=True),
        sa.Column("day", sa.String(10), primary_key=True),
        sa.Column("metric_id", sa.Integer(), sa.ForeignKey("metric_def.id"), primary_key=True),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
    )
    op.create_index("ix_metric_value_metric_day", "metric_value", ["metric_id", "day"])
    op.create_table(
        "log_note",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
    )
    op.create_index("ix_log_note_user_day", "log_note", ["user_id", "day", "at"])
    op.create_table(
        "plan_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("kind", sa.String(8), nullable=False),
        sa.Column("period", sa.String(10), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("first_day", sa.String(10), nullable=False),
        sa.Column("month_plan_id", sa.Integer(), sa.ForeignKey("plan_item.id")),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("closed_at", UTC),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_plan_item_user_period", "plan_item", ["user_id", "kind", "period", "status"])
    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("due_at", UTC, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("fired_at", UTC),
        sa.Column("snoozed", sa.Integer(), nullable=False),
        sa.Column("closed_at", UTC),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_reminder_user_status_due", "reminder", ["user_id", "status", "due_at"])
    # Activity counted per person and day.
    op.create_index("ix_handover_acked_by", "handover", ["acked_by", "acked_at"])
    op.create_index("ix_transfer_event_actor", "transfer_event", ["actor_id", "at"])


def downgrade() -> None:
    op.drop_index("ix_transfer_event_actor", "transfer_event")
    op.drop_index("ix_handover_acked_by", "handover")
    for table in ("reminder", "plan_item", "log_note", "metric_value", "daily_log", "metric_def"):
        op.drop_table(table)
