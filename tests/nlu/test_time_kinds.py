"""Time phrases of the kinds people say (issue 21), on a fixed clock: Tuesday 2026-11-24 10:15
Europe/Berlin. The phrases are this file's own, written for the failure classes the issue names
(vague amounts, fractions, times without a separator, approximate times, "o'clock", "after N
days", typos, named spans, recurrences); none comes from tests/nlu/time_corpus.jsonl."""

from __future__ import annotations

import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assistant.normalize import (
    AmbiguousTime,
    RecurrenceRule,
    TimeParseError,
    TimeParseReason,
    parse_recurrence,
    parse_when,
)

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime.fromisoformat("2026-11-24T10:15:00+01:00")
D = "2026-11-"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


SCHEDULED: list[tuple[str, str]] = [
    # vague amounts people use as numbers ("a few" = 3, as Duckling and recognizers-text read it)
    ("in a couple minutes", D + "24T10:17:00+01:00"),
    ("in a few weeks", "2026-12-15T10:15:00+01:00"),
    ("in half a dozen days", D + "30T10:15:00+01:00"),
    # fractions
    ("in 1/4 of an hour", D + "24T10:30:00+01:00"),
    ("three quarters of an hour from now", D + "24T11:00:00+01:00"),
    ("in 2 1/2 hours", D + "24T12:45:00+01:00"),
    ("a quarter hour from now", D + "24T10:30:00+01:00"),
    ("in four and a half hours", D + "24T14:45:00+01:00"),
    ("in one hour and a quarter", D + "24T11:30:00+01:00"),
    ("in 2h30", D + "24T12:45:00+01:00"),
    # times without a separator
    ("815 pm", D + "24T20:15:00+01:00"),
    ("1130am tomorrow", D + "25T11:30:00+01:00"),
    ("at 2045", D + "24T20:45:00+01:00"),
    ("0645 tomorrow", D + "25T06:45:00+01:00"),
    ("845 tomorrow evening", D + "25T20:45:00+01:00"),
    ("at 905", D + "24T21:05:00+01:00"),  # three digits, no am/pm: the reading later today
    ("7 45 pm", D + "24T19:45:00+01:00"),
    ("1015 in the evening", D + "24T22:15:00+01:00"),
    # approximate times are taken as said; an hour without am/pm takes its one reading later
    # today, and is asked about when both readings (or neither) fall later today
    ("10ish tonight", D + "24T22:00:00+01:00"),
    ("6ish", D + "24T18:00:00+01:00"),
    ("in 5 minuts", D + "24T10:20:00+01:00"),  # a typo in a unit of an amount
    ("by the end of january at 5pm", "2027-01-31T17:00:00+01:00"),
    ("8:30ish tomorrow morning", D + "25T08:30:00+01:00"),
    ("roughly 6pm", D + "24T18:00:00+01:00"),
    ("in about 20 minutes", D + "24T10:35:00+01:00"),
    ("an hour or so from now", D + "24T11:15:00+01:00"),
    # "o'clock" spellings
    ("9 o clock at night", D + "24T21:00:00+01:00"),
    ("at 8 o'clok in the morning", D + "25T08:00:00+01:00"),  # a typo in "o'clock"
    ("some time around 11am", D + "24T11:00:00+01:00"),
    ("ten o clock tomorrow morning", D + "25T10:00:00+01:00"),
    ("5 o'clock pm", D + "24T17:00:00+01:00"),
    ("8 o'clock sharp tomorrow morning", D + "25T08:00:00+01:00"),
    # after N days
    ("after 4 days", D + "28T10:15:00+01:00"),
    ("after two weeks", "2026-12-08T10:15:00+01:00"),
    ("after 5 days at 6pm", D + "29T18:00:00+01:00"),
    ("2 days after tomorrow", D + "27T09:00:00+01:00"),
    ("in four days' time", D + "28T10:15:00+01:00"),
    ("a week tomorrow", "2026-12-02T09:00:00+01:00"),
    ("in 4 hourz", D + "24T14:15:00+01:00"),  # a unit's plural spelt with z
    ("a coupla days from now", D + "26T10:15:00+01:00"),
    # a typo in a part of the day, with a time said: the time decides
    ("at 7 in the eveing", D + "24T19:00:00+01:00"),
    ("tomorrow mornin at 8", D + "25T08:00:00+01:00"),
    ("at 6 this evning", D + "24T18:00:00+01:00"),
    # h:mm in a part of the day keeps its minutes
    ("10 past 4 in the afternoon", D + "24T16:10:00+01:00"),
    ("twenty to 6 in the evening", D + "24T17:40:00+01:00"),
    ("half eight tomorrow morning", D + "25T08:30:00+01:00"),
    # named spans
    ("by the end of this month at 17:00", D + "30T17:00:00+01:00"),
    ("in two fortnights", "2026-12-22T10:15:00+01:00"),
    ("a week from friday", "2026-12-04T09:00:00+01:00"),
    ("first monday of next month", "2026-12-07T09:00:00+01:00"),
    ("the last friday of the month at 4pm", D + "27T16:00:00+01:00"),
    ("same time next week", "2026-12-01T10:15:00+01:00"),
    ("same time tomorrow", D + "25T10:15:00+01:00"),
    ("on the 4th of next month at 11am", "2026-12-04T11:00:00+01:00"),
    ("thursday next week", "2026-12-03T09:00:00+01:00"),
    ("a week on tuesday", "2026-12-08T09:00:00+01:00"),
    ("on christmas eve at 7pm", "2026-12-24T19:00:00+01:00"),
    ("on new year's day", "2027-01-01T09:00:00+01:00"),
    ("next month on the 10th", "2026-12-10T09:00:00+01:00"),
    ("the last day of the month", D + "30T09:00:00+01:00"),
    # dates
    ("friday the 27th", D + "27T09:00:00+01:00"),
    ("the 2nd of december at noon", "2026-12-02T12:00:00+01:00"),
    ("on the third", "2026-12-03T09:00:00+01:00"),  # a date with "on", unlike "the third"
    ("12/24 at 6pm", "2026-12-24T18:00:00+01:00"),
    ("wed. at 4pm", D + "25T16:00:00+01:00"),
]


@pytest.mark.parametrize(("phrase", "expected"), SCHEDULED)
def test_scheduled(phrase: str, expected: str) -> None:
    result = parse_when(phrase, NOW, BERLIN)
    assert isinstance(result, datetime), result
    assert result == at(expected) and result.utcoffset() == at(expected).utcoffset()


ASKED: list[tuple[str, tuple[str, ...]]] = [
    # an hour 1-11 without am/pm or a part of the day, on a day other than today: both
    # readings of the 12-hour clock are offered (issue 21: never a silently wrong hour)
    ("8 o'clock sharp tomorrow", (D + "25T08:00:00+01:00", D + "25T20:00:00+01:00")),
    ("on the 4th of next month at 11", ("2026-12-04T11:00:00+01:00",
                                        "2026-12-04T23:00:00+01:00")),
    ("in 3 days at 8", (D + "27T08:00:00+01:00", D + "27T20:00:00+01:00")),
    # "today at 5" after 05:00: the one reading still ahead today is offered, not an error
    ("today at 5", (D + "24T17:00:00+01:00",)),
    # day and month can swap
    ("5/12", ("2026-12-05T09:00:00+01:00", "2027-05-12T09:00:00+02:00")),
    # an approximate hour without am/pm: both readings are offered
    ("around 11", (D + "24T11:00:00+01:00", D + "24T23:00:00+01:00")),  # both later today
    ("tomorrow around 8", (D + "25T08:00:00+01:00", D + "25T20:00:00+01:00")),
    # a misspelt part of the day without a time: the guess is offered, not scheduled
    ("tomorow evening", (D + "25T18:00:00+01:00",)),
]


@pytest.mark.parametrize(("phrase", "options"), ASKED)
def test_asked_with_options(phrase: str, options: tuple[str, ...]) -> None:
    result = parse_when(phrase, NOW, BERLIN)
    assert isinstance(result, AmbiguousTime), result
    assert tuple(o.isoformat() for o in result.options) == options


@pytest.mark.parametrize(("phrase", "reason"), [
    ("in a little while", TimeParseReason.VAGUE),
    ("sometime next week", TimeParseReason.VAGUE),
    ("in several days", TimeParseReason.VAGUE),
    ("in a day or two", TimeParseReason.VAGUE),
    ("in 3 to 4 hours", TimeParseReason.VAGUE),
    ("early next month", TimeParseReason.VAGUE),
    ("the week after next", TimeParseReason.VAGUE),
    ("3 days ago", TimeParseReason.IN_PAST),
    ("earlier today", TimeParseReason.IN_PAST),
    ("in -2 hours", TimeParseReason.IN_PAST),  # a negative amount is in the past
    # a span of days, or the end of one, names no moment: asked (issue 21)
    ("next weekend at noon", TimeParseReason.VAGUE),
    ("the weekend after next at noon", TimeParseReason.VAGUE),
    ("by the end of january", TimeParseReason.VAGUE),
    ("by the end of this month", TimeParseReason.VAGUE),
    # an ordinal alone is a place in a list ("the third link"), not a date
    ("the third", TimeParseReason.UNRECOGNIZED),
    ("the 2nd", TimeParseReason.UNRECOGNIZED),
])
def test_not_a_moment_is_asked_with_a_reason(phrase: str, reason: TimeParseReason) -> None:
    result = parse_when(phrase, NOW, BERLIN)
    assert isinstance(result, TimeParseError) and result.reason is reason, result


def test_three_digits_without_am_pm_are_asked_when_both_readings_are_later_today() -> None:
    early = datetime.fromisoformat("2026-11-24T05:30:00+01:00")
    result = parse_when("at 745", early, BERLIN)
    assert isinstance(result, AmbiguousTime), result
    assert [o.isoformat() for o in result.options] == [D + "24T07:45:00+01:00",
                                                       D + "24T19:45:00+01:00"]


def test_a_weekday_that_does_not_fit_the_date_is_named() -> None:
    result = parse_when("friday the 28th", NOW, BERLIN)
    assert isinstance(result, TimeParseError) and result.reason is TimeParseReason.CONFLICT
    assert "Saturday" in result.message


def test_a_morning_hour_far_ahead_is_asked_and_one_within_the_hour_is_not() -> None:
    early = datetime.fromisoformat("2026-11-24T06:00:00+01:00")
    asked = parse_when("at 9", early, BERLIN)
    assert isinstance(asked, AmbiguousTime)
    assert [o.hour for o in asked.options] == [9, 21]
    near = datetime.fromisoformat("2026-11-24T08:30:00+01:00")
    assert parse_when("at 9", near, BERLIN) == at(D + "24T09:00:00+01:00")


@pytest.mark.parametrize("phrase", ["twice a week", "every hour between 8 and 18",
                                    "3 times a week", "every day from 8 to 6"])
def test_several_times_a_period_is_asked_not_cut_down(phrase: str) -> None:
    result = parse_recurrence(phrase, NOW, BERLIN)
    assert isinstance(result, TimeParseError) and result.reason is TimeParseReason.VAGUE, result


@pytest.mark.parametrize("phrase", ["on thursday at 5pm", "the 3rd", "on the 15th at 8"])
def test_one_day_is_not_a_repetition(phrase: str) -> None:
    result = parse_recurrence(phrase, NOW, BERLIN)
    assert isinstance(result, TimeParseError) and result.reason is TimeParseReason.UNRECOGNIZED


def test_plural_weekday_still_repeats() -> None:
    """A guard for the rule above (this passed before it too)."""
    assert str(parse_recurrence("on thursdays at 5pm", NOW, BERLIN)) == \
        "FREQ=WEEKLY;BYDAY=TH;BYHOUR=17;BYMINUTE=0"
    assert isinstance(parse_recurrence("every other friday", NOW, BERLIN), RecurrenceRule)


# -- through the planner (templates + normalizer, no model) ------------------------------------
def _plan(request: str) -> tuple[str, list[tuple[str, dict[str, Any]]], str | None]:
    from assistant import Assistant

    home = Path(tempfile.mkdtemp(prefix="lam-time-kinds-"))
    (home / "config").mkdir()
    (home / "config" / "plugins.toml").write_text('[lam]\nmodel = ""\nlarge_model = ""\n')
    with Assistant(home=str(home), now=NOW, tz="Europe/Berlin") as lam:
        proposal = lam.plan(request)
    steps = [(s.action, dict(s.args)) for s in proposal.plan.steps]
    return proposal.plan.kind, steps, proposal.plan.question


@pytest.mark.parametrize(("request_text", "when"), [
    ("remind me on friday at 5pm to call the bank", D + "27T17:00:00+01:00"),
    ("remind me to call the bank 2 days after tomorrow", D + "27T09:00:00+01:00"),
    ("remind me to feed the cat in 1/4 of an hour", D + "24T10:30:00+01:00"),
])
def test_planner_schedules_one_reminder(request_text: str, when: str) -> None:
    kind, steps, _ = _plan(request_text)
    assert kind == "actions", (kind, steps)
    (action, args), = steps
    assert action == "set_reminder" and at(str(args["when"])) == at(when)
    assert not args.get("every")
    assert args["text"] in ("call the bank", "feed the cat")


@pytest.mark.parametrize("request_text", [
    "remind me to call the bank in a little while",
    "remind me to stretch three times a day",
])
def test_planner_asks_about_a_vague_time(request_text: str) -> None:
    kind, steps, question = _plan(request_text)
    assert kind == "question" and question, (kind, steps)


@pytest.mark.parametrize(("request_text", "said"), [
    ("open the second link", None),  # an ordinal over items is no time said
    ("click the fourth result please", None),
    ("remind me to pay the gas bill on the fourth", "on the fourth"),
])
def test_an_ordinal_over_items_is_no_time_in_the_request(request_text: str,
                                                        said: str | None) -> None:
    from assistant.context import EntityTable
    from assistant.planner.slots import SlotFiller

    filler = SlotFiller(table=EntityTable(), now=NOW, tz=BERLIN, request=request_text)
    assert filler.time_in_request() == said
