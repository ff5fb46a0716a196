"""Shared by the unit tests: the bad-input corpus, a database fingerprint and
two processes racing on one SQLite file."""

from __future__ import annotations

import hashlib
import json
import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
HOSTILE = DATA / "hostile_text.yaml"

# Tables an import may write; the FTS tables are compared by content too.
_TABLES = ("scenario", "script", "script_variant", "forbidden_term", "placeholder_label", "meta",
           "user", "script_fts", "script_gram")


def fingerprint(path: Path) -> str:
    """A digest of every row an import could touch (equal means untouched)."""
    digest = hashlib.sha256()
    con = sqlite3.connect(path)
    try:
        for table in _TABLES:
            digest.update(table.encode())
            for row in con.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid"):
                digest.update(repr(row).encode())
    finally:
        con.close()
    return digest.hexdigest()


def row_count(path: Path, table: str) -> int:
    con = sqlite3.connect(path)
    try:
        return con.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        con.close()


@dataclass(frozen=True)
class Fault:
    """One file of the bad-input corpus and the problem it must produce."""

    file: str
    line: int
    field: str
    says: str  # a fragment of the problem text

    @property
    def path(self) -> Path:
        return DATA / self.file

    def __str__(self) -> str:  # the test id
        return self.file.removesuffix(".yaml")


FAULTS = [
    Fault("not_yaml.yaml", 7, "yaml", "mapping values are not allowed here"),
    Fault("wrong_format.yaml", 2, "format", "unknown format “cscterm-library/9”"),
    Fault("missing_title.yaml", 13, "scenarios[1].title", "required field is missing or empty"),
    Fault("missing_situation.yaml", 8, "scenarios[0].situation", "required field is missing or empty"),
    Fault("wrong_type_tags.yaml", 8, "scenarios[0].tags", "expected a list, got a number"),
    Fault("scripts_not_list.yaml", 10, "scenarios[0].scripts", "expected a list, got a mapping"),
    Fault("unknown_style.yaml", 13, "scenarios[0].scripts[0].styles.formal", "unknown style “formal”"),
    Fault("unknown_field.yaml", 8, "scenarios[0].colour", "unknown field; expected one of: category,"),
    Fault("duplicate_shortcut_in_file.yaml", 18, "scenarios[1].scripts[0].shortcut",
          "“corpus-dup1” is already used on line 10"),
    Fault("duplicate_key.yaml", 9, "scenarios[0].title", "appears twice in the same mapping"),
    Fault("duplicate_shortcut_vs_db.yaml", 13, "shortcut", "shortcut “yj1” is already used by the team script"),
    Fault("bad_shortcut_chars.yaml", 10, "scenarios[0].scripts[0].shortcut",
          "shortcut “tk 1!” may only contain letters, digits, _ and -"),
    Fault("bad_placeholder.yaml", 13, "scenarios[0].scripts[0].styles.caring",
          "“{{Order No}}” is not a valid placeholder"),
    Fault("default_style_missing.yaml", 11, "scenarios[0].scripts[0].default_style",
          "default style “cute” is not among this script's styles (standard, caring)"),
    Fault("field_too_long.yaml", 8, "scenarios[0].situation", "too long (5000 characters; at most 4000)"),
    Fault("invalid_utf8.yaml", 7, "file", "not valid UTF-8"),
    Fault("invalid_language.yaml", 3, "language", "unknown language “fr”"),
    Fault("forbidden_missing_reason.yaml", 8, "terms[1].reason", "required field is missing or empty"),
    Fault("forbidden_duplicate_term.yaml", 8, "terms[1].term", "“Corpus Duplicate” is already used on line 5"),
    Fault("empty_file.yaml", 1, "file", "expected a mapping (key: value), got null"),
    Fault("top_level_list.yaml", 2, "file", "expected a mapping (key: value), got a list"),
    Fault("private_use_chars.yaml", 8, "file", "private-use characters"),
]


# ── two processes racing on one SQLite file ────────────────────────────────

# One contender's terminal, a fresh interpreter as a second terminal would be:
# opens the database as LOGIN and says "ready"; then reads jobs (JSON lines)
# from stdin and, for each, says "waiting", spins until the job's start file
# exists, runs the action and prints its outcome as a JSON line:
# [DONE, ""] or [error class, message].
_CONTENDER = """
import json, os, sys, time
from datetime import datetime
from cscterm import i18n
from cscterm.db.engine import Database
from cscterm.errors import DomainError
from cscterm.services.users import identify
{imports}

db_path, login, done = sys.argv[1:4]
i18n.set_language("en")
db = Database(db_path)
with db.session() as session:
    actor = identify(session, login)
print(json.dumps("ready"), flush=True)
for line in sys.stdin:
    job = json.loads(line)
    now = datetime.fromisoformat(job["now"])
    print(json.dumps("waiting"), flush=True)
    while not os.path.exists(job["go"]):
        time.sleep(0.0002)
    try:
        with db.session() as session:
{action}
    except DomainError as error:
        outcome = [type(error).__name__, str(error)]
    except Exception as error:
        outcome = [type(error).__name__, repr(error)]
    else:
        outcome = [done, ""]
    print(json.dumps(outcome), flush=True)
db.dispose()
"""

RACE_TIMEOUT = 60  # seconds; a round takes milliseconds once the contenders are up


class Race:
    """Contenders (one process per login) that do the same thing at the same
    instant, round after round; see :func:`race`."""

    def __init__(self, workers: dict[str, subprocess.Popen[str]], start_dir: Path) -> None:
        self.workers = workers
        self.start_dir = start_dir
        self.rounds = 0

    def _read(self, worker: subprocess.Popen[str]) -> object:
        line = worker.stdout.readline()  # type: ignore[union-attr]
        assert line, f"a contender stopped: {worker.stderr.read()}"  # type: ignore[union-attr]
        return json.loads(line)

    def ready(self) -> None:
        assert [self._read(w) for w in self.workers.values()] == ["ready"] * len(self.workers)

    def play(self, job: dict[str, object], now: datetime) -> dict[str, tuple[str, str]]:
        """Hand every contender ``job`` (``now`` the moment they act), wait
        until all are waiting, release them together; each one's outcome."""
        go = self.start_dir / f"go-{self.rounds}"
        self.rounds += 1
        line = json.dumps({**job, "go": str(go), "now": now.isoformat()}) + "\n"
        for worker in self.workers.values():
            worker.stdin.write(line)  # type: ignore[union-attr]
            worker.stdin.flush()  # type: ignore[union-attr]
        assert [self._read(w) for w in self.workers.values()] == ["waiting"] * len(self.workers)
        go.touch()
        return {login: tuple(self._read(w)) for login, w in self.workers.items()}  # type: ignore[misc]


@contextmanager
def race(db_path: Path, logins: Sequence[str], start_dir: Path, *, imports: str, action: str,
         done: str) -> Iterator[Race]:
    """Start one contender process per login; ``action`` (Python statements
    with ``session``, ``actor``, ``login``, ``job`` and ``now`` in scope) is
    what each does when released, and ``done`` its outcome when nothing was
    refused. The processes are started first, so the caller can set the
    rounds up while they import; every one must exit cleanly at the end."""
    body = "\n".join("            " + line for line in textwrap.dedent(action).strip().splitlines())
    code = _CONTENDER.format(imports=imports, action=body)
    workers = {
        login: subprocess.Popen([sys.executable, "-c", code, str(db_path), login, done],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, encoding="utf-8")
        for login in logins
    }
    try:
        yield Race(workers, start_dir)
    finally:
        for worker in workers.values():
            if worker.stdin and not worker.stdin.closed:
                worker.stdin.close()
        for worker in workers.values():
            try:
                worker.wait(timeout=RACE_TIMEOUT)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
    assert [w.returncode for w in workers.values()] == [0] * len(workers)
