"""The lead's handover queue: late acknowledgements, overdue items, items
rolled over again and again, every shift's status — by keyboard."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import DataTable

from cscterm.services import handover as ho, users

from .helpers import LARGE, SMALL, acting, settle, started

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # TUI tests run with TZ=UTC
ZONE = ZoneInfo("UTC")
HOSTILE = "[bold red]别渲染[/] \x1b[31m红\x1b[0m"


def seed(db_path) -> None:
    """Team default: li's early note of the 23rd acknowledged 50 min late by
    zhou, li's middle note never acknowledged, with overdue items; team B:
    zhao's night note, not yet acknowledged an hour into the early shift."""
    with acting(db_path) as (session, lead):
        li = users.identify(session, "li")
        zhou = users.identify(session, "zhou")
        users.identify(session, "zhao")
        zhao = users.set_team(session, lead, "zhao", "B")
    def note(author, when, items, summary, overall="busy"):  # noqa: ANN001, ANN202
        with acting(db_path, author.login) as (session, actor):
            view = ho.start_handover(session, actor, now=when, zone=ZONE)
            view = ho.save_draft(session, actor, view.id, view.version, overall=overall,
                                 summary=summary, watchouts="", items=items, now=when, zone=ZONE)
            return ho.submit(session, actor, view.id, view.version, now=when)

    early = note(li, datetime(2026, 11, 23, 15, 0, tzinfo=UTC),
                 [ho.ItemInput("订单 8812", "客户要求回电", "回电王女士", "2026-11-23 16:30")],
                 "进线量大，退款积压 12 单")
    with acting(db_path, "zhou") as (session, actor):
        ho.acknowledge(session, actor, early.id, "先回电王女士",
                       {i.id: ho.ItemDecision(True) for i in early.items},
                       now=datetime(2026, 11, 23, 16, 50, tzinfo=UTC))
    note(li, datetime(2026, 11, 23, 23, 0, tzinfo=UTC),
         [ho.ItemInput("王女士 138****1234", HOSTILE, "跟进改派", "2026-11-24 01:00")],
         HOSTILE, overall="incident")
    note(zhao, datetime(2026, 11, 24, 7, 0, tzinfo=UTC), [], "夜里很平静", overall="normal")
    del zhou


async def open_queue(app, pilot) -> None:  # noqa: ANN001
    from cscterm.tui.screens.handover_queue import LeadQueueScreen

    await settle(app, pilot)
    app.push_screen(LeadQueueScreen(now=NOW))
    await settle(app, pilot)


def rows(app) -> list[str]:  # noqa: ANN001
    table = app.screen.query_one(DataTable)
    return [" ".join(str(c) for c in table.get_row_at(n)) for n in range(table.row_count)]


async def test_the_queue_opens_on_late_acknowledgements(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_queue(app, pilot)
        shown = rows(app)
        # acknowledged 50 min late; never acknowledged (9 h and 1 h past the shift start)
        assert len(shown) == 3
        assert any("zhou" in r and "+50m" in r for r in shown)
        assert sum("+9h" in r or "+1h" in r for r in shown) == 2


async def test_views_switch_with_number_keys(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_queue(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        assert any("8812" in r for r in rows(app))
        await pilot.press("4")
        await settle(app, pilot)
        assert len(rows(app)) == 3


async def test_t_narrows_the_queue_to_one_team(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_queue(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        seen = []
        for _ in range(3):
            await pilot.press("t")
            await settle(app, pilot)
            seen.append(len(rows(app)))
        assert sorted(seen) == [1, 2, 3]  # team B, team default, all again


async def test_r_reassigns_an_overdue_item(make_app, db_path) -> None:
    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_queue(app, pilot)
        await pilot.press("2")
        await settle(app, pilot)
        await pilot.press("r")
        await settle(app, pilot)
        for ch in "li":
            await pilot.press(ch)
        await pilot.press("enter")
        await settle(app, pilot)
    with acting(db_path) as (session, lead):
        owners = {i.reference: i.owner_login for i in ho.lead_queue(
            session, lead, first=NOW.date() - timedelta(days=6), last=NOW.date(), now=NOW).overdue}
    assert "li" in owners.values()


async def test_enter_opens_the_note_and_shows_hostile_text_literally(make_app, db_path) -> None:
    from .helpers import screen_text

    app = make_app(lang="en", size=LARGE)
    seed(db_path)
    async with started(app) as pilot:
        await open_queue(app, pilot)
        await pilot.press("4")
        await settle(app, pilot)
        for _ in range(3):
            if "别渲染" in rows(app)[app.screen.query_one(DataTable).cursor_row]:
                break
            await pilot.press("down")
        await pilot.press("enter")
        await settle(app, pilot)
        text = screen_text(app)
        assert "[bold red]别渲染[/]" in text
        assert "\x1b[31m红" not in text and "␛[31m" in text


@pytest.mark.parametrize(("lang", "size", "view"), [
    pytest.param("zh_CN", SMALL, "1", id="zh_80x24_late"),
    pytest.param("en", LARGE, "1", id="en_120x40_late"),
    pytest.param("zh_CN", SMALL, "2", id="zh_80x24_overdue"),
    pytest.param("en", LARGE, "4", id="en_120x40_shifts"),
    pytest.param("zh_CN", LARGE, "4", id="zh_120x40_shifts"),
])
def test_lead_queue_snapshot(snap_compare, make_app, db_path, run_before, lang, size, view) -> None:
    from cscterm.tui.screens.handover_queue import LeadQueueScreen

    app = make_app(lang, size=size)
    seed(db_path)

    async def push(pilot) -> None:  # noqa: ANN001
        app.push_screen(LeadQueueScreen(now=NOW))

    assert snap_compare(app, terminal_size=size, run_before=run_before(push, view))
