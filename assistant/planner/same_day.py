"""A new hour for a thing that already has a day. "Move the dentist reminder to 3pm" keeps the
reminder's own day and changes its hour; read against the clock alone, "3pm" would be today
(or tomorrow), silently moving the reminder to another day.

Whether a phrase names only a time of day is decided by the time parser itself, not a word
list: it is read against two different days at two different clock times, and a phrase that
gives the same clock time on each anchor's own day names no day ("3pm", "half past nine",
"noon"); "tomorrow at 3", "Friday at 3" and "in 2 hours" do not pass."""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from assistant.normalize import parse_when

__all__ = ["at_its_own_time", "on_its_own_day", "time_of_day_only"]

_SAYS_TODAY = re.compile(r"\b(today|tonight|now|this)\b", re.IGNORECASE)
"""Words that name the current day itself: "tonight" read on another day is another night."""
_SAME_TIME = re.compile(r"\bsame\s+(?:time|hour)\b", re.IGNORECASE)


def time_of_day_only(phrase: str, tz: ZoneInfo) -> time | None:
    """The clock time ``phrase`` names when it names no day, else None."""
    if _SAYS_TODAY.search(phrase):
        return None
    first = datetime(2001, 1, 1, tzinfo=tz)  # a Monday, at midnight
    second = first + timedelta(days=3, seconds=30)  # a Thursday, half a minute past
    got = [parse_when(phrase, anchor, tz) for anchor in (first, second)]
    if not all(isinstance(g, datetime) for g in got):
        return None
    a, b = (g.astimezone(tz) for g in got if isinstance(g, datetime))
    if a.date() != first.date() or b.date() != second.date() or a.time() != b.time():
        return None
    return a.time()


def on_its_own_day(phrase: str, current: datetime, now: datetime, tz: ZoneInfo
                   ) -> datetime | None:
    """``phrase``'s time of day on the day of ``current`` (a thing's present time), when the
    phrase names no day, that day is not today and the result is still to come; else None
    (the phrase is read as usual)."""
    clock = time_of_day_only(phrase, tz)
    day = current.astimezone(tz).date()
    if clock is None or day == now.astimezone(tz).date():
        return None
    moved = datetime.combine(day, clock, tzinfo=tz)
    return moved if moved > now else None


def at_its_own_time(request: str, value: datetime, current: datetime, now: datetime,
                    tz: ZoneInfo) -> datetime | None:
    """"Move it to friday, same time": the day ``value`` names at the clock time of
    ``current`` (the thing's present time), when the request says "same time" and that is
    still to come; else None."""
    if not _SAME_TIME.search(request):
        return None
    clock = current.astimezone(tz)
    moved = datetime.combine(value.astimezone(tz).date(), clock.time(), tzinfo=tz)
    return moved if moved > now and moved != clock else None
