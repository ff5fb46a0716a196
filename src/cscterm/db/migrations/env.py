"""Alembic environment: runs on the connection the application hands over."""

from alembic import context

from cscterm.db.models import SQLModel

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")

if connection is None:  # pragma: no cover - always called with a connection
    raise RuntimeError("cscterm migrations run through cscterm.db.engine.upgrade()")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=True,  # SQLite alters tables by copying them
)
with context.begin_transaction():
    context.run_migrations()
