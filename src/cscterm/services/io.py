"""Scenario packs and forbidden-term lists in and out (YAML).

An import is validated completely before anything is written, then written in
one transaction: a file with any problem changes nothing, and every problem is
reported as ``FILE:LINE: field: problem``. The format is documented in
``docs/library-format.md``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session, select

from cscterm.db import search as fts
from cscterm.db.tables.core import Meta, utcnow
from cscterm.db.tables.library import (
    ForbiddenTerm,
    PlaceholderLabel,
    Scenario,
    Script,
    ScriptVariant,
)
from cscterm.errors import DomainError
from cscterm.i18n import t
from cscterm.services import render
from cscterm.services.scripts import LEVELS, SHORTCUT, STYLES, normalise_shortcut, search_keys
from cscterm.services.users import Actor, require_lead

LIBRARY_FORMAT = "cscterm-library/1"
FORBIDDEN_FORMAT = "cscterm-forbidden/1"
MAX_FILE = 8 * 1024 * 1024
MAX_TEXT = 4000
MAX_ITEM = 500
KEY = re.compile(r"[a-z0-9._-]{1,64}")


# ── problems ────────────────────────────────────────────────────────────────


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ImportFailed(DomainError):
    """The file(s) were rejected; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("err.invalid.import", count=len(problems))
        self.problems = list(problems)

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


# ── YAML with line numbers ──────────────────────────────────────────────────


class _Map(dict):  # type: ignore[type-arg]
    line: int
    key_lines: dict[Any, int]


class _Seq(list):  # type: ignore[type-arg]
    line: int
    item_lines: list[int]


def _loader_class() -> Any:
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    def construct_mapping(loader: Any, node: Any) -> _Map:
        loader.flatten_mapping(node)
        result = _Map()
        result.line = node.start_mark.line + 1
        result.key_lines = {}
        duplicates = []
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool) and key is not None:
                key = str(key)
            if key in result:
                duplicates.append((key, key_node.start_mark.line + 1))
            result[key] = loader.construct_object(value_node, deep=True)
            result.key_lines[key] = value_node.start_mark.line + 1
        if duplicates:
            result.key_lines.setdefault("__duplicates__", duplicates)  # type: ignore[arg-type]
        return result

    def construct_sequence(loader: Any, node: Any) -> _Seq:
        result = _Seq(loader.construct_object(child, deep=True) for child in node.value)
        result.line = node.start_mark.line + 1
        result.item_lines = [child.start_mark.line + 1 for child in node.value]
        return result

    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, construct_mapping)
    Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, construct_sequence)
    return Loader


# YAML forbids raw control characters; packs pasted from a terminal have them.
# They are carried through the parser as private-use characters and restored.
_YAML_UNPRINTABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]")
_SHIFT = 0xF0000
_SHIFTED = re.compile("[\U000f0000-\U000f0101]")


def _shift(match: re.Match[str]) -> str:
    code = ord(match.group())
    return chr(_SHIFT + (code if code < 0x100 else 0x100 + code - 0xFFFE))


def _unshift_text(value: str) -> str:
    def back(match: re.Match[str]) -> str:
        code = ord(match.group()) - _SHIFT
        return chr(code if code < 0x100 else 0xFFFE + code - 0x100)

    return _SHIFTED.sub(back, value)


def _unshift(value: Any) -> Any:
    if isinstance(value, str):
        return _unshift_text(value)
    if isinstance(value, _Map):
        out = _Map((_unshift(k), _unshift(v)) for k, v in value.items())
        out.line = value.line
        out.key_lines = {_unshift(k): v for k, v in value.key_lines.items()}
        return out
    if isinstance(value, _Seq):
        seq = _Seq(_unshift(v) for v in value)
        seq.line, seq.item_lines = value.line, value.item_lines
        return seq
    return value


def _read(path: Path | Traversable, name: str, problems: list[Problem]) -> Any:
    """Parse one YAML file; problems are appended and None returned on failure."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problems.append(Problem(name, 0, "file", exc.strerror or str(exc)))
        return None
    if len(raw) > MAX_FILE:
        problems.append(Problem(name, 1, "file", t("imp.file_too_big", size=len(raw), limit=MAX_FILE)))
        return None
    try:
        source = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        problems.append(Problem(name, line, "file", t("imp.utf8", offset=exc.start)))
        return None
    if _SHIFTED.search(source):
        line = source.count("\n", 0, _SHIFTED.search(source).start()) + 1  # type: ignore[union-attr]
        problems.append(Problem(name, line, "file", t("imp.private_use")))
        return None
    import yaml

    try:
        data = yaml.load(_YAML_UNPRINTABLE.sub(_shift, source), Loader=_loader_class())  # noqa: S506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problems.append(Problem(name, line, "yaml", str(exc.problem or exc)))
        return None
    except yaml.YAMLError as exc:
        problems.append(Problem(name, 1, "yaml", str(exc)))
        return None
    return _unshift(data)


# ── validation ──────────────────────────────────────────────────────────────


@dataclass
class PackScript:
    shortcut: str
    title: str
    default_style: str
    variants: dict[str, str]
    line: int


@dataclass
class PackScenario:
    key: str
    category: str
    title: str
    level: str
    tags: list[str]
    situation: str
    reasons: list[str]
    concerns: list[str]
    phrases: list[str]
    guidance: str
    never: list[str]
    scripts: list[PackScript]
    line: int


@dataclass
class PackTerm:
    term: str
    reason: str
    alternative: str
    line: int


@dataclass
class Pack:
    file: str
    kind: str  # "library" | "forbidden"
    language: str
    placeholders: dict[str, str] = field(default_factory=dict)
    scenarios: list[PackScenario] = field(default_factory=list)
    terms: list[PackTerm] = field(default_factory=list)


class _Checker:
    """Reads typed fields out of a located mapping, collecting problems."""

    def __init__(self, file: str, problems: list[Problem]) -> None:
        self.file = file
        self.problems = problems

    def problem(self, line: int, where: str, key: str, /, **params: object) -> None:
        self.problems.append(Problem(self.file, line, where, t(key, **params)))

    def line_of(self, mapping: Any, key: str) -> int:
        if isinstance(mapping, _Map):
            return mapping.key_lines.get(key, mapping.line)
        return 1

    def mapping(self, value: Any, line: int, where: str) -> _Map | None:
        if not isinstance(value, _Map):
            self.problem(line, where or "file", "imp.type", expected=t("imp.t.mapping"),
                         got=_type_name(value))
            return None
        for key, dup_line in value.key_lines.get("__duplicates__", []):  # type: ignore[union-attr]
            self.problem(dup_line, f"{where}.{key}" if where else str(key), "imp.duplicate_key")
        return value

    def unknown(self, mapping: _Map, allowed: Iterable[str], where: str) -> None:
        allowed = set(allowed)
        for key in mapping:
            if key not in allowed:
                self.problem(self.line_of(mapping, key), _join(where, str(key)), "imp.unknown_field",
                             allowed=", ".join(sorted(allowed)))

    def string(self, mapping: _Map, key: str, where: str, *, required: bool = True,
               limit: int = MAX_TEXT, default: str = "") -> str:
        path = _join(where, key)
        line = self.line_of(mapping, key)
        if key not in mapping or mapping[key] is None or mapping[key] == "":
            if required:
                self.problem(line, path, "imp.missing")
            return default
        value = mapping[key]
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            self.problem(line, path, "imp.type", expected=t("imp.t.text"), got=_type_name(value))
            return default
        value = str(value).strip()
        if len(value) > limit:
            self.problem(line, path, "imp.too_long", length=len(value), limit=limit)
            return default
        return value

    def strings(self, mapping: _Map, key: str, where: str) -> list[str]:
        path = _join(where, key)
        line = self.line_of(mapping, key)
        value = mapping.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            value = _Seq([value])
            value.line, value.item_lines = line, [line]
        if not isinstance(value, _Seq):
            self.problem(line, path, "imp.type", expected=t("imp.t.list"), got=_type_name(value))
            return []
        items = []
        for n, item in enumerate(value):
            item_line = value.item_lines[n]
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                self.problem(item_line, f"{path}[{n}]", "imp.type", expected=t("imp.t.text"),
                             got=_type_name(item))
                continue
            item = str(item).strip()
            if len(item) > MAX_ITEM:
                self.problem(item_line, f"{path}[{n}]", "imp.too_long", length=len(item), limit=MAX_ITEM)
                continue
            if item:
                items.append(item)
        return items

    def sequence(self, mapping: _Map, key: str, where: str) -> list[tuple[Any, int, str]]:
        path = _join(where, key)
        line = self.line_of(mapping, key)
        value = mapping.get(key)
        if value is None:
            self.problem(line, path, "imp.missing")
            return []
        if not isinstance(value, _Seq):
            self.problem(line, path, "imp.type", expected=t("imp.t.list"), got=_type_name(value))
            return []
        if not value:
            self.problem(line, path, "imp.empty")
        return [(item, value.item_lines[n], f"{path}[{n}]") for n, item in enumerate(value)]


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return t("imp.t.number")
    if isinstance(value, str):
        return t("imp.t.text")
    if isinstance(value, list):
        return t("imp.t.list")
    if isinstance(value, dict):
        return t("imp.t.mapping")
    return type(value).__name__


_PACK_FIELDS = ("format", "language", "placeholders", "scenarios")
_SCENARIO_FIELDS = ("key", "category", "title", "level", "tags", "situation", "reasons",
                    "concerns", "phrases", "guidance", "never", "scripts")
_SCRIPT_FIELDS = ("shortcut", "title", "default_style", "styles")
_TERM_FIELDS = ("term", "reason", "alternative")


def parse(path: Path | Traversable, name: str | None = None) -> tuple[Pack | None, list[Problem]]:
    """Read and validate one file (no database needed)."""
    name = name or str(path)
    problems: list[Problem] = []
    data = _read(path, name, problems)
    if problems:
        return None, problems
    c = _Checker(name, problems)
    root = c.mapping(data, getattr(data, "line", 1), "")
    if root is None:
        return None, problems
    fmt = c.string(root, "format", "")
    language = c.string(root, "language", "")
    if language and language not in ("zh_CN", "en"):
        c.problem(c.line_of(root, "language"), "language", "imp.language", language=language)
    if fmt == LIBRARY_FORMAT:
        pack = Pack(name, "library", language)
        c.unknown(root, _PACK_FIELDS, "")
        _parse_library(c, root, pack)
    elif fmt == FORBIDDEN_FORMAT:
        pack = Pack(name, "forbidden", language)
        c.unknown(root, ("format", "language", "terms"), "")
        _parse_forbidden(c, root, pack)
    else:
        if fmt:
            c.problem(c.line_of(root, "format"), "format", "imp.format", got=fmt,
                      expected=f"{LIBRARY_FORMAT} | {FORBIDDEN_FORMAT}")
        return None, problems
    return (None if problems else pack), problems


def _parse_library(c: _Checker, root: _Map, pack: Pack) -> None:
    labels = root.get("placeholders")
    if labels is not None:
        labels_map = c.mapping(labels, c.line_of(root, "placeholders"), "placeholders")
        if labels_map is not None:
            for name in labels_map:
                where = f"placeholders.{name}"
                if not isinstance(name, str) or not re.fullmatch(render.NAME, name):
                    c.problem(c.line_of(labels_map, name), where, "imp.placeholder_name")
                    continue
                pack.placeholders[name] = c.string(labels_map, name, "placeholders", limit=120)
    shortcuts: dict[str, int] = {}
    keys: dict[str, int] = {}
    for item, line, where in c.sequence(root, "scenarios", ""):
        scen = c.mapping(item, line, where)
        if scen is None:
            continue
        c.unknown(scen, _SCENARIO_FIELDS, where)
        key = c.string(scen, "key", where, limit=64)
        if key and not KEY.fullmatch(key):
            c.problem(c.line_of(scen, "key"), f"{where}.key", "imp.key", key=key)
        elif key in keys:
            c.problem(c.line_of(scen, "key"), f"{where}.key", "imp.duplicate_in_file",
                      value=key, line=keys[key])
        elif key:
            keys[key] = c.line_of(scen, "key")
        category = c.string(scen, "category", where, limit=200)
        category = "/".join(part.strip() for part in category.split("/") if part.strip())
        level = c.string(scen, "level", where, required=False, default="all", limit=8)
        if level not in LEVELS:
            c.problem(c.line_of(scen, "level"), f"{where}.level", "imp.choice", value=level,
                      choices=", ".join(LEVELS))
        scenario = PackScenario(
            key=key, category=category, title=c.string(scen, "title", where, limit=120),
            level=level, tags=c.strings(scen, "tags", where),
            situation=c.string(scen, "situation", where),
            reasons=c.strings(scen, "reasons", where), concerns=c.strings(scen, "concerns", where),
            phrases=c.strings(scen, "phrases", where),
            guidance=c.string(scen, "guidance", where, required=False),
            never=c.strings(scen, "never", where), scripts=[], line=line,
        )
        for s_item, s_line, s_where in c.sequence(scen, "scripts", where):
            script = _parse_script(c, s_item, s_line, s_where, scenario, shortcuts)
            if script is not None:
                scenario.scripts.append(script)
        pack.scenarios.append(scenario)


def _parse_script(c: _Checker, item: Any, line: int, where: str, scenario: PackScenario,
                  shortcuts: dict[str, int]) -> PackScript | None:
    m = c.mapping(item, line, where)
    if m is None:
        return None
    c.unknown(m, _SCRIPT_FIELDS, where)
    raw_shortcut = c.string(m, "shortcut", where, limit=40)
    shortcut = normalise_shortcut(raw_shortcut)
    s_line = c.line_of(m, "shortcut")
    if raw_shortcut and not SHORTCUT.fullmatch(shortcut):
        c.problem(s_line, f"{where}.shortcut", "imp.shortcut", shortcut=raw_shortcut)
    elif shortcut in shortcuts:
        c.problem(s_line, f"{where}.shortcut", "imp.duplicate_in_file", value=shortcut,
                  line=shortcuts[shortcut])
    elif shortcut:
        shortcuts[shortcut] = s_line
    title = c.string(m, "title", where, required=False, limit=120) or scenario.title
    variants: dict[str, str] = {}
    styles = m.get("styles")
    styles_line = c.line_of(m, "styles")
    if styles is None:
        c.problem(styles_line, f"{where}.styles", "imp.missing")
    else:
        styles_map = c.mapping(styles, styles_line, f"{where}.styles")
        if styles_map is not None:
            if not styles_map:
                c.problem(styles_line, f"{where}.styles", "imp.empty")
            for style in styles_map:
                path = f"{where}.styles.{style}"
                if style not in STYLES:
                    c.problem(c.line_of(styles_map, style), path, "imp.style", style=style,
                              styles=", ".join(STYLES))
                    continue
                body = c.string(styles_map, style, f"{where}.styles")
                bad = render.malformed(body)
                if bad:
                    c.problem(c.line_of(styles_map, style), path, "imp.bad_placeholder", token=bad[0])
                if body:
                    variants[style] = body
    default = c.string(m, "default_style", where, required=False, limit=16)
    if default and default not in variants:
        c.problem(c.line_of(m, "default_style"), f"{where}.default_style", "imp.default_style",
                  style=default, styles=", ".join(variants) or "-")
    ordered = dict(variants)  # keep the author's order: the first is the default
    return PackScript(shortcut, title, default or next(iter(ordered), "standard"), ordered, line)


def _parse_forbidden(c: _Checker, root: _Map, pack: Pack) -> None:
    seen: dict[str, int] = {}
    for item, line, where in c.sequence(root, "terms", ""):
        m = c.mapping(item, line, where)
        if m is None:
            continue
        c.unknown(m, _TERM_FIELDS, where)
        term = c.string(m, "term", where, limit=100)
        key = term.casefold()
        if key and key in seen:
            c.problem(c.line_of(m, "term"), f"{where}.term", "imp.duplicate_in_file", value=term,
                      line=seen[key])
        elif key:
            seen[key] = c.line_of(m, "term")
        pack.terms.append(PackTerm(term, c.string(m, "reason", where), c.string(m, "alternative", where),
                                   line))


# ── writing ─────────────────────────────────────────────────────────────────


@dataclass
class ImportSummary:
    files: int = 0
    scenarios_added: int = 0
    scenarios_updated: int = 0
    scripts_added: int = 0
    scripts_updated: int = 0
    terms_added: int = 0
    terms_updated: int = 0


def _check_against_db(session: Session, packs: Sequence[Pack]) -> list[Problem]:
    """Shortcuts already used by a team script of another scenario."""
    problems = []
    for pack in packs:
        for scenario in pack.scenarios:
            for script in scenario.scripts:
                row = session.execute(
                    text(
                        "SELECT s.title, c.key FROM script s JOIN scenario c ON c.id = s.scenario_id "
                        "WHERE s.shortcut = :s AND s.active AND s.owner_id IS NULL LIMIT 1"
                    ),
                    {"s": script.shortcut},
                ).first()
                if row is not None and row[1] != scenario.key:
                    problems.append(Problem(pack.file, script.line, "shortcut", t(
                        "imp.duplicate_in_db", value=script.shortcut, title=row[0])))
    # the same shortcut in two files of one import
    owners: dict[str, tuple[str, int]] = {}
    for pack in packs:
        for scenario in pack.scenarios:
            for script in scenario.scripts:
                first = owners.setdefault(script.shortcut, (pack.file, script.line))
                if first[0] != pack.file:
                    problems.append(Problem(pack.file, script.line, "shortcut", t(
                        "imp.duplicate_in_other_file", value=script.shortcut, where=f"{first[0]}:{first[1]}")))
    return problems


def import_files(
    session: Session,
    actor: Actor | None,
    files: Sequence[Path | Traversable],
    names: Sequence[str] | None = None,
) -> ImportSummary:
    """Validate every file, then write them all in the caller's transaction.

    ``actor`` None is the system loading the starter library; people importing
    must be leads. Raises :class:`ImportFailed` with every problem found.
    """
    if actor is not None:
        require_lead(actor, "err.not_allowed.import")
    packs: list[Pack] = []
    problems: list[Problem] = []
    for n, path in enumerate(files):
        pack, found = parse(path, names[n] if names else None)
        problems.extend(found)
        if pack is not None:
            packs.append(pack)
    if not problems:
        problems.extend(_check_against_db(session, packs))
    if problems:
        raise ImportFailed(problems)
    summary = ImportSummary(files=len(packs))
    for pack in packs:
        _write(session, actor, pack, summary)
    session.flush()
    return summary


def _write(session: Session, actor: Actor | None, pack: Pack, summary: ImportSummary) -> None:
    actor_id = actor.id if actor else None
    now = utcnow()
    for name, label in pack.placeholders.items():
        session.merge(PlaceholderLabel(name=name, language=pack.language, label=label))
    for term in pack.terms:
        row = session.exec(select(ForbiddenTerm).where(ForbiddenTerm.term_key == term.term.casefold())).first()
        if row is None:
            row = ForbiddenTerm(term=term.term, term_key=term.term.casefold(), language=pack.language)
            summary.terms_added += 1
        else:
            row.version += 1
            summary.terms_updated += 1
        row.reason, row.alternative, row.active = term.reason, term.alternative, True
        row.updated_at, row.updated_by = now, actor_id
        session.add(row)
    index_rows: list[dict[str, object]] = []
    for item in pack.scenarios:
        scenario = session.exec(select(Scenario).where(Scenario.key == item.key)).first()
        if scenario is None:
            scenario = Scenario(key=item.key, created_at=now)
            summary.scenarios_added += 1
        else:
            scenario.version += 1
            summary.scenarios_updated += 1
        for attr in ("category", "title", "level", "tags", "situation", "reasons", "concerns",
                     "phrases", "guidance", "never"):
            setattr(scenario, attr, getattr(item, attr))
        scenario.language, scenario.active = pack.language, True
        scenario.updated_at, scenario.updated_by = now, actor_id
        session.add(scenario)
        session.flush()
        assert scenario.id is not None
        for script in item.scripts:
            row = session.exec(select(Script).where(
                Script.shortcut == script.shortcut, Script.scenario_id == scenario.id,
                Script.owner_id.is_(None))).first()  # type: ignore[union-attr]
            if row is None:
                row = Script(scenario_id=scenario.id, shortcut=script.shortcut, created_at=now)
                summary.scripts_added += 1
            else:
                row.version += 1
                summary.scripts_updated += 1
                fts.remove_script(session, row.id)  # type: ignore[arg-type]
                session.execute(text("DELETE FROM script_variant WHERE script_id = :id"), {"id": row.id})
            row.title, row.default_style, row.active = script.title, script.default_style, True
            row.pinyin, row.initials = search_keys(script.title)
            row.updated_at, row.updated_by = now, actor_id
            session.add(row)
            session.flush()
            for position, (style, body) in enumerate(script.variants.items()):
                session.add(ScriptVariant(script_id=row.id, style=style, position=position, body=body))
            index_rows.append({
                "id": row.id, "owner_id": None,
                "title": fts.search_title(row.title, scenario.title, scenario.category),
                "phrases": scenario.phrases, "bodies": list(script.variants.values()),
                "tags": scenario.tags,
                "keys": fts.keys_text(row.shortcut, row.initials, row.pinyin),
            })
    fts.index_many(session, index_rows)


# ── starter library ─────────────────────────────────────────────────────────


def starter_files() -> Iterator[tuple[Traversable, str]]:
    """The packs shipped in ``cscterm/assets`` (forbidden terms first)."""
    root = resources.files("cscterm") / "assets"
    for folder in ("forbidden", "library"):
        base = root / folder
        if not base.is_dir():
            continue
        entries = [e for e in base.iterdir()]
        paths: list[Traversable] = []
        for entry in sorted(entries, key=lambda e: e.name):
            if entry.is_dir():
                paths.extend(sorted((f for f in entry.iterdir() if f.name.endswith(".yaml")),
                                    key=lambda f: f.name))
            elif entry.name.endswith(".yaml"):
                paths.append(entry)
        for path in paths:
            yield path, f"assets/{folder}/{_relative(base, path)}"


def _relative(base: Traversable, path: Traversable) -> str:
    text_path = str(path)
    prefix = str(base).rstrip("/") + "/"
    return text_path[len(prefix):] if text_path.startswith(prefix) else path.name


def load_starter(session: Session) -> ImportSummary:
    """Fill a new database with the starter library (once)."""
    if session.get(Meta, "starter_loaded") is not None:
        return ImportSummary()
    files = list(starter_files())
    summary = import_files(session, None, [f for f, _ in files], [n for _, n in files])
    session.add(Meta(key="starter_loaded", value=utcnow().isoformat()))
    session.flush()
    return summary


def placeholder_labels(session: Session, language: str) -> dict[str, str]:
    """name → label, in ``language`` where known, else any language."""
    labels: dict[str, str] = {}
    rows = session.exec(select(PlaceholderLabel))
    for row in sorted(rows, key=lambda r: r.language == language):
        labels[row.name] = row.label
    return labels


# Other YAML formats (checklist templates) read with the same located loader
# and report problems the same way.
read_yaml = _read
Checker = _Checker
LocatedMap = _Map
LocatedSeq = _Seq
type_name = _type_name
