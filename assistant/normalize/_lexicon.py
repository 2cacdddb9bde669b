"""Word tables shared by the time and recurrence normalizers (English only)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

WEEKDAYS: dict[str, int] = {
    "monday": 0, "mon": 0, "tuesday": 1, "tue": 1, "tues": 1, "wednesday": 2, "wed": 2, "weds": 2,
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

_ONES = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen")
_TENS = ("twenty", "thirty", "forty", "fifty")


def _number_words() -> dict[str, float]:
    """1-59 in words ("twenty-five", "forty five") and the amounts people say as words."""
    out: dict[str, float] = {w: i + 1 for i, w in enumerate(_ONES)}
    for t, tens in enumerate(_TENS, start=2):
        out[tens] = t * 10
        for i, one in enumerate(_ONES[:9], start=1):
            out[f"{tens}-{one}"] = out[f"{tens} {one}"] = t * 10 + i
    out.update({
        "sixty": 60, "ninety": 90, "a": 1, "an": 1, "a single": 1, "half a": 0.5, "half an": 0.5,
        "a couple of": 2, "couple of": 2, "a couple": 2, "couple": 2, "a coupla": 2, "coupla": 2,
        "a pair of": 2, "a few": 3,
        "few": 3, "a dozen": 12, "half a dozen": 6, "a quarter of an": 0.25,
        "a quarter of a": 0.25, "quarter of an": 0.25, "a quarter": 0.25,
        "three quarters of an": 0.75, "three quarters of a": 0.75, "three quarters": 0.75,
        "a half": 0.5})
    return out


NUMBERS: dict[str, float] = _number_words()

# Amounts too vague to schedule: a phrase made of these and time words is asked about. ("a few"
# is 3, as in Duckling and recognizers-text: close enough for a reminder, and said for one.)
VAGUE = ("several", "some", "a bit", "a while", "a little while", "a little bit",
         "a little", "soon", "later", "sometime", "some time", "at some point", "shortly",
         "any minute now", "any time now", "in a jiffy", "a jiffy", "a handful of",
         "in a moment", "a moment", "one of these days", "eventually", "asap")

ORDINALS: dict[str, int] = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
}

UNITS: dict[str, timedelta] = {
    "second": timedelta(seconds=1), "sec": timedelta(seconds=1), "s": timedelta(seconds=1),
    "minute": timedelta(minutes=1), "min": timedelta(minutes=1), "m": timedelta(minutes=1),
    "hour": timedelta(hours=1), "hr": timedelta(hours=1), "h": timedelta(hours=1),
    "day": timedelta(days=1), "d": timedelta(days=1), "week": timedelta(weeks=1),
    "w": timedelta(weeks=1), "fortnight": timedelta(weeks=2), "f": timedelta(weeks=2),
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
