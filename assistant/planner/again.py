"""One thing at several times: "remind me to take my pills at 5pm and again at 9pm", "… in 20
min to check the oven and again in 40". The request without its "and again …" clauses is
planned like any request; when that is one step at one time, the step is repeated at each
time the clauses say (`Planner.stage_again`). "again in 40" counts in the unit of the request's
own amount ("in 20 min"). Without a first time ("remind me again in 10 min") nothing is split.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from actions.plan import Step, ValueSource
from actions.spec import ActionSpec
from actions.types import format_of
from assistant.normalize import parse_when

__all__ = ["Again", "find_again", "repeated"]

_AGAIN = re.compile(r"[,;]?\s*\b(?:and\s+|then\s+|&\s+)*(?:once\s+)?again\s+(?P<after>.+)",
                    re.IGNORECASE)
_AMOUNT = re.compile(r"\bin\s+(?:an?\s+|\d+\s*|\d+\.\d+\s*)(?P<unit>min(?:ute)?s?|mins?|"
                     r"h(?:ou)?rs?|hours?|days?|weeks?|secs?|seconds?)\b", re.IGNORECASE)
_BARE = re.compile(r"^in\s+(?P<n>\d+(?:\.\d+)?)$", re.IGNORECASE)
_MAX_WORDS = 6


@dataclass(frozen=True)
class Again:
    """The request without its "again" clause (``rest``), and the times that clause says."""

    rest: str
    phrases: tuple[str, ...]
    times: tuple[datetime, ...]


def find_again(request: str, now: datetime, tz: ZoneInfo) -> Again | None:
    """The "and again <time>" clause of ``request``, when there is one and its time reads;
    None otherwise. Only the first clause is taken ("… at 5, again at 7 and again at 9": the
    later ones are asked about by the plan of the rest, never dropped silently)."""
    m = _AGAIN.search(request)
    if m is None:
        return None
    words = m.group("after").split()
    unit = _AMOUNT.search(request[:m.start()])
    for k in range(min(_MAX_WORDS, len(words)), 0, -1):
        phrase = " ".join(words[:k]).strip(",.!?;")
        said = phrase
        bare = _BARE.match(phrase)
        if bare is not None and unit is not None:  # "again in 40" after "in 20 min"
            said = f"in {bare.group('n')} {unit.group('unit')}"
        when = parse_when(said, now, tz)
        if isinstance(when, datetime):
            rest = re.sub(r"\s+", " ", request[:m.start()] + " " + " ".join(words[k:]))
            rest = rest.strip(" ,;")
            if not _says_a_time(rest, now, tz):
                return None  # "remind me again in 10 min": one time, no first one
            return Again(rest=rest, phrases=(said,), times=(when,))
    return None


def _says_a_time(text: str, now: datetime, tz: ZoneInfo) -> bool:
    words = text.split()
    return any(isinstance(parse_when(" ".join(words[a:b]), now, tz), datetime)
               for a in range(len(words))
               for b in range(a + 1, min(len(words), a + _MAX_WORDS) + 1))


def repeated(steps: list[Step], specs: dict[str, ActionSpec], again: Again,
             tz: ZoneInfo) -> list[Step] | None:
    """The plan's one step at its own time and again at each of ``again``'s; None when the
    plan is not one step with one time filled. A time by the clock or the day counts from
    the first one ("tomorrow at 8 …, then again at noon": tomorrow's noon); an amount ("in
    40 min") from now."""
    if len(steps) != 1 or steps[0].action not in specs:
        return None
    step = steps[0]
    props = specs[step.action].parameters_schema().get("properties", {})
    if any(format_of(p) == "x-recurrence" and step.args.get(n) for n, p in props.items()):
        return None  # a series has its own clock time: a second one is another rule
    timed = [name for name, prop in props.items()
             if format_of(prop) == "date-time" and isinstance(step.args.get(name), str)]
    if len(timed) != 1:
        return None
    name = timed[0]
    try:
        first = datetime.fromisoformat(step.args[name])
    except ValueError:
        return None
    out = [step]
    for phrase, when in zip(again.phrases, again.times, strict=True):
        if not phrase.lower().startswith("in "):
            after_first = parse_when(phrase, first, tz)
            if not isinstance(after_first, datetime):
                return None
            when = after_first
        out.append(step.model_copy(update={
            "args": {**step.args, name: when.isoformat()},
            "sources": {**step.sources, name: ValueSource(
                kind="normalized", text=phrase, note="said after 'again'")}}))
    return out
