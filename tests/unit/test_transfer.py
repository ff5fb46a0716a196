"""services/transfer.py: pre-sale → after-sale transfers (售前转售后).

Every call gets ``now=`` (and ``zone=`` where a typed time is read), so
nothing depends on the machine's clock or time zone; the centre is in
Shanghai. Each service call runs in its own unit of work, as the screens do,
so a refused call is seen rolled back.

People: agent1 and agent2 are pre-sale (team ``default``); after1 and after2
are the after-sale team ``售后`` the starter templates send to; lead1 leads
(team ``default``, so a lead is not in the after-sale queue).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from cscterm.db.models import Scenario, Transfer, TransferEvent
from cscterm.errors import Conflict, Invalid, NotAllowed, NotFound
from cscterm.services import checklists, users
from cscterm.services import transfer as tr
from cscterm.services.checklists import ItemDef
from cscterm.services.transfer import Incomplete, TransferView
from cscterm.services.users import Actor

ZONE = ZoneInfo("Asia/Shanghai")


def local(day: int, hour: int, minute: int = 0, second: int = 0) -> datetime:
    """A wall-clock time at the centre in November 2026."""
    return datetime(2026, 11, day, hour, minute, second, tzinfo=ZONE)


NOW = local(24, 10)  # 退货退款: accept within 30m (due 10:30), resolve within 24h
DAY = date(2026, 11, 24)

# A complete 退货退款 (refund) checklist; the optional items are left out.
REFUND: dict[str, object] = {
    "identity": True, "order": "2026112312345678", "phone": "13812345678",
    "product": "保温杯 500ml 藏青色 ×2", "problem": "杯盖漏水，要退", "reason": "质量问题",
    "received": "已签收", "promised": "无", "mood": "平静",
}
REFUND_REQUIRED = ["identity", "order", "phone", "product", "problem", "reason", "received",
                   "promised", "mood"]

# A template whose subject shows personal data, for another team's queue.
CALLBACK = """\
format: cscterm-checklist/1
key: callback
name: 回访
scenarios: [售后]
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
  - key: note
    label: 备注
    kind: text
"""
CALLBACK_VALUES = {"name": "王小明", "phone": "13812345678", "note": "下午回电"}

Do = Callable[..., Any]


@pytest.fixture
def do(workspace) -> Do:
    """``do(service_function, *args, **kwargs)`` in a unit of work of its own."""

    def call(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        with workspace.session() as session:
            return fn(session, *args, **kwargs)

    return call


def _member(do: Do, lead: Actor, login_as: Callable[[str], Actor], login: str, team: str) -> Actor:
    login_as(login)
    return do(users.set_team, lead, login, team)


@pytest.fixture
def after1(do, lead, login_as) -> Actor:
    return _member(do, lead, login_as, "after1", "售后")


@pytest.fixture
def after2(do, lead, login_as) -> Actor:
    return _member(do, lead, login_as, "after2", "售后")


@pytest.fixture
def visitor(do, lead, login_as) -> Actor:
    """after3, of the 回访组 queue."""
    return _member(do, lead, login_as, "after3", "回访组")


@pytest.fixture
def callback(do, lead) -> checklists.TemplateDef:
    return do(checklists.save_source, lead, CALLBACK)


# ── building transfers ─────────────────────────────────────────────────────


def draft(do: Do, sender: Actor, values: Mapping[str, object] | None = None, *,
          key: str = "refund", when: datetime = NOW, to: str | None = None) -> TransferView:
    view = do(tr.create, sender, key, now=when)
    return do(tr.save_draft, sender, view.id, view.version, REFUND if values is None else values,
              to=to, now=when)


def sent(do: Do, sender: Actor, values: Mapping[str, object] | None = None, *,
         key: str = "refund", when: datetime = NOW, to: str | None = None) -> TransferView:
    view = draft(do, sender, values, key=key, when=when, to=to)
    return do(tr.send, sender, view.id, view.version, now=when, zone=ZONE)


def claimed(do: Do, sender: Actor, claimer: Actor, *, at: datetime | None = None,
            when: datetime = NOW, **kwargs: Any) -> TransferView:
    view = sent(do, sender, when=when, **kwargs)
    return do(tr.take, claimer, view.id, now=at or when + timedelta(minutes=10))


def give_back(do: Do, view: TransferView, claimer: Actor, at: datetime, *,
              reason: str = "missing_info", note: str = "请补充收货地址",
              items: tuple[str, ...] = ("product",)) -> TransferView:
    return do(tr.return_to_sender, claimer, view.id, view.version, reason, note, items=items,
              now=at)


def resend(do: Do, view: TransferView, sender: Actor, at: datetime) -> TransferView:
    return do(tr.send, sender, view.id, view.version, now=at, zone=ZONE)


def close(do: Do, view: TransferView, claimer: Actor, at: datetime, *,
          outcome: str = "refunded", note: str = "已退款 128 元") -> TransferView:
    return do(tr.resolve, claimer, view.id, view.version, outcome, note, now=at)


def stored(workspace, transfer_id: int) -> Transfer:
    with workspace.session() as session:
        row = session.get(Transfer, transfer_id)
        assert row is not None
        return row


# ── the state machine ──────────────────────────────────────────────────────


def test_create_makes_a_draft_of_the_templates_current_version_for_its_queue(do, agent) -> None:
    view = do(tr.create, agent, "refund", now=NOW)
    assert (view.status, view.row.queue, view.row.sender, view.row.sender_team) == (
        "draft", "售后", "agent1", "default")
    assert (view.template.key, view.template.number) == ("refund", 1)
    assert [e.kind for e in view.events] == ["created"]
    assert view.row.clock is None and view.accept is None


def test_create_with_an_unknown_template_is_not_found(do, agent) -> None:
    with pytest.raises(NotFound) as caught:
        do(tr.create, agent, "nonexistent", now=NOW)
    assert "nonexistent" in str(caught.value)


def test_send_moves_a_complete_draft_to_waiting_and_starts_both_clocks(workspace, do,
                                                                        agent) -> None:
    view = sent(do, agent)
    assert view.status == "sent"
    row = stored(workspace, view.id)
    assert (row.sent_at, row.accept_due_at, row.resolve_due_at) == (
        NOW, NOW + timedelta(minutes=30), NOW + timedelta(hours=24))
    assert view.row.clock is not None and view.row.clock.which == "accept"


def test_claim_moves_a_waiting_transfer_to_the_claimer(workspace, do, agent, after1) -> None:
    view = claimed(do, agent, after1, at=local(24, 10, 5))
    assert (view.status, view.row.claimed_by, view.claimer_id) == ("claimed", "after1", after1.id)
    assert stored(workspace, view.id).claimed_at == local(24, 10, 5)


def test_resolve_closes_a_claimed_transfer_with_its_outcome_and_note(workspace, do, agent,
                                                                     after1) -> None:
    view = claimed(do, agent, after1)
    done = close(do, view, after1, local(24, 15))
    assert (done.status, done.outcome, done.resolution) == ("resolved", "refunded", "已退款 128 元")
    assert stored(workspace, view.id).resolved_at == local(24, 15)


def test_return_sends_it_back_to_the_sender_with_reason_note_and_items(do, agent, after1) -> None:
    view = give_back(do, claimed(do, agent, after1), after1, local(24, 11),
                     items=("product", "phone"))
    assert (view.status, view.row.return_reason, view.return_note, view.return_items) == (
        "returned", "missing_info", "请补充收货地址", ["product", "phone"])
    inbox = do(tr.inbox, agent, now=local(24, 11))
    assert [r.id for r in inbox.returned] == [view.id]


def test_a_resent_transfer_goes_back_to_whoever_returned_it(do, agent, after1, after2) -> None:
    view = give_back(do, claimed(do, agent, after1), after1, local(24, 11))
    view = do(tr.save_draft, agent, view.id, view.version, {"product": "保温杯 500ml ×2，地址已补"},
              now=local(24, 12))
    view = resend(do, view, agent, local(24, 12))
    assert (view.status, view.row.claimed_by) == ("claimed", "after1")
    assert (view.row.return_reason, view.return_note, view.return_items) == ("", "", [])
    assert view.values["product"] == "保温杯 500ml ×2，地址已补"
    assert do(tr.inbox, after2, now=local(24, 12)).waiting == []
    assert [r.id for r in do(tr.inbox, after1, now=local(24, 12)).claimed] == [view.id]
    resent_event = view.events[-1]
    assert (resent_event.kind, resent_event.detail["fixed"]) == ("resent", ["product"])


def test_a_draft_is_discarded_and_leaves_the_senders_inbox(workspace, do, agent) -> None:
    view = draft(do, agent)
    assert do(tr.discard, agent, view.id, now=NOW) is None
    assert stored(workspace, view.id).status == "discarded"
    assert do(tr.inbox, agent, now=NOW).drafts == []


@pytest.fixture
def in_state(do, agent, after1) -> Callable[[str], TransferView]:
    """A transfer by agent1 in the given state (after1 claims it)."""

    def make(state: str) -> TransferView:
        if state == "draft":
            return draft(do, agent)
        if state == "discarded":
            view = draft(do, agent)
            do(tr.discard, agent, view.id, now=NOW)
            return do(tr.get_transfer, agent, view.id, now=NOW)
        if state == "sent":
            return sent(do, agent)
        view = claimed(do, agent, after1)
        if state == "returned":
            return give_back(do, view, after1, local(24, 11))
        if state == "resolved":
            return close(do, view, after1, local(24, 11))
        return view

    return make


# (state, who acts, the step): each is out of turn in that state.
ILLEGAL = [
    ("sent", "agent", lambda do, v, who: do(tr.send, who, v.id, v.version, now=NOW)),
    ("claimed", "agent", lambda do, v, who: do(tr.send, who, v.id, v.version, now=NOW)),
    ("resolved", "agent", lambda do, v, who: do(tr.send, who, v.id, v.version, now=NOW)),
    ("discarded", "agent", lambda do, v, who: do(tr.send, who, v.id, v.version, now=NOW)),
    ("sent", "agent", lambda do, v, who: do(tr.save_draft, who, v.id, v.version, {}, now=NOW)),
    ("resolved", "agent", lambda do, v, who: do(tr.save_draft, who, v.id, v.version, {}, now=NOW)),
    ("sent", "agent", lambda do, v, who: do(tr.discard, who, v.id, now=NOW)),
    ("returned", "agent", lambda do, v, who: do(tr.discard, who, v.id, now=NOW)),
    ("discarded", "agent", lambda do, v, who: do(tr.discard, who, v.id, now=NOW)),
    ("resolved", "after1", lambda do, v, who: do(tr.take, who, v.id, now=NOW)),
    ("returned", "after1", lambda do, v, who: do(tr.take, who, v.id, now=NOW)),
    ("returned", "after1", lambda do, v, who: do(tr.resolve, who, v.id, v.version, "solved",
                                                 "好了", now=NOW)),
    ("returned", "after1", lambda do, v, who: do(tr.return_to_sender, who, v.id, v.version,
                                                 "other", "再退", now=NOW)),
    ("resolved", "after1", lambda do, v, who: do(tr.resolve, who, v.id, v.version, "solved",
                                                 "好了", now=NOW)),
    ("resolved", "after1", lambda do, v, who: do(tr.return_to_sender, who, v.id, v.version,
                                                 "other", "再退", now=NOW)),
    ("resolved", "lead", lambda do, v, who: do(tr.reassign, who, v.id, v.version, "after1",
                                               now=NOW)),
    ("returned", "lead", lambda do, v, who: do(tr.reassign, who, v.id, v.version, "after1",
                                               now=NOW)),
]
STATE_NAMES = {"sent": "waiting", "claimed": "claimed", "returned": "returned",
               "resolved": "resolved", "discarded": "discarded"}


@pytest.mark.parametrize(("state", "who", "step"), ILLEGAL, ids=[
    "send-sent", "send-claimed", "send-resolved", "send-discarded", "save-sent", "save-resolved",
    "discard-sent", "discard-returned", "discard-discarded", "claim-resolved", "claim-returned",
    "resolve-returned",
    "return-returned", "resolve-resolved", "return-resolved", "reassign-resolved",
    "reassign-returned"])
def test_a_step_out_of_turn_is_refused_naming_the_state(workspace, do, in_state, agent, after1,
                                                        lead, state, who, step) -> None:
    view = in_state(state)
    actor = {"agent": agent, "after1": after1, "lead": lead}[who]
    with pytest.raises(Conflict) as caught:
        step(do, view, actor)
    assert str(caught.value) == f"This transfer is {STATE_NAMES[state]} now; reload it."
    assert stored(workspace, view.id).status == state  # nothing changed


def test_claiming_a_claimed_transfer_is_refused_naming_who_has_it(do, agent, after1,
                                                                  after2) -> None:
    view = claimed(do, agent, after1)
    with pytest.raises(Conflict) as caught:
        do(tr.take, after2, view.id, now=local(24, 10, 20))
    assert str(caught.value).startswith("Already claimed by after1 at ")


# ── who may do what ────────────────────────────────────────────────────────


def test_a_draft_is_visible_to_nobody_but_its_sender(do, agent, agent2, after1, lead) -> None:
    view = draft(do, agent)
    for other in (agent2, after1, lead):
        with pytest.raises(NotFound):
            do(tr.save_draft, other, view.id, view.version, {"product": "改"}, now=NOW)
        with pytest.raises(NotFound):
            do(tr.send, other, view.id, view.version, now=NOW)
        with pytest.raises(NotFound):
            do(tr.discard, other, view.id, now=NOW)


def test_only_the_sender_edits_or_resends_a_returned_transfer(workspace, do, agent, after1,
                                                              lead) -> None:
    view = give_back(do, claimed(do, agent, after1), after1, local(24, 11))
    for other in (after1, lead):
        with pytest.raises(NotAllowed) as caught:
            do(tr.save_draft, other, view.id, view.version, {"product": "改"}, now=NOW)
        assert "Only the sender" in str(caught.value)
        with pytest.raises(NotAllowed):
            do(tr.send, other, view.id, view.version, now=NOW)
    assert stored(workspace, view.id).values["product"] == REFUND["product"]


def test_the_queue_team_claims_and_nobody_else(do, agent, agent2, lead, after1, after2) -> None:
    view = sent(do, agent)
    with pytest.raises(NotFound):  # not theirs to see at all
        do(tr.take, agent2, view.id, now=NOW)
    for outsider in (agent, lead):
        with pytest.raises(NotAllowed) as caught:
            do(tr.take, outsider, view.id, now=NOW)
        assert "售后" in str(caught.value)
    assert do(tr.take, after2, view.id, now=NOW).row.claimed_by == "after2"


def test_a_transfer_sent_to_one_person_is_claimed_only_by_them(do, agent, agent2, after1) -> None:
    view = sent(do, agent, to="agent2")
    assert view.to_user_id == agent2.id and view.events[-1].detail["to"] == "agent2"
    assert do(tr.inbox, after1, now=NOW).waiting == []
    with pytest.raises(NotFound):
        do(tr.take, after1, view.id, now=NOW)
    assert [r.id for r in do(tr.inbox, agent2, now=NOW).waiting] == [view.id]
    assert do(tr.take, agent2, view.id, now=NOW).row.claimed_by == "agent2"


def test_a_transfer_cannot_be_sent_to_its_sender(do, agent) -> None:
    view = do(tr.create, agent, "refund", now=NOW)
    with pytest.raises(Invalid) as caught:
        do(tr.save_draft, agent, view.id, view.version, REFUND, to="agent1", now=NOW)
    assert "its sender" in str(caught.value)


def test_a_transfer_to_an_unknown_login_is_refused_naming_it(do, agent) -> None:
    view = do(tr.create, agent, "refund", now=NOW)
    with pytest.raises(Invalid) as caught:
        do(tr.save_draft, agent, view.id, view.version, REFUND, to="nobody9", now=NOW)
    assert "nobody9" in str(caught.value)


def test_only_the_claimer_resolves_or_returns(workspace, do, agent, after1, after2, lead) -> None:
    view = claimed(do, agent, after1)
    for other in (after2, agent, lead):
        with pytest.raises(NotAllowed) as caught:
            close(do, view, other, local(24, 11))
        assert "Only whoever claimed" in str(caught.value)
        with pytest.raises(NotAllowed):
            give_back(do, view, other, local(24, 11))
    assert stored(workspace, view.id).status == "claimed"


def test_only_a_lead_reassigns(do, agent, after1, after2) -> None:
    view = sent(do, agent)
    for who in (agent, after1):
        with pytest.raises(NotAllowed) as caught:
            do(tr.reassign, who, view.id, view.version, "after2", now=NOW)
        assert "Only a lead" in str(caught.value)


def test_a_lead_reassigns_a_waiting_transfer_to_one_person(do, agent, lead, after1,
                                                           after2) -> None:
    view = sent(do, agent)
    view = do(tr.reassign, lead, view.id, view.version, "after2", now=local(24, 10, 5))
    assert (view.status, view.to_user_id) == ("sent", after2.id)
    event = view.events[-1]
    assert (event.kind, event.actor, event.detail) == ("reassigned", "lead1",
                                                       {"to": "after2", "before": "售后"})
    with pytest.raises(NotFound):
        do(tr.take, after1, view.id, now=local(24, 10, 6))
    assert do(tr.take, after2, view.id, now=local(24, 10, 6)).status == "claimed"


def test_a_lead_reassigns_a_claimed_transfer_and_its_clocks_run_on(workspace, do, agent, lead,
                                                                   after1, after2) -> None:
    view = claimed(do, agent, after1, at=local(24, 10, 5))
    view = do(tr.reassign, lead, view.id, view.version, "after2", now=local(24, 12))
    assert (view.status, view.claimer_id) == ("claimed", after2.id)
    assert view.events[-1].detail == {"to": "after2", "before": "after1"}
    row = stored(workspace, view.id)
    assert (row.claimed_at, row.resolve_due_at) == (local(24, 10, 5), NOW + timedelta(hours=24))
    with pytest.raises(NotAllowed):
        close(do, view, after1, local(24, 13))
    assert close(do, view, after2, local(24, 13)).status == "resolved"


def test_only_leads_see_the_lead_view_and_export(do, agent, after1) -> None:
    for who in (agent, after1):
        with pytest.raises(NotAllowed):
            do(tr.lead_view, who, first=DAY, last=DAY, now=NOW, zone=ZONE)
        with pytest.raises(NotAllowed):
            do(tr.export_csv, who, first=DAY, last=DAY, zone=ZONE)


def test_a_lead_reads_any_sent_transfer_but_an_outsider_does_not(do, agent, agent2, lead) -> None:
    view = sent(do, agent)
    assert do(tr.get_transfer, lead, view.id, now=NOW).id == view.id
    with pytest.raises(NotFound) as caught:
        do(tr.get_transfer, agent2, view.id, now=NOW)
    assert f"#{view.id}" in str(caught.value)


# ── the send gate ──────────────────────────────────────────────────────────


def test_send_lists_every_empty_required_item_in_template_order_with_its_label(workspace, do,
                                                                                agent) -> None:
    view = do(tr.create, agent, "refund", now=NOW)
    with pytest.raises(Incomplete) as caught:
        do(tr.send, agent, view.id, view.version, now=NOW, zone=ZONE)
    problems = caught.value.problems
    assert [p.key for p in problems] == REFUND_REQUIRED
    assert problems[0].label == "已核实客户身份" and problems[0].message == "must be checked"
    assert problems[1].label == "订单号" and problems[1].message == "required"
    assert str(caught.value).startswith(
        "Not sent; fix these items: 已核实客户身份: must be checked; 订单号: required; "
        "联系电话: required;")
    assert stored(workspace, view.id).status == "draft"


def test_send_lists_empty_and_invalid_items_together_in_template_order(do, agent) -> None:
    view = draft(do, agent, {**REFUND, "identity": False, "order": "88", "reason": "想退",
                             "mood": "", "promised_by": "明天"})
    with pytest.raises(Incomplete) as caught:
        do(tr.send, agent, view.id, view.version, now=NOW, zone=ZONE)
    assert [(p.key, p.label) for p in caught.value.problems] == [
        ("identity", "已核实客户身份"), ("order", "订单号"), ("reason", "退款原因"),
        ("promised_by", "承诺的时间"), ("mood", "客户情绪")]


@pytest.mark.parametrize("ticked", [True, "yes", "x", "✓", "true", "1"])
def test_a_ticked_check_item_passes(ticked) -> None:
    item = ItemDef("identity", "已核实客户身份", "check", required=True)
    assert tr.check_item(item, ticked, now=NOW, zone=ZONE) == (True, "")


@pytest.mark.parametrize("unticked", [False, None, "", "no", "0"])
def test_a_required_check_item_must_be_ticked(unticked) -> None:
    item = ItemDef("identity", "已核实客户身份", "check", required=True)
    assert tr.check_item(item, unticked, now=NOW, zone=ZONE) == (False, "must be checked")


def test_a_choice_must_be_one_of_the_choices(do, agent) -> None:
    view = draft(do, agent, {**REFUND, "reason": "不想要了"})
    with pytest.raises(Incomplete) as caught:
        do(tr.send, agent, view.id, view.version, now=NOW, zone=ZONE)
    (problem,) = caught.value.problems
    assert problem.message == (
        "“不想要了” is not one of 七天无理由 / 质量问题 / 发错货 / 少件漏发 / 描述不符 / 其他")


@pytest.mark.parametrize(("key", "value", "example"), [
    ("order", "202611231234", "2026112312345678"),
    ("order", "SF2026112312345678", "2026112312345678"),
    ("phone", "1381234567", "13812345678"),
    ("phone", "12812345678", "13812345678"),
    ("phone", "客户没说", "13812345678"),
])
def test_a_number_not_in_the_templates_form_is_refused_with_an_example(do, agent, key, value,
                                                                       example) -> None:
    view = draft(do, agent, {**REFUND, key: value})
    with pytest.raises(Incomplete) as caught:
        do(tr.send, agent, view.id, view.version, now=NOW, zone=ZONE)
    (problem,) = caught.value.problems
    assert problem.key == key
    assert f"“{value}” is not" in problem.message
    assert f"expected the form {example}" in problem.message


@pytest.mark.parametrize(("key", "typed", "kept"), [
    ("order", "２０２６１１２３１２３４５６７８", "2026112312345678"),
    ("order", "2026 1123 1234 5678", "2026112312345678"),
    ("order", "  ２０２６ １１２３　１２３４ ５６７８ ", "2026112312345678"),
    ("phone", "１３８１２３４５６７８", "13812345678"),
    ("phone", "138 1234 5678", "13812345678"),
    ("phone", "021-12345678", "021-12345678"),
    ("phone", "０２１ １２３４５６７８", "02112345678"),
])
def test_full_width_digits_and_spaces_in_numbers_are_normalised(do, agent, key, typed,
                                                                kept) -> None:
    view = sent(do, agent, {**REFUND, key: typed})
    assert view.values[key] == kept


@pytest.mark.parametrize(("typed", "now", "expected"), [
    ("+2h", local(24, 10), "2026-11-24T04:00:00+00:00"),
    ("+30m", local(24, 10), "2026-11-24T02:30:00+00:00"),
    ("15:30", local(24, 10), "2026-11-24T07:30:00+00:00"),
    ("09:00", local(24, 10), "2026-11-25T01:00:00+00:00"),  # the next 09:00
    ("11-24 09:00", local(24, 8), "2026-11-24T01:00:00+00:00"),
    ("2026-11-25 09:00", local(24, 10), "2026-11-25T01:00:00+00:00"),
])
def test_a_typed_time_is_read_with_the_injected_now_and_stored_as_utc(do, agent, typed, now,
                                                                      expected) -> None:
    view = sent(do, agent, {**REFUND, "promised_by": typed}, when=now)
    assert view.values["promised_by"] == expected
    shown = next(i for i in view.items if i.item.key == "promised_by")
    assert datetime.fromisoformat(expected).tzinfo == UTC and shown.value == expected


@pytest.mark.parametrize("typed", ["明天", "25:00", "11-24 09:00", "2026-11-23 09:00", "+2d"])
def test_a_time_that_cannot_be_read_or_is_past_is_refused(do, agent, typed) -> None:
    view = draft(do, agent, {**REFUND, "promised_by": typed})
    with pytest.raises(Incomplete) as caught:
        do(tr.send, agent, view.id, view.version, now=NOW, zone=ZONE)
    (problem,) = caught.value.problems
    assert (problem.key, problem.label) == ("promised_by", "承诺的时间")
    assert "is not a time; write 15:30" in problem.message


def test_a_stored_time_now_in_the_past_is_kept_on_resend(do, agent, after1) -> None:
    view = sent(do, agent, {**REFUND, "promised_by": "+2h"})  # 12:00
    promised = view.values["promised_by"]
    view = do(tr.take, after1, view.id, now=local(24, 10, 5))
    view = give_back(do, view, after1, local(24, 11))
    view = resend(do, view, agent, local(24, 15))  # 12:00 has passed
    assert view.status == "claimed" and view.values["promised_by"] == promised == \
        "2026-11-24T04:00:00+00:00"


def test_an_optional_item_may_stay_empty(do, agent) -> None:
    view = sent(do, agent)
    assert view.values["condition"] == "" and view.values["promised_by"] == ""


def test_a_draft_keeps_what_was_typed_until_send_checks_it(do, agent) -> None:
    view = draft(do, agent, {**REFUND, "order": "２０２６", "promised_by": "+2h"})
    assert view.values["order"] == "２０２６" and view.values["promised_by"] == "+2h"


def test_a_text_value_over_the_limit_is_refused_by_save_draft(do, agent) -> None:
    view = do(tr.create, agent, "refund", now=NOW)
    with pytest.raises(Invalid) as caught:
        do(tr.save_draft, agent, view.id, view.version, {"problem": "长" * 2001}, now=NOW)
    assert "客户原话" in str(caught.value) and "2001" in str(caught.value)


# ── the clocks ─────────────────────────────────────────────────────────────


@pytest.mark.parametrize(("after", "state"), [
    (timedelta(0), "ok"),
    (timedelta(minutes=23, seconds=59), "ok"),
    (timedelta(minutes=24), "warning"),  # 80 % of 30 minutes
    (timedelta(minutes=30), "warning"),
    (timedelta(minutes=30, seconds=1), "breach"),
    (timedelta(hours=5), "breach"),
])
def test_the_accept_clock_warns_at_80_percent_and_breaches_past_100(do, agent, after,
                                                                     state) -> None:
    view = sent(do, agent)
    clock = do(tr.get_transfer, agent, view.id, now=NOW + after).row.clock
    assert (clock.which, clock.state, clock.elapsed, clock.due) == (
        "accept", state, after, NOW + timedelta(minutes=30))
    assert clock.breached == (state == "breach")


@pytest.mark.parametrize(("after", "state", "breached"), [
    (timedelta(minutes=20), "met", False),
    (timedelta(minutes=30), "met", False),
    (timedelta(minutes=31), "missed", True),
])
def test_claiming_stops_the_accept_clock_met_or_missed(workspace, do, agent, after1, after,
                                                       state, breached) -> None:
    view = claimed(do, agent, after1, at=NOW + after)
    later = do(tr.get_transfer, agent, view.id, now=NOW + timedelta(hours=3))
    assert (later.accept.state, later.accept.elapsed) == (state, after)
    assert stored(workspace, view.id).accept_breached is breached
    assert later.row.clock.which == "resolve"


@pytest.mark.parametrize(("after", "state"), [
    (timedelta(hours=19, minutes=11), "ok"),
    (timedelta(hours=19, minutes=12), "warning"),  # 80 % of 24 hours
    (timedelta(hours=24, seconds=1), "breach"),
])
def test_the_resolve_clock_warns_at_80_percent_and_breaches_past_100(do, agent, after1, after,
                                                                      state) -> None:
    view = claimed(do, agent, after1)
    clock = do(tr.get_transfer, after1, view.id, now=NOW + after).row.clock
    assert (clock.which, clock.state) == ("resolve", state)


@pytest.mark.parametrize(("after", "state", "breached"), [
    (timedelta(hours=23), "met", False),
    (timedelta(hours=25), "missed", True),
])
def test_resolving_stops_the_resolve_clock_met_or_missed(workspace, do, agent, after1, after,
                                                         state, breached) -> None:
    view = close(do, claimed(do, agent, after1), after1, NOW + after)
    later = do(tr.get_transfer, agent, view.id, now=NOW + timedelta(days=3))
    assert (later.resolve.state, later.resolve.elapsed) == (state, after)
    assert stored(workspace, view.id).resolve_breached is breached


def test_the_resolve_clock_stands_still_while_returned(workspace, do, agent, after1) -> None:
    view = claimed(do, agent, after1)
    view = give_back(do, view, after1, local(24, 12))  # 2h used
    while_returned = do(tr.get_transfer, agent, view.id, now=local(24, 14))
    clock = while_returned.row.clock
    assert (clock.which, clock.elapsed, clock.paused) == ("resolve", timedelta(hours=2), True)
    assert clock.due == NOW + timedelta(hours=24 + 2)  # moves later while it waits
    resend(do, while_returned, agent, local(24, 15))  # 3h returned
    row = stored(workspace, view.id)
    assert row.paused_s == 3 * 3600 and row.returned_at is None
    assert row.resolve_due_at == NOW + timedelta(hours=27)
    clock = do(tr.get_transfer, agent, view.id, now=local(24, 16)).row.clock
    assert (clock.elapsed, clock.paused, clock.due) == (timedelta(hours=3), False,
                                                        NOW + timedelta(hours=27))


def test_time_returned_is_not_counted_against_the_resolve_level(workspace, do, agent,
                                                                after1) -> None:
    view = claimed(do, agent, after1)
    view = give_back(do, view, after1, local(24, 10, 30))
    view = resend(do, view, agent, local(25, 10, 30))  # a whole day with the sender
    view = close(do, view, after1, local(25, 20))  # 34h after sending, 10h of it running
    assert stored(workspace, view.id).resolve_breached is False
    assert (view.resolve.state, view.resolve.elapsed) == ("met", timedelta(hours=10))


def test_each_return_and_resend_adds_to_the_pause(workspace, do, agent, after1) -> None:
    view = claimed(do, agent, after1)
    view = give_back(do, view, after1, local(24, 11))
    view = resend(do, view, agent, local(24, 12))
    view = give_back(do, view, after1, local(24, 13))
    resend(do, view, agent, local(24, 15))
    row = stored(workspace, view.id)
    assert row.paused_s == 3 * 3600 and row.resolve_due_at == NOW + timedelta(hours=27)


def test_a_draft_has_no_clock(do, agent) -> None:
    view = do(tr.get_transfer, agent, draft(do, agent).id, now=NOW + timedelta(days=2))
    assert (view.row.clock, view.accept, view.resolve) == (None, None, None)


# ── bounces and escalation ─────────────────────────────────────────────────


def test_the_first_return_counts_a_bounce_without_escalating(workspace, do, agent,
                                                             after1) -> None:
    view = give_back(do, claimed(do, agent, after1), after1, local(24, 11))
    assert (view.row.bounces, view.row.escalated) == (1, False)
    assert stored(workspace, view.id).escalated_at is None
    assert "escalated" not in [e.kind for e in view.events]


def test_the_second_return_escalates_to_the_leads(workspace, do, agent, after1, lead) -> None:
    view = give_back(do, claimed(do, agent, after1), after1, local(24, 11))
    view = resend(do, view, agent, local(24, 12))
    view = give_back(do, view, after1, local(24, 13), reason="wrong_info", note="电话打不通")
    assert (view.row.bounces, view.row.escalated) == (2, True)
    assert stored(workspace, view.id).escalated_at == local(24, 13)
    returned, escalated = view.events[-2:]
    assert (returned.kind, returned.detail["bounce"]) == ("returned", 2)
    assert (escalated.kind, escalated.actor, escalated.at, escalated.detail) == (
        "escalated", "", local(24, 13), {"bounces": 2})
    overview = do(tr.lead_view, lead, first=DAY, last=DAY, now=local(24, 13), zone=ZONE)
    assert [r.id for r in overview.escalated] == [view.id]


def test_a_third_return_does_not_escalate_again(workspace, do, agent, after1) -> None:
    view = claimed(do, agent, after1)
    for hour in (11, 13, 15):
        view = give_back(do, view, after1, local(24, hour))
        if hour < 15:
            view = resend(do, view, agent, local(24, hour + 1))
    assert view.row.bounces == 3
    assert [e.kind for e in view.events].count("escalated") == 1
    assert stored(workspace, view.id).escalated_at == local(24, 13)


def test_a_return_needs_a_known_reason_a_note_and_known_items(workspace, do, agent,
                                                              after1) -> None:
    view = claimed(do, agent, after1)
    with pytest.raises(Invalid) as caught:
        give_back(do, view, after1, local(24, 11), reason="lazy")
    assert "lazy" in str(caught.value) and "missing_info" in str(caught.value)
    with pytest.raises(Invalid) as caught:
        give_back(do, view, after1, local(24, 11), note="   ")
    assert "What to fix is required." == str(caught.value)
    with pytest.raises(Invalid) as caught:
        give_back(do, view, after1, local(24, 11), items=("address",))
    assert "address" in str(caught.value)
    assert stored(workspace, view.id).status == "claimed"


def test_resolving_needs_a_known_outcome_and_a_note(do, agent, after1) -> None:
    view = claimed(do, agent, after1)
    with pytest.raises(Invalid) as caught:
        close(do, view, after1, local(24, 11), outcome="magic")
    assert "magic" in str(caught.value)
    with pytest.raises(Invalid):
        close(do, view, after1, local(24, 11), note="")


# ── the timeline ───────────────────────────────────────────────────────────


def test_every_step_is_on_the_timeline_in_order_with_actor_reason_and_note(do, agent, after1,
                                                                           after2, lead) -> None:
    view = claimed(do, agent, after1, at=local(24, 10, 5))
    view = give_back(do, view, after1, local(24, 11), note="缺商品规格")
    view = resend(do, view, agent, local(24, 12))
    view = give_back(do, view, after1, local(24, 13), reason="wrong_info", note="电话是空号")
    view = resend(do, view, agent, local(24, 14))
    view = do(tr.reassign, lead, view.id, view.version, "after2", now=local(24, 15))
    view = close(do, view, after2, local(24, 16), outcome="refunded", note="已原路退款")
    timeline = [(e.kind, e.actor, e.at, e.reason, e.note) for e in view.events]
    assert timeline == [
        ("created", "agent1", NOW, "", ""),
        ("sent", "agent1", NOW, "", ""),
        ("claimed", "after1", local(24, 10, 5), "", ""),
        ("returned", "after1", local(24, 11), "missing_info", "缺商品规格"),
        ("resent", "agent1", local(24, 12), "", ""),
        ("returned", "after1", local(24, 13), "wrong_info", "电话是空号"),
        ("escalated", "", local(24, 13), "", ""),
        ("resent", "agent1", local(24, 14), "", ""),
        ("reassigned", "lead1", local(24, 15), "", ""),
        ("resolved", "after2", local(24, 16), "refunded", "已原路退款"),
    ]
    assert view.events[0].detail == {"template": "refund", "template_version": 1}
    assert view.events[3].detail["items"] == ["product"]
    assert view.events[4].detail["paused_s"] == 3600


def test_a_discard_is_on_the_timeline(workspace, do, agent) -> None:
    view = draft(do, agent)
    do(tr.discard, agent, view.id, now=local(24, 10, 1))
    with workspace.session() as session:
        kinds = session.exec(select(TransferEvent.kind).where(
            TransferEvent.transfer_id == view.id).order_by(TransferEvent.id)).all()
    assert kinds == ["created", "discarded"]


@pytest.mark.parametrize("statement", [
    "UPDATE transfer_event SET note = 'rewritten' WHERE transfer_id = :id",
    "UPDATE transfer_event SET kind = 'resolved', actor_id = NULL WHERE transfer_id = :id",
    "DELETE FROM transfer_event WHERE transfer_id = :id",
])
def test_the_database_refuses_to_change_or_delete_timeline_events(workspace, do, agent, after1,
                                                                  statement) -> None:
    view = give_back(do, claimed(do, agent, after1), after1, local(24, 11))
    before = [(e.kind, e.note) for e in view.events]
    with pytest.raises(DBAPIError, match="append-only"):
        with workspace.session() as session:
            session.execute(text(statement), {"id": view.id})
    after = do(tr.get_transfer, agent, view.id, now=local(24, 11))
    assert [(e.kind, e.note) for e in after.events] == before


# ── stale saves ────────────────────────────────────────────────────────────


def test_a_stale_save_draft_is_refused_naming_who_changed_it(do, agent) -> None:
    view = do(tr.create, agent, "refund", now=NOW)
    do(tr.save_draft, agent, view.id, view.version, {"product": "第一个窗口"}, now=NOW)
    with pytest.raises(Conflict) as caught:
        do(tr.save_draft, agent, view.id, view.version, {"product": "第二个窗口"}, now=NOW)
    assert "was changed by agent1" in str(caught.value)
    assert do(tr.get_transfer, agent, view.id, now=NOW).values["product"] == "第一个窗口"


def test_a_stale_send_is_refused(workspace, do, agent) -> None:
    old = draft(do, agent)
    do(tr.save_draft, agent, old.id, old.version, {"mood": "着急"}, now=NOW)
    with pytest.raises(Conflict) as caught:
        do(tr.send, agent, old.id, old.version, now=NOW, zone=ZONE)
    assert f"you edited version {old.version}" in str(caught.value)
    assert stored(workspace, old.id).status == "draft"


@pytest.mark.parametrize("step", ["resolve", "return"])
def test_a_stale_resolve_or_return_is_refused(workspace, do, agent, after1, lead, after2,
                                              step) -> None:
    old = claimed(do, agent, after1)
    view = do(tr.reassign, lead, old.id, old.version, "after2", now=local(24, 11))
    view = do(tr.reassign, lead, view.id, view.version, "after1", now=local(24, 11, 1))
    with pytest.raises(Conflict) as caught:
        if step == "resolve":
            close(do, old, after1, local(24, 12))
        else:
            give_back(do, old, after1, local(24, 12))
    assert "was changed by lead1" in str(caught.value)
    assert stored(workspace, old.id).status == "claimed"
    assert close(do, view, after1, local(24, 12)).status == "resolved"  # the fresh one works


# ── personal data ──────────────────────────────────────────────────────────

PHONE = ItemDef("phone", "联系电话", "phone", personal=True)
NAME = ItemDef("name", "联系人", "text", personal=True)


@pytest.mark.parametrize(("item", "value", "masked"), [
    (PHONE, "13812345678", "138****5678"),
    (PHONE, "021-12345678", "021****5678"),
    (PHONE, "", ""),
    (NAME, "王小明", "王**"),
    (NAME, "王五", "王**"),
    (NAME, "欧阳娜娜", "欧***"),
    (NAME, "上海市浦东新区张江路 100 弄 5 号 1201 室", "上********"),
    (ItemDef("product", "商品", "text"), "保温杯", "保温杯"),
])
def test_mask_hides_personal_data(item, value, masked) -> None:
    assert tr.mask(item, value) == masked


def test_subjects_in_lists_never_show_a_full_phone_number(do, agent, visitor, lead,
                                                          callback) -> None:
    view = sent(do, agent, CALLBACK_VALUES, key="callback")
    assert view.row.subject == "138****5678 王**"
    rows = (do(tr.inbox, visitor, now=NOW).waiting + do(tr.inbox, agent, now=NOW).sent
            + do(tr.lead_view, lead, first=DAY, last=DAY, now=NOW, zone=ZONE).sent)
    assert [r.subject for r in rows] == ["138****5678 王**"] * 3
    assert not any(re.search(r"\d{7}", r.subject) for r in rows)


def test_the_view_shows_full_values_and_their_masked_form(do, agent, visitor, callback) -> None:
    view = do(tr.get_transfer, visitor, sent(do, agent, CALLBACK_VALUES, key="callback").id,
              now=NOW)
    assert [(i.shown, i.masked) for i in view.items] == [
        ("王小明", "王**"), ("13812345678", "138****5678"), ("下午回电", "下午回电")]


def _csv(text_: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text_)))


def test_export_masks_personal_data_by_default(do, agent, lead, callback) -> None:
    sent(do, agent, CALLBACK_VALUES, key="callback")
    (row,) = _csv(do(tr.export_csv, lead, first=DAY, last=DAY, zone=ZONE))
    assert (row["联系人"], row["联系电话"], row["subject"]) == ("王**", "138****5678",
                                                               "138****5678 王**")
    assert (row["备注"], row["queue"], row["status"], row["sender"]) == ("下午回电", "回访组",
                                                                        "sent", "agent1")
    assert row["sent_at"] == "2026-11-24 10:00" and row["accept_due_at"] == "2026-11-24 11:00"


def test_export_shows_personal_data_only_when_asked(do, agent, lead, callback) -> None:
    sent(do, agent, CALLBACK_VALUES, key="callback")
    (row,) = _csv(do(tr.export_csv, lead, first=DAY, last=DAY, include_personal_data=True,
                     zone=ZONE))
    assert (row["联系人"], row["联系电话"], row["subject"]) == ("王小明", "13812345678",
                                                               "13812345678 王小明")


@pytest.mark.parametrize("value", ["=HYPERLINK(\"http://e.invalid\",\"点我\")", "+86 138",
                                   "-1+2", "@SUM(A1:A9)"])
def test_export_prefixes_cells_a_spreadsheet_would_run(do, agent, lead, value) -> None:
    sent(do, agent, {**REFUND, "product": value, "tried": value})
    (row,) = _csv(do(tr.export_csv, lead, first=DAY, last=DAY, zone=ZONE))
    assert row["商品（名称、规格、数量）"] == row["已经做过的处理"] == "'" + value


def test_export_shows_control_characters_as_pictures(do, agent, lead) -> None:
    sent(do, agent, {**REFUND, "problem": "\x1b[31m红\x1b]52;c;aGk=\x07"})
    out = do(tr.export_csv, lead, first=DAY, last=DAY, zone=ZONE)
    assert "\x1b" not in out and "\x07" not in out
    assert _csv(out)[0]["客户原话"] == "␛[31m红␛]52;c;aGk=␇"


def test_export_keeps_each_transfer_on_its_template_version(do, agent, lead) -> None:
    sent(do, agent)
    source, version = do(checklists.template_source, "refund")
    do(checklists.save_source, lead, source.replace("label: 客户原话", "label: 客户的原话"),
       key="refund", version=version)
    sent(do, agent, when=local(24, 11))
    rows = _csv(do(tr.export_csv, lead, first=DAY, last=DAY, zone=ZONE))
    assert [r["template_version"] for r in rows] == ["1", "2"]
    assert (rows[0]["客户原话"], rows[0]["客户的原话"]) == (REFUND["problem"], "")
    assert (rows[1]["客户原话"], rows[1]["客户的原话"]) == ("", REFUND["problem"])


def test_export_takes_transfers_sent_in_the_range_of_local_dates(do, agent, lead) -> None:
    sent(do, agent, when=local(23, 23, 59))
    sent(do, agent, when=local(24, 0, 0))
    sent(do, agent, when=local(25, 0, 0))
    draft(do, agent)  # never sent: not exported
    rows = _csv(do(tr.export_csv, lead, first=DAY, last=DAY, zone=ZONE))
    assert [r["sent_at"] for r in rows] == ["2026-11-24 00:00"]


# ── the lead view ──────────────────────────────────────────────────────────


@pytest.fixture
def busy_day(do, agent, agent2, after1, after2) -> dict[str, TransferView]:
    """One of each: waiting, claimed, returned twice (escalated), resolved late,
    and waiting far past its time to accept."""
    waiting = sent(do, agent, when=local(24, 15))
    late = sent(do, agent2, when=local(24, 9))
    working = claimed(do, agent, after1, when=local(24, 14), at=local(24, 14, 10))
    bounced = claimed(do, agent2, after2, when=local(24, 8), at=local(24, 8, 5))
    bounced = give_back(do, bounced, after2, local(24, 9))
    bounced = resend(do, bounced, agent2, local(24, 10))
    bounced = give_back(do, bounced, after2, local(24, 11))
    done = claimed(do, agent, after1, when=local(24, 7), at=local(24, 8))  # accepted late
    done = close(do, done, after1, local(24, 12))
    return {"waiting": waiting, "late": late, "working": working, "bounced": bounced,
            "done": done}


LATER = local(24, 15, 20)  # on the busy day: only "late" is overdue


def test_lead_view_counts_open_transfers_by_state(do, lead, busy_day) -> None:
    view = do(tr.lead_view, lead, first=DAY, last=DAY, now=LATER, zone=ZONE)
    assert view.counts == {"sent": 2, "claimed": 1, "returned": 1, "resolved": 1,
                           "escalated": 1, "breached": 1}
    assert [r.id for r in view.sent] == [busy_day["late"].id, busy_day["waiting"].id]
    assert [r.id for r in view.claimed] == [busy_day["working"].id]
    assert [r.id for r in view.returned] == [busy_day["bounced"].id]


def test_lead_view_lists_open_overdue_transfers_before_closed_misses(do, lead, busy_day) -> None:
    view = do(tr.lead_view, lead, first=DAY, last=DAY, now=LATER, zone=ZONE)
    assert [r.id for r in view.breaches] == [busy_day["late"].id, busy_day["done"].id]
    assert view.breaches[0].clock.state == "breach"


def test_lead_view_lists_escalated_transfers(do, lead, busy_day) -> None:
    view = do(tr.lead_view, lead, first=DAY, last=DAY, now=LATER, zone=ZONE)
    assert [(r.id, r.bounces, r.escalated) for r in view.escalated] == [
        (busy_day["bounced"].id, 2, True)]


def test_lead_view_tallies_bounces_per_template_and_per_sender(do, lead, agent, after1,
                                                               busy_day) -> None:
    other = claimed(do, agent, after1, key="logistics", when=local(24, 12),
                    values={"identity": True, "order": "2026112312345678", "issue": "物流停滞",
                            "phone": "13812345678", "problem": "一周没动", "promised": "无",
                            "mood": "着急"})
    give_back(do, other, after1, local(24, 13), items=("problem",))
    view = do(tr.lead_view, lead, first=DAY, last=DAY, now=LATER, zone=ZONE)
    assert [(t.name, t.transfers, t.bounces, t.escalated) for t in view.by_template] == [
        ("退货退款", 5, 2, 1), ("物流问题", 1, 1, 0)]
    assert [(t.name, t.transfers, t.bounces, t.escalated) for t in view.by_sender] == [
        ("agent2", 2, 2, 1), ("agent1", 4, 1, 0)]


def test_lead_view_filters_by_queue(do, lead, agent, callback, busy_day) -> None:
    mine = sent(do, agent, CALLBACK_VALUES, key="callback", when=local(24, 15, 10))
    view = do(tr.lead_view, lead, first=DAY, last=DAY, queue="回访组", now=local(24, 16),
              zone=ZONE)
    assert [r.id for r in view.sent] == [mine.id]
    assert view.counts["sent"] == 1 and view.counts["claimed"] == 0
    assert view.breaches == [] and view.escalated == []
    assert view.queues == ["售后", "回访组"]
    everything = do(tr.lead_view, lead, first=DAY, last=DAY, now=LATER, zone=ZONE)
    assert everything.counts["sent"] == 3


def test_lead_view_counts_resolved_only_inside_the_range(do, lead, busy_day) -> None:
    view = do(tr.lead_view, lead, first=date(2026, 11, 25), last=date(2026, 11, 30),
              now=LATER, zone=ZONE)
    assert view.counts["resolved"] == 0 and view.by_template == []
    assert view.counts["sent"] == 2  # open states are counted as they are now


def test_a_reversed_date_range_is_refused_naming_both_dates(do, lead) -> None:
    for fn in (tr.lead_view, tr.export_csv):
        with pytest.raises(Invalid) as caught:
            do(fn, lead, first=date(2026, 11, 30), last=date(2026, 11, 1), zone=ZONE)
        assert "2026-11-01" in str(caught.value) and "2026-11-30" in str(caught.value)


# ── inboxes ────────────────────────────────────────────────────────────────


def test_waiting_is_sorted_by_time_left_to_accept(do, agent, after1) -> None:
    invoice = sent(do, agent, key="invoice", when=local(24, 9), values={  # due 11:00
        "identity": True, "order": "2026112312345678", "request": "补开",
        "invoice_type": "电子普通发票", "title": "某某公司", "phone": "13812345678",
        "promised": "无"})
    refund = sent(do, agent, when=local(24, 10))  # due 10:30
    vip = sent(do, agent, key="vip_risk", when=local(24, 10, 15), values={  # due 10:25
        "identity": True, "order": "2026112312345678", "phone": "13812345678",
        "risk": "VIP 会员", "history": "第二次来电", "problem": "还没退", "demand": "今天退",
        "promised": "无", "lead_informed": True, "mood": "不满"})
    waiting = do(tr.inbox, after1, now=local(24, 10, 16)).waiting
    assert [r.id for r in waiting] == [vip.id, refund.id, invoice.id]
    assert [r.clock.left for r in waiting] == [timedelta(minutes=9), timedelta(minutes=14),
                                               timedelta(minutes=44)]


def test_claimed_is_sorted_by_time_left_to_resolve(do, agent, after1) -> None:
    first = claimed(do, agent, after1, when=local(24, 9))  # due 25th 09:00
    second = claimed(do, agent, after1, when=local(24, 8))  # due 25th 08:00
    third = claimed(do, agent, after1, when=local(24, 8, 30))
    rows = do(tr.inbox, after1, now=local(24, 12)).claimed
    assert [r.id for r in rows] == [second.id, third.id, first.id]


def test_a_returned_transfer_is_shown_to_its_sender_and_not_to_the_queue(do, agent, after1,
                                                                         after2) -> None:
    view = give_back(do, claimed(do, agent, after1), after1, local(24, 11))
    mine = do(tr.inbox, agent, now=local(24, 12))
    assert [r.id for r in mine.returned] == [view.id]
    assert mine.returned[0].return_reason == "missing_info" and mine.sent == []
    for member in (after1, after2):
        inbox = do(tr.inbox, member, now=local(24, 12))
        assert inbox.waiting == [] and inbox.claimed == []


def test_the_senders_inbox_has_drafts_sent_and_recently_resolved(do, agent, after1) -> None:
    mine = draft(do, agent)
    out = sent(do, agent)
    done = close(do, claimed(do, agent, after1), after1, local(24, 12))
    inbox = do(tr.inbox, agent, now=local(24, 13))
    assert ([r.id for r in inbox.drafts], [r.id for r in inbox.sent],
            [r.id for r in inbox.resolved]) == ([mine.id], [out.id], [done.id])
    assert do(tr.inbox, agent, now=local(24, 13) + timedelta(days=8)).resolved == []


# ── from a scenario ────────────────────────────────────────────────────────


def test_create_from_a_scenario_fills_the_first_text_item_with_it(workspace, do, agent) -> None:
    with workspace.session() as session:
        scenario = session.exec(select(Scenario).where(
            Scenario.category.startswith("售后/退款"))).first()  # type: ignore[attr-defined]
        assert scenario is not None
    view = do(tr.create, agent, "refund", scenario_id=scenario.id, now=NOW)
    assert view.values == {"product": f"{scenario.category} · {scenario.title}"}
    assert view.scenario == scenario.title


def test_create_from_an_unknown_scenario_is_not_found(do, agent) -> None:
    with pytest.raises(NotFound):
        do(tr.create, agent, "refund", scenario_id=999_999, now=NOW)


@pytest.mark.parametrize(("category", "key"), [
    ("售后/退款/未发货退款", "refund"),
    ("售后/退货/七天无理由", "refund"),
    ("售后/发票/补开", "invoice"),
    ("售后/其他", "callback"),  # only the short prefix 售后 matches
    ("物流/丢件", "logistics"),
    ("售中/修改订单/改地址", "logistics"),
    ("售前/商品咨询", None),
])
def test_for_scenario_picks_the_template_with_the_longest_matching_prefix(do, callback, category,
                                                                          key) -> None:
    assert do(checklists.for_scenario, category) == key


def test_a_date_typed_in_a_draft_is_shown_as_typed_until_sent(do, agent) -> None:
    view = draft(do, agent, {**REFUND, "promised_by": "2026-11-25 09:00"})
    shown = next(i for i in view.items if i.item.key == "promised_by")
    assert (shown.value, shown.shown) == ("2026-11-25 09:00", "2026-11-25 09:00")
