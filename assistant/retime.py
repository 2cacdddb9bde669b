"""Relative times stay relative: a stored plan (a saved automation, a scheduled job's plan)
keeps the words the user said for each time ("in 5 minutes", "tomorrow at 9") in its steps'
``sources``; this module resolves them again, through the same normalizer, when the plan runs.

A time with no words behind it (an ISO time the user typed, or one a model computed) is left
as it is, and the verifier judges it as before."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from actions.plan import Plan, Step, ValueSource
from actions.types import format_of
from assistant.normalize import next_occurrences, parse_when
from assistant.registry import ActionRegistry

__all__ = ["FIRST_OCCURRENCE", "refresh_times", "resolve_time"]

FIRST_OCCURRENCE = "first occurrence"
"""The note of a time computed as a recurrence's first occurrence (no phrase of its own)."""


def resolve_time(phrase: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The moment ``phrase`` names from ``now``, or None when it names none."""
    found = parse_when(phrase, now, tz)
    return found if isinstance(found, datetime) else None


def _first_of(rule: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    try:
        first = next_occurrences(rule, now, tz, 1)
    except ValueError:
        return None
    return first[0] if first else None


def _refresh_step(step: Step, props: dict[str, Any], now: datetime, tz: ZoneInfo) -> Step:
    args = dict(step.args)
    changed = False
    rule = next((v for k, v in step.args.items()
                 if format_of(props.get(k, {})) == "x-recurrence" and isinstance(v, str)), None)
    for name, value in step.args.items():
        source: ValueSource | None = step.sources.get(name)
        if (format_of(props.get(name, {})) != "date-time" or not isinstance(value, str)
                or source is None or source.kind != "normalized"):
            continue
        fresh: datetime | None = None
        if source.note == FIRST_OCCURRENCE and rule is not None:
            fresh = _first_of(rule, now, tz)
        elif source.text:
            fresh = resolve_time(source.text, now, tz)
        if fresh is not None and fresh.isoformat() != value:
            args[name] = fresh.isoformat()
            changed = True
    return step.model_copy(update={"args": args}) if changed else step


def refresh_times(plan: Plan, registry: ActionRegistry, now: datetime, tz: ZoneInfo) -> Plan:
    """``plan`` with every time that has the user's words behind it resolved again from
    ``now``. A plan nested in a step (a scheduled plan) is left for when it runs."""
    steps = []
    for step in plan.steps:
        spec = registry.get(step.action)
        props = spec.parameters_schema().get("properties", {}) if spec is not None else {}
        steps.append(_refresh_step(step, props, now, tz) if props else step)
    if all(a is b for a, b in zip(steps, plan.steps, strict=True)):
        return plan
    return plan.model_copy(update={"steps": steps})
