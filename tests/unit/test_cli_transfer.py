"""cli.py: ``cscterm transfer export`` and ``cscterm transfer templates …``."""

from __future__ import annotations

import csv
import io
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner, Result

from cscterm.cli import cli
from cscterm.db.engine import Database
from cscterm.services import transfer as tr
from cscterm.services import users

from .helpers import DATA

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
NOW = datetime(2026, 11, 23, 7, 0, tzinfo=UTC)
STARTERS = ["install_repair", "invoice", "logistics", "quality", "refund", "vip_risk"]
CALLBACK = """\
format: cscterm-checklist/1
key: callback
name: 回访
queue: 回访组
sla:
  accept: 1h
  resolve: 1d
subject: "{phone}"
items:
  - key: name
    label: 联系人
    kind: text
    required: true
    personal: true
  - key: phone
    label: 联系电话
    kind: phone
    required: true
"""


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


def send(db: Path, values: dict[str, object] | None = None, key: str = "refund") -> int:
    """A transfer sent by agent1 at NOW."""
    database = Database(db)
    zone = ZoneInfo("UTC")
    values = values or {"identity": True, "order": "2026112312345678", "phone": "13812345678",
                        "product": "保温杯 ×2", "problem": "=1+1 杯盖漏水", "reason": "质量问题",
                        "received": "已签收", "promised": "无", "mood": "平静"}
    try:
        with database.session() as session:
            users.identify(session, "lead1")
            actor = users.identify(session, "agent1")
            view = tr.create(session, actor, key, now=NOW)
            view = tr.save_draft(session, actor, view.id, view.version, values, now=NOW)
            return tr.send(session, actor, view.id, view.version, now=NOW, zone=zone).id
    finally:
        database.dispose()


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


# ── export ─────────────────────────────────────────────────────────────────


def test_export_writes_csv_with_personal_data_masked(db: Path) -> None:
    send(db)
    result = run(db, "transfer", "export", "--from", "2026-11-23", "--to", "2026-11-23")
    assert result.exit_code == 0, result.output
    (row,) = rows(result.stdout)
    assert (row["template"], row["status"], row["sender"], row["queue"]) == (
        "退货退款", "sent", "agent1", "售后")
    assert row["联系电话"] == "138****5678" and "13812345678" not in result.stdout
    assert row["客户原话"] == "'=1+1 杯盖漏水"
    assert row["sent_at"] == "2026-11-23 07:00"


def test_export_shows_personal_data_only_when_asked(db: Path) -> None:
    send(db)
    result = run(db, "transfer", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "--include-personal-data")
    assert result.exit_code == 0
    assert rows(result.stdout)[0]["联系电话"] == "13812345678"


def test_export_filters_by_queue(db: Path) -> None:
    run(db, "transfer", "templates", "import", str(write(db.parent, "callback.yaml", CALLBACK)))
    send(db)
    send(db, {"name": "王小明", "phone": "13912345678"}, key="callback")
    result = run(db, "transfer", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "--queue", "回访组")
    (row,) = rows(result.stdout)
    assert (row["template"], row["联系人"], row["subject"]) == ("回访", "王**", "139****5678")


def test_export_outside_the_range_is_only_the_header(db: Path) -> None:
    send(db)
    result = run(db, "transfer", "export", "--from", "2026-11-24", "--to", "2026-11-30")
    assert result.exit_code == 0
    assert rows(result.stdout) == [] and result.stdout.startswith("id,template,")


def test_export_to_a_file_for_a_spreadsheet(db: Path, tmp_path: Path) -> None:
    send(db)
    send(db)
    out = tmp_path / "transfers.csv"
    result = run(db, "transfer", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "-o", str(out))
    assert result.exit_code == 0, result.output
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # so a spreadsheet reads it as UTF-8
    assert len(rows(raw.decode("utf-8-sig"))) == 2
    assert result.stderr.strip() == f"2 transfer(s) written to {out}."


def test_export_to_an_unwritable_place_fails_naming_the_path(db: Path, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "x.csv"
    result = run(db, "transfer", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 "-o", str(target))
    assert result.exit_code == 1
    assert str(target) in result.stderr


@pytest.mark.parametrize(("args", "option"), [
    (("--from", "2026-13-01", "--to", "2026-11-30"), "--from"),
    (("--from", "yesterday", "--to", "2026-11-30"), "--from"),
    (("--from", "2026-11-01", "--to", "30/11/2026"), "--to"),
    (("--to", "2026-11-30"), "--from"),
    (("--from", "2026-11-01"), "--to"),
])
def test_export_with_a_bad_date_exits_2_naming_the_option(db: Path, args, option) -> None:
    result = run(db, "transfer", "export", *args)
    assert result.exit_code == 2
    assert option in result.stderr


def test_export_with_the_range_backwards_is_refused(db: Path) -> None:
    result = run(db, "transfer", "export", "--from", "2026-11-30", "--to", "2026-11-01")
    assert result.exit_code == 1
    assert "2026-11-01" in result.stderr and "2026-11-30" in result.stderr


def test_an_agent_cannot_export(db: Path) -> None:
    send(db)
    result = run(db, "transfer", "export", "--from", "2026-11-23", "--to", "2026-11-23",
                 user="agent1")
    assert result.exit_code == 1
    assert "for leads" in result.stderr and result.stdout == ""


# ── templates ──────────────────────────────────────────────────────────────


def test_templates_lists_each_with_version_items_queue_and_service_levels(db: Path) -> None:
    result = run(db, "transfer", "templates", user="agent1")
    assert result.exit_code == 0
    lines = [line.split("\t") for line in result.stdout.splitlines()]
    assert sorted(line[0] for line in lines) == STARTERS
    assert ["refund", "退货退款", "v1", "13 items", "售后", "30m/1d"] in lines
    assert ["vip_risk", "VIP / 投诉风险客户", "v1", "11 items", "售后", "10m/4h"] in lines


def test_templates_in_chinese(db: Path) -> None:
    result = run(db, "--lang", "zh_CN", "transfer", "templates")
    assert "refund\t退货退款\tv1\t13 项\t售后\t30m/1d" in result.stdout.splitlines()


def test_templates_import_adds_a_template_and_a_new_version_on_change(db: Path,
                                                                      tmp_path: Path) -> None:
    path = write(tmp_path, "callback.yaml", CALLBACK)
    result = run(db, "transfer", "templates", "import", str(path))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == ("Templates: 1 added, 0 changed (a new version each), "
                                     "0 unchanged.")
    write(tmp_path, "callback.yaml", CALLBACK.replace("accept: 1h", "accept: 2h"))
    result = run(db, "transfer", "templates", "import", str(path))
    assert "0 added, 1 changed" in result.stdout
    listed = run(db, "transfer", "templates").stdout.splitlines()
    assert "callback\t回访\tv2\t2 items\t回访组\t2h/1d" in listed


def test_templates_import_of_bad_files_prints_each_problem_and_writes_nothing(db: Path,
                                                                              tmp_path) -> None:
    before = run(db, "transfer", "templates").stdout
    good = write(tmp_path, "callback.yaml", CALLBACK)
    bad = [DATA / "transfer" / name for name in ("bad_duration.yaml", "duplicate_item_key.yaml")]
    result = run(db, "transfer", "templates", "import", str(good), *map(str, bad))
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{bad[0]}:7: sla.accept: “half an hour” is not a duration")
    assert lines[1] == f"{bad[1]}:13: items[1].key: “order” is already used on line 10"
    assert lines[2] == "2 problem(s); nothing was imported."
    assert run(db, "transfer", "templates").stdout == before


def test_templates_import_problems_never_put_controls_on_the_terminal(db: Path,
                                                                     tmp_path: Path) -> None:
    text = CALLBACK.replace("queue: 回访组", 'queue: 回访组\ncolour: "\\e[31m"')
    path = write(tmp_path, "x.yaml", text)
    path = path.rename(tmp_path / "\x1b[31mred.yaml")
    result = run(db, "transfer", "templates", "import", str(path))
    assert result.exit_code == 1
    assert not CONTROL.search(result.stderr.replace("\n", ""))
    assert "␛[31mred.yaml:5: colour: unknown field" in result.stderr


def test_templates_import_by_an_agent_is_refused(db: Path, tmp_path: Path) -> None:
    result = run(db, "transfer", "templates", "import",
                 str(write(tmp_path, "callback.yaml", CALLBACK)), user="agent1")
    assert result.exit_code == 1
    assert "Only a lead" in result.stderr
    assert "callback" not in run(db, "transfer", "templates").stdout


def test_templates_import_needs_a_file(db: Path) -> None:
    assert run(db, "transfer", "templates", "import").exit_code == 2


def test_templates_show_prints_the_current_yaml(db: Path, tmp_path: Path) -> None:
    path = write(tmp_path, "callback.yaml", CALLBACK)
    run(db, "transfer", "templates", "import", str(path))
    result = run(db, "transfer", "templates", "show", "callback")
    assert result.exit_code == 0
    assert result.stdout == CALLBACK
    refund = run(db, "transfer", "templates", "show", "refund").stdout
    assert refund.startswith("# 退货退款") and "key: refund\n" in refund


def test_templates_show_of_an_unknown_key_fails(db: Path) -> None:
    result = run(db, "transfer", "templates", "show", "nope")
    assert result.exit_code == 1
    assert "nope" in result.stderr


def test_hostile_template_text_is_shown_without_reaching_the_terminal(db: Path) -> None:
    hostile = DATA / "transfer" / "hostile_text.yaml"
    assert run(db, "transfer", "templates", "import", str(hostile)).exit_code == 0
    listed = run(db, "transfer", "templates").stdout
    assert "corpus-hostile\t[bold red]x[/] 敌意文本\tv1\t4 items" in listed
    shown = run(db, "transfer", "templates", "show", "corpus-hostile").stdout
    assert not CONTROL.search(shown.replace("\n", "").replace("\t", ""))
    assert "RAW ␛[31m literal ESC" in shown and '"\\e[31m红色\\e[0m 提示"' in shown


def test_transfer_commands_stay_clear_of_textual(db: Path) -> None:
    import subprocess
    import sys

    code = ("import sys; from cscterm.cli import main; sys.argv=['cscterm','--db',%r,"
            "'transfer','templates']\ntry:\n main()\nexcept SystemExit: pass\n"
            "assert not any(m.startswith('textual') for m in sys.modules), 'textual imported'"
            % str(db))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
