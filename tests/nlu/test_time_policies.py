"""The time policies that settle readings a parser cannot (issue 21 follow-up): never a silently
wrong hour; when two readings are both plausible, take the conventional one or ask.

1. A clock hour 1-11 without a date or am/pm, said after its morning reading has passed, is its
   evening reading today while that is still ahead (the nearest future on the 12-hour clock).
2. "<day> at midnight" is the start or the end of that day: asked, both offered.
3. A one-off wall time in a spring-forward gap does not exist that day: asked (the hour before
   and the hour after offered), where recurring rules keep RFC 5545's shift.
4. The 12-hour clock elsewhere: a clock hour 1-11 without am/pm or a part of the day on any
   other day ("tomorrow at 8", "on the 5th at 10", "at 8" once both of today's readings have
   passed) or in a repetition ("every day at 8") has two readings: asked, both offered.
   "today at 8" once 08:00 has passed offers 20:00 (a question, not an error).
5. A span of days ("next week", "next month", "the weekend") or the end of one without a time
   ("end of day", "by the end of the month") names no moment: asked. With a time, the end of
   a month or week is its last day at that time.

The phrases are this file's own; none comes from tests/nlu/time_corpus.jsonl.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from assistant.normalize import (
    AmbiguousRule,
    AmbiguousTime,
    TimeParseError,
    TimeParseReason,
    next_occurrences,
    parse_recurrence,
    parse_when,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def iso(result: object) -> object:
    if isinstance(result, datetime):
        return result.isoformat()
    if isinstance(result, AmbiguousTime):
        return [o.isoformat() for o in result.options]
    return result


# -- 1. a bare hour after its morning reading has passed ------------------------------------------
@pytest.mark.parametrize(("phrase", "now", "expected"), [
    ("at 8", "2026-06-10T15:40:00+02:00", "2026-06-10T20:00:00+02:00"),
    ("at eleven", "2026-06-10T12:05:00+02:00", "2026-06-10T23:00:00+02:00"),
    ("quarter past 4", "2026-06-10T09:00:00+02:00", "2026-06-10T16:15:00+02:00"),
    ("at 7:45", "2026-06-10T08:00:00+02:00", "2026-06-10T19:45:00+02:00"),
    ("at 3", "2026-06-10T04:10:00+02:00", "2026-06-10T15:00:00+02:00"),
])
def test_bare_hour_after_its_morning_is_this_evening(phrase: str, now: str, expected: str) -> None:
    assert iso(parse_when(phrase, at(now), BERLIN)) == expected


@pytest.mark.parametrize(("phrase", "now", "expected"), [
    # both readings over for today: tomorrow's two readings are asked (policy 4)
    ("at 8", "2026-06-10T21:30:00+02:00", ["2026-06-11T08:00:00+02:00",
                                          "2026-06-11T20:00:00+02:00"]),
    # 24-hour forms and an explicit am are not on the 12-hour clock
    ("at 08:00", "2026-06-10T15:40:00+02:00", "2026-06-11T08:00:00+02:00"),
    ("at 8am", "2026-06-10T15:40:00+02:00", "2026-06-11T08:00:00+02:00"),
    # 12 stays noon
    ("at 12", "2026-06-10T15:40:00+02:00", "2026-06-11T12:00:00+02:00"),
    # a time within the hour is the one meant
    ("at 8", "2026-06-10T07:30:00+02:00", "2026-06-10T08:00:00+02:00"),
])
def test_bare_hour_other_cases_unchanged(phrase: str, now: str, expected: object) -> None:
    assert iso(parse_when(phrase, at(now), BERLIN)) == expected


def test_bare_hour_both_ahead_and_morning_far_is_still_asked() -> None:
    got = parse_when("at 10", at("2026-06-10T06:20:00+02:00"), BERLIN)
    assert iso(got) == ["2026-06-10T10:00:00+02:00", "2026-06-10T22:00:00+02:00"]


# -- 2. "<day> at midnight" ----------------------------------------------------------------------
@pytest.mark.parametrize(("phrase", "start", "end"), [
    ("saturday at midnight", "2026-06-13T00:00:00+02:00", "2026-06-14T00:00:00+02:00"),
    ("midnight on saturday", "2026-06-13T00:00:00+02:00", "2026-06-14T00:00:00+02:00"),
    ("the day after tomorrow at midnight", "2026-06-12T00:00:00+02:00",
     "2026-06-13T00:00:00+02:00"),
    ("june 20 at midnight", "2026-06-20T00:00:00+02:00", "2026-06-21T00:00:00+02:00"),
])
def test_day_at_midnight_asks_start_or_end(phrase: str, start: str, end: str) -> None:
    got = parse_when(phrase, at("2026-06-10T15:40:00+02:00"), BERLIN)  # a Wednesday
    assert isinstance(got, AmbiguousTime), got
    assert iso(got) == [start, end]
    assert "start" in got.message and "end" in got.message


@pytest.mark.parametrize(("phrase", "expected"), [
    ("at midnight", "2026-06-11T00:00:00+02:00"),
    ("midnight tonight", "2026-06-11T00:00:00+02:00"),
    ("saturday night at midnight", "2026-06-14T00:00:00+02:00"),  # the night after Saturday
    ("today at midnight", "2026-06-11T00:00:00+02:00"),  # its start is over: one reading left
])
def test_midnight_without_a_second_reading_is_scheduled(phrase: str, expected: str) -> None:
    assert iso(parse_when(phrase, at("2026-06-10T15:40:00+02:00"), BERLIN)) == expected


# -- 3. a one-off time in a spring-forward gap ---------------------------------------------------
# Europe/Berlin springs forward 2026-03-29 02:00 -> 03:00; America/New_York on 2026-03-08.
@pytest.mark.parametrize(("phrase", "now", "tz", "expected"), [
    ("sunday at 02:45", "2026-03-26T18:00:00+01:00", BERLIN,
     ["2026-03-29T01:45:00+01:00", "2026-03-29T03:45:00+02:00"]),
    ("march 29 at 2:10 am", "2026-03-20T18:00:00+01:00", BERLIN,
     ["2026-03-29T01:10:00+01:00", "2026-03-29T03:10:00+02:00"]),
    ("2026-03-29 02:05", "2026-03-20T18:00:00+01:00", BERLIN,
     ["2026-03-29T01:05:00+01:00", "2026-03-29T03:05:00+02:00"]),
    ("in 1 day", "2026-03-07T02:20:00-05:00", NEW_YORK,
     ["2026-03-08T01:20:00-05:00", "2026-03-08T03:20:00-04:00"]),
])
def test_one_off_time_in_a_gap_is_asked(phrase: str, now: str, tz: ZoneInfo,
                                        expected: list[str]) -> None:
    got = parse_when(phrase, at(now), tz)
    assert isinstance(got, AmbiguousTime), got
    assert iso(got) == expected
    assert "does not exist" in got.message


def test_gap_reading_already_past_leaves_the_later_one_asked() -> None:
    # said at 01:50 on the day itself: 01:45 is over, 03:45 is still offered, not taken silently
    got = parse_when("at 02:45", at("2026-03-29T01:50:00+01:00"), BERLIN)
    assert isinstance(got, AmbiguousTime), got
    assert iso(got) == ["2026-03-29T03:45:00+02:00"]


def test_times_next_to_a_gap_are_scheduled() -> None:
    now = at("2026-03-26T18:00:00+01:00")
    assert iso(parse_when("sunday at 01:45", now, BERLIN)) == "2026-03-29T01:45:00+01:00"
    assert iso(parse_when("sunday at 03:00", now, BERLIN)) == "2026-03-29T03:00:00+02:00"


def test_recurring_rule_keeps_the_rfc5545_shift() -> None:
    got = next_occurrences("FREQ=DAILY;BYHOUR=2;BYMINUTE=45", at("2026-03-28T12:00:00+01:00"),
                           BERLIN, 2)
    assert [d.isoformat() for d in got] == ["2026-03-29T03:45:00+02:00",
                                            "2026-03-30T02:45:00+02:00"]
    assert got[0].date() == date(2026, 3, 29)


# -- 4. the 12-hour clock on another day, and in a repetition -------------------------------------
@pytest.mark.parametrize(("phrase", "expected"), [
    ("tomorrow at 8", ["2026-06-11T08:00:00+02:00", "2026-06-11T20:00:00+02:00"]),
    ("on saturday at 11:30", ["2026-06-13T11:30:00+02:00", "2026-06-13T23:30:00+02:00"]),
    ("june 20 at 10", ["2026-06-20T10:00:00+02:00", "2026-06-20T22:00:00+02:00"]),
    ("in 4 days at 9", ["2026-06-14T09:00:00+02:00", "2026-06-14T21:00:00+02:00"]),
    # what settles it: am/pm, the 24-hour clock, a part of the day; 12 is noon
    ("tomorrow at 8pm", "2026-06-11T20:00:00+02:00"),
    ("tomorrow at 08:00", "2026-06-11T08:00:00+02:00"),
    ("tomorrow morning at 8", "2026-06-11T08:00:00+02:00"),
    ("on saturday at 12", "2026-06-13T12:00:00+02:00"),
])
def test_bare_hour_on_another_day_is_asked(phrase: str, expected: object) -> None:
    assert iso(parse_when(phrase, at("2026-06-10T15:40:00+02:00"), BERLIN)) == expected


def test_today_at_a_passed_morning_hour_offers_the_evening() -> None:
    got = parse_when("today at 8", at("2026-06-10T15:40:00+02:00"), BERLIN)
    assert isinstance(got, AmbiguousTime) and iso(got) == ["2026-06-10T20:00:00+02:00"]
    assert "08:00 today has passed" in got.message
    late = parse_when("today at 8", at("2026-06-10T21:40:00+02:00"), BERLIN)
    assert isinstance(late, TimeParseError) and late.reason is TimeParseReason.IN_PAST
    assert "08:00 and 20:00" in late.message


def test_a_repetition_at_a_bare_hour_is_asked() -> None:
    now = at("2026-06-10T15:40:00+02:00")
    got = parse_recurrence("every weekday at 7:40", now, BERLIN)
    assert isinstance(got, AmbiguousRule)
    week = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert [str(o) for o in got.options] == [f"{week};BYHOUR=7;BYMINUTE=40",
                                             f"{week};BYHOUR=19;BYMINUTE=40"]
    assert str(parse_recurrence("every evening at 7:40", now, BERLIN)) == \
        "FREQ=DAILY;BYHOUR=19;BYMINUTE=40"


# -- 5. spans of days, and ends of them ------------------------------------------------------------
@pytest.mark.parametrize("phrase", ["next week", "next month", "this weekend", "next weekend",
                                    "end of day", "by eod", "by the end of the week",
                                    "end of the year", "at the end of june",
                                    "next week at 10am"])
def test_a_span_without_a_moment_is_asked(phrase: str) -> None:
    got = parse_when(phrase, at("2026-06-10T15:40:00+02:00"), BERLIN)
    assert isinstance(got, TimeParseError) and got.reason is TimeParseReason.VAGUE, got


@pytest.mark.parametrize(("phrase", "expected"), [
    ("by the end of the month at 4pm", "2026-06-30T16:00:00+02:00"),
    ("end of the week at 15:00", "2026-06-12T15:00:00+02:00"),
    ("same time next week", "2026-06-17T15:40:00+02:00"),
])
def test_a_span_with_its_moment_is_scheduled(phrase: str, expected: str) -> None:
    assert iso(parse_when(phrase, at("2026-06-10T15:40:00+02:00"), BERLIN)) == expected


@pytest.mark.parametrize(("phrase", "expected"), [
    ("at six thirty pm", "2026-11-24T18:30"),
    ("tomorrow at nine oh five am", "2026-11-25T09:05"),
    ("on december the twenty third at four thirty p m", "2026-12-23T16:30"),
    ("at 7:45 p m", "2026-11-24T19:45"),
])
def test_times_as_dictation_writes_them(phrase: str, expected: str) -> None:
    """Dictation spells clock times and days out ("six thirty", "the twenty third", "p m")."""
    from assistant.normalize import parse_when

    when = parse_when(phrase, datetime(2026, 11, 24, 10, 15, tzinfo=BERLIN), BERLIN)
    assert isinstance(when, datetime) and when.isoformat(timespec="minutes").startswith(expected)
