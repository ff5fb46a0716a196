"""The scenario script library (场景化话术库): search, read, write, use.

Search ranks in tiers — exact shortcut, title or shortcut prefix, pinyin
(initials or full) prefix, full-text hit, substring of a short key — and within
a tier puts the viewer's own most-used and most recently used scripts first,
then the tier's natural order. Every tier is an index lookup with a ``LIMIT``;
the substring tier searches an index of the short keys too; only a ``/shortcut``
query that matched nothing exactly or by prefix scans shortcuts with ``LIKE``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session, select

from cscterm.db import search as fts
from cscterm.db.tables.core import utcnow
from cscterm.db.tables.library import Scenario, Script, ScriptUsage, ScriptUsageStat, ScriptVariant
from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.i18n import t
from cscterm.services import render
from cscterm.services.users import Actor, display_names
from cscterm.services.versioning import claim

STYLES = ("standard", "caring", "cute", "casual", "humorous")
LEVELS = ("new", "all", "senior")
SHORTCUT = re.compile(r"[a-z0-9_-]{1,32}")
MAX_TITLE = 120
MAX_BODY = 4000
PAGE = 50
# How many candidates a tier reorders by the viewer's usage.
_TIER_CAP = 200


# ── results ─────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class ScriptHit:
    id: int
    shortcut: str
    title: str
    category: str
    scenario_title: str
    styles: tuple[str, ...]
    default_style: str
    first_line: str
    personal: bool
    language: str
    tier: int = 0  # 0 shortcut, 1 prefix, 2 pinyin, 3 full text, 4 substring, 9 browse


@dataclass(frozen=True)
class ScenarioCard:
    id: int
    key: str
    category: str
    title: str
    level: str
    tags: tuple[str, ...]
    situation: str
    reasons: tuple[str, ...]
    concerns: tuple[str, ...]
    phrases: tuple[str, ...]
    guidance: str
    never: tuple[str, ...]
    language: str


@dataclass(frozen=True)
class ScriptDetail:
    id: int
    shortcut: str
    title: str
    default_style: str
    variants: dict[str, str]  # style → body, in display order
    owner_id: int | None
    owner_name: str
    version: int
    updated_at: datetime
    scenario: ScenarioCard

    @property
    def personal(self) -> bool:
        return self.owner_id is not None

    @property
    def styles(self) -> tuple[str, ...]:
        return tuple(self.variants)


@dataclass
class ScriptDraft:
    """What the editor hands over to create or change a script."""

    scenario_id: int
    title: str
    shortcut: str
    variants: dict[str, str] = field(default_factory=dict)
    default_style: str | None = None


@dataclass(frozen=True)
class Category:
    path: str  # "退款/未发货"
    name: str  # last segment
    depth: int
    count: int  # scripts visible to the viewer in this category and below


# ── search keys ─────────────────────────────────────────────────────────────

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def search_keys(title: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``title``, lower-case with no separators.

    ``未发货申请退款`` → ``("weifahuoshenqingtuikuan", "wfhsqtk")``; words in
    other scripts count as themselves: ``Refund before shipping`` →
    ``("refundbeforeshipping", "rbs")``.
    """
    if _CJK.search(title):
        from pypinyin import Style, lazy_pinyin

        syllables = lazy_pinyin(title, style=Style.NORMAL, errors=lambda s: s.split())
    else:
        syllables = title.split()
    syllables = ["".join(ch for ch in s.lower() if ch.isalnum()) for s in syllables]
    syllables = [s for s in syllables if s]
    return "".join(syllables)[:600], "".join(s[0] for s in syllables)[:120]


def normalise_shortcut(shortcut: str) -> str:
    return shortcut.strip().lstrip("/").lower()


# ── search ──────────────────────────────────────────────────────────────────


def _usage(session: Session, viewer: Actor) -> dict[int, tuple[int, datetime]]:
    rows = session.execute(
        text(
            "SELECT script_id, uses, last_used FROM script_usage_stat WHERE user_id = :me "
            "ORDER BY uses DESC, last_used DESC LIMIT 500"
        ),
        {"me": viewer.id},
    )
    return {sid: (uses, last) for sid, uses, last in rows}


def _ranked(ids: Iterable[int], usage: Mapping[int, tuple[int, object]]) -> list[int]:
    """Used-by-me first (most uses, then most recent), then the order given."""
    ids = list(ids)
    position = {sid: n for n, sid in enumerate(ids)}
    return sorted(
        ids,
        key=lambda sid: (
            0 if sid in usage else 1,
            -usage[sid][0] if sid in usage else 0,
            -_stamp(usage[sid][1]) if sid in usage else 0,
            position[sid],
        ),
    )


def _stamp(value: object) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value).timestamp()
        except ValueError:
            return 0.0
    return 0.0


_VISIBLE = fts.VISIBLE


def _range_ids(session: Session, column: str, prefix: str, viewer: Actor, limit: int) -> list[int]:
    """Scripts whose ``column`` starts with ``prefix``, in that column's order
    (an index range scan: ``tk`` lists tk1, tk2, … before tk10's neighbours)."""
    rows = session.execute(
        text(
            f"SELECT id FROM script WHERE {column} >= :lo AND {column} < :hi AND {_VISIBLE} "
            f"ORDER BY {column}, id LIMIT :limit"
        ),
        {"lo": prefix, "hi": prefix + "\U0010ffff", "me": viewer.id, "limit": limit},
    )
    return [row[0] for row in rows]


def _tiers(session: Session, viewer: Actor, query: str, need: int) -> list[tuple[int, int]]:
    """(script id, tier) in rank order, at least ``need`` of them where they exist."""
    usage = _usage(session, viewer)
    seen: dict[int, int] = {}

    def add(tier: int, ids: Iterable[int]) -> None:
        for sid in _ranked(ids, usage):
            seen.setdefault(sid, tier)

    shortcut_only = query.startswith("/")
    key = normalise_shortcut(query)
    lowered = query.strip().lower()
    cap = max(need, _TIER_CAP)

    if key:
        add(0, (r[0] for r in session.execute(
            text(f"SELECT id FROM script WHERE shortcut = :s AND {_VISIBLE}"),
            {"s": key, "me": viewer.id})))
    if shortcut_only:
        if key and len(seen) < need:
            add(1, _range_ids(session, "shortcut", key, viewer, cap))
        if key and not seen:  # unindexed scan: the last resort
            add(4, fts.shortcut_substring_ids(session, key, viewer_id=viewer.id, limit=cap))
        return list(seen.items())

    stripped = query.strip()
    if len(seen) < need:
        add(1, _range_ids(session, "title", stripped, viewer, cap)
            + (_range_ids(session, "shortcut", key, viewer, cap) if SHORTCUT.fullmatch(key) else []))
    compact = "".join(ch for ch in lowered if ch.isalnum())
    if compact.isascii() and compact and len(seen) < need:
        add(2, _range_ids(session, "initials", compact, viewer, cap)
            + _range_ids(session, "pinyin", compact, viewer, cap))
    if len(seen) < need:
        add(3, fts.match_ids(session, stripped, viewer_id=viewer.id, limit=cap, only_used=True))
        add(3, fts.match_ids(session, stripped, viewer_id=viewer.id, limit=need + len(seen),
                             title_only=True))
        add(3, fts.match_ids(session, stripped, viewer_id=viewer.id, limit=need + len(seen)))
    if compact and compact.isascii() and len(seen) < need:  # keys are ASCII only
        add(4, fts.substring_ids(session, compact, viewer_id=viewer.id, limit=need))
    return list(seen.items())


_escape_like = fts.escape_like


def search(
    session: Session, viewer: Actor, query: str, *, limit: int = PAGE, offset: int = 0
) -> list[ScriptHit]:
    """Scripts visible to ``viewer`` matching ``query``, best first, one page."""
    if not query.strip() or not query.strip().lstrip("/"):
        return []
    ranked = _tiers(session, viewer, query, offset + limit)[offset : offset + limit]
    return _hits(session, ranked)


def browse(
    session: Session,
    viewer: Actor,
    *,
    category: str | None = None,
    limit: int = PAGE,
    after: ScriptHit | None = None,
    language: str | None = None,
) -> list[ScriptHit]:
    """Visible scripts in ``category`` (and below), by category and title.

    Keyset-paged: pass the last hit of the previous page as ``after``. With
    ``language``, that language's scripts come first. Each language is read
    in index order (scenario language, category), so a page costs its size,
    not the size of the library.
    """
    if language is None:
        return _browse_part(session, viewer, category, limit, after, None, None)
    hits: list[ScriptHit] = []
    if after is None or after.language == language:
        hits = _browse_part(session, viewer, category, limit, after, language, "=")
        after = None
    if len(hits) < limit:
        hits += _browse_part(session, viewer, category, limit - len(hits), after, language, "!=")
    return hits


def _browse_part(
    session: Session,
    viewer: Actor,
    category: str | None,
    limit: int,
    after: ScriptHit | None,
    language: str | None,
    op: str | None,
) -> list[ScriptHit]:
    params: dict[str, object] = {"me": viewer.id, "limit": limit}
    where = ["s.active", "(+s.owner_id IS NULL OR +s.owner_id = :me)", "c.active"]
    if language is not None and op is not None:
        where.append(f"c.language {op} :lang")
        params["lang"] = language
    if category:
        where.append("(c.category = :cat OR (c.category >= :cat_lo AND c.category < :cat_hi))")
        params.update(cat=category, cat_lo=category + "/", cat_hi=category + "/\U0010ffff")
    if after is not None:
        where.append("(c.category, s.title, s.id) > (:a_cat, :a_title, :a_id)")
        params.update(a_cat=after.category, a_title=after.title, a_id=after.id)
    rows = session.execute(
        text(
            "SELECT s.id FROM scenario c JOIN script s ON s.scenario_id = c.id "
            f"WHERE {' AND '.join(where)} ORDER BY c.category, s.title, s.id LIMIT :limit"
        ),
        params,
    )
    return _hits(session, [(row[0], 9) for row in rows])


def _hits(session: Session, ranked: Sequence[tuple[int, int]]) -> list[ScriptHit]:
    if not ranked:
        return []
    ids = [sid for sid, _ in ranked]
    names = ", ".join(f":i{n}" for n in range(len(ids)))
    params = {f"i{n}": sid for n, sid in enumerate(ids)}
    scripts = {
        row[0]: row
        for row in session.execute(
            text(
                "SELECT s.id, s.shortcut, s.title, c.category, c.title, s.default_style, "
                f"s.owner_id, c.language FROM script s JOIN scenario c ON c.id = s.scenario_id "
                f"WHERE s.id IN ({names})"
            ),
            params,
        )
    }
    variants: dict[int, dict[str, str]] = {}
    for sid, style, body in session.execute(
        text(f"SELECT script_id, style, body FROM script_variant WHERE script_id IN ({names}) "
             "ORDER BY script_id, position"),
        params,
    ):
        variants.setdefault(sid, {})[style] = body
    hits = []
    for sid, tier in ranked:
        row = scripts.get(sid)
        if row is None:
            continue
        bodies = variants.get(sid, {})
        default = row[5] if row[5] in bodies else next(iter(bodies), row[5])
        first = next((ln.strip() for ln in bodies.get(default, "").splitlines() if ln.strip()), "")
        hits.append(ScriptHit(
            id=sid, shortcut=row[1], title=row[2], category=row[3], scenario_title=row[4],
            styles=tuple(bodies), default_style=default, first_line=first[:200],
            personal=row[6] is not None, language=row[7], tier=tier,
        ))
    return hits


def categories(session: Session, viewer: Actor, language: str | None = None) -> list[Category]:
    """The category tree (depth-first, sorted, ``language``'s categories
    first), with visible script counts."""
    counts: dict[str, int] = {}
    first: set[str] = set()
    for path, lang, n in session.execute(
        text(
            "SELECT c.category, c.language, COUNT(s.id) FROM scenario c "
            "JOIN script s ON s.scenario_id = c.id "
            "WHERE s.active AND (+s.owner_id IS NULL OR +s.owner_id = :me) "
            "GROUP BY c.category, c.language"
        ).bindparams(me=viewer.id)
    ):
        parts = path.split("/")
        for depth in range(1, len(parts) + 1):
            prefix = "/".join(parts[:depth])
            counts[prefix] = counts.get(prefix, 0) + n
            if lang == language:
                first.add(prefix)
    return [
        Category(path=p, name=p.rsplit("/", 1)[-1], depth=p.count("/"), count=counts[p])
        for p in sorted(counts, key=lambda p: (p.split("/", 1)[0] not in first, p))
    ]


# ── reading ─────────────────────────────────────────────────────────────────


def _card(row: Scenario) -> ScenarioCard:
    assert row.id is not None
    return ScenarioCard(
        id=row.id, key=row.key, category=row.category, title=row.title, level=row.level,
        tags=tuple(row.tags), situation=row.situation, reasons=tuple(row.reasons),
        concerns=tuple(row.concerns), phrases=tuple(row.phrases), guidance=row.guidance,
        never=tuple(row.never), language=row.language,
    )


def _visible_script(session: Session, viewer: Actor, script_id: int) -> Script:
    row = session.get(Script, script_id)
    if row is None or not row.active or (row.owner_id is not None and row.owner_id != viewer.id):
        raise NotFound("err.not_found.script", id=script_id)
    return row


def get_script(session: Session, viewer: Actor, script_id: int) -> ScriptDetail:
    row = _visible_script(session, viewer, script_id)
    scenario = session.get(Scenario, row.scenario_id)
    assert scenario is not None and row.id is not None
    variants = {
        v.style: v.body
        for v in session.exec(
            select(ScriptVariant).where(ScriptVariant.script_id == row.id)
            .order_by(ScriptVariant.position)  # type: ignore[arg-type]
        )
    }
    owner = display_names(session, {row.owner_id}).get(row.owner_id, "") if row.owner_id else ""
    default = row.default_style if row.default_style in variants else next(iter(variants), "standard")
    return ScriptDetail(
        id=row.id, shortcut=row.shortcut, title=row.title, default_style=default,
        variants=variants, owner_id=row.owner_id, owner_name=owner, version=row.version,
        updated_at=row.updated_at, scenario=_card(scenario),
    )


def list_scenarios(session: Session) -> list[ScenarioCard]:
    rows = session.exec(
        select(Scenario).where(Scenario.active).order_by(Scenario.category, Scenario.title)  # type: ignore[arg-type]
    )
    return [_card(r) for r in rows]


def get_scenario(session: Session, scenario_id: int) -> ScenarioCard:
    row = session.get(Scenario, scenario_id)
    if row is None or not row.active:
        raise NotFound("err.not_found.scenario", ref=scenario_id)
    return _card(row)


# ── writing ─────────────────────────────────────────────────────────────────


def validate_draft(draft: ScriptDraft) -> ScriptDraft:
    """A cleaned copy of ``draft``, or :class:`Invalid` naming the field."""
    title = draft.title.strip()
    if not title:
        raise Invalid("err.invalid.required", field=t("field.title"))
    if len(title) > MAX_TITLE:
        raise Invalid("err.invalid.too_long", field=t("field.title"), length=len(title), limit=MAX_TITLE)
    shortcut = normalise_shortcut(draft.shortcut)
    if not shortcut:
        raise Invalid("err.invalid.required", field=t("field.shortcut"))
    if not SHORTCUT.fullmatch(shortcut):
        raise Invalid("err.invalid.shortcut", shortcut=draft.shortcut.strip())
    variants: dict[str, str] = {}
    for style, body in draft.variants.items():
        if style not in STYLES:
            raise Invalid("err.invalid.style", style=style, styles=", ".join(STYLES))
        body = body.strip("\n").rstrip()
        if not body.strip():
            continue
        field_name = f"{t('field.body')} ({style})"
        if len(body) > MAX_BODY:
            raise Invalid("err.invalid.too_long", field=field_name, length=len(body), limit=MAX_BODY)
        bad = render.malformed(body)
        if bad:
            raise Invalid("err.invalid.placeholder", field=field_name, token=bad[0])
        variants[style] = body
    if not variants:
        raise Invalid("err.invalid.no_styles")
    ordered = {s: variants[s] for s in STYLES if s in variants}
    default = draft.default_style if draft.default_style in ordered else next(iter(ordered))
    return ScriptDraft(draft.scenario_id, title, shortcut, ordered, default)


def _check_shortcut(session: Session, shortcut: str, owner_id: int | None, exclude: int | None) -> None:
    """Team shortcuts are unique among team scripts; a personal one must not
    clash with a team script or the owner's other scripts."""
    params: dict[str, object] = {"s": shortcut, "x": exclude or 0}
    owners = "owner_id IS NULL"
    if owner_id is not None:
        owners = "(owner_id IS NULL OR owner_id = :o)"
        params["o"] = owner_id
    row = session.execute(
        text(f"SELECT title FROM script WHERE shortcut = :s AND active AND {owners} AND id != :x LIMIT 1"),
        params,
    ).first()
    if row is not None:
        raise Conflict("err.conflict.shortcut", shortcut=shortcut, title=row[0])


def _reindex(session: Session, script: Script, scenario: Scenario, bodies: Iterable[str]) -> None:
    assert script.id is not None
    fts.index_script(
        session, script.id, owner_id=script.owner_id,
        title=fts.search_title(script.title, scenario.title, scenario.category),
        phrases=scenario.phrases, bodies=bodies, tags=scenario.tags,
        keys=fts.keys_text(script.shortcut, script.initials, script.pinyin),
    )


def _write_variants(session: Session, script_id: int, variants: Mapping[str, str]) -> None:
    session.execute(text("DELETE FROM script_variant WHERE script_id = :id"), {"id": script_id})
    for position, (style, body) in enumerate(variants.items()):
        session.add(ScriptVariant(script_id=script_id, style=style, position=position, body=body))


def _scenario(session: Session, scenario_id: int) -> Scenario:
    scenario = session.get(Scenario, scenario_id)
    if scenario is None or not scenario.active:
        raise NotFound("err.not_found.scenario", ref=scenario_id)
    return scenario


def create_script(session: Session, actor: Actor, draft: ScriptDraft, *, team: bool = False) -> ScriptDetail:
    """A new personal script, or (leads only) a team script."""
    if team and not actor.is_lead:
        raise NotAllowed("err.not_allowed.team_script")
    draft = validate_draft(draft)
    scenario = _scenario(session, draft.scenario_id)
    owner_id = None if team else actor.id
    _check_shortcut(session, draft.shortcut, owner_id, None)
    pinyin, initials = search_keys(draft.title)
    script = Script(
        scenario_id=draft.scenario_id, owner_id=owner_id, title=draft.title,
        shortcut=draft.shortcut, default_style=draft.default_style or "standard",
        pinyin=pinyin, initials=initials, updated_by=actor.id,
    )
    session.add(script)
    session.flush()
    assert script.id is not None
    _write_variants(session, script.id, draft.variants)
    _reindex(session, script, scenario, draft.variants.values())
    session.flush()
    return get_script(session, actor, script.id)


def _editable(session: Session, actor: Actor, script_id: int) -> Script:
    row = session.get(Script, script_id)
    if row is None or not row.active or (row.owner_id is not None and row.owner_id != actor.id and not actor.is_lead):
        raise NotFound("err.not_found.script", id=script_id)
    if row.owner_id is None and not actor.is_lead:
        raise NotAllowed("err.not_allowed.team_script")
    if row.owner_id is not None and row.owner_id != actor.id:
        owner = display_names(session, {row.owner_id}).get(row.owner_id, "?")
        raise NotAllowed("err.not_allowed.others_script", owner=owner)
    return row


def update_script(
    session: Session, actor: Actor, script_id: int, draft: ScriptDraft, *, expected_version: int
) -> ScriptDetail:
    """Change a script the actor may edit; refused if someone saved in between."""
    _editable(session, actor, script_id)
    draft = validate_draft(draft)
    claim(session, Script, script_id, expected_version, "what.script")
    row = session.get(Script, script_id)
    assert row is not None
    scenario = _scenario(session, draft.scenario_id)
    _check_shortcut(session, draft.shortcut, row.owner_id, script_id)
    row.scenario_id, row.title, row.shortcut = draft.scenario_id, draft.title, draft.shortcut
    row.default_style = draft.default_style or next(iter(draft.variants))
    row.pinyin, row.initials = search_keys(draft.title)
    row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    _write_variants(session, script_id, draft.variants)
    _reindex(session, row, scenario, draft.variants.values())
    session.flush()
    return get_script(session, actor, script_id)


def retire_script(session: Session, actor: Actor, script_id: int, *, expected_version: int) -> None:
    """Scripts are never deleted: a retired one leaves search and lists."""
    _editable(session, actor, script_id)
    claim(session, Script, script_id, expected_version, "what.script")
    row = session.get(Script, script_id)
    assert row is not None
    row.active = False
    row.updated_at, row.updated_by = utcnow(), actor.id
    session.add(row)
    fts.remove_script(session, script_id)
    session.flush()


# ── usage ───────────────────────────────────────────────────────────────────


def record_use(session: Session, actor: Actor, script_id: int, style: str) -> None:
    """A copy to the clipboard: logged, and counted for the actor's ranking."""
    _visible_script(session, actor, script_id)
    now = utcnow()
    session.add(ScriptUsage(script_id=script_id, user_id=actor.id, style=style, used_at=now))
    stat = session.get(ScriptUsageStat, (actor.id, script_id))
    if stat is None:
        stat = ScriptUsageStat(user_id=actor.id, script_id=script_id, uses=0, last_used=now)
    stat.uses += 1
    stat.last_used = now
    session.add(stat)
    session.flush()


def uses_by_scenario(session: Session, actor: Actor, since: datetime, until: datetime) -> dict[str, int]:
    """How many scripts the actor copied per scenario title in [since, until)."""
    rows = session.execute(
        text(
            "SELECT c.title, COUNT(*) FROM script_usage u JOIN script s ON s.id = u.script_id "
            "JOIN scenario c ON c.id = s.scenario_id WHERE u.user_id = :me "
            "AND u.used_at >= :since AND u.used_at < :until GROUP BY c.title ORDER BY 2 DESC"
        ),
        {"me": actor.id, "since": _sql_utc(since), "until": _sql_utc(until)},
    )
    return {title: n for title, n in rows}


def _sql_utc(moment: datetime) -> str:
    """A timestamp as stored in SQLite by the ORM (naive UTC text), for raw SQL."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(sep=" ")


def find_scenarios(session: Session, query: str, *, limit: int = 50) -> list[ScenarioCard]:
    """Scenarios whose title or category contains ``query`` (the editor's picker)."""
    params: dict[str, object] = {"limit": limit}
    where = "active"
    if query.strip():
        where += " AND (title LIKE :p ESCAPE '\\' OR category LIKE :p ESCAPE '\\' OR key LIKE :p ESCAPE '\\')"
        params["p"] = "%" + _escape_like(query.strip()) + "%"
    ids = [row[0] for row in session.execute(
        text(f"SELECT id FROM scenario WHERE {where} ORDER BY category, title LIMIT :limit"), params)]
    if not ids:
        return []
    rows = session.exec(select(Scenario).where(Scenario.id.in_(ids)))  # type: ignore[union-attr]
    by_id = {row.id: row for row in rows}
    return [_card(by_id[i]) for i in ids if i in by_id]
