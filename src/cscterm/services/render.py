"""Placeholders in script bodies: ``{{name}}`` (required) and
``{{name|default}}`` (optional, falls back to the default text)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

NAME = r"[a-z][a-z0-9_]{0,63}"
PLACEHOLDER = re.compile(r"\{\{\s*(" + NAME + r")\s*(?:\|([^{}]*))?\}\}")
# Anything that looks like an attempt at a placeholder, valid or not.
_LOOSE = re.compile(r"\{\{[^{}]*\}\}")


@dataclass(frozen=True)
class Placeholder:
    name: str
    default: str | None  # None: required

    @property
    def required(self) -> bool:
        return self.default is None


@dataclass(frozen=True)
class Rendered:
    text: str
    missing: list[str] = field(default_factory=list)  # required names left empty

    @property
    def complete(self) -> bool:
        return not self.missing


def placeholders(body: str) -> list[Placeholder]:
    """Placeholders in order of first appearance; a name that appears both with
    and without a default counts as required."""
    seen: dict[str, Placeholder] = {}
    for match in PLACEHOLDER.finditer(body):
        name, default = match.group(1), match.group(2)
        default = default.strip() if default is not None else None
        if name not in seen:
            seen[name] = Placeholder(name, default)
        elif default is None and seen[name].default is not None:
            seen[name] = Placeholder(name, None)
    return list(seen.values())


def malformed(body: str) -> list[str]:
    """``{{…}}`` tokens that are not valid placeholders (e.g. ``{{Order No}}``)."""
    return [m.group() for m in _LOOSE.finditer(body) if not PLACEHOLDER.fullmatch(m.group())]


def render(body: str, values: Mapping[str, str]) -> Rendered:
    """Fill ``body``; required placeholders with no value are reported and kept
    visible as ``{{name}}`` so an unfinished reply is never mistaken for done."""
    missing: list[str] = []

    def fill(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        value = (values.get(name) or "").strip()
        if value:
            return value
        if default is not None:
            return default.strip()
        if name not in missing:
            missing.append(name)
        return match.group()

    return Rendered(PLACEHOLDER.sub(fill, body), missing)
