"""Optimistic concurrency for shared records.

A save states the version it was based on. :func:`claim` bumps the version
with a compare-and-set ``UPDATE … WHERE version = :expected`` as the first
write of the unit of work, so two saves based on the same version cannot both
succeed: the second gets :class:`Conflict` naming who changed it and when.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session

from cscterm.errors import Conflict
from cscterm.i18n import t
from cscterm.text import local_time


def claim(session: Session, model: Any, row_id: int, expected_version: int, what_key: str) -> None:
    result = session.execute(
        update(model)
        .where(model.id == row_id, model.version == expected_version)
        .values(version=expected_version + 1)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount == 1:  # type: ignore[attr-defined]
        return
    row = session.get(model, row_id, populate_existing=True)
    if row is None:
        return  # the caller reports NotFound
    from cscterm.services.users import display_names

    who = display_names(session, {row.updated_by} if row.updated_by else set())
    raise Conflict(
        "err.conflict.version",
        what=t(what_key),
        who=who.get(row.updated_by, "?"),
        when=local_time(row.updated_at),
        theirs=row.version,
        yours=expected_version,
    )
