"""One-off times: "tomorrow at 9", "in 90 minutes", "next Thursday at 4pm" -> aware datetime.

Pure and deterministic: the clock (``now``, aware) and the zone are passed in. Documented
defaults (see ``docs`` in each rule):

* only a date given -> 09:00; "morning" 09:00, "afternoon" 15:00, "evening" 18:00,
  "tonight"/"night" 20:00, "noon" 12:00; "midnight" alone or "midnight tonight" = the coming
  00:00, "<day> night at midnight" = the end of that day, and "<day> at midnight" is asked (the
  start or the end of that day, both offered);
* a span of days ("next week", "next month", "the weekend") and an end without a time ("end of
  day", "by the end of the month/week/year") name no moment: asked (VAGUE); with a time, the end
  of a month/week/year is its last day (the week's: Friday) at that time; "this time next week"
  keeps the time of day; "the third" alone is a place in a list, not a date ("on the third" is);
* a time without a date -> its next occurrence strictly after ``now``; "in N
  days/weeks/months" keeps the current time of day;
* the 12-hour clock: an hour 1-11 without am/pm, a part of the day or the 24-hour form has two
  readings (12 is noon). Today the day settles it: the evening reading once the morning one has
  passed ("at 9" at 10:15 -> 21:00, the nearest future 9 o'clock), the morning one within the
  hour ("at 9" at 8:15), else asked; "today at 9" after 09:00 offers 21:00 as a question. On
  any other day ("tomorrow at 9", "at 9" once both of today's have passed) both are asked;
* "Friday", "on Friday", "this Friday" -> the next Friday after today (never today);
  "next Friday" -> ambiguous (this week's or next week's) unless both readings agree, as on a
  Friday, a Saturday or for an earlier weekday;
* "on the 3rd", "March 3" -> the first such date, from today on, whose time is still ahead;
* a named day whose time has passed ("today at 9am" at 10:15) is an error (IN_PAST), not a guess;
* "half an hour before 17:00", "2 days before Christmas": the anchor moved by the amount on the
  wall clock; the anchor may carry other words ("the 17:00 departure"). An amount under a day
  needs an anchor with a clock time ("15 minutes before the game" is asked, NO_ANCHOR), and an
  ambiguous anchor is asked with both readings moved;
* "in 2 hours" is elapsed time (exact across DST); a wall time in a spring-forward gap does
  not exist that day and is asked (the instants an hour before and after offered; recurring
  rules shift it instead, RFC 5545); repeated wall times take the first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
    gap_readings,
    lex,
    localize,
    number,
    readings,
    rule,
)
from assistant.normalize._lexicon import (
    DEFAULT_TIME,
    MONTHS,
    ORDINALS,
    PART_DEFAULTS,
    UNITS,
    VAGUE,
    WEEKDAYS,
    alternation,
)

__all__ = [
    "BEFORE_IT",
    "CLOCK_SAID",
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
    VAGUE = "vague"  # a time, but not a moment: "in a little while", "sometime next week"
    NO_ANCHOR = "no_anchor"  # an amount before or after no time: "15 minutes before the game"


@dataclass(frozen=True)
class TimeParseError:
    """Why a phrase is not a time (a value, not an exception)."""

    phrase: str
    reason: TimeParseReason
    message: str


@dataclass(frozen=True)
class AmbiguousTime:
    """The phrase has several plausible readings: ask, never guess."""

    phrase: str
    options: tuple[datetime, ...]
    message: str


WhenResult = datetime | AmbiguousTime | TimeParseError


@dataclass(frozen=True)
class _KeepTime:
    """Marker: "in 3 days" keeps the current time of day unless a time is given."""


@dataclass(frozen=True)
class _Vague:
    """Marker: an amount or moment too vague to schedule ("a few", "sometime"): asked."""


@dataclass(frozen=True)
class _End:
    """Marker: "the end of the month/week/year": its last day, at a time that must be said."""


@dataclass(frozen=True)
class _OnWeekday:
    """The date said must fall on this weekday (0 = Monday), or the phrase is asked about."""

    weekday: int


@dataclass(frozen=True)
class _Shift:
    """Whole days added to the date that follows: "3 days after tomorrow", "a week from Friday"."""

    days: int


def _relative(m: re.Match[str]) -> list[object]:
    total = timedelta()
    months = 0
    exact = False  # any unit below a day: elapsed time, not calendar days
    for n, unit, half in ((m["n"], m["u"], m["half"]), (m["n2"], m["u2"], None)):
        if not n:
            continue
        amount = number(n) + (_FRACTIONS[half.split()[-1]] if half else 0)
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


_FRACTIONS = {"half": 0.5, "quarter": 0.25, "quarters": 0.75}
_UNIT = (r"(?:mo(?:nth)?s?|sec(?:ond)?s?|min(?:ute)?s?|h(?:ou)?rs?|days?|weeks?|wks?|fortnights?"
         r"|[smhdw])")
_AMOUNT = (r"(?P<n>" + NUM + r")\s*(?P<u>" + _UNIT + r")"
           r"(?P<half>\s+and\s+(?:a\s+half|a\s+quarter|three\s+quarters))?"
           r"(?:\s+(?:and\s+)?(?P<n2>" + NUM + r")\s*(?P<u2>" + _UNIT + r"))?")
def _shift(m: re.Match[str]) -> list[object]:
    found = _relative(m)
    if len(found) == 2 and isinstance(found[0], DateSpec) and found[0].kind == "offset":
        return [_Shift(found[0].a)]
    return [DateSpec("invalid")]  # "2 hours after Friday": not a day count


def _nth_weekday(m: re.Match[str]) -> list[object]:
    o = m["o"]
    n = ORDINALS[o] if o in ORDINALS else int(o[0])
    which = re.sub(r"\s+", " ", m["which"])
    month = MONTHS.get(which, 0)
    offset = 1 if which.startswith("next") else 0 if which.startswith("this") else -1
    return [DateSpec("nth_wd", n, WEEKDAYS[m["wd"]], month or 100 + offset)]


# Days people name instead of a date (fixed dates, and Thanksgiving: 4th Thursday of November).
HOLIDAYS: dict[str, DateSpec] = {
    **dict.fromkeys(("christmas eve", "christmas eve's"), DateSpec("monthday", 12, 24)),
    **dict.fromkeys(("christmas", "christmas day", "xmas", "xmas day"),
                    DateSpec("monthday", 12, 25)),
    "boxing day": DateSpec("monthday", 12, 26),
    **dict.fromkeys(("new year's eve", "new years eve", "nye"), DateSpec("monthday", 12, 31)),
    **dict.fromkeys(("new year's day", "new years day", "new year's", "new years"),
                    DateSpec("monthday", 1, 1)),
    "halloween": DateSpec("monthday", 10, 31),
    **dict.fromkeys(("valentine's day", "valentines day", "valentine's"),
                    DateSpec("monthday", 2, 14)),
    **dict.fromkeys(("st patrick's day", "saint patrick's day", "st. patrick's day"),
                    DateSpec("monthday", 3, 17)),
    **dict.fromkeys(("independence day", "the fourth of july", "the 4th of july"),
                    DateSpec("monthday", 7, 4)),
    **dict.fromkeys(("thanksgiving", "thanksgiving day"), DateSpec("nth_wd", 4, 3, 11)),
}
_WD = alternation(WEEKDAYS)
_ORDW = r"(?P<o>" + alternation(ORDINALS) + r"|[1-5](?:st|nd|rd|th))"
_SPAN = r"(?:next\s+|this\s+|the\s+)?(?:weekend|week|month|year|" + alternation(MONTHS) + ")"
_VAGUE_RX = (
    # a part of a span: "later this week", "early next month", "the middle of May"
    r"(?:later|early|earlier|mid|in\s+the\s+middle\s+of|the\s+middle\s+of|middle\s+of"
    r"|(?:the\s+)?(?:beginning|start)\s+of|over|during|sometime)[-\s]+" + _SPAN
    + r"|(?:the\s+)?(?:(?:week|weekend)\s+after\s+next|following\s+(?:"
    + alternation(WEEKDAYS) + "))"
    # a vague amount or moment: "in a little while", "soon", "in several days"
    r"|(?:(?:in|for|within)\s+)?(?:" + alternation(VAGUE) + r")"
    r"(?:\s+(?:more\s+)?(?:" + _UNIT + r"))?"
    # a range of amounts: "in an hour or two", "in 2 to 3 hours", "in 1-2 days"
    r"|(?:in\s+|within\s+)?(?:an?\s+" + _UNIT + r"\s+or\s+(?:two|so)"
    r"|(?:" + NUM + r")\s*(?:-|to|or)\s*(?:" + NUM + r")\s*" + _UNIT + ")")
_WHEN_RULES = (
    rule(_VAGUE_RX, lambda m: [_Vague()]),
    rule(r"(?:in|after)\s+-\s*(?:" + NUM + r")\s*" + _UNIT, lambda m: [DateSpec("past")]),
    rule(r"(?:in|after)\s+" + _AMOUNT, _relative),
    rule(_AMOUNT + r"\s+(?:from\s+now|later|from\s+today)", _relative),
    rule(_AMOUNT + r"\s+(?:after|from|on)(?=\s)", _shift),
    rule(r"(?:the\s+)?day\s+after(?=\s+(?!tomorrow))", lambda m: [_Shift(1)]),
    rule(r"(?:at\s+)?(?:this|the\s+same|same)\s+time", lambda m: [_KeepTime()]),
    rule(r"(?:the\s+)?" + _ORDW + r"\s+(?P<wd>" + _WD + r")\s+(?:of|in)\s+(?P<which>next\s+month"
         r"|this\s+month|the\s+month|" + alternation(MONTHS) + ")", _nth_weekday),
    rule(r"(?:the\s+)?(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+next\s+month",
         lambda m: [DateSpec("dom_next", int(m["d"]))]),
    rule(r"(?:the\s+)?(?P<w>" + alternation(k for k in ORDINALS if k != "last") + r")"
         r"(?:\s+of)?\s+next\s+month", lambda m: [DateSpec("dom_next", ORDINALS[m["w"]])]),
    rule(r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month",
         lambda m: [DateSpec("eom", 0), _End()]),
    rule(r"(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+month",
         lambda m: [DateSpec("eom", 1), _End()]),
    rule(r"(?:the\s+)?(?:beginning|start)\s+of\s+next\s+month",
         lambda m: [DateSpec("next_month")]),
    rule(r"(?:the\s+)?last\s+day\s+of\s+(?:the\s+|this\s+)?month",
         lambda m: [DateSpec("eom", 0)]),
    rule(r"(?:the\s+)?last\s+day\s+of\s+next\s+month", lambda m: [DateSpec("eom", 1)]),
    rule(r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?P<mon>" + alternation(MONTHS) + ")",
         lambda m: [DateSpec("eom_of", MONTHS[m["mon"]]), _End()]),
    rule(r"(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?year",
         lambda m: [DateSpec("eoy"), _End()]),
    rule(r"(?:by\s+)?(?:the\s+)?end\s+of\s+next\s+week",
         lambda m: [DateSpec("eow", 1), _End()]),
    rule(r"next\s+weekend", lambda m: [DateSpec("weekend")]),
    rule(r"(?:on\s+)?(?P<wd>" + _WD + r")\s+(?:of\s+)?next\s+week|next\s+week\s+(?:on\s+)?"
         r"(?P<wd2>" + _WD + ")",
         lambda m: [DateSpec("wd_next_week", WEEKDAYS[m["wd"] or m["wd2"]])]),
    rule(r"(?:a\s+week\s+on\s+(?P<wd>" + _WD + r")|(?P<wd2>" + _WD + r")\s+(?:week|after\s+next))",
         lambda m: [DateSpec("weekday", WEEKDAYS[m["wd"] or m["wd2"]]), _Shift(7)]),
    rule(r"this\s+coming\s+(?P<wd>" + _WD + ")",
         lambda m: [DateSpec("weekday", WEEKDAYS[m["wd"]])]),
    rule(_AMOUNT + r"\s+ago|earlier\s+today|last\s+night|(?:the\s+)?day\s+before\s+yesterday"
         r"|this\s+past\s+(?:" + _WD + ")", lambda m: [DateSpec("past")]),
    rule(r"(?:on\s+)?(?P<h>" + alternation(HOLIDAYS) + ")", lambda m: [HOLIDAYS[m["h"]]]),
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
         lambda m: [DateSpec("eow"), _End()]),
    *PART_RULES,
    *TIME_RULES,
)
_SPANS = ("next_week", "next_month", "weekend")  # several days: asked, unless "this time ..."
_DATE_WORDS = ("on", "by", "until", "till", "til", "before", "from")  # "on the third"
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
    if BEFORE_IT.fullmatch(text):  # "the day before at 6pm": the thing it is before decides
        return TimeParseError(phrase, TimeParseReason.NO_ANCHOR,
                              f"'{phrase}' before what? Say the day or time it is before.")
    offset = _OFFSET.fullmatch(text)
    relative = _offset(phrase, offset, now, tz) if offset else None
    if relative is not None:
        return relative
    parts = lex(text, _WHEN_RULES)
    if isinstance(parts, str):
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED, f"not understood: {parts!r}")
    found = _resolve(phrase, parts, now, tz)
    if (isinstance(found, datetime) and text != clean(phrase, spell=False)
            and not any(isinstance(p, Clock | Delta | _KeepTime) for p in parts)):
        # A corrected typo may settle am/pm of a time said or name a unit of an amount, never
        # supply the time itself ("tomorow evening" -> 18:00 is a guess on a guess): confirm.
        return AmbiguousTime(phrase, (found,), f"did you mean {found:%a %d %b %H:%M}?")
    return found


CLOCK_SAID = r"\d{1,2}(?:[:.]\d{2})?\s*(?:[ap]\.?m\.?)?|noon|midday|midnight"
BEFORE_IT = re.compile(
    rf"^(?:at\s+(?P<clock1>{CLOCK_SAID})\s+)?(?:the\s+(?P<part>day|night|evening|morning|"
    r"afternoon)|(?P<amount>(?:an?|one|two|three|four|five|six|half\s+an|\d+)\s+"
    r"(?:minutes?|mins?|hours?|hrs?|days?)))\s+before(?:hand)?(?:\s+(?:it|that|then))?"
    rf"(?:\s+at\s+(?P<clock2>{CLOCK_SAID}))?$", re.I)
"""A time before the thing talked of, with no day of its own ("the day before at 6pm",
"an hour before", "at 9pm the night before")."""


_OFFSET = re.compile(r"(?P<amount>.+?)\s+(?P<dir>before|after|ahead\s+of|prior\s+to"
                     r"|earlier\s+than|later\s+than)\s+(?P<anchor>.+)")
_CLOCK_WORDS = re.compile(r"\d|\bnoon\b|\bmidday\b|\bmidnight\b")
_GLUE = frozenset({"at", "on", "the", "of", "this", "next", "am", "pm", "o'clock"})


def _offset(phrase: str, m: re.Match[str], now: datetime, tz: ZoneInfo) -> WhenResult | None:
    """"half an hour before 17:00", "2 days before Christmas": the anchor moved by the amount
    (wall-clock arithmetic). The anchor may carry words that are not a time ("the 17:00
    departure"); an amount under a day needs an anchor with a clock time, else it is asked.
    None: not such a phrase (the amount is no amount), so the usual rules read it."""
    if m["amount"].split()[0] in ("the", "that", "this"):
        return None  # "the night before at 9pm": before what is not said (no amount)
    moved = parse_when("in " + m["amount"], now, tz)
    if not isinstance(moved, datetime):
        return None
    wall = moved.replace(tzinfo=None) - now.astimezone(tz).replace(tzinfo=None)
    whole_days = wall.seconds == 0 and wall.microseconds == 0
    anchor: datetime | None = None
    for span in _anchor_spans(m["anchor"], now, tz):
        if (whole_days and span == m["anchor"]) or _CLOCK_WORDS.search(span):
            found = parse_when(span, now, tz)
            if isinstance(found, AmbiguousTime):  # "before the 9:15 train": which 9:15?
                options = tuple(_moved(o, wall, m["dir"], tz) for o in found.options)
                return AmbiguousTime(phrase, options, found.message)
            if isinstance(found, datetime):
                anchor = found
                break
    if anchor is None:
        if m["dir"] == "after" and whole_days:
            return None  # "3 days after tomorrow": a day count, read by the usual rules
        return TimeParseError(phrase, TimeParseReason.NO_ANCHOR,
                              f"{m['amount']} {m['dir']} what time? Say the time itself "
                              f"(\"{m['amount']} {m['dir']} 17:00\").")
    at = _moved(anchor, wall, m["dir"], tz)
    if at <= now:
        return TimeParseError(phrase, TimeParseReason.IN_PAST, "that time has already passed")
    return at


def _anchor_spans(anchor: str, now: datetime, tz: ZoneInfo) -> Iterator[str]:
    """Readings of an anchor to try, made only as needed: all of it; its time words alone
    ("the 17:00 departure" -> "the 17:00"); then each run of its words, longest first."""
    yield anchor
    words = anchor.split()
    yield " ".join(w for w in words if w in _GLUE or _CLOCK_WORDS.search(w) or getattr(
        parse_when(w, now, tz), "reason", None) is not TimeParseReason.UNRECOGNIZED)
    yield from sorted((" ".join(words[a:b]) for a in range(len(words))
                       for b in range(len(words), a, -1)), key=len, reverse=True)


def _moved(anchor: datetime, wall: timedelta, direction: str, tz: ZoneInfo) -> datetime:
    sign = -1 if direction.split()[0] in ("before", "earlier", "ahead", "prior") else 1
    return (anchor.astimezone(tz).replace(tzinfo=None) + sign * wall).replace(tzinfo=tz)


def _iso(phrase: str, text: str, now: datetime, tz: ZoneInfo) -> WhenResult:
    try:
        value = datetime.fromisoformat(text.upper())
    except ValueError as exc:
        return TimeParseError(phrase, TimeParseReason.INVALID, str(exc))
    if value.tzinfo is None:
        if gap_readings(value, tz):
            return _gap_question(phrase, [value], now, tz)
        value = localize(value, tz)
    return _future(phrase, [value.astimezone(tz)], now)


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
    if any(isinstance(p, _Vague) for p in parts):
        return TimeParseError(phrase, TimeParseReason.VAGUE,
                              "that is not a precise time: say a time or an amount")
    parts = _weekday_with_date(parts)
    picked = [_one(phrase, parts, k) for k in (DateSpec, Clock, Part, Delta, _Shift)]
    for p in picked:
        if isinstance(p, TimeParseError):
            return p
    spec, clock, part, delta, shift = picked
    assert spec is None or isinstance(spec, DateSpec)
    assert clock is None or isinstance(clock, Clock)
    assert part is None or isinstance(part, Part)
    assert shift is None or isinstance(shift, _Shift)
    if isinstance(delta, Delta):
        if spec or clock or part or shift:
            return TimeParseError(phrase, TimeParseReason.CONFLICT,
                                  "a duration cannot be combined with a date or time")
        return (now.astimezone(UTC) + delta.amount).astimezone(tz)
    if shift is not None and spec is None:
        return TimeParseError(phrase, TimeParseReason.CONFLICT, "after which day?")
    if spec is None and clock is None and part is None:
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED, "no date or time found")
    if clock is not None and clock.bare and spec is None and part is None:
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED,
                              f"a lone number is not a time: say 'at {clock.hour}'")
    if spec is not None and spec.kind in ("past", "invalid"):
        reason = TimeParseReason.IN_PAST if spec.kind == "past" else TimeParseReason.INVALID
        return TimeParseError(phrase, reason, "that is not a future time")
    keep = any(isinstance(p, _KeepTime) for p in parts)
    if spec is not None and spec.kind in _SPANS and not keep:
        return TimeParseError(phrase, TimeParseReason.VAGUE, "a week, a month or a weekend is "
                              "several days, not a moment: say a day and a time")
    if clock is None and (any(isinstance(p, _End) for p in parts)
                          or (part is not None and part.name == "eod")):
        return TimeParseError(phrase, TimeParseReason.VAGUE, "when a day, week or month ends "
                              "is no set time: say the time")
    if (spec is not None and spec.kind == "dom" and len(parts) == 1
            and phrase.split()[0].lower() not in _DATE_WORDS):
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED, "an ordinal alone ('the "
                              "third') is a place in a list, not a date: say 'on the third'")

    today = now.date()
    if clock is not None:
        times = readings(clock, part.name if part else None)
        if isinstance(times, str):
            return TimeParseError(phrase, TimeParseReason.INVALID, times)
    elif part is not None:
        times = [timedelta(hours=PART_DEFAULTS[part.name][0], minutes=PART_DEFAULTS[part.name][1])]
    elif keep:
        times = [timedelta(hours=now.hour, minutes=now.minute, seconds=now.second)]
        if spec is not None and spec.kind in ("next_week", "next_month"):  # "this time next
            spec = DateSpec("offset", 7) if spec.kind == "next_week" else DateSpec("months", 1)
    else:
        times = [timedelta(hours=DEFAULT_TIME[0], minutes=DEFAULT_TIME[1])]

    said_today = spec is not None and spec.kind == "offset" and spec.a == 0
    which = (_twelve_hour_today(clock, now, tz) if clock is not None and part is None
             and (spec is None or said_today) and len(times) == 2 else None)
    if which == "evening":
        times = times[1:]
    elif which == "morning":
        times = times[:1]
    if spec is None:
        strict = which in ("morning", "evening") or (part is not None and part.strict)
        day_readings = [[today] if strict else [today, today + timedelta(days=1)]]
    else:
        if part is not None and part.strict and not (spec.kind == "offset" and spec.a == 0):
            return TimeParseError(phrase, TimeParseReason.CONFLICT,
                                  "'this evening'/'tonight'/'end of day' mean today")
        found = _dates(spec, today)
        if isinstance(found, TimeParseError):
            return TimeParseError(phrase, found.reason, found.message)
        day_readings = found
    if shift is not None:
        day_readings = [[d + timedelta(days=shift.days) for d in c] for c in day_readings]
    check = next((p.weekday for p in parts if isinstance(p, _OnWeekday)), None)
    if check is not None:
        ahead = [d for c in day_readings for d in c]
        first = next((d for d in ahead if d > today or d == today), None)
        if first is None or first.weekday() != check:
            return TimeParseError(phrase, TimeParseReason.CONFLICT,
                                  f"{first:%B %d} is a {first:%A}" if first else "no such date")

    values, walls = [], []
    for offset in times:
        for candidates in day_readings:
            for day in candidates:
                wall = datetime.combine(day, time()) + offset
                value = localize(wall, tz)
                if value.astimezone(UTC) > now.astimezone(UTC):
                    values.append(value)
                    walls.append(wall)
                    break
    if any(gap_readings(w, tz) for w in walls):
        return _gap_question(phrase, walls, now, tz)
    if clock is not None and clock.midnight and spec is not None and part is None:
        return _midnight_question(phrase, values, now, tz)
    if said_today and which == "evening" and values:  # "today at 9" said at 10:00: confirmed
        return AmbiguousTime(phrase, (values[0],), f"{values[0] - timedelta(hours=12):%H:%M} "
                             f"today has passed: did you mean {values[0]:%H:%M}?")
    if said_today and which == "passed":
        shown = " and ".join(f"{datetime.combine(today, time()) + t:%H:%M}" for t in times)
        return TimeParseError(phrase, TimeParseReason.IN_PAST,
                              f"{shown} today have both passed")
    return _future(phrase, values, now)


def _weekday_with_date(parts: list[object]) -> list[object]:
    """"Friday the 4th", "Friday, December 4": the weekday is kept as a check of the date
    (``DateSpec("on_weekday")`` after it), not read as a second date."""
    specs = [p for p in parts if isinstance(p, DateSpec)]
    if {p.kind for p in specs} == {"next_month", "dom"} and len(specs) == 2:  # "next month on
        dom = next(p for p in specs if p.kind == "dom")                      # the 5th"
        return [p for p in parts if p not in specs] + [DateSpec("dom_next", dom.a)]
    days = [p for p in specs if p.kind == "weekday" and p.b == 0]
    dates = [p for p in specs if p.kind in ("dom", "monthday", "date")]
    if len(specs) != 2 or len(days) != 1 or len(dates) != 1:
        return parts
    return [p for p in parts if p is not days[0]] + [_OnWeekday(days[0].a)]


def _twelve_hour_today(clock: Clock, now: datetime, tz: ZoneInfo) -> str:
    """Which reading today an hour 1-11 said without am/pm, a part of the day or a day other
    than today means, on the 12-hour clock: "evening" once the morning one has passed while the
    evening one is ahead ("at 9" said at 14:00: the nearest future 9 o'clock), "morning" when
    that is within the hour ("at 9" said at 8:15; not "around 9", which names no habit of the
    clock), else "both" (both ahead: asked) or "passed" (both over today: tomorrow's two
    readings are asked)."""
    morning = localize(datetime.combine(now.date(), time(clock.hour % 12, clock.minute)), tz)
    evening = morning + timedelta(hours=12)
    at = now.astimezone(UTC)
    if morning.astimezone(UTC) > at:
        soon = morning.astimezone(UTC) - at <= timedelta(hours=1) and not clock.approx
        return "morning" if soon else "both"
    return "evening" if evening.astimezone(UTC) > at else "passed"


def _gap_question(phrase: str, walls: list[datetime], now: datetime, tz: ZoneInfo) -> WhenResult:
    """A one-off wall time in a spring-forward gap does not exist that day: asked, offering
    both instants it may mean (recurring rules shift instead, as RFC 5545 says)."""
    options: list[datetime] = []
    for wall in walls:
        gap = gap_readings(wall, tz)
        options.extend(gap if gap else [localize(wall, tz)])
    ahead = sorted({v.astimezone(UTC): v for v in options
                    if v.astimezone(UTC) > now.astimezone(UTC)}.values(),
                   key=lambda v: v.astimezone(UTC))
    if not ahead:
        return TimeParseError(phrase, TimeParseReason.IN_PAST, "that time has already passed")
    missing = next(w for w in walls if gap_readings(w, tz))
    shown = " or ".join(f"{v:%H:%M}" if v.date() == missing.date() else f"{v:%a %d %b %H:%M}"
                        for v in ahead)
    return AmbiguousTime(phrase, tuple(ahead),
                         f"{missing:%H:%M} does not exist on {missing:%a %d %b} in {tz.key} "
                         f"(the clocks go forward): did you mean {shown}?")


def _midnight_question(phrase: str, ends: list[datetime], now: datetime,
                       tz: ZoneInfo) -> WhenResult:
    """"<day> at midnight" is the start or the end of that day: asked with both readings,
    unless only one of them is still ahead ("today at midnight")."""
    options: list[tuple[str, datetime]] = []
    for end in ends:
        day = end.date() - timedelta(days=1)
        start = localize(datetime.combine(day, time()), tz)
        options += [(f"the start of {day:%a %d %b} ({start:%a %d %b %H:%M})", start),
                    (f"the end of it ({end:%a %d %b %H:%M})", end)]
    ahead = [(label, v) for label, v in options if v.astimezone(UTC) > now.astimezone(UTC)]
    if not ahead:
        return TimeParseError(phrase, TimeParseReason.IN_PAST, "that time has already passed")
    if len(ahead) == 1:
        return ahead[0][1]
    ahead.sort(key=lambda o: o[1].astimezone(UTC))
    shown = " or ".join(label for label, _ in ahead)
    return AmbiguousTime(phrase, tuple(v for _, v in ahead), f"midnight: did you mean {shown}?")


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
    if spec.kind == "wd_next_week":
        return [[today + timedelta(days=7 - wd + spec.a)]]
    if spec.kind == "next_week":
        return [[today + timedelta(days=7 - wd)]]
    if spec.kind == "next_month":
        return [[add_months(today.replace(day=1), 1)]]
    if spec.kind == "dom_next":
        first = add_months(today.replace(day=1), 1)
        one = _date(first.year, first.month, spec.a)
        return [[one]] if one else TimeParseError("", TimeParseReason.INVALID, "no such date")
    if spec.kind == "eoy":
        return [[date(today.year, 12, 31)]]
    if spec.kind == "eom_of":  # the last day of that month, this year's or next year's
        year = today.year + (spec.a < today.month)
        return [[add_months(date(year, spec.a, 1), 1) - timedelta(days=1)]]
    if spec.kind == "eom":
        first = add_months(today.replace(day=1), spec.a + 1)
        return [[first - timedelta(days=1)]]
    if spec.kind == "nth_wd":
        return _nth_weekday_dates(spec, today)
    if spec.kind == "weekend":
        return [[today + timedelta(days=(5 - wd - 1) % 7 + 1)]]
    if spec.kind == "eow":
        return [[today + timedelta(days=(4 - wd) % 7 + 7 * spec.a)]]
    if spec.kind == "dom":
        first = today.replace(day=1)
        days = [_date(add_months(first, k).year, add_months(first, k).month, spec.a)
                for k in range(13)]
        found = [d for d in days if d is not None and d >= today]
    elif spec.kind == "numeric":  # 3/4: March 4 or 3 April, asked unless only one is a date
        both: list[list[date]] = []
        for month, day in sorted({(spec.a, spec.b), (spec.b, spec.a)}):
            reading = _dates(DateSpec("monthday", month, day, spec.c), today)
            if not isinstance(reading, TimeParseError):
                both.extend(reading)
        return both or TimeParseError("", TimeParseReason.INVALID, "no such date")
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


def _nth_weekday_dates(spec: DateSpec, today: date) -> list[list[date]] | TimeParseError:
    """The ``a``-th (-1: last) weekday ``b`` of a month: ``c`` = 1..12 a named month, 100 this
    month, 101 next month, 99 "the month" (this month's, or next month's once it has passed)."""
    first = today.replace(day=1)
    if spec.c <= 12:
        months = [date(y, spec.c, 1) for y in (today.year, today.year + 1)]
    else:
        months = [add_months(first, max(spec.c - 100, 0))]
        if spec.c == 99:
            months.append(add_months(first, 1))
    found = []
    for month in months:
        days = [month + timedelta(days=i) for i in range(31)]
        days = [d for d in days if d.month == month.month and d.weekday() == spec.b]
        if not -len(days) <= spec.a - (spec.a > 0) < len(days):
            continue
        day = days[spec.a - 1] if spec.a > 0 else days[spec.a]
        if day >= today:
            found.append(day)
    if not found:
        return TimeParseError("", TimeParseReason.INVALID, "no such date ahead")
    return [found]


def _date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None
