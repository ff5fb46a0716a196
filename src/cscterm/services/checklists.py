"""Checklist templates for pre-sale → after-sale transfers (转售后清单模板).

A template says what pre-sale must find out before a case may go to
after-sale: its items (each of a kind — check, text, choice, order number,
phone number, date/time — with a required flag, a hint and, for order and
phone numbers, the pattern a value must match), the after-sale team that
receives it and its service levels (time to accept, time to resolve).

Templates are YAML (``docs/checklist-format.md``). Every save of a template
is a new version; a transfer keeps the version it was created with, so a
lead's edit never changes a checklist someone is filling in. A file with any
problem is rejected whole as ``FILE:LINE: field: problem`` and nothing is
written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from sqlmodel import Session, select

from cscterm.db.tables.core import Meta, utcnow
from cscterm.db.tables.transfer import ChecklistTemplate, ChecklistTemplateVersion
from cscterm.errors import Invalid, NotFound
from cscterm.i18n import t
from cscterm.services.io import (
    KEY,
    Checker,
    ImportFailed,
    LocatedMap,
    Problem,
    read_yaml,
    type_name,
)
from cscterm.services.users import Actor, require_lead
from cscterm.services.versioning import claim

FORMAT = "cscterm-checklist/1"
KINDS = ("check", "text", "choice", "order", "phone", "datetime")
# Mainland mobile numbers and landlines with an area code.
DEFAULT_PHONE = r"1[3-9]\d{9}|0\d{2,3}-?\d{7,8}"
DEFAULT_PHONE_EXAMPLE = "13812345678"
DEFAULT_ORDER = r"[A-Za-z0-9-]{6,32}"
DEFAULT_ORDER_EXAMPLE = "2026112312345678"
MAX_ITEMS = 40
MAX_LABEL = 60
MAX_HINT = 300
MAX_CHOICES = 20
MAX_SOURCE = 64 * 1024
MAX_SLA = timedelta(days=30)
_TEMPLATE_FIELDS = ("format", "key", "name", "category", "scenarios", "queue", "sla", "subject",
                    "items")
_ITEM_FIELDS = ("key", "label", "kind", "required", "hint", "pattern", "example", "choices",
                "personal")
_ITEM_KEY = re.compile(r"[a-z][a-z0-9_]{0,31}")
_DURATION = re.compile(r"^\s*(?:(\d+)\s*d)?\s*(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?\s*$",
                       re.IGNORECASE)
_SUBJECT_FIELD = re.compile(r"\{([^{}]*)\}")


@dataclass(frozen=True)
class ItemDef:
    key: str
    label: str
    kind: str
    required: bool = False
    hint: str = ""
    pattern: str = ""
    example: str = ""
    choices: tuple[str, ...] = ()
    personal: bool = False

    def matches(self, value: str) -> bool:
        return re.fullmatch(self.pattern, value) is not None if self.pattern else True


@dataclass(frozen=True)
class TemplateDef:
    """One version of a template, as a transfer uses it."""

    key: str
    name: str
    category: str
    queue: str
    accept: timedelta
    resolve: timedelta
    items: tuple[ItemDef, ...]
    scenarios: tuple[str, ...] = ()
    subject: str = ""
    number: int = 1  # the template version
    version_id: int | None = None

    def item(self, key: str) -> ItemDef | None:
        return next((i for i in self.items if i.key == key), None)

    def to_definition(self) -> dict[str, Any]:
        return {
            "key": self.key, "name": self.name, "category": self.category, "queue": self.queue,
            "accept_minutes": int(self.accept.total_seconds() // 60),
            "resolve_minutes": int(self.resolve.total_seconds() // 60),
            "scenarios": list(self.scenarios), "subject": self.subject,
            "items": [{"key": i.key, "label": i.label, "kind": i.kind, "required": i.required,
                       "hint": i.hint, "pattern": i.pattern, "example": i.example,
                       "choices": list(i.choices), "personal": i.personal} for i in self.items],
        }


def from_definition(data: dict[str, Any], number: int, version_id: int | None) -> TemplateDef:
    return TemplateDef(
        key=str(data["key"]), name=str(data["name"]), category=str(data.get("category", "")),
        queue=str(data["queue"]), accept=timedelta(minutes=int(data["accept_minutes"])),
        resolve=timedelta(minutes=int(data["resolve_minutes"])),
        items=tuple(ItemDef(key=i["key"], label=i["label"], kind=i["kind"],
                            required=bool(i.get("required")), hint=i.get("hint", ""),
                            pattern=i.get("pattern", ""), example=i.get("example", ""),
                            choices=tuple(i.get("choices", ())), personal=bool(i.get("personal")))
                    for i in data["items"]),
        scenarios=tuple(data.get("scenarios", ())), subject=str(data.get("subject", "")),
        number=number, version_id=version_id,
    )


def normalise(value: str) -> str:
    """Full-width digits and letters typed with a Chinese IME become ASCII;
    spaces inside a number are dropped."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def parse_duration(value: str) -> timedelta | None:
    """``30m``, ``2h``, ``1d``, ``1h30m`` → a duration; None if unreadable."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return timedelta(minutes=value) if value > 0 else None
    match = _DURATION.match(str(value))
    if not match or not any(match.groups()):
        return None
    days, hours, minutes = (int(g) if g else 0 for g in match.groups())
    total = timedelta(days=days, hours=hours, minutes=minutes)
    return total if total > timedelta(0) else None


def format_duration(span: timedelta) -> str:
    minutes = int(span.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    parts = [f"{days}d" if days else "", f"{hours}h" if hours else "",
             f"{minutes}m" if minutes else ""]
    return "".join(parts) or "0m"


# ── parsing ────────────────────────────────────────────────────────────────


class _Text:
    """A template typed in the editor, read like a file."""

    def __init__(self, source: str) -> None:
        self.source = source

    def read_bytes(self) -> bytes:
        return self.source.encode("utf-8", "surrogatepass")


def parse(path: Path | Traversable | str, name: str | None = None, *,
          source: str | None = None) -> tuple[TemplateDef | None, list[Problem]]:
    """Read and validate one template file (or ``source`` text named ``name``)."""
    name = name or str(path)
    problems: list[Problem] = []
    data = read_yaml(_Text(source) if source is not None else path, name, problems)  # type: ignore[arg-type]
    if problems:
        return None, problems
    c = Checker(name, problems)
    root = c.mapping(data, getattr(data, "line", 1), "")
    if root is None:
        return None, problems
    c.unknown(root, _TEMPLATE_FIELDS, "")
    fmt = c.string(root, "format", "")
    if fmt and fmt != FORMAT:
        c.problem(c.line_of(root, "format"), "format", "imp.format", got=fmt, expected=FORMAT)
    key = c.string(root, "key", "", limit=64)
    if key and not KEY.fullmatch(key):
        c.problem(c.line_of(root, "key"), "key", "imp.key", key=key)
    name_ = c.string(root, "name", "", limit=120)
    category = c.string(root, "category", "", required=False, limit=200)
    queue = " ".join(c.string(root, "queue", "", limit=64).split())
    scenarios = c.strings(root, "scenarios", "")
    accept, resolve = _sla(c, root)
    items = _items(c, root)
    subject = c.string(root, "subject", "", required=False, limit=200)
    keys = {i.key for i in items}
    for ref in _SUBJECT_FIELD.findall(subject):
        if ref not in keys:
            c.problem(c.line_of(root, "subject"), "subject", "tpl.subject_field", field=ref,
                      keys=", ".join(sorted(keys)) or "—")
    if problems:
        return None, problems
    assert accept is not None and resolve is not None
    return TemplateDef(key=key, name=name_, category=category, queue=queue, accept=accept,
                       resolve=resolve, items=tuple(items), scenarios=tuple(scenarios),
                       subject=subject), problems


def _sla(c: Checker, root: LocatedMap) -> tuple[timedelta | None, timedelta | None]:
    line = c.line_of(root, "sla")
    sla = root.get("sla")
    if sla is None:
        c.problem(line, "sla", "imp.missing")
        return None, None
    sla = c.mapping(sla, line, "sla")
    if sla is None:
        return None, None
    c.unknown(sla, ("accept", "resolve"), "sla")
    found: list[timedelta | None] = []
    for key in ("accept", "resolve"):
        where = f"sla.{key}"
        if sla.get(key) in (None, ""):
            c.problem(c.line_of(sla, key), where, "imp.missing")
            found.append(None)
            continue
        span = parse_duration(sla[key])
        if span is None or span > MAX_SLA:
            c.problem(c.line_of(sla, key), where, "tpl.duration", value=str(sla[key]))
            found.append(None)
            continue
        found.append(span)
    accept, resolve = found
    if accept and resolve and resolve < accept:
        c.problem(c.line_of(sla, "resolve"), "sla.resolve", "tpl.resolve_before_accept",
                  resolve=format_duration(resolve), accept=format_duration(accept))
    return accept, resolve


def _flag(c: Checker, item: LocatedMap, key: str, where: str) -> bool:
    value = item.get(key, False)
    if value is None:
        return False
    if not isinstance(value, bool):
        c.problem(c.line_of(item, key), f"{where}.{key}", "imp.type", expected="true/false",
                  got=type_name(value))
        return False
    return value


def _items(c: Checker, root: LocatedMap) -> list[ItemDef]:
    entries = c.sequence(root, "items", "")
    if len(entries) > MAX_ITEMS:
        c.problem(c.line_of(root, "items"), "items", "tpl.too_many", count=len(entries),
                  limit=MAX_ITEMS)
        return []
    items: list[ItemDef] = []
    seen: dict[str, int] = {}
    for raw, line, where in entries:
        item = c.mapping(raw, line, where)
        if item is None:
            continue
        c.unknown(item, _ITEM_FIELDS, where)
        key = c.string(item, "key", where, limit=32)
        if key and not _ITEM_KEY.fullmatch(key):
            c.problem(c.line_of(item, "key"), f"{where}.key", "tpl.item_key", key=key)
        elif key in seen:
            c.problem(c.line_of(item, "key"), f"{where}.key", "imp.duplicate_in_file", value=key,
                      line=seen[key])
        elif key:
            seen[key] = c.line_of(item, "key")
        label = c.string(item, "label", where, limit=MAX_LABEL)
        kind = c.string(item, "kind", where, limit=16)
        if kind and kind not in KINDS:
            c.problem(c.line_of(item, "kind"), f"{where}.kind", "imp.choice", value=kind,
                      choices=", ".join(KINDS))
        required = _flag(c, item, "required", where)
        personal = _flag(c, item, "personal", where) or kind == "phone"
        hint = c.string(item, "hint", where, required=False, limit=MAX_HINT)
        pattern = c.string(item, "pattern", where, required=False, limit=300)
        example = c.string(item, "example", where, required=False, limit=60)
        choices = c.strings(item, "choices", where)
        if kind in ("order", "phone"):
            if not pattern:
                pattern = DEFAULT_ORDER if kind == "order" else DEFAULT_PHONE
                example = example or (DEFAULT_ORDER_EXAMPLE if kind == "order"
                                      else DEFAULT_PHONE_EXAMPLE)
            else:
                try:
                    compiled = re.compile(pattern)
                except re.error as exc:
                    c.problem(c.line_of(item, "pattern"), f"{where}.pattern", "tpl.pattern",
                              error=str(exc))
                    compiled = None
                if not example:
                    c.problem(c.line_of(item, "pattern"), f"{where}.example", "tpl.example_needed")
                elif compiled is not None and not compiled.fullmatch(normalise(example)):
                    c.problem(c.line_of(item, "example"), f"{where}.example",
                              "tpl.example_mismatch", example=example)
        elif pattern:
            c.problem(c.line_of(item, "pattern"), f"{where}.pattern", "tpl.pattern_kind")
        if kind == "choice":
            if len(choices) < 2:
                c.problem(c.line_of(item, "choices"), f"{where}.choices", "tpl.choices")
            elif len(choices) > MAX_CHOICES or len(set(choices)) != len(choices):
                c.problem(c.line_of(item, "choices"), f"{where}.choices", "tpl.choices_unique",
                          limit=MAX_CHOICES)
        elif choices:
            c.problem(c.line_of(item, "choices"), f"{where}.choices", "tpl.choices_kind")
        items.append(ItemDef(key=key, label=label, kind=kind, required=required, hint=hint,
                             pattern=pattern, example=example, choices=tuple(choices),
                             personal=personal))
    return items


# ── storing ────────────────────────────────────────────────────────────────


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def _source_of(path: Path | Traversable) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return ""


def _store(session: Session, actor: Actor | None, template: TemplateDef, source: str,
           summary: ImportSummary, *, claimed: bool = False) -> int:
    """Write ``template`` as a new version unless it is what is there already."""
    definition = template.to_definition()
    row = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.key == template.key)).first()
    now = utcnow()
    who = actor.id if actor else None
    if row is None:
        row = ChecklistTemplate(key=template.key, name=template.name, current_version=1,
                                updated_at=now, updated_by=who)
        session.add(row)
        session.flush()
        number = 1
        summary.created.append(template.key)
    else:
        current = _current_version(session, row)
        if current is not None and current.definition == definition and row.active:
            summary.unchanged.append(template.key)
            return row.current_version
        number = row.current_version + 1
        row.current_version = number
        row.name = template.name
        row.active = True
        if not claimed:  # else the compare-and-set took the step
            row.version += 1
        row.updated_at = now
        row.updated_by = who
        session.add(row)
        summary.updated.append(template.key)
    assert row.id is not None
    session.add(ChecklistTemplateVersion(template_id=row.id, number=number, name=template.name,
                                         definition=definition, source=source, created_at=now,
                                         created_by=who))
    session.flush()
    return number


def import_files(session: Session, actor: Actor | None, paths: Sequence[Path | Traversable],
                 names: Sequence[str] | None = None) -> ImportSummary:
    """Validate every file, then store them all, or nothing (leads; ``None`` is
    the starter content)."""
    if actor is not None:
        require_lead(actor, "err.not_allowed.templates")
    names = list(names) if names else [str(p) for p in paths]
    problems: list[Problem] = []
    parsed: list[tuple[TemplateDef, str]] = []
    seen: dict[str, str] = {}
    for path, name in zip(paths, names, strict=True):
        template, found = parse(path, name)
        problems.extend(found)
        if template is None:
            continue
        if template.key in seen:
            problems.append(Problem(name, 1, "key", t("tpl.duplicate_key", key=template.key,
                                                      where=seen[template.key])))
            continue
        seen[template.key] = name
        parsed.append((template, _source_of(path)))
    if problems:
        raise ImportFailed(problems)
    summary = ImportSummary()
    for template, source in parsed:
        _store(session, actor, template, source, summary)
    return summary


def save_source(session: Session, actor: Actor, source: str, *, key: str | None = None,
                version: int | None = None) -> TemplateDef:
    """A lead's edit in the TUI: the whole YAML text, validated as a file
    named after the template, stored as a new version. ``key`` and
    ``version`` say which template and which of its versions the edit was
    based on (a stale edit is refused); a new template has neither."""
    require_lead(actor, "err.not_allowed.templates")
    if len(source) > MAX_SOURCE:
        raise Invalid("err.invalid.too_long", field="YAML", length=len(source), limit=MAX_SOURCE)
    label = f"{key or 'new'}.yaml"
    template, problems = parse(label, label, source=source)
    if template is None:
        raise ImportFailed(problems)
    if key is not None and template.key != key:
        raise ImportFailed([Problem(label, 1, "key", t("tpl.key_changed", key=key))])
    row = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.key == template.key)).first()
    if key is None and row is not None:
        raise ImportFailed([Problem(label, 1, "key", t("tpl.key_taken", key=template.key))])
    if row is not None and version is not None:
        assert row.id is not None
        claim(session, ChecklistTemplate, row.id, version, "what.template")
    number = _store(session, actor, template, source, ImportSummary(),
                    claimed=row is not None and version is not None)
    return get_template(session, template.key, number)


# ── reading ────────────────────────────────────────────────────────────────


def _current_version(session: Session, row: ChecklistTemplate) -> ChecklistTemplateVersion | None:
    return session.exec(select(ChecklistTemplateVersion).where(
        ChecklistTemplateVersion.template_id == row.id,
        ChecklistTemplateVersion.number == row.current_version)).first()


def _def(version: ChecklistTemplateVersion) -> TemplateDef:
    return from_definition(dict(version.definition), version.number, version.id)


def get_template(session: Session, key: str, number: int | None = None) -> TemplateDef:
    row = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.key == key)).first()
    if row is None:
        raise NotFound("err.not_found.template", key=key)
    version = session.exec(select(ChecklistTemplateVersion).where(
        ChecklistTemplateVersion.template_id == row.id,
        ChecklistTemplateVersion.number == (number or row.current_version))).first()
    if version is None:
        raise NotFound("err.not_found.template", key=f"{key} v{number}")
    return _def(version)


_version_cache: dict[tuple[str, int], TemplateDef] = {}


def by_version_id(session: Session, version_id: int) -> TemplateDef:
    """A template version (versions never change, so they are cached, per
    database: another file has other versions under the same ids)."""
    where = (str(session.get_bind().url), version_id)
    cached = _version_cache.get(where)
    if cached is not None:
        return cached
    version = session.get(ChecklistTemplateVersion, version_id)
    if version is None:
        raise NotFound("err.not_found.template", key=f"#{version_id}")
    template = _def(version)
    if len(_version_cache) < 1000:
        _version_cache[where] = template
    return template


@dataclass(frozen=True)
class TemplateInfo:
    key: str
    name: str
    number: int
    version: int  # of the template row, for a stale-edit check
    item_count: int
    queue: str
    accept: timedelta
    resolve: timedelta
    category: str
    scenarios: tuple[str, ...] = ()  # scenario category prefixes it suits


def list_templates(session: Session) -> list[TemplateInfo]:
    """Active templates with their current versions, by name."""
    rows = session.exec(select(ChecklistTemplate, ChecklistTemplateVersion)
                        .join(ChecklistTemplateVersion,
                              (ChecklistTemplateVersion.template_id == ChecklistTemplate.id)
                              & (ChecklistTemplateVersion.number
                                 == ChecklistTemplate.current_version))
                        .where(ChecklistTemplate.active)
                        .order_by(ChecklistTemplate.name)).all()
    out = []
    for row, version in rows:
        d = _def(version)
        out.append(TemplateInfo(row.key, d.name, d.number, row.version, len(d.items), d.queue,
                                d.accept, d.resolve, d.category, d.scenarios))
    return out


def template_source(session: Session, key: str) -> tuple[str, int]:
    """The YAML of a template's current version and the row version to edit
    against (a version stored without its text is written out)."""
    row = session.exec(select(ChecklistTemplate).where(ChecklistTemplate.key == key)).first()
    if row is None:
        raise NotFound("err.not_found.template", key=key)
    current = _current_version(session, row)
    assert current is not None
    source = current.source or to_yaml(_def(current))
    return source, row.version


def to_yaml(template: TemplateDef) -> str:
    import yaml

    data: dict[str, Any] = {"format": FORMAT, "key": template.key, "name": template.name}
    if template.category:
        data["category"] = template.category
    if template.scenarios:
        data["scenarios"] = list(template.scenarios)
    data["queue"] = template.queue
    data["sla"] = {"accept": format_duration(template.accept),
                   "resolve": format_duration(template.resolve)}
    if template.subject:
        data["subject"] = template.subject
    items = []
    for i in template.items:
        item: dict[str, Any] = {"key": i.key, "label": i.label, "kind": i.kind}
        if i.required:
            item["required"] = True
        if i.personal and i.kind != "phone":
            item["personal"] = True
        for name in ("hint", "pattern", "example"):
            if getattr(i, name):
                item[name] = getattr(i, name)
        if i.choices:
            item["choices"] = list(i.choices)
        items.append(item)
    data["items"] = items
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)


def for_scenario(session: Session, category: str) -> str | None:
    """The key of the template whose ``scenarios`` best match a scenario's
    category (the longest matching prefix), if any."""
    best: tuple[int, str] | None = None
    for info in list_templates(session):
        for prefix in info.scenarios:
            if category.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), info.key)
    return best[1] if best else None


# ── starter templates ──────────────────────────────────────────────────────

_STARTER_KEY = "starter_checklists_loaded"


def starter_files() -> list[tuple[Traversable, str]]:
    base = resources.files("cscterm") / "assets" / "checklists"
    if not base.is_dir():
        return []
    return [(entry, f"assets/checklists/{entry.name}")
            for entry in sorted(base.iterdir(), key=lambda e: e.name)
            if entry.name.endswith(".yaml")]


def starter_loaded(session: Session) -> bool:
    return session.get(Meta, _STARTER_KEY) is not None


def load_starter(session: Session) -> ImportSummary:
    """Put the shipped templates in a database that has never had them (a new
    one, or one made before transfers existed)."""
    if starter_loaded(session):
        return ImportSummary()
    files = starter_files()
    summary = import_files(session, None, [f for f, _ in files], [n for _, n in files])
    session.add(Meta(key=_STARTER_KEY, value=utcnow().isoformat()))
    session.flush()
    return summary
