"""Pre-sale → after-sale transfers (售前转售后): checklist templates and their
versions, transfers, and the append-only timeline.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = sa.DateTime(timezone=True)

# The timeline is append-only: the database itself refuses edits and deletes.
_APPEND_ONLY = (
    "CREATE TRIGGER transfer_event_no_update BEFORE UPDATE ON transfer_event "
    "BEGIN SELECT RAISE(ABORT, 'transfer_event is append-only'); END",
    "CREATE TRIGGER transfer_event_no_delete BEFORE DELETE ON transfer_event "
    "BEGIN SELECT RAISE(ABORT, 'transfer_event is append-only'); END",
)


def upgrade() -> None:
    op.create_table(
        "checklist_template",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id")),
    )
    op.create_table(
        "checklist_template_version",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("template_id", sa.Integer(), sa.ForeignKey("checklist_template.id"),
                  nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("definition", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("created_by", sa.Integer(), sa.ForeignKey("user.id")),
        sa.UniqueConstraint("template_id", "number"),
    )
    op.create_table(
        "transfer",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("template_version_id", sa.Integer(),
                  sa.ForeignKey("checklist_template_version.id"), nullable=False),
        sa.Column("template_key", sa.String(64), nullable=False),
        sa.Column("scenario_id", sa.Integer(), sa.ForeignKey("scenario.id")),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("sender_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("sender_team", sa.String(64), nullable=False),
        sa.Column("queue", sa.String(64), nullable=False),
        sa.Column("to_user_id", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("claimed_by", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("bounces", sa.Integer(), nullable=False),
        sa.Column("escalated_at", UTC),
        sa.Column("return_reason", sa.String(32), nullable=False),
        sa.Column("return_note", sa.Text(), nullable=False),
        sa.Column("return_items", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(32), nullable=False),
        sa.Column("resolution", sa.Text(), nullable=False),
        sa.Column("sent_at", UTC),
        sa.Column("claimed_at", UTC),
        sa.Column("returned_at", UTC),
        sa.Column("resolved_at", UTC),
        sa.Column("paused_s", sa.Integer(), nullable=False),
        sa.Column("accept_due_at", UTC),
        sa.Column("resolve_due_at", UTC),
        sa.Column("accept_breached", sa.Boolean(), nullable=False),
        sa.Column("resolve_breached", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC, nullable=False),
        sa.Column("updated_at", UTC, nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id")),
    )
    # After-sale queue (by time left; queue first, so the lead view lists the
    # queues by skipping from one to the next), one person's claims, a
    # sender's own, and the lead view: open ones by state, oldest first;
    # breaches; resolved in a range (also "recently resolved"); escalated
    # (a partial index: few ever are); sent in a range, with what the
    # per-template and per-sender tallies read, so they need not visit rows.
    op.create_index("ix_transfer_queue", "transfer", ["queue", "status", "accept_due_at"])
    op.create_index("ix_transfer_to_user", "transfer", ["to_user_id", "status"])
    op.create_index("ix_transfer_claimer", "transfer", ["claimed_by", "status", "resolve_due_at"])
    op.create_index("ix_transfer_sender", "transfer", ["sender_id", "status", "updated_at"])
    op.create_index("ix_transfer_status_sent", "transfer", ["status", "sent_at"])
    op.create_index("ix_transfer_resolve_due", "transfer", ["status", "resolve_due_at"])
    op.create_index("ix_transfer_resolved", "transfer", ["status", "resolved_at"])
    op.create_index("ix_transfer_escalated", "transfer", ["status", "escalated_at"],
                    sqlite_where=sa.text("escalated_at IS NOT NULL"))
    op.create_index("ix_transfer_sent_at", "transfer",
                    ["sent_at", "queue", "template_key", "sender_id", "bounces", "escalated_at"])
    op.create_table(
        "transfer_event",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("transfer_id", sa.Integer(), sa.ForeignKey("transfer.id"), nullable=False),
        sa.Column("at", UTC, nullable=False),
        sa.Column("actor_id", sa.Integer(), sa.ForeignKey("user.id")),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("reason", sa.String(32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
    )
    op.create_index("ix_transfer_event_transfer", "transfer_event", ["transfer_id", "id"])
    if op.get_bind().dialect.name == "sqlite":
        for statement in _APPEND_ONLY:
            op.execute(statement)


def downgrade() -> None:
    op.drop_table("transfer_event")
    op.drop_table("transfer")
    op.drop_table("checklist_template_version")
    op.drop_table("checklist_template")
