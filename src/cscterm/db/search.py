"""Full-text search over scripts (engine-specific SQL lives here only).

Two FTS5 tables index the same text of every active script — its title with
the scenario's title and category, the customer's phrases, every style's body
and the tags:

* ``script_fts`` uses the trigram tokenizer: any substring of three or more
  characters, Chinese included, is an index lookup.
* ``script_gram`` indexes overlapping character bigrams (``退款了`` →
  ``退款 款了 了``: the last character of each run is also kept alone), so a
  two-character query is one token and a one-character query is a prefix
  lookup (``退*``). Trigram cannot answer queries under three characters.

Both carry the owner (0 for team scripts) unindexed, so visibility is checked
while the match streams and ``LIMIT`` stops early.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

_WORD_RUN = re.compile(r"[^\W_]+")

# Scripts a viewer may see: the team's and their own. The unary "+" keeps
# SQLite from answering the OR through ix_script_owner (which visits every
# team script) instead of the index on the column being searched.
VISIBLE = "active AND (+owner_id IS NULL OR +owner_id = :me)"

# Revision 0001's tables (migrations create exactly these, then upgrade).
CREATE_STATEMENTS_0001 = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS script_fts USING fts5("
    "title, phrases, body, tags, owner UNINDEXED, tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS script_gram USING fts5("
    "grams, owner UNINDEXED, tokenize='unicode61 remove_diacritics 0', prefix='1')",
)
# Since 0002 both tables also index the script's short keys (shortcut, pinyin
# initials, full pinyin) in a column of their own, so "tk" finds 同意退款
# (tytk) through an index rather than a LIKE scan.
CREATE_STATEMENTS = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS script_fts USING fts5("
    "title, phrases, body, tags, keys, owner UNINDEXED, tokenize='trigram')",
    "CREATE VIRTUAL TABLE IF NOT EXISTS script_gram USING fts5("
    "title, grams, keys, owner UNINDEXED, tokenize='unicode61 remove_diacritics 0', prefix='1')",
)
# Column filters: all the text, or only the title (script, scenario, category).
_TEXT_COLUMNS = {"script_fts": "{title phrases body tags}", "script_gram": "{title grams}"}
_TITLE_COLUMN = "title"
DROP_STATEMENTS = (
    "DROP TABLE IF EXISTS script_fts",
    "DROP TABLE IF EXISTS script_gram",
)


def create_tables(conn: Connection, statements: Sequence[str] = CREATE_STATEMENTS) -> None:
    for statement in statements:
        conn.exec_driver_sql(statement)


def keys_text(shortcut: str, initials: str, pinyin: str) -> str:
    """The short keys indexed for substring search."""
    return " ".join(k for k in (shortcut, initials, pinyin) if k)


def drop_tables(conn: Connection) -> None:
    for statement in DROP_STATEMENTS:
        conn.exec_driver_sql(statement)


def bigrams(content: str) -> str:
    """Space-separated bigram tokens of every word run in ``content``."""
    tokens: list[str] = []
    for run in _WORD_RUN.findall(content.lower()):
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
        tokens.append(run[-1])
    return " ".join(tokens)


def index_script(
    session: Session,
    script_id: int,
    *,
    owner_id: int | None,
    title: str,
    phrases: Iterable[str],
    bodies: Iterable[str],
    tags: Iterable[str],
    keys: str = "",
) -> None:
    """Write (or rewrite) one script's entries in both indexes."""
    remove_script(session, script_id)
    index_many(session, [{"id": script_id, "owner_id": owner_id, "title": title,
                          "phrases": list(phrases), "bodies": list(bodies), "tags": list(tags),
                          "keys": keys}])


def index_many(session: Session, rows: Sequence[dict[str, object]]) -> None:
    """Bulk form of :func:`index_script` for freshly inserted scripts."""
    if not rows:
        return
    fts_rows = []
    gram_rows = []
    for row in rows:
        phrases_text = "\n".join(row["phrases"])  # type: ignore[arg-type]
        body_text = "\n".join(row["bodies"])  # type: ignore[arg-type]
        tags_text = " ".join(row["tags"])  # type: ignore[arg-type]
        owner = row.get("owner_id") or 0
        keys = str(row.get("keys") or "").lower()
        fts_rows.append({"id": row["id"], "title": row["title"], "phrases": phrases_text,
                         "body": body_text, "tags": tags_text, "keys": keys, "owner": owner})
        gram_rows.append({"id": row["id"], "owner": owner, "keys": bigrams(keys),
                          "title": bigrams(str(row["title"])),
                          "grams": bigrams("\n".join((phrases_text, body_text, tags_text)))})
    session.execute(
        text(
            "INSERT INTO script_fts(rowid, title, phrases, body, tags, keys, owner) "
            "VALUES (:id, :title, :phrases, :body, :tags, :keys, :owner)"
        ),
        fts_rows,
    )
    session.execute(
        text("INSERT INTO script_gram(rowid, title, grams, keys, owner) "
             "VALUES (:id, :title, :grams, :keys, :owner)"),
        gram_rows,
    )


def remove_script(session: Session, script_id: int) -> None:
    session.execute(text("DELETE FROM script_fts WHERE rowid = :id"), {"id": script_id})
    session.execute(text("DELETE FROM script_gram WHERE rowid = :id"), {"id": script_id})


def _terms(query: str) -> list[str]:
    """Search terms: whitespace-separated runs of word characters, lower-cased."""
    return [term for term in (_WORD_RUN.findall(query.lower())) if term]


def _quote(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts_expression(query: str) -> tuple[str, str] | None:
    """The table and MATCH expression for ``query``, or None if nothing to match.

    All terms of three or more characters go to the trigram table; if any term
    is shorter, the whole query goes to the bigram table instead.
    """
    terms = _terms(query)
    if not terms:
        return None
    if all(len(term) >= 3 for term in terms):
        return "script_fts", " AND ".join(_quote(term) for term in terms)
    parts = []
    for term in terms:
        if len(term) == 1:
            parts.append(_quote(term) + "*")
        else:
            parts.append(_quote(" ".join(term[i : i + 2] for i in range(len(term) - 1))))
    return "script_gram", " AND ".join(parts)


def match_ids(
    session: Session,
    query: str,
    *,
    viewer_id: int,
    limit: int,
    only_used: bool = False,
    title_only: bool = False,
) -> list[int]:
    """Ids of visible scripts whose text matches ``query``, newest first.

    ``only_used`` restricts the match to scripts the viewer has used (they
    rank first among equals); ``title_only`` to matches in the title, the
    scenario's title or the category (a script about 退款 before one that
    mentions it).
    """
    found = fts_expression(query)
    if found is None or limit <= 0:
        return []
    table, expression = found
    columns = _TITLE_COLUMN if title_only else _TEXT_COLUMNS[table]
    params: dict[str, object] = {"q": f"{columns} : ({expression})",
                                 "me": viewer_id, "limit": limit}
    if only_used:
        # "+rowid" keeps the IN out of FTS5's hands: given a rowid IN list,
        # FTS5 runs the whole MATCH once per id. Filtering one MATCH pass
        # against the viewer's usage rows is a single streaming scan. Scripts
        # someone used are theirs or the team's, so no owner check is needed.
        sql = (
            f"SELECT rowid FROM {table} WHERE {table} MATCH :q AND +rowid IN "
            "(SELECT script_id FROM script_usage_stat WHERE user_id = :me) "
            "ORDER BY rowid DESC LIMIT :limit"
        )
    else:
        sql = (
            f"SELECT rowid FROM {table} WHERE {table} MATCH :q "
            "AND owner IN (0, :me) ORDER BY rowid DESC LIMIT :limit"
        )
    return [row[0] for row in session.execute(text(sql), params)]


def substring_ids(
    session: Session,
    query: str,
    *,
    viewer_id: int,
    limit: int,
) -> list[int]:
    """Scripts whose shortcut, pinyin initials or full pinyin contain ``query``
    (``tk`` → 同意退款, whose initials are ``tytk``), newest first."""
    found = fts_expression(query)
    if found is None or limit <= 0:
        return []
    table, expression = found
    sql = (
        f"SELECT rowid FROM {table} WHERE {table} MATCH :q AND owner IN (0, :me) "
        "ORDER BY rowid DESC LIMIT :limit"
    )
    rows = session.execute(text(sql), {"q": f"keys : ({expression})", "me": viewer_id,
                                        "limit": limit})
    return [row[0] for row in rows]


def shortcut_substring_ids(session: Session, key: str, *, viewer_id: int, limit: int) -> list[int]:
    """Scripts whose shortcut contains ``key`` (a scan: used only when an
    explicit /shortcut query found nothing by exact match or prefix)."""
    sql = (
        f"SELECT id FROM script WHERE shortcut LIKE :p ESCAPE '\\' AND {VISIBLE} "
        "ORDER BY id DESC LIMIT :limit"
    )
    rows = session.execute(text(sql), {"p": "%" + escape_like(key) + "%", "me": viewer_id,
                                        "limit": limit})
    return [row[0] for row in rows]


def escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def like_scan_ids(session: Session, query: str, *, limit: int) -> list[int]:
    """The naive baseline: ``LIKE '%q%'`` over every variant body (benchmarks)."""
    needle = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    sql = (
        "SELECT DISTINCT script_id FROM script_variant WHERE body LIKE :p ESCAPE '\\' "
        "LIMIT :limit"
    )
    return [row[0] for row in session.execute(text(sql), {"p": f"%{needle}%", "limit": limit})]


def rebuild(session: Session) -> None:
    """Re-create both indexes' content from the tables (repairs, migrations)."""
    conn = session.connection()
    conn.exec_driver_sql("DELETE FROM script_fts")
    conn.exec_driver_sql("DELETE FROM script_gram")
    rows = conn.exec_driver_sql(
        "SELECT s.id, s.owner_id, s.title, c.title, c.category, c.phrases, c.tags, "
        "s.shortcut, s.initials, s.pinyin "
        "FROM script s JOIN scenario c ON c.id = s.scenario_id WHERE s.active"
    ).fetchall()
    import json

    batch = []
    for sid, owner, title, scen_title, category, phrases, tags, shortcut, initials, pinyin in rows:
        bodies = [
            b for (b,) in conn.exec_driver_sql(
                "SELECT body FROM script_variant WHERE script_id = ? ORDER BY position", (sid,)
            )
        ]
        batch.append({
            "id": sid, "owner_id": owner,
            "title": search_title(title, scen_title, category),
            "phrases": json.loads(phrases or "[]"), "bodies": bodies,
            "tags": json.loads(tags or "[]"), "keys": keys_text(shortcut, initials, pinyin),
        })
    index_many(session, batch)


def search_title(script_title: str, scenario_title: str, category: str) -> str:
    """The text indexed as a script's title: its own, its scenario's, its category."""
    parts = [script_title]
    if scenario_title and scenario_title != script_title:
        parts.append(scenario_title)
    parts.append(category.replace("/", " "))
    return "\n".join(parts)


# ── handover history ───────────────────────────────────────────────────────
#
# One bigram table over each submitted note's text (summary, watch-outs,
# items, the receiver's synthesis): one- and two-character queries are token
# lookups, longer ones a phrase of bigrams, Chinese included. The team is
# carried unindexed so a teammate's search filters while the match streams.

HANDOVER_CREATE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS handover_gram USING fts5("
    "grams, team UNINDEXED, tokenize='unicode61 remove_diacritics 0', prefix='1')"
)


def gram_expression(query: str) -> str | None:
    """A MATCH expression over bigram tokens: every term must appear."""
    terms = _terms(query)
    if not terms:
        return None
    parts = []
    for term in terms:
        if len(term) == 1:
            parts.append(_quote(term) + "*")
        else:
            parts.append(_quote(" ".join(term[i : i + 2] for i in range(len(term) - 1))))
    return " AND ".join(parts)


def index_handover(session: Session, handover_id: int, team: str, content: str) -> None:
    """Write (or rewrite) one note's entry in the history index."""
    session.execute(text("DELETE FROM handover_gram WHERE rowid = :id"), {"id": handover_id})
    session.execute(
        text("INSERT INTO handover_gram(rowid, grams, team) VALUES (:id, :grams, :team)"),
        {"id": handover_id, "grams": bigrams(content), "team": team},
    )


def index_handovers(session: Session, rows: Sequence[tuple[int, str, str]]) -> None:
    """Bulk form of :func:`index_handover` for fresh rows (id, team, content)."""
    if rows:
        session.execute(
            text("INSERT INTO handover_gram(rowid, grams, team) VALUES (:id, :grams, :team)"),
            [{"id": i, "grams": bigrams(c), "team": team} for i, team, c in rows],
        )


def handover_match_ids(session: Session, query: str, *, team: str | None, limit: int,
                       before_id: int | None = None) -> list[int]:
    """Notes whose text matches ``query``, newest first; ``team`` None means
    every team (leads). ``before_id`` pages on."""
    expression = gram_expression(query)
    if expression is None or limit <= 0:
        return []
    sql = "SELECT rowid FROM handover_gram WHERE handover_gram MATCH :q"
    params: dict[str, object] = {"q": expression, "limit": limit}
    if team is not None:
        sql += " AND team = :team"
        params["team"] = team
    if before_id is not None:
        sql += " AND rowid < :before"
        params["before"] = before_id
    sql += " ORDER BY rowid DESC LIMIT :limit"
    return [row[0] for row in session.execute(text(sql), params)]
