"""Recurring times: "every weekday at 8:30" ->
``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30``.

The rule string is a subset of RFC 5545 RRULE, parts always in this order:
``FREQ`` (MINUTELY|HOURLY|DAILY|WEEKLY|MONTHLY|YEARLY), ``INTERVAL`` (only when > 1),
``BYMONTH``, ``BYMONTHDAY`` (1..31 or -1 = last day), ``BYDAY`` (MO..SU, or with an ordinal
for MONTHLY: 1MO, -1FR), ``BYHOUR``, ``BYMINUTE``. MINUTELY/HOURLY rules carry no BY parts;
every other rule always has BYHOUR and BYMINUTE (default 09:00, or the day part's default:
"every evening" -> 18:00). Without a named day, "weekly" takes today's weekday, "monthly" today's
day of the month, "yearly" today's date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from assistant.normalize._clock import (
    DATE_RULES,
    PART_RULES,
    TIME_RULES,
    Clock,
    DateSpec,
    Part,
    clean,
    lex,
    localize,
    number,
    readings,
    rule,
)
from assistant.normalize._lexicon import (
    DEFAULT_TIME,
    MONTHS,
    NUMBERS,
    ORDINALS,
    PART_DEFAULTS,
    RRULE_DAYS,
    WEEKDAYS,
    alternation,
)
from assistant.normalize.times import TimeParseError, TimeParseReason

__all__ = [
    "AmbiguousRule",
    "Freq",
    "RecurrenceResult",
    "RecurrenceRule",
    "next_occurrences",
    "parse_recurrence",
]


class Freq(StrEnum):
    MINUTELY = "MINUTELY"
    HOURLY = "HOURLY"
    DAILY = "DAILY"
    WEEKLY = "WEEKLY"
    MONTHLY = "MONTHLY"
    YEARLY = "YEARLY"


_BYDAY = re.compile(r"(-?[1-5])?(MO|TU|WE|TH|FR|SA|SU)")


@dataclass(frozen=True)
class RecurrenceRule:
    """A normalized recurrence; ``str(rule)`` is its RRULE string."""

    freq: Freq
    interval: int = 1
    bymonth: int | None = None
    bymonthday: int | None = None
    byday: tuple[str, ...] = ()
    byhour: int | None = None
    byminute: int | None = None

    def __post_init__(self) -> None:
        problem = self._problem()
        if problem:
            raise ValueError(f"invalid recurrence rule: {problem}")

    def _problem(self) -> str | None:
        if self.interval < 1:
            return "INTERVAL must be >= 1"
        if self.freq in (Freq.MINUTELY, Freq.HOURLY):
            if self.bymonth or self.bymonthday or self.byday or self.byhour is not None \
                    or self.byminute is not None:
                return f"{self.freq} takes no BY parts"
            return None
        if self.byhour is None or self.byminute is None:
            return "BYHOUR and BYMINUTE are required"
        if not (0 <= self.byhour <= 23 and 0 <= self.byminute <= 59):
            return "BYHOUR/BYMINUTE out of range"
        for day in self.byday:
            m = _BYDAY.fullmatch(day)
            if not m or (m[1] and self.freq != Freq.MONTHLY):
                return f"bad BYDAY {day!r}"
        if self.bymonthday is not None and not (1 <= self.bymonthday <= 31
                                                or self.bymonthday == -1):
            return "BYMONTHDAY must be 1..31 or -1"
        needs = {Freq.DAILY: not (self.byday or self.bymonthday or self.bymonth),
                 Freq.WEEKLY: bool(self.byday) and not (self.bymonthday or self.bymonth),
                 Freq.MONTHLY: bool(self.byday) != bool(self.bymonthday) and not self.bymonth,
                 Freq.YEARLY: bool(self.bymonth and self.bymonthday) and not self.byday}
        return None if needs[self.freq] else f"BY parts do not fit FREQ={self.freq}"

    def __str__(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval > 1:
            parts.append(f"INTERVAL={self.interval}")
        for key, value in (("BYMONTH", self.bymonth), ("BYMONTHDAY", self.bymonthday),
                           ("BYDAY", ",".join(self.byday) or None), ("BYHOUR", self.byhour),
                           ("BYMINUTE", self.byminute)):
            if value is not None:
                parts.append(f"{key}={value}")
        return ";".join(parts)

    @classmethod
    def parse(cls, text: str) -> RecurrenceRule:
        """Read a rule string back; raises ValueError when it is not in the subset."""
        fields: dict[str, str] = {}
        for item in text.strip().upper().split(";"):
            key, sep, value = item.partition("=")
            if not sep or key in fields:
                raise ValueError(f"invalid recurrence rule part {item!r}")
            fields[key] = value
        known = {"FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE"}
        if unknown := set(fields) - known:
            raise ValueError(f"unsupported recurrence rule parts: {sorted(unknown)}")
        if "FREQ" not in fields:
            raise ValueError("recurrence rule without FREQ")

        def num(key: str) -> int | None:
            return int(fields[key]) if key in fields else None

        days = tuple(fields["BYDAY"].split(",")) if "BYDAY" in fields else ()
        return cls(Freq(fields["FREQ"]), num("INTERVAL") or 1, num("BYMONTH"), num("BYMONTHDAY"),
                   days, num("BYHOUR"), num("BYMINUTE"))


@dataclass(frozen=True)
class AmbiguousRule:
    """The phrase has several plausible readings ("every day at 5"); ask, do not guess."""

    phrase: str
    options: tuple[RecurrenceRule, ...]
    message: str


RecurrenceResult = RecurrenceRule | AmbiguousRule | TimeParseError


# -- lexing --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Freq:
    freq: Freq
    interval: int = 1


@dataclass(frozen=True)
class _Days:
    days: tuple[str, ...]


@dataclass(frozen=True)
class _Several:
    """Several times a period, or a window of hours ("twice a week", "between 8 and 6"): the
    rule subset has one time of day per rule, so these are asked about, never cut down."""


_WD = alternation(WEEKDAYS)
_MO = alternation(MONTHS)
_N = r"\d+|" + alternation(k for k, v in NUMBERS.items() if v == int(v) and " " not in k)
_ORDN = r"(?P<o>" + alternation(ORDINALS) + r"|[1-5](?:st|nd|rd|th))"
_EVERY = r"(?:every|each)\s+"
_UNITS = {"min": Freq.MINUTELY, "hou": Freq.HOURLY, "hr": Freq.HOURLY, "day": Freq.DAILY,
          "wee": Freq.WEEKLY, "mon": Freq.MONTHLY, "yea": Freq.YEARLY}
_ADVERBS = {"hourly": Freq.HOURLY, "daily": Freq.DAILY, "weekly": Freq.WEEKLY,
            "monthly": Freq.MONTHLY, "yearly": Freq.YEARLY, "annually": Freq.YEARLY}


def _every(m: re.Match[str]) -> list[object]:
    n = 2 if m["other"] else int(number(m["n"])) if m["n"] else 1
    unit = m["u"][:3] if m["u"][:2] != "hr" else "hr"
    return [_Freq(_UNITS[unit], n)]


def _days(m: re.Match[str]) -> list[object]:
    names = re.findall(_WD, m["days"])
    days = tuple(sorted({RRULE_DAYS[WEEKDAYS[n]] for n in names}, key=RRULE_DAYS.index))
    return [_Freq(Freq.WEEKLY, 2 if m["other"] else 1), _Days(days)]


def _nth(m: re.Match[str]) -> list[object]:
    o = m["o"]
    n = ORDINALS[o] if o in ORDINALS else int(o[0])
    if not (n == -1 or 1 <= n <= 5):
        return [DateSpec("invalid")]
    return [_Freq(Freq.MONTHLY), _Days((f"{n}{RRULE_DAYS[WEEKDAYS[m['wd']]]}",))]


def _group(days: str) -> list[object]:
    return [_Freq(Freq.WEEKLY), _Days(tuple(days.split(",")))]


# Words that make a phrase a repetition; without one, "on Friday" is one Friday.
# A plural is a full name + "s" ("thursdays"): "thurs", "tues" and "weds" are one day, abbreviated.
# "in a month" is an amount of time ("of a month" is a repetition: "the 1st of a month").
_CUE = re.compile(r"\b(?:every|each|other|daily|weekly|monthly|yearly|annually|hourly|nightly"
                  r"|twice|thrice|times|(?:" + alternation(d for d in WEEKDAYS if d.endswith("day"))
                  + r"|weekday|workday|weekend|day)s"
                  r"|(?:of|in)\s+(?:the|each|every)\s+month|of\s+a\s+month)\b")
_RULES = (
    rule(r"(?:twice|thrice|(?:\d+|two|three|four|five|six)\s+times)\s+(?:a|per|each|every)\s+"
         r"(?:day|week|month|year|hour)", lambda m: [_Freq(Freq.DAILY), _Several()]),
    rule(r"(?:between|from)\s+(?:" + _N + r")(?:[:.]\d\d)?\s*(?:am|pm)?\s+(?:and|to|until|till|-)"
         r"\s+(?:" + _N + r")(?:[:.]\d\d)?\s*(?:am|pm)?", lambda m: [_Several()]),
    rule(r"(?:" + _EVERY + r"(?:(?P<other>other)\s+|(?P<n>" + _N + r")\s*)?)"
         r"(?P<u>min(?:ute)?s?|hours?|hrs?|days?|weeks?|months?|years?)", _every),
    rule(r"(?P<a>hourly|daily|weekly|monthly|yearly|annually)",
         lambda m: [_Freq(_ADVERBS[m["a"]])]),
    rule(r"nightly", lambda m: [_Freq(Freq.DAILY), Part("night")]),
    rule(r"(?:(?:every|each|on)\s+)?(?:weekday|workday|working\s+day|business\s+day)s?",
         lambda m: _group("MO,TU,WE,TH,FR")),
    rule(r"(?:(?:every|each|on)\s+)?(?:the\s+)?weekends?", lambda m: _group("SA,SU")),
    rule(r"(?:(?:every|each|on)\s+)?(?:the\s+)?" + _ORDN + r"\s+(?P<wd>" + _WD + r")"
         r"(?:\s+(?:of|in)\s+(?:the|each|every|a)\s+month)?", _nth),
    rule(r"(?:(?:every|each|on)\s+)?(?:(?P<other>other)\s+)?(?P<days>(?:" + _WD + r")s?"
         r"(?:(?:\s+and|\s*&)?\s+(?:" + _WD + r")s?)*)", _days),
    rule(r"(?:on\s+)?the\s+last\s+day(?:\s+of\s+(?:the|each|every|a)\s+month)?",
         lambda m: [_Freq(Freq.MONTHLY), DateSpec("dom", -1)]),
    rule(r"(?:" + _EVERY + r"|(?:on\s+)?the\s+)(?P<d>\d{1,2})(?:st|nd|rd|th)"
         r"(?:\s+(?:of|in)\s+(?:the|each|every|a)\s+month)?",
         lambda m: [_Freq(Freq.MONTHLY), DateSpec("dom", int(m["d"]))]),
    rule(r"(?:of|in)\s+(?:the|each|every|a)\s+month", lambda m: [_Freq(Freq.MONTHLY)]),
    rule(_EVERY + r"(?P<p>morning|afternoon|evening|night)",
         lambda m: [_Freq(Freq.DAILY), Part(m["p"])]),
    rule(r"(?:every|each)(?=\s+(?:\d|" + _MO + "))", lambda m: [_Freq(Freq.YEARLY)]),
    *DATE_RULES,
    *PART_RULES,
    *TIME_RULES,
)


def parse_recurrence(phrase: str, now: datetime, tz: ZoneInfo) -> RecurrenceResult:
    """The recurrence ``phrase`` describes; ``now``/``tz`` fill in an unnamed day."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    now = now.astimezone(tz)
    text = clean(phrase)
    if not text:
        return TimeParseError(phrase, TimeParseReason.EMPTY, "no recurrence given")
    parts = lex(text, _RULES)
    if isinstance(parts, str):
        return TimeParseError(phrase, TimeParseReason.UNRECOGNIZED, f"not understood: {parts!r}")
    if not _CUE.search(text):  # "on Thursday at 5pm", "on the 3rd": one day, not every one
        return _fail(phrase, "no repetition ('every ...', 'daily', 'on Mondays') in the phrase",
                     TimeParseReason.UNRECOGNIZED)
    return _compose(phrase, parts, now)


def _fail(phrase: str, message: str,
          reason: TimeParseReason = TimeParseReason.CONFLICT) -> TimeParseError:
    return TimeParseError(phrase, reason, message)


def _compose(phrase: str, parts: list[object], now: datetime) -> RecurrenceResult:
    freqs = {p for p in parts if isinstance(p, _Freq)}
    if freqs and any(isinstance(p, _Several) for p in parts):
        return _fail(phrase, "one rule fires at one time of day: say each time, or make one "
                     "reminder per time", TimeParseReason.VAGUE)
    if not freqs:
        return _fail(phrase, "no repetition ('every ...', 'daily') in the phrase",
                     TimeParseReason.UNRECOGNIZED)
    if len({f.freq for f in freqs}) > 1 or len({f.interval for f in freqs} - {1}) > 1:
        return _fail(phrase, "two different repetitions in the phrase")
    freq = next(iter(freqs)).freq
    interval = max(f.interval for f in freqs)
    days = [p for p in parts if isinstance(p, _Days)]
    specs = [p for p in parts if isinstance(p, DateSpec)]
    clocks = [p for p in parts if isinstance(p, Clock)]
    day_parts = [p for p in parts if isinstance(p, Part)]
    if len(days) > 1 or len(specs) > 1 or len(clocks) > 1 or len(day_parts) > 1:
        return _fail(phrase, "more than one day or time in the phrase")
    if any(s.kind not in ("dom", "monthday") or s.c for s in specs):
        return _fail(phrase, "not a repeating day", TimeParseReason.INVALID)
    if freq in (Freq.MINUTELY, Freq.HOURLY):
        if days or specs or clocks or day_parts:
            return _fail(phrase, "'every N minutes/hours' takes no day or time")
        return RecurrenceRule(freq, interval)
    base = _base(freq, interval, days[0].days if days else (), specs[0] if specs else None, now)
    if isinstance(base, str):
        return _fail(phrase, base)
    part = day_parts[0].name if day_parts else None
    if clocks:
        times = readings(clocks[0], part)
        if isinstance(times, str):
            return _fail(phrase, times, TimeParseReason.INVALID)
    else:
        h, mi = PART_DEFAULTS[part] if part else DEFAULT_TIME
        times = [timedelta(hours=h, minutes=mi)]
    options = tuple(replace(base, byhour=t.seconds // 3600, byminute=t.seconds // 60 % 60)
                    for t in times)
    if len(options) > 1:
        return AmbiguousRule(phrase, options, "did you mean " + " or ".join(
            f"{o.byhour:02d}:{o.byminute:02d}" for o in options) + "?")
    return options[0]


def _base(freq: Freq, interval: int, days: tuple[str, ...], spec: DateSpec | None,
          now: datetime) -> RecurrenceRule | str:
    """The rule without its time of day (BYHOUR/BYMINUTE set to a placeholder)."""
    nth = any(d[0] in "-12345" for d in days)
    kw: dict[str, object] = {}
    if freq == Freq.DAILY:
        if days or spec:
            return "'every day' cannot name a day"
    elif freq == Freq.WEEKLY:
        if nth or spec:
            return "'weekly' takes weekdays, not dates"
        kw["byday"] = days or (RRULE_DAYS[now.weekday()],)
    elif freq == Freq.MONTHLY:
        if days and not nth:
            return "'monthly' needs a date or 'the first Monday'"
        if spec is not None and spec.kind != "dom":
            return "'monthly' takes a day of the month, not a month"
        if days:
            kw["byday"] = days
        else:
            kw["bymonthday"] = spec.a if spec else now.day
    else:
        if days or (spec is not None and spec.kind != "monthday"):
            return "'yearly' needs a date like 'March 3'"
        kw["bymonth"], kw["bymonthday"] = (spec.a, spec.b) if spec else (now.month, now.day)
    try:
        return RecurrenceRule(freq, interval, byhour=0, byminute=0, **kw)  # type: ignore[arg-type]
    except ValueError as exc:
        return str(exc)


# -- firing times --------------------------------------------------------------------------------
def next_occurrences(rule: RecurrenceRule | str, after: datetime, tz: ZoneInfo, n: int = 1, *,
                     start: datetime | None = None) -> list[datetime]:
    """The first ``n`` fire times strictly after ``after``, aware in ``tz``.

    Day-based rules fire at wall-clock BYHOUR:BYMINUTE in ``tz``: a time in a spring-forward gap
    moves forward by the gap, a repeated time fires once, at its first occurrence. MINUTELY and
    HOURLY rules count elapsed time from ``start`` (default: ``after``). An INTERVAL counts
    periods (days, weeks, months, years) from ``start``'s, or else from the first occurrence's.
    """
    if after.tzinfo is None or (start is not None and start.tzinfo is None):
        raise ValueError("after and start must be timezone-aware")
    r = RecurrenceRule.parse(rule) if isinstance(rule, str) else rule
    if n <= 0:
        return []
    after_utc = after.astimezone(UTC)
    if r.freq in (Freq.MINUTELY, Freq.HOURLY):
        step = timedelta(minutes=r.interval) if r.freq == Freq.MINUTELY \
            else timedelta(hours=r.interval)
        origin = (start or after).astimezone(UTC)
        k = max(1, -(-(after_utc - origin) // step)) if origin <= after_utc else 0
        first = origin + step * k
        if first <= after_utc:
            first += step
        return [(first + step * i).astimezone(tz) for i in range(n)]
    assert r.byhour is not None and r.byminute is not None
    at = time(r.byhour, r.byminute)
    floor = max(after_utc, start.astimezone(UTC) - timedelta(microseconds=1)) if start \
        else after_utc
    anchor: date | None = start.astimezone(tz).date() if start else None
    day = floor.astimezone(tz).date()
    out: list[datetime] = []
    for _ in range(366 * 10):
        if _on(r, day) and (anchor is None or _period(r.freq, anchor, day) % r.interval == 0):
            value = localize(datetime.combine(day, at), tz)
            if value.astimezone(UTC) > floor:
                anchor = anchor or day
                out.append(value)
                if len(out) == n:
                    break
        day += timedelta(days=1)
    return out


def _on(r: RecurrenceRule, day: date) -> bool:
    last = (date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)).day
    if r.bymonth is not None and day.month != r.bymonth:
        return False
    if r.bymonthday is not None and day.day != (r.bymonthday if r.bymonthday > 0 else last):
        return False
    if r.byday:
        code = RRULE_DAYS[day.weekday()]
        nth_from_start, nth_from_end = (day.day - 1) // 7 + 1, -((last - day.day) // 7 + 1)
        return any(d == code or d in (f"{nth_from_start}{code}", f"{nth_from_end}{code}")
                   for d in r.byday)
    return True


def _period(freq: Freq, anchor: date, day: date) -> int:
    if freq == Freq.DAILY:
        return (day - anchor).days
    if freq == Freq.WEEKLY:
        return (day - timedelta(days=day.weekday()) - anchor
                + timedelta(days=anchor.weekday())).days // 7
    if freq == Freq.MONTHLY:
        return (day.year - anchor.year) * 12 + day.month - anchor.month
    return day.year - anchor.year
