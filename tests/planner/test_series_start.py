"""A repetition that says when it begins ("starting next week", "from the 1st on") fires first
on or after that day (assistant/planner/series_start.py). NOW is Tuesday 24 Nov 2026 10:15 in
Berlin. Scripted tier 1: these check slot filling, not the model."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant.planner.series_start import series_start
from assistant.runtime import Runtime
from tests.planner.conftest import NOW
from tests.planner.test_recurrence_words import _reminder

TZ = NOW.tzinfo


@pytest.mark.parametrize(("request_text", "day"), [
    ("starting next week, every weekday at 7am nudge me to stretch", "2026-11-30"),
    ("every morning at 7 from tomorrow on, ping me about water", "2026-11-25"),
    ("beginning next month, the 3rd of each month, rent", "2026-12-01"),
    ("from dec 10 every day at 6pm remind me to water the tree", "2026-12-10"),
])
def test_the_day_a_series_starts(request_text: str, day: str) -> None:
    start = series_start(request_text, NOW, TZ)  # type: ignore[arg-type]
    assert start is not None and start.isoformat().startswith(day + "T00:00:00")


@pytest.mark.parametrize("request_text", [
    "every day at 9 remind me to stretch",          # no start said
    "every day at 5 from today, stretch",           # a start that is not later than now
    "every friday read me mail from ines",          # "from" a person, not a day
])
def test_no_start_later_than_now(request_text: str) -> None:
    assert series_start(request_text, NOW, TZ) is None  # type: ignore[arg-type]


def test_the_first_reminder_of_a_series_is_on_its_first_day(runtime: Runtime) -> None:
    args = _reminder(runtime, "starting next week, every weekday at 7am nudge me to stretch",
                     "stretch", "7am", every="every weekday at 7am")
    assert datetime.fromisoformat(args["when"]) == datetime(2026, 11, 30, 7, 0, tzinfo=TZ)


def test_without_a_start_the_first_reminder_is_the_next_one(runtime: Runtime) -> None:
    args = _reminder(runtime, "every weekday at 7am nudge me to stretch", "stretch", "7am",
                     every="every weekday at 7am")
    assert datetime.fromisoformat(args["when"]) == datetime(2026, 11, 25, 7, 0, tzinfo=TZ)


def test_a_first_time_the_model_computed_gives_way_to_the_series_start(
        runtime: Runtime) -> None:
    args = _reminder(runtime, "starting next week, every weekday at 7am nudge me to stretch",
                     "stretch", "2026-11-25T07:00:00+01:00", every="every weekday at 7am")
    assert datetime.fromisoformat(args["when"]) == datetime(2026, 11, 30, 7, 0, tzinfo=TZ)
