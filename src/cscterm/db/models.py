"""The whole schema: every table, from the modules under ``cscterm.db.tables``.

Migrations and tests import this; the services import the part they use.
"""

from __future__ import annotations

from sqlmodel import SQLModel

from cscterm.db.tables.core import Meta, Shift, User, utcnow
from cscterm.db.tables.drafts import Draft
from cscterm.db.tables.library import (
    ForbiddenTerm,
    PlaceholderLabel,
    Scenario,
    Script,
    ScriptUsage,
    ScriptUsageStat,
    ScriptVariant,
)
from cscterm.db.tables.handover import Handover, HandoverComment, HandoverItem
from cscterm.db.tables.transfer import (
    ChecklistTemplate,
    ChecklistTemplateVersion,
    Transfer,
    TransferEvent,
)
from cscterm.db.tables.worklog import (
    DailyLog,
    LogNote,
    MetricDef,
    MetricValue,
    PlanItem,
    Reminder,
)

__all__ = [
    "ChecklistTemplate",
    "ChecklistTemplateVersion",
    "DailyLog",
    "Draft",
    "ForbiddenTerm",
    "Handover",
    "HandoverComment",
    "HandoverItem",
    "LogNote",
    "Meta",
    "MetricDef",
    "MetricValue",
    "PlaceholderLabel",
    "PlanItem",
    "Reminder",
    "SQLModel",
    "Scenario",
    "Script",
    "ScriptUsage",
    "ScriptUsageStat",
    "ScriptVariant",
    "Shift",
    "Transfer",
    "TransferEvent",
    "User",
    "utcnow",
]
