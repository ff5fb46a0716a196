"""services/users.py: identity and roles."""

from __future__ import annotations

import pytest

from cscterm.db.engine import Database
from cscterm.errors import Invalid, NotAllowed, NotFound
from cscterm.services import users


def test_first_user_of_a_new_database_is_lead_and_later_ones_are_agents(empty_db: Database) -> None:
    with empty_db.session() as session:
        first = users.identify(session, "alice")
        second = users.identify(session, "bob")
        third = users.identify(session, "carol")
    assert first.role == "lead" and first.is_lead
    assert second.role == "agent" and not second.is_lead
    assert third.role == "agent"


def test_identify_returns_the_same_user_on_later_calls(empty_db: Database) -> None:
    with empty_db.session() as session:
        first = users.identify(session, "alice")
        users.identify(session, "bob")
    with empty_db.session() as session:
        again = users.identify(session, "alice")
    assert again == first
    assert again.is_lead


def test_identify_strips_the_login_and_refuses_an_empty_one(empty_db: Database) -> None:
    with empty_db.session() as session:
        assert users.identify(session, "  alice ").login == "alice"
        with pytest.raises(Invalid):
            users.identify(session, "   ")


def test_display_name_defaults_to_the_login(empty_db: Database) -> None:
    with empty_db.session() as session:
        named = users.identify(session, "alice", "Alice Liddell")
        plain = users.identify(session, "bob")
    assert named.name == "Alice Liddell"
    assert plain.name == "bob"


def test_workspace_opener_is_lead_and_the_next_login_is_agent(lead, agent) -> None:
    assert lead.login == "lead1" and lead.is_lead
    assert agent.login == "agent1" and agent.role == "agent"


def test_lead_promotes_an_agent_to_lead(workspace, lead, agent) -> None:
    with workspace.session() as session:
        changed = users.set_role(session, lead, "agent1", "lead")
    assert changed.role == "lead"
    with workspace.session() as session:
        assert users.identify(session, "agent1").is_lead


def test_agent_cannot_change_roles(workspace, agent, agent2) -> None:
    with pytest.raises(NotAllowed) as caught, workspace.session() as session:
        users.set_role(session, agent, "agent1", "lead")
    assert "lead" in str(caught.value)
    with workspace.session() as session:
        assert not users.identify(session, "agent1").is_lead


def test_agent_cannot_step_a_lead_down(workspace, lead, agent) -> None:
    with pytest.raises(NotAllowed), workspace.session() as session:
        users.set_role(session, agent, "lead1", "agent")


def test_the_last_lead_cannot_step_down(workspace, lead) -> None:
    with pytest.raises(NotAllowed) as caught, workspace.session() as session:
        users.set_role(session, lead, "lead1", "agent")
    assert "lead1" in str(caught.value) and "last lead" in str(caught.value)
    with workspace.session() as session:
        assert users.identify(session, "lead1").is_lead


def test_a_lead_can_step_down_once_another_lead_exists(workspace, lead, agent) -> None:
    with workspace.session() as session:
        users.set_role(session, lead, "agent1", "lead")
        stepped = users.set_role(session, lead, "lead1", "agent")
    assert stepped.role == "agent"
    assert workspace.refresh_actor().role == "agent"


def test_unknown_role_is_invalid_and_names_the_role(workspace, lead, agent) -> None:
    with pytest.raises(Invalid) as caught, workspace.session() as session:
        users.set_role(session, lead, "agent1", "boss")
    assert "boss" in str(caught.value)


def test_set_role_of_an_unknown_login_is_not_found(workspace, lead) -> None:
    with pytest.raises(NotFound) as caught, workspace.session() as session:
        users.set_role(session, lead, "nobody", "agent")
    assert "nobody" in str(caught.value)


def test_list_users_is_sorted_by_login(workspace, lead, agent2, agent) -> None:
    with workspace.session() as session:
        logins = [u.login for u in users.list_users(session)]
    assert logins == ["agent1", "agent2", "lead1"]


def test_display_names_maps_ids_and_ignores_an_empty_set(workspace, lead, agent) -> None:
    with workspace.session() as session:
        assert users.display_names(session, set()) == {}
        assert users.display_names(session, {lead.id, agent.id}) == {lead.id: "lead1", agent.id: "agent1"}


def test_a_lead_moves_someone_to_another_team(workspace, lead, agent) -> None:
    with workspace.session() as session:
        moved = users.set_team(session, lead, "agent1", "  售后   二组 ")
    assert moved.team == "售后 二组"
    with workspace.session() as session:
        assert users.identify(session, "agent1").team == "售后 二组"


def test_an_agent_cannot_change_teams(workspace, lead, agent) -> None:
    with pytest.raises(NotAllowed), workspace.session() as session:
        users.set_team(session, agent, "agent1", "b")
    with workspace.session() as session:
        assert users.identify(session, "agent1").team == "default"


@pytest.mark.parametrize(("team", "kind"), [("   ", Invalid), ("x" * 65, Invalid)])
def test_an_empty_or_too_long_team_is_invalid(workspace, lead, agent, team, kind) -> None:
    with pytest.raises(kind) as caught, workspace.session() as session:
        users.set_team(session, lead, "agent1", team)
    assert "team" in str(caught.value)


def test_set_team_of_an_unknown_login_is_not_found(workspace, lead) -> None:
    with pytest.raises(NotFound), workspace.session() as session:
        users.set_team(session, lead, "nobody", "b")



def test_login_of_names_a_user_and_is_empty_for_none_or_an_unknown_id(empty_db: Database) -> None:
    with empty_db.session() as session:
        actor = users.identify(session, "wang")
        assert users.login_of(session, actor.id) == "wang"
        assert users.login_of(session, None) == ""
        assert users.login_of(session, 99999) == ""
