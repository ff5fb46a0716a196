"""The work log (F8) driven from the keyboard: counting, typing a value,
a quick note, a plan ticked, a reminder firing and snoozed, the reflection
written and the day submitted, the reflection's draft offered back after a
restart, hostile text shown literally, and open reminders offered to the
handover note.

The screens' clock is stopped at 10:00 on 2030-03-12 (UTC, the tests' time
zone: the early shift), far from the real time, so the App's own reminder
watch never fires what the tests set.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from textual.content import Content
from textual.widgets import OptionList, Static, TextArea

from cscterm.services import worklog
from cscterm.tui.screens.worklog import ReflectionEditor, WorkLogScreen
from cscterm.tui.widgets.confirm import Confirm
from cscterm.tui.widgets.prompt import TextPrompt

from .helpers import (
    acting,
    paste_text,
    query_db,
    screen_text,
    settle,
    started,
    stop_the_clock,
    wait_until,
)

NOW = datetime(2030, 3, 12, 10, 0, tzinfo=UTC)
TODAY = NOW.date()


def stop_log_clock(monkeypatch: pytest.MonkeyPatch, moment: datetime = NOW) -> None:
    from cscterm.tui.screens import worklog as screens

    monkeypatch.setattr(screens, "clock", lambda: moment)


def _notes(app) -> list[str]:
    return [message for _severity, message in app.test_notes]


def _errors(app) -> list[str]:
    return [message for severity, message in app.test_notes if severity in ("error", "warning")]


def _plain(widget: Static) -> str:
    shown = widget.content
    return shown.plain if isinstance(shown, Content) else str(shown)


async def open_log(app, pilot) -> WorkLogScreen:
    """F8, then wait until the day page is shown."""
    await pilot.press("f8")
    await wait_until(pilot, lambda: isinstance(app.screen, WorkLogScreen)
                     and app.screen.loaded_version > 0, "the work log loaded")
    await settle(app, pilot)
    return app.screen  # type: ignore[return-value]


async def reloaded(app, pilot, screen: WorkLogScreen, before: int) -> None:
    await wait_until(pilot, lambda: screen.loaded_version > before, "the page read again")
    await settle(app, pilot)


async def answer(app, pilot, text: str) -> None:
    """Type ``text`` into the prompt on top and press Enter."""
    await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), "a prompt")
    await paste_text(pilot, text)
    await pilot.press("enter")
    await settle(app, pilot)


def _value(db_path, key: str) -> float | None:
    rows = query_db(db_path, "SELECT v.value FROM metric_value v JOIN metric_def d ON d.id = "
                             "v.metric_id WHERE d.key = ?", key)
    return rows[0][0] if rows else None  # type: ignore[return-value]


def _metric_index(screen: WorkLogScreen, key: str) -> int:
    assert screen.page is not None
    return next(n for n, m in enumerate(screen.page.metrics) if m.metric.key == key)


async def focus_metric(app, pilot, key: str) -> None:
    screen = app.screen
    listing = screen.query_one("#wl-metrics", OptionList)
    listing.focus()
    listing.highlighted = _metric_index(screen, key)
    await pilot.pause()


def _metric_row(screen: WorkLogScreen, key: str):
    assert screen.page is not None
    return screen.page.metrics[_metric_index(screen, key)]


async def test_a_counter_counts_up_and_down_and_never_below_zero(make_app, db_path,
                                                                monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    async with started(app) as pilot:
        screen = await open_log(app, pilot)
        await focus_metric(app, pilot, "contacts")
        for key in ("plus", "plus", "minus"):
            before = screen.loaded_version
            await pilot.press(key)
            await reloaded(app, pilot, screen, before)
        assert _metric_row(screen, "contacts").value == 1
        before = screen.loaded_version
        await pilot.press("minus")
        await reloaded(app, pilot, screen, before)
        assert _metric_row(screen, "contacts").value == 0
        await pilot.press("minus")
        await settle(app, pilot)
        assert _metric_row(screen, "contacts").value == 0
        assert any("0" in m for m in _errors(app)), app.test_notes
        with acting(db_path) as (session, actor):
            page = worklog.day_page(session, actor, TODAY, now=NOW, carry=False)
        assert next(m for m in page.metrics if m.metric.key == "contacts").value == 0


async def test_a_typed_value_is_refused_naming_the_example_then_accepted(make_app, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app("en")
    async with started(app) as pilot:
        screen = await open_log(app, pilot)
        await focus_metric(app, pilot, "handle_time")
        await pilot.press("equals_sign")
        await answer(app, pilot, "three minutes")
        assert any("3m20s" in m for m in _errors(app)), app.test_notes
        assert _metric_row(screen, "handle_time").value is None
        await pilot.press("enter")  # enter on a figure types a value too
        before = screen.loaded_version
        await answer(app, pilot, "2m30s")
        await reloaded(app, pilot, screen, before)
        row = _metric_row(screen, "handle_time")
        assert row.value == 150 and row.meets is True
        assert "2m30s" in screen_text(app) and "✓" in screen_text(app)


async def test_a_quick_note_is_stamped_with_the_time(make_app, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    async with started(app) as pilot:
        screen = await open_log(app, pilot)
        before = screen.loaded_version
        await pilot.press("n")
        await answer(app, pilot, "8812 要求下午三点后回电")
        await reloaded(app, pilot, screen, before)
        assert _plain(screen.query_one("#wl-notes", Static)) == "10:00 8812 要求下午三点后回电"


async def test_a_plan_item_is_added_and_ticked_done(make_app, db_path, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    async with started(app) as pilot:
        screen = await open_log(app, pilot)
        before = screen.loaded_version
        await pilot.press("p")
        await answer(app, pilot, "回访昨天的三位投诉客户")
        await reloaded(app, pilot, screen, before)
        assert [(p.text, p.status) for p in screen.page.plans] == [("回访昨天的三位投诉客户", "open")]
        screen.query_one("#wl-plans", OptionList).focus()
        before = screen.loaded_version
        await pilot.press("space")
        await reloaded(app, pilot, screen, before)
        assert screen.page.plans[0].status == "done"
        assert screen.page.day_tally.done == 1
        assert "✓ 回访昨天的三位投诉客户" in screen_text(app)


async def test_a_carried_plan_shows_its_age_and_past_days_are_read_only(make_app, db_path,
                                                                         monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    with acting(db_path) as (session, actor):
        worklog.add_plan(session, actor, "整理退款话术", day=TODAY - timedelta(days=2))
    async with started(app) as pilot:
        screen = await open_log(app, pilot)
        assert [(p.text, p.age_days) for p in screen.page.plans] == [("整理退款话术", 2)]
        assert "↻2天" in screen_text(app)
        before = screen.loaded_version
        await pilot.press("left_square_bracket")
        await reloaded(app, pilot, screen, before)
        assert screen.page.day == TODAY - timedelta(days=1) and screen.read_only
        await pilot.press("n")
        await settle(app, pilot)
        assert not isinstance(app.screen, TextPrompt)
        assert any("以往日期" in m for m in _errors(app))
        before = screen.loaded_version
        await pilot.press("t")
        await reloaded(app, pilot, screen, before)
        assert screen.page.day == TODAY


async def test_a_reminder_fires_with_the_bell_and_is_snoozed(make_app, db_path, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    bells = []
    async with started(app) as pilot:
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        screen = await open_log(app, pilot)
        before = screen.loaded_version
        await pilot.press("r")
        await answer(app, pilot, "10:30")
        await answer(app, pilot, "给王女士回电（订单 8812）")
        await reloaded(app, pilot, screen, before)
        [reminder] = screen.page.reminders
        assert reminder.text == "给王女士回电（订单 8812）"
        assert app.check_reminders(NOW + timedelta(minutes=10)) == []
        before = screen.loaded_version
        assert app.check_reminders(NOW + timedelta(minutes=31)) == [
            (reminder.id, "10:30", "给王女士回电（订单 8812）")]
        await reloaded(app, pilot, screen, before)
        assert bells and any("⚠ 10:30 给王女士回电" in m for m in _notes(app))
        assert app.check_reminders(NOW + timedelta(minutes=32)) == []  # fires once
        stop_log_clock(monkeypatch, NOW + timedelta(minutes=31))
        screen.query_one("#wl-reminders", OptionList).focus()
        before = screen.loaded_version
        await pilot.press("z")
        await reloaded(app, pilot, screen, before)
        [snoozed] = screen.page.reminders
        assert snoozed.due_at == NOW + timedelta(minutes=41) and snoozed.snoozed == 1
        fired = app.check_reminders(NOW + timedelta(minutes=42))
        assert [r[0] for r in fired] == [reminder.id]
        await settle(app, pilot)
        before = screen.loaded_version
        await pilot.press("enter")
        await reloaded(app, pilot, screen, before)
        assert screen.page.reminders == []


async def test_the_reflection_is_written_and_the_day_submitted(make_app, db_path, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    async with started(app) as pilot:
        screen = await open_log(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ReflectionEditor), "the editor")
        await paste_text(pilot, "退款咨询偏多，平均时长下降")
        await pilot.press("tab")
        await paste_text(pilot, "和售后对齐了退货口径")
        await pilot.press("tab")
        await paste_text(pilot, "先共情再给方案")
        before = screen.loaded_version
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen, "back on the page")
        await reloaded(app, pilot, screen, before)
        reflection = screen.page.reflection
        assert (reflection.business, reflection.teamwork, reflection.learnings) == (
            "退款咨询偏多，平均时长下降", "和售后对齐了退货口径", "先共情再给方案")
        await pilot.press("S")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "the confirmation")
        before = screen.loaded_version
        await pilot.press("y")
        await reloaded(app, pilot, screen, before)
        assert screen.page.reflection.submitted_at is not None
        assert "已提交 10:00" in _plain(screen.query_one("#wl-head", Static))
        assert not query_db(db_path, "SELECT * FROM draft WHERE kind = 'worklog'")


async def test_a_draft_write_queued_before_a_save_does_not_bring_the_draft_back(
        make_app, db_path, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    async with started(app) as pilot:
        await open_log(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ReflectionEditor), "the editor")
        editor = app.screen
        await paste_text(pilot, "退款咨询偏多")
        typed_in = editor._draft_epoch  # noqa: SLF001 - the write the autosave queued
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: editor._saved_state == editor.state(), "saved")
        await settle(app, pilot)
        assert not query_db(db_path, "SELECT * FROM draft WHERE kind = 'worklog'")
        # The autosave's write reaches the database only now, after the save.
        editor._write_draft({"business": "退款咨询偏多"}, typed_in)  # noqa: SLF001
        await settle(app, pilot)
        assert not query_db(db_path, "SELECT * FROM draft WHERE kind = 'worklog'")
        # Typing after the save is drafted again.
        await paste_text(pilot, "，平均时长下降")
        editor.autosave()
        await settle(app, pilot)
        assert query_db(db_path, "SELECT ref FROM draft WHERE kind = 'worklog'") == [
            ("2030-03-12",)]


async def test_keys_typed_while_the_reflection_is_saved_are_kept_as_a_draft(
        make_app, db_path, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    async with started(app) as pilot:
        await open_log(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ReflectionEditor), "the editor")
        editor = app.screen
        await paste_text(pilot, "退款咨询偏多")
        entered, release = threading.Event(), threading.Event()
        store = editor.store

        def slow_store(session, actor, payload):
            entered.set()
            release.wait(10)
            return store(session, actor, payload)

        editor.store = slow_store
        await pilot.press("ctrl+s")
        await wait_until(pilot, entered.is_set, "the save running")
        await paste_text(pilot, "，平均时长下降")
        release.set()
        await wait_until(pilot, lambda: editor.reflection.business == "退款咨询偏多", "saved")
        await settle(app, pilot)
        assert editor._saved_state != editor.state()  # noqa: SLF001
        editor.autosave()
        await settle(app, pilot)
        [(payload,)] = query_db(db_path, "SELECT payload FROM draft WHERE kind = 'worklog'")
        assert json.loads(payload)["business"] == "退款咨询偏多，平均时长下降"


async def test_the_reflection_draft_is_offered_back_after_a_restart(make_app, db_path,
                                                                   monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    async with started(app) as pilot:
        await open_log(app, pilot)
        await pilot.press("e")
        await wait_until(pilot, lambda: isinstance(app.screen, ReflectionEditor), "the editor")
        await paste_text(pilot, "写到一半断线了")
        await wait_until(pilot, lambda: query_db(
            db_path, "SELECT ref FROM draft WHERE kind = 'worklog'"), "the draft autosaved",
            limit=5)
    again = make_app()
    async with started(again) as pilot:
        await pilot.press("f8")
        await wait_until(pilot, lambda: isinstance(again.screen, Confirm), "the offer")
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(again.screen, ReflectionEditor), "the editor")
        await settle(again, pilot)
        assert again.screen.query_one("#wl-ed-business", TextArea).text == "写到一半断线了"


async def test_hostile_text_is_shown_literally(make_app, monkeypatch):
    stop_log_clock(monkeypatch)
    app = make_app()
    hostile = "[bold red]boom[/] $accent \x1b[31m{name}"
    async with started(app) as pilot:
        screen = await open_log(app, pilot)
        for key in ("n", "p"):
            before = screen.loaded_version
            await pilot.press(key)
            await answer(app, pilot, hostile)
            await reloaded(app, pilot, screen, before)
        text = screen_text(app)
        assert "[bold red]boom[/] $accent" in text
        assert "\x1b[31m" not in text
        assert "␛[31m{name}" in _plain(screen.query_one("#wl-notes", Static))


async def test_open_reminders_are_offered_as_handover_items(make_app, db_path, monkeypatch):
    from cscterm.tui.screens.handover import HandoverEditor

    stop_log_clock(monkeypatch)
    stop_the_clock(monkeypatch, NOW)
    app = make_app()
    with acting(db_path) as (session, actor):
        kept = worklog.add_reminder(session, actor, "15:00", "回电李先生 订单 5521", now=NOW)
        worklog.add_reminder(session, actor, "03-13 11:00", "明天再说", now=NOW)
    async with started(app) as pilot:
        await pilot.press("f6")
        await settle(app, pilot)
        await pilot.press("w")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "the offer")
        assert "1 条" in app.screen.question
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, HandoverEditor), "the editor")
        await settle(app, pilot)
        editor = app.screen
        [item] = [i for i in editor.items if i.origin_id is None]
        assert (item.reference, item.next_action, item.due) == (
            "回电李先生 订单 5521", "回电/跟进", "2030-03-12 15:00")
    rows = query_db(db_path, "SELECT id, status FROM reminder ORDER BY id")
    assert rows == [(kept.id, "handed_over"), (rows[1][0], "open")]
