"""Snapshots of the shift handover (F6), named by the state they show, at
80×24 and 120×40, in Chinese and English.

The screens' clock is stopped at 15:40 on 2026-11-24 (UTC, the tests' time
zone), near the end of the early shift (08:00–16:00); the notes are written
through the service at fixed times of that day, so every time shown, what is
overdue and what waits in the inbox is the same on every run.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from .helpers import (
    AGENT,
    LARGE,
    LEAD,
    SMALL,
    Paste,
    add_logins,
    item_input,
    open_handover,
    stop_the_clock,
    submit_handover,
    wait_until,
)

ZH_80 = pytest.param("zh_CN", SMALL, id="zh_80x24")
ZH_120 = pytest.param("zh_CN", LARGE, id="zh_120x40")
EN_80 = pytest.param("en", SMALL, id="en_80x24")
EN_120 = pytest.param("en", LARGE, id="en_120x40")
EVERY = [ZH_80, ZH_120, EN_80, EN_120]

NOW = datetime(2026, 11, 24, 15, 40, tzinfo=UTC)  # the early shift's last twenty minutes
WRITTEN = datetime(2026, 11, 24, 15, 30, tzinfo=UTC)
EVENING = datetime(2026, 11, 24, 17, 0, tzinfo=UTC)  # the middle shift (16:00–24:00)


def _busy_early_shift(db_path, **fields):
    """``wang``'s note for the early shift, waiting for the middle shift: one
    item overdue, one due in five minutes, one tonight and owned by ``li``."""
    add_logins(db_path, AGENT)
    items = fields.pop("items", [
        item_input("订单 88120031", "15:00", situation="客户催退款，已超时效",
                   next_action="回电王女士确认退款到账"),
        item_input("王女士 138****1234", "15:45", situation="投诉快递员态度",
                   next_action="跟进快递公司回复后回电"),
        item_input("订单 77310002", "21:00", situation="地址写错，已拦截",
                   next_action="确认改址成功后短信告知", owner=AGENT),
    ])
    return submit_handover(
        db_path, LEAD, now=WRITTEN, slot_at=WRITTEN, overall="busy", items=items,
        summary=fields.pop("summary", "进线量偏高，退款咨询占一半；14:00 系统卡顿约十分钟，已恢复。"),
        watchouts=fields.pop("watchouts", "今晚 20:00 起新满减规则生效，注意口径。"), **fields)


async def _inbox(pilot) -> None:
    await open_handover(pilot.app, pilot)


async def _acknowledging(pilot) -> None:
    from cscterm.tui.screens.handover import AckScreen

    await pilot.press("a")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, AckScreen), "AckScreen opened")


async def _writing(pilot) -> None:
    from cscterm.tui.screens.handover import HandoverEditor

    await pilot.press("w")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, HandoverEditor), "editor opened")


async def _item_form(pilot) -> None:
    from cscterm.tui.screens.handover import ItemForm

    await pilot.press("ctrl+o")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, ItemForm), "item form opened")


def _snap(snap_compare, app, size, *steps, run_before) -> None:
    assert snap_compare(app, terminal_size=size, run_before=run_before(*steps))


@pytest.mark.parametrize(("lang", "size"), EVERY)
def test_inbox_with_a_waiting_note_selected(snap_compare, make_app, db_path, run_before,
                                            monkeypatch, lang, size):
    stop_the_clock(monkeypatch, NOW)
    app = make_app(lang, user=AGENT, size=size)
    _busy_early_shift(db_path)
    _snap(snap_compare, app, size, _inbox, run_before=run_before)


@pytest.mark.parametrize(("lang", "size"), EVERY)
def test_acknowledging_with_one_item_accepted(snap_compare, make_app, db_path, run_before,
                                              monkeypatch, lang, size):
    stop_the_clock(monkeypatch, NOW)
    app = make_app(lang, user=AGENT, size=size)
    _busy_early_shift(db_path)
    _snap(snap_compare, app, size, _inbox, _acknowledging, Paste("先回电订单 88120031，再跟快递"),
          "enter", "a", run_before=run_before)


@pytest.mark.parametrize(("lang", "size"), EVERY)
def test_editor_with_a_rolled_over_item_and_a_new_one(snap_compare, make_app, db_path,
                                                      run_before, monkeypatch, lang, size):
    """``li`` wrote the early shift's note with one item still open; ``wang``
    writes the middle shift's: that item is rolled over, and he adds one."""
    stop_the_clock(monkeypatch, EVENING)
    app = make_app(lang, size=size)
    add_logins(db_path, AGENT)
    submit_handover(db_path, AGENT, now=WRITTEN, slot_at=WRITTEN, summary="平稳",
                    items=[item_input("订单 88120031", "16:30", situation="客户催退款",
                                      next_action="回电王女士确认退款到账")])
    _snap(snap_compare, app, size, _inbox, _writing, Paste("晚高峰排队 40 人，已申请加人。"),
          _item_form, Paste("订单 66120458"), "enter", Paste("催发货，仓库说明早出库"), "enter",
          Paste("明早 9 点前确认物流单号"), "enter", Paste("11-25 09:00"), "ctrl+s",
          # On to the items (a text area's cursor does not always stop blinking).
          "tab", run_before=run_before)


@pytest.mark.parametrize(("lang", "size"), [ZH_80, EN_120])
def test_item_form_shows_every_field(snap_compare, make_app, run_before, monkeypatch, lang, size):
    """All five fields of an item, with what each expects, fit at 80×24."""
    stop_the_clock(monkeypatch, EVENING)
    app = make_app(lang, size=size)
    _snap(snap_compare, app, size, _inbox, _writing, _item_form, Paste("订单 66120458"),
          run_before=run_before)


@pytest.mark.parametrize(("lang", "size"), [ZH_80, EN_120])
def test_inbox_with_hostile_text_shown_literally(snap_compare, make_app, db_path, run_before,
                                                 monkeypatch, lang, size):
    stop_the_clock(monkeypatch, NOW)
    app = make_app(lang, user=AGENT, size=size)
    hostile = ("[bold red]x[/] \x1b[31mred\x1b[0m \x1b]52;c;aGk=\x07"
               " [link=http://e.invalid]点我[/link]")
    _busy_early_shift(db_path, summary=hostile, watchouts="[@click=app.quit]quit[/] \x1b[2J",
                      items=[item_input("[red]订单[/red] \x1b[5m", "21:00", situation=hostile,
                                        next_action="\x1b]0;title\x07 [blink]回电[/blink]")])
    _snap(snap_compare, app, size, _inbox, run_before=run_before)
