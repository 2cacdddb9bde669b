"""parse_when on a fixed clock: Tuesday 2026-11-24 10:15 Europe/Berlin (+ DST cases).

The case list is also the golden data ``tests/golden/time_phrases.json``; regenerate it with
``PYTHONPATH=. python3 -m tests.nlu.test_times`` after changing a case.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from assistant.normalize import AmbiguousTime, TimeParseError, TimeParseReason, parse_when

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "time_phrases.json"
NOW = "2026-11-24T10:15:00+01:00"
BERLIN = "Europe/Berlin"


def amb(*options: str) -> dict[str, list[str]]:
    return {"ambiguous": list(options)}


def err(reason: str) -> dict[str, str]:
    return {"error": reason}


D = "2026-11-"  # most answers fall in this month
CASES: list[tuple[str, Any]] = [
    # clock times: next occurrence strictly after now
    # an hour 1-11 without am/pm on another day: both 12-hour readings are asked (issue 21)
    ("tomorrow at 9", amb(D + "25T09:00:00+01:00", D + "25T21:00:00+01:00")),
    ("at 9", D + "24T21:00:00+01:00"),  # 9:00 has passed today: the nearest future 9 o'clock
    ("9am", D + "25T09:00:00+01:00"),
    ("9 am", D + "25T09:00:00+01:00"),
    ("9 a.m.", D + "25T09:00:00+01:00"),
    ("at nine", D + "24T21:00:00+01:00"),
    ("09:00", D + "25T09:00:00+01:00"),
    ("9:30 pm", D + "24T21:30:00+01:00"),
    ("9:30pm", D + "24T21:30:00+01:00"),
    ("at 9 p.m.", D + "24T21:00:00+01:00"),
    ("21:00", D + "24T21:00:00+01:00"),
    ("at 21:00", D + "24T21:00:00+01:00"),
    ("at 10:15", D + "24T22:15:00+01:00"),  # exactly now -> its evening reading
    ("at 09:00", D + "25T09:00:00+01:00"),  # zero-padded: 24-hour clock, tomorrow
    ("at 10:16", D + "24T10:16:00+01:00"),
    ("at 0:30", D + "25T00:30:00+01:00"),
    ("at 7", D + "24T19:00:00+01:00"),  # 07:00 has passed, 19:00 is ahead today
    ("at 11", D + "24T11:00:00+01:00"),  # within the hour: the morning reading
    ("at 12am", D + "25T00:00:00+01:00"),
    ("at 12pm", D + "24T12:00:00+01:00"),
    ("noon", D + "24T12:00:00+01:00"),
    ("at noon", D + "24T12:00:00+01:00"),
    ("midnight", D + "25T00:00:00+01:00"),
    ("half past 9", D + "24T21:30:00+01:00"),
    ("quarter to 5 pm", D + "24T16:45:00+01:00"),
    ("Tomorrow at 9!", amb(D + "25T09:00:00+01:00", D + "25T21:00:00+01:00")),
    ("at 9 tomorrow", amb(D + "25T09:00:00+01:00", D + "25T21:00:00+01:00")),
    ("tomorrow at 3pm", D + "25T15:00:00+01:00"),
    ("tomorrow at 12", D + "25T12:00:00+01:00"),
    ("tomorrow at midnight", amb(D + "25T00:00:00+01:00", D + "26T00:00:00+01:00")),  # start/end
    ("today at 5", amb(D + "24T17:00:00+01:00")),  # 05:00 has passed: 17:00 offered
    # day parts
    ("tonight", D + "24T20:00:00+01:00"),
    ("tonight at 11", D + "24T23:00:00+01:00"),
    ("tonight at 12", D + "25T00:00:00+01:00"),
    ("quarter past 8 tonight", D + "24T20:15:00+01:00"),
    ("this evening", D + "24T18:00:00+01:00"),
    ("this afternoon", D + "24T15:00:00+01:00"),
    ("7 in the evening", D + "24T19:00:00+01:00"),
    ("in the morning", D + "25T09:00:00+01:00"),
    ("at 6 in the morning", D + "25T06:00:00+01:00"),
    ("tomorrow morning", D + "25T09:00:00+01:00"),
    ("tomorrow evening", D + "25T18:00:00+01:00"),
    ("tomorrow night", D + "25T20:00:00+01:00"),
    ("wednesday morning", D + "25T09:00:00+01:00"),
    ("end of day", err("vague")),
    ("eod", err("vague")),
    ("by the end of the day", err("vague")),
    ("end of week", err("vague")),
    # durations
    ("in 90 minutes", D + "24T11:45:00+01:00"),
    ("in 2 hours", D + "24T12:15:00+01:00"),
    ("in an hour", D + "24T11:15:00+01:00"),
    ("in half an hour", D + "24T10:45:00+01:00"),
    ("in an hour and a half", D + "24T11:45:00+01:00"),
    ("in 1 hour 30 minutes", D + "24T11:45:00+01:00"),
    ("in 10 min", D + "24T10:25:00+01:00"),
    ("in 45 mins", D + "24T11:00:00+01:00"),
    ("2 hours from now", D + "24T12:15:00+01:00"),
    # an amount before or after a time
    ("half an hour before 17:00", D + "24T16:30:00+01:00"),
    ("20 minutes before the 17:00 departure", D + "24T16:40:00+01:00"),
    ("an hour before tomorrow at 3pm", D + "25T14:00:00+01:00"),
    ("10 minutes after 3pm tomorrow", D + "25T15:10:00+01:00"),
    ("2 days before christmas", "2026-12-23T09:00:00+01:00"),
    ("15 minutes before the game tonight", err("no_anchor")),  # which time is the game?
    ("20 min before the 9:15 train tomorrow", amb(D + "25T08:55:00+01:00",
                                                  D + "25T20:55:00+01:00")),
    ("an hour before 10:30", err("in_past")),
    ("in 3 days", D + "27T10:15:00+01:00"),  # keeps the time of day
    ("in 3 days at 8", amb(D + "27T08:00:00+01:00",
                           D + "27T20:00:00+01:00")),
    ("in 2 weeks", "2026-12-08T10:15:00+01:00"),
    ("in 2 months", "2027-01-24T10:15:00+01:00"),
    # weekdays (today is a Tuesday)
    ("next Tuesday at 5pm", "2026-12-01T17:00:00+01:00"),
    ("next tuesday", "2026-12-01T09:00:00+01:00"),  # on a Tuesday: in 7 days
    ("on Tuesday", "2026-12-01T09:00:00+01:00"),
    ("tuesday", "2026-12-01T09:00:00+01:00"),
    ("Friday", D + "27T09:00:00+01:00"),
    ("Fri", D + "27T09:00:00+01:00"),
    ("on Friday", D + "27T09:00:00+01:00"),
    ("this Friday", D + "27T09:00:00+01:00"),
    ("friday at 5pm", D + "27T17:00:00+01:00"),
    ("5pm friday", D + "27T17:00:00+01:00"),
    ("next monday", D + "30T09:00:00+01:00"),  # both readings agree
    ("next friday", amb(D + "27T09:00:00+01:00", "2026-12-04T09:00:00+01:00")),
    ("next sat at 10am", amb(D + "28T10:00:00+01:00", "2026-12-05T10:00:00+01:00")),
    ("this weekend", err("vague")),
    ("next week", err("vague")),
    ("next month", err("vague")),
    ("the day after tomorrow", D + "26T09:00:00+01:00"),
    ("day after tomorrow at 7pm", D + "26T19:00:00+01:00"),
    # dates
    ("on the 3rd", "2026-12-03T09:00:00+01:00"),
    ("the 3rd at 10", amb("2026-12-03T10:00:00+01:00", "2026-12-03T22:00:00+01:00")),
    ("on the third", "2026-12-03T09:00:00+01:00"),
    ("on the 24th", "2026-12-24T09:00:00+01:00"),  # today 09:00 has passed
    ("on the 24th at 5pm", D + "24T17:00:00+01:00"),
    ("on the 31st", "2026-12-31T09:00:00+01:00"),
    ("on March 3", "2027-03-03T09:00:00+01:00"),
    ("March 3rd", "2027-03-03T09:00:00+01:00"),
    ("3 March at 10", amb("2027-03-03T10:00:00+01:00", "2027-03-03T22:00:00+01:00")),
    ("3rd of March", "2027-03-03T09:00:00+01:00"),
    ("december 1 at 14:00", "2026-12-01T14:00:00+01:00"),
    ("november 24 at 5pm", D + "24T17:00:00+01:00"),
    ("march 3 2028", "2028-03-03T09:00:00+01:00"),
    ("on february 29", "2028-02-29T09:00:00+01:00"),
    ("2026-12-01 14:00", "2026-12-01T14:00:00+01:00"),
    ("2026-12-01T14:00", "2026-12-01T14:00:00+01:00"),
    ("2026-12-01T13:00:00Z", "2026-12-01T14:00:00+01:00"),
    ("2026-12-01T14:00:00-05:00", "2026-12-01T20:00:00+01:00"),
    ("2026-12-01", "2026-12-01T09:00:00+01:00"),
    ("2026-12-01 at 8", amb("2026-12-01T08:00:00+01:00", "2026-12-01T20:00:00+01:00")),
    # ambiguity instead of a guess
    ("at 5", D + "24T17:00:00+01:00"),  # 05:00 has passed: the evening reading today
    ("tomorrow at 3", amb(D + "25T03:00:00+01:00", D + "25T15:00:00+01:00")),
    # errors with a reason
    ("today at 9", amb(D + "24T21:00:00+01:00")),  # 09:00 passed: 21:00 offered
    ("this morning", err("in_past")),
    ("yesterday", err("in_past")),
    ("last friday", err("in_past")),
    ("2026-01-01 10:00", err("in_past")),
    ("february 30 2027", err("invalid")),
    ("25:00", err("invalid")),
    ("13pm", err("invalid")),
    ("9", err("unrecognized")),
    ("whenever you like", err("unrecognized")),
    ("", err("empty")),
    ("tomorrow on friday", err("conflict")),
    ("in 2 hours tomorrow", err("conflict")),
    ("tomorrow this evening", err("conflict")),
]

# DST: Europe/Berlin springs forward 2026-03-29 02:00->03:00, falls back 2026-10-25 03:00->02:00;
# America/New_York springs forward 2026-03-08, falls back 2026-11-01.
DST_CASES: list[tuple[str, str, str, Any]] = [
    # a one-off wall time in the spring-forward gap does not exist: asked (recurring rules shift)
    ("tomorrow at 02:30", "2026-03-28T10:00:00+01:00", BERLIN,
     amb("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00")),
    ("tomorrow at 2:30 am", "2026-03-28T10:00:00+01:00", BERLIN,
     amb("2026-03-29T01:30:00+01:00", "2026-03-29T03:30:00+02:00")),
    ("in 1 day", "2026-03-28T10:00:00+01:00", BERLIN, "2026-03-29T10:00:00+02:00"),
    ("in 24 hours", "2026-03-28T10:00:00+01:00", BERLIN, "2026-03-29T11:00:00+02:00"),
    ("in 2 hours", "2026-03-29T01:30:00+01:00", BERLIN, "2026-03-29T04:30:00+02:00"),
    ("tomorrow at 02:30", "2026-10-24T12:00:00+02:00", BERLIN, "2026-10-25T02:30:00+02:00"),
    ("in 2 hours", "2026-10-25T01:30:00+02:00", BERLIN, "2026-10-25T02:30:00+01:00"),
    ("at 9am", "2026-10-24T12:00:00+02:00", BERLIN, "2026-10-25T09:00:00+01:00"),
    ("tomorrow at 02:30", "2026-03-07T12:00:00-05:00", "America/New_York",
     amb("2026-03-08T01:30:00-05:00", "2026-03-08T03:30:00-04:00")),
    ("in 1 day", "2026-03-07T12:00:00-05:00", "America/New_York", "2026-03-08T12:00:00-04:00"),
    ("in 24 hours", "2026-03-07T12:00:00-05:00", "America/New_York",
     "2026-03-08T13:00:00-04:00"),
    ("tomorrow at 01:30", "2026-10-31T12:00:00-04:00", "America/New_York",
     "2026-11-01T01:30:00-04:00"),
    ("next sunday at 9pm", "2026-10-31T12:00:00-04:00", "America/New_York",
     amb("2026-11-01T21:00:00-05:00", "2026-11-08T21:00:00-05:00")),
    ("sunday at 9pm", "2026-10-31T12:00:00-04:00", "America/New_York",
     "2026-11-01T21:00:00-05:00"),
    ("at 9", "2026-11-24T10:15:00+01:00", "UTC", "2026-11-24T21:00:00+00:00"),
]


def all_cases() -> list[dict[str, Any]]:
    """Every case as golden data: {"phrase", "now", "tz", "expected"}."""
    rows = [{"phrase": p, "now": NOW, "tz": BERLIN, "expected": e} for p, e in CASES]
    rows += [{"phrase": p, "now": n, "tz": z, "expected": e} for p, n, z, e in DST_CASES]
    return rows


def encode(result: object) -> Any:
    if isinstance(result, datetime):
        return result.isoformat()
    if isinstance(result, AmbiguousTime):
        return amb(*(o.isoformat() for o in result.options))
    assert isinstance(result, TimeParseError), result
    return err(result.reason.value)


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: f"{c['phrase']}@{c['now'][:10]}")
def test_phrase(case: dict[str, Any]) -> None:
    tz = ZoneInfo(case["tz"])
    result = parse_when(case["phrase"], datetime.fromisoformat(case["now"]), tz)
    assert encode(result) == case["expected"]
    if isinstance(result, datetime):
        assert result.tzinfo == tz  # always in the user's zone
        assert result > datetime.fromisoformat(case["now"])


def test_enough_cases() -> None:
    assert len(all_cases()) >= 80


def test_golden_file_is_the_case_list() -> None:
    assert json.loads(GOLDEN.read_text("utf-8")) == all_cases()


def test_now_must_be_aware() -> None:
    with pytest.raises(ValueError):
        parse_when("at 9", datetime(2026, 11, 24, 10, 15), ZoneInfo(BERLIN))


def test_now_in_another_zone_is_converted() -> None:
    now = datetime.fromisoformat("2026-11-24T09:15:00+00:00")  # 10:15 in Berlin
    # unconverted (09:15 read as Berlin time) it would be 10:00 today, within the hour
    assert parse_when("at 10", now, ZoneInfo(BERLIN)).isoformat() == (  # type: ignore[union-attr]
        "2026-11-24T22:00:00+01:00")


def test_error_is_a_value_with_message() -> None:
    result = parse_when("whenever you like", datetime.fromisoformat(NOW), ZoneInfo(BERLIN))
    assert isinstance(result, TimeParseError)
    assert result.reason is TimeParseReason.UNRECOGNIZED
    assert "whenever" in result.message


def test_ambiguity_lists_options_in_order_and_asks() -> None:
    result = parse_when("tomorrow at 5", datetime.fromisoformat(NOW), ZoneInfo(BERLIN))
    assert isinstance(result, AmbiguousTime)
    assert result.options[0] < result.options[1]
    assert result.message.startswith("did you mean")


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(all_cases(), indent=1, ensure_ascii=False) + "\n", "utf-8")
    print(f"wrote {len(all_cases())} cases to {GOLDEN}")
