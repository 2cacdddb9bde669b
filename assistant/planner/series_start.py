"""When a repetition begins, as the request says it ("starting next week, every weekday at
5pm …", "every day at 8 from tomorrow on"): its first occurrence is the first one on or after
that day, not the first one from now. "next week" and "next month" are periods, too vague for
one moment (`parse_when` says so) but a clear start for a series: their first day."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from assistant.normalize import parse_when

__all__ = ["series_start"]

_START = re.compile(r"\b(?:starting|beginning|from)\s+(?:on\s+|with\s+)?(?P<rest>.+)",
                    re.IGNORECASE)
_PERIOD = re.compile(r"^(?:the\s+)?next\s+(?P<unit>week|month)$", re.IGNORECASE)


def series_start(request: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    """The start of the day a repetition begins on, when the request says one after
    "starting", "beginning" or "from" and it is later than ``now``; else None."""
    for m in _START.finditer(request):
        words = re.split(r"[,;]", m.group("rest"))[0].split()
        for k in range(min(4, len(words)), 0, -1):
            phrase = " ".join(words[:k]).strip(",.!?;")
            day = _first_day(phrase, now.astimezone(tz), tz)
            if day is not None:
                return day if day > now else None
    return None


def _first_day(phrase: str, now: datetime, tz: ZoneInfo) -> datetime | None:
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    period = _PERIOD.match(phrase)
    if period is not None:
        if period.group("unit").lower() == "week":  # weeks start on Monday
            return midnight + timedelta(days=7 - now.weekday())
        year, month = (now.year + 1, 1) if now.month == 12 else (now.year, now.month + 1)
        return midnight.replace(year=year, month=month, day=1)
    found = parse_when(phrase, now, tz)
    if isinstance(found, datetime):
        return found.astimezone(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return None
