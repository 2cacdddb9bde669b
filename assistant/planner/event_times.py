"""Times said relative to the thing talked of ("remind me about it the day before at 6pm",
"an hour before"): the day or moment that thing is about, read from a reminder's next time or
from an email's subject, label or snippet ("Demo day moved to the 14th", "Works start Monday
8am"), then moved as said. Nothing is guessed: a thing that names no one time, or an amount
under a day before a thing with no clock time, is asked about."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from actions.entities import Entity
from assistant.normalize import CLOCK_SAID, AmbiguousTime, parse_when

__all__ = ["event_time", "what_it_is", "when_before"]

_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DAY = (rf"(?:(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?|tomorrow|"
        rf"the\s+\d{{1,2}}(?:st|nd|rd|th)|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}|"
        rf"{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?)")
_WHEN_SAID = re.compile(rf"\b{_DAY}(?:,?\s+(?:at\s+|from\s+)?(?P<clock>{CLOCK_SAID}))?\b", re.I)
_PARTS = {"day": "", "morning": " in the morning", "afternoon": " in the afternoon",
          "evening": " in the evening", "night": " at night"}


def what_it_is(thing: Entity) -> str:
    """What a reminder about ``thing`` says: an email's subject, else its label."""
    return str(thing.attributes.get("subject") or thing.attributes.get("text") or thing.label)


def event_time(thing: Entity, now: datetime, tz: ZoneInfo) -> tuple[datetime, bool] | None:
    """The one moment ``thing`` is about, with True when a clock time is known: a job's next time,
    else the one day (and time) its subject, label or snippet names; None when none or
    several are named."""
    nxt = thing.attributes.get("next")
    if thing.type == "job" and nxt:
        return datetime.fromisoformat(str(nxt)).astimezone(tz), True
    for key in ("subject", "label", "snippet"):
        text = thing.label if key == "label" else str(thing.attributes.get(key) or "")
        found: dict[datetime, bool] = {}
        for m in _WHEN_SAID.finditer(text):
            said = m.group(0)
            result = parse_when(said if said.lower().startswith("tomorrow") else f"on {said}",
                                now, tz)
            if isinstance(result, datetime):
                found[result] = m.group("clock") is not None
        if len(found) == 1:
            return next(iter(found.items()))
        if found:
            return None  # two days named: which one is "it" is not for lam to pick
    return None


def when_before(m: re.Match[str], event: datetime, has_clock: bool, now: datetime,
                tz: ZoneInfo) -> datetime | AmbiguousTime | str:
    """The time ``m`` (a match of assistant.normalize's `BEFORE_IT`) says before ``event``; a
    reason when there is none (an hour before a day with no time, a time already past)."""
    clock = m.group("clock1") or m.group("clock2")
    if m.group("part"):
        day = (event - timedelta(days=1)).date()
        on = f"on {day.day} {day:%B} {day.year}"
        said = f"{on} at {clock}" if clock else f"{on}{_PARTS[m.group('part').lower()]}"
        result = parse_when(said, now, tz)
        if isinstance(result, datetime | AmbiguousTime):
            return result
        return result.message
    amount = parse_when(f"in {m.group('amount')}", now, tz)
    if not isinstance(amount, datetime):
        return f"'{m.group('amount')}' is no amount of time I can read"
    moved = amount - now
    if not has_clock and moved < timedelta(days=1):
        return "it names a day but no time, so I cannot count back from it"
    at = event - moved
    return at if at > now else "that time has already passed"
