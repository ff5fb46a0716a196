"""Index short keys (shortcut, pinyin) for substring search; browse index.

The FTS5 tables gain a ``keys`` column (FTS5 tables cannot be altered, so
they are re-created and refilled from the script tables), and scenarios get
an index on (language, category) so the first page of a browse is read in
order instead of sorted.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""

from alembic import op
from sqlalchemy.orm import Session

from cscterm.db import search

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_scenario_language_category", "scenario", ["language", "category"])
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        search.drop_tables(conn)
        search.create_tables(conn)
        session = Session(bind=conn)
        search.rebuild(session)
        session.flush()


def downgrade() -> None:
    op.drop_index("ix_scenario_language_category", "scenario")
