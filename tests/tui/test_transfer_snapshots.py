"""Snapshots of transfers to after-sale (F7), named by the state they show,
at 80×24 and 120×40.

The screens' clock is stopped at 15:40 on 2026-11-24 (UTC, the tests' time
zone); the transfers are made through the service at fixed times before it,
so every clock shown (time left, amber at 80 % of the service level, red ⚠
past it) is the same on every run.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cscterm.services import transfer

from .helpers import AGENT, LARGE, LEAD, SMALL, acting, wait_until
from .test_transfer_flows import ORDER, REFUND, after_sale, highlight, open_transfers

ZH_80 = pytest.param("zh_CN", SMALL, id="zh_80x24")
ZH_120 = pytest.param("zh_CN", LARGE, id="zh_120x40")
EN_120 = pytest.param("en", LARGE, id="en_120x40")

NOW = datetime(2026, 11, 24, 15, 40, tzinfo=UTC)


def at(hh: int, mm: int, days: int = 0) -> datetime:
    return datetime(2026, 11, 24, hh, mm, tzinfo=UTC) - timedelta(days=days)


def stop_the_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    from cscterm.tui.screens import transfer as screens

    monkeypatch.setattr(screens, "clock", lambda: NOW)


def _sent(db_path, key: str, values: dict[str, object], when: datetime, *,
          user: str = LEAD) -> int:
    with acting(db_path, user) as (session, actor):
        view = transfer.create(session, actor, key, now=when)
        view = transfer.save_draft(session, actor, view.id, view.version, values, now=when)
        return transfer.send(session, actor, view.id, view.version, now=when).id


def _template_values(db_path, key: str, overrides: dict[str, object]) -> dict[str, object]:
    """Every item of template ``key`` filled in plausibly, then ``overrides``."""
    from cscterm.services import checklists

    with acting(db_path) as (session, _actor):
        template = checklists.get_template(session, key)
    values: dict[str, object] = {}
    for item in template.items:
        if item.kind == "check":
            values[item.key] = True
        elif item.kind == "choice":
            values[item.key] = item.choices[0]
        elif item.kind in ("order", "phone"):
            values[item.key] = item.example
        elif item.kind == "datetime":
            values[item.key] = "+2h"
        else:
            values[item.key] = "无"
    return {**values, **overrides}


def _claim(db_path, transfer_id: int, when: datetime, user: str = AGENT) -> None:
    with acting(db_path, user) as (session, actor):
        transfer.take(session, actor, transfer_id, now=when)


def _queue_with_clocks(db_path) -> None:
    """In ``li``'s queue: one past its half hour, one at 83 %, one just in;
    claimed by ``li``: one at 92 % of four hours, one three days old."""
    after_sale(db_path, AGENT)

    def values(key: str, **overrides: object) -> dict[str, object]:
        return _template_values(db_path, key, overrides)

    _sent(db_path, "refund", {**REFUND, "order": ORDER}, at(15, 0))
    _sent(db_path, "quality", values("quality", product="电热水壶 1.7L 白色"), at(15, 15))
    _sent(db_path, "logistics", values("logistics", problem="物流三天没更新"), at(15, 35))
    vip = _sent(db_path, "vip_risk", values("vip_risk", problem="第三次来电，要投诉到平台"),
                at(12, 0))
    _claim(db_path, vip, at(12, 5))
    repair = _sent(db_path, "install_repair", values("install_repair", product="格力空调 1.5 匹"),
                   at(10, 0, days=3))
    _claim(db_path, repair, at(11, 0, days=3))


def _returned_and_resent(db_path) -> int:
    """``wang`` sent a refund at 14:02; ``li`` claimed it at 14:10 and
    returned it at 14:20 (the phone number is wrong); ``wang`` fixed it and
    resent it at 14:35. Another, returned at 15:30, still waits for him."""
    after_sale(db_path, AGENT)
    with acting(db_path, LEAD) as (session, actor):
        view = transfer.create(session, actor, "refund", now=at(14, 0))
        view = transfer.save_draft(session, actor, view.id, view.version,
                                   {**REFUND, "order": ORDER, "phone": "13800000000"},
                                   now=at(14, 1))
        transfer_id = transfer.send(session, actor, view.id, view.version, now=at(14, 2)).id
    _claim(db_path, transfer_id, at(14, 10))
    with acting(db_path, AGENT) as (session, actor):
        view = transfer.get_transfer(session, actor, transfer_id, now=at(14, 20))
        transfer.return_to_sender(session, actor, transfer_id, view.version, "wrong_info",
                                  "电话是空号，请和客户再核对一次", items=["phone"], now=at(14, 20))
    with acting(db_path, LEAD) as (session, actor):
        view = transfer.get_transfer(session, actor, transfer_id, now=at(14, 34))
        view = transfer.save_draft(session, actor, transfer_id, view.version,
                                   {"phone": "13912345678"}, now=at(14, 34))
        transfer.send(session, actor, transfer_id, view.version, now=at(14, 35))
    other = _sent(db_path, "quality", _template_values(db_path, "quality", {
        "problem": "壶底生锈"}), at(15, 0))
    _claim(db_path, other, at(15, 10))
    with acting(db_path, AGENT) as (session, actor):
        view = transfer.get_transfer(session, actor, other, now=at(15, 30))
        transfer.return_to_sender(session, actor, other, view.version, "missing_info",
                                  "缺少商品照片", now=at(15, 30))
    return transfer_id


def _draft_half_filled(db_path) -> None:
    """``wang``'s refund draft: identity checked, an order number too short,
    the product and the customer's words; the rest empty."""
    with acting(db_path, LEAD) as (session, actor):
        view = transfer.create(session, actor, "refund", now=at(15, 30))
        transfer.save_draft(session, actor, view.id, view.version, {
            "identity": True, "order": "20261123", "product": "保温杯 500ml 藏青色 ×2",
            "problem": "杯盖漏水，要退货"}, now=at(15, 31))


async def _inbox(pilot) -> None:
    await open_transfers(pilot.app, pilot)


async def _edit_and_send(pilot) -> None:
    from cscterm.tui.screens.transfer import TransferEditor

    await pilot.press("e")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, TransferEditor), "editor")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: pilot.app.screen.problems, "the refusal marked")


def _read_to_the_end(transfer_id: int):
    """Highlight the transfer among those sent, Enter into its detail, End."""
    async def step(pilot) -> None:
        await highlight(pilot.app, pilot, "sent", lambda row: row.id == transfer_id)
        await pilot.press("enter", "end")

    return step


def _snap(snap_compare, app, size, *steps, run_before) -> None:
    assert snap_compare(app, terminal_size=size, run_before=run_before(*steps))


@pytest.mark.parametrize(("lang", "size"), [ZH_80, ZH_120, EN_120])
def test_queue_with_clocks_in_warning_and_breach(snap_compare, make_app, db_path, run_before,
                                                 monkeypatch, lang, size):
    stop_the_clock(monkeypatch)
    app = make_app(lang, user=AGENT, size=size)
    _queue_with_clocks(db_path)
    _snap(snap_compare, app, size, _inbox, run_before=run_before)


@pytest.mark.parametrize(("lang", "size"), [ZH_80, ZH_120])
def test_editor_with_the_send_refused(snap_compare, make_app, db_path, run_before, monkeypatch,
                                      lang, size):
    stop_the_clock(monkeypatch)
    app = make_app(lang, size=size)
    _draft_half_filled(db_path)
    _snap(snap_compare, app, size, _inbox, _edit_and_send, run_before=run_before)


@pytest.mark.parametrize(("lang", "size"), [ZH_80, ZH_120])
def test_detail_with_the_timeline_after_a_return_and_resend(snap_compare, make_app, db_path,
                                                           run_before, monkeypatch, lang, size):
    stop_the_clock(monkeypatch)
    app = make_app(lang, size=size)
    transfer_id = _returned_and_resent(db_path)
    _snap(snap_compare, app, size, _inbox, _read_to_the_end(transfer_id), run_before=run_before)
