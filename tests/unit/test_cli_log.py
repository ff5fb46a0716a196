"""cli.py: ``cscterm log …``, the daily work log from the shell.

The commands use the real clock, so the tests read "today" as the shift date
of now in UTC (``TZ=UTC``; the default shifts start at 00:00, 08:00, 16:00,
so the shift date is the calendar date).
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

from cscterm.cli import cli
from cscterm.db.engine import Database
from cscterm.i18n import set_language, t
from cscterm.services import users
from cscterm.services import worklog as wl
from cscterm.text import printable

from .helpers import DATA

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
CORPUS = DATA / "worklog"
BAD = yaml.safe_load((CORPUS / "bad_values.yaml").read_text(encoding="utf-8"))
HOSTILE = yaml.safe_load((CORPUS / "hostile_text.yaml").read_text(encoding="utf-8"))["texts"]
UNIT_METRIC = {"count": "contacts", "percent": "satisfaction", "duration": "handle_time"}


@pytest.fixture
def db(db_path: Path, starter_template: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("TZ", "UTC")
    shutil.copy(starter_template, db_path)
    return db_path


def today() -> date:
    return datetime.now(UTC).date()


def run(db: Path, *args: str, user: str = "agent1") -> Result:
    result = CliRunner().invoke(cli, ["--db", str(db), "--user", user, *args])
    set_language("en")
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def service(db: Path, fn: Callable[..., Any], *args: Any, user: str = "agent1", **kw: Any) -> Any:
    """A service call as ``user`` on the test's database."""
    database = Database(db)
    try:
        with database.session() as session:
            users.identify(session, "lead1")
            return fn(session, users.identify(session, user), *args, **kw)
    finally:
        database.dispose()


# ── notes ──────────────────────────────────────────────────────────────────


def test_a_quoted_note_is_added_with_the_time(db: Path) -> None:
    result = run(db, "log", "客户王女士要求周五前回电")
    assert result.exit_code == 0, result.output
    assert re.fullmatch(r"\d\d:\d\d\t客户王女士要求周五前回电\n", result.stdout)
    assert "客户王女士要求周五前回电" in run(db, "log", "today").stdout


def test_a_note_of_several_unquoted_words_is_joined(db: Path) -> None:
    assert run(db, "log", "客户", "王女士", "要求回电").exit_code == 0
    (note,) = service(db, wl.notes, today())
    assert note.body == "客户 王女士 要求回电"


def test_a_note_that_starts_like_a_command_is_written_after_a_double_dash(db: Path) -> None:
    assert run(db, "log", "--", "today", "进线量大").exit_code == 0
    assert [n.body for n in service(db, wl.notes, today())] == ["today 进线量大"]


def test_a_note_may_hold_words_that_look_like_numbers_or_dashes(db: Path) -> None:
    assert run(db, "log", "退款", "-1", "单", "—", "+2").exit_code == 0
    assert [n.body for n in service(db, wl.notes, today())] == ["退款 -1 单 — +2"]


def test_a_note_is_private_to_its_author(db: Path) -> None:
    run(db, "log", "只有我能看")
    assert "只有我能看" not in run(db, "log", "today", user="agent2").stdout
    assert "只有我能看" not in run(db, "log", "today", user="lead1").stdout


def test_an_unknown_option_is_a_usage_error_naming_it(db: Path) -> None:
    result = run(db, "log", "--bogus", "x")
    assert result.exit_code == 2
    assert "--bogus" in result.output and "cli log [OPTIONS] [WORDS]" in result.output


def test_log_without_arguments_shows_its_help(db: Path) -> None:
    result = run(db, "log")
    assert "--metric contacts +1" in result.output and "today" in result.output


# ── metrics ────────────────────────────────────────────────────────────────


def test_a_counter_is_bumped_up_and_down_with_plus_and_minus(db: Path) -> None:
    assert run(db, "log", "--metric", "contacts", "+1").stdout == "Contacts handled\t1 / 120\n"
    run(db, "log", "--metric", "contacts", "+2")
    result = run(db, "log", "--metric", "contacts", "-1")
    assert result.exit_code == 0, result.output
    assert result.stdout == "Contacts handled\t2 / 120\n"


def test_a_counter_never_goes_below_zero(db: Path) -> None:
    result = run(db, "log", "--metric", "contacts", "-1")
    assert result.exit_code == 1
    assert "below zero" in result.output


def test_a_value_is_set_with_its_unit(db: Path) -> None:
    assert run(db, "log", "-m", "satisfaction", "96.5").stdout == "Satisfaction\t96.5% / 95%\n"
    assert run(db, "log", "--metric", "handle_time", "3:20").stdout == (
        "Average handle time\t3m20s / 3m00s\n")
    assert run(db, "log", "--metric=contacts", "12").stdout == "Contacts handled\t12 / 120\n"


@pytest.mark.parametrize(("unit", "typed"), [(u, v) for u, vs in BAD.items() for v in vs
                                             if u in UNIT_METRIC and wl.parse_delta(v) is None])
def test_a_bad_value_exits_non_zero_with_the_example_of_what_is_accepted(db: Path, unit: str,
                                                                         typed: str) -> None:
    result = run(db, "log", "--metric", UNIT_METRIC[unit], "--", typed)
    assert result.exit_code == 1
    assert t(f"log.example.{unit}") in result.output


def test_a_bump_on_a_metric_that_is_not_a_count_is_refused(db: Path) -> None:
    result = run(db, "log", "--metric", "satisfaction", "+1")
    assert result.exit_code == 1
    assert "not a count" in result.output


def test_an_unknown_metric_is_refused_listing_the_metrics(db: Path) -> None:
    result = run(db, "log", "--metric", "nps", "9")
    assert result.exit_code == 1
    assert "nps" in result.output and "contacts" in result.output


def test_only_one_of_metric_remind_and_plan_is_taken_at_a_time(db: Path) -> None:
    result = run(db, "log", "--metric", "contacts", "--plan", "+1")
    assert result.exit_code == 2
    assert "--metric" in result.output


def test_metrics_lists_key_label_unit_direction_and_target(db: Path) -> None:
    lines = run(db, "log", "metrics").stdout.splitlines()
    assert lines[0] == "contacts\tContacts handled\tcount\tup\t120"
    assert "handle_time\tAverage handle time\tduration\tdown\t3m00s" in lines


def test_a_lead_adds_and_changes_a_metric(db: Path) -> None:
    result = run(db, "log", "metrics", "set", "wrap_time", "--label", "话后处理", "--unit",
                 "duration", "--direction", "down", "--target", "1m30s", user="lead1")
    assert result.stdout == "wrap_time\t话后处理\tduration\tdown\t1m30s\n"
    changed = run(db, "log", "metrics", "set", "wrap_time", "--target", "2:00", user="lead1")
    assert changed.stdout == "wrap_time\t话后处理\tduration\tdown\t2m00s\n"
    assert "wrap_time\t话后处理" in run(db, "log", "metrics").stdout


def test_an_agent_may_not_change_the_metrics(db: Path) -> None:
    result = run(db, "log", "metrics", "set", "contacts", "--target", "200")
    assert result.exit_code == 1
    assert "lead" in result.output


def test_a_bad_metric_target_is_refused_with_the_example(db: Path) -> None:
    result = run(db, "log", "metrics", "set", "satisfaction", "--target", "120", user="lead1")
    assert result.exit_code == 1
    assert t("log.example.percent") in result.output


def test_a_retired_metric_leaves_the_list(db: Path) -> None:
    assert run(db, "log", "metrics", "retire", "callbacks", user="lead1").exit_code == 0
    assert "callbacks" not in run(db, "log", "metrics").stdout


# ── reminders and plans ────────────────────────────────────────────────────


def test_a_reminder_is_set_and_listed_on_todays_page(db: Path) -> None:
    result = run(db, "log", "--remind", "+30m", "回电", "王女士")
    assert result.exit_code == 0, result.output
    assert result.stdout.endswith("\t回电 王女士\n")
    page = run(db, "log", "today").stdout
    assert "Reminders" in page and "回电 王女士" in page


@pytest.mark.parametrize("when", ["25:99", "明天", "+3d"])
def test_an_unreadable_reminder_time_exits_non_zero_with_examples(db: Path, when: str) -> None:
    result = run(db, "log", "--remind", when, "回电")
    assert result.exit_code == 1
    assert "15:30" in result.output and "+30m" in result.output


def test_a_plan_item_is_added_for_today(db: Path) -> None:
    result = run(db, "log", "--plan", "回访 3 位差评客户")
    assert re.fullmatch(rf"#\d+\t{today().isoformat()}\t回访 3 位差评客户\n", result.stdout)
    assert "[ ] #" in run(db, "log", "today").stdout


def test_a_month_plan_belongs_to_the_month(db: Path) -> None:
    result = run(db, "log", "--plan", "--month", "满意度提升到", "97%")
    assert f"\t{today().isoformat()[:7]}\t满意度提升到 97%" in result.stdout


# ── today ──────────────────────────────────────────────────────────────────


def test_today_prints_metrics_against_targets_plans_with_age_and_notes(db: Path) -> None:
    service(db, wl.add_plan, "昨天没做完", now=datetime.now(UTC) - timedelta(days=1))
    run(db, "log", "--metric", "contacts", "+5")
    run(db, "log", "--metric", "satisfaction", "96")
    run(db, "log", "备注一条")
    page = run(db, "log", "today").stdout
    lines = page.splitlines()
    assert lines[0] == f"Daily report · agent1 · {today().isoformat()}"
    assert re.search(r"Contacts handled +5 / 120\n", page)  # still counting: no mark yet
    assert re.search(r"Satisfaction +96% / 95% ✓", page)
    assert re.search(r"\[ \] #\d+ 昨天没做完  \(carried over 1 d\)", page)
    assert "(0 of 1 done)" in page
    assert re.search(r"\d\d:\d\d  备注一条", page)
    assert "0 scripts copied" in page


def test_today_with_a_bad_date_exits_non_zero_with_the_format(db: Path) -> None:
    result = run(db, "log", "today", "--day", "23/11/2026")
    assert result.exit_code == 2
    assert "2026-11-23" in result.output


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_shown_literally_on_todays_page(db: Path, text: str) -> None:
    assert run(db, "log", text).exit_code == 0
    assert run(db, "log", "--plan", text).exit_code == 0
    page = run(db, "log", "today").stdout
    assert not CONTROL.search(page.replace("\n", ""))
    assert page.count(printable(text)) == 2
    if "[bold red]" in text:
        assert "[bold red]不要渲染[/]" in page


# ── export ─────────────────────────────────────────────────────────────────


def export(db: Path, *args: str) -> Result:
    return run(db, "log", "export", "--from", (today() - timedelta(days=1)).isoformat(),
               "--to", (today() + timedelta(days=1)).isoformat(), *args)


def test_export_prints_a_markdown_daily_report(db: Path) -> None:
    run(db, "log", "--metric", "contacts", "+3")
    run(db, "log", "--plan", "整理退款单")
    run(db, "log", "客户王女士要求周五前回电")
    result = export(db)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"# Daily report · agent1 · {today().isoformat()}\n")
    for part in ("- Contacts handled: 3 / 120\n", "- [ ] 整理退款单", "客户王女士要求周五前回电"):
        assert part in result.stdout


def test_export_csv_to_a_file_has_one_row_a_day(db: Path, tmp_path: Path) -> None:
    run(db, "log", "--metric", "contacts", "+3")
    target = tmp_path / "log.csv"
    result = export(db, "--format", "csv", "-o", str(target))
    assert result.exit_code == 0, result.output
    assert str(target) in result.output
    (row,) = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig"))))
    assert (row["day"], row["contacts"]) == (today().isoformat(), "3")


def test_export_in_chinese_uses_the_daily_report_headings(db: Path) -> None:
    run(db, "log", "随手记一条")
    result = run(db, "--lang", "zh_CN", "log", "export", "--from", today().isoformat(),
                 "--to", today().isoformat())
    assert "# 工作日报 · agent1 ·" in result.stdout and "## 随手记" in result.stdout


@pytest.mark.parametrize(("first", "last", "code", "expected"), [
    ("2026-13-01", "2026-12-01", 2, "2026-11-23"),
    ("yesterday", "2026-12-01", 2, "2026-11-23"),
    ("2026-12-01", "2026-11-01", 1, "2026-12-01"),
    ("2024-01-01", "2026-01-01", 1, "367"),
])
def test_a_bad_export_range_exits_non_zero_saying_what_is_accepted(db: Path, first: str,
                                                                  last: str, code: int,
                                                                  expected: str) -> None:
    result = run(db, "log", "export", "--from", first, "--to", last)
    assert result.exit_code == code
    assert expected in result.output


def test_export_to_an_unwritable_path_says_so(db: Path, tmp_path: Path) -> None:
    result = export(db, "-o", str(tmp_path / "missing" / "log.md"))
    assert result.exit_code == 1
    assert "Could not write" in result.output


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_text_is_exported_literally(db: Path, text: str) -> None:
    run(db, "log", text)
    run(db, "log", "--plan", text)
    service(db, wl.save_reflection, today(), 0, business=text, teamwork="", learnings="")
    result = export(db)
    assert not CONTROL.search(result.stdout.replace("\n", ""))
    assert result.stdout.count(printable(text)) >= 2


# ── start-up ───────────────────────────────────────────────────────────────


# Tables the quick captures may build: the work log's and those it points to.
LOG_TABLES = {"user", "meta", "shift", "metric_def", "daily_log", "metric_value",
              "log_note", "plan_item", "reminder"}


@pytest.mark.parametrize("args", [
    ["快速记录"], ["--metric", "contacts", "+1"], ["--metric", "satisfaction", "96"],
    ["--remind", "+30m", "回电"], ["--plan", "回访"], ["--plan", "--month", "降低退货率"],
], ids=["note", "bump", "value", "remind", "plan", "month"])
def test_the_quick_captures_load_no_terminal_ui_heavy_library_or_other_tables(
        db: Path, args: list[str]) -> None:
    code = (
        "import sys, json\n"
        f"sys.argv = ['cscterm', '--db', {str(db)!r}, '--user', 'agent1', 'log', *{args!r}]\n"
        "from cscterm.launch import main\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "from sqlmodel import SQLModel\n"
        "heavy = ['textual', 'rich', 'alembic', 'pypinyin', 'yaml']\n"
        "print(json.dumps([sorted(m for m in heavy if m in sys.modules),\n"
        "                  sorted(SQLModel.metadata.tables)]))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True)
    heavy, tables = json.loads(done.stdout.splitlines()[-1])
    assert heavy == []
    assert set(tables) <= LOG_TABLES
    if args == ["快速记录"]:
        assert [n.body for n in service(db, wl.notes, today())] == ["快速记录"]


def test_metric_without_a_key_is_a_usage_error(db: Path) -> None:
    result = run(db, "log", "--metric")
    assert result.exit_code == 2
    assert "requires an argument" in result.output
