"""One-off times: "tomorrow at 9", "in 90 minutes", "next Thursday at 4pm" -> aware datetime.

Pure and deterministic: the clock (``now``, aware) and the zone are passed in. Documented
defaults (see ``docs`` in each rule):

* only a date given -> 09:00; "morning" 09:00, "afternoon" 15:00, "evening" 18:00,
  "tonight"/"night" 20:00, "end of day" 17:00, "noon" 12:00, "midnight" = 00:00 at the *end*
  of the day named ("tomorrow at midnight" = the night from tomorrow to the day after);
* "next week" -> Monday of next week 09:00; "next month" -> the 1st 09:00; "weekend" -> the next
  Saturday 09:00; "end of week" -> Friday 17:00;
* a time without a date -> its next occurrence strictly after ``now`` ("at 9" at 10:15 ->
  tomorrow 09:00); "in N days/weeks/months" keeps the current time of day;
* "Friday", "on Friday", "this Friday" -> the next Friday after today (never today);
  "next Friday" -> ambiguous (this week's or next week's) unless both readings agree, as on a
  Friday, a Saturday or for an earlier weekday;
* "the 3rd", "March 3" -> the first such date, from today on, whose time is still ahead;
* bare hours 1-6 without am/pm are ambiguous (an `AmbiguousTime` with both readings); 7-12 are
  taken as written (7 -> 07:00); readings already in the past are dropped first;
* a named day whose time has passed ("today at 9" at 10:15) is an error (IN_PAST), not a guess;
* "in 2 hours" is elapsed time (exact across DST); wall times in a DST gap move forward by the
  gap, repeated wall times take the first occurrence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from assistant.normalize._clock import (
    DATE_RULES,
    NUM,
    PART_RULES,
    TIME_RULES,
    Clock,
    DateSpec,
    Delta,
    Part,
    add_months,
    clean,
    lex,
    localize,
    number,
    readings,
    rule,
)
from assistant.normalize._lexicon import DEFAULT_TIME, PART_DEFAULTS, UNITS, WEEKDAYS, alternation

__all__ = [
    "AmbiguousTime",
    "TimeParseError",
    "TimeParseReason",
    "WhenResult",
    "parse_when",
]


class TimeParseReason(StrEnum):
    EMPTY = "empty"
    UNRECOGNIZED = "unrecognized"
    CONFLICT = "conflict"  # two dates, two times, or a duration with a date
    INVALID = "invalid"  # "February 30", "25:00", "13pm"
    IN_PAST = "in_past"


@dataclass(frozen=True)
class TimeParseError:
    """Why a phrase is not a time (a value, not an exception)."""

    phrase: str
    reason: TimeParseReason
    message: str


@dataclass(frozen=True)
class AmbiguousTime:
    """The phrase has several plausible readings; ask the user, do not guess."""

    phrase: str
    options: tuple[datetime, ...]
    message: str


WhenResult = datetime | AmbiguousTime | TimeParseError


@dataclass(frozen=True)
class _KeepTime:
    """Marker: "in 3 days" keeps the current time of day unless a time is given."""


def _relative(m: re.Match[str]) -> list[object]:
    total = timedelta()
    months = 0
    exact = False  # any unit below a day: elapsed time, not calendar days
    for n, unit, half in ((m["n"], m["u"], m["half"]), (m["n2"], m["u2"], None)):
        if not n:
            continue
        amount = number(n) + (0.5 if half else 0)
        if unit.startswith("mo"):
            if amount != int(amount):
                return [DateSpec("invalid")]
            months += int(amount)
        else:
            key = "m" if unit.startswith("m") else unit[0]
            total += UNITS[key] * amount
            exact = exact or key not in ("d", "w")
    if months and total:
        return [DateSpec("invalid")]
    if months:
        return [DateSpec("months", months), _KeepTime()]
    if not exact and total.seconds == 0 and total.microseconds == 0:
        return [DateSpec("offset", total.days), _KeepTime()]
    return [Delta(total)]


_UNIT = r"(?:mo(?:nth)?s?|sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|days?|weeks?|wks?|[smhdw])"
_AMOUNT = (r"(?P<n>" + NUM + r")\s*(?P<u>" + _UNIT + r")(?P<half>\s+and\s+a\s+half)?"
           r"(?:\s+(?:and\s+)?(?P<n2>" + NUM + r")\s*(?P<u2>" + _UNIT + r"))?")
_WD = alternation(WEEKDAYS)
_WHEN_RULES = (
    rule(r"in\s+" + _AMOUNT, _relative),
    rule(_AMOUNT + r"\s+(?:from\s+now|later)", _relative),
    *DATE_RULES,
    rule(r"(?:the\s+)?day\s+after\s+tomorrow|overmorrow", lambda m: [DateSpec("offset", 2)]),
    rule(r"tomorrow|tmrw|tmr", lambda m: [DateSpec("offset", 1)]),
    rule(r"today", lambda m: [DateSpec("offset", 0)]),
    rule(r"yesterday|last\s+(?:week|month|year|" + _WD + ")", lambda m: [DateSpec("past")]),
    rule(r"(?:(?P<mode>this|next|coming)\s+)?(?P<wd>" + _WD + ")",
         lambda m: [DateSpec("weekday", WEEKDAYS[m["wd"]], int(m["mode"] == "next"))]),
    rule(r"next\s+week", lambda m: [DateSpec("next_week")]),
    rule(r"next\s+month", lambda m: [DateSpec("next_month")]),
    rule(r"(?:this\s+|the\s+)?weekend", lambda m: [DateSpec("weekend")]),
    rule(r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?(?:work\s*)?week|eow",
         lambda m: [DateSpec("eow"), Clock(17, 0, exact=True)]),
    *PART_RULES,
    *TIME_RULES,
)
_ISO = re.compile(r"\d{4}-\d{2}-\d{2}[t ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?")


def parse_when(phrase: str, now: datetime, tz: ZoneInfo) -> WhenResult:
    """The moment ``phrase`` names, as an aware datetime in ``tz`` strictly after ``now``."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    text = clean(phrase)
    if not text:
        return TimeParseError(phrase, TimeParseReason.EMPTY, "no time given")
    now = now.astimezone(tz)
    if _ISO.fullmatch(text):
        return _iso(phrase, text, now, tz)
    parts = lex(text, _WHEN_RULES)
    if isinstance(parts, str):
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED, f"not understood: {parts!r}")
    return _resolve(phrase, parts, now, tz)


def _iso(phrase: str, text: str, now: datetime, tz: ZoneInfo) -> WhenResult:
    try:
        value = datetime.fromisoformat(text.upper())
    except ValueError as exc:
        return TimeParseError(phrase, TimeParseReason.INVALID, str(exc))
    value = localize(value, tz) if value.tzinfo is None else value.astimezone(tz)
    return _future(phrase, [value], now)


def _future(phrase: str, found: list[datetime], now: datetime) -> WhenResult:
    ahead = sorted({v.astimezone(UTC): v for v in found if v.astimezone(UTC) > now}.values(),
                   key=lambda v: v.astimezone(UTC))
    if not ahead:
        return TimeParseError(phrase, TimeParseReason.IN_PAST, "that time has already passed")
    if len(ahead) == 1:
        return ahead[0]
    shown = " or ".join(v.strftime("%a %d %b %H:%M") for v in ahead)
    return AmbiguousTime(phrase, tuple(ahead), f"did you mean {shown}?")


def _one(phrase: str, parts: list[object], kind: type) -> object | TimeParseError | None:
    found = [p for p in parts if isinstance(p, kind)]
    if len(found) > 1:
        return TimeParseError(phrase, TimeParseReason.CONFLICT,
                              f"more than one {kind.__name__.lower()} in the phrase")
    return found[0] if found else None


def _resolve(phrase: str, parts: list[object], now: datetime, tz: ZoneInfo) -> WhenResult:
    picked = [_one(phrase, parts, k) for k in (DateSpec, Clock, Part, Delta)]
    for p in picked:
        if isinstance(p, TimeParseError):
            return p
    spec, clock, part, delta = picked
    assert spec is None or isinstance(spec, DateSpec)
    assert clock is None or isinstance(clock, Clock)
    assert part is None or isinstance(part, Part)
    if isinstance(delta, Delta):
        if spec or clock or part:
            return TimeParseError(phrase, TimeParseReason.CONFLICT,
                                  "a duration cannot be combined with a date or time")
        return (now.astimezone(UTC) + delta.amount).astimezone(tz)
    if spec is None and clock is None and part is None:
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED, "no date or time found")
    if clock is not None and clock.bare and spec is None and part is None:
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED,
                              f"a lone number is not a time: say 'at {clock.hour}'")
    if spec is not None and spec.kind in ("past", "invalid"):
        reason = TimeParseReason.IN_PAST if spec.kind == "past" else TimeParseReason.INVALID
        return TimeParseError(phrase, reason, "that is not a future time")

    today = now.date()
    if clock is not None:
        times = readings(clock, part.name if part else None)
        if isinstance(times, str):
            return TimeParseError(phrase, TimeParseReason.INVALID, times)
    elif part is not None:
        times = [timedelta(hours=PART_DEFAULTS[part.name][0], minutes=PART_DEFAULTS[part.name][1])]
    elif any(isinstance(p, _KeepTime) for p in parts):
        times = [timedelta(hours=now.hour, minutes=now.minute, seconds=now.second)]
    else:
        times = [timedelta(hours=DEFAULT_TIME[0], minutes=DEFAULT_TIME[1])]

    if spec is None:
        day_readings = [[today] if part and part.strict else [today, today + timedelta(days=1)]]
    else:
        if part is not None and part.strict and not (spec.kind == "offset" and spec.a == 0):
            return TimeParseError(phrase, TimeParseReason.CONFLICT,
                                  "'this evening'/'tonight'/'end of day' mean today")
        found = _dates(spec, today)
        if isinstance(found, TimeParseError):
            return TimeParseError(phrase, found.reason, found.message)
        day_readings = found

    values = []
    for offset in times:
        for candidates in day_readings:
            for day in candidates:
                value = localize(datetime.combine(day, time()) + offset, tz)
                if value.astimezone(UTC) > now.astimezone(UTC):
                    values.append(value)
                    break
    return _future(phrase, values, now)


def _dates(spec: DateSpec, today: date) -> list[list[date]] | TimeParseError:
    """Readings of a date; each reading is a list of candidates, the first one ahead wins."""
    wd = today.weekday()
    if spec.kind == "offset":
        return [[today + timedelta(days=spec.a)]]
    if spec.kind == "months":
        return [[add_months(today, spec.a)]]
    if spec.kind == "weekday":
        coming = today + timedelta(days=(spec.a - wd - 1) % 7 + 1)
        if spec.b:  # "next X": the coming one, or the one of next week
            next_week = today + timedelta(days=7 - wd + spec.a)
            return [[coming], [next_week]] if next_week != coming else [[coming]]
        return [[coming]]
    if spec.kind == "next_week":
        return [[today + timedelta(days=7 - wd)]]
    if spec.kind == "next_month":
        return [[add_months(today.replace(day=1), 1)]]
    if spec.kind == "weekend":
        return [[today + timedelta(days=(5 - wd - 1) % 7 + 1)]]
    if spec.kind == "eow":
        return [[today + timedelta(days=(4 - wd) % 7)]]
    if spec.kind == "dom":
        first = today.replace(day=1)
        days = [_date(add_months(first, k).year, add_months(first, k).month, spec.a)
                for k in range(13)]
        found = [d for d in days if d is not None and d >= today]
    elif spec.kind == "monthday" and spec.c == 0:
        found = [d for y in range(today.year, today.year + 9)
                 if (d := _date(y, spec.a, spec.b)) is not None and d >= today]
    else:  # an explicit year: "2026-12-01", "March 3 2027"
        one = _date(spec.a, spec.b, spec.c) if spec.kind == "date" else _date(spec.c, spec.a,
                                                                               spec.b)
        found = [one] if one is not None else []
    if not found:
        return TimeParseError("", TimeParseReason.INVALID, "no such date")
    return [found]


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
