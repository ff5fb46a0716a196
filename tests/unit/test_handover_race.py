"""Two receivers acknowledge the same handover at the same instant, from two
processes on one SQLite file: exactly one acknowledgement counts and the other
is refused naming the winner.

Each receiver is a fresh interpreter (``python -c``), as two terminals would
be. They start once and play several rounds; in every round both say they are
waiting, then one start file releases them together.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlmodel import col, select

from cscterm.db.models import Handover, HandoverComment
from cscterm.services import handover as ho
from cscterm.services.handover import ItemInput

ZONE = ZoneInfo("Asia/Shanghai")
ROUNDS = 4
CONTENDERS = ("agent2", "agent3")
TIMEOUT = 60  # seconds; a round takes milliseconds once the workers are up

# One receiver's terminal. Reads jobs (JSON lines) from stdin; for each, says
# "waiting", spins until the start file exists, acknowledges asking a question
# on every open item, and prints the outcome as a JSON line.
CONTENDER = """
import json, os, sys, time
from datetime import datetime
from cscterm import i18n
from cscterm.db.engine import Database
from cscterm.errors import DomainError
from cscterm.services import handover
from cscterm.services.handover import ItemDecision
from cscterm.services.users import identify

db_path, login = sys.argv[1:3]
i18n.set_language("en")
db = Database(db_path)
with db.session() as session:
    actor = identify(session, login)
print(json.dumps("ready"), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    decisions = {i: ItemDecision(accept=False, question=login + " 的问题") for i in job["items"]}
    print(json.dumps("waiting"), flush=True)
    while not os.path.exists(job["go"]):
        time.sleep(0.0002)
    try:
        with db.session() as session:
            handover.acknowledge(session, actor, job["note"], login + " 接班", decisions,
                                 now=datetime.fromisoformat(job["now"]))
    except DomainError as error:
        outcome = [type(error).__name__, str(error)]
    except Exception as error:
        outcome = [type(error).__name__, repr(error)]
    else:
        outcome = ["acknowledged", ""]
    print(json.dumps(outcome), flush=True)
db.dispose()
"""


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


def _read(worker: subprocess.Popen[str]) -> object:
    line = worker.stdout.readline()  # type: ignore[union-attr]
    assert line, f"a contender stopped: {worker.stderr.read()}"  # type: ignore[union-attr]
    return json.loads(line)


def test_of_two_simultaneous_acknowledgements_exactly_one_counts(workspace, agent, login_as,
                                                                 tmp_path: Path) -> None:
    for login in CONTENDERS:
        login_as(login)
    workers = {
        login: subprocess.Popen([sys.executable, "-c", CONTENDER, str(workspace.db.path), login],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True, encoding="utf-8")
        for login in CONTENDERS
    }
    try:
        notes = [_note(workspace, agent, 24 + n) for n in range(ROUNDS)]  # while they start
        assert [_read(w) for w in workers.values()] == ["ready", "ready"]
        for round_, (note_id, item_ids) in enumerate(notes):
            go = tmp_path / f"go-{round_}"
            now = datetime(2026, 11, 24 + round_, 16, 3, tzinfo=ZONE)
            for worker in workers.values():
                worker.stdin.write(json.dumps({"note": note_id, "items": item_ids, "go": str(go),  # type: ignore[union-attr]
                                               "now": now.isoformat()}) + "\n")
                worker.stdin.flush()  # type: ignore[union-attr]
            assert [_read(w) for w in workers.values()] == ["waiting", "waiting"]
            go.touch()
            outcomes = {login: _read(w) for login, w in workers.items()}

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
