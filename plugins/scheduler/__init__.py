"""lam's scheduler plugin: reminders and scheduled plans, stored as JSON in SQLite, fired by one
process per store, exactly once per (job, scheduled time) through the plan runner's key."""

from __future__ import annotations

from plugins.scheduler.engine import Engine, FireEvent, fire_key
from plugins.scheduler.plugin import FIRE_EXTRA, SchedulerPlugin
from plugins.scheduler.rules import Rule, RuleError, describe, next_after, parse_rule
from plugins.scheduler.settings import SchedulerSettings

__all__ = [
    "FIRE_EXTRA",
    "Engine",
    "FireEvent",
    "Rule",
    "RuleError",
    "SchedulerPlugin",
    "SchedulerSettings",
    "describe",
    "fire_key",
    "next_after",
    "parse_rule",
]
