"""Snapshots of the work log's day page (F8), named by the state they show,
at 80×24 and 120×40.

The screen's clock is stopped at 10:20 on 2030-03-12 (UTC, the tests' time
zone: the early shift); everything on the page is made through the service
at fixed times before it, so the page is the same on every run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cscterm.services import worklog

from .helpers import LARGE, SMALL, acting
from .test_worklog_flows import open_log, stop_log_clock

ZH_80 = pytest.param("zh_CN", SMALL, id="zh_80x24")
ZH_120 = pytest.param("zh_CN", LARGE, id="zh_120x40")
EN_120 = pytest.param("en", LARGE, id="en_120x40")

NOW = datetime(2030, 3, 12, 10, 20, tzinfo=UTC)
TODAY = NOW.date()


def at(hh: int, mm: int) -> datetime:
    return datetime(2030, 3, 12, hh, mm, tzinfo=UTC)


def _a_busy_morning(db_path) -> None:
    """Figures kept since 08:00, two notes, a plan item carried from two
    days ago, one done, a monthly key plan and two reminders (one due)."""
    with acting(db_path) as (session, actor):
        for key, value in (("contacts", "86"), ("handle_time", "2m30s"),
                           ("satisfaction", "93")):
            worklog.set_value(session, actor, key, value, day=TODAY, now=at(10, 0))
        worklog.add_plan(session, actor, "整理退款话术", day=TODAY - timedelta(days=2))
        worklog.carry_over(session, actor, TODAY - timedelta(days=1))
        done = worklog.add_plan(session, actor, "回访昨天的三位投诉客户", day=TODAY)
        worklog.set_plan_status(session, actor, done.id, "done", now=at(9, 40))
        worklog.add_plan(session, actor, "学习新的售后政策", day=TODAY)
        worklog.add_plan(session, actor, "满意度稳定在 95% 以上", kind="month", day=TODAY)
        worklog.add_note(session, actor, "8812 王女士要求下午三点后回电", now=at(8, 35))
        worklog.add_note(session, actor, "[bold]物流[/] 系统 9:40 恢复", now=at(9, 50))
        worklog.add_reminder(session, actor, "10:10", "核对 5521 的退款进度", now=at(9, 0))
        worklog.add_reminder(session, actor, "15:00", "给王女士回电（订单 8812）", now=at(8, 36))
        log = worklog.day_page(session, actor, TODAY, now=NOW, carry=False).reflection
        worklog.save_reflection(session, actor, TODAY, log.version or 1,
                                business="退款咨询偏多，平均时长下降", teamwork="", learnings="",
                                now=at(10, 5))


async def _page(pilot) -> None:
    await open_log(pilot.app, pilot)


@pytest.mark.parametrize(("lang", "size"), [ZH_80, ZH_120, EN_120])
def test_day_page_with_figures_a_carried_plan_reminders_and_notes(
        snap_compare, make_app, db_path, run_before, monkeypatch, lang, size):
    stop_log_clock(monkeypatch, NOW)
    app = make_app(lang, size=size)
    _a_busy_morning(db_path)
    assert snap_compare(app, terminal_size=size, run_before=run_before(_page))
