"""Two after-sale agents claim the same transfer at the same instant, from
two processes on one SQLite file: exactly one claim counts and the other is
refused naming the winner.

Each claimer is a fresh interpreter (``python -c``), as two terminals would
be. They start once and play several rounds; in every round both say they are
waiting, then one start file releases them together.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from cscterm.db.models import Transfer, TransferEvent
from cscterm.services import transfer as tr
from cscterm.services import users

ZONE = ZoneInfo("Asia/Shanghai")
ROUNDS = 4
CONTENDERS = ("after1", "after2")
TIMEOUT = 60  # seconds; a round takes milliseconds once the workers are up
REFUND = {
    "identity": True, "order": "2026112312345678", "phone": "13812345678",
    "product": "保温杯 ×2", "problem": "杯盖漏水", "reason": "质量问题", "received": "已签收",
    "promised": "无", "mood": "平静",
}

# One claimer's terminal. Reads jobs (JSON lines) from stdin; for each, says
# "waiting", spins until the start file exists, claims, and prints the
# outcome as a JSON line.
CONTENDER = """
import json, os, sys, time
from datetime import datetime
from cscterm import i18n
from cscterm.db.engine import Database
from cscterm.errors import DomainError
from cscterm.services import transfer
from cscterm.services.users import identify

db_path, login = sys.argv[1:3]
i18n.set_language("en")
db = Database(db_path)
with db.session() as session:
    actor = identify(session, login)
print(json.dumps("ready"), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    print(json.dumps("waiting"), flush=True)
    while not os.path.exists(job["go"]):
        time.sleep(0.0002)
    try:
        with db.session() as session:
            transfer.take(session, actor, job["transfer"], now=datetime.fromisoformat(job["now"]))
    except DomainError as error:
        outcome = [type(error).__name__, str(error)]
    except Exception as error:
        outcome = [type(error).__name__, repr(error)]
    else:
        outcome = ["claimed", ""]
    print(json.dumps(outcome), flush=True)
db.dispose()
"""


def _sent(workspace, sender, when: datetime) -> int:
    with workspace.session() as session:
        view = tr.create(session, sender, "refund", now=when)
        view = tr.save_draft(session, sender, view.id, view.version, REFUND, now=when)
        return tr.send(session, sender, view.id, view.version, now=when, zone=ZONE).id


def _read(worker: subprocess.Popen[str]) -> object:
    line = worker.stdout.readline()  # type: ignore[union-attr]
    assert line, f"a contender stopped: {worker.stderr.read()}"  # type: ignore[union-attr]
    return json.loads(line)


def test_of_two_simultaneous_claims_exactly_one_counts(workspace, lead, agent, login_as,
                                                       tmp_path: Path) -> None:
    for login in CONTENDERS:
        login_as(login)
        with workspace.session() as session:
            users.set_team(session, lead, login, "售后")
    workers = {
        login: subprocess.Popen([sys.executable, "-c", CONTENDER, str(workspace.db.path), login],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8")
        for login in CONTENDERS
    }
    try:
        sends = [datetime(2026, 11, 24 + n, 10, 0, tzinfo=ZONE) for n in range(ROUNDS)]
        transfers = [_sent(workspace, agent, when) for when in sends]  # while they start
        assert [_read(w) for w in workers.values()] == ["ready", "ready"]
        for round_, (transfer_id, sent_at) in enumerate(zip(transfers, sends, strict=True)):
            go = tmp_path / f"go-{round_}"
            now = sent_at + timedelta(minutes=7)
            for worker in workers.values():
                worker.stdin.write(json.dumps({"transfer": transfer_id, "go": str(go),  # type: ignore[union-attr]
                                               "now": now.isoformat()}) + "\n")
                worker.stdin.flush()  # type: ignore[union-attr]
            assert [_read(w) for w in workers.values()] == ["waiting", "waiting"]
            go.touch()
            outcomes = {login: _read(w) for login, w in workers.items()}

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
    finally:
        for worker in workers.values():
            if worker.stdin and not worker.stdin.closed:
                worker.stdin.close()
        for worker in workers.values():
            try:
                worker.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    assert [w.returncode for w in workers.values()] == [0, 0]
