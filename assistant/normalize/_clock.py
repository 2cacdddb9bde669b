"""Shared lexing of time phrases into small components, and zone-correct wall-clock helpers.

A phrase is read left to right; at each position the first rule whose regex matches is taken,
filler words ("on", "at", "the") are skipped, and anything else stops the reader with the
unread rest — so every word of the phrase is accounted for or the phrase is rejected.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
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
    return Rule(re.compile(regex + r"(?=\s|$)"), build)


# -- text ----------------------------------------------------------------------------------------
_SUBS = (
    (re.compile(r"\ba\.m\.?"), "am"),
    (re.compile(r"\bp\.m\.?"), "pm"),
    (re.compile(r"[’`]"), "'"),
    (re.compile(r"[,;!?]"), " "),
    (re.compile(r"\s+"), " "),
)


def clean(phrase: str) -> str:
    """Lower-case, drop sentence punctuation, collapse whitespace."""
    text = phrase.strip().lower()
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
    return [Clock(hour, minute, meridiem, exact=exact, bare=bare)]


def _past_to(m: re.Match[str]) -> list[object]:
    hour = int(m["h"]) if m["h"].isdigit() else _HOUR_WORDS[m["h"]]
    minute = {"half": 30, "quarter": 15}[m["q"]]
    if m["dir"] == "to":
        hour, minute = (hour - 1) % 24 or 12, 60 - minute
    return [Clock(hour, minute, m["mer"], exact=hour == 0 or hour >= 13)]


_HW = alternation(_HOUR_WORDS)
TIME_RULES: tuple[Rule, ...] = (
    rule(r"(?:at\s+)?(?:noon|midday|lunchtime)", lambda m: [Clock(12, 0, exact=True)]),
    rule(r"(?:at\s+)?midnight", lambda m: [Clock(24, 0, exact=True)]),
    rule(r"(?:at\s+)?(?P<q>half|quarter)\s+(?P<dir>past|to)\s+(?P<h>\d{1,2}|" + _HW + r")"
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
    rule(r"(?P<d>\d{1,2})" + _ORD + r"?(?:\s+of)?\s+(?P<mon>" + _MO + r")(?:\s+(?P<y>\d{4}))?",
         _monthday),
    rule(r"(?P<mon>" + _MO + r")\s+(?:the\s+)?(?P<d>\d{1,2})" + _ORD + r"?(?:\s+(?P<y>\d{4}))?",
         _monthday),
    rule(r"the\s+(?P<d>\d{1,2})" + _ORD + r"?|(?P<d2>\d{1,2})" + _ORD,
         lambda m: [DateSpec("dom", int(m["d"] or m["d2"]))]),
    rule(r"the\s+(?P<w>" + alternation(k for k in ORDINALS if k != "last") + ")",
         lambda m: [DateSpec("dom", ORDINALS[m["w"]])]),
)


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


def readings(clock: Clock, part: str | None) -> list[timedelta] | str:
    """The times of day ``clock`` may mean (as offsets from midnight), or why it is invalid.

    Without am/pm or a day part, 0 and 13-23 (and zero-padded hours) are read on the 24-hour
    clock, 7-12 as written (7 = 07:00, 12 = noon) and 1-6 are ambiguous (03:00 or 15:00).
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
    if part == "morning":
        return [timedelta(hours=h % 12, minutes=mi)]
    if part in ("afternoon", "evening", "eod"):
        return [timedelta(hours=h % 12 + 12, minutes=mi)]
    if part == "night":  # "tonight at 9" = 21:00, "tonight at 12" = midnight, "at 1" = 01:00 after
        return [timedelta(hours=h + 12 if 6 <= h <= 12 else h + 24, minutes=mi)]
    if 7 <= h <= 12:
        return [timedelta(hours=h, minutes=mi)]
    return [timedelta(hours=h, minutes=mi), timedelta(hours=h + 12, minutes=mi)]
