"""Shared by the unit tests: the bad-input corpus and a database fingerprint."""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
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
