"""cli.py: the ``cscterm`` command, run in-process with Click's runner."""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from cscterm import __version__, cli as cli_module
from cscterm.cli import cli
from cscterm.db.engine import Database
from cscterm.i18n import style_label
from cscterm.services import scripts, users

from .helpers import FAULTS, HOSTILE, Fault, fingerprint

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")


@pytest.fixture
def db(db_path: Path, starter_template: Path) -> Path:
    shutil.copy(starter_template, db_path)
    return db_path


def run(db: Path, *args: str, user: str = "lead1", input: str | bytes | None = None) -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), "--user", user, *args], input=input)
    # A crash would also exit 1: only a deliberate exit is acceptable.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def lines(text: str) -> list[str]:
    return text.splitlines()


def viewer_search(db: Path, query: str, login: str = "lead1") -> list[scripts.ScriptHit]:
    database = Database(db)
    try:
        with database.session() as session:
            return scripts.search(session, users.identify(session, login), query)
    finally:
        database.dispose()


# ── top level ───────────────────────────────────────────────────────────────


def test_version_prints_the_version(db: Path) -> None:
    result = run(db, "--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"cscterm, version {__version__}"


def test_help_lists_every_command(db: Path) -> None:
    result = run(db, "--help")
    assert result.exit_code == 0
    for command in ("import", "search", "lint", "user"):
        assert re.search(rf"^\s+{command}\s", result.stdout, re.M), command


def test_unknown_command_is_a_usage_error(db: Path) -> None:
    result = run(db, "frobnicate")
    assert result.exit_code == 2
    assert "No such command" in result.stderr


def test_db_flag_creates_a_new_database_with_the_starter_library(tmp_path: Path) -> None:
    fresh = tmp_path / "new" / "fresh.db"
    result = run(fresh, "search", "/yj1")
    assert result.exit_code == 0
    assert result.stdout.startswith("/yj1\t")
    assert fresh.exists()


def test_environment_variable_chooses_the_database(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSCTERM_DB", str(db))
    result = CliRunner().invoke(cli, ["search", "--limit", "1", "/yj1"])
    assert result.exit_code == 0 and result.stdout.startswith("/yj1\t")


# ── search ──────────────────────────────────────────────────────────────────


def test_search_prints_shortcut_category_title_style_and_first_line(db: Path) -> None:
    (hit,) = viewer_search(db, "/yj1")
    result = run(db, "search", "/yj1")
    assert result.exit_code == 0
    assert lines(result.stdout) == [
        f"/yj1\t{hit.category} › {hit.title}\t{style_label(hit.default_style)}\t{hit.first_line}"
    ]
    assert result.stderr == ""


def test_search_prints_one_line_per_hit_in_rank_order(db: Path) -> None:
    expected = [hit.shortcut for hit in viewer_search(db, "tk")][:20]
    result = run(db, "search", "tk")
    assert result.exit_code == 0
    assert [line.split("\t")[0] for line in lines(result.stdout)] == [f"/{s}" for s in expected]
    assert all(line.count("\t") == 3 for line in lines(result.stdout))


def test_search_style_label_follows_the_language(db: Path) -> None:
    (hit,) = viewer_search(db, "/yj1")
    result = run(db, "--lang", "zh_CN", "search", "/yj1")
    labels = {"standard": "标准", "caring": "贴心", "cute": "卖萌", "casual": "江湖", "humorous": "搞笑"}
    assert result.stdout.split("\t")[2] == labels[hit.default_style]


def test_search_json_prints_one_object_per_line_with_every_field(db: Path) -> None:
    hits = viewer_search(db, "tk")[:5]
    result = run(db, "search", "--json", "--limit", "5", "tk")
    assert result.exit_code == 0
    rows = [json.loads(line) for line in lines(result.stdout)]
    assert [r["id"] for r in rows] == [h.id for h in hits]
    first, hit = rows[0], hits[0]
    assert set(first) == {"id", "shortcut", "title", "scenario", "category", "style", "styles",
                          "first_line", "personal"}
    assert first == {
        "id": hit.id, "shortcut": hit.shortcut, "title": hit.title, "scenario": hit.scenario_title,
        "category": hit.category, "style": hit.default_style, "styles": list(hit.styles),
        "first_line": hit.first_line, "personal": hit.personal,
    }
    assert hit.title in result.stdout  # CJK stays readable, not \u-escaped


@pytest.mark.parametrize("limit", [1, 2, 7])
def test_search_limit_caps_the_hits(db: Path, limit: int) -> None:
    result = run(db, "search", "--limit", str(limit), "tk")
    assert result.exit_code == 0
    assert len(lines(result.stdout)) == limit


@pytest.mark.parametrize("limit", ["0", "501", "many"])
def test_search_limit_out_of_range_is_a_usage_error(db: Path, limit: str) -> None:
    result = run(db, "search", "--limit", limit, "tk")
    assert result.exit_code == 2
    assert "--limit" in result.stderr


def test_search_without_hits_exits_1_with_a_message_on_stderr(db: Path) -> None:
    result = run(db, "search", "zzzzqqqq")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.strip() == "No matching scripts."


def test_search_json_without_hits_also_exits_1(db: Path) -> None:
    result = run(db, "search", "--json", "zzzzqqqq")
    assert result.exit_code == 1
    assert result.stdout == ""


def test_search_messages_follow_the_language(db: Path) -> None:
    result = run(db, "--lang", "zh_CN", "search", "zzzzqqqq")
    assert result.stderr.strip() == "没有匹配的话术。"


def test_search_shows_only_the_users_own_personal_scripts(db: Path) -> None:
    database = Database(db)
    with database.session() as session:
        agent = users.identify(session, "agent1")
        scenario = scripts.list_scenarios(session)[0]
        scripts.create_script(session, agent, scripts.ScriptDraft(
            scenario.id, "私人话术", "secret1", {"standard": "只有我能看到"}))
    database.dispose()
    assert run(db, "search", "/secret1", user="agent1").stdout.startswith("/secret1\t")
    assert run(db, "search", "/secret1", user="agent2").exit_code == 1
    assert run(db, "search", "--json", "/secret1", user="agent1").stdout.count('"personal": true') == 1


# ── lint ────────────────────────────────────────────────────────────────────


def test_lint_file_prints_file_line_column_term_reason_alternative_and_exits_1(db: Path, tmp_path: Path) -> None:
    reply = tmp_path / "reply.txt"
    reply.write_text("您好！\n这个我不知道呢。\nPlease calm down.\n", encoding="utf-8")
    result = run(db, "lint", str(reply))
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert len(out) == 2
    assert re.fullmatch(rf"{re.escape(str(reply))}:2:4: 不知道 — .+ → .+", out[0])
    assert re.fullmatch(rf"{re.escape(str(reply))}:3:8: calm down — .+ → .+", out[1])
    assert result.stderr.strip() == "2 forbidden term(s) found."


def test_lint_output_carries_the_terms_reason_and_alternative(db: Path, tmp_path: Path) -> None:
    from cscterm.services import lint

    database = Database(db)
    with database.session() as session:
        term = next(t for t in lint.list_terms(session) if t.term == "不知道")
    database.dispose()
    reply = tmp_path / "reply.txt"
    reply.write_text("不知道", encoding="utf-8")
    result = run(db, "lint", str(reply))
    assert result.stdout == f"{reply}:1:1: 不知道 — {term.reason} → {term.alternative}\n"


def test_lint_clean_file_exits_0_silently(db: Path, tmp_path: Path) -> None:
    reply = tmp_path / "clean.txt"
    reply.write_text("您好，我马上帮您确认一下。\n", encoding="utf-8")
    result = run(db, "lint", str(reply))
    assert result.exit_code == 0
    assert result.output == ""


def test_lint_reads_standard_input_for_dash(db: Path) -> None:
    result = run(db, "lint", "-", input=b"first line\nI don't know, calm down\n")
    assert result.exit_code == 1
    assert [line.split(" — ")[0] for line in lines(result.stdout)] == [
        "-:2:1: I don't know", "-:2:15: calm down"]


def test_lint_clean_standard_input_exits_0(db: Path) -> None:
    result = run(db, "lint", "-", input=b"Thanks for waiting!")
    assert result.exit_code == 0 and result.output == ""


def test_lint_accepts_a_utf8_bom(db: Path, tmp_path: Path) -> None:
    reply = tmp_path / "bom.txt"
    reply.write_bytes("\ufeff不知道".encode())
    assert run(db, "lint", str(reply)).stdout.startswith(f"{reply}:1:1: 不知道")


def test_lint_invalid_utf8_exits_2_naming_file_and_line(db: Path, tmp_path: Path) -> None:
    reply = tmp_path / "latin1.txt"
    reply.write_bytes("line one\nline two\nCaf\xe9 au lait\n".encode("latin-1"))
    result = run(db, "lint", str(reply))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert re.fullmatch(rf"{re.escape(str(reply))}:3: not valid UTF-8 \(byte 21\); save the file as UTF-8\n",
                        result.stderr)


def test_lint_invalid_utf8_on_standard_input_exits_2(db: Path) -> None:
    result = run(db, "lint", "-", input=b"ok\n\xff\xfe")
    assert result.exit_code == 2
    assert result.stderr.startswith("-:2: not valid UTF-8")


def test_lint_missing_file_exits_2_naming_it(db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.txt"
    result = run(db, "lint", str(missing))
    assert result.exit_code == 2
    assert result.stderr == f"{missing}: No such file or directory\n"


def test_lint_output_never_carries_control_characters(db: Path, tmp_path: Path) -> None:
    reply = tmp_path / "escapes.txt"
    reply.write_text("\x1b[31m不知道\x1b[0m\n", encoding="utf-8")
    result = run(db, "lint", str(reply))
    assert result.exit_code == 1
    assert not CONTROL.search(result.output)


# ── import ──────────────────────────────────────────────────────────────────

PACK = """\
format: cscterm-library/1
language: en
scenarios:
  - key: cli-test
    category: CLI/Test
    title: Imported from the command line
    situation: A lead loads a pack.
    scripts:
      - shortcut: cli-test1
        styles:
          standard: Hello from the CLI.
          caring: Hello, dear, from the CLI.
"""


def test_import_prints_a_summary_and_writes_the_pack(db: Path, tmp_path: Path) -> None:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    result = run(db, "import", str(pack))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == (
        "Imported 1 file(s): 1 scenarios added, 0 updated; 1 scripts added, 0 updated; "
        "0 forbidden terms added, 0 updated.")
    assert run(db, "search", "/cli-test1").stdout.startswith("/cli-test1\tCLI/Test › Imported from the command line\t")
    again = run(db, "import", str(pack))
    assert "0 scenarios added, 1 updated; 0 scripts added, 1 updated" in again.stdout


def test_import_needs_at_least_one_file(db: Path) -> None:
    assert run(db, "import").exit_code == 2


def test_import_by_an_agent_is_refused_and_writes_nothing(db: Path, tmp_path: Path) -> None:
    run(db, "user", "list", user="agent1")  # agent1 exists before the fingerprint
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK, encoding="utf-8")
    before = fingerprint(db)
    result = run(db, "import", str(pack), user="agent1")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Only a lead can import into the team library."
    assert fingerprint(db) == before


@pytest.mark.parametrize("fault", FAULTS, ids=str)
def test_import_of_a_corpus_file_fails_with_file_line_field_and_changes_nothing(db: Path, fault: Fault) -> None:
    run(db, "user", "list")  # open once, so the only difference could come from the import
    before = fingerprint(db)
    name = str(fault.path)
    result = run(db, "import", name)
    assert result.exit_code == 1
    assert result.stdout == ""
    *problems, summary = lines(result.stderr)
    assert problems
    assert all(re.match(rf"^{re.escape(name)}:\d+: [\w\[\].]+: \S", line) for line in problems), problems
    assert any(line.startswith(f"{name}:{fault.line}: {fault.field}: ") and fault.says in line
               for line in problems), problems
    assert summary == f"{len(problems)} problem(s); nothing was imported."
    assert not CONTROL.search(result.stderr)
    assert fingerprint(db) == before


def test_import_reports_problems_of_every_file(db: Path) -> None:
    names = [str(f.path) for f in FAULTS[:3]]
    result = run(db, "import", *names)
    assert result.exit_code == 1
    reported = {line.split(":")[0] for line in lines(result.stderr)[:-1]}
    assert reported == set(names)


def test_import_of_a_missing_file_reports_it(db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "missing.yaml"
    result = run(db, "import", str(missing))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{missing}:0: file: ")


# ── hostile text reaches the terminal only as pictures ──────────────────────


@pytest.fixture
def hostile_db(db: Path) -> Path:
    result = run(db, "import", str(HOSTILE))
    assert result.exit_code == 0, result.stderr
    return db


def test_hostile_search_output_has_no_control_characters(hostile_db: Path) -> None:
    result = run(hostile_db, "search", "--limit", "50", "/hostile-")
    assert result.exit_code == 0
    out = lines(result.stdout)
    assert len(out) == 5
    assert all(line.count("\t") == 3 for line in out), out  # a TAB in a field shows as ␉
    assert not CONTROL.search(result.output)
    assert "Tab␉here, newline␤there" in result.stdout
    assert "␛[31mred␛[0m" in result.stdout
    assert "[bold]x[/] [/] [link=http://e.invalid]click[/link] [red]" in result.stdout


def test_hostile_search_json_is_lossless_and_terminal_safe(hostile_db: Path) -> None:
    hits = {h.shortcut: h for h in viewer_search(hostile_db, "/hostile-")}
    result = run(hostile_db, "search", "--json", "--limit", "50", "/hostile-")
    assert result.exit_code == 0
    assert not CONTROL.search(result.stdout)
    rows = {row["shortcut"]: row for row in map(json.loads, lines(result.stdout))}
    assert set(rows) == set(hits)
    for shortcut, hit in hits.items():
        assert (rows[shortcut]["title"], rows[shortcut]["category"], rows[shortcut]["first_line"]) == (
            hit.title, hit.category, hit.first_line)


def test_user_list_shows_a_hostile_login_as_pictures(db: Path) -> None:
    evil = "\x1b]52;c;ZXZpbA==\x07\x1b[2J"
    result = run(db, "user", "list", user=f"agent{evil}")
    assert not CONTROL.search(result.output)
    assert "agent␛]52;c;ZXZpbA==␇␛[2J" in result.stdout


# ── users ───────────────────────────────────────────────────────────────────


def test_user_list_prints_login_role_team_and_name(db: Path) -> None:
    run(db, "user", "list", user="agent1")
    result = run(db, "user", "list")
    assert result.exit_code == 0
    assert lines(result.stdout) == ["agent1\tagent\tdefault\tagent1", "lead1\tlead\tdefault\tlead1"]


def test_lead_changes_a_role(db: Path) -> None:
    run(db, "user", "list", user="agent1")
    result = run(db, "user", "role", "agent1", "lead")
    assert result.exit_code == 0
    assert result.stdout.strip() == "agent1\tlead"
    assert "agent1\tlead" in run(db, "user", "list").stdout


def test_agent_cannot_change_roles(db: Path) -> None:
    result = run(db, "user", "role", "agent1", "lead", user="agent1")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Only a lead can change roles."
    assert "agent1\tagent" in run(db, "user", "list").stdout


def test_the_last_lead_cannot_step_down_from_the_cli(db: Path) -> None:
    result = run(db, "user", "role", "lead1", "agent")
    assert result.exit_code == 1
    assert "last lead" in result.stderr


def test_unknown_role_is_a_usage_error(db: Path) -> None:
    result = run(db, "user", "role", "lead1", "boss")
    assert result.exit_code == 2
    assert "boss" in result.stderr


def test_role_of_an_unknown_user_exits_1(db: Path) -> None:
    result = run(db, "user", "role", "nobody", "lead")
    assert result.exit_code == 1
    assert result.stderr.strip() == "No user with login nobody."


# ── the entry point ─────────────────────────────────────────────────────────


def test_main_turns_an_unexpected_error_into_a_message_and_exit_70(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(scripts, "search", broken)
    monkeypatch.setattr(sys, "argv", ["cscterm", "--db", str(db), "search", "x"])
    with pytest.raises(SystemExit) as caught:
        cli_module.main()
    assert caught.value.code == 70
    captured = capsys.readouterr()
    assert captured.err.strip() == "cscterm stopped on an unexpected error: RuntimeError: disk on fire"
    assert "Traceback" not in captured.err + captured.out


def test_main_turns_a_domain_error_into_exit_1(
        db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr(sys, "argv", ["cscterm", "--db", str(db), "--user", "  ", "user", "list"])
    with pytest.raises(SystemExit) as caught:
        cli_module.main()
    assert caught.value.code == 1
    assert capsys.readouterr().err.strip() == "login is required."
