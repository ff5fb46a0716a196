"""services/io.py: the starter library, pack imports and the bad-input corpus."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlmodel import func, select

from cscterm.db.models import ForbiddenTerm, Meta, PlaceholderLabel, Scenario, Script
from cscterm.errors import NotAllowed
from cscterm.services import io, render, scripts
from cscterm.services.lint import Linter, Term
from cscterm.text import one_line, printable

from .helpers import FAULTS, HOSTILE, Fault, fingerprint, row_count

STARTER = list(io.starter_files())
CONTROL = set(map(chr, [*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)]))


def count(session, model) -> int:  # type: ignore[no-untyped-def]
    return session.exec(select(func.count()).select_from(model)).one()


# ── the starter library ─────────────────────────────────────────────────────


@pytest.mark.parametrize("name", [name for _, name in STARTER])
def test_starter_file_parses_without_problems(name: str) -> None:
    path = dict((n, p) for p, n in STARTER)[name]
    pack, problems = io.parse(path, name)
    assert [str(p) for p in problems] == []
    assert pack is not None


def test_starter_has_library_and_forbidden_files_in_both_languages() -> None:
    names = [name for _, name in STARTER]
    for prefix in ("assets/library/zh_CN/", "assets/library/en/", "assets/forbidden/"):
        assert any(n.startswith(prefix) for n in names), prefix
    # forbidden terms load before the packs
    assert names.index(next(n for n in names if "forbidden" in n)) == 0


def test_new_workspace_loads_the_starter_library(workspace) -> None:
    assert workspace.created is False  # the copy of the template was already built
    with workspace.session() as session:
        assert session.get(Meta, "starter_loaded") is not None
        by_language = dict(session.exec(
            select(Scenario.language, func.count()).group_by(Scenario.language)).all())
    assert by_language.get("zh_CN", 0) >= 15, by_language
    assert by_language.get("en", 0) >= 15, by_language


def test_every_starter_script_has_at_least_two_styles(workspace) -> None:
    with workspace.session() as session:
        rows = session.execute(text(
            "SELECT s.shortcut, COUNT(v.id) FROM script s LEFT JOIN script_variant v ON v.script_id = s.id "
            "GROUP BY s.id HAVING COUNT(v.id) < 2")).all()
        total = count(session, Script)
    assert total > 0
    assert rows == [], f"scripts with fewer than two styles: {rows}"


def test_every_starter_script_has_a_non_empty_body_in_its_default_style(workspace) -> None:
    with workspace.session() as session:
        missing = session.execute(text(
            "SELECT s.shortcut FROM script s WHERE NOT EXISTS (SELECT 1 FROM script_variant v "
            "WHERE v.script_id = s.id AND v.style = s.default_style AND trim(v.body) != '')")).all()
    assert missing == []


def test_every_starter_forbidden_term_has_reason_and_alternative(workspace) -> None:
    with workspace.session() as session:
        terms = session.exec(select(ForbiddenTerm)).all()
    assert {t.language for t in terms} == {"zh_CN", "en"}
    incomplete = [t.term for t in terms if not t.reason.strip() or not t.alternative.strip()]
    assert incomplete == []


def test_no_starter_script_body_contains_a_forbidden_term_of_its_language(workspace) -> None:
    with workspace.session() as session:
        terms = session.exec(select(ForbiddenTerm).where(ForbiddenTerm.active)).all()
        linters = {
            language: Linter([Term(t.id, t.term, t.reason, t.alternative, t.language, t.version)
                              for t in terms if t.language == language])
            for language in ("zh_CN", "en")
        }
        rows = session.execute(text(
            "SELECT s.shortcut, v.style, v.body, c.language FROM script_variant v "
            "JOIN script s ON s.id = v.script_id JOIN scenario c ON c.id = s.scenario_id")).all()
    offenders = [
        f"/{shortcut} ({style}): “{hit.term}” line {hit.line}"
        for shortcut, style, body, language in rows
        for hit in linters[language].lint(body)
    ]
    assert len(rows) > 100
    assert offenders == []


def test_every_placeholder_in_the_starter_has_a_label_in_its_language(workspace) -> None:
    with workspace.session() as session:
        labels = {(p.name, p.language) for p in session.exec(select(PlaceholderLabel))}
        rows = session.execute(text(
            "SELECT s.shortcut, v.body, c.language FROM script_variant v "
            "JOIN script s ON s.id = v.script_id JOIN scenario c ON c.id = s.scenario_id")).all()
    unlabelled = sorted({
        (p.name, language) for _, body, language in rows for p in render.placeholders(body)
    } - labels)
    assert unlabelled == []


def test_starter_scripts_are_all_in_the_search_index(workspace) -> None:
    with workspace.session() as session:
        active = session.execute(text("SELECT COUNT(*) FROM script WHERE active")).scalar_one()
        indexed = session.execute(text("SELECT COUNT(*) FROM script_fts")).scalar_one()
        grams = session.execute(text("SELECT COUNT(*) FROM script_gram")).scalar_one()
    assert active == indexed == grams


def test_starter_library_loads_only_once(workspace) -> None:
    before = fingerprint(workspace.db.path)
    with workspace.session() as session:
        summary = io.load_starter(session)
    assert summary == io.ImportSummary()
    assert fingerprint(workspace.db.path) == before


# ── importing ───────────────────────────────────────────────────────────────


def test_reimporting_the_starter_packs_updates_instead_of_duplicating(workspace, lead) -> None:
    counts = {t: row_count(workspace.db.path, t) for t in
              ("scenario", "script", "script_variant", "forbidden_term", "script_fts", "script_gram")}
    with workspace.session() as session:
        version = session.exec(select(Script).where(Script.shortcut == "yj1")).one().version
        summary = io.import_files(session, lead, [p for p, _ in STARTER], [n for _, n in STARTER])
    assert summary.files == len(STARTER)
    assert (summary.scenarios_added, summary.scripts_added, summary.terms_added) == (0, 0, 0)
    assert summary.scenarios_updated == counts["scenario"]
    assert summary.scripts_updated == counts["script"]
    assert summary.terms_updated == counts["forbidden_term"]
    assert {t: row_count(workspace.db.path, t) for t in counts} == counts
    with workspace.session() as session:
        assert session.exec(select(Script).where(Script.shortcut == "yj1")).one().version == version + 1
        assert [h.shortcut for h in scripts.search(session, lead, "/yj1")] == ["yj1"]


PACK = """\
format: cscterm-library/1
language: en
placeholders:
  order_no: Order number
scenarios:
  - key: test-late
    category: Test/Late
    title: Parcel is late
    phrases: [where is my parcel]
    situation: The parcel has not arrived.
    scripts:
      - shortcut: test-late1
        styles:
          standard: BODY
          caring: Sorry about order {{order_no}}.
"""


def write_pack(folder: Path, body: str, name: str = "pack.yaml", *, shortcut: str = "test-late1",
               key: str = "test-late") -> Path:
    path = folder / name
    text = PACK.replace("BODY", body).replace("shortcut: test-late1", f"shortcut: {shortcut}")
    path.write_text(text.replace("key: test-late", f"key: {key}"), encoding="utf-8")
    return path


def test_import_adds_scenarios_scripts_and_labels(workspace, lead, tmp_path) -> None:
    pack = write_pack(tmp_path, "Your parcel is on the way.")
    with workspace.session() as session:
        summary = io.import_files(session, lead, [pack])
    assert (summary.files, summary.scenarios_added, summary.scripts_added) == (1, 1, 1)
    with workspace.session() as session:
        (hit,) = scripts.search(session, lead, "/test-late1")
        detail = scripts.get_script(session, lead, hit.id)
        labels = io.placeholder_labels(session, "en")
    assert detail.variants == {"standard": "Your parcel is on the way.", "caring": "Sorry about order {{order_no}}."}
    assert detail.default_style == "standard" and detail.title == "Parcel is late"
    assert detail.scenario.phrases == ("where is my parcel",)
    assert labels["order_no"] == "Order number"


def test_reimporting_an_edited_pack_updates_text_and_search(workspace, lead, tmp_path) -> None:
    with workspace.session() as session:
        io.import_files(session, lead, [write_pack(tmp_path, "Parcel delayed by snowstorm.")])
    with workspace.session() as session:
        summary = io.import_files(session, lead, [write_pack(tmp_path, "Parcel delayed by flooding.")])
    assert (summary.scripts_added, summary.scripts_updated) == (0, 1)
    with workspace.session() as session:
        assert scripts.search(session, lead, "snowstorm") == []
        (hit,) = scripts.search(session, lead, "flooding")
        assert hit.shortcut == "test-late1"
        assert session.exec(select(func.count()).select_from(Script).where(
            Script.shortcut == "test-late1")).one() == 1


def test_import_by_an_agent_is_not_allowed_and_writes_nothing(workspace, agent, tmp_path) -> None:
    before = fingerprint(workspace.db.path)
    with pytest.raises(NotAllowed) as caught, workspace.session() as session:
        io.import_files(session, agent, [write_pack(tmp_path, "Hello.")])
    assert "lead" in str(caught.value)
    assert fingerprint(workspace.db.path) == before


def test_one_bad_file_stops_the_whole_import(workspace, lead, tmp_path) -> None:
    good = write_pack(tmp_path, "Hello.", "good.yaml")
    before = fingerprint(workspace.db.path)
    with pytest.raises(io.ImportFailed) as caught, workspace.session() as session:
        io.import_files(session, lead, [good, corpus("missing_title.yaml")],
                        ["good.yaml", "missing_title.yaml"])
    assert [p.file for p in caught.value.problems] == ["missing_title.yaml"]
    assert fingerprint(workspace.db.path) == before


def test_the_same_shortcut_in_two_files_is_reported_against_the_second(workspace, lead, tmp_path) -> None:
    first = write_pack(tmp_path, "One.", "first.yaml", shortcut="test-twice")
    second = write_pack(tmp_path, "Two.", "second.yaml", shortcut="test-twice", key="test-other")
    with pytest.raises(io.ImportFailed) as caught, workspace.session() as session:
        io.import_files(session, lead, [first, second], ["first.yaml", "second.yaml"])
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.field) == ("second.yaml", 12, "shortcut")
    assert "also defined at first.yaml:12" in problem.message


def test_every_problem_of_a_file_is_reported_at_once(workspace, lead, tmp_path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text(
        "format: cscterm-library/1\nlanguage: xx\nscenarios:\n"
        "  - key: Bad Key\n    category: C\n    title: T\n    level: expert\n"
        "    situation: S\n    scripts:\n      - shortcut: ok-many\n        styles: {}\n",
        encoding="utf-8")
    with pytest.raises(io.ImportFailed) as caught, workspace.session() as session:
        io.import_files(session, lead, [path], ["many.yaml"])
    found = {(p.line, p.field) for p in caught.value.problems}
    assert found == {
        (2, "language"), (4, "scenarios[0].key"), (7, "scenarios[0].level"),
        (11, "scenarios[0].scripts[0].styles"),
    }
    assert str(caught.value).count("many.yaml:") == 4


def test_problem_reads_file_line_field_problem() -> None:
    assert str(io.Problem("a.yaml", 3, "title", "required")) == "a.yaml:3: title: required"


def corpus(name: str) -> Path:
    return next(f.path for f in FAULTS if f.file == name)


# ── the bad-input corpus ────────────────────────────────────────────────────


def test_every_corpus_file_has_a_case() -> None:
    on_disk = {p.name for p in HOSTILE.parent.glob("*.yaml")} - {HOSTILE.name}
    assert on_disk == {f.file for f in FAULTS}


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_corpus_file_is_rejected_with_file_line_and_field(workspace, lead, fault: Fault) -> None:
    before = fingerprint(workspace.db.path)
    with pytest.raises(io.ImportFailed) as caught, workspace.session() as session:
        io.import_files(session, lead, [fault.path], [fault.file])
    problems = caught.value.problems
    assert all(p.file == fault.file for p in problems)
    located = [p for p in problems if (p.line, p.field) == (fault.line, fault.field)]
    assert located, f"expected {fault.file}:{fault.line}: {fault.field}: …, got {[str(p) for p in problems]}"
    assert fault.says in located[0].message
    assert f"{fault.file}:{fault.line}: {fault.field}: {located[0].message}" in str(caught.value)
    assert fingerprint(workspace.db.path) == before


def test_invalid_utf8_fault_holds_a_real_0xff_byte_on_line_7() -> None:
    raw = corpus("invalid_utf8.yaml").read_bytes()
    assert raw.count(b"\xff") == 1
    assert raw.split(b"\n")[6].count(b"\xff") == 1


def test_field_too_long_fault_is_one_5000_character_line() -> None:
    lines = corpus("field_too_long.yaml").read_text(encoding="utf-8").splitlines()
    assert len(lines[7].removeprefix("    situation: ")) == 5000


def test_problems_are_reported_in_the_current_language(workspace, lead) -> None:
    from cscterm.i18n import set_language

    set_language("zh_CN")
    with pytest.raises(io.ImportFailed) as caught, workspace.session() as session:
        io.import_files(session, lead, [corpus("missing_title.yaml")], ["missing_title.yaml"])
    assert str(caught.value) == "missing_title.yaml:13: scenarios[1].title: 必填字段缺失或为空"


# ── valid but hostile text ──────────────────────────────────────────────────

ESC = "\x1b"
HOSTILE_SCRIPTS = {
    "hostile-markup": {
        "title": "[bold red]Markup title[/] [/]",
        "standard": "[bold]x[/] [/] [link=http://e.invalid]click[/link] [red] for {{hostile_name|[i]friend[/i]}}",
        "caring": "\\[escaped] \\\\[double escaped] [on red]background[/on red] :smile: :thumbs_up:",
    },
    "hostile-ansi": {
        "title": f"{ESC}[1mBold{ESC}[0m {ESC}]8;;http://e.invalid{ESC}\\link{ESC}]8;;{ESC}\\",
        "standard": f"{ESC}[31mred{ESC}[0m, OSC 52 {ESC}]52;c;ZXZpbA==\x07, title {ESC}]0;title\x07, "
                    "bell \x07, backspace x\x08y, DEL \x7f, NEL \x85 CSI \x9b31m end",
        # written as raw control bytes in the file
        "caring": f"raw {ESC}[31mred{ESC}[0m and BEL \x07 and CSI \x9b2J end",
        "casual": f"first line {ESC}[1mbold{ESC}[0m\n{ESC}]52;c;ZXZpbA==\x07\nthird line",
    },
    "hostile-tabs": {
        "title": "Tab\there, newline\nthere",
        "standard": "col1\tcol2\tcol3\nsecond line",
        "caring": "CRLF\r\nline, CR\ronly, Unicode line separator\u2028paragraph\u2029end",
    },
    "hostile-emoji": {
        "title": "👨\u200d👩\u200d👧\u200d👦 family 🇨🇳 flag 👍🏻 thumb",
        "standard": "👍🏻 🇨🇳 👨\u200d👩\u200d👧\u200d👦 שלום مرحبا 退款 full-width ｆｕｌｌ",
    },
}
HOSTILE_SCENARIOS = {
    "hostile-markup": {
        "category": "Hostile/[bold red]Markup",
        "title": "[bold]x[/] [/] [link=http://e.invalid]click[/link] [red]",
        "tags": ("[b]tag[/b]", "[/]", "[@click=app.quit]quit[/]"),
        "situation": "Rich markup everywhere: [bold]x[/] [/] [link=http://e.invalid]click[/link] [red]never closed",
        "phrases": ("[red]angry[/red] customer", "\\[escaped] brackets"),
        "guidance": "Press [b]ctrl+c[/b] to [@click=app.quit]quit[/].\n"
                    "Second line: $variable {braces} %s {0} <b>html</b> &amp;",
    },
    "hostile-escapes": {
        "category": f"Hostile/{ESC}[7mEscapes{ESC}[0m",
        "title": f"{ESC}[31mRed{ESC}[0m title {ESC}[2J{ESC}[H",
        "situation": f"OSC 52 clipboard write: {ESC}]52;c;ZXZpbA==\x07 window title: {ESC}]0;title\x07 done",
        "phrases": (f"{ESC}[5mblink{ESC}[0m", "bell\x07 in the middle"),
        "guidance": "Backspace x\x08y, DEL \x7f, NEL [\x85], CSI \x9b31m, ST \x9c, NUL [\x00], "
                    "form feed [\x0c], vertical tab [\x0b]",
    },
    "hostile-unicode": {
        "category": "Hostile/Unicode 🌏",
        "title": "Emoji 👍🏻 🇨🇳 👨\u200d👩\u200d👧\u200d👦 and RTL שלום",
        "tags": ("👍🏻", "🇨🇳", "全角ＡＢＣ"),
        "situation": "Right-to-left: שלום עולם and مرحبا بالعالم; override \u202eesrever\u202c; "
                     "zero-width\u200bspace, joiner \u200d; combining e\u0301",
    },
}
SCENARIO_SCRIPT = {"hostile-markup": "hostile-markup", "hostile-escapes": "hostile-ansi",
                   "hostile-unicode": "hostile-emoji"}


@pytest.fixture
def hostile(workspace, lead) -> dict[str, scripts.ScriptDetail]:
    with workspace.session() as session:
        summary = io.import_files(session, lead, [HOSTILE], ["hostile_text.yaml"])
    assert (summary.scenarios_added, summary.scripts_added) == (3, 5)
    with workspace.session() as session:
        hits = scripts.search(session, lead, "/hostile-", limit=50)
        return {h.shortcut: scripts.get_script(session, lead, h.id) for h in hits}


def test_hostile_file_holds_raw_control_bytes() -> None:
    raw = HOSTILE.read_bytes()
    assert b"raw \x1b[31mred" in raw and b"\x07" in raw and "\x9b".encode() in raw
    assert max(len(line) for line in raw.decode("utf-8").splitlines()) > 2000


def test_hostile_pack_imports_losslessly(hostile) -> None:
    assert set(hostile) == {"hostile-markup", "hostile-ansi", "hostile-tabs", "hostile-emoji", "hostile-long"}
    for shortcut, expected in HOSTILE_SCRIPTS.items():
        detail = hostile[shortcut]
        assert detail.title == expected["title"], shortcut
        for style, body in expected.items():
            if style != "title":
                assert detail.variants[style] == body, (shortcut, style)
    for key, expected in HOSTILE_SCENARIOS.items():
        card = hostile[SCENARIO_SCRIPT[key]].scenario
        assert card.key == key
        for field, value in expected.items():
            assert getattr(card, field) == value, (key, field)


def test_hostile_long_texts_are_kept_whole(hostile) -> None:
    cute = hostile["hostile-emoji"].variants["cute"]
    assert len(cute) > 2000 and cute.startswith("Long line: ") and cute.endswith(" END")
    assert "\n" not in cute
    long = hostile["hostile-long"]
    assert len(long.title) == 120 and len(long.variants["standard"]) == 4000


def test_hostile_placeholder_label_is_stored_as_written(workspace, hostile) -> None:
    with workspace.session() as session:
        labels = io.placeholder_labels(session, "en")
    assert labels["hostile_name"] == f"[bold]Customer[/] {ESC}[31mname{ESC}[0m"


def test_hostile_text_is_found_by_search(workspace, lead, hostile) -> None:
    with workspace.session() as session:
        assert [h.shortcut for h in scripts.search(session, lead, "ZXZpbA")] == ["hostile-ansi"]
        assert [h.shortcut for h in scripts.search(session, lead, "مرحبا")] == ["hostile-emoji"]
        assert "hostile-markup" in [h.shortcut for h in scripts.search(session, lead, "thumbs_up")]


def test_printable_hostile_text_has_no_control_characters(hostile) -> None:
    texts = [hostile[s].title for s in hostile] + [b for d in hostile.values() for b in d.variants.values()]
    texts += [str(v) for card in HOSTILE_SCENARIOS.values() for v in card.values()]
    for value in texts:
        shown = printable(value)
        assert not CONTROL & set(shown), repr(shown)
        assert not CONTROL & set(one_line(value)), repr(value)
        if ESC in value:
            assert "␛" in shown
    assert printable(HOSTILE_SCRIPTS["hostile-ansi"]["casual"]).count("\n") == 2  # LF kept


def test_hostile_search_hits_show_no_control_characters(workspace, lead, hostile) -> None:
    with workspace.session() as session:
        hits = scripts.search(session, lead, "/hostile-", limit=50)
    for hit in hits:
        for value in (hit.title, hit.category, hit.scenario_title, hit.first_line):
            assert not CONTROL & set(printable(value)), repr(value)
