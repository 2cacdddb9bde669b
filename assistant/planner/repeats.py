"""Repeated steps the request never asked for. A small model that does not know when to stop
writes the same read step again until the step limit ("bring up the site" as six identical
``open_url`` or ``read_page`` steps). Reading the same thing again gives nothing new, so an
identical read-only step right after itself is dropped, unless the request says how often
("scroll down twice", "go back 3 pages", "check again"). So is an identical step with an
effect that produces nothing a next step could see (the same email sent six times); a click
may change the page, so repeated clicks stay."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from actions.plan import Step, is_step_ref
from actions.spec import ActionSpec

__all__ = ["REPEAT_CUE", "drop_repeats"]

REPEAT_CUE = re.compile(
    r"\b(twice|thrice|again|repeatedly|(\d+|one|two|three|four|five|six|several|a few|a couple"
    r"(?: of)?)\s+(more\s+)?(times|pages|screens|steps|clicks))\b", re.IGNORECASE)
"""Words that ask for a repetition: then repeated steps are what the user wants."""


def _key(step: Step) -> str:
    return step.action + json.dumps(step.args, sort_keys=True, default=str)


def drop_repeats(steps: list[Step], spec_of: Callable[[str], ActionSpec | None],
                 request: str) -> list[Step]:
    """``steps`` without read-only steps (or side-effect steps that produce nothing) identical
    (action and arguments) to the step just before them, when the request says no
    repetition. References to a dropped step's output point to the step it repeated; later
    references are renumbered."""
    if len(steps) < 2 or REPEAT_CUE.search(request):
        return steps
    kept: list[Step] = []
    index: dict[int, int] = {}  # old step number -> new one
    for i, step in enumerate(steps):
        spec = spec_of(step.action)
        if (kept and spec is not None and (not spec.effect.has_side_effect
                                           or not spec.produces)
                and _key(step) == _key(steps[i - 1])):
            index[i] = index[i - 1]
            continue
        index[i] = len(kept)
        kept.append(step)
    if len(kept) == len(steps):
        return steps
    return [s.model_copy(update={"args": {k: _renumber(v, index) for k, v in s.args.items()}})
            for s in kept]


def _renumber(value: Any, index: dict[int, int]) -> Any:
    if is_step_ref(value) and isinstance(value.get("$step"), int) and value["$step"] in index:
        return {**value, "$step": index[value["$step"]]}
    return value
