"""Recurrence rules: a small subset of RFC 5545 RRULE, parsed, printed and expanded in a zone.

A rule is one line of ``KEY=VALUE`` parts joined by ``;`` (an optional ``RRULE:`` prefix is
accepted), e.g. ``FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0``.

Parts: ``FREQ`` (required: MINUTELY, HOURLY, DAILY, WEEKLY, MONTHLY, YEARLY), ``INTERVAL``
(1-1000), ``BYMONTH`` (1-12), ``BYMONTHDAY`` (1..31 or -1..-31 from the end), ``BYDAY`` (MO..SU;
with an ordinal such as ``1MO`` or ``-1FR`` only in MONTHLY, or YEARLY with BYMONTH),
``BYHOUR`` (0-23), ``BYMINUTE`` (0-59), ``UNTIL`` (``20261231T235959Z`` or ISO-8601 with an offset)
and ``COUNT``.

Every rule is expanded against an *anchor*, the aware start of the series (first occurrence is
at or after it). Semantics:

* DAILY and longer step in local wall time of the zone. Missing parts come from the anchor:
  the time of day (BYHOUR/BYMINUTE), the weekday (WEEKLY), the day of the month (MONTHLY) and
  month and day (YEARLY). A wall time that does not exist on a spring-forward day is shifted by
  the gap (02:30 -> 03:30, as RFC 5545 says); a repeated wall time on a fall-back day fires once,
  at its first instance. Seconds are always 0.
* MINUTELY and HOURLY step in absolute time from the anchor ("every 2 hours" is 7200 s apart
  across a DST change); any BY part is a filter on the local time of each step.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo

__all__ = ["FREQUENCIES", "Rule", "RuleError", "describe", "next_after", "parse_rule"]

FREQUENCIES = ("MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
             -2: "second-to-last"}
_PARTS = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE", "UNTIL",
          "COUNT")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_MAX_DAYS = 366 * 12
_MAX_STEPS = 200_000
_MAX_COUNT = 10_000


class RuleError(ValueError):
    """A rule string that is not in the supported subset; the message says what is wrong."""


@dataclass(frozen=True)
class Rule:
    """A parsed recurrence rule. ``str(rule)`` is its canonical text."""

    freq: str
    interval: int = 1
    bymonth: tuple[int, ...] = ()
    bymonthday: tuple[int, ...] = ()
    byday: tuple[tuple[int, int], ...] = ()
    """(ordinal or 0, weekday 0=Monday)."""
    byhour: tuple[int, ...] = ()
    byminute: tuple[int, ...] = ()
    until: datetime | None = None
    count: int | None = None

    @property
    def sub_daily(self) -> bool:
        return self.freq in ("MINUTELY", "HOURLY")

    def __str__(self) -> str:
        parts = [f"FREQ={self.freq}"]
        if self.interval != 1:
            parts.append(f"INTERVAL={self.interval}")
        if self.bymonth:
            parts.append("BYMONTH=" + ",".join(map(str, self.bymonth)))
        if self.bymonthday:
            parts.append("BYMONTHDAY=" + ",".join(map(str, self.bymonthday)))
        if self.byday:
            parts.append("BYDAY=" + ",".join(
                (str(n) if n else "") + WEEKDAYS[wd] for n, wd in self.byday))
        if self.byhour:
            parts.append("BYHOUR=" + ",".join(map(str, self.byhour)))
        if self.byminute:
            parts.append("BYMINUTE=" + ",".join(map(str, self.byminute)))
        if self.until is not None:
            parts.append("UNTIL=" + self.until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ"))
        if self.count is not None:
            parts.append(f"COUNT={self.count}")
        return ";".join(parts)


def _ints(key: str, value: str, lo: int, hi: int, *, nonzero: bool = False) -> tuple[int, ...]:
    out = []
    for item in value.split(","):
        try:
            n = int(item)
        except ValueError:
            raise RuleError(f"{key}: {item!r} is not a whole number") from None
        if not lo <= n <= hi or (nonzero and n == 0):
            raise RuleError(f"{key}: {n} is out of range {lo}..{hi}")
        out.append(n)
    return tuple(sorted(set(out)))


def _until(value: str) -> datetime:
    try:
        if re.fullmatch(r"\d{8}T\d{6}Z", value):
            return datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise RuleError(f"UNTIL: {value!r} is not a date-time") from None
    if parsed.tzinfo is None:
        raise RuleError("UNTIL: needs 'Z' or a UTC offset")
    return parsed.astimezone(UTC)


def parse_rule(text: str) -> Rule:
    """Parse a rule string (see the module docstring); raises `RuleError` with the reason."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    if not body:
        raise RuleError("empty rule; expected e.g. FREQ=DAILY;BYHOUR=9;BYMINUTE=0")
    values: dict[str, str] = {}
    for part in body.split(";"):
        if not part:
            continue
        key, sep, value = part.partition("=")
        key = key.strip().upper()
        value = value.strip().upper() if key != "UNTIL" else value.strip()
        if not sep or not value:
            raise RuleError(f"{part!r} is not KEY=VALUE")
        if key not in _PARTS:
            raise RuleError(f"unsupported rule part {key!r}; supported: {', '.join(_PARTS)}")
        if key in values:
            raise RuleError(f"{key} is given twice")
        values[key] = value
    freq = values.get("FREQ")
    if freq is None:
        raise RuleError("FREQ is required")
    if freq not in FREQUENCIES:
        raise RuleError(f"FREQ={freq} is not one of {', '.join(FREQUENCIES)}")
    byday: list[tuple[int, int]] = []
    for item in values.get("BYDAY", "").split(",") if "BYDAY" in values else []:
        m = _BYDAY.match(item)
        if not m:
            raise RuleError(f"BYDAY: {item!r} is not a weekday such as MO or 1MO")
        n = int(m.group(1)) if m.group(1) else 0
        if n and not (freq == "MONTHLY" or (freq == "YEARLY" and "BYMONTH" in values)):
            raise RuleError("BYDAY with an ordinal (1MO, -1FR) needs FREQ=MONTHLY "
                            "(or FREQ=YEARLY with BYMONTH)")
        if n and not (1 <= abs(n) <= 5):
            raise RuleError(f"BYDAY: ordinal {n} is out of range -5..5")
        byday.append((n, WEEKDAYS.index(m.group(2))))
    if freq == "WEEKLY" and "BYMONTHDAY" in values:
        raise RuleError("BYMONTHDAY cannot be used with FREQ=WEEKLY")
    interval = _ints("INTERVAL", values["INTERVAL"], 1, 1000)[0] if "INTERVAL" in values else 1
    count = _ints("COUNT", values["COUNT"], 1, _MAX_COUNT)[0] if "COUNT" in values else None
    if count is not None and "UNTIL" in values:
        raise RuleError("give COUNT or UNTIL, not both")
    return Rule(
        freq=freq,
        interval=interval,
        bymonth=_ints("BYMONTH", values["BYMONTH"], 1, 12) if "BYMONTH" in values else (),
        bymonthday=(_ints("BYMONTHDAY", values["BYMONTHDAY"], -31, 31, nonzero=True)
                    if "BYMONTHDAY" in values else ()),
        byday=tuple(sorted(set(byday))),
        byhour=_ints("BYHOUR", values["BYHOUR"], 0, 23) if "BYHOUR" in values else (),
        byminute=_ints("BYMINUTE", values["BYMINUTE"], 0, 59) if "BYMINUTE" in values else (),
        until=_until(values["UNTIL"]) if "UNTIL" in values else None,
        count=count,
    )


# -- expansion ---------------------------------------------------------------------------------

def _monthday_ok(rule: Rule, d: date) -> bool:
    dim = calendar.monthrange(d.year, d.month)[1]
    return any(d.day == (n if n > 0 else dim + n + 1) for n in rule.bymonthday)


def _byday_ok(rule: Rule, d: date) -> bool:
    dim = calendar.monthrange(d.year, d.month)[1]
    for n, wd in rule.byday:
        if d.weekday() != wd:
            continue
        if n == 0 or (n > 0 and (d.day - 1) // 7 + 1 == n) or (
                n < 0 and (dim - d.day) // 7 + 1 == -n):
            return True
    return False


def _filters_ok(rule: Rule, d: date) -> bool:
    if rule.bymonth and d.month not in rule.bymonth:
        return False
    if rule.bymonthday and not _monthday_ok(rule, d):
        return False
    return not (rule.byday and not _byday_ok(rule, d))


def _day_ok(rule: Rule, d: date, a: date) -> bool:
    """Whether local date ``d`` carries occurrences of a DAILY-or-longer rule anchored on ``a``."""
    n = rule.interval
    if rule.freq == "DAILY":
        in_period = (d - a).days % n == 0
    elif rule.freq == "WEEKLY":
        weeks = ((d - timedelta(days=d.weekday())) - (a - timedelta(days=a.weekday()))).days // 7
        in_period = weeks % n == 0
    elif rule.freq == "MONTHLY":
        in_period = ((d.year * 12 + d.month) - (a.year * 12 + a.month)) % n == 0
    else:
        in_period = (d.year - a.year) % n == 0
    if not in_period or not _filters_ok(rule, d):
        return False
    # Parts left out come from the anchor.
    if rule.freq == "WEEKLY" and not rule.byday:
        return d.weekday() == a.weekday()
    if rule.freq == "MONTHLY" and not rule.byday and not rule.bymonthday:
        return d.day == a.day
    if rule.freq == "YEARLY" and not rule.byday and not rule.bymonthday:
        return d.day == a.day and (bool(rule.bymonth) or d.month == a.month)
    return True


def _daily_plus(rule: Rule, anchor: datetime, tz: tzinfo, start: datetime) -> Iterator[datetime]:
    a = anchor.astimezone(tz)
    times = sorted(time(h, m) for h in (rule.byhour or (a.hour,))
                   for m in (rule.byminute or (a.minute,)))
    day = max(a.date(), start.astimezone(tz).date() - timedelta(days=1))
    for _ in range(_MAX_DAYS):
        if _day_ok(rule, day, a.date()):
            # fold=0: a missing wall time maps past the gap, a repeated one to its first instance.
            stamps = sorted({datetime.combine(day, t, tzinfo=tz).astimezone(UTC) for t in times})
            for stamp in stamps:
                if stamp >= anchor:
                    yield stamp
        day += timedelta(days=1)


def _sub_daily(rule: Rule, anchor: datetime, tz: tzinfo, start: datetime) -> Iterator[datetime]:
    step = timedelta(minutes=rule.interval) if rule.freq == "MINUTELY" else timedelta(
        hours=rule.interval)
    k = max(0, (start - anchor) // step)
    for _ in range(_MAX_STEPS):
        stamp = anchor + k * step
        local = stamp.astimezone(tz)
        if (_filters_ok(rule, local.date())
                and (not rule.byhour or local.hour in rule.byhour)
                and (not rule.byminute or local.minute in rule.byminute)):
            yield stamp.astimezone(UTC)
        k += 1


def _series(rule: Rule, anchor: datetime, tz: tzinfo, start: datetime) -> Iterator[datetime]:
    """Occurrences at or after ``start`` (approximately: callers filter), ascending, in UTC."""
    gen = _sub_daily if rule.sub_daily else _daily_plus
    for stamp in gen(rule, anchor, tz, start):
        if rule.until is not None and stamp > rule.until:
            return
        yield stamp


def next_after(rule: Rule, anchor: datetime, after: datetime, tz: tzinfo) -> datetime | None:
    """The first occurrence strictly after ``after`` (aware, UTC), or None if the series ended.

    ``anchor`` is the aware start of the series; ``tz`` the zone whose wall time the rule means.
    """
    if anchor.tzinfo is None or after.tzinfo is None:
        raise ValueError("anchor and after must be aware datetimes")
    # In UTC, arithmetic and comparisons are absolute (same-zone aware arithmetic is wall time).
    anchor, after = anchor.astimezone(UTC), after.astimezone(UTC)
    if rule.count is not None:
        for i, stamp in enumerate(_series(rule, anchor, tz, anchor)):
            if i >= rule.count:
                return None
            if stamp > after:
                return stamp
        return None
    for stamp in _series(rule, anchor, tz, after):
        if stamp > after:
            return stamp
    return None


# -- description -------------------------------------------------------------------------------

def _times(rule: Rule) -> str:
    if not rule.byhour:
        return ""
    minutes = rule.byminute or (0,)
    return " at " + ", ".join(f"{h:02d}:{m:02d}" for h in rule.byhour for m in minutes)


def _days(rule: Rule) -> str:
    plain = [wd for n, wd in rule.byday if n == 0]
    if plain == [0, 1, 2, 3, 4] and len(rule.byday) == 5:
        return "weekday"
    if plain == [5, 6] and len(rule.byday) == 2:
        return "weekend day"
    names = []
    for n, wd in rule.byday:
        prefix = _ORDINALS.get(n, f"#{n}") + " " if n else ""
        names.append(prefix + _DAY_NAMES[wd])
    return ", ".join(names)


def describe(rule: Rule) -> str:
    """A short English description, e.g. ``every weekday at 09:00``."""
    n = rule.interval
    unit = {"MINUTELY": "minute", "HOURLY": "hour", "DAILY": "day", "WEEKLY": "week",
            "MONTHLY": "month", "YEARLY": "year"}[rule.freq]
    every = f"every {n} {unit}s" if n > 1 else f"every {unit}"
    if rule.freq == "WEEKLY" and rule.byday:
        days = _days(rule)
        text = f"every {days}" if n == 1 else f"{every} on {days}"
    elif rule.freq == "MONTHLY" and rule.byday:
        text = f"the {_days(rule)} of {'each month' if n == 1 else every}"
    elif rule.freq == "MONTHLY" and rule.bymonthday:
        days = ", ".join(str(d) if d > 0 else f"{d}" for d in rule.bymonthday)
        text = f"day {days} of {'each month' if n == 1 else every}"
    elif rule.byday:
        text = f"{every} on {_days(rule)}"
    else:
        text = every
    if rule.bymonth:
        text += " in " + ", ".join(calendar.month_abbr[m] for m in rule.bymonth)
    text += _times(rule)
    if rule.count is not None:
        text += f", {rule.count} times"
    if rule.until is not None:
        text += f", until {rule.until:%Y-%m-%d %H:%M} UTC"
    return text
