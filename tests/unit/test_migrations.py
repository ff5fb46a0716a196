"""db/migrations: the Alembic scripts, the ORM and real database files agree.

The upgrade test starts from the *first* schema, fills it through raw SQL
written for that schema, and checks the newest code still reads it. Today
that is one revision; every later migration is then tested from 0001.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import String, TypeDecorator, inspect, text
from sqlmodel import SQLModel, select

from cscterm.db import search
from cscterm.db.engine import SCHEMA_HEAD, Database, current_revision, migrations_location, upgrade
from cscterm.db.models import ForbiddenTerm, Scenario, Script, ScriptUsageStat, User
from cscterm.services import lint, scripts, users

FTS_TABLES = {"script_fts", "script_gram", "handover_gram"}


def script_directory() -> ScriptDirectory:
    return ScriptDirectory(migrations_location())


def is_fts(name: str) -> bool:
    return any(name == t or name.startswith(t + "_") for t in FTS_TABLES)


def test_schema_head_is_the_newest_migration() -> None:
    heads = script_directory().get_heads()
    assert heads == [SCHEMA_HEAD]


def test_migrations_form_one_line_from_0001() -> None:
    revisions = list(script_directory().walk_revisions())
    assert revisions[-1].revision == "0001" and revisions[-1].down_revision is None
    assert all(not r.is_merge_point and not r.is_branch_point for r in revisions)


def test_migrating_an_empty_database_creates_every_table(db_path: Path) -> None:
    db = Database(db_path)
    try:
        assert db.ensure_schema() is True
        with db.engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            assert current_revision(conn) == SCHEMA_HEAD
    finally:
        db.dispose()
    assert set(SQLModel.metadata.tables) <= tables
    assert FTS_TABLES <= tables
    assert "alembic_version" in tables


def test_orm_tables_and_columns_match_the_migrated_schema(empty_db: Database) -> None:
    with empty_db.engine.connect() as conn:
        inspector = inspect(conn)
        migrated = {
            name: {c["name"] for c in inspector.get_columns(name)}
            for name in inspector.get_table_names() if name != "alembic_version" and not is_fts(name)
        }
        migrated_indexes = {
            name: {(i["name"], tuple(i["column_names"])) for i in inspector.get_indexes(name)}
            for name in migrated
        }
    orm = {name: {c.name for c in table.columns} for name, table in SQLModel.metadata.tables.items()}
    orm_indexes = {
        name: {(i.name, tuple(c.name for c in i.columns)) for i in table.indexes}
        for name, table in SQLModel.metadata.tables.items()
    }
    assert migrated == orm
    assert migrated_indexes == orm_indexes


def _same_unless_both_text(context, inspected_column, metadata_column, inspected_type, metadata_type):  # type: ignore[no-untyped-def]
    """TEXT in a migration and an unbounded ``str`` in the ORM are the same column;
    a bounded ``str`` must keep its length. Anything else Alembic compares."""
    declared = metadata_type.impl_instance if isinstance(metadata_type, TypeDecorator) else metadata_type
    if isinstance(inspected_type, String) and isinstance(declared, String):
        return declared.length is not None and inspected_type.length != declared.length
    return None


def test_autogenerate_finds_no_difference_between_orm_and_migrations(empty_db: Database) -> None:
    with empty_db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={
            "compare_type": _same_unless_both_text,
            "include_name": lambda name, kind, parent: not (kind == "table" and is_fts(name or "")),
        })
        diffs = compare_metadata(context, SQLModel.metadata)
    assert diffs == []


def test_fts_tables_accept_the_search_module_rows(empty_db: Database) -> None:
    with empty_db.session() as session:
        search.index_script(session, 1, owner_id=None, title="退款说明", phrases=["钱什么时候到账"],
                            bodies=["您好"], tags=["退款"])
        found = session.execute(text("SELECT rowid FROM script_fts WHERE script_fts MATCH '\"到账\"'"))
        assert found.all() == []  # two characters: trigram needs three
        assert session.execute(text(
            "SELECT rowid FROM script_gram WHERE script_gram MATCH '\"到账\"'")).scalar_one() == 1


# ── upgrading a real file from the first schema ─────────────────────────────


FIRST_SCHEMA_ROWS = [
    ("INSERT INTO user (id, login, display_name, role, team, created_at) VALUES "
     "(1, 'oldlead', 'Old Lead', 'lead', 'default', '2026-01-02 03:04:05.000000'), "
     "(2, 'oldagent', 'Old Agent', 'agent', 'default', '2026-01-02 03:04:05.000000')"),
    ("INSERT INTO scenario (id, key, language, category, title, level, tags, situation, reasons, "
     "concerns, phrases, guidance, never, active, version, created_at, updated_at, updated_by) VALUES "
     "(1, 'old-refund', 'zh_CN', '售后/退款', '老数据退款', 'all', :tags, '老处境', '[]', '[]', :phrases, "
     "'老指引', '[]', 1, 3, '2026-01-02 03:04:05.000000', '2026-01-02 03:04:05.000000', 1)"),
    ("INSERT INTO script (id, scenario_id, owner_id, title, shortcut, default_style, pinyin, initials, "
     "active, version, created_at, updated_at, updated_by) VALUES "
     "(1, 1, NULL, '退款到账', 'old1', 'caring', 'tuikuandaozhang', 'tkdz', 1, 2, "
     "'2026-01-02 03:04:05.000000', '2026-01-02 03:04:05.000000', 1), "
     "(2, 1, 2, '我的老话术', 'mine1', 'standard', 'wodelaohuashu', 'wdlhs', 1, 1, "
     "'2026-01-02 03:04:05.000000', '2026-01-02 03:04:05.000000', 2)"),
    ("INSERT INTO script_variant (id, script_id, style, position, body) VALUES "
     "(1, 1, 'standard', 0, '您好，款项三个工作日内到账。'), (2, 1, 'caring', 1, '亲，别担心～'), "
     "(3, 2, 'standard', 0, '只属于我的旧话术')"),
    ("INSERT INTO forbidden_term (id, term, term_key, reason, alternative, language, active, version, "
     "updated_at, updated_by) VALUES (1, '不知道', '不知道', '不专业', '我帮您确认', 'zh_CN', 1, 1, "
     "'2026-01-02 03:04:05.000000', 1)"),
    "INSERT INTO placeholder_label (name, language, label) VALUES ('order_no', 'zh_CN', '订单号')",
    ("INSERT INTO script_usage (id, script_id, user_id, style, used_at) VALUES "
     "(1, 1, 2, 'caring', '2026-01-02 03:04:05.000000')"),
    ("INSERT INTO script_usage_stat (user_id, script_id, uses, last_used) VALUES "
     "(2, 1, 7, '2026-01-02 03:04:05.000000')"),
    "INSERT INTO meta (key, value) VALUES ('starter_loaded', '2026-01-02T03:04:05+00:00')",
    ("INSERT INTO script_fts (rowid, title, phrases, body, tags, owner) VALUES "
     "(1, '退款到账', '钱呢', '您好，款项三个工作日内到账。', '退款', 0), "
     "(2, '我的老话术', '', '只属于我的旧话术', '', 2)"),
    ("INSERT INTO script_gram (rowid, grams, owner) VALUES "
     "(1, :grams1, 0), (2, :grams2, 2)"),
]


@pytest.fixture
def first_schema_file(db_path: Path) -> Path:
    """A database file as revision 0001 left it, with a row in every table."""
    db = Database(db_path)
    with db.engine.begin() as conn:
        upgrade(conn, "0001")
        assert current_revision(conn) == "0001"
        params = {
            "tags": json.dumps(["退款"], ensure_ascii=False),
            "phrases": json.dumps(["钱呢"], ensure_ascii=False),
            "grams1": search.bigrams("退款到账 钱呢 您好，款项三个工作日内到账。 退款"),
            "grams2": search.bigrams("我的老话术 只属于我的旧话术"),
        }
        for statement in FIRST_SCHEMA_ROWS:
            conn.execute(text(statement), {k: v for k, v in params.items() if f":{k}" in statement})
    db.dispose()
    return db_path


def test_upgrading_from_the_first_schema_keeps_every_row(first_schema_file: Path) -> None:
    db = Database(first_schema_file)
    try:
        assert db.ensure_schema() is False  # existing database: upgraded, not created
        with db.engine.connect() as conn:
            assert current_revision(conn) == SCHEMA_HEAD
        with db.session() as session:
            assert [u.login for u in session.exec(select(User).order_by(User.id))] == ["oldlead", "oldagent"]
            scenario = session.get(Scenario, 1)
            assert (scenario.key, scenario.tags, scenario.phrases, scenario.version) == (
                "old-refund", ["退款"], ["钱呢"], 3)
            assert session.get(Script, 1).shortcut == "old1"
            assert session.get(ForbiddenTerm, 1).term == "不知道"
            assert session.get(ScriptUsageStat, (2, 1)).uses == 7
    finally:
        db.dispose()


def test_upgraded_database_works_with_the_current_services(first_schema_file: Path) -> None:
    db = Database(first_schema_file)
    try:
        db.ensure_schema()
        with db.session() as session:
            lead = users.identify(session, "oldlead")
            agent = users.identify(session, "oldagent")
            assert lead.is_lead and not agent.is_lead
            detail = scripts.get_script(session, agent, 1)
            assert detail.variants == {"standard": "您好，款项三个工作日内到账。", "caring": "亲，别担心～"}
            assert detail.default_style == "caring" and detail.version == 2
            assert [h.shortcut for h in scripts.search(session, agent, "tk")] == ["old1"]
            assert [h.shortcut for h in scripts.search(session, agent, "三个工作日")] == ["old1"]
            assert [h.shortcut for h in scripts.search(session, agent, "旧话术")] == ["mine1"]
            assert scripts.search(session, lead, "旧话术") == []
            assert [h.term for h in lint.lint_text(session, "我不知道")] == ["不知道"]
            updated = scripts.update_script(
                session, lead, 1,
                scripts.ScriptDraft(1, "退款到账", "old1", {"standard": "新正文"}), expected_version=2)
            assert updated.version == 3
    finally:
        db.dispose()


def test_a_database_made_before_transfers_gets_the_starter_templates_once(
        first_schema_file: Path) -> None:
    from cscterm.config import Config
    from cscterm.db.models import ChecklistTemplate, ChecklistTemplateVersion
    from cscterm.services.workspace import open_workspace

    config = Config(db_path=first_schema_file, lang="en", login="oldagent")
    for _ in range(2):
        workspace = open_workspace(config)
        try:
            with workspace.session() as session:
                keys = sorted(session.exec(select(ChecklistTemplate.key)).all())
                versions = session.exec(select(ChecklistTemplateVersion)).all()
        finally:
            workspace.close()
        assert keys == ["install_repair", "invoice", "logistics", "quality", "refund", "vip_risk"]
        assert len(versions) == 6  # the second start adds nothing
