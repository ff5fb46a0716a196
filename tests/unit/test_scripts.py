"""services/scripts.py: searching, browsing, writing and using scripts.

Search and browse run against a small pack written here (not the starter
library), so every expected order is known exactly.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import Session, select

from cscterm.db.engine import Database
from cscterm.db.models import Scenario, Script, ScriptUsage, ScriptUsageStat, utcnow
from sqlalchemy import text

from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.services import io, scripts, users
from cscterm.services.scripts import ScriptDraft
from cscterm.services.users import Actor

PACK = """\
format: cscterm-library/1
language: zh_CN
scenarios:
  - key: refund-unshipped
    category: 售后/退款/未发货
    title: 未发货退款
    tags: [退款]
    situation: 货还没发，客户想退款
    phrases: [钱什么时候到账]
    scripts:
      - shortcut: rf1
        title: 退款到账时间
        styles:
          standard: 您好，款项预计三个工作日内原路退回。
          caring: 亲，别着急～{{amount|款项}}很快就到。
      - shortcut: rf2
        title: 退款进度查询
        styles:
          standard: 我帮您查一下，请稍等片刻。
      - shortcut: rf3
        title: 同意退款
        styles:
          standard: 已同意您的申请。
  - key: logistics-stuck
    category: 物流/停滞
    title: 快递停滞不动
    situation: 物流好几天没更新
    scripts:
      - shortcut: wl1
        title: 快递停滞安抚
        styles:
          standard: 包裹在中转站耽搁了，我已联系快递加急处理，请放心喵
  - key: service-review
    category: 售后服务
    title: 服务评价邀请
    situation: 问题解决后
    scripts:
      - shortcut: pj1
        styles:
          standard: 麻烦您给个评价。
  - key: en-refund
    category: Refunds/Before shipping
    title: Refund before shipping
    situation: The order has not shipped yet.
    scripts:
      - shortcut: refund
        styles:
          standard: Your refund has been submitted; the money returns in 3 working days.
      - shortcut: rb2
        title: Refund timing
        styles:
          standard: Refunds usually arrive within a week.
"""


@dataclass
class Library:
    db: Database
    lead: Actor
    agent: Actor
    agent2: Actor
    ids: dict[str, int]  # shortcut → script id
    scenarios: dict[str, int]  # key → scenario id

    def search(self, viewer: Actor, query: str, **kwargs: int) -> list[scripts.ScriptHit]:
        with self.db.session() as session:
            return scripts.search(session, viewer, query, **kwargs)

    def shortcuts(self, viewer: Actor, query: str, **kwargs: int) -> list[str]:
        return [hit.shortcut for hit in self.search(viewer, query, **kwargs)]

    def tiers(self, viewer: Actor, query: str) -> list[tuple[str, int]]:
        return [(hit.shortcut, hit.tier) for hit in self.search(viewer, query)]


@pytest.fixture(scope="module")
def library_template(tmp_path_factory: pytest.TempPathFactory, schema_template: Path) -> Path:
    """The pack imported once into a copy of the empty schema; tests copy it."""
    folder = tmp_path_factory.mktemp("library")
    path = folder / "library.db"
    shutil.copy(schema_template, path)
    pack = folder / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    db = Database(path)
    with db.session() as session:
        lead = users.identify(session, "lead1")
        users.identify(session, "agent1")
        users.identify(session, "agent2")
        io.import_files(session, lead, [pack])
    db.dispose()
    assert not Path(f"{path}-wal").exists(), "the last connection checkpoints the WAL"
    return path


@pytest.fixture
def library(library_template: Path, db_path: Path) -> Iterator[Library]:
    shutil.copy(library_template, db_path)
    db = Database(db_path)
    with db.session() as session:
        lead, agent, agent2 = (users.identify(session, name) for name in ("lead1", "agent1", "agent2"))
        ids = {row.shortcut: row.id for row in session.exec(select(Script))}
        scens = {row.key: row.id for row in session.exec(select(Scenario))}
    yield Library(db, lead, agent, agent2, ids, scens)
    db.dispose()


def draft(library: Library, shortcut: str, title: str = "我的话术", body: str = "我的正文内容",
          scenario: str = "refund-unshipped", **variants: str) -> ScriptDraft:
    return ScriptDraft(library.scenarios[scenario], title, shortcut, variants or {"standard": body})


def create(library: Library, actor: Actor, shortcut: str, *, team: bool = False, **kwargs: str
           ) -> scripts.ScriptDetail:
    with library.db.session() as session:
        return scripts.create_script(session, actor, draft(library, shortcut, **kwargs), team=team)


def use(library: Library, actor: Actor, shortcut: str, times: int = 1) -> None:
    for _ in range(times):
        with library.db.session() as session:
            scripts.record_use(session, actor, library.ids[shortcut], "standard")


# ── search tiers ────────────────────────────────────────────────────────────


def test_exact_shortcut_comes_first(library: Library) -> None:
    assert library.tiers(library.lead, "refund")[:2] == [("refund", 0), ("rb2", 2)]


def test_exact_shortcut_with_leading_slash_searches_only_shortcuts(library: Library) -> None:
    assert library.tiers(library.lead, "/refund") == [("refund", 0)]
    assert library.tiers(library.lead, "/RB2") == [("rb2", 0)]


def test_slash_prefix_lists_shortcuts_starting_with_it_in_shortcut_order(library: Library) -> None:
    assert library.tiers(library.lead, "/rf") == [("rf1", 1), ("rf2", 1), ("rf3", 1)]
    for n in (10, 4):
        create(library, library.lead, f"rf{n}", team=True, title=f"别的话术{n}")
    assert library.shortcuts(library.lead, "/rf") == ["rf1", "rf10", "rf2", "rf3", "rf4"]


def test_slash_query_finds_a_shortcut_substring_last(library: Library) -> None:
    assert library.tiers(library.lead, "/f") == [("refund", 4), ("rf3", 4), ("rf2", 4), ("rf1", 4)]


def test_exact_shortcut_beats_a_shortcut_prefix(library: Library) -> None:
    create(library, library.lead, "rf", team=True, title="别的话术")
    assert library.shortcuts(library.lead, "/rf")[0] == "rf"


def test_title_prefix_ranks_before_full_text(library: Library) -> None:
    # 退款到账时间 sorts before 退款进度查询 (到 U+5230 < 进 U+8FDB)
    assert library.tiers(library.lead, "退款") == [("rf1", 1), ("rf2", 1), ("rf3", 3)]
    assert library.tiers(library.lead, "Refund t") == [("rb2", 1), ("refund", 3)]


def test_pinyin_initials_prefix_finds_titles_and_initials_substring_comes_last(library: Library) -> None:
    # 退款到账时间 → tkdzsj, 退款进度查询 → tkjdcx, 同意退款 → tytk (substring only)
    assert library.tiers(library.lead, "tk") == [("rf1", 2), ("rf2", 2), ("rf3", 4)]
    assert library.tiers(library.lead, "TKJ") == [("rf2", 2)]


def test_full_pinyin_prefix_finds_titles(library: Library) -> None:
    assert library.tiers(library.lead, "tuikuan") == [("rf1", 2), ("rf2", 2), ("rf3", 4)]
    assert library.tiers(library.lead, "tuikuan jin") == [("rf2", 2)]


def test_english_title_words_count_as_pinyin(library: Library) -> None:
    assert library.tiers(library.lead, "rbs") == [("refund", 2)]
    assert library.tiers(library.lead, "refundti") == [("rb2", 2)]


def test_three_or_more_cjk_characters_in_a_body_match_by_trigram(library: Library) -> None:
    assert library.tiers(library.lead, "中转站") == [("wl1", 3)]
    assert library.tiers(library.lead, "三个工作日") == [("rf1", 3)]


def test_english_words_in_a_body_match_by_trigram(library: Library) -> None:
    assert library.tiers(library.lead, "working days") == [("refund", 3)]
    assert library.tiers(library.lead, "within week") == [("rb2", 3)]


def test_two_cjk_characters_in_a_body_match_by_bigram(library: Library) -> None:
    assert library.tiers(library.lead, "加急") == [("wl1", 3)]
    assert library.tiers(library.lead, "稍等") == [("rf2", 3)]


def test_one_cjk_character_matches_even_at_the_end_of_a_text(library: Library) -> None:
    assert library.tiers(library.lead, "喵") == [("wl1", 3)]
    assert library.tiers(library.lead, "耽") == [("wl1", 3)]


def test_scenario_phrases_and_tags_are_searchable(library: Library) -> None:
    assert set(library.shortcuts(library.lead, "什么时候到账")) == {"rf1", "rf2", "rf3"}


def test_no_match_returns_nothing(library: Library) -> None:
    assert library.search(library.lead, "zzzzqqq") == []
    assert library.search(library.lead, "鳄鱼皮") == []


@pytest.mark.parametrize("query", ["", "   ", "/", " / "])
def test_empty_query_returns_nothing(library: Library, query: str) -> None:
    assert library.search(library.lead, query) == []


@pytest.mark.parametrize("query", ['"', "AND", "NEAR(", "a*", "-x", "'; DROP TABLE script; --", "%", "_"])
def test_query_syntax_characters_are_searched_literally(library: Library, query: str) -> None:
    library.search(library.lead, query)  # must not raise
    assert library.search(library.lead, "rf1")[0].shortcut == "rf1"


def test_hit_carries_what_a_result_row_shows(library: Library) -> None:
    (hit,) = library.search(library.lead, "/rf1")
    assert hit.id == library.ids["rf1"]
    assert (hit.title, hit.category, hit.scenario_title) == ("退款到账时间", "售后/退款/未发货", "未发货退款")
    assert hit.styles == ("standard", "caring") and hit.default_style == "standard"
    assert hit.first_line == "您好，款项预计三个工作日内原路退回。"
    assert not hit.personal and hit.language == "zh_CN"


# ── ranking by the viewer's own usage ───────────────────────────────────────


def test_my_usage_puts_a_script_first_among_equals(library: Library) -> None:
    assert library.shortcuts(library.agent, "tk") == ["rf1", "rf2", "rf3"]
    use(library, library.agent, "rf2")
    assert library.shortcuts(library.agent, "tk") == ["rf2", "rf1", "rf3"]


def test_more_uses_rank_higher_among_used_scripts(library: Library) -> None:
    use(library, library.agent, "rf1", 1)
    use(library, library.agent, "rf2", 2)
    assert library.shortcuts(library.agent, "/rf") == ["rf2", "rf1", "rf3"]
    use(library, library.agent, "rf1", 2)
    assert library.shortcuts(library.agent, "/rf") == ["rf1", "rf2", "rf3"]


def test_usage_does_not_lift_a_script_out_of_its_tier(library: Library) -> None:
    use(library, library.agent, "rf3", 5)
    assert library.tiers(library.agent, "tk") == [("rf1", 2), ("rf2", 2), ("rf3", 4)]


def test_another_users_usage_does_not_change_my_order(library: Library) -> None:
    use(library, library.agent2, "rf2", 3)
    assert library.shortcuts(library.agent2, "tk")[0] == "rf2"
    assert library.shortcuts(library.agent, "tk") == ["rf1", "rf2", "rf3"]
    assert library.shortcuts(library.lead, "tk") == ["rf1", "rf2", "rf3"]


def test_my_usage_ranks_full_text_hits(library: Library) -> None:
    assert library.shortcuts(library.agent, "什么时候到账") == ["rf3", "rf2", "rf1"]
    use(library, library.agent, "rf1")
    assert library.shortcuts(library.agent, "什么时候到账") == ["rf1", "rf3", "rf2"]


# ── paging ──────────────────────────────────────────────────────────────────


def test_pages_are_disjoint_and_add_up_to_the_whole_list(library: Library) -> None:
    for n in range(23):
        create(library, library.lead, f"tm{n}", team=True, title=f"退款模板{n}")
    use(library, library.agent, "rf3")
    whole = [h.id for h in library.search(library.agent, "退款", limit=200)]
    assert len(whole) == len(set(whole)) == 26
    pages = [
        [h.id for h in library.search(library.agent, "退款", limit=5, offset=offset)]
        for offset in range(0, 30, 5)
    ]
    assert [len(p) for p in pages] == [5, 5, 5, 5, 5, 1]
    flat = [sid for page in pages for sid in page]
    assert flat == whole
    assert library.search(library.agent, "退款", limit=5, offset=100) == []


def test_limit_caps_the_number_of_hits(library: Library) -> None:
    assert len(library.search(library.lead, "tk", limit=2)) == 2


# ── visibility ──────────────────────────────────────────────────────────────


def test_personal_script_is_visible_only_to_its_owner(library: Library) -> None:
    mine = create(library, library.agent, "my1", title="我的退款话术", body="只给自己看的独门秘籍")
    assert mine.personal and mine.owner_id == library.agent.id and mine.owner_name == "agent1"
    for query in ("/my1", "独门秘籍", "wdtk", "我的退款"):
        assert library.shortcuts(library.agent, query)[0] == "my1", query
        assert "my1" not in library.shortcuts(library.agent2, query), query
        assert "my1" not in library.shortcuts(library.lead, query), query
    with library.db.session() as session:
        assert scripts.get_script(session, library.agent, mine.id).id == mine.id
        for other in (library.agent2, library.lead):
            with pytest.raises(NotFound):
                scripts.get_script(session, other, mine.id)
            assert mine.id not in [h.id for h in scripts.browse(session, other, limit=500)]
        assert mine.id in [h.id for h in scripts.browse(session, library.agent, limit=500)]


def test_personal_script_hit_is_marked_personal(library: Library) -> None:
    create(library, library.agent, "my1")
    (hit,) = library.search(library.agent, "/my1")
    assert hit.personal


def test_retired_script_vanishes_from_search_browse_and_reading(library: Library) -> None:
    sid = library.ids["rf2"]
    with library.db.session() as session:
        scripts.retire_script(session, library.lead, sid, expected_version=1)
    for query in ("tk", "/rf2", "稍等", "稍等片刻", "退款进度"):
        assert "rf2" not in library.shortcuts(library.lead, query), query
    with library.db.session() as session:
        with pytest.raises(NotFound):
            scripts.get_script(session, library.lead, sid)
        assert sid not in [h.id for h in scripts.browse(session, library.lead, limit=500)]
        with pytest.raises(NotFound):
            scripts.record_use(session, library.lead, sid, "standard")


def test_unknown_script_id_is_not_found(library: Library) -> None:
    with pytest.raises(NotFound) as caught, library.db.session() as session:
        scripts.get_script(session, library.lead, 999_999)
    assert "999999" in str(caught.value)


# ── browsing ────────────────────────────────────────────────────────────────


def browse(library: Library, viewer: Actor, **kwargs: object) -> list[scripts.ScriptHit]:
    with library.db.session() as session:
        return scripts.browse(session, viewer, **kwargs)  # type: ignore[arg-type]


def test_browse_a_category_includes_its_sub_categories(library: Library) -> None:
    assert {h.shortcut for h in browse(library, library.lead, category="售后")} == {"rf1", "rf2", "rf3"}
    assert {h.shortcut for h in browse(library, library.lead, category="售后/退款")} == {"rf1", "rf2", "rf3"}
    assert {h.shortcut for h in browse(library, library.lead, category="售后服务")} == {"pj1"}
    assert [h.shortcut for h in browse(library, library.lead, category="物流/停滞")] == ["wl1"]
    assert browse(library, library.lead, category="物流/停") == []


def test_browse_orders_by_category_then_title(library: Library) -> None:
    hits = browse(library, library.lead)
    keys = [(h.category, h.title) for h in hits]
    assert keys == sorted(keys)
    assert all(h.tier == 9 for h in hits)


def test_browse_puts_the_given_language_first(library: Library) -> None:
    hits = browse(library, library.lead, language="en")
    assert [h.shortcut for h in hits[:2]] == ["refund", "rb2"]
    assert {h.language for h in hits[2:]} == {"zh_CN"}


@pytest.mark.parametrize("language", [None, "en", "zh_CN"])
def test_browse_pages_with_after_without_gaps_or_repeats(library: Library, language: str | None) -> None:
    for n in range(7):
        create(library, library.lead, f"tm{n}", team=True, title=f"退款模板{n}")
    whole = [h.id for h in browse(library, library.lead, language=language, limit=500)]
    pages: list[int] = []
    after = None
    while True:
        page = browse(library, library.lead, language=language, limit=3, after=after)
        if not page:
            break
        assert len(page) <= 3
        pages.extend(h.id for h in page)
        after = page[-1]
    assert pages == whole
    assert len(whole) == len(set(whole)) == 14


def test_categories_count_visible_scripts_at_every_level(library: Library) -> None:
    create(library, library.agent, "my1")
    with library.db.session() as session:
        mine = {c.path: c for c in scripts.categories(session, library.agent)}
        theirs = {c.path: c.count for c in scripts.categories(session, library.agent2)}
    assert theirs == {
        "Refunds": 2, "Refunds/Before shipping": 2, "售后": 3, "售后/退款": 3,
        "售后/退款/未发货": 3, "售后服务": 1, "物流": 1, "物流/停滞": 1,
    }
    assert mine["售后/退款/未发货"].count == 4 and mine["售后"].count == 4
    leaf = mine["售后/退款/未发货"]
    assert (leaf.name, leaf.depth) == ("未发货", 2)
    assert (mine["售后"].name, mine["售后"].depth) == ("售后", 0)
    assert list(mine) == sorted(mine)


def test_list_and_get_scenarios(library: Library) -> None:
    with library.db.session() as session:
        cards = scripts.list_scenarios(session)
        card = scripts.get_scenario(session, library.scenarios["refund-unshipped"])
        with pytest.raises(NotFound):
            scripts.get_scenario(session, 999_999)
    assert {c.key for c in cards} == set(library.scenarios)
    assert (card.title, card.tags, card.phrases) == ("未发货退款", ("退款",), ("钱什么时候到账",))


# ── writing: who may do what ────────────────────────────────────────────────


def test_agent_creates_a_personal_script(library: Library) -> None:
    detail = create(library, library.agent, "/My1", title="  我的话术 ", body="\n第一行\n第二行  \n\n")
    assert detail.shortcut == "my1" and detail.title == "我的话术"
    assert detail.variants == {"standard": "第一行\n第二行"}
    assert detail.version == 1 and detail.owner_id == library.agent.id


def test_agent_cannot_create_a_team_script(library: Library) -> None:
    with pytest.raises(NotAllowed):
        create(library, library.agent, "team1", team=True)
    assert library.search(library.lead, "/team1") == []


def test_lead_creates_a_team_script_everyone_sees(library: Library) -> None:
    detail = create(library, library.lead, "team1", team=True)
    assert not detail.personal
    assert library.shortcuts(library.agent, "/team1") == ["team1"]


def update(library: Library, actor: Actor, script: str | int, *, version: int = 1,
           shortcut: str | None = None, **kwargs: str) -> scripts.ScriptDetail:
    """Save a draft over ``script`` (a pack shortcut or an id) as ``actor``."""
    sid = library.ids[script] if isinstance(script, str) else script
    if shortcut is None:
        shortcut = script if isinstance(script, str) else "x"
    with library.db.session() as session:
        return scripts.update_script(session, actor, sid, draft(library, shortcut, **kwargs),
                                     expected_version=version)


def test_agent_cannot_edit_or_retire_a_team_script(library: Library) -> None:
    with pytest.raises(NotAllowed):
        update(library, library.agent, "rf1", title="改掉")
    with pytest.raises(NotAllowed), library.db.session() as session:
        scripts.retire_script(session, library.agent, library.ids["rf1"], expected_version=1)
    assert library.search(library.agent, "/rf1")[0].title == "退款到账时间"


def test_lead_edits_a_team_script(library: Library) -> None:
    detail = update(library, library.lead, "rf1", title="退款到账说明", body="新的正文")
    assert detail.title == "退款到账说明" and detail.variants == {"standard": "新的正文"}
    assert detail.version == 2


def test_agent_edits_their_own_personal_script(library: Library) -> None:
    mine = create(library, library.agent, "my1")
    changed = update(library, library.agent, mine.id, shortcut="my1", title="改过的标题")
    assert changed.title == "改过的标题" and changed.version == 2


def test_agent_cannot_see_or_edit_another_agents_personal_script(library: Library) -> None:
    theirs = create(library, library.agent2, "their1")
    with pytest.raises(NotFound):
        update(library, library.agent, theirs.id, shortcut="their1", title="偷改")
    with pytest.raises(NotFound), library.db.session() as session:
        scripts.retire_script(session, library.agent, theirs.id, expected_version=1)


def test_lead_cannot_edit_an_agents_personal_script(library: Library) -> None:
    theirs = create(library, library.agent2, "their1")
    with pytest.raises(NotAllowed) as caught:
        update(library, library.lead, theirs.id, shortcut="their1", title="偷改")
    assert "agent2" in str(caught.value)


def test_script_for_an_unknown_scenario_is_not_found(library: Library) -> None:
    with pytest.raises(NotFound), library.db.session() as session:
        scripts.create_script(session, library.agent, ScriptDraft(999_999, "t", "s1", {"standard": "x"}))


# ── writing: shortcuts ──────────────────────────────────────────────────────


def test_team_shortcut_taken_by_a_team_script_is_a_conflict(library: Library) -> None:
    with pytest.raises(Conflict) as caught:
        create(library, library.lead, "rf1", team=True)
    assert "/rf1" in str(caught.value) and "退款到账时间" in str(caught.value)


def test_personal_shortcut_taken_by_a_team_script_is_a_conflict(library: Library) -> None:
    with pytest.raises(Conflict):
        create(library, library.agent, "/RF1")


def test_personal_shortcut_taken_by_my_own_script_is_a_conflict(library: Library) -> None:
    create(library, library.agent, "my1")
    with pytest.raises(Conflict):
        create(library, library.agent, "my1", title="另一条")


def test_two_agents_may_each_have_the_same_personal_shortcut(library: Library) -> None:
    a = create(library, library.agent, "my1", body="甲的正文")
    b = create(library, library.agent2, "my1", body="乙的正文")
    assert a.id != b.id
    assert [h.id for h in library.search(library.agent, "/my1")] == [a.id]
    assert [h.id for h in library.search(library.agent2, "/my1")] == [b.id]


def test_changing_a_shortcut_to_a_taken_one_is_a_conflict(library: Library) -> None:
    with pytest.raises(Conflict):
        update(library, library.lead, "rf2", shortcut="rf1", title="退款进度查询")


def test_a_retired_scripts_shortcut_may_be_reused(library: Library) -> None:
    with library.db.session() as session:
        scripts.retire_script(session, library.lead, library.ids["rf1"], expected_version=1)
    reused = create(library, library.lead, "rf1", team=True, title="新的话术")
    assert library.shortcuts(library.lead, "/rf1") == ["rf1"]
    assert library.search(library.lead, "/rf1")[0].id == reused.id


# ── writing: validation ─────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "  "}, "Title is required."),
        ({"title": "长" * 121}, "Title is too long (121 characters; at most 120)."),
        ({"shortcut": " / "}, "Shortcut is required."),
        ({"shortcut": "tk 1!"}, "Shortcut “tk 1!” may only contain letters, digits, _ and - (at most 32)."),
        ({"shortcut": "退款"}, "Shortcut “退款” may only contain"),
        ({"shortcut": "x" * 33}, "Shortcut “" + "x" * 33 + "” may only contain"),
        ({"variants": {"formal": "Dear sir"}}, "Unknown style “formal”; use one of: standard, caring"),
        ({"variants": {"standard": " \n ", "caring": ""}}, "A script needs at least one style with text."),
        ({"variants": {}}, "A script needs at least one style with text."),
        ({"variants": {"standard": "x" * 4001}}, "Text (standard) is too long (4001 characters; at most 4000)."),
        ({"variants": {"caring": "Hi {{Order No}}"}},
         "Text (caring): “{{Order No}}” is not a valid placeholder; write {{name}} or {{name|default}}."),
        ({"variants": {"standard": "ok", "cute": "{{}}"}}, "Text (cute): “{{}}” is not a valid placeholder"),
    ],
)
def test_invalid_draft_is_refused_with_a_message_naming_the_field(library: Library, changes, message) -> None:
    base = {"scenario_id": library.scenarios["refund-unshipped"], "title": "标题", "shortcut": "ok1",
            "variants": {"standard": "正文"}}
    base.update(changes)
    with pytest.raises(Invalid) as caught, library.db.session() as session:
        scripts.create_script(session, library.agent, ScriptDraft(**base))
    assert str(caught.value).startswith(message)
    assert library.search(library.agent, "/ok1") == []


def test_longest_allowed_fields_are_accepted(library: Library) -> None:
    detail = create(library, library.agent, "x" * 32, title="长" * 120, body="y" * 4000)
    assert len(detail.shortcut) == 32 and len(detail.title) == 120
    assert len(detail.variants["standard"]) == 4000


def test_styles_are_kept_in_canonical_order_and_blank_ones_dropped(library: Library) -> None:
    detail = create(library, library.agent, "my1",
                    humorous="哈哈", standard="标准", caring="  ", cute="萌")
    assert detail.styles == ("standard", "cute", "humorous")


def test_default_style_falls_back_to_the_first_style_with_text(library: Library) -> None:
    with library.db.session() as session:
        detail = scripts.create_script(session, library.agent, ScriptDraft(
            library.scenarios["refund-unshipped"], "t", "my1", {"cute": "萌", "casual": "兄弟"}, "caring"))
        chosen = scripts.create_script(session, library.agent, ScriptDraft(
            library.scenarios["refund-unshipped"], "t", "my2", {"cute": "萌", "casual": "兄弟"}, "casual"))
    assert detail.default_style == "cute"
    assert chosen.default_style == "casual"


# ── optimistic versioning ───────────────────────────────────────────────────


def test_update_bumps_the_version_each_time(library: Library) -> None:
    first = update(library, library.lead, "rf1", version=1, title="一改")
    second = update(library, library.lead, "rf1", version=first.version, title="二改")
    assert (first.version, second.version) == (2, 3)


def test_second_save_based_on_the_same_version_is_a_conflict_and_the_first_is_kept(library: Library) -> None:
    sid = library.ids["rf1"]
    with library.db.session() as session:
        lead2 = users.set_role(session, library.lead, "agent2", "lead")
    with library.db.session() as session:
        seen_by_lead = scripts.get_script(session, library.lead, sid)
    with library.db.session() as session:
        seen_by_lead2 = scripts.get_script(session, lead2, sid)
    assert seen_by_lead.version == seen_by_lead2.version == 1

    update(library, library.lead, "rf1", version=seen_by_lead.version, title="先保存的", body="第一份修改")
    with pytest.raises(Conflict) as caught:
        update(library, lead2, "rf1", version=seen_by_lead2.version, title="后保存的", body="第二份修改")
    message = str(caught.value)
    assert "lead1" in message and "version 2" in message and "version 1" in message

    with library.db.session() as session:
        kept = scripts.get_script(session, library.agent, sid)
    assert (kept.title, kept.variants, kept.version) == ("先保存的", {"standard": "第一份修改"}, 2)
    assert library.shortcuts(library.agent, "第二份修改") == []


def test_interleaved_open_sessions_get_a_conflict_not_a_lock_error(library: Library) -> None:
    sid = library.ids["rf1"]
    slow = Session(library.db.engine, expire_on_commit=False)
    try:
        base = scripts.get_script(slow, library.lead, sid)  # read, session kept open
        update(library, library.lead, "rf1", version=base.version, body="第一份修改")
        with pytest.raises(Conflict):
            scripts.update_script(slow, library.lead, sid, draft(library, "rf1", body="第二份修改"),
                                  expected_version=base.version)
        slow.rollback()
    finally:
        slow.close()
    with library.db.session() as session:
        assert scripts.get_script(session, library.lead, sid).variants == {"standard": "第一份修改"}


def test_retire_on_a_stale_version_is_a_conflict(library: Library) -> None:
    update(library, library.lead, "rf1", version=1, title="一改")
    with pytest.raises(Conflict), library.db.session() as session:
        scripts.retire_script(session, library.lead, library.ids["rf1"], expected_version=1)
    assert library.shortcuts(library.lead, "/rf1") == ["rf1"]


def test_a_refused_update_changes_nothing(library: Library) -> None:
    with pytest.raises(Invalid):
        update(library, library.lead, "rf1", version=1, title="")
    with library.db.session() as session:
        detail = scripts.get_script(session, library.lead, library.ids["rf1"])
    assert detail.version == 1 and detail.title == "退款到账时间"


# ── the search index follows writes ─────────────────────────────────────────


def test_search_index_follows_an_update(library: Library) -> None:
    assert library.shortcuts(library.lead, "稍等片刻") == ["rf2"]
    update(library, library.lead, "rf2", title="加急处理", body="马上处理好")
    for old in ("稍等片刻", "稍等", "tkjd", "退款进度"):
        assert "rf2" not in library.shortcuts(library.lead, old), old
    for new in ("马上处理", "马上", "jjcl", "jiaji", "加急处理"):
        assert "rf2" in library.shortcuts(library.lead, new), new


def test_new_script_is_searchable_at_once(library: Library) -> None:
    create(library, library.lead, "nw1", team=True, title="缺货通知", body="这款暂时缺货，到货第一时间通知您")
    assert library.tiers(library.lead, "qhtz") == [("nw1", 2)]
    assert library.tiers(library.lead, "到货第一时间") == [("nw1", 3)]
    assert library.tiers(library.lead, "缺货通知") == [("nw1", 1)]


# ── usage ───────────────────────────────────────────────────────────────────


def test_record_use_logs_each_copy_and_counts_per_user(library: Library) -> None:
    use(library, library.agent, "rf1", 3)
    use(library, library.agent2, "rf1", 1)
    with library.db.session() as session:
        stat = session.get(ScriptUsageStat, (library.agent.id, library.ids["rf1"]))
        other = session.get(ScriptUsageStat, (library.agent2.id, library.ids["rf1"]))
        log = session.exec(select(ScriptUsage).where(ScriptUsage.user_id == library.agent.id)).all()
    assert stat.uses == 3 and other.uses == 1
    assert len(log) == 3 and {row.style for row in log} == {"standard"}


def test_uses_by_scenario_counts_copies_in_the_window(library: Library) -> None:
    before = utcnow() - timedelta(seconds=1)
    use(library, library.agent, "rf1", 2)
    use(library, library.agent, "rf2", 1)
    use(library, library.agent, "wl1", 1)
    use(library, library.agent2, "wl1", 5)
    after = utcnow() + timedelta(seconds=1)
    with library.db.session() as session:
        counts = scripts.uses_by_scenario(session, library.agent, before, after)
        earlier = scripts.uses_by_scenario(session, library.agent, before - timedelta(days=1), before)
    assert counts == {"未发货退款": 3, "快递停滞不动": 1}
    assert list(counts) == ["未发货退款", "快递停滞不动"]
    assert earlier == {}


def test_record_use_of_an_invisible_script_is_not_found(library: Library) -> None:
    theirs = create(library, library.agent2, "their1")
    with pytest.raises(NotFound), library.db.session() as session:
        scripts.record_use(session, library.agent, theirs.id, "standard")


# ── search keys ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("title", "keys"),
    [
        ("未发货申请退款", ("weifahuoshenqingtuikuan", "wfhsqtk")),
        ("Refund before shipping", ("refundbeforeshipping", "rbs")),
        ("退款 VIP 客户", ("tuikuanvipkehu", "tkvkh")),
        ("", ("", "")),
    ],
)
def test_search_keys_are_pinyin_and_initials(title: str, keys: tuple[str, str]) -> None:
    assert scripts.search_keys(title) == keys


def test_full_text_ranks_title_matches_before_newer_body_mentions(library: Library) -> None:
    # zz1 is the newest script and mentions 退款 only in its body; rf3 is about
    # 退款 (its title, 同意退款). Among full-text hits the title match wins.
    create(library, library.lead, "zz1", team=True, title="服务评价邀请", body="退款已处理，麻烦评价。",
           scenario="service-review")
    assert library.tiers(library.lead, "退款")[2:] == [("rf3", 3), ("zz1", 3)]
    assert library.tiers(library.lead, "已处理") == [("zz1", 3)]


def test_categories_put_the_given_language_first(library: Library) -> None:
    with library.db.session() as session:
        session.execute(text("UPDATE scenario SET language = 'en' WHERE key = 'en-refund'"))
    with library.db.session() as session:
        zh_first = [c.path for c in scripts.categories(session, library.lead, "zh_CN")]
        en_first = [c.path for c in scripts.categories(session, library.lead, "en")]
    assert en_first[0] == "Refunds" and zh_first[-2:] == ["Refunds", "Refunds/Before shipping"]
    assert sorted(zh_first) == sorted(en_first)
