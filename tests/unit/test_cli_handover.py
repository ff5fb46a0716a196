"""cli.py: ``cscterm handover …`` and ``cscterm user team``."""

from __future__ import annotations

import json
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from cscterm.cli import cli
from cscterm.db.engine import Database
from cscterm.services import handover as ho, users

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)  # 07:00 UTC: the early shift in UTC
HOSTILE = "[bold red]不要渲染[/] \x1b[31m红\x1b[0m \x1b]52;c;aGk=\x07"


@pytest.fixture
def db(db_path: Path, starter_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "UTC")
    shutil.copy(starter_template, db_path)
    return db_path


def run(db: Path, *args: str, user: str = "lead1") -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), "--user", user, *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def write_note(db: Path, author: str = "agent1", summary: str = "进线量大，退款积压 12 单",
               team: str | None = None) -> int:
    database = Database(db)
    zone = ZoneInfo("UTC")
    try:
        with database.session() as session:
            lead = users.identify(session, "lead1")
            actor = users.identify(session, author)
            if team:
                actor = users.set_team(session, lead, author, team)
            note = ho.start_handover(session, actor, now=NOW, zone=zone)
            note = ho.save_draft(
                session, actor, note.id, note.version, overall="busy", summary=summary,
                watchouts="12 点起满减规则变了",
                items=[ho.ItemInput("订单 8812", "客户要求回电", "回电王女士", "15:30")],
                now=NOW, zone=zone)
            return ho.submit(session, actor, note.id, note.version, now=NOW).id
    finally:
        database.dispose()


def test_export_writes_markdown_with_the_note_and_its_items(db: Path) -> None:
    write_note(db)
    result = run(db, "--lang", "zh_CN", "handover", "export", "--from", "2026-11-23",
                 "--to", "2026-11-23")
    assert result.exit_code == 0, result.output
    assert "2026-11-23 早班" in result.stdout
    assert "进线量大，退款积压 12 单" in result.stdout
    assert "订单 8812" in result.stdout and "2026-11-23 15:30" in result.stdout
    assert "12 点起满减规则变了" in result.stdout


def test_export_json_is_lossless_and_has_utc_and_local_times(db: Path) -> None:
    write_note(db, summary=HOSTILE)
    result = run(db, "handover", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "--format", "json")
    assert result.exit_code == 0
    assert not CONTROL.search(result.stdout.replace("\n", ""))
    (note,) = json.loads(result.stdout)
    assert note["summary"] == HOSTILE
    assert note["items"][0]["due"] == {"utc": "2026-11-23T15:30:00+00:00",
                                       "local": "2026-11-23 15:30"}


def test_export_markdown_shows_escape_sequences_as_pictures(db: Path) -> None:
    write_note(db, summary=HOSTILE)
    result = run(db, "handover", "export", "--from", "2026-11-23", "--to", "2026-11-23")
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "␛[31m" in result.stdout and "[bold red]不要渲染[/]" in result.stdout


def test_export_outside_the_range_is_empty(db: Path) -> None:
    write_note(db)
    result = run(db, "handover", "export", "--from", "2026-11-24", "--to", "2026-11-30",
                 "--format", "json")
    assert json.loads(result.stdout) == []


def test_export_to_a_file(db: Path, tmp_path: Path) -> None:
    write_note(db)
    out = tmp_path / "report.md"
    result = run(db, "handover", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "-o", str(out))
    assert result.exit_code == 0
    assert "订单 8812" in out.read_text(encoding="utf-8")
    assert "1" in result.stderr and str(out) in result.stderr


def test_export_to_an_unwritable_place_fails_cleanly(db: Path, tmp_path: Path) -> None:
    write_note(db)
    result = run(db, "handover", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "-o", str(tmp_path / "missing" / "x.md"))
    assert result.exit_code == 1
    assert "missing" in result.stderr


@pytest.mark.parametrize("args", [
    ("--from", "2026-13-01", "--to", "2026-11-30"),
    ("--from", "yesterday", "--to", "2026-11-30"),
    ("--to", "2026-11-30"),
    ("--from", "2026-11-01", "--to", "2026-11-30", "--format", "pdf"),
])
def test_export_with_bad_arguments_exits_2_naming_the_option(db: Path, args) -> None:
    result = run(db, "handover", "export", *args)
    assert result.exit_code == 2
    assert "--" in result.stderr


def test_export_with_the_range_backwards_is_refused(db: Path) -> None:
    result = run(db, "handover", "export", "--from", "2026-11-30", "--to", "2026-11-01")
    assert result.exit_code == 1
    assert "2026-11-01" in result.stderr and "2026-11-30" in result.stderr


def test_an_agent_exports_only_their_own_team(db: Path) -> None:
    write_note(db, author="agent1")
    write_note(db, author="agent2", team="B")
    result = run(db, "handover", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "--format", "json", user="agent1")
    assert [n["author"] for n in json.loads(result.stdout)] == ["agent1"]
    refused = run(db, "handover", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                  "--team", "B", user="agent1")
    assert refused.exit_code == 1
    lead = run(db, "handover", "export", "--from", "2026-11-23", "--to", "2026-11-23",
               "--format", "json")
    assert sorted(n["author"] for n in json.loads(lead.stdout)) == ["agent1", "agent2"]


def test_shifts_lists_the_defaults(db: Path) -> None:
    result = run(db, "handover", "shifts")
    assert result.stdout.splitlines() == ["夜班\t00:00–08:00", "早班\t08:00–16:00",
                                          "中班\t16:00–24:00"]


def test_a_lead_sets_shifts_and_a_night_shift_may_cross_midnight(db: Path) -> None:
    result = run(db, "handover", "shifts", "--set", "白班=08:00-20:00", "--set", "夜班=20:00-08:00")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["白班\t08:00–20:00", "夜班\t20:00–08:00"]
    assert run(db, "handover", "shifts").stdout == result.stdout


@pytest.mark.parametrize(("spec", "code", "named"), [
    ("早班 08:00-16:00", 2, "早班 08:00-16:00"),
    ("早班=8-16", 1, "08:00"),
    ("早班=08:00-25:00", 1, "25:00"),
])
def test_a_bad_shift_is_refused_with_an_example(db: Path, spec: str, code: int, named: str) -> None:
    result = run(db, "handover", "shifts", "--set", spec)
    assert result.exit_code == code
    assert named in result.stderr
    assert run(db, "handover", "shifts").stdout.count("\n") == 3  # unchanged


def test_an_agent_cannot_set_shifts(db: Path) -> None:
    result = run(db, "handover", "shifts", "--set", "早班=08:00-16:00", user="agent1")
    assert result.exit_code == 1
    assert "lead" in result.stderr


def test_user_team_moves_someone(db: Path) -> None:
    run(db, "user", "list", user="agent1")
    result = run(db, "user", "team", "agent1", "售后二组")
    assert result.exit_code == 0
    assert result.stdout.strip() == "agent1\t售后二组"


def test_user_team_by_an_agent_is_refused(db: Path) -> None:
    result = run(db, "user", "team", "lead1", "x", user="agent1")
    assert result.exit_code == 1
    assert "lead" in result.stderr


def test_handover_commands_stay_clear_of_textual(db: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from cscterm.cli import main; sys.argv=['cscterm','--db',%r,"
            "'handover','shifts']\ntry:\n main()\nexcept SystemExit: pass\n"
            "assert not any(m.startswith('textual') for m in sys.modules), 'textual imported'"
            % str(db))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr


def test_grace_defaults_to_15_minutes_and_a_lead_changes_it(db: Path) -> None:
    assert run(db, "handover", "grace").stdout.strip() == "15"
    assert run(db, "handover", "grace", "30").stdout.strip() == "30"
    assert run(db, "handover", "grace", user="agent1").stdout.strip() == "30"


@pytest.mark.parametrize("value", ["-1", "1441", "abc"])
def test_a_bad_grace_is_refused(db: Path, value: str) -> None:
    result = run(db, "handover", "grace", value)
    assert result.exit_code == 2
    assert run(db, "handover", "grace").stdout.strip() == "15"


def test_an_agent_cannot_change_the_grace(db: Path) -> None:
    result = run(db, "handover", "grace", "5", user="agent1")
    assert result.exit_code == 1 and "lead" in result.stderr
