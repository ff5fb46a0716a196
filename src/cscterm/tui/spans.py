"""Lengths of time as people read them in lists: 25m, 2h, 1h05m, 3d4h."""

from __future__ import annotations

from datetime import timedelta

from cscterm.i18n import t


def span(length: timedelta) -> str:
    """``25m`` / ``2h`` / ``1h05m`` (under two days) / ``3d4h``, in the UI
    language; never negative (callers say "over" or "left" themselves)."""
    minutes = max(int(length.total_seconds() // 60), 0)
    if minutes < 60:
        return t("span.m", m=minutes)
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return t("span.hm", h=hours, m=minutes) if minutes else t("span.h", h=hours)
    days, hours = divmod(hours, 24)
    return t("span.dh", d=days, h=hours) if hours else t("span.d", d=days)
