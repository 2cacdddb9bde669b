"""A request to act later ("tomorrow at 9am send …") is the rest of the request planned as
usual and scheduled as one `schedule_plan` step; a time inside the message, a reminder for the
user and a read stay as they are. Scripted models, the real scheduler and messaging plugins."""

from __future__ import annotations

from datetime import datetime

import pytest

from actions.plan import PlanKind
from assistant.planner.deferral import find_deferral
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW
from tests.planner.test_escalation import Scripted

TZ = NOW.tzinfo
SEND = {"steps": [{"action": "send_email",
                   "args": {"to": "tove@fjord.example", "body": "the kayak is booked"}}]}


@pytest.mark.parametrize(("request_", "phrase", "rest", "recurring"), [
    ("at noon text tove@fjord.example that the kayak is booked", "at noon",
     "text tove@fjord.example that the kayak is booked", False),
    ("every monday at 7:45am email the rota to tove@fjord.example", "every monday at 7:45am",
     "email the rota to tove@fjord.example", True),
    ("could you mail tove on thursday at 3pm to ask about the kayak", "on thursday at 3pm",
     "could you mail tove to ask about the kayak", False),
    ("ping tove@fjord.example in 2 hours: kayak booked", "in 2 hours",
     "ping tove@fjord.example: kayak booked", False),
    ("email tove tomorrow at 8am, could you bring the paddles?", "tomorrow at 8am",
     "email tove could you bring the paddles?", False),  # the first clause's time is when
    ("on the 2nd of every month at 8 am send tove a mail that the fee is paid",  # nine words
     "on the 2nd of every month at 8 am", "send tove a mail that the fee is paid", True),
])
def test_the_time_to_act_is_found_outside_the_message(request_: str, phrase: str, rest: str,
                                                       recurring: bool) -> None:
    found = find_deferral(request_, NOW, TZ)  # type: ignore[arg-type]
    assert found is not None
    assert (found.phrase, found.rest, found.recurring) == (phrase, rest, recurring)


@pytest.mark.parametrize("request_", [
    "email tove that the kayak tour starts tomorrow at 9",  # the time is the message's
    "message tove about thursday at 3pm",  # the topic's
    "remind me on thursday at 3pm to call tove",  # a reminder for the user
    "send tove the slides from last friday",  # a thing's day
    "send tove the friday slides",
    "forward tove my weekly report",  # a kind of report, not a repetition
    "send tove the 3rd email",  # an ordinal, not a date
    "email tove, the kayak leaks again, could you look at it saturday morning",  # asked of her
    "text tove, the kayak is free, want it sunday? cheers",  # a question in the message
])
def test_no_time_to_act_is_found_where_the_time_is_something_else(request_: str) -> None:
    assert find_deferral(request_, NOW, TZ) is None  # type: ignore[arg-type]


def test_a_send_said_with_a_time_is_scheduled(runtime: Runtime) -> None:
    tier1 = Scripted(SEND)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose(
        "tomorrow at 8:30am send tove@fjord.example a note that the kayak is booked")
    assert [s.action for s in proposal.plan.steps] == ["schedule_plan"]
    step = proposal.plan.steps[0]
    assert datetime.fromisoformat(step.args["when"]) == datetime(2026, 11, 25, 8, 30, tzinfo=TZ)
    assert step.sources["when"].text == "tomorrow at 8:30am"
    inner = step.args["plan"]
    assert inner["request"] == "send tove@fjord.example a note that the kayak is booked"
    assert [s["action"] for s in inner["steps"]] == ["send_email"]
    assert inner["steps"][0]["args"]["to"] == "tove@fjord.example"
    assert any("says when to act" in e for e in proposal.plan.escalations)


def test_a_repeated_send_is_scheduled_with_its_rule(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: Scripted(SEND), 2: lambda: None}
    proposal = Session(runtime).propose(
        "every friday at 5pm email tove@fjord.example saying the kayak is booked")
    step = proposal.plan.steps[0]
    assert step.action == "schedule_plan"
    assert step.args["every"].startswith("FREQ=WEEKLY;BYDAY=FR;BYHOUR=17")
    assert datetime.fromisoformat(step.args["when"]) == datetime(2026, 11, 27, 17, 0,
                                                                  tzinfo=TZ)


def test_what_the_scheduled_send_needs_is_said_now(runtime: Runtime) -> None:
    """No mail account: the scheduled send would fail when it fires, so the plan says why
    now (the inner step's precondition, reported on the schedule step), and the confirmation
    names the send it will do unasked."""
    runtime.model_factories = {1: lambda: Scripted(SEND), 2: lambda: None}
    proposal = Session(runtime).propose(
        "at 6pm send tove@fjord.example a note that the kayak is booked")
    assert proposal.plan.steps[0].action == "schedule_plan"
    inner = [v for v in proposal.violations if v.param == "plan"]
    assert inner and all(v.step == 0 for v in inner)
    assert any("inner step 1: smtp_configured" in v.message for v in inner)
    reasons = Session(runtime).confirmation(proposal).reasons
    assert "step 1 schedule_plan will run send_email, which is external_send, without " \
           "asking" in reasons


def test_a_time_in_the_message_is_not_when_to_act(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "send_email", "args": {
        "to": "tove@fjord.example", "body": "the kayak tour starts tomorrow at 9"}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose(
        "email tove@fjord.example that the kayak tour starts tomorrow at 9")
    assert [s.action for s in proposal.plan.steps] == ["send_email"]


def test_a_read_said_with_a_time_is_planned_as_said(runtime: Runtime) -> None:
    """Only actions that act outward are worth doing unattended; a read at a time is
    planned as the request says."""
    search = {"steps": [{"action": "search_web", "args": {"query": "tide table tomorrow"}}]}
    tier1 = Scripted(search)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("look up the tide table for tomorrow at 6am")
    assert [s.action for s in proposal.plan.steps] == ["search_web"]
    assert not any("when to act" in e for e in proposal.plan.escalations)


def test_a_reminder_for_the_user_stays_a_reminder(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    proposal = Session(runtime).propose("remind me on thursday at 10am to email tove")
    assert [s.action for s in proposal.plan.steps] == ["set_reminder"]
    assert proposal.plan.kind is PlanKind.ACTIONS


def test_the_scheduled_steps_are_shown_with_their_arguments(runtime: Runtime) -> None:
    """Nobody is asked when a scheduled plan fires: what it will send is shown now, in the
    CLI's text and in the TUI's plan pane."""
    from assistant.render import proposal_text
    from assistant.tui.render import plain, plan_text

    runtime.model_factories = {1: lambda: Scripted(SEND), 2: lambda: None}
    session = Session(runtime)
    proposal = session.propose("at 6pm send tove@fjord.example a note that the kayak is booked")
    text = proposal_text(proposal, runtime.registry)
    assert "1.1 send_email [SEND]" in text
    assert "to = tove@fjord.example" in text and "body = the kayak is booked" in text
    pane = plain(plan_text(proposal, runtime.registry, {}))
    assert "1.1 send_email" in pane and "the kayak is booked" in pane
    assert "<plan of 1 step(s), below>" in pane


def test_a_long_monthly_time_said_first_is_the_whole_rule(runtime: Runtime) -> None:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    step = Session(runtime).propose("on the 2nd of every month at 8 am send "
                                    "tove@fjord.example a mail that the fee is paid").plan.steps[0]
    assert step.action == "schedule_plan"
    assert step.args["every"] == "FREQ=MONTHLY;BYMONTHDAY=2;BYHOUR=8;BYMINUTE=0"
