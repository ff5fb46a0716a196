"""Opening cscterm's data for one user: schema upgraded, starter library
loaded on first start, the acting user identified."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session

from cscterm.config import Config
from cscterm.db.engine import Database
from cscterm.db.tables.core import Meta
from cscterm.services.users import Actor, identify


@dataclass
class Workspace:
    config: Config
    db: Database
    actor: Actor
    created: bool  # the database was created by this start

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self.db.session() as session:
            yield session

    def refresh_actor(self) -> Actor:
        """Re-read the acting user (a lead may have changed their role)."""
        with self.db.session() as session:
            self.actor = identify(session, self.config.login)
        return self.actor

    def close(self) -> None:
        self.db.dispose()


def open_workspace(config: Config) -> Workspace:
    db = Database(config.db_path)
    created = db.ensure_schema()
    with db.session() as session:
        if created:
            from cscterm.services import io  # YAML and the importer: first start only

            io.load_starter(session)
        if created or session.get(Meta, "starter_checklists_loaded") is None:
            from cscterm.services import checklists  # also for databases made before transfers

            checklists.load_starter(session)
        actor = identify(session, config.login)
    return Workspace(config=config, db=db, actor=actor, created=created)
