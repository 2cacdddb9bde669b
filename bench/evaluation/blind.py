"""The blind split's adapter: tests/golden/blind.jsonl was written by a helper who saw only
`lam actions list`, so its background job entities name their attributes in its own words.
This module maps them onto the golden runner's words before a case is validated; nothing
else differs. See docs/golden.md ("The blind split").

    blind                   golden runner (tests/golden/cases.jsonl)
    next_run   ISO time     next    ISO time of the next firing
    every      RRULE|null   rule    RRULE|null
    status     scheduled    state   active
               cancelled            cancelled
               fired                done   (a one-off reminder that has gone off)

The mapping is pure and idempotent: a case already in the runner's words is returned as it is.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["BLIND_PATH", "JOB_STATUS", "adapt_case"]

BLIND_PATH = Path(__file__).resolve().parents[2] / "tests" / "golden" / "blind.jsonl"

JOB_STATUS = {"scheduled": "active", "cancelled": "cancelled", "fired": "done"}
"""Blind ``status`` -> scheduler store ``state``."""

_RENAMES = {"next_run": "next", "every": "rule"}


def adapt_case(raw: dict[str, Any]) -> dict[str, Any]:
    """``raw`` (one parsed JSONL line) with its job entities' attributes in the golden
    runner's words. Raises ValueError naming the case and the value for an unknown status."""
    context = raw.get("context")
    if not isinstance(context, dict):
        return raw
    entities = [_adapt_entity(e, raw.get("id", "?")) for e in context.get("entities", [])]
    return {**raw, "context": {**context, "entities": entities}}


def _adapt_entity(entity: dict[str, Any], case_id: str) -> dict[str, Any]:
    if entity.get("type") != "job":
        return entity
    attrs = dict(entity.get("attributes") or {})
    for old, new in _RENAMES.items():
        if old in attrs:
            attrs.setdefault(new, attrs.pop(old))
    if "status" in attrs:
        status = attrs.pop("status")
        if status not in JOB_STATUS:
            raise ValueError(f"case {case_id}: job {entity.get('id')} has status {status!r}; "
                             f"expected one of {sorted(JOB_STATUS)}")
        attrs.setdefault("state", JOB_STATUS[status])
    return {**entity, "attributes": attrs}
