"""Word tables shared by the time and recurrence normalizers (English only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2,
    "thursday": 3, "thu": 3, "thur": 3, "thurs": 3, "friday": 4, "fri": 4,
    "saturday": 5, "sat": 5, "sunday": 6, "sun": 6,
}
RRULE_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

MONTHS: dict[str, int] = {
    "january": 1, "jan": 1, "february": 2, "feb": 2, "march": 3, "mar": 3, "april": 4,
    "apr": 4, "may": 5, "june": 6, "jun": 6, "july": 7, "jul": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "october": 10, "oct": 10, "november": 11, "nov": 11,
    "december": 12, "dec": 12,
}

NUMBERS: dict[str, float] = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15,
    "twenty": 20, "thirty": 30, "forty-five": 45, "forty five": 45, "sixty": 60, "ninety": 90,
    "half a": 0.5, "half an": 0.5, "a couple of": 2, "couple of": 2,
}

ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
}

UNITS: dict[str, timedelta] = {
    "second": timedelta(seconds=1), "sec": timedelta(seconds=1), "s": timedelta(seconds=1),
    "minute": timedelta(minutes=1), "min": timedelta(minutes=1), "m": timedelta(minutes=1),
    "hour": timedelta(hours=1), "hr": timedelta(hours=1), "h": timedelta(hours=1),
    "day": timedelta(days=1), "d": timedelta(days=1), "week": timedelta(weeks=1),
    "w": timedelta(weeks=1),
}

# Default wall-clock time (hours, minutes) of a day part when no time is given.
PART_DEFAULTS: dict[str, tuple[int, int]] = {
    "morning": (9, 0),
    "afternoon": (15, 0),
    "evening": (18, 0),
    "night": (20, 0),
    "eod": (17, 0),
}
DEFAULT_TIME = (9, 0)
"""Time of day used when only a date is given."""


def alternation(words: Iterable[object]) -> str:
    """A regex alternation of the given words, longest first (so 'tues' beats 'tue')."""
    return "|".join(sorted((str(w) for w in words), key=len, reverse=True)).replace(" ", r"\s+")
