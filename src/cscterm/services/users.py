"""Who is acting, and what their role lets them do.

Identity is the operating-system login (or ``--user``). The first user of a
new database becomes its lead; everyone after that starts as an agent.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, func, select

from cscterm.db.tables.core import User
from cscterm.errors import Invalid, NotAllowed, NotFound

ROLES = ("lead", "agent")


@dataclass(frozen=True)
class Actor:
    id: int
    login: str
    display_name: str
    role: str
    team: str

    @property
    def is_lead(self) -> bool:
        return self.role == "lead"

    @property
    def name(self) -> str:
        return self.display_name or self.login


def _actor(user: User) -> Actor:
    assert user.id is not None
    return Actor(user.id, user.login, user.display_name, user.role, user.team)


def identify(session: Session, login: str, display_name: str = "") -> Actor:
    """The user for ``login``, created on first sight (the very first is lead)."""
    login = login.strip()
    if not login:
        raise Invalid("err.invalid.required", field="login")
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None:
        has_users = session.exec(select(func.count()).select_from(User)).one() > 0
        user = User(login=login, display_name=display_name or login,
                    role="agent" if has_users else "lead")
        session.add(user)
        session.flush()
    return _actor(user)


def require_lead(actor: Actor, message_key: str) -> None:
    if not actor.is_lead:
        raise NotAllowed(message_key)


def set_role(session: Session, actor: Actor, login: str, role: str) -> Actor:
    """Leads promote agents or step them down; the last lead cannot step down."""
    require_lead(actor, "err.not_allowed.roles")
    if role not in ROLES:
        raise Invalid("err.invalid.role", role=role)
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound("err.not_found.user", login=login)
    if user.role == "lead" and role != "lead":
        leads = session.exec(select(func.count()).select_from(User).where(User.role == "lead")).one()
        if leads <= 1:
            raise NotAllowed("err.not_allowed.last_lead", login=login)
    user.role = role
    session.add(user)
    session.flush()
    return _actor(user)


def list_users(session: Session) -> list[Actor]:
    return [_actor(u) for u in session.exec(select(User).order_by(User.login))]


def display_names(session: Session, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.exec(select(User).where(User.id.in_(ids)))  # type: ignore[union-attr]
    return {u.id: (u.display_name or u.login) for u in rows if u.id is not None}


def login_of(session: Session, user_id: int | None) -> str:
    """The login of a user id ("" for none or an unknown id)."""
    user = session.get(User, user_id) if user_id is not None else None
    return user.login if user is not None else ""


MAX_TEAM = 64


def set_team(session: Session, actor: Actor, login: str, team: str) -> Actor:
    """Leads put people in teams (handovers and queues are per team)."""
    require_lead(actor, "err.not_allowed.teams")
    team = " ".join(team.split())
    if not team:
        raise Invalid("err.invalid.required", field="team")
    if len(team) > MAX_TEAM:
        raise Invalid("err.invalid.too_long", field="team", length=len(team), limit=MAX_TEAM)
    user = session.exec(select(User).where(User.login == login)).first()
    if user is None:
        raise NotFound("err.not_found.user", login=login)
    user.team = team
    session.add(user)
    session.flush()
    return _actor(user)
