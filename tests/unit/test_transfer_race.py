"""Two after-sale agents claim the same transfer at the same instant, from
two processes on one SQLite file: exactly one claim counts and the other is
refused naming the winner.

Each claimer is a fresh interpreter, as two terminals would be. They start
once and play several rounds; in every round both say they are waiting, then
one start file releases them together.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from cscterm.db.models import Transfer, TransferEvent
from cscterm.services import transfer as tr
from cscterm.services import users

from .helpers import race

ZONE = ZoneInfo("Asia/Shanghai")
ROUNDS = 4
CONTENDERS = ("after1", "after2")
REFUND = {
    "identity": True, "order": "2026112312345678", "phone": "13812345678",
    "product": "保温杯 ×2", "problem": "杯盖漏水", "reason": "质量问题", "received": "已签收",
    "promised": "无", "mood": "平静",
}


def _sent(workspace, sender, when: datetime) -> int:
    with workspace.session() as session:
        view = tr.create(session, sender, "refund", now=when)
        view = tr.save_draft(session, sender, view.id, view.version, REFUND, now=when)
        return tr.send(session, sender, view.id, view.version, now=when, zone=ZONE).id


def test_of_two_simultaneous_claims_exactly_one_counts(workspace, lead, agent, login_as,
                                                       tmp_path: Path) -> None:
    for login in CONTENDERS:
        login_as(login)
        with workspace.session() as session:
            users.set_team(session, lead, login, "售后")
    with race(workspace.db.path, CONTENDERS, tmp_path, imports="from cscterm.services import transfer",
              action='transfer.take(session, actor, job["transfer"], now=now)',
              done="claimed") as contenders:
        sends = [datetime(2026, 11, 24 + n, 10, 0, tzinfo=ZONE) for n in range(ROUNDS)]
        transfers = [_sent(workspace, agent, when) for when in sends]  # while they start
        contenders.ready()
        for round_, (transfer_id, sent_at) in enumerate(zip(transfers, sends, strict=True)):
            now = sent_at + timedelta(minutes=7)
            outcomes = contenders.play({"transfer": transfer_id}, now)

            winners = [login for login, (kind, _m) in outcomes.items() if kind == "claimed"]
            assert len(winners) == 1, f"round {round_}: {outcomes}"
            (winner,) = winners
            (loser,) = set(CONTENDERS) - {winner}
            kind, message = outcomes[loser]
            assert kind == "Conflict", f"round {round_}: {outcomes}"
            assert message.startswith(f"Already claimed by {winner} at "), message
            with workspace.session() as session:
                row = session.get(Transfer, transfer_id)
                winner_id = users.identify(session, winner).id
                assert (row.status, row.claimed_by, row.claimed_at, row.version) == (
                    "claimed", winner_id, now, 4)  # created 1, saved 2, sent 3, claimed 4
                claims = session.exec(select(TransferEvent.actor_id).where(
                    TransferEvent.transfer_id == transfer_id,
                    col(TransferEvent.kind) == "claimed")).all()
                assert claims == [winner_id]
