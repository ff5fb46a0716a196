"""Two receivers acknowledge the same handover at the same instant, from two
processes on one SQLite file: exactly one acknowledgement counts and the other
is refused naming the winner.

Each receiver is a fresh interpreter, as two terminals would be. They start
once and play several rounds; in every round both say they are waiting, then
one start file releases them together.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from cscterm.db.models import Handover, HandoverComment
from cscterm.services import handover as ho
from cscterm.services.handover import ItemInput

from .helpers import race

ZONE = ZoneInfo("Asia/Shanghai")
ROUNDS = 4
CONTENDERS = ("agent2", "agent3")


def _note(workspace, author, day: int) -> tuple[int, list[int]]:
    """A submitted note with two open items for the middle shift of ``day``."""
    when = datetime(2026, 11, day, 15, 50, tzinfo=ZONE)
    items = [ItemInput(reference=f"订单 R{day}-{n}", situation="客户催单", next_action="回电",
                       due="23:00") for n in (1, 2)]
    with workspace.session() as session:
        view = ho.start_handover(session, author, now=when, zone=ZONE)
        view = ho.save_draft(session, author, view.id, view.version, overall="busy",
                             summary=f"第 {day} 天", watchouts="", items=items, now=when, zone=ZONE)
        view = ho.submit(session, author, view.id, view.version, now=when)
    return view.id, [i.id for i in view.items]


def test_of_two_simultaneous_acknowledgements_exactly_one_counts(workspace, agent, login_as,
                                                                 tmp_path: Path) -> None:
    for login in CONTENDERS:
        login_as(login)
    # Each acknowledges asking a question on every open item.
    with race(workspace.db.path, CONTENDERS, tmp_path,
              imports="from cscterm.services import handover\n"
                      "from cscterm.services.handover import ItemDecision",
              action="""
                  decisions = {i: ItemDecision(accept=False, question=login + " 的问题")
                               for i in job["items"]}
                  handover.acknowledge(session, actor, job["note"], login + " 接班", decisions,
                                       now=now)
              """, done="acknowledged") as contenders:
        notes = [_note(workspace, agent, 24 + n) for n in range(ROUNDS)]  # while they start
        contenders.ready()
        for round_, (note_id, item_ids) in enumerate(notes):
            now = datetime(2026, 11, 24 + round_, 16, 3, tzinfo=ZONE)
            outcomes = contenders.play({"note": note_id, "items": item_ids}, now)

            winners = [login for login, (kind, _m) in outcomes.items() if kind == "acknowledged"]
            assert len(winners) == 1, f"round {round_}: {outcomes}"
            (winner,) = winners
            (loser,) = set(CONTENDERS) - {winner}
            kind, message = outcomes[loser]
            assert kind == "Conflict", f"round {round_}: {outcomes}"
            assert message.startswith(f"Already acknowledged by {winner} at "), message
            with workspace.session() as session:
                note = session.get(Handover, note_id)
                assert (note.status, note.synthesis, note.ack_delay_s) == (
                    "acknowledged", f"{winner} 接班", 3 * 60)
                questions = session.exec(
                    select(HandoverComment).where(col(HandoverComment.item_id).in_(item_ids))).all()
                assert sorted(q.body for q in questions) == [f"{winner} 的问题"] * 2
