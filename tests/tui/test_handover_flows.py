"""The shift handover (F6) driven from the keyboard: writing and submitting a
note, a second login acknowledging it, notes arriving while the inbox is open,
working items, the editor's autosaved draft and hostile text.

Notes written behind the app's back are made through the service on the same
database file at the real time, for the shift before the one on duty, so they
wait in the team's inbox whatever the hour the tests run at.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime

import pytest
from textual.widgets import Input, OptionList, TextArea

from cscterm.i18n import t
from cscterm.services import handover
from cscterm.services.handover import ItemDecision
from cscterm.text import local_time
from cscterm.tui.screens.handover import AckScreen, HandoverEditor, HandoverScreen, ItemForm
from cscterm.tui.widgets.confirm import Confirm
from cscterm.tui.widgets.prompt import TextPrompt

from .helpers import (
    AGENT,
    LARGE,
    LEAD,
    acting,
    add_logins,
    detail_text,
    highlight_entry,
    item_input,
    open_handover,
    paste_text,
    query_db,
    screen_text,
    settle,
    started,
    submit_handover,
    wait_until,
)

THIRD = "zhao"  # another agent of the same team


def _user_id(db_path, login: str) -> int:
    [(user_id,)] = query_db(db_path, "SELECT id FROM user WHERE login = ?", login)
    return user_id  # type: ignore[return-value]


def _notes(app) -> list[str]:
    return [message for _severity, message in app.test_notes]


def _errors(app) -> list[str]:
    return [message for severity, message in app.test_notes if severity == "error"]


async def _open_editor(app, pilot) -> HandoverEditor:
    await pilot.press("w")
    await wait_until(pilot, lambda: isinstance(app.screen, HandoverEditor), "the editor opened")
    await settle(app, pilot)
    return app.screen  # type: ignore[return-value]


async def _add_item(app, pilot, reference: str, situation: str, next_action: str,
                    due: str) -> None:
    """ctrl+o, then each field pasted and Enter to the next; ctrl+s keeps it."""
    await pilot.press("ctrl+o")
    await wait_until(pilot, lambda: isinstance(app.screen, ItemForm), "the item form opened")
    for value in (reference, situation, next_action, due):
        if value:
            await paste_text(pilot, value)
        await pilot.press("enter")
    assert app.focused is app.screen.query_one("#if-owner", Input)
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, HandoverEditor), "the item form closed")
    await settle(app, pilot)


async def _answer(app, pilot, text: str) -> None:
    """Answer the one-line question on screen (Enter; empty text: just Enter)."""
    await wait_until(pilot, lambda: isinstance(app.screen, TextPrompt), "a question")
    if text:
        await paste_text(pilot, text)
    await pilot.press("enter")


async def _pick_item(app, pilot, reference: str) -> None:
    await highlight_entry(app, pilot, "item", lambda item: item.reference == reference)


def _note_rows(db_path) -> list[tuple[object, ...]]:
    return query_db(db_path, "SELECT id, status, author_id, to_user_id, acked_by, synthesis,"
                             " summary FROM handover ORDER BY id")


def test_notes_made_for_the_tests_wait_for_the_shift_on_duty(make_app, db_path):
    """The helper that writes notes behind the app's back puts them where the
    inbox looks at the real time (guards the live tests against the hour)."""
    make_app()
    add_logins(db_path, AGENT)
    note = submit_handover(db_path)
    with acting(db_path, AGENT) as (session, actor):
        waiting = handover.inbox(session, actor, now=datetime.now(UTC)).to_acknowledge
    assert [row.id for row in waiting] == [note.id]


# ── writing and submitting ──────────────────────────────────────────────────


async def test_a_note_written_and_submitted_is_acknowledged_by_the_login_it_is_addressed_to(
        make_app, db_path):
    app = make_app(size=LARGE)
    add_logins(db_path, AGENT)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        editor = await _open_editor(app, pilot)
        assert app.focused is editor.query_one("#he-summary", TextArea)
        await paste_text(pilot, "退款咨询偏多，系统 14:00 卡顿十分钟")
        await _add_item(app, pilot, "订单 88120031", "客户催退款", "回电确认退款进度", "+30m")
        assert [i.reference for i in editor.items] == ["订单 88120031"]
        editor.query_one("#he-to", Input).focus()
        await paste_text(pilot, AGENT)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, HandoverScreen), "the editor closed")
        await settle(app, pilot)
        assert t("ho.submitted_to", to=AGENT) in _notes(app)

    [(note_id, status, author, to_user, acked_by, _syn, summary)] = _note_rows(db_path)
    assert (status, author, to_user, acked_by) == (
        "submitted", _user_id(db_path, LEAD), _user_id(db_path, AGENT), None)
    assert summary == "退款咨询偏多，系统 14:00 卡顿十分钟"

    second = make_app(user=AGENT, size=LARGE)
    async with started(second) as pilot:
        screen = await open_handover(second, pilot)
        assert [row.id for row in screen.inbox.to_acknowledge] == [note_id]
        kind, row = screen.selected()
        assert (kind, row.id) == ("note", note_id)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(second.screen, AckScreen), "AckScreen opened")
        ack = second.screen
        await paste_text(pilot, "先回电订单 88120031")
        await pilot.press("enter")
        assert second.focused is ack.query_one("#ack-items", OptionList)
        for _item in ack.open_items:
            await pilot.press("a")
        assert all(accept for accept, _q in ack.decisions.values())
        assert set(ack.decisions) == {i.id for i in ack.open_items}
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(second.screen, HandoverScreen),
                         "AckScreen closed")
        await settle(second, pilot)
        assert t("ho.acked") in _notes(second)

    [(_id, status, _a, _to, acked_by, synthesis, _s)] = _note_rows(db_path)
    assert (status, acked_by, synthesis) == ("acknowledged", _user_id(db_path, AGENT),
                                             "先回电订单 88120031")
    assert query_db(db_path, "SELECT owner_id, ack, status FROM handover_item") == [
        (_user_id(db_path, AGENT), "accepted", "open")]


async def test_submitting_with_fields_missing_is_refused_naming_each_and_the_editor_stays(
        make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await _open_editor(app, pilot)
        await _add_item(app, pilot, "订单 77", "", "", "")  # summary and three fields empty
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _errors(app), "an error was shown")
        await settle(app, pilot)
        [message] = _errors(app)
        for field in (t("field.ho.summary"),
                      *(t("field.ho.item", n=1, field=t(f"field.ho.{name}"))
                        for name in ("situation", "next_action", "due"))):
            assert field in message, (field, message)
        assert isinstance(app.screen, HandoverEditor)
        assert [status for _i, status, *_ in _note_rows(db_path)] == ["draft"]


async def test_a_refused_submit_can_be_fixed_and_submitted_again(make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        editor = await _open_editor(app, pilot)
        await pilot.press("ctrl+s")  # no summary yet
        await wait_until(pilot, lambda: _errors(app), "the refusal was shown")
        await settle(app, pilot)
        editor.query_one("#he-summary", TextArea).focus()
        await paste_text(pilot, "平稳")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, HandoverScreen)
                         or len(_errors(app)) > 1, "the editor closed or a second error")
        await settle(app, pilot)
        assert len(_errors(app)) == 1, _errors(app)
    assert [(status, summary) for _i, status, *_r, summary in _note_rows(db_path)] == [
        ("submitted", "平稳")]


async def test_a_due_time_that_does_not_parse_is_refused_with_an_example(make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await _open_editor(app, pilot)
        await paste_text(pilot, "平稳")
        await _add_item(app, pilot, "订单 66", "客户催发货", "查物流后回电", "明天")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: _errors(app), "an error was shown")
        await settle(app, pilot)
        [message] = _errors(app)
        assert "明天" in message and "15:30" in message
        assert t("field.ho.item", n=1, field=t("field.ho.due")) in message
        assert isinstance(app.screen, HandoverEditor)
    assert [status for _i, status, *_ in _note_rows(db_path)] == ["draft"]


async def test_an_item_is_edited_with_enter_and_removed_with_delete_in_the_editor(
        make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        editor = await _open_editor(app, pilot)
        await _add_item(app, pilot, "订单 I1", "客户催退款", "回电", "+1h")
        await _add_item(app, pilot, "订单 I2", "客户催发货", "查物流", "+2h")
        listing = editor.query_one("#he-items", OptionList)
        listing.focus()
        listing.highlighted = 0
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, ItemForm), "the item form opened")
        assert app.screen.query_one("#if-reference", Input).value == "订单 I1"
        await pilot.press("tab", "tab", "end")  # to the end of the next action
        await paste_text(pilot, "，并短信告知")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: app.screen is editor, "the item form closed")
        assert editor.items[0].next_action == "回电，并短信告知"
        assert editor.items[0].reference == "订单 I1"
        listing.highlighted = 1
        await pilot.press("delete")
        assert [i.reference for i in editor.items] == ["订单 I1"]


# ── acknowledging ──────────────────────────────────────────────────────────


async def test_ctrl_y_accepts_every_item_at_once(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    note = submit_handover(db_path, items=[item_input("订单 A1"), item_input("订单 A2")],
                           to_user=AGENT)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckScreen), "AckScreen opened")
        await paste_text(pilot, "两单都要回电")
        await pilot.press("ctrl+y", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, HandoverScreen), "AckScreen closed")
    assert query_db(db_path, "SELECT status FROM handover WHERE id = ?", note.id) == [
        ("acknowledged",)]
    assert query_db(db_path, "SELECT DISTINCT owner_id FROM handover_item") == [
        (_user_id(db_path, AGENT),)]


async def test_enter_on_a_waiting_note_opens_the_acknowledgement(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    submit_handover(db_path, items=[item_input("订单 E1")])
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, AckScreen), "AckScreen opened")


async def test_a_question_instead_of_accepting_is_kept_on_the_item(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    submit_handover(db_path, items=[item_input("订单 Q1"), item_input("订单 Q2")])
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckScreen), "AckScreen opened")
        ack = app.screen
        await paste_text(pilot, "先问清 Q1")
        await pilot.press("enter", "q")
        await _answer(app, pilot, "退款走的哪个渠道？")
        await wait_until(pilot, lambda: app.screen is ack, "back on AckScreen")
        await pilot.press("down", "a", "ctrl+s")
        await wait_until(pilot, lambda: isinstance(app.screen, HandoverScreen), "AckScreen closed")
        await settle(app, pilot)
        assert re.search(r"\? li .*: 退款走的哪个渠道？", detail_text(app))
    assert query_db(db_path, "SELECT reference, ack FROM handover_item ORDER BY position") == [
        ("订单 Q1", "question"), ("订单 Q2", "accepted")]


async def test_acknowledging_without_deciding_every_item_is_refused_naming_them(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    submit_handover(db_path, items=[item_input("订单 U1"), item_input("订单 U2")])
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckScreen), "AckScreen opened")
        await paste_text(pilot, "接了")
        await pilot.press("enter", "a", "ctrl+s")  # only the first
        await wait_until(pilot, lambda: _errors(app), "the refusal was shown")
        [message] = _errors(app)
        assert "订单 U2" in message and "订单 U1" not in message
        assert isinstance(app.screen, AckScreen)
    assert query_db(db_path, "SELECT status FROM handover") == [("submitted",)]


async def test_acknowledging_a_note_already_acknowledged_elsewhere_says_who_and_when(
        make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT, THIRD)
    note = submit_handover(db_path, items=[item_input("订单 44")])
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, AckScreen), "AckScreen opened")
        with acting(db_path, THIRD) as (session, actor):
            view = handover.get_handover(session, actor, note.id)
            done = handover.acknowledge(session, actor, note.id, "我来接",
                                        {i.id: ItemDecision(True) for i in view.items})
        await paste_text(pilot, "我也来接")
        await pilot.press("ctrl+y", "ctrl+s")
        await wait_until(pilot, lambda: _errors(app), "the conflict was shown")
        [message] = _errors(app)
        assert THIRD in message
        assert local_time(done.acked_at) in message
        assert isinstance(app.screen, AckScreen)  # nothing typed is thrown away
    assert query_db(db_path, "SELECT acked_by, synthesis FROM handover") == [
        (_user_id(db_path, THIRD), "我来接")]


async def test_a_is_refused_on_a_note_already_acknowledged_saying_who_and_when(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT, THIRD)
    note = submit_handover(db_path, items=[item_input("订单 K1")])
    with acting(db_path, THIRD) as (session, actor):
        done = handover.acknowledge(session, actor, note.id, "我来接",
                                    {i.id: ItemDecision(True) for i in note.items})
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await highlight_entry(app, pilot, "note", lambda row: row.id == note.id)
        await pilot.press("a")
        await pilot.pause()
        assert t("ho.already_acked", who=THIRD, when=local_time(done.acked_at, "%m-%d %H:%M")) in \
            _notes(app)
        assert isinstance(app.screen, HandoverScreen)


# ── live ────────────────────────────────────────────────────────────────────


async def test_a_note_submitted_elsewhere_shows_in_the_open_inbox_with_a_notification(
        make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    app.watch_interval = 0.2
    async with started(app) as pilot:
        screen = await open_handover(app, pilot)
        assert screen.inbox.to_acknowledge == []
        await wait_until(pilot, lambda: app.watch_looks >= 1, "the watcher's first look")
        note = submit_handover(db_path, summary="晚高峰排队 40 人", items=[item_input("订单 55")])
        await wait_until(pilot, lambda: screen.inbox and [r.id for r in screen.inbox.to_acknowledge]
                         == [note.id], "the note is listed to acknowledge", limit=2)
        arrived = t("ho.arrived", title=f"{note.shift_date[5:]} {note.shift_name} · {LEAD}")
        await wait_until(pilot, lambda: arrived in _notes(app), "a notification", limit=2)
        listing = screen.query_one("#ho-list", OptionList)
        waiting = t("ho.sec.waiting")
        prompts = [str(listing.get_option_at_index(i).prompt) for i in range(listing.option_count)]
        assert prompts[0].startswith(f"{waiting} (1)")
        assert LEAD in prompts[1]


# ── working items ──────────────────────────────────────────────────────────


async def test_done_hand_on_and_comment_on_items_show_in_the_detail_pane(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    submit_handover(db_path, items=[item_input("订单 D1"), item_input("订单 H2"),
                                    item_input("订单 M3")])
    async with started(app) as pilot:
        await open_handover(app, pilot)

        await _pick_item(app, pilot, "订单 D1")
        await pilot.press("d")
        await _answer(app, pilot, "已回电，退款已到账")
        await wait_until(pilot, lambda: "已回电，退款已到账" in detail_text(app), "done note shown")
        await settle(app, pilot)

        await _pick_item(app, pilot, "订单 H2")
        await pilot.press("h")
        await _answer(app, pilot, "")  # to the next shift
        await _answer(app, pilot, "等仓库回复")
        await wait_until(pilot, lambda: "等仓库回复" in detail_text(app), "hand-on note shown")
        await settle(app, pilot)

        await _pick_item(app, pilot, "订单 M3")
        await pilot.press("m")
        await _answer(app, pilot, "客户改了收货地址")
        await wait_until(pilot, lambda: "客户改了收货地址" in detail_text(app), "comment shown")
        await settle(app, pilot)

        assert [m for m in _notes(app) if m in {t("ho.did.done"), t("ho.did.hand_on"),
                                                t("ho.did.comment")}] == [
            t("ho.did.done"), t("ho.did.hand_on"), t("ho.did.comment")]
        detail = detail_text(app)
        lines = {ref: next(line for line in detail.splitlines() if ref in line)
                 for ref in ("订单 D1", "订单 H2", "订单 M3")}
        assert t("ho.status.done") in lines["订单 D1"]
        assert t("ho.status.handed_on") in lines["订单 H2"]
        assert t("ho.status.open") in lines["订单 M3"]
        assert re.search(rf"✓ {AGENT} .*: 已回电，退款已到账", detail)
        assert re.search(rf"→ {AGENT} .*: 等仓库回复", detail)
        assert re.search(rf"· {AGENT} .*: 客户改了收货地址", detail)
    assert query_db(db_path, "SELECT reference, status FROM handover_item ORDER BY position") == [
        ("订单 D1", "done"), ("订单 H2", "handed_on"), ("订单 M3", "open")]


async def test_done_with_no_item_picked_asks_for_an_item(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    submit_handover(db_path, items=[item_input("订单 X1")])
    async with started(app) as pilot:
        screen = await open_handover(app, pilot)
        assert screen.selected()[0] == "note"
        await pilot.press("d")
        await pilot.pause()
        assert t("ho.pick_item") in _notes(app)
        assert isinstance(app.screen, HandoverScreen)


# ── autosave ───────────────────────────────────────────────────────────────


async def test_typing_in_the_editor_is_autosaved_and_restored_after_leaving_without_saving(
        make_app, db_path):
    text = "自动保存：退款积压 12 单"
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        editor = await _open_editor(app, pilot)
        await paste_text(pilot, text)
        await pilot.pause(1.3)
        await settle(app, pilot)
        ref = editor.draft_ref
    rows = query_db(db_path, "SELECT kind, ref, payload FROM draft")
    assert [(kind, r) for kind, r, _p in rows] == [("handover", ref)]
    assert json.loads(str(rows[0][2]))["summary"] == text

    again = make_app(size=LARGE)
    async with started(again) as pilot:
        if isinstance(again.screen, Confirm):  # the workbench offers the draft on start
            await pilot.press("n")  # later: it is found from the inbox as well
        await open_handover(again, pilot)
        await highlight_entry(again, pilot, "draft", lambda row: str(row.id) == ref)
        editor = await _open_editor(again, pilot)
        assert editor.query_one("#he-summary", TextArea).text == text
        assert t("ho.draft_restored") in _notes(again)


async def test_leaving_the_editor_when_the_save_is_refused_keeps_the_last_typing_as_a_draft(
        make_app, db_path, monkeypatch):
    # Typing faster than the autosave: its next run is always a moment away.
    monkeypatch.setattr(HandoverEditor, "autosave", lambda self: None)
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        editor = await _open_editor(app, pilot)
        await _add_item(app, pilot, "订单 65", "客户催发货", "查物流后回电", "明天")
        editor.query_one("#he-summary", TextArea).focus()
        await paste_text(pilot, "最后一秒写的")
        await pilot.press("escape")  # the save is refused (the due time)
        await wait_until(pilot, lambda: isinstance(app.screen, HandoverScreen), "the editor closed")
        await settle(app, pilot)
        assert t("ho.kept_as_draft") in _notes(app)
    [(payload,)] = query_db(db_path, "SELECT payload FROM draft WHERE kind = 'handover'")
    kept = json.loads(str(payload))
    assert kept["summary"] == "最后一秒写的"
    assert [i["due"] for i in kept["items"]] == ["明天"]


# ── the inbox ──────────────────────────────────────────────────────────────


async def test_search_lists_past_notes_matching_the_words(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    note = submit_handover(db_path, summary="系统卡顿十分钟", items=[item_input("订单 S1")])
    async with started(app) as pilot:
        screen = await open_handover(app, pilot)
        await pilot.press("slash")
        await _answer(app, pilot, "卡顿")
        await wait_until(pilot, lambda: screen.search_rows, "search results")
        await settle(app, pilot)
        assert [row.id for row in screen.search_rows] == [note.id]
        listing = screen.query_one("#ho-list", OptionList)
        assert str(listing.get_option_at_index(0).prompt).startswith(
            t("ho.sec.search", query="卡顿"))
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen.search_query, "search cleared")
        await settle(app, pilot)
        assert str(listing.get_option_at_index(0).prompt).startswith(t("ho.sec.waiting"))


async def test_f2_switches_the_inbox_to_english_at_once(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    submit_handover(db_path, items=[item_input("订单 L1")])
    async with started(app) as pilot:
        screen = await open_handover(app, pilot)
        await pilot.press("f2")
        await settle(app, pilot)
        listing = screen.query_one("#ho-list", OptionList)
        assert str(listing.get_option_at_index(0).prompt).startswith("To acknowledge (1)")
        assert "Open items (1 of 1 open)" in detail_text(app)
        assert "Write handover" in screen_text(app)


async def test_inbox_rows_are_cut_to_the_lists_width_and_refitted_when_it_changes(
        make_app, db_path):
    app = make_app(user=AGENT)  # 80×24: the narrow list
    add_logins(db_path, AGENT)
    submit_handover(db_path, items=[item_input("订单 88120031",
                                               next_action="回电王女士确认退款到账")])
    async with started(app) as pilot:
        screen = await open_handover(app, pilot)
        listing = screen.query_one("#ho-list", OptionList)

        def item_row() -> str:
            return next(str(listing.get_option_at_index(n).prompt)
                        for n, (kind, _v) in enumerate(screen.entries) if kind == "item")

        assert item_row().endswith("…")
        await pilot.resize_terminal(*LARGE)  # the wide layout: a wider list
        await wait_until(pilot, lambda: item_row().endswith("回电王女士确认退款到账"),
                         "the rows refitted to the wide list")
        await pilot.resize_terminal(80, 24)
        await wait_until(pilot, lambda: item_row().endswith("…"), "the rows cut again")


# ── hostile text ────────────────────────────────────────────────────────────

HOSTILE_SUMMARY = "[bold red]x[/] \x1b[31mred\x1b[0m OSC \x1b]52;c;aGk=\x07 end"
HOSTILE_ITEM = "[link=http://e.invalid]订单[/link] \x1b[2J"


async def test_markup_and_escape_sequences_in_a_note_are_shown_literally(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    add_logins(db_path, AGENT)
    submit_handover(db_path, summary=HOSTILE_SUMMARY,
                    items=[item_input(HOSTILE_ITEM, situation=HOSTILE_SUMMARY,
                                      next_action="[red]回电[/red]")])
    async with started(app) as pilot:
        await open_handover(app, pilot)
        detail = detail_text(app)
        on_screen = screen_text(app)
    for shown in (detail, on_screen):
        assert "\x1b" not in shown and "\x07" not in shown
        assert "[bold red]x[/]" in shown
        assert "␛[31mred␛[0m" in shown and "␛]52;c;aGk=␇" in shown
        assert "[link=http://e.invalid]订单[/link] ␛[2J" in shown
        assert "[red]回电[/red]" in shown


# ── the lead queue ─────────────────────────────────────────────────────────


async def test_the_lead_queue_key_is_refused_for_an_agent(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await pilot.press("L")
        await pilot.pause()
        assert t("err.not_allowed.lead_queue") in _notes(app)
        assert isinstance(app.screen, HandoverScreen)


async def test_the_lead_queue_key_opens_the_queue_for_a_lead(make_app, db_path):
    queue = pytest.importorskip("cscterm.tui.screens.handover_queue")
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_handover(app, pilot)
        await pilot.press("L")
        await wait_until(pilot, lambda: isinstance(app.screen, queue.LeadQueueScreen),
                         "the lead queue opened")
        await settle(app, pilot)


# ── switching modes while the workspace opens ──────────────────────────────


async def test_f6_before_the_workspace_opens_then_f5_shows_the_library(make_app, monkeypatch):
    import threading

    from cscterm.services import workspace
    from cscterm.tui.screens.library import LibraryScreen

    may_open = threading.Event()
    real_open = workspace.open_workspace

    def slow_open(config):
        may_open.wait(10)
        return real_open(config)

    monkeypatch.setattr(workspace, "open_workspace", slow_open)
    app = make_app(size=LARGE)
    async with app.run_test(size=LARGE) as pilot:
        await pilot.press("f6")
        await wait_until(pilot, lambda: isinstance(app.screen, HandoverScreen), "the inbox shown")
        assert app.ws is None
        may_open.set()
        await wait_until(pilot, lambda: app.screen.loaded_version > 0, "the inbox loaded")
        await pilot.press("f5")
        await wait_until(pilot, lambda: isinstance(app.screen, LibraryScreen)
                         and app.screen.results_version > 0, "the library loaded")
