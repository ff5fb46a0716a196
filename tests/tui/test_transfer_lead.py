"""The lead's transfer overview: waiting, claimed, returned, escalated,
breaches and bounces, by keyboard; reassigning, reading a transfer with its
personal data masked, exporting the range as CSV.

The screen's clock is stopped at 09:00 on 2026-11-24 (UTC, the tests' time
zone); every transfer is created, sent, claimed and returned through the
service at fixed times, so what is late and by how much is the same on
every run.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input

from cscterm.services import checklists, users
from cscterm.services import transfer as tr

from .helpers import LARGE, SMALL, acting, paste_text, screen_text, settle, started

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
PHONE = "13812345678"
MASKED = "138****5678"


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def refund(order: str, problem: str = "杯盖漏水，要退") -> dict[str, object]:
    """A complete 退货退款 checklist (30 min to accept, 24 h to resolve)."""
    return {"identity": True, "order": order, "phone": PHONE, "product": "保温杯 500ml ×2",
            "problem": problem, "reason": "质量问题", "received": "已签收", "promised": "无",
            "mood": "着急"}


def vip(order: str) -> dict[str, object]:
    """A complete VIP / 投诉风险客户 checklist (10 min to accept, 4 h to resolve)."""
    return {"identity": True, "order": order, "phone": "13987654321", "risk": "扬言投诉 12315",
            "history": "三天内第二次来电", "problem": "今天不处理就投诉", "demand": "今天给答复",
            "promised": "十分钟内售后回电", "lead_informed": True, "mood": "愤怒"}


# A template for another queue, whose subject shows personal data (masked in lists).
CALLBACK = """\
format: cscterm-checklist/1
key: callback
name: 回访
queue: 回访组
sla:
  accept: 1h
  resolve: 2h
subject: "{phone} {name}"
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


def send(db_path: Path, sender: str, template: str, values: dict[str, object],
         when: datetime) -> int:
    with acting(db_path, sender) as (session, actor):
        view = tr.create(session, actor, template, values=values, now=when)
        return tr.send(session, actor, view.id, view.version, now=when).id


def take(db_path: Path, who: str, transfer_id: int, when: datetime) -> None:
    with acting(db_path, who) as (session, actor):
        tr.take(session, actor, transfer_id, now=when)


def bounce(db_path: Path, who: str, transfer_id: int, when: datetime,
           reason: str = "missing_info") -> None:
    with acting(db_path, who) as (session, actor):
        view = tr.get_transfer(session, actor, transfer_id, now=when)
        tr.return_to_sender(session, actor, transfer_id, view.version, reason,
                            "收货地址不完整，请补门牌号", items=["product"], now=when)


def resend(db_path: Path, who: str, transfer_id: int, when: datetime) -> None:
    with acting(db_path, who) as (session, actor):
        view = tr.get_transfer(session, actor, transfer_id, now=when)
        tr.send(session, actor, transfer_id, view.version, now=when)


def seed(db_path: Path) -> None:
    """wang leads; li and sun are pre-sale, zhou and chen after-sale (售后).

    #1 waiting 10 min (ok) · #2 waiting 25 of 30 min (warning) · #3 VIP
    waiting 20 of 10 min (breach) · #4 claimed 23 of 24 h (warning) · #5 VIP
    claimed 5 of 4 h (breach) · #6 returned twice (escalated) · #7 returned
    once · #8 resolved on the 22nd · #9 waiting in the 回访组 queue.
    """
    with acting(db_path) as (session, lead):
        for login in ("li", "sun", "zhou", "chen"):
            users.identify(session, login)
        users.set_team(session, lead, "zhou", "售后")
        users.set_team(session, lead, "chen", "售后")
        checklists.save_source(session, lead, CALLBACK)
    send(db_path, "li", "refund", refund("2026112300000001"), at(24, 8, 50))
    send(db_path, "sun", "refund", refund("2026112300000002", "发错颜色"), at(24, 8, 35))
    send(db_path, "li", "vip_risk", vip("2026112300000003"), at(24, 8, 40))
    four = send(db_path, "sun", "refund", refund("2026112300000004", "少发一个"), at(23, 10))
    take(db_path, "zhou", four, at(23, 10, 10))
    five = send(db_path, "li", "vip_risk", vip("2026112300000005"), at(24, 4))
    take(db_path, "chen", five, at(24, 4, 5))
    six = send(db_path, "li", "refund", refund("2026112300000006", "[bold]退款[/] 未到账"),
               at(23, 14))
    take(db_path, "zhou", six, at(23, 14, 5))
    bounce(db_path, "zhou", six, at(23, 14, 20))
    resend(db_path, "li", six, at(23, 14, 40))
    bounce(db_path, "zhou", six, at(23, 15), "wrong_info")
    seven = send(db_path, "sun", "refund", refund("2026112300000007", "拆封后不想要了"),
                 at(24, 7, 30))
    take(db_path, "chen", seven, at(24, 7, 40))
    bounce(db_path, "chen", seven, at(24, 8))
    eight = send(db_path, "li", "refund", refund("2026112300000008"), at(22, 9))
    take(db_path, "zhou", eight, at(22, 9, 10))
    with acting(db_path, "zhou") as (session, actor):
        view = tr.get_transfer(session, actor, eight, now=at(22, 12))
        tr.resolve(session, actor, eight, view.version, "refunded", "已原路退款", now=at(22, 12))
    send(db_path, "li", "callback", {"name": "王小红", "phone": "13700001111"}, at(24, 8, 55))


async def open_overview(app, pilot, now: datetime = NOW) -> None:  # noqa: ANN001
    from cscterm.tui.screens.transfer_lead import TransferLeadScreen

    await settle(app, pilot)
    app.push_screen(TransferLeadScreen(now=now))
    await settle(app, pilot)


async def press(app, pilot, *keys: str) -> None:  # noqa: ANN001
    for key in keys:
        await pilot.press(key)
        await settle(app, pilot)


def ids(app) -> list[int]:  # noqa: ANN001
    return [row.id for row in app.screen.shown]


def rows(app) -> list[str]:  # noqa: ANN001
    table = app.screen.query_one("#trl-table", DataTable)
    return [" ".join(str(c) for c in table.get_row_at(n)) for n in range(table.row_count)]


def tally(app, which: str) -> list[list[str]]:  # noqa: ANN001
    table = app.screen.query_one(f"#trl-by-{which}", DataTable)
    return [[str(c).strip() for c in table.get_row_at(n)] for n in range(table.row_count)]


async def highlight(app, pilot, transfer_id: int) -> None:  # noqa: ANN001
    table = app.screen.query_one("#trl-table", DataTable)
    table.move_cursor(row=ids(app).index(transfer_id))
    await pilot.pause()


def detail_text(app) -> str:  # noqa: ANN001
    """The whole of the open transfer, scrolled or not, as plain text."""
    return app.screen.query_one("#trl-detail-text").content.plain


def notes(app) -> list[str]:  # noqa: ANN001
    return [message for _severity, message in app.test_notes]


async def test_the_overview_opens_on_waiting_transfers_oldest_first(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        assert ids(app) == [2, 3, 1, 9]
        shown = rows(app)
        assert "5m left" in shown[0]  # 25 of 30 min: a warning
        assert "⚠ 10m over" in shown[1]  # 20 of 10 min: breached
        assert "20m left" in shown[2]
        assert "137****1111 王**" in shown[3] and "13700001111" not in shown[3]
        header = screen_text(app)
        assert "Waiting 4" in header and "Breached now 2" in header
        assert "Escalated 1" in header and "Resolved in range 1" in header


async def test_views_switch_with_number_keys(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        seen = {}
        for key in "234521":
            await press(app, pilot, key)
            seen[app.screen.view] = ids(app) if app.screen.view != "bounces" else None
        assert seen["claimed"] == [4, 5]
        assert seen["returned"] == [6, 7]  # longest with the sender first
        assert seen["escalated"] == [6]
        assert seen["breaches"] == [5, 3]
        assert seen["sent"] == [2, 3, 1, 9]
        assert app.screen.query_one("#trl-table").display


async def test_6_shows_bounces_per_template_and_per_sender(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        await press(app, pilot, "6")
        assert not app.screen.query_one("#trl-table").display
        by_template = tally(app, "template")
        assert by_template[0] == ["退货退款", "6", "3", "1"]
        assert ["VIP / 投诉风险客户", "2", "0", "0"] in by_template
        assert tally(app, "sender") == [["li", "6", "2", "1"], ["sun", "3", "1", "0"]]


async def test_g_changes_the_range_and_t_the_queue(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        screen = app.screen
        assert screen.lead.counts["resolved"] == 1
        await press(app, pilot, "g")  # the last 31 days
        assert screen.lead.first == date(2026, 10, 25)
        await press(app, pilot, "g")  # today: #8 was resolved on the 22nd
        assert (screen.lead.first, screen.lead.last) == (date(2026, 11, 24),) * 2
        assert screen.lead.counts["resolved"] == 0
        assert "today (11-24)" in screen_text(app)
        await press(app, pilot, "t")
        assert screen.queue_filter == "售后" and ids(app) == [2, 3, 1]
        await press(app, pilot, "t")
        assert screen.queue_filter == "回访组" and ids(app) == [9]
        assert screen.lead.counts["breached"] == 0
        await press(app, pilot, "t")
        assert screen.queue_filter is None and ids(app) == [2, 3, 1, 9]


async def test_r_reassigns_a_waiting_transfer_to_a_person(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        await highlight(app, pilot, 3)
        await press(app, pilot, "r")
        await paste_text(pilot, "zhou")
        await press(app, pilot, "enter")
        assert "#3 now goes to zhou." in notes(app)
        assert "→zhou" in rows(app)[ids(app).index(3)]
    with acting(db_path) as (session, lead):
        assert tr.get_transfer(session, lead, 3, now=NOW).row.to_user == "zhou"


async def test_reassigning_to_nobody_is_refused_with_a_notification(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        await press(app, pilot, "r")
        await paste_text(pilot, "nobody")
        await press(app, pilot, "enter")
        assert ("error", "Send to: nobody logs in as “nobody”.") in app.test_notes
        await press(app, pilot, "3", "r")  # a returned transfer cannot be reassigned
        assert any("only waiting or claimed" in n for n in notes(app))


async def test_enter_shows_the_transfer_with_the_phone_masked_until_p(make_app, db_path) -> None:
    from cscterm.tui.screens.transfer_lead import TransferDetail

    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        await press(app, pilot, "3")
        await highlight(app, pilot, 6)
        await press(app, pilot, "enter")
        assert isinstance(app.screen, TransferDetail)
        text = screen_text(app)
        assert MASKED in text and PHONE not in text
        assert "[bold]退款[/] 未到账" in text  # user text shown literally
        whole = detail_text(app)
        assert "escalated to the leads" in whole and "information wrong" in whole
        assert PHONE not in whole
        await press(app, pilot, "p")
        text = screen_text(app)
        assert PHONE in text and "Personal data is shown" in text
        await press(app, pilot, "p")
        assert PHONE not in screen_text(app) and PHONE not in detail_text(app)
        await press(app, pilot, "escape")
        assert not isinstance(app.screen, TransferDetail)


async def export(app, pilot, path: Path, personal: str) -> None:  # noqa: ANN001
    await press(app, pilot, "e")
    field = app.screen.query_one(Input)
    assert field.value == "~/cscterm-transfers-2026-11-18-2026-11-24.csv"
    field.value = ""
    await paste_text(pilot, str(path))
    await press(app, pilot, "enter", personal)


async def test_e_exports_the_range_masked_unless_asked(make_app, db_path, tmp_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    masked, plain = tmp_path / "masked.csv", tmp_path / "plain.csv"
    async with started(app) as pilot:
        await open_overview(app, pilot)
        await export(app, pilot, masked, "enter")
        await export(app, pilot, plain, "y")
    text = masked.read_text(encoding="utf-8-sig")
    assert MASKED in text and PHONE not in text
    with masked.open(encoding="utf-8-sig", newline="") as f:
        assert len(list(csv.DictReader(f))) == 9
    assert PHONE in plain.read_text(encoding="utf-8-sig")
    assert oct(masked.stat().st_mode & 0o777) == "0o600"
    said = notes(app)
    assert f"9 transfer(s) written to {masked} (personal data masked)." in said
    assert any(str(plain) in n and "WITH personal data" in n for n in said)


async def test_an_export_that_cannot_be_written_names_the_path(make_app, db_path,
                                                                tmp_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    target = tmp_path / "no-such-folder" / "out.csv"
    async with started(app) as pilot:
        await open_overview(app, pilot)
        await export(app, pilot, target, "enter")
        await press(app, pilot, "e", "escape")  # a second export, cancelled
    assert ("error", f"Could not write {target}: No such file or directory") in app.test_notes
    assert not target.exists()


async def test_the_overview_follows_new_transfers(make_app, db_path, monkeypatch) -> None:
    from cscterm.tui.screens import transfer_lead

    monkeypatch.setattr(transfer_lead, "LIVE_INTERVAL", 0.0)
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_overview(app, pilot)
        assert app.screen in app.live_views
        new = send(db_path, "sun", "refund", refund("2026112300000010"), at(24, 8, 58))
        app.screen.transfers_changed()
        await settle(app, pilot)
        assert ids(app)[-1] == new


async def test_an_agent_is_told_the_overview_is_for_leads(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE, user="li")
    async with started(app) as pilot:
        await open_overview(app, pilot)
        assert "The transfer overview and export are for leads." in screen_text(app)


@pytest.mark.parametrize(("lang", "size", "view"), [
    pytest.param("zh_CN", SMALL, "1", id="zh_80x24_waiting"),
    pytest.param("en", LARGE, "1", id="en_120x40_waiting"),
    pytest.param("en", SMALL, "5", id="en_80x24_breaches"),
    pytest.param("zh_CN", SMALL, "6", id="zh_80x24_bounces"),
    pytest.param("en", LARGE, "6", id="en_120x40_bounces"),
])
def test_transfer_overview_snapshot(snap_compare, make_app, db_path, run_before, lang, size,
                                    view) -> None:
    from cscterm.tui.screens.transfer_lead import TransferLeadScreen

    app = make_app(lang, size=size)
    seed(db_path)

    async def push(pilot) -> None:  # noqa: ANN001
        app.push_screen(TransferLeadScreen(now=NOW))

    # The cursor on the last row: the others show their clocks' colours.
    assert snap_compare(app, terminal_size=size, run_before=run_before(push, view, "ctrl+end"))


def test_transfer_detail_masked_snapshot(snap_compare, make_app, db_path, run_before) -> None:
    from cscterm.tui.screens.transfer_lead import TransferLeadScreen

    app = make_app("zh_CN", size=LARGE)
    seed(db_path)

    async def push(pilot) -> None:  # noqa: ANN001
        app.push_screen(TransferLeadScreen(now=NOW))

    assert snap_compare(app, terminal_size=LARGE, run_before=run_before(push, "3", "enter"))
