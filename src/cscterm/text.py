"""Plain-text helpers shared by every layer (no UI imports).

User and import text is stored as given and made safe only where it is shown:
control characters become visible Unicode control pictures, so an escape
sequence in a script shows up as ``␛[31m`` instead of reaching the terminal.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo

# C0 controls except TAB and LF, DEL, and the C1 block.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f]")
_CONTROL_WITH_WS = re.compile(r"[\x00-\x1f\x7f\x80-\x9f]")


def _picture(match: re.Match[str]) -> str:
    code = ord(match.group())
    if code < 0x20:
        return chr(0x2400 + code)  # ␀ … ␟ (ESC → ␛)
    if code == 0x7F:
        return "\u2421"  # ␡
    return "\ufffd"


def printable(text: str) -> str:
    """Text safe to put on a terminal: controls shown as pictures; TAB and LF kept."""
    return _CONTROL.sub(_picture, text)


def one_line(text: str, width: int | None = None) -> str:
    """The first non-empty line of ``text``, made printable and optionally cut."""
    first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    first = _CONTROL_WITH_WS.sub(_picture, first)
    if width is not None and len(first) > width:
        first = first[: max(width - 1, 0)] + "…"
    return first


def strip_controls(text: str) -> str:
    """Text for the clipboard: control characters removed, TAB and LF kept."""
    return _CONTROL.sub("", text)


def local_time(moment: datetime, fmt: str = "%Y-%m-%d %H:%M") -> str:
    """A stored timestamp in the user's local time zone (naive means UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone().strftime(fmt)


def local_zone() -> tzinfo:
    """The centre's time zone: ``TZ`` if it names a zone, else the system's
    (``/etc/localtime``), else the current fixed offset. A named zone keeps
    daylight-saving changes right when shift times are turned into instants."""
    import os
    from pathlib import Path
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = str(Path("/etc/localtime").resolve())
        except OSError:
            target = ""
        if "zoneinfo/" in target:
            name = target.split("zoneinfo/", 1)[1]
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone().tzinfo or UTC


def day_range_utc(first: date, last: date, zone: tzinfo) -> tuple[datetime, datetime]:
    """The instants (UTC) from the start of local day ``first`` to the end of
    local day ``last``: a report's date range."""
    start = datetime.combine(first, time(0), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time(0), tzinfo=zone).astimezone(UTC)
    return start, end
