"""Shift handover notes (交接班): shifts, notes, items, comments, history index.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from cscterm.db.search import HANDOVER_CREATE

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shift",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("name", sa.String(32), nullable=False),
        sa.Column("start_minute", sa.Integer(), nullable=False),
        sa.Column("end_minute", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id")),
        sa.UniqueConstraint("team", "name"),
    )
    op.create_table(
        "handover",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("shift_name", sa.String(32), nullable=False),
        sa.Column("shift_date", sa.String(10), nullable=False),
        sa.Column("shift_start", UTC, nullable=False),
        sa.Column("shift_end", UTC, nullable=False),
        sa.Column("overall", sa.String(16), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("watchouts", sa.Text(), nullable=False),
        sa.Column("to_shift_name", sa.String(32), nullable=False),
        sa.Column("to_shift_date", sa.String(10), nullable=False),
        sa.Column("to_shift_start", UTC),
        sa.Column("to_user_id", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("submitted_at", UTC),
        sa.Column("acked_by", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("acked_at", UTC),
        sa.Column("ack_delay_s", sa.Integer()),
        sa.Column("synthesis", sa.Text(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id")),
    )
    op.create_index("ix_handover_team_start", "handover", ["team", "shift_start"])
    op.create_index("ix_handover_team_to_start", "handover", ["team", "to_shift_start"])
    op.create_index("ix_handover_start", "handover", ["shift_start"])
    op.create_index("ix_handover_to_start", "handover", ["to_shift_start"])
    op.create_index("ix_handover_inbox", "handover", ["status", "team", "to_shift_start"])
    op.create_index("ix_handover_to_user", "handover", ["to_user_id", "status"])
    op.create_index("ix_handover_author", "handover", ["author_id", "status"])
    op.create_table(
        "handover_item",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("handover_id", sa.Integer(), sa.ForeignKey("handover.id"), nullable=False),
        sa.Column("team", sa.String(64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(120), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("next_action", sa.Text(), nullable=False),
        sa.Column("due_at", UTC),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("rolled_count", sa.Integer(), nullable=False),
        sa.Column("origin_id", sa.Integer(), sa.ForeignKey("handover_item.id")),
        sa.Column("carried_to_id", sa.Integer(), sa.ForeignKey("handover_item.id")),
        sa.Column("ack", sa.String(16), nullable=False),
        sa.Column("closing_note", sa.Text(), nullable=False),
        sa.Column("closed_at", UTC),
        sa.Column("closed_by", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id")),
    )
    op.create_index("ix_handover_item_note", "handover_item", ["handover_id", "position"])
    op.create_index("ix_handover_item_open_due", "handover_item", ["status", "due_at"])
    op.create_index("ix_handover_item_team_open", "handover_item", ["team", "status", "due_at"])
    op.create_index("ix_handover_item_owner", "handover_item", ["owner_id", "status", "due_at"])
    op.create_index("ix_handover_item_rolled", "handover_item", ["status", "rolled_count"])
    op.create_table(
        "handover_comment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("item_id", sa.Integer(), sa.ForeignKey("handover_item.id"), nullable=False),
        sa.Column("author_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
    )
    op.create_index("ix_handover_comment_item", "handover_comment", ["item_id", "id"])
    op.execute(HANDOVER_CREATE)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS handover_gram")
    op.drop_table("handover_comment")
    op.drop_table("handover_item")
    op.drop_table("handover")
    op.drop_table("shift")
