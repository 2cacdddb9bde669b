"""A recurrence only when the request asks for a repetition: a frequency word that describes
a thing ("the weekly sync", "my monthly rent") makes no rule (assistant/planner/slots.py,
FREQUENCY_ADJECTIVE). Scripted tier 1: these check slot filling, not the model."""

from __future__ import annotations

from typing import Any

import pytest

from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted


def _reminder(runtime: Runtime, request: str, text: str, when: str,
              every: str | None = None) -> dict[str, Any]:
    args = {"text": text, "when": when, **({"every": every} if every else {})}
    tier1 = Scripted({"steps": [{"action": "set_reminder", "args": args}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    plan = Session(runtime).propose(request).plan
    assert [s.action for s in plan.steps] == ["set_reminder"], plan
    return plan.steps[0].args


@pytest.mark.parametrize(("request_text", "text", "when"), [
    ("buzz me about the weekly team sync on thursday at 2pm", "the weekly team sync",
     "thursday at 2pm"),
    ("ping me friday at 4pm re the monthly invoice", "the monthly invoice", "friday at 4pm"),
])
def test_a_frequency_word_that_describes_a_thing_makes_no_rule(
        runtime: Runtime, request_text: str, text: str, when: str) -> None:
    args = _reminder(runtime, request_text, text, when)
    assert args.get("every") in (None, "")
    assert args["when"].endswith(("T14:00:00+01:00", "T16:00:00+01:00"))


def test_a_model_rule_copied_from_a_describing_word_is_dropped(runtime: Runtime) -> None:
    args = _reminder(runtime, "buzz me about the weekly team sync on thursday at 2pm",
                     "the team sync", "thursday at 2pm", every="weekly")
    assert args.get("every") in (None, "")


@pytest.mark.parametrize("request_text", [
    "buzz me weekly on thursday at 2pm about the team sync",
    "buzz me every thursday at 2pm about the team sync"])
def test_a_repetition_the_request_asks_for_stays(runtime: Runtime, request_text: str) -> None:
    args = _reminder(runtime, request_text, "the team sync", "thursday at 2pm")
    assert args["every"] == "FREQ=WEEKLY;BYDAY=TH;BYHOUR=14;BYMINUTE=0"


def test_a_plural_weekday_asks_for_a_repetition(runtime: Runtime) -> None:
    args = _reminder(runtime, "nudge me on tuesdays at 8am to water the ferns", "water the ferns",
                     "tuesdays at 8am")
    assert args["every"] == "FREQ=WEEKLY;BYDAY=TU;BYHOUR=8;BYMINUTE=0"
    once = _reminder(runtime, "nudge me on tuesday at 8am to water the ferns",
                     "water the ferns", "tuesday at 8am")
    assert once.get("every") in (None, "")
