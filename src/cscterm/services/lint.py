"""Forbidden-term lint (禁忌语): find every term in a text, with its reason and
the alternative to say instead."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlmodel import Session, select

from cscterm.db.tables.core import utcnow
from cscterm.db.tables.library import ForbiddenTerm
from cscterm.errors import Conflict, Invalid, NotFound
from cscterm.i18n import t
from cscterm.services.users import Actor, require_lead
from cscterm.services.versioning import claim


@dataclass(frozen=True)
class Term:
    id: int
    term: str
    reason: str
    alternative: str
    language: str
    version: int


@dataclass(frozen=True)
class LintHit:
    start: int  # character offsets into the text
    end: int
    term: str
    reason: str
    alternative: str
    line: int  # 1-based
    column: int  # 1-based


class Linter:
    """Matches all terms in one pass (case-insensitive, longest term first)."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = sorted(terms, key=lambda t: (-len(t.term), t.term))
        self._by_key = {t.term.casefold(): t for t in self.terms}
        pattern = "|".join(re.escape(t.term) for t in self.terms if t.term)
        self._pattern = re.compile(pattern, re.IGNORECASE) if pattern else None

    def lint(self, content: str) -> list[LintHit]:
        if self._pattern is None or not content:
            return []
        hits = []
        line_starts = [0] + [i + 1 for i, ch in enumerate(content) if ch == "\n"]
        line = 0
        for match in self._pattern.finditer(content):
            term = self._by_key.get(match.group().casefold())
            if term is None:  # casefold mismatch on exotic scripts; skip
                continue
            while line + 1 < len(line_starts) and line_starts[line + 1] <= match.start():
                line += 1
            hits.append(LintHit(match.start(), match.end(), term.term, term.reason,
                                term.alternative, line + 1, match.start() - line_starts[line] + 1))
        return hits


def _term(row: ForbiddenTerm) -> Term:
    assert row.id is not None
    return Term(row.id, row.term, row.reason, row.alternative, row.language, row.version)


def list_terms(session: Session, language_first: str | None = None) -> list[Term]:
    """Active terms by term; with ``language_first``, that language's terms
    come first (the rest keep their order after them)."""
    rows = session.exec(
        select(ForbiddenTerm).where(ForbiddenTerm.active).order_by(ForbiddenTerm.term_key)
    )
    terms = [_term(r) for r in rows]
    if language_first is not None:
        terms.sort(key=lambda term: term.language != language_first)
    return terms


def linter(session: Session) -> Linter:
    return Linter(list_terms(session))


MAX_TERM = 100
MAX_TEXT = 1000


def _validated(term: str, reason: str, alternative: str) -> tuple[str, str, str]:
    term, reason, alternative = term.strip(), reason.strip(), alternative.strip()
    for key, value, limit in (("field.term", term, MAX_TERM), ("field.reason", reason, MAX_TEXT),
                              ("field.alternative", alternative, MAX_TEXT)):
        if not value:
            raise Invalid("err.invalid.required", field=t(key))
        if len(value) > limit:
            raise Invalid("err.invalid.too_long", field=t(key), length=len(value), limit=limit)
    return term, reason, alternative


def add_term(session: Session, actor: Actor, term: str, reason: str, alternative: str,
             language: str = "zh_CN") -> Term:
    require_lead(actor, "err.not_allowed.forbidden")
    term, reason, alternative = _validated(term, reason, alternative)
    existing = session.exec(select(ForbiddenTerm).where(ForbiddenTerm.term_key == term.casefold())).first()
    if existing is not None and existing.active:
        raise Conflict("err.conflict.term", term=term)
    if existing is not None:  # bring a retired term back
        row = existing
        row.term, row.reason, row.alternative, row.active = term, reason, alternative, True
        row.version += 1
    else:
        row = ForbiddenTerm(term=term, term_key=term.casefold(), reason=reason,
                            alternative=alternative, language=language)
    row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    session.flush()
    return _term(row)


def update_term(session: Session, actor: Actor, term_id: int, *, expected_version: int,
                term: str, reason: str, alternative: str) -> Term:
    require_lead(actor, "err.not_allowed.forbidden")
    claim(session, ForbiddenTerm, term_id, expected_version, "what.term")
    row = session.get(ForbiddenTerm, term_id)
    if row is None or not row.active:
        raise NotFound("err.not_found.term", ref=term_id)
    term, reason, alternative = _validated(term, reason, alternative)
    clash = session.exec(select(ForbiddenTerm).where(ForbiddenTerm.term_key == term.casefold(),
                                                     ForbiddenTerm.id != term_id)).first()
    if clash is not None:
        raise Conflict("err.conflict.term", term=term)
    row.term, row.term_key, row.reason, row.alternative = term, term.casefold(), reason, alternative
    row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    session.flush()
    return _term(row)


def retire_term(session: Session, actor: Actor, term_id: int, *, expected_version: int) -> None:
    require_lead(actor, "err.not_allowed.forbidden")
    claim(session, ForbiddenTerm, term_id, expected_version, "what.term")
    row = session.get(ForbiddenTerm, term_id)
    if row is None or not row.active:
        raise NotFound("err.not_found.term", ref=term_id)
    row.active = False
    row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    session.flush()


def lint_text(session: Session, content: str) -> Sequence[LintHit]:
    return linter(session).lint(content)
