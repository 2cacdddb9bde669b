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

Expansion of DAILY and longer rules is `dateutil.rrule` over naive local wall times, which are
then placed in the zone; this module only parses lam's subset (with errors that say what is
wrong), supplies the anchor's parts and applies the DST policy above. A rule that can never
fire (``BYMONTH=2;BYMONTHDAY=30``) is found to end only when dateutil has searched to the year
9999: up to a few seconds, once, when such a rule is scheduled (and refused).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import groupby

from dateutil import rrule as du
from dateutil.relativedelta import relativedelta

__all__ = ["FREQUENCIES", "Rule", "RuleError", "describe", "next_after", "parse_rule"]

FREQUENCIES = ("MINUTELY", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last",
             -2: "second-to-last"}
_PARTS = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYHOUR", "BYMINUTE", "UNTIL",
          "COUNT")
_BYDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
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
        parsed = datetime.fromisoformat(value)  # also RFC 5545's basic 20261231T235959Z
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


# -- expansion (dateutil.rrule) -----------------------------------------------------------------

_FREQ = {"MINUTELY": du.MINUTELY, "HOURLY": du.HOURLY, "DAILY": du.DAILY, "WEEKLY": du.WEEKLY,
         "MONTHLY": du.MONTHLY, "YEARLY": du.YEARLY}


def _period_start(rule: Rule, a: date, day: date) -> date:
    """The first day of the last period (counted from anchor day ``a`` in steps of INTERVAL)
    that begins on or before ``day``, so expansion need not walk from a distant anchor."""
    n = rule.interval
    if day <= a:
        return a
    if rule.freq == "DAILY":
        return a + timedelta(days=(day - a).days // n * n)
    if rule.freq == "WEEKLY":
        monday = a - timedelta(days=a.weekday())
        weeks = (day - timedelta(days=day.weekday()) - monday).days // 7
        return monday + timedelta(weeks=weeks // n * n)
    if rule.freq == "MONTHLY":
        months = (day.year - a.year) * 12 + day.month - a.month
        return a.replace(day=1) + relativedelta(months=months // n * n)
    return date(a.year + (day.year - a.year) // n * n, 1, 1)


def _wall_times(rule: Rule, a: datetime, day: date) -> du.rruleset:
    """A DAILY-or-longer rule as dateutil rrules over naive wall times, from the period that
    holds ``day``. The parts the rule leaves out are the anchor's (``a``, local), given
    explicitly so that the rrules' start can be any period boundary."""
    bymonthday, bymonth = list(rule.bymonthday), list(rule.bymonth)
    plain = [du.weekday(wd) for n, wd in rule.byday if not n]
    nth = [du.weekday(wd, n) for n, wd in rule.byday if n]
    if not rule.byday and not bymonthday:
        if rule.freq == "WEEKLY":
            plain = [du.weekday(a.weekday())]
        elif rule.freq in ("MONTHLY", "YEARLY"):
            bymonthday = [a.day]
            if rule.freq == "YEARLY" and not bymonth:
                bymonth = [a.month]
    dtstart = datetime.combine(_period_start(rule, a.date(), day), time())
    out = du.rruleset(cache=False)
    # dateutil requires *both* of a plain and an ordinal weekday (BYDAY=MO,-1FR) where RFC 5545
    # means either: one rrule each, merged by the set.
    groups: list[list[du.weekday] | None] = [w for w in (plain, nth) if w] or [None]
    for byweekday in groups:
        out.rrule(du.rrule(
            _FREQ[rule.freq], dtstart=dtstart, interval=rule.interval, wkst=du.MO,
            bymonth=bymonth or None, bymonthday=bymonthday or None, byweekday=byweekday,
            byhour=rule.byhour or a.hour, byminute=rule.byminute or a.minute, bysecond=0,
            cache=False))
    return out


def _daily_plus(rule: Rule, anchor: datetime, tz: tzinfo, start: datetime) -> Iterator[datetime]:
    walls = _wall_times(rule, anchor.astimezone(tz), start.astimezone(tz).date() - timedelta(1))
    for _day, same_day in groupby(walls, key=datetime.date):
        # fold=0: a missing wall time maps past the gap, a repeated one to its first instance;
        # two wall times that land on one instant (02:30 and 03:30 on a spring-forward day) fire
        # once.
        for stamp in sorted({wall.replace(tzinfo=tz).astimezone(UTC) for wall in same_day}):
            if stamp >= anchor:
                yield stamp


def _local_ok(rule: Rule, local: datetime) -> bool:
    """Whether a MINUTELY/HOURLY step passes the BY parts, read on the local clock."""
    if (rule.byhour and local.hour not in rule.byhour) or (
            rule.byminute and local.minute not in rule.byminute) or (
            rule.bymonth and local.month not in rule.bymonth) or (
            rule.byday and local.weekday() not in {wd for _n, wd in rule.byday}):
        return False
    last = calendar.monthrange(local.year, local.month)[1]
    return not rule.bymonthday or any(local.day == (n if n > 0 else last + n + 1)
                                      for n in rule.bymonthday)


def _sub_daily(rule: Rule, anchor: datetime, tz: tzinfo, start: datetime) -> Iterator[datetime]:
    # Steps in absolute time, so plain arithmetic: an rrule steps in the wall time of its start,
    # and in UTC it is the same sum at seven times the cost.
    step = timedelta(minutes=rule.interval) if rule.freq == "MINUTELY" else timedelta(
        hours=rule.interval)
    k = max(0, (start - anchor) // step)
    for stamp in (anchor + (k + i) * step for i in range(_MAX_STEPS)):
        if _local_ok(rule, stamp.astimezone(tz)):
            yield stamp


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
