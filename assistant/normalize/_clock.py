"""Shared lexing of time phrases into small components, and zone-correct wall-clock helpers.

A phrase is read left to right; at each position the first rule whose regex matches is taken,
filler words ("on", "at", "the") are skipped, and anything else stops the reader with the
unread rest — so every word of the phrase is accounted for or the phrase is rejected.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from assistant.normalize._lexicon import (
    MONTHS,
    NUMBERS,
    ORDINALS,
    WEEKDAYS,
    alternation,
)

__all__ = [
    "Clock",
    "DateSpec",
    "Delta",
    "Part",
    "Rule",
    "add_months",
    "clean",
    "gap_readings",
    "lex",
    "localize",
    "readings",
]


@dataclass(frozen=True)
class Clock:
    """A time of day as said. ``hour`` may be 24 (midnight at the end of the day)."""

    hour: int
    minute: int = 0
    meridiem: str | None = None  # "am" | "pm"
    exact: bool = False  # 24-hour reading is certain (13-23, 0, "09", "noon", "midnight")
    bare: bool = False  # a lone number without "at", minutes or am/pm
    approx: bool = False  # "around 5", "5ish": no habit of the clock settles am/pm
    midnight: bool = False  # said as "midnight": with a day, its start or its end


@dataclass(frozen=True)
class Part:
    """A part of the day ("morning", "tonight", "end of day"); ``strict``: it means today."""

    name: str
    strict: bool = False


@dataclass(frozen=True)
class DateSpec:
    """A date as said; ``kind`` selects the meaning of ``a``, ``b``, ``c``."""

    kind: str  # offset|months|weekday|dom|monthday|date|next_week|next_month|weekend|eow|past
    a: int = 0
    b: int = 0
    c: int = 0


@dataclass(frozen=True)
class Delta:
    """An exact amount of elapsed time ("in 90 minutes")."""

    amount: timedelta


Component = Clock | Part | DateSpec | Delta | object
Build = Callable[[re.Match[str]], Sequence[object]]


@dataclass(frozen=True)
class Rule:
    pattern: re.Pattern[str]
    build: Build


def rule(regex: str, build: Build) -> Rule:
    """A lexing rule; the regex must end at a word boundary."""
    return Rule(re.compile(r"(?:" + regex + r")(?=\s|$)"), build)


# -- text ----------------------------------------------------------------------------------------
_FRACTION_WORDS = {"half": 0.5, "quarter": 0.25, "quarters": 0.75}
_SAID_HOURS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
               "eleven", "twelve")
_SAID_UNITS = ("one", "two", "three", "four", "five", "six", "seven", "eight", "nine")
_SAID_MINUTES = {**{f"oh {w}": i for i, w in enumerate(_SAID_UNITS, 1)},
                 "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
                 "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
                 **{f"{t}{sep}{w}": n + i for t, n in (("twenty", 20), ("thirty", 30),
                                                      ("forty", 40), ("fifty", 50))
                    for sep in (" ", "-") for i, w in enumerate(_SAID_UNITS, 1)},
                 "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
_SPOKEN_CLOCK = re.compile(
    r"\b(at|@)\s+(" + "|".join(_SAID_HOURS) + r")\s+(" +
    "|".join(sorted((re.escape(k) for k in _SAID_MINUTES), key=len, reverse=True)) + r")\b")
"""A clock time said in words, as dictation writes it: "at six thirty", "at seven forty-five"."""
_SAID_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth",
                  "ninth")
_SPOKEN_DAY = re.compile(r"\b(twenty|thirty)[\s-](" + "|".join(_SAID_ORDINALS) + r")\b")
"""A day of the month said in words: "the twenty third" -> "the 23rd"."""


def _spoken_clock(m: re.Match[str]) -> str:
    return f"{m.group(1)} {_SAID_HOURS.index(m.group(2)) + 1}:{_SAID_MINUTES[m.group(3)]:02d}"


def _spoken_day(m: re.Match[str]) -> str:
    n = (20 if m.group(1) == "twenty" else 30) + _SAID_ORDINALS.index(m.group(2)) + 1
    return f"{n}{'st' if n % 10 == 1 else 'nd' if n % 10 == 2 else 'rd' if n % 10 == 3 else 'th'}"


_SUBS: tuple[tuple[re.Pattern[str], Any], ...] = (
    # dictation: "at six thirty p m", "on march the twenty third"
    (_SPOKEN_CLOCK, _spoken_clock),
    (_SPOKEN_DAY, _spoken_day),
    (re.compile(r"(?<=\d)\s+([ap])\s+m\b"), r" \1m"),
    (re.compile(r"\ba\.m\.?"), "am"),
    (re.compile(r"\bp\.m\.?"), "pm"),
    (re.compile(r"[’`]"), "'"),
    (re.compile(r"\b(mon|tue|tues|wed|weds|thu|thur|thurs|fri|sat|sun|jan|feb|mar|apr|jun|jul|aug"
                r"|sep|sept|oct|nov|dec|hrs?|mins?|secs?|approx)\.(?=\s|$)"), r"\1"),
    (re.compile(r"[,;!?]"), " "),
    (re.compile(r"\s+"), " "),
    # spellings of the same words: "o clock"/"oclock", "tonite", "nite", "tmrw", "evenin'"
    (re.compile(r"\bo\s*'?\s*clock\b"), "o'clock"),
    (re.compile(r"\b(to)?nite\b"), r"\1night"),
    (re.compile(r"\b(mornin|evenin|afternoon|nothin)'(?=\s|$)"), r"\1g"),
    (re.compile(r"\barvo\b"), "afternoon"),
    (re.compile(r"\b(sec|second|min|minute|hour|hr|day|week|month|year)z\b"), r"\1s"),  # "dayz"
    (re.compile(r"\b(days?|weeks?|months?|hours?|minutes?|years?)'?\s+time\b"), r"\1"),
    (re.compile(r"\b(a|one|two|three|\d+)\s+(weeks?)\s+(today|tomorrow)\b"), r"\1 \2 from \3"),
    (re.compile(r"\bhence\b"), "from now"),
    (re.compile(r"\bthree-quarters\b"), "three quarters"),
    (re.compile(r"\b(?:12|twelve)\s+(?:o'clock\s+)?(noon|midnight)\b"), r"\1"),
    (re.compile(r"\bo'clock\s*(am|pm)\b"), r"\1"),
    (re.compile(r"\s+(?:sharp|on\s+the\s+dot|precisely|exactly)(?=\s|$)"), ""),
    # approximate times and amounts are taken as said: "5ish", "5-ish", "a day or so"
    (re.compile(r"\b(\d{1,2}(?::\d\d)?)\s*-?ish\b"), r"around \1"),
    (re.compile(r"(?<=[apm])\s*-?ish\b"), ""),
    (re.compile(r"\s+(?:or\s+so|give\s+or\s+take)\b"), ""),
    (re.compile(r"\b(in|for|within)\s+(?:approximately|approx|roughly|about|around)\s+"),
     r"\1 "),
    (re.compile(r"\b(?:at\s+)?(?:approximately|approx|roughly|circa|just\s+about|about|around)"
                r"(?:\s+(?:around|about))?\s+"), "around "),
    (re.compile(r"\s+(?:approximately|approx|roughly|or\s+thereabouts)$"), ""),
    # a clock time written without its colon: "915 pm", "1045am", "at 2115"
    (re.compile(r"\b([1-9]|1[0-2])([0-5]\d)\s*(am|pm|a|p)\b"), r"\1:\2 \3"),
    (re.compile(r"\b(at|@)\s*([01]\d|2[0-3])([0-5]\d)\b(?!\s*(?:am|pm|a|p)\b)"), r"\1 \2:\3"),
    # three digits without am/pm ("at 905"): 09:05 or 21:05, both offered like "around 9:05"
    (re.compile(r"\b(?:at|@)\s*([1-9])([0-5]\d)\b(?!\s*(?:am|pm|a|p)\b)"), r"around \1:\2"),
    (re.compile(r"\b([01]?\d|2[0-3])([0-5]\d)(?=\s+(?:tomorrow|today|tonight|this|in\s+the|at\s+night))"),
     r"\1:\2"),
    (re.compile(r"\b(in|after|for|within)\s+(\d+)h(\d+)(?:m|mins?)?\b"),
     r"\1 \2 h \3 m"),
    (re.compile(r"\b([01]?\d|2[0-3])h([0-5]\d)\b"), r"\1:\2"),
    (re.compile(r"\b([01]\d|2[0-3])([0-5]\d)\s*(?:h|hrs|hours)\b"), r"\1:\2"),
    (re.compile(r"\b(0\d|1[3-9])([0-5]\d)\b"), r"\1:\2"),
    (re.compile(r"\b([1-9]|1[0-2])\s([0-5]\d)(?=\s*(?:am|pm|a|p)\b)"), r"\1:\2"),
    (re.compile(r"\b(at|@)\s+([1-9]|1[0-2])\s([0-5]\d)\b(?!\s*(?:min|h|day|week|month|sec))"),
     r"\1 \2:\3"),
    (re.compile(r"\b([1-9]|1[0-2])([0-5]\d)(?=\s+(?:tonight|at\s+night|in\s+the\s+|this\s+)"
                r"(?:morning|afternoon|evening|night)?)"), r"\1:\2"),
    (re.compile(r"(\d:\d\d)\s*(?:hours|hrs)\b"), r"\1"),
    # fractions of an amount: "3/4 of an hour" -> "0.75 hour", "1 1/2 hours" -> "1.5 hours"
    (re.compile(r"(\d*)\s*([½¼¾])"),
     lambda m: f"{int(m[1] or 0) + {'½': 0.5, '¼': 0.25, '¾': 0.75}[m[2]]:g}"),
    (re.compile(r"\b(\d+|" + alternation(w for w in NUMBERS if w[0].isalpha() and " " not in w
                                          and NUMBERS[w] >= 1) + r")\s+and\s+"
                r"(a\s+half|a\s+quarter|three\s+quarters)\b"),
     lambda m: f"{number(m[1]) + _FRACTION_WORDS[m[2].split()[-1]]:g}"),
    (re.compile(r"\b(\d+)\s+(\d)/(\d)\b"),
     lambda m: f"{int(m[1]) + int(m[2]) / int(m[3]):g}"),
    (re.compile(r"\b(\d)/(\d)\b(?=\s+(?:of\s+)?(?:an?\s+)?(?:hour|hr|min|sec|day|week))"),
     lambda m: f"{int(m[1]) / int(m[2]):g}" if int(m[2]) else m[0]),
    (re.compile(r"\b(\d+(?:\.\d+)?)\s+(?:of\s+)?an?\s+(?=h|min|sec|day|week)"), r"\1 "),
    # an approximate time inside a vague one is the time: "sometime around 3pm"
    (re.compile(r"\bsome\s*time\s+(?=(?:at|around)\s)"), ""),
)
# Words a typo is corrected to (difflib ratio >= 0.85, words of 5+ letters): the vocabulary
# of times, so a misspelt "evening" still reads as one and a non-time word never does.
_VOCABULARY = ("morning", "afternoon", "evening", "tonight", "night", "tomorrow", "today",
               "midnight", "o'clock", "minutes", "minute", "hours", "seconds", "weeks",
               "months", "fortnight", "weekend", "weekday", "weekdays", "monday", "tuesday",
               "wednesday", "thursday", "friday", "saturday", "sunday", "january", "february",
               "september", "october", "november", "december", "quarter", "every", "after")
_KNOWN = frozenset(_VOCABULARY) | frozenset(w for ws in (WEEKDAYS, MONTHS, NUMBERS, ORDINALS)
                                           for w in ws) | {"hour", "week", "month", "later",
                                                           "second", "hourly", "nightly"}


def _spell(word: str) -> str:
    if (len(word) < 5 or word in _KNOWN or word[:-1] in _KNOWN
            or not word.replace("'", "").isalpha()):
        return word
    close = difflib.get_close_matches(word, _VOCABULARY, n=1, cutoff=0.85)
    return close[0] if close else word


def clean(phrase: str, spell: bool = True) -> str:
    """Lower-case, drop sentence punctuation, collapse whitespace, correct typos of time words
    (unless ``spell`` is false) and write each way of saying one thing one way (``_SUBS``)."""
    text = phrase.strip().lower()
    if spell:
        text = " ".join(_spell(w) for w in text.split())
    for rx, repl in _SUBS:
        text = rx.sub(repl, text)
    return text.strip().rstrip(".").strip()


_FILLER = re.compile(r"(?:on|at|the|of|by|around|about|and|@)(?=\s|$)")


def lex(text: str, rules: Sequence[Rule]) -> list[object] | str:
    """Components of ``text``, or the unread rest of it when a word is not understood."""
    pos, out = 0, list[object]()
    while pos < len(text):
        if text[pos] == " ":
            pos += 1
            continue
        for r in rules:
            m = r.pattern.match(text, pos)
            if m and m.end() > pos:
                out.extend(r.build(m))
                pos = m.end()
                break
        else:
            filler = _FILLER.match(text, pos)
            if not filler:
                return text[pos:]
            pos = filler.end()
    return out


# -- shared rules --------------------------------------------------------------------------------
NUM = r"\d+(?:\.\d+)?|" + alternation(NUMBERS)
_HOUR_WORDS = {w: int(n) for w, n in NUMBERS.items() if w.isalpha() and 1 <= n <= 12
               and w not in ("a", "an")}
_MER = r"(?P<mer>am|pm|a|p|o'?clock|h)"


def number(word: str) -> float:
    word = re.sub(r"\s+", " ", word)
    return float(word) if word[0].isdigit() else NUMBERS[word]


def _time(m: re.Match[str]) -> list[object]:
    hour = int(m["h"]) if m["h"] else _HOUR_WORDS[m["hw"]]
    minute = int(m["m"]) if m["m"] else 0
    mer = m["mer"] or ""
    meridiem = {"a": "am", "p": "pm"}.get(mer, mer) if mer.startswith(("a", "p")) else None
    exact = hour == 0 or hour >= 13 or bool(m["h"] and m["h"].startswith("0")) or mer == "h"
    bare = not (m["pre"] or m["m"] or mer)
    approx = m["pre"] in ("around", "about")
    return [Clock(hour, minute, meridiem, exact=exact, bare=bare, approx=approx)]


def _hour(word: str) -> int:
    return int(word) if word.isdigit() else _HOUR_WORDS[word]


def _past_to(m: re.Match[str]) -> list[object]:
    hour = int(m["h"]) if m["h"].isdigit() else _HOUR_WORDS[m["h"]]
    q = re.sub(r"\s+", " ", m["q"])
    minute = {"half": 30, "quarter": 15}.get(q) or int(number(q))
    if not 0 < minute < 60:
        return [Clock(hour, 99)]  # "70 past 3": not a time of day (readings says so)
    if m["dir"] != "past" and m["dir"] != "after":
        hour, minute = (hour - 1) % 24 or 12, 60 - minute
    return [Clock(hour, minute, m["mer"], exact=hour == 0 or hour >= 13)]


_HW = alternation(_HOUR_WORDS)
_MINUTE_WORDS = alternation(w for w, n in NUMBERS.items() if w[0].isalpha() and n == int(n)
                            and 1 <= n <= 59 and " " not in w.strip() and w not in ("a", "an"))
TIME_RULES: tuple[Rule, ...] = (
    rule(r"(?:at\s+)?(?:noon|midday|lunchtime)", lambda m: [Clock(12, 0, exact=True)]),
    rule(r"(?:at\s+)?midnight", lambda m: [Clock(24, 0, exact=True, midnight=True)]),
    rule(r"(?:at\s+)?half\s+(?P<h>\d{1,2}|" + _HW + r")(?:\s*(?P<mer>am|pm))?",  # "half eight"
         lambda m: [Clock(_hour(m["h"]), 30, m["mer"])]),
    rule(r"(?:at\s+)?(?:a\s+)?(?P<q>half|quarter|\d{1,2}|" + _MINUTE_WORDS + r")"
         r"(?:\s+min(?:ute)?s?)?\s+(?P<dir>past|to|after|till|til)\s+(?P<h>\d{1,2}|" + _HW + r")"
         r"(?:\s*(?P<mer>am|pm))?", _past_to),
    rule(r"(?:(?P<pre>at|@|by|around|about|from)\s*)?(?:(?P<h>\d{1,2})(?:[:.h](?P<m>\d{2}))?"
         r"|(?P<hw>" + _HW + r"))\s*" + _MER + "?", _time),
)

PART_RULES: tuple[Rule, ...] = (
    rule(r"this\s+(?P<p>morning|afternoon|evening)", lambda m: [Part(m["p"], strict=True)]),
    rule(r"tonight", lambda m: [Part("night", strict=True)]),
    rule(r"(?:in\s+the\s+)?(?P<p>morning|afternoon|evening)", lambda m: [Part(m["p"])]),
    rule(r"(?:at\s+|in\s+the\s+)?night", lambda m: [Part("night")]),
    rule(r"(?:by\s+)?(?:the\s+)?(?:end\s+of\s+(?:the\s+)?(?:business\s+|work\s+)?day|eod|cob"
         r"|close\s+of\s+business)", lambda m: [Part("eod", strict=True)]),
)

_WD = alternation(WEEKDAYS)
_MO = alternation(MONTHS)
_ORD = r"(?:st|nd|rd|th)"


def _monthday(m: re.Match[str]) -> list[object]:
    return [DateSpec("monthday", MONTHS[m["mon"]], int(m["d"]), int(m["y"] or 0))]


DATE_RULES: tuple[Rule, ...] = (
    rule(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})",
         lambda m: [DateSpec("date", int(m["y"]), int(m["m"]), int(m["d"]))]),
    rule(r"(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"?(?:\s+of)?\s+(?P<mon>" + _MO + r")"
         r"(?:\s+(?P<y>\d{4}))?", _monthday),
    rule(r"(?:the\s+)?(?P<w>" + alternation(k for k in ORDINALS if k != "last") + r")(?:\s+of)?"
         r"\s+(?P<mon>" + _MO + r")(?:\s+(?P<y>\d{4}))?",
         lambda m: [DateSpec("monthday", MONTHS[m["mon"]], ORDINALS[m["w"]], int(m["y"] or 0))]),
    rule(r"(?P<a>\d{1,2})/(?P<b>\d{1,2})(?:/(?P<y>\d{4}|\d{2}))?"
         r"|(?P<a2>\d{1,2})\.(?P<b2>\d{1,2})\.(?P<y2>\d{4}|\d{2})?",
         lambda m: [DateSpec("numeric", int(m["a"] or m["a2"]), int(m["b"] or m["b2"]),
                             _year(m["y"] or m["y2"]))]),
    rule(r"(?P<mon>" + _MO + r")\s+(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"?(?:\s+(?P<y>\d{4}))?",
         _monthday),
    rule(r"the\s+(?P<d>\d{1,2})" + _ORD + r"?|(?P<d2>\d{1,2})" + _ORD,
         lambda m: [DateSpec("dom", int(m["d"] or m["d2"]))]),
    rule(r"the\s+(?P<w>" + alternation(k for k in ORDINALS if k != "last") + ")",
         lambda m: [DateSpec("dom", ORDINALS[m["w"]])]),
)


def _year(text: str | None) -> int:
    return 0 if not text else int(text) + (2000 if len(text) == 2 else 0)


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for d in range(day.day, 0, -1):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


# -- clock arithmetic ----------------------------------------------------------------------------
def localize(naive: datetime, tz: ZoneInfo) -> datetime:
    """Wall time in ``tz`` as an aware datetime: a time in a spring-forward gap moves forward by
    the gap; an ambiguous (repeated) time takes its first occurrence."""
    return naive.replace(tzinfo=tz, fold=0).astimezone(UTC).astimezone(tz)


def gap_readings(naive: datetime, tz: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The two instants a wall time in a spring-forward gap may mean, earlier first: read on
    the clock after the change (fold=1: "02:30" = 01:30 before it) and on the clock before it
    (fold=0: = 03:30 after it). None when the wall time exists."""
    later = localize(naive, tz)
    if later.replace(tzinfo=None) == naive:
        return None
    earlier = naive.replace(tzinfo=tz, fold=1).astimezone(UTC).astimezone(tz)
    return earlier, later


def readings(clock: Clock, part: str | None) -> list[timedelta] | str:
    """The times of day ``clock`` may mean (as offsets from midnight), or why it is invalid.

    Without am/pm or a day part, 0 and 13-23 (and zero-padded hours) are read on the 24-hour
    clock, 12 is noon and 1-11 have both readings of the 12-hour clock (07:00 or 19:00): the
    caller picks one only where the day settles it (`times.parse_when`), or asks.
    """
    h, mi = clock.hour, clock.minute
    if mi > 59 or h > 24 or (h == 24 and mi):
        return f"{h}:{mi:02d} is not a time of day"
    if clock.meridiem:
        if not 1 <= h <= 12:
            return f"{h}{clock.meridiem} is not a time of day"
        hour = h % 12 + (12 if clock.meridiem == "pm" else 0)
        return [timedelta(hours=hour, minutes=mi)]
    if clock.exact:
        return [timedelta(hours=h, minutes=mi)]
    if clock.approx and part is None and 1 <= h <= 12:  # "around 8": 08:00 or 20:00
        return [timedelta(hours=h, minutes=mi), timedelta(hours=h + 12, minutes=mi)]
    if part == "morning":
        return [timedelta(hours=h % 12, minutes=mi)]
    if part in ("afternoon", "evening", "eod"):
        return [timedelta(hours=h % 12 + 12, minutes=mi)]
    if part == "night":  # "tonight at 9" = 21:00, "tonight at 12" = midnight, "at 1" = 01:00 after
        return [timedelta(hours=h + 12 if 6 <= h <= 12 else h + 24, minutes=mi)]
    if h == 12:  # "at 12" is noon ("midnight" is said as such)
        return [timedelta(hours=h, minutes=mi)]
    return [timedelta(hours=h, minutes=mi), timedelta(hours=h + 12, minutes=mi)]
