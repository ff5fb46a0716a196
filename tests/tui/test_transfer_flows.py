"""Transfers to after-sale (F7) driven from the keyboard: a checklist refused
for a missing item, fixed and sent; claimed by after-sale on another login,
returned with a reason, fixed and resent, resolved; two claiming at once;
hostile text; the editor's autosaved draft; starting from the library; new
work arriving while the inbox is open.

``wang`` (the template's lead, team ``default``) is pre-sale; ``li`` and
``zhao`` are put in the 售后 team, which every starter template sends to.
Transfers made behind the app's back go through the service on the same
database file.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

import pytest
from textual.content import Content
from textual.widgets import Checkbox, Input, OptionList, Select, SelectionList, Static

from cscterm.i18n import t
from cscterm.services import transfer, users
from cscterm.tui.screens.transfer import (
    DecisionForm,
    TemplatePicker,
    TransferEditor,
    TransferScreen,
)
from cscterm.tui.widgets.confirm import Confirm

from .helpers import (
    AGENT,
    LARGE,
    LEAD,
    acting,
    focus_results,
    paste_text,
    query_db,
    screen_text,
    search,
    settle,
    started,
    wait_until,
)

AFTER_SALE = "售后"
RIVAL = "zhao"  # a second after-sale agent

# The refund checklist filled in as a careful pre-sale agent would, order number aside.
REFUND = {
    "identity": True, "phone": "13812345678", "product": "保温杯 500ml 藏青色 ×2",
    "problem": "杯盖漏水，要退货", "reason": "质量问题", "received": "已签收",
    "promised": "无", "mood": "着急",
}
ORDER = "2026112312345678"


# ── helpers ────────────────────────────────────────────────────────────────


def after_sale(db_path: Path, *logins: str) -> None:
    """Put ``logins`` (made on first sight) in the after-sale team."""
    assert db_path.exists(), "make_app first: it copies the template database"
    for login in logins:
        with acting(db_path, login):
            pass
    with acting(db_path, LEAD) as (session, lead):
        for login in logins:
            users.set_team(session, lead, login, AFTER_SALE)


def send_behind(db_path: Path, values: Mapping[str, object] | None = None, *,
                user: str = LEAD, key: str = "refund", now: datetime | None = None) -> int:
    """A transfer filled in and sent by ``user`` through the service."""
    with acting(db_path, user) as (session, actor):
        view = transfer.create(session, actor, key, now=now)
        view = transfer.save_draft(session, actor, view.id, view.version,
                                   dict(values or {**REFUND, "order": ORDER}), now=now)
        return transfer.send(session, actor, view.id, view.version, now=now).id


def _row(db_path: Path, transfer_id: int) -> dict[str, object]:
    [row] = query_db(db_path, "SELECT status, claimed_by, return_reason, return_items, bounces,"
                              " outcome, resolution FROM transfer WHERE id = ?", transfer_id)
    keys = ("status", "claimed_by", "return_reason", "return_items", "bounces", "outcome",
            "resolution")
    return dict(zip(keys, row, strict=True))


def _events(db_path: Path, transfer_id: int) -> list[str]:
    return [kind for (kind,) in query_db(
        db_path, "SELECT kind FROM transfer_event WHERE transfer_id = ? ORDER BY id", transfer_id)]


def _user_id(db_path: Path, login: str) -> int:
    [(user_id,)] = query_db(db_path, "SELECT id FROM user WHERE login = ?", login)
    return user_id  # type: ignore[return-value]


def _notes(app) -> list[str]:
    return [message for _severity, message in app.test_notes]


def _errors(app) -> list[str]:
    return [message for severity, message in app.test_notes if severity == "error"]


def _plain(widget: Static) -> str:
    shown = widget.content
    return shown.plain if isinstance(shown, Content) else str(shown)


def detail(app) -> str:
    return _plain(app.screen.query_one("#tr-text", Static))


async def open_transfers(app, pilot) -> TransferScreen:
    """F7, then wait until the inbox (and its highlighted transfer) is shown."""
    await pilot.press("f7")
    await wait_until(pilot, lambda: isinstance(app.screen, TransferScreen)
                     and app.screen.loaded_version > 0, "the transfer inbox loaded")
    await settle(app, pilot)
    return app.screen  # type: ignore[return-value]


async def highlight(app, pilot, section: str, match: Callable[[object], bool] = lambda r: True
                    ) -> None:
    screen = app.screen
    index = next(n for n, (kind, row) in enumerate(screen.entries)
                 if kind == section and match(row))
    screen.query_one("#tr-list", OptionList).highlighted = index
    await wait_until(pilot, lambda: screen.current is not None
                     and screen.current.id == screen.entries[index][1].id, "its detail shown")
    await settle(app, pilot)


def sections(screen: TransferScreen) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for kind, row in screen.entries:
        if row is not None:
            out.setdefault(kind, []).append(row.id)
    return out


async def new_transfer(app, pilot, key: str = "refund") -> TransferEditor:
    """n, then the template ``key`` picked in the list."""
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(app.screen, TemplatePicker), "the picker opened")
    picker = app.screen
    index = [info.key for info in picker.templates].index(key)
    picker.query_one(OptionList).highlighted = index
    await pilot.press("enter")
    return await wait_for_editor(app, pilot)


async def wait_for_editor(app, pilot) -> TransferEditor:
    await wait_until(pilot, lambda: isinstance(app.screen, TransferEditor), "the editor opened")
    await settle(app, pilot)
    return app.screen  # type: ignore[return-value]


def fill(editor: TransferEditor, values: Mapping[str, object]) -> None:
    """Put values in the editor's fields as typing and picking would."""
    for key, value in values.items():
        widget = editor.query_one(f"#te-f-{key}")
        if isinstance(widget, Checkbox):
            widget.value = bool(value)
        elif isinstance(widget, Select):
            widget.value = value
        else:
            widget.value = str(value)  # type: ignore[attr-defined]


async def send_from_editor(app, pilot) -> None:
    await pilot.press("ctrl+s")
    await settle(app, pilot)


async def decide(app, pilot, choice_steps: int, note: str, mark: str | None = None) -> None:
    """In the resolve / return form: move the choice down ``choice_steps``,
    write the note, mark the item ``mark`` (a key) to fix, confirm."""
    await wait_until(pilot, lambda: isinstance(app.screen, DecisionForm), "the form opened")
    form = app.screen
    if choice_steps:
        await pilot.press("enter")  # the choice's menu
        await pilot.pause()
        await pilot.press(*["down"] * choice_steps, "enter")
    form.query_one("#tr-note", Input).focus()
    await paste_text(pilot, note)
    if mark is not None:
        await pilot.press("enter")  # on to the items
        items = form.query_one("#tr-items", SelectionList)
        assert app.focused is items
        items.highlighted = [key for _label, key in form.items].index(mark)
        await pilot.press("space")
    await pilot.press("ctrl+s")
    await wait_until(pilot, lambda: isinstance(app.screen, TransferScreen), "the form closed")
    await settle(app, pilot)


# ── the whole path ─────────────────────────────────────────────────────────


async def test_a_refused_transfer_is_fixed_sent_claimed_returned_resent_and_resolved(
        make_app, db_path):
    app = make_app(size=LARGE)
    after_sale(db_path, AGENT)

    # Pre-sale: everything but the order number; the send is refused, naming it.
    async with started(app) as pilot:
        screen = await open_transfers(app, pilot)
        editor = await new_transfer(app, pilot)
        fill(editor, REFUND)
        await send_from_editor(app, pilot)
        assert isinstance(app.screen, TransferEditor), "a refused send keeps the editor open"
        [refusal] = _errors(app)
        assert "订单号" in refusal and t("tr.problem.empty") in refusal
        assert editor.query_one("#te-item-order").has_class("-invalid")
        assert editor.query_one("#te-f-order").has_class("-invalid")
        assert not editor.query_one("#te-item-phone").has_class("-invalid")
        assert app.focused is editor.query_one("#te-f-order", Input)
        assert "订单号" in _plain(editor.query_one("#te-problems", Static))

        await paste_text(pilot, ORDER)
        assert not editor.query_one("#te-item-order").has_class("-invalid")
        await send_from_editor(app, pilot)
        await wait_until(pilot, lambda: isinstance(app.screen, TransferScreen), "editor closed")
        await settle(app, pilot)
        assert t("tr.sent_to", to=AFTER_SALE) in _notes(app)
        transfer_id = editor.view.id
        assert sections(screen).get("sent") == [transfer_id]
    assert _row(db_path, transfer_id)["status"] == "sent"

    # After-sale claims it and returns it: the phone number is wrong.
    claimer = make_app(user=AGENT, size=LARGE)
    async with started(claimer) as pilot:
        screen = await open_transfers(claimer, pilot)
        assert sections(screen)["waiting"] == [transfer_id]
        await highlight(claimer, pilot, "waiting")
        assert ORDER in detail(claimer)
        await pilot.press("c")
        await wait_until(pilot, lambda: sections(screen).get("claimed") == [transfer_id],
                         "listed as claimed by me")
        assert t("tr.did.claim", id=transfer_id) in _notes(claimer)
        await highlight(claimer, pilot, "claimed")
        await pilot.press("b")
        await decide(claimer, pilot, 1, "电话打不通，是空号，请核对", mark="phone")
        assert t("tr.did.return", id=transfer_id) in _notes(claimer)
    row = _row(db_path, transfer_id)
    assert (row["status"], row["return_reason"], json.loads(str(row["return_items"]))) == (
        "returned", "wrong_info", ["phone"])

    # The sender sees it first, in the warning colour, with the reason; fixes and resends.
    again = make_app(size=LARGE)
    async with started(again) as pilot:
        screen = await open_transfers(again, pilot)
        first = next(kind for kind, row in screen.entries if row is not None)
        assert first == "returned" and screen.selected_row().id == transfer_id
        await wait_until(pilot, lambda: screen.current is not None, "the detail shown")
        assert t("tr.reason.wrong_info") in screen_text(again)
        assert "电话打不通，是空号，请核对" in detail(again)
        assert "↩ 联系电话" in detail(again)
        await pilot.press("e")
        editor = await wait_for_editor(again, pilot)
        assert editor.query_one("#te-item-phone").has_class("-to-fix")
        assert again.focused is editor.query_one("#te-f-phone", Input)
        await pilot.press("end", *["backspace"] * 11)
        await paste_text(pilot, "13912345678")
        await send_from_editor(again, pilot)
        await wait_until(pilot, lambda: isinstance(again.screen, TransferScreen), "resent")
        await settle(again, pilot)
        assert t("tr.resent_to", to=AGENT) in _notes(again)
        assert "returned" not in sections(screen)
    row = _row(db_path, transfer_id)
    assert (row["status"], row["claimed_by"]) == ("claimed", _user_id(db_path, AGENT))

    # The claimer resolves it with an outcome and a note.
    last = make_app(user=AGENT, size=LARGE)
    async with started(last) as pilot:
        screen = await open_transfers(last, pilot)
        await highlight(last, pilot, "claimed")
        assert "13912345678" in detail(last)
        await pilot.press("v")
        await decide(last, pilot, 1, "已原路退款 128 元，1-3 个工作日到账")
        assert t("tr.did.resolve", id=transfer_id) in _notes(last)
        assert sections(screen).get("resolved") == [transfer_id]
        await highlight(last, pilot, "resolved")
        assert t("tr.outcome.refunded") in detail(last)
    row = _row(db_path, transfer_id)
    assert (row["status"], row["outcome"], row["resolution"]) == (
        "resolved", "refunded", "已原路退款 128 元，1-3 个工作日到账")
    assert _events(db_path, transfer_id) == ["created", "sent", "claimed", "returned", "resent",
                                             "resolved"]


async def test_resolve_and_return_need_a_note(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    after_sale(db_path, AGENT)
    transfer_id = send_behind(db_path)
    async with started(app) as pilot:
        await open_transfers(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        await highlight(app, pilot, "claimed")
        await pilot.press("v")
        await wait_until(pilot, lambda: isinstance(app.screen, DecisionForm), "the form opened")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, DecisionForm)
        assert t("tr.note_required", field=t("field.tr.resolution")) in _notes(app)
        await pilot.press("escape")
        await settle(app, pilot)
    assert _row(db_path, transfer_id)["status"] == "claimed"


# ── claiming at once ──────────────────────────────────────────────────────


async def test_claiming_what_someone_else_just_claimed_names_who_took_it(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    app.watch_interval = 3600  # the list must still show it as waiting when c is pressed
    after_sale(db_path, AGENT, RIVAL)
    transfer_id = send_behind(db_path)
    async with started(app) as pilot:
        screen = await open_transfers(app, pilot)
        await highlight(app, pilot, "waiting")
        with acting(db_path, RIVAL) as (session, rival):
            transfer.take(session, rival, transfer_id)
        await pilot.press("c")
        await wait_until(pilot, lambda: _errors(app), "the refusal")
        [refusal] = _errors(app)
        before, after = t("err.conflict.transfer_taken", who=RIVAL, when="\0").split("\0")
        assert refusal.startswith(before) and refusal.endswith(after)
        await settle(app, pilot)
        assert "waiting" not in sections(screen) or transfer_id not in sections(screen)["waiting"]
    assert _row(db_path, transfer_id)["claimed_by"] == _user_id(db_path, RIVAL)


async def test_resolving_a_transfer_nobody_claimed_is_refused(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    after_sale(db_path, AGENT)
    send_behind(db_path)
    async with started(app) as pilot:
        await open_transfers(app, pilot)
        await highlight(app, pilot, "waiting")
        await pilot.press("v")
        await pilot.pause()
        assert isinstance(app.screen, TransferScreen)
        assert t("err.conflict.transfer_state", state=t("tr.state.sent")) in _notes(app)


# ── hostile text ──────────────────────────────────────────────────────────

HOSTILE = "[bold red]x[/] \x1b[31mred\x1b[0m [link=http://e.invalid]点我[/link] [@click=app.quit]q[/]"


async def test_markup_and_escape_sequences_in_item_values_are_shown_literally(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    after_sale(db_path, AGENT)
    transfer_id = send_behind(db_path, {**REFUND, "order": ORDER, "problem": HOSTILE,
                                        "product": "[red]杯[/red]\x1b]52;c;aGk=\x07"})
    async with started(app) as pilot:
        await open_transfers(app, pilot)
        await highlight(app, pilot, "waiting")
        shown = detail(app)
        assert "[bold red]x[/] ␛[31mred␛[0m [link=http://e.invalid]点我[/link]" in shown
        assert "[@click=app.quit]q[/]" in shown
        assert "[red]杯[/red]␛]52;c;aGk=␇" in shown
        text = screen_text(app)
        assert "\x1b]52" not in text and "\x1b[31m" not in text
        assert "[red]杯[/red]" in text  # the subject in the list, literally
        await pilot.press("c")
        await settle(app, pilot)
        assert isinstance(app.screen, TransferScreen)  # [@click=app.quit] did nothing
    assert _row(db_path, transfer_id)["status"] == "claimed"


async def test_markup_typed_into_the_editor_stays_text(make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_transfers(app, pilot)
        editor = await new_transfer(app, pilot)
        editor.query_one("#te-f-problem", Input).focus()
        await paste_text(pilot, "[b]急[/b] [@click=app.quit]x[/]")
        assert "[b]急[/b] [@click=app.quit]x[/]" in screen_text(app)
        await pilot.press("escape")  # leaving saves the draft
        await wait_until(pilot, lambda: isinstance(app.screen, TransferScreen), "closed")
        await settle(app, pilot)
        assert t("ho.saved") in _notes(app)
        assert "[b]急[/b]" in screen_text(app)  # the subject in the list
    [(values,)] = query_db(db_path, "SELECT \"values\" FROM transfer")
    assert json.loads(str(values))["problem"] == "[b]急[/b] [@click=app.quit]x[/]"


# ── drafts ────────────────────────────────────────────────────────────────


async def test_typing_is_autosaved_and_offered_back_on_the_next_start(make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_transfers(app, pilot)
        editor = await new_transfer(app, pilot)
        editor.query_one("#te-f-problem", Input).focus()
        await paste_text(pilot, "客户说杯盖漏水")
        await pilot.pause(1.3)
        await settle(app, pilot)
        ref = editor.draft_ref
    # The connection dropped: nothing was saved but the autosaved draft.
    [(kind, draft_ref, payload)] = query_db(db_path, "SELECT kind, ref, payload FROM draft")
    assert (kind, draft_ref) == ("transfer", ref)
    assert json.loads(str(payload))["values"]["problem"] == "客户说杯盖漏水"

    again = make_app(size=LARGE)
    async with started(again) as pilot:
        await wait_until(pilot, lambda: isinstance(again.screen, Confirm), "the draft offered")
        await pilot.press("y")
        editor = await wait_for_editor(again, pilot)
        assert again.current_mode == "transfer"
        assert editor.query_one("#te-f-problem", Input).value == "客户说杯盖漏水"
        assert t("ho.draft_restored") in _notes(again)
        await pilot.press("escape")  # leaving keeps it, now as the saved draft
        await wait_until(pilot, lambda: isinstance(again.screen, TransferScreen), "closed")
        await settle(again, pilot)
        screen = again.screen
        assert sections(screen)["drafts"] == [int(ref)]
    assert query_db(db_path, "SELECT * FROM draft") == []
    [(values,)] = query_db(db_path, "SELECT \"values\" FROM transfer")
    assert json.loads(str(values))["problem"] == "客户说杯盖漏水"


async def test_a_draft_is_discarded_after_confirming(make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        screen = await open_transfers(app, pilot)
        await new_transfer(app, pilot)
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, TransferScreen), "closed")
        await settle(app, pilot)
        await highlight(app, pilot, "drafts")
        await pilot.press("x")
        await wait_until(pilot, lambda: isinstance(app.screen, Confirm), "asked")
        await pilot.press("y")
        await wait_until(pilot, lambda: "drafts" not in sections(screen), "the draft gone")
    assert [s for (s,) in query_db(db_path, "SELECT status FROM transfer")] == ["discarded"]


# ── from the library ──────────────────────────────────────────────────────


async def test_the_library_key_opens_an_editor_prefilled_from_the_scenario(make_app, db_path):
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await search(app, pilot, "未发货申请退款")
        await focus_results(app, pilot)
        scenario = app.screen.detail.scenario
        assert scenario.category.startswith("售后/退款")
        await pilot.press("T")
        await wait_until(pilot, lambda: isinstance(app.screen, TemplatePicker), "the picker")
        picker = app.screen
        highlighted = picker.query_one(OptionList).highlighted
        assert picker.templates[highlighted].key == "refund"  # the scenario's template
        await pilot.press("enter")
        editor = await wait_for_editor(app, pilot)
        assert app.current_mode == "transfer"
        assert editor.view.template.key == "refund"
        filled = [editor.query_one(f"#te-f-{i.key}").value for i in editor.items
                  if i.kind == "text"]
        assert any(scenario.title in value for value in filled)
    [(scenario_id,)] = query_db(db_path, "SELECT scenario_id FROM transfer")
    assert scenario_id == scenario.id


# ── live ──────────────────────────────────────────────────────────────────


async def test_new_and_returned_transfers_arrive_while_the_inbox_is_open(make_app, db_path):
    sender = make_app(size=LARGE)
    after_sale(db_path, AGENT)
    app = make_app(user=AGENT, size=LARGE)
    async with started(app) as pilot:
        screen = await open_transfers(app, pilot)
        assert not sections(screen).get("waiting")
        transfer_id = send_behind(db_path)
        await wait_until(pilot, lambda: sections(screen).get("waiting") == [transfer_id],
                         "the new transfer listed", limit=10)
        await wait_until(pilot, lambda: t("tr.arrived", count=1) in _notes(app), "told")
        with acting(db_path, AGENT) as (session, actor):
            view = transfer.take(session, actor, transfer_id)
            transfer.return_to_sender(session, actor, transfer_id, view.version, "missing_info",
                                      "少了收货地址")
    async with started(sender) as pilot:
        screen = await open_transfers(sender, pilot)
        assert sections(screen)["returned"] == [transfer_id]
        with acting(db_path, LEAD) as (session, actor):  # resent from another terminal
            version = transfer.get_transfer(session, actor, transfer_id).version
            transfer.send(session, actor, transfer_id, version)
        await wait_until(pilot, lambda: "returned" not in sections(screen), "resent", limit=10)
        with acting(db_path, AGENT) as (session, actor):
            version = transfer.get_transfer(session, actor, transfer_id).version
            transfer.return_to_sender(session, actor, transfer_id, version, "wrong_info",
                                      "地址还是不对")
        await wait_until(pilot, lambda: sections(screen).get("returned") == [transfer_id],
                         "listed as returned again", limit=10)
        await wait_until(pilot, lambda: t("tr.came_back", count=1) in _notes(sender), "told")


# ── lead keys ─────────────────────────────────────────────────────────────


async def test_lead_keys_are_refused_to_agents(make_app, db_path):
    app = make_app(user=AGENT, size=LARGE)
    after_sale(db_path, AGENT)
    async with started(app) as pilot:
        await open_transfers(app, pilot)
        await pilot.press("L")
        await pilot.press("T")
        await pilot.pause()
        assert isinstance(app.screen, TransferScreen)
        notes = _notes(app)
        assert t("err.not_allowed.transfer_lead") in notes
        assert t("err.not_allowed.templates") in notes


@pytest.mark.parametrize(("key", "module"), [("L", "cscterm.tui.screens.transfer_lead"),
                                             ("T", "cscterm.tui.screens.templates")])
async def test_a_lead_screen_missing_from_the_installation_is_a_notice(make_app, monkeypatch,
                                                                       key, module):
    import sys

    monkeypatch.setitem(sys.modules, module, None)  # importing it fails
    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await open_transfers(app, pilot)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, TransferScreen)
        what = t("key.tr.lead" if key == "L" else "key.tr.templates")
        assert t("tr.unavailable", what=what) in _notes(app)


# ── the command palette ───────────────────────────────────────────────────


async def test_the_palette_starts_a_new_transfer_from_any_mode(make_app):
    from textual.command import CommandPalette

    from .helpers import type_text

    app = make_app(size=LARGE)
    async with started(app) as pilot:
        await pilot.press("ctrl+p")
        await settle(app, pilot)
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, t("cmd.transfer_new"))
        await pilot.pause(0.3)  # the palette debounces its searches
        await settle(app, pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, TemplatePicker), "the picker")
        assert app.current_mode == "transfer"


async def test_the_lead_view_is_offered_in_the_palette_to_leads_only(make_app, db_path):
    from cscterm.tui.commands import WorkbenchCommands

    lead = make_app(size=LARGE)
    after_sale(db_path, AGENT)
    agent = make_app(user=AGENT, size=LARGE)
    for app, offered in ((lead, True), (agent, False)):
        async with started(app) as pilot:
            await pilot.pause()
            labels = [label for label, _action in WorkbenchCommands(app.screen)._commands()]
            assert (t("cmd.transfer_lead") in labels) is offered
            assert t("cmd.transfer") in labels and t("cmd.transfer_new") in labels
