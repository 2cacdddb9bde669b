"""parse_recurrence -> RRULE subset strings; next_occurrences, DST-correct."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.normalize import (
    AmbiguousRule,
    Freq,
    RecurrenceRule,
    TimeParseError,
    next_occurrences,
    parse_recurrence,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime.fromisoformat("2026-11-24T10:15:00+01:00")  # a Tuesday, the 24th

RULES = [
    ("every weekday at 8:30am", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30"),
    ("every day at 9am", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0"),
    ("daily at 7am", "FREQ=DAILY;BYHOUR=7;BYMINUTE=0"),
    ("every day", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0"),
    ("every day at midnight", "FREQ=DAILY;BYHOUR=0;BYMINUTE=0"),
    ("every morning", "FREQ=DAILY;BYHOUR=9;BYMINUTE=0"),
    ("every evening", "FREQ=DAILY;BYHOUR=18;BYMINUTE=0"),
    ("nightly", "FREQ=DAILY;BYHOUR=20;BYMINUTE=0"),
    ("every 3 days at 9am", "FREQ=DAILY;INTERVAL=3;BYHOUR=9;BYMINUTE=0"),
    ("every Monday", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0"),
    ("mondays", "FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;BYMINUTE=0"),
    ("on fridays at 17:00", "FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0"),
    ("weekly on Friday at 5pm", "FREQ=WEEKLY;BYDAY=FR;BYHOUR=17;BYMINUTE=0"),
    ("every monday and wednesday at 6pm", "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=18;BYMINUTE=0"),
    ("every wednesday & monday", "FREQ=WEEKLY;BYDAY=MO,WE;BYHOUR=9;BYMINUTE=0"),
    ("every other monday at 18:00", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=18;BYMINUTE=0"),
    ("every 2 weeks on tuesday", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TU;BYHOUR=9;BYMINUTE=0"),
    ("every weekend at 10am", "FREQ=WEEKLY;BYDAY=SA,SU;BYHOUR=10;BYMINUTE=0"),
    ("every weekday morning", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=0"),
    ("weekly", "FREQ=WEEKLY;BYDAY=TU;BYHOUR=9;BYMINUTE=0"),  # today's weekday
    ("every 2 hours", "FREQ=HOURLY;INTERVAL=2"),
    ("every hour", "FREQ=HOURLY"),
    ("hourly", "FREQ=HOURLY"),
    ("every 15 minutes", "FREQ=MINUTELY;INTERVAL=15"),
    ("every thirty minutes", "FREQ=MINUTELY;INTERVAL=30"),
    ("the first Monday of each month", "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=0"),
    ("first Monday of every month at 10am", "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=10;BYMINUTE=0"),
    ("every second tuesday of the month", "FREQ=MONTHLY;BYDAY=2TU;BYHOUR=9;BYMINUTE=0"),
    ("the last friday of the month at 4pm", "FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=16;BYMINUTE=0"),
    ("every month on the first monday", "FREQ=MONTHLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=0"),
    ("every month on the 3rd", "FREQ=MONTHLY;BYMONTHDAY=3;BYHOUR=9;BYMINUTE=0"),
    ("monthly on the 15th at 8am", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=8;BYMINUTE=0"),
    ("on the 15th of every month at 08:00", "FREQ=MONTHLY;BYMONTHDAY=15;BYHOUR=8;BYMINUTE=0"),
    ("every 3rd of the month", "FREQ=MONTHLY;BYMONTHDAY=3;BYHOUR=9;BYMINUTE=0"),
    ("the last day of the month", "FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=9;BYMINUTE=0"),
    ("monthly", "FREQ=MONTHLY;BYMONTHDAY=24;BYHOUR=9;BYMINUTE=0"),  # today's day
    ("every year on March 3", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3;BYHOUR=9;BYMINUTE=0"),
    ("every March 3 at 8am", "FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3;BYHOUR=8;BYMINUTE=0"),
    ("annually on 1 may", "FREQ=YEARLY;BYMONTH=5;BYMONTHDAY=1;BYHOUR=9;BYMINUTE=0"),
]


@pytest.mark.parametrize(("phrase", "expected"), RULES)
def test_rule(phrase: str, expected: str) -> None:
    rule = parse_recurrence(phrase, NOW, BERLIN)
    assert isinstance(rule, RecurrenceRule), rule
    assert str(rule) == expected
    assert RecurrenceRule.parse(expected) == rule  # the string reads back to the same rule


def test_bare_small_hour_is_ambiguous() -> None:
    result = parse_recurrence("every day at 5", NOW, BERLIN)
    assert isinstance(result, AmbiguousRule)
    assert [str(o) for o in result.options] == ["FREQ=DAILY;BYHOUR=5;BYMINUTE=0",
                                                "FREQ=DAILY;BYHOUR=17;BYMINUTE=0"]


# An hour 1-11 without am/pm or a part of the day is asked in a repetition too (issue 21).
# These are the phrases of the golden cases that said one before.
AMBIGUOUS = ["every weekday at 8:30", "every day at 9", "every weekend at 10",
             "monthly on the 15th at 8"]


@pytest.mark.parametrize("phrase", AMBIGUOUS)
def test_bare_hour_is_ambiguous(phrase: str) -> None:
    result = parse_recurrence(phrase, NOW, BERLIN)
    assert isinstance(result, AmbiguousRule), result
    hours = [o.byhour or 0 for o in result.options]
    assert hours == [hours[0], hours[0] + 12]


@pytest.mark.parametrize("phrase", ["on thurs at 5pm", "tues at 9am", "in a month at 8:15pm",
                                    "on weds at 7pm"])
def test_an_abbreviated_day_or_an_amount_is_no_repetition(phrase: str) -> None:
    # "thurs" is Thursday abbreviated, not "Thursdays"; "in a month" is an amount of time
    result = parse_recurrence(phrase, NOW, BERLIN)
    assert isinstance(result, TimeParseError) and result.reason.value == "unrecognized", result


@pytest.mark.parametrize(("phrase", "reason"), [
    ("tomorrow at 9", "unrecognized"),  # one-off, not a recurrence
    ("every blue moon", "unrecognized"),
    ("", "empty"),
    ("every 2 hours at 9", "conflict"),
    ("every day on monday", "conflict"),
    ("daily weekly", "conflict"),
    ("every day at 25:00", "invalid"),
])
def test_rejected(phrase: str, reason: str) -> None:
    result = parse_recurrence(phrase, NOW, BERLIN)
    assert isinstance(result, TimeParseError), result
    assert result.reason.value == reason


@pytest.mark.parametrize("text", [
    "FREQ=DAILY", "FREQ=HOURLY;BYHOUR=3", "FREQ=WEEKLY;BYHOUR=9;BYMINUTE=0",
    "FREQ=WEEKLY;BYDAY=1MO;BYHOUR=9;BYMINUTE=0", "FREQ=DAILY;BYHOUR=24;BYMINUTE=0",
    "FREQ=SECONDLY", "FREQ=DAILY;COUNT=3;BYHOUR=9;BYMINUTE=0", "BYHOUR=9",
    "FREQ=MONTHLY;BYMONTHDAY=3;BYDAY=1MO;BYHOUR=9;BYMINUTE=0", "FREQ=DAILY;INTERVAL=0",
])
def test_invalid_rule_strings_raise(text: str) -> None:
    with pytest.raises(ValueError):
        RecurrenceRule.parse(text)


def iso(values: list[datetime]) -> list[str]:
    return [v.isoformat() for v in values]


def test_weekdays_skip_the_weekend() -> None:
    got = next_occurrences("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=8;BYMINUTE=30", NOW, BERLIN, 4)
    assert iso(got) == ["2026-11-25T08:30:00+01:00", "2026-11-26T08:30:00+01:00",
                        "2026-11-27T08:30:00+01:00", "2026-11-30T08:30:00+01:00"]


def test_later_today_counts_and_results_are_strictly_after() -> None:
    rule = "FREQ=DAILY;BYHOUR=10;BYMINUTE=15"
    assert iso(next_occurrences(rule, NOW, BERLIN, 1)) == ["2026-11-25T10:15:00+01:00"]
    rule = "FREQ=DAILY;BYHOUR=10;BYMINUTE=16"
    assert iso(next_occurrences(rule, NOW, BERLIN, 1)) == ["2026-11-24T10:16:00+01:00"]
    assert next_occurrences(rule, NOW, BERLIN, 0) == []


def test_monthly_nth_weekday_and_last() -> None:
    first = next_occurrences("FREQ=MONTHLY;BYDAY=1MO;BYHOUR=10;BYMINUTE=0", NOW, BERLIN, 3)
    assert iso(first) == ["2026-12-07T10:00:00+01:00", "2027-01-04T10:00:00+01:00",
                          "2027-02-01T10:00:00+01:00"]
    last = next_occurrences("FREQ=MONTHLY;BYDAY=-1FR;BYHOUR=10;BYMINUTE=0", NOW, BERLIN, 2)
    assert iso(last) == ["2026-11-27T10:00:00+01:00", "2026-12-25T10:00:00+01:00"]


def test_monthday_31_skips_short_months_and_last_day() -> None:
    got = next_occurrences("FREQ=MONTHLY;BYMONTHDAY=31;BYHOUR=9;BYMINUTE=0", NOW, BERLIN, 3)
    assert iso(got) == ["2026-12-31T09:00:00+01:00", "2027-01-31T09:00:00+01:00",
                        "2027-03-31T09:00:00+02:00"]
    last = next_occurrences("FREQ=MONTHLY;BYMONTHDAY=-1;BYHOUR=9;BYMINUTE=0", NOW, BERLIN, 4)
    assert [v.day for v in last] == [30, 31, 31, 28]


def test_yearly_leap_day() -> None:
    got = next_occurrences("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29;BYHOUR=8;BYMINUTE=0", NOW,
                           BERLIN, 2)
    assert iso(got) == ["2028-02-29T08:00:00+01:00", "2032-02-29T08:00:00+01:00"]


def test_interval_counts_from_start() -> None:
    start = datetime.fromisoformat("2026-11-23T09:00:00+01:00")  # a Monday
    got = next_occurrences("FREQ=DAILY;INTERVAL=3;BYHOUR=9;BYMINUTE=0", NOW, BERLIN, 3,
                           start=start)
    assert iso(got) == ["2026-11-26T09:00:00+01:00", "2026-11-29T09:00:00+01:00",
                        "2026-12-02T09:00:00+01:00"]
    weekly = next_occurrences("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TU;BYHOUR=9;BYMINUTE=0", NOW,
                              BERLIN, 4, start=start)
    assert iso(weekly) == ["2026-12-07T09:00:00+01:00", "2026-12-08T09:00:00+01:00",
                           "2026-12-21T09:00:00+01:00", "2026-12-22T09:00:00+01:00"]


def test_interval_without_start_counts_from_first_occurrence() -> None:
    got = next_occurrences("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=9;BYMINUTE=0", NOW, BERLIN, 2)
    assert iso(got) == ["2026-11-30T09:00:00+01:00", "2026-12-14T09:00:00+01:00"]


def test_minutely_and_hourly_count_elapsed_time() -> None:
    start = datetime.fromisoformat("2026-11-24T10:00:00+01:00")
    got = next_occurrences("FREQ=MINUTELY;INTERVAL=15", NOW, BERLIN, 3, start=start)
    assert iso(got) == ["2026-11-24T10:30:00+01:00", "2026-11-24T10:45:00+01:00",
                        "2026-11-24T11:00:00+01:00"]
    got = next_occurrences(RecurrenceRule(Freq.HOURLY, 2), NOW, BERLIN, 1)
    assert iso(got) == ["2026-11-24T12:15:00+01:00"]


# -- DST -------------------------------------------------------------------------------------------
def test_berlin_spring_forward_gap_moves_forward() -> None:
    after = datetime.fromisoformat("2026-03-27T12:00:00+01:00")
    got = next_occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", after, BERLIN, 3)
    assert iso(got) == ["2026-03-28T02:30:00+01:00", "2026-03-29T03:30:00+02:00",
                        "2026-03-30T02:30:00+02:00"]


def test_berlin_wall_clock_kept_across_spring_forward() -> None:
    after = datetime.fromisoformat("2026-03-27T12:00:00+01:00")
    got = next_occurrences("FREQ=DAILY;BYHOUR=9;BYMINUTE=0", after, BERLIN, 3)
    assert iso(got) == ["2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00",
                        "2026-03-30T09:00:00+02:00"]


def test_berlin_fall_back_ambiguous_time_fires_once_first() -> None:
    after = datetime.fromisoformat("2026-10-24T12:00:00+02:00")
    got = next_occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", after, BERLIN, 2)
    assert iso(got) == ["2026-10-25T02:30:00+02:00", "2026-10-26T02:30:00+01:00"]


def test_hourly_across_berlin_spring_forward_is_elapsed() -> None:
    after = datetime.fromisoformat("2026-03-29T00:30:00+01:00")
    got = next_occurrences("FREQ=HOURLY;INTERVAL=2", after, BERLIN, 2)
    assert iso(got) == ["2026-03-29T03:30:00+02:00", "2026-03-29T05:30:00+02:00"]


def test_new_york_spring_forward_and_fall_back() -> None:
    after = datetime.fromisoformat("2026-03-07T12:00:00-05:00")
    got = next_occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=30", after, NEW_YORK, 2)
    assert iso(got) == ["2026-03-08T03:30:00-04:00", "2026-03-09T02:30:00-04:00"]
    after = datetime.fromisoformat("2026-10-31T12:00:00-04:00")
    got = next_occurrences("FREQ=DAILY;BYHOUR=1;BYMINUTE=30", after, NEW_YORK, 2)
    assert iso(got) == ["2026-11-01T01:30:00-04:00", "2026-11-02T01:30:00-05:00"]


def test_after_within_the_repeated_hour() -> None:
    # 01:45 EST (second pass) on 2026-11-01: 01:30 EDT has passed, next is tomorrow
    after = datetime.fromisoformat("2026-11-01T01:45:00-05:00")
    got = next_occurrences("FREQ=DAILY;BYHOUR=1;BYMINUTE=30", after, NEW_YORK, 1)
    assert iso(got) == ["2026-11-02T01:30:00-05:00"]


def test_naive_after_is_a_bug() -> None:
    with pytest.raises(ValueError):
        next_occurrences("FREQ=HOURLY", datetime(2026, 1, 1), BERLIN)
