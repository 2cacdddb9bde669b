"""A request to act later ("on monday at 7:30am send Kenji a note …", "every Friday at 4:30pm email
my boss …"): the time phrase that says *when to act* is found outside what the action says (its
message body, its topic), and the rest of the request is what to do then. The cascade plans the
rest like any request and schedules it as one `schedule_plan` step (`Planner.stage_deferral`).

A time inside the message ("tell Bo the party is at 9") belongs to the message, and a request
for a reminder to the user is the scheduler's own (`set_reminder`): neither is deferred."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from actions.effects import Effect
from actions.plan import Plan, PlanKind, Step, ValueSource
from actions.spec import ActionSpec
from actions.types import format_of
from assistant.normalize import (
    AmbiguousTime,
    RecurrenceRule,
    TimeParseError,
    TimeParseReason,
    parse_recurrence,
    parse_when,
)

__all__ = ["OUTWARD", "Deferral", "find_deferral", "schedule_step", "why_not_deferred"]

OUTWARD = frozenset({Effect.EXTERNAL_SEND, Effect.IRREVERSIBLE})
"""Effects worth doing later, unattended: a read shows its result to no one, a click or a
field typed into acts on a page that may be gone by then, and a schedule inside a schedule
is refused."""

_MAX_PHRASE = 10  # "on the 1st of every month at 9 am" is nine words
_SAYS_A_TIME = re.compile(
    r"\b(?:(?<=at )\d{1,2}\b|\d{1,2}(?::\d\d)?\s*(?:am|pm|a\.m\.|p\.m\.)|\d{1,2}:\d\d|"
    r"\d{1,2}h\d\d|noon|midnight|"
    r"tonight|tomorrow|tmrw|tmr|tomorow|morning|afternoon|evening|"
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?s?|weekdays?|weekends?|"
    r"daily|weekly|monthly|hourly|yearly|nightly|in\s+(?:\d+|an?|one|two|three|four|five|ten|"
    r"twenty|thirty|half)\b)\b", re.I)
"""A phrase that says a moment by the clock, a day or an amount of time from now ("the 3rd"
alone is a thing's ordinal as often as a date)."""
_BODY_CUE = re.compile(
    r"^(?:that|saying|says|say|tell|telling|ask|asking|remind|reminding|about|re|regarding|"
    r"subject|with|for|to\s+say|to\s+tell|to\s+ask|to\s+remind|to\s+let)\b|^[:\"'“‘]", re.I)
"""Where what the action says begins: a time after it is part of the message or its topic."""
_ASKS_THEM = re.compile(r"^(?:could|can|would|will|are|do|did|shall|should|r)\s+(?:you|u|we)\b",
                        re.I)
"""A clause put to the recipient ("…, could you come round thursday morning?"): after the
request's first clause, what the message asks them, not when to send it."""
_FOR_THE_USER = re.compile(
    r"\b(?:remind|ping|nudge|alert|wake|notify)\s+(?:me|us)\b|\breminders?\b|"
    r"\bdon'?t\s+let\s+(?:me|us)\s+forget\b", re.I)
_DESCRIBING = re.compile(
    r"^(?:daily|weekly|monthly|yearly|annual|hourly|nightly|quarterly)$", re.I)
_LEADING_LINK = re.compile(r"^(?:on|at|by|from|starting|beginning)$", re.I)
_OWNED = re.compile(r"^(?:the|a|an|my|his|her|their|our|your|its|this|that|last|past|previous|"
                    r"from|since|of|until|till|before|after|to|into|onto)$", re.I)
"""A word before a time that makes it part of a thing ("the notes from last friday") or where
the action puts something ("move the check-up to friday at 3pm")."""
_THING_FIRST = re.compile(r"^(?:the|a|an|my|his|her|their|our|your|its|last|past|previous)$",
                          re.I)
"""A first word that makes the phrase a thing ("the friday slides"), not a time to act."""
_COLON = re.compile(r":(?=\s)")


@dataclass(frozen=True)
class Deferral:
    """The request split into when to act and what to do then."""

    rest: str
    """The request without the time phrase: what to do."""
    phrase: str
    """The time phrase as said ("on monday at 7:30am", "every friday at 4:30pm")."""
    recurring: bool


def find_deferral(request: str, now: datetime, tz: ZoneInfo) -> Deferral | None:
    """The time phrase that says when to do the rest of ``request``, or None (no such phrase,
    a reminder for the user, or the time is part of what is said)."""
    if _FOR_THE_USER.search(request):
        return None
    words = _COLON.sub(" :", request).split()
    limit = next((k for k in range(1, len(words))
                  if _BODY_CUE.match(" ".join(words[k:k + 2])) or _asked_of_them(words, k)),
                 len(words))
    best: tuple[int, int, bool] | None = None
    for a in range(limit):
        for b in range(min(limit, a + _MAX_PHRASE), a, -1):
            recurring = _time_kind(words, a, b, now, tz)
            if recurring is None:
                continue
            if best is None or b - a > best[1] - best[0]:
                best = (a, b, recurring)
            break
    if best is None:
        return None
    a, b, recurring = best
    rest = " ".join(words[:a] + words[b:]).strip(" ,;")
    rest = re.sub(r"\s+([,:])", r"\1", rest)
    if len(rest.split()) < 2:
        return None
    return Deferral(rest=rest, phrase=" ".join(words[a:b]).strip(",.!?;"), recurring=recurring)


def _asked_of_them(words: list[str], k: int) -> bool:
    """Whether a clause after the request's first begins at ``words[k]`` and asks something
    of the recipient ("…, could you come thursday", "…, want it sunday?"): the message's."""
    if words[k - 1][-1] not in ",;.!?":
        return False
    end = next((e for e in range(k, len(words)) if words[e][-1:] in (",", ";", ".", "!", "?")),
               len(words) - 1)
    return words[end].endswith("?") or bool(_ASKS_THEM.match(" ".join(words[k:k + 2])))


def _time_kind(words: list[str], a: int, b: int, now: datetime, tz: ZoneInfo) -> bool | None:
    """Whether ``words[a:b]`` is a recurrence (True), one moment after now (False), or not a
    time to act at (None)."""
    phrase = " ".join(words[a:b]).strip(",.!?;")
    if not phrase or not _SAYS_A_TIME.search(phrase) or _LEADING_LINK.match(words[b - 1]):
        return None
    if (a > 0 and _OWNED.match(words[a - 1])) or _THING_FIRST.match(words[a]):
        return None  # "the notes from last friday", "the friday slides": a thing's day
    if b < len(words) and _DESCRIBING.match(words[b - 1]):
        return None  # "send my weekly report": a kind of report, not a repetition
    rule = parse_recurrence(phrase, now, tz)
    if isinstance(rule, RecurrenceRule):
        return True
    found = parse_when(phrase, now, tz)
    if isinstance(found, datetime):
        return False if found > now + timedelta(minutes=1) else None
    if isinstance(found, AmbiguousTime):
        return False
    if isinstance(found, TimeParseError) and found.reason not in (
            TimeParseReason.UNRECOGNIZED, TimeParseReason.EMPTY, TimeParseReason.IN_PAST):
        return False  # a time to act at that needs a question ("sometime next week")
    return None


def why_not_deferred(plan: Plan, specs: dict[str, ActionSpec]) -> str | None:
    """Why ``plan`` (of the rest of a request) is not one to schedule, or None when it is:
    steps that act outward, none of which takes a time itself (then the time is its own)."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        return f"the rest was planned as a {plan.kind.value}"
    outward = False
    for step in plan.steps:
        spec = specs.get(step.action)
        if spec is None:
            return f"{step.action} is no action"
        props = spec.parameters_schema().get("properties", {})
        if any(format_of(p) in ("date-time", "x-recurrence") for p in props.values()):
            return f"{step.action} takes a time itself"
        outward = outward or spec.effect in OUTWARD
    return None if outward else "the rest only reads"


def schedule_step(found: Deferral, plan: Plan) -> Step:
    """One `schedule_plan` step that runs ``plan`` at the time the request says."""
    slot = "every" if found.recurring else "when"
    stored = {"request": found.rest,
              "steps": [s.model_dump(mode="json") for s in plan.steps]}
    return Step(action="schedule_plan", args={"plan": stored, slot: found.phrase},
                sources={slot: ValueSource(kind="user_text", text=found.phrase),
                         "plan": ValueSource(kind="user_text", text=found.rest)})

