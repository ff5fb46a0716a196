"""Initial schema: users, scenario library, forbidden terms, usage, search.

Revision ID: 0001
Revises:
Create Date: 2026-11-23
"""

import sqlalchemy as sa
from alembic import op

from cscterm.db import search

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _stamps() -> list[sa.Column]:
    return [
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "user",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("login", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(64), nullable=False, server_default=""),
        sa.Column("role", sa.String(16), nullable=False, server_default="agent"),
        sa.Column("team", sa.String(64), nullable=False, server_default="default"),
        sa.Column("created_at", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "scenario",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("key", sa.String(64), nullable=False, unique=True),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("category", sa.String(200), nullable=False, index=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("level", sa.String(8), nullable=False),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("situation", sa.Text(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("concerns", sa.JSON(), nullable=False),
        sa.Column("phrases", sa.JSON(), nullable=False),
        sa.Column("guidance", sa.Text(), nullable=False),
        sa.Column("never", sa.JSON(), nullable=False),
        *_stamps(),
    )
    op.create_table(
        "script",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("scenario_id", sa.Integer(), sa.ForeignKey("scenario.id"), nullable=False),
        sa.Column("owner_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
        sa.Column("title", sa.String(120), nullable=False),
        sa.Column("shortcut", sa.String(32), nullable=False),
        sa.Column("default_style", sa.String(16), nullable=False),
        sa.Column("pinyin", sa.String(600), nullable=False),
        sa.Column("initials", sa.String(120), nullable=False),
        *_stamps(),
    )
    for name, column in (
        ("shortcut", "shortcut"), ("title", "title"), ("initials", "initials"),
        ("pinyin", "pinyin"), ("scenario", "scenario_id"), ("owner", "owner_id"),
    ):
        op.create_index(f"ix_script_{name}", "script", [column])
    op.create_table(
        "script_variant",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("script_id", sa.Integer(), sa.ForeignKey("script.id"), nullable=False, index=True),
        sa.Column("style", sa.String(16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.UniqueConstraint("script_id", "style"),
    )
    op.create_table(
        "forbidden_term",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("term", sa.String(100), nullable=False),
        sa.Column("term_key", sa.String(100), nullable=False, unique=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("alternative", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("version", sa.Integer(), nullable=False, server_default="1"),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.Integer(), sa.ForeignKey("user.id"), nullable=True),
    )
    op.create_table(
        "placeholder_label",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("language", sa.String(8), primary_key=True),
        sa.Column("label", sa.String(120), nullable=False),
    )
    op.create_table(
        "script_usage",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("script_id", sa.Integer(), sa.ForeignKey("script.id"), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), nullable=False),
        sa.Column("style", sa.String(16), nullable=False),
        sa.Column("used_at", sa.DateTime(), nullable=False),
    )
    op.create_index("ix_script_usage_user_time", "script_usage", ["user_id", "used_at"])
    op.create_table(
        "script_usage_stat",
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("user.id"), primary_key=True),
        sa.Column("script_id", sa.Integer(), sa.ForeignKey("script.id"), primary_key=True),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("last_used", sa.DateTime(), nullable=False),
    )
    op.create_table(
        "meta",
        sa.Column("key", sa.String(64), primary_key=True),
        sa.Column("value", sa.Text(), nullable=False),
    )
    if op.get_bind().dialect.name == "sqlite":
        search.create_tables(op.get_bind(), search.CREATE_STATEMENTS_0001)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        search.drop_tables(op.get_bind())
    for table in (
        "meta", "script_usage_stat", "script_usage", "placeholder_label",
        "forbidden_term", "script_variant", "script", "scenario", "user",
    ):
        op.drop_table(table)
