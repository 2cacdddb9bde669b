"""Several things named at once by their place in a list ("mark the first two as read",
"open the top 3 results"): one step on the first (or last) of them becomes one step for
each, in list order."""

from __future__ import annotations

import re

from actions.plan import Step
from actions.spec import ActionSpec
from assistant.context import EntityTable

__all__ = ["for_each_listed"]

_COUNT = {"two": 2, "three": 3, "four": 4, "five": 5, "2": 2, "3": 3, "4": 4, "5": 5,
          "both": 2}
_PLURAL = re.compile(r"\b(?:the\s+)?(?P<end>first|last|top|latest|newest)\s+(?P<n>two|three|four|"
                     r"five|[2-5])\b|\b(?P<both>both)\b", re.IGNORECASE)


def for_each_listed(steps: list[Step], request: str, table: EntityTable,
                    specs: dict[str, ActionSpec]) -> list[Step] | None:
    """The plan with its one step repeated for each of the N listed things the request
    names ("the first two"); None when the request names no such group, or the plan is not
    one step on the first (or last) of them."""
    m = _PLURAL.search(request)
    if m is None or len(steps) != 1:
        return None
    n = _COUNT[(m.group("n") or m.group("both")).lower()]
    step = steps[0]
    spec = specs.get(step.action)
    if spec is None:
        return None
    for param, etype in spec.entity_params().items():
        listed = table.listed(etype)
        value = step.args.get(param)
        if len(listed) < n or not isinstance(value, str):
            continue
        last = (m.group("end") or "").lower() == "last"
        group = listed[-n:] if last else listed[:n]
        if value not in {e.id for e in group} or (m.group("both") and len(listed) != 2):
            continue
        return [step.model_copy(update={"args": {**step.args, param: e.id}}) for e in group]
    return None
