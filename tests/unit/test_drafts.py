"""Editor drafts: saved, replaced, private, discarded."""

from __future__ import annotations

import pytest

from cscterm.errors import Invalid
from cscterm.services import drafts, users


def test_a_draft_is_saved_replaced_and_discarded(workspace) -> None:
    with workspace.session() as session:
        drafts.save(session, workspace.actor, "script", "", {"title": "第一版"})
        drafts.save(session, workspace.actor, "script", "", {"title": "第二版"})
    with workspace.session() as session:
        found = drafts.pending(session, workspace.actor)
        assert [(d.kind, d.ref, d.payload["title"]) for d in found] == [("script", "", "第二版")]
        drafts.discard(session, workspace.actor, "script", "")
    with workspace.session() as session:
        assert drafts.pending(session, workspace.actor) == []


def test_drafts_are_private_to_their_author(workspace) -> None:
    with workspace.session() as session:
        other = users.identify(session, "agent-x")
        drafts.save(session, workspace.actor, "script", "7", {"title": "mine"})
        assert drafts.pending(session, other) == []
        drafts.discard(session, other, "script", "7")  # not theirs: nothing happens
        assert len(drafts.pending(session, workspace.actor, "script")) == 1


def test_an_oversized_draft_is_refused(workspace) -> None:
    with workspace.session() as session, pytest.raises(Invalid):
        drafts.save(session, workspace.actor, "script", "", {"body": "字" * (drafts.MAX_PAYLOAD + 1)})
