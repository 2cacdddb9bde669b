"""Recurrence rules: parsing, canonical text, expansion in a zone (DST included)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest

from plugins.scheduler.rules import RuleError, describe, next_after, parse_rule

BERLIN = ZoneInfo("Europe/Berlin")


def series(rule: str, anchor: datetime, n: int, tz: ZoneInfo = BERLIN, *,
           with_anchor: bool = False) -> list[str]:
    """The first ``n`` occurrences after the anchor (or at it, ``with_anchor``)."""
    parsed, out = parse_rule(rule), []
    t = anchor - timedelta(seconds=1) if with_anchor else anchor
    for _ in range(n):
        nxt = next_after(parsed, anchor, t, tz)
        if nxt is None:
            break
        out.append(nxt.astimezone(tz).isoformat())
        t = nxt
    return out


@pytest.mark.parametrize("text, canonical", [
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30"),
    ("rrule:freq=monthly;byday=1mo;byhour=10;byminute=0",
     "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=10;BYMINUTE=0"),
    ("FREQ=HOURLY;INTERVAL=2", "FREQ=HOURLY;INTERVAL=2"),
    ("FREQ=DAILY;BYMINUTE=0;BYHOUR=17,9;COUNT=3", "FREQ=DAILY;BYHOUR=9,17;BYMINUTE=0;COUNT=3"),
    ("FREQ=DAILY;UNTIL=2026-12-01T00:00:00+01:00", "FREQ=DAILY;UNTIL=20261130T230000Z"),
])
def test_parse_and_canonical_text(text: str, canonical: str) -> None:
    assert str(parse_rule(text)) == canonical
    assert str(parse_rule(canonical)) == canonical


@pytest.mark.parametrize("text, why", [
    ("", "empty"),
    ("every weekday at 9", "KEY=VALUE"),
    ("BYHOUR=9", "FREQ is required"),
    ("FREQ=SECONDLY", "not one of"),
    ("FREQ=DAILY;BYSETPOS=1", "unsupported rule part"),
    ("FREQ=DAILY;BYHOUR=24", "out of range"),
    ("FREQ=WEEKLY;BYDAY=1MO", "ordinal"),
    ("FREQ=WEEKLY;BYMONTHDAY=1", "WEEKLY"),
    ("FREQ=DAILY;BYDAY=XX", "weekday"),
    ("FREQ=DAILY;COUNT=2;UNTIL=20270101T000000Z", "not both"),
    ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
    ("FREQ=DAILY;UNTIL=2026-12-01T00:00", "offset"),
])
def test_bad_rules_say_why(text: str, why: str) -> None:
    with pytest.raises(RuleError, match=why):
        parse_rule(text)


def test_every_weekday_at_830_skips_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 12, 0, tzinfo=BERLIN)
    assert series("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30", friday, 3) == [
        "2026-11-30T08:30:00+01:00", "2026-12-01T08:30:00+01:00", "2026-12-02T08:30:00+01:00"]


def test_first_monday_and_last_friday_of_the_month() -> None:
    start = datetime(2026, 1, 5, 12, 0, tzinfo=BERLIN)  # after January's first Monday 10:00
    assert series("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=10;BYMINUTE=0", start, 3) == [
        "2026-02-02T10:00:00+01:00", "2026-03-02T10:00:00+01:00", "2026-04-06T10:00:00+02:00"]
    assert series("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16;BYMINUTE=0", start, 2) == [
        "2026-01-30T16:00:00+01:00", "2026-02-27T16:00:00+01:00"]


def test_last_day_of_month_and_month_without_the_anchor_day() -> None:
    start = datetime(2026, 1, 31, 9, 0, tzinfo=BERLIN)
    assert series("FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=9;BYMINUTE=0", start, 3,
                  with_anchor=True) == [
        "2026-01-31T09:00:00+01:00", "2026-02-28T09:00:00+01:00", "2026-03-31T09:00:00+02:00"]
    # Without BYMONTHDAY the anchor's day (31) is used; months without it are skipped (RFC 5545).
    assert series("FREQ=MONTHLY", start, 3, with_anchor=True) == [
        "2026-01-31T09:00:00+01:00", "2026-03-31T09:00:00+02:00", "2026-05-31T09:00:00+02:00"]


def test_daily_wall_time_is_kept_across_spring_forward() -> None:
    start = datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN)
    got = series("FREQ=DAILY;BYHOUR=9;BYMINUTE=0", start, 4)
    assert got == ["2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00",
                   "2026-03-30T09:00:00+02:00", "2026-03-31T09:00:00+02:00"]
    # 24 real hours shorter by one on the change day: 23 h between the two 09:00s.
    a, b = (datetime.fromisoformat(x) for x in got[:2])
    assert (b - a).total_seconds() == 23 * 3600


def test_missing_wall_time_on_spring_forward_is_shifted_by_the_gap() -> None:
    start = datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN)
    assert series("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", start, 3) == [
        "2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00", "2026-03-30T02:30:00+02:00"]


def test_repeated_wall_time_on_fall_back_fires_once() -> None:
    start = datetime(2026, 10, 23, 12, 0, tzinfo=BERLIN)
    got = series("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", start, 3)
    assert got == ["2026-10-24T02:30:00+02:00", "2026-10-25T02:30:00+02:00",
                   "2026-10-26T02:30:00+01:00"]
    utc = [datetime.fromisoformat(x).astimezone(UTC).hour for x in got]
    assert utc == [0, 0, 1]


def test_hourly_steps_in_absolute_time_across_fall_back() -> None:
    start = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)
    got = series("FREQ=HOURLY", start, 4)
    assert got == ["2026-10-25T01:00:00+02:00", "2026-10-25T02:00:00+02:00",
                   "2026-10-25T02:00:00+01:00", "2026-10-25T03:00:00+01:00"]


def test_every_two_hours_across_spring_forward() -> None:
    start = datetime(2026, 3, 28, 23, 0, tzinfo=BERLIN)
    got = series("FREQ=HOURLY;INTERVAL=2", start, 3)
    # 7200 s apart: the wall clock jumps from 01:00 to 04:00 over the lost hour.
    assert got == ["2026-03-29T01:00:00+01:00", "2026-03-29T04:00:00+02:00",
                   "2026-03-29T06:00:00+02:00"]
    stamps = [datetime.fromisoformat(x) for x in got]
    assert {(b - a).total_seconds() for a, b in pairwise(stamps)} == {7200}


def test_minutely_with_hour_and_weekday_filters() -> None:
    # Steps stay on the anchor's grid (:40 + 15 min), filtered to weekday working hours.
    start = datetime(2026, 11, 27, 16, 40, tzinfo=BERLIN)  # Friday
    assert series("FREQ=MINUTELY;INTERVAL=15;BYHOUR=9,10,11,12,13,14,15,16;"
                  "BYDAY=MO,TU,WE,TH,FR", start, 3) == [
        "2026-11-27T16:55:00+01:00", "2026-11-30T09:10:00+01:00", "2026-11-30T09:25:00+01:00"]


def test_count_until_and_interval() -> None:
    start = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)
    assert series("FREQ=DAILY;COUNT=2", start, 5) == [
        "2026-11-24T09:00:00+01:00"]  # the anchor itself was occurrence 1
    assert series("FREQ=DAILY;UNTIL=20261125T090000Z", start, 5) == [
        "2026-11-24T09:00:00+01:00", "2026-11-25T09:00:00+01:00"]
    assert series("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", start, 3) == [
        "2026-12-07T09:00:00+01:00", "2026-12-21T09:00:00+01:00", "2027-01-04T09:00:00+01:00"]
    assert series("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", start, 1) == [
        "2028-02-29T09:00:00+01:00"]


def test_a_rule_that_never_fires_ends() -> None:
    start = datetime(2026, 1, 1, tzinfo=BERLIN)
    assert next_after(parse_rule("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=31"), start, start,
                      BERLIN) is None


@pytest.mark.parametrize("rule, text", [
    ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30", "every weekday at 08:30"),
    ("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=10;BYMINUTE=0", "the first Monday of each month at 10:00"),
    ("FREQ=HOURLY;INTERVAL=2", "every 2 hours"),
    ("FREQ=DAILY;BYHOUR=7;BYMINUTE=0", "every day at 07:00"),
])
def test_describe(rule: str, text: str) -> None:
    assert describe(parse_rule(rule)) == text
