"""One thing at two times ("… at 5pm and again at 9pm", "in 10 min … and again in 25"): the
request without its "again" clause is planned, and its one timed step repeated at the other
time (assistant/planner/again.py, `Planner.stage_again`). NOW is Tuesday 24 Nov 2026 10:15,
Berlin. Real templates (tier 0) and a scripted tier 1."""

from __future__ import annotations

from datetime import datetime

import pytest

from assistant.planner.again import find_again
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW
from tests.planner.test_escalation import Scripted

TZ = NOW.tzinfo


def _plan(runtime: Runtime, request: str) -> list[tuple[str, str, datetime]]:
    runtime.model_factories = {1: lambda: Scripted({"steps": [], "reply": "?"}),
                               2: lambda: None}
    plan = Session(runtime).propose(request).plan
    return [(s.action, s.args["text"], datetime.fromisoformat(s.args["when"]))
            for s in plan.steps]


def test_a_second_clock_time_is_a_second_reminder(runtime: Runtime) -> None:
    assert _plan(runtime, "remind me to feed the cat at 5pm and again at 9pm") == [
        ("set_reminder", "feed the cat", datetime(2026, 11, 24, 17, 0, tzinfo=TZ)),
        ("set_reminder", "feed the cat", datetime(2026, 11, 24, 21, 0, tzinfo=TZ))]


def test_a_bare_amount_counts_in_the_first_ones_unit(runtime: Runtime) -> None:
    assert _plan(runtime, "remind me in 10 min to turn the bread and again in 25") == [
        ("set_reminder", "turn the bread", datetime(2026, 11, 24, 10, 25, tzinfo=TZ)),
        ("set_reminder", "turn the bread", datetime(2026, 11, 24, 10, 40, tzinfo=TZ))]


def test_a_clock_time_after_again_is_on_the_first_ones_day(runtime: Runtime) -> None:
    found = _plan(runtime, "remind me friday at 8am to call the garage, then again at noon")
    assert [when for _, _, when in found] == [datetime(2026, 11, 27, 8, 0, tzinfo=TZ),
                                              datetime(2026, 11, 27, 12, 0, tzinfo=TZ)]


@pytest.mark.parametrize("request_text", [
    "remind me again in 10 min",                  # no first time: nothing to repeat
    "send the draft to ivo again tomorrow",       # "again" says nothing about a second time
])
def test_no_second_time_without_a_first(request_text: str) -> None:
    assert find_again(request_text, NOW, TZ) is None  # type: ignore[arg-type]
