"""services/lint.py: the forbidden-term lint (禁忌语) and its term list."""

from __future__ import annotations

import pytest

from cscterm.db.engine import Database
from cscterm.db.models import ForbiddenTerm
from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.services import lint, users
from cscterm.services.lint import Linter, Term
from cscterm.text import local_time


def term(word: str, n: int = 0) -> Term:
    return Term(id=n, term=word, reason=f"why not {word}", alternative=f"instead of {word}",
                language="en", version=1)


# ── matching ────────────────────────────────────────────────────────────────


def test_hit_reports_offsets_line_and_column() -> None:
    content = "您好\n这个我不知道呢"
    (hit,) = Linter([term("不知道")]).lint(content)
    assert content[hit.start:hit.end] == "不知道"
    assert (hit.start, hit.end) == (6, 9)
    assert (hit.line, hit.column) == (2, 4)
    assert (hit.term, hit.reason, hit.alternative) == ("不知道", "why not 不知道", "instead of 不知道")


def test_hit_on_the_first_line_starts_at_column_one() -> None:
    (hit,) = Linter([term("calm down")]).lint("calm down please")
    assert (hit.line, hit.column, hit.start) == (1, 1, 0)


def test_english_terms_match_case_insensitively_and_report_the_listed_term() -> None:
    hits = Linter([term("calm down")]).lint("Please CALM DOWN.\nOr Calm Down!")
    assert [(h.line, h.column, h.term) for h in hits] == [(1, 8, "calm down"), (2, 4, "calm down")]


def test_longest_term_wins_where_terms_overlap() -> None:
    linter = Linter([term("不知"), term("不知道"), term("知道")])
    hits = linter.lint("我不知道")
    assert [(h.term, h.start, h.end) for h in hits] == [("不知道", 1, 4)]


def test_every_occurrence_of_every_term_is_reported_in_text_order() -> None:
    content = "I don't know.\nCalm down, I DON'T KNOW and calm down\n\nnot my job"
    linter = Linter([term("I don't know"), term("calm down"), term("not my job")])
    hits = linter.lint(content)
    assert [(h.term, h.line, h.column) for h in hits] == [
        ("I don't know", 1, 1),
        ("calm down", 2, 1),
        ("I don't know", 2, 12),
        ("calm down", 2, 29),
        ("not my job", 4, 1),
    ]
    assert all(content[h.start:h.end].casefold() == h.term.casefold() for h in hits)


def test_terms_are_matched_literally_not_as_patterns() -> None:
    linter = Linter([term("a.b"), term("(x)")])
    assert linter.lint("aXb x") == []
    assert [h.term for h in linter.lint("a.b (x)")] == ["a.b", "(x)"]


def test_no_terms_means_no_hits() -> None:
    assert Linter([]).lint("anything at all, 不知道") == []


def test_empty_text_has_no_hits() -> None:
    assert Linter([term("x")]).lint("") == []


def test_clean_text_has_no_hits() -> None:
    assert Linter([term("calm down")]).lint("I can see how frustrating this is.") == []


def test_an_empty_database_lints_clean(empty_db: Database) -> None:
    with empty_db.session() as session:
        assert lint.lint_text(session, "不知道 calm down") == []


def test_lint_text_uses_the_starter_terms(workspace) -> None:
    with workspace.session() as session:
        hits = lint.lint_text(session, "这个我不知道。\nPlease calm down.")
    found = {(h.term, h.line) for h in hits}
    assert ("不知道", 1) in found and ("calm down", 2) in found
    assert all(h.reason and h.alternative for h in hits)


# ── the term list ───────────────────────────────────────────────────────────


def add(workspace, actor, word: str = "xyzzy", reason: str = "a magic word",
        alternative: str = "plugh", language: str = "en") -> Term:
    with workspace.session() as session:
        return lint.add_term(session, actor, word, reason, alternative, language)


def active_terms(workspace) -> dict[str, Term]:
    with workspace.session() as session:
        return {t.term: t for t in lint.list_terms(session)}


def test_terms_can_be_listed_with_one_language_first(workspace) -> None:
    with workspace.session() as session:
        plain = lint.list_terms(session)
        zh_first = lint.list_terms(session, language_first="zh_CN")
        en_first = lint.list_terms(session, language_first="en")
    assert {t.language for t in plain} == {"zh_CN", "en"}
    assert sorted(t.id for t in zh_first) == sorted(t.id for t in plain)
    for listed, first in ((zh_first, "zh_CN"), (en_first, "en")):
        languages = [t.language for t in listed]
        switch = languages.index(next(lang for lang in languages if lang != first))
        assert set(languages[:switch]) == {first}
        assert first not in languages[switch:]
        # within a language the order by term is kept
        same = [t.id for t in plain if t.language == first]
        assert [t.id for t in listed[:switch]] == same


def test_lead_adds_a_term_and_lint_finds_it(workspace, lead) -> None:
    added = add(workspace, lead, "  xyzzy  ", " a magic word ", " plugh ")
    assert (added.term, added.reason, added.alternative, added.version) == ("xyzzy", "a magic word", "plugh", 1)
    with workspace.session() as session:
        (hit,) = lint.lint_text(session, "say XYZZY")
    assert (hit.term, hit.column) == ("xyzzy", 5)


def test_agent_cannot_add_update_or_retire_terms(workspace, lead, agent) -> None:
    added = add(workspace, lead)
    with workspace.session() as session:
        with pytest.raises(NotAllowed):
            lint.add_term(session, agent, "frobnicate", "r", "a")
        with pytest.raises(NotAllowed):
            lint.update_term(session, agent, added.id, expected_version=1, term="xyzzy", reason="r",
                             alternative="a")
        with pytest.raises(NotAllowed):
            lint.retire_term(session, agent, added.id, expected_version=1)
    assert active_terms(workspace)["xyzzy"] == added
    assert "frobnicate" not in active_terms(workspace)


def test_adding_a_term_twice_is_a_conflict_whatever_the_case(workspace, lead) -> None:
    add(workspace, lead, "xyzzy")
    with pytest.raises(Conflict) as caught, workspace.session() as session:
        lint.add_term(session, lead, "XYZZY", "r", "a")
    assert "XYZZY" in str(caught.value)


def test_adding_a_starter_term_again_is_a_conflict(workspace, lead) -> None:
    with pytest.raises(Conflict), workspace.session() as session:
        lint.add_term(session, lead, "不知道", "r", "a", "zh_CN")


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        (("", "r", "a"), "Term"),
        (("x", "  ", "a"), "Reason"),
        (("x", "r", "\n"), "Alternative"),
    ],
)
def test_empty_field_is_invalid_and_names_the_field(workspace, lead, fields, named) -> None:
    with pytest.raises(Invalid) as caught, workspace.session() as session:
        lint.add_term(session, lead, *fields)
    assert str(caught.value) == f"{named} is required."


def test_too_long_term_is_invalid_and_names_the_field(workspace, lead) -> None:
    with pytest.raises(Invalid) as caught, workspace.session() as session:
        lint.add_term(session, lead, "x" * 101, "r", "a")
    assert "Term" in str(caught.value) and "101" in str(caught.value)


def test_update_changes_the_term_and_bumps_the_version(workspace, lead) -> None:
    added = add(workspace, lead)
    with workspace.session() as session:
        updated = lint.update_term(session, lead, added.id, expected_version=added.version,
                                   term="plover", reason="new reason", alternative="new alt")
    assert (updated.term, updated.reason, updated.alternative) == ("plover", "new reason", "new alt")
    assert updated.version == added.version + 1
    terms = active_terms(workspace)
    assert "xyzzy" not in terms and terms["plover"] == updated
    with workspace.session() as session:
        assert [h.term for h in lint.lint_text(session, "xyzzy plover")] == ["plover"]


def test_update_on_a_stale_version_is_a_conflict_naming_who_and_when(workspace, lead, login_as) -> None:
    added = add(workspace, lead)
    with workspace.session() as session:
        lint.update_term(session, lead, added.id, expected_version=1, term="xyzzy",
                         reason="first edit", alternative="plugh")
    with workspace.session() as session:
        users.set_role(session, lead, login_as("lead2").login, "lead")
    second_lead = login_as("lead2")
    with pytest.raises(Conflict) as caught, workspace.session() as session:
        lint.update_term(session, second_lead, added.id, expected_version=1, term="xyzzy",
                         reason="second edit", alternative="plugh")
    message = str(caught.value)
    with workspace.session() as session:
        row = session.get(ForbiddenTerm, added.id)
        when = local_time(row.updated_at)
    assert "lead1" in message and when in message
    assert "version 2" in message and "version 1" in message
    assert active_terms(workspace)["xyzzy"].reason == "first edit"


def test_update_to_an_existing_term_is_a_conflict(workspace, lead) -> None:
    added = add(workspace, lead, "xyzzy")
    add(workspace, lead, "plover")
    with pytest.raises(Conflict), workspace.session() as session:
        lint.update_term(session, lead, added.id, expected_version=1, term="Plover", reason="r",
                         alternative="a")
    assert active_terms(workspace)["xyzzy"].version == 1


def test_update_with_an_empty_field_is_invalid_and_changes_nothing(workspace, lead) -> None:
    added = add(workspace, lead)
    with pytest.raises(Invalid) as caught, workspace.session() as session:
        lint.update_term(session, lead, added.id, expected_version=1, term="xyzzy", reason="",
                         alternative="a")
    assert "Reason" in str(caught.value)
    assert active_terms(workspace)["xyzzy"] == added


def test_retired_term_is_no_longer_listed_or_linted(workspace, lead) -> None:
    added = add(workspace, lead)
    with workspace.session() as session:
        lint.retire_term(session, lead, added.id, expected_version=1)
    assert "xyzzy" not in active_terms(workspace)
    with workspace.session() as session:
        assert lint.lint_text(session, "xyzzy") == []
        with pytest.raises(NotFound):
            lint.update_term(session, lead, added.id, expected_version=2, term="xyzzy", reason="r",
                             alternative="a")


def test_retire_on_a_stale_version_is_a_conflict(workspace, lead) -> None:
    added = add(workspace, lead)
    with workspace.session() as session:
        lint.update_term(session, lead, added.id, expected_version=1, term="xyzzy", reason="r2",
                         alternative="a")
    with pytest.raises(Conflict), workspace.session() as session:
        lint.retire_term(session, lead, added.id, expected_version=1)
    assert "xyzzy" in active_terms(workspace)


def test_adding_a_retired_term_again_brings_it_back(workspace, lead) -> None:
    added = add(workspace, lead)
    with workspace.session() as session:
        lint.retire_term(session, lead, added.id, expected_version=1)
    again = add(workspace, lead, "Xyzzy", "back again", "plugh")
    assert again.id == added.id
    assert (again.term, again.reason) == ("Xyzzy", "back again")
    assert again.version > added.version


def test_unknown_term_id_is_not_found(workspace, lead) -> None:
    with pytest.raises(NotFound), workspace.session() as session:
        lint.update_term(session, lead, 999_999, expected_version=1, term="x", reason="r", alternative="a")
