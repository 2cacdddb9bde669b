"""Two doubts about tier 1's reading, each re-planned among the actions that fit: a time the
request says that no step takes ("buzz me ... on friday at 3pm" planned as a click), and an
uncued action while only one action is described with a word of the request ("peek at my
inbox" planned as read_page). Scripted models: the cascade's decisions, not the model's."""

from __future__ import annotations

from actions.plan import Plan, Step
from assistant.planner.doubts import time_takers, unused_time
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted

CLICK = {"steps": [{"action": "click", "args": {"target": "Sign in"}}]}


def test_a_time_no_step_takes_is_planned_again_among_timed_actions(runtime: Runtime) -> None:
    remind = {"steps": [{"action": "set_reminder",
                         "args": {"text": "the quarterly tax filing", "when": "friday at 3pm"}}]}
    tier1 = Scripted(CLICK, remind)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("buzz me about the quarterly tax filing friday at 3pm")
    assert [s.action for s in proposal.plan.steps] == ["set_reminder"]
    assert "click" not in tier1.allowed[1] and "set_reminder" in tier1.allowed[1]
    assert any("says a time ('friday at 3pm')" in e for e in proposal.plan.escalations)


def test_a_time_inside_a_message_is_used(runtime: Runtime) -> None:
    specs = {s.name: s for s in runtime.registry}
    sent = Plan(request="r", steps=[Step(action="send_email", args={
        "to": "contact:x", "body": "I'll be there at 5pm"})])
    assert not unused_time("at 5pm", sent, specs)
    clicked = Plan(request="r", steps=[Step(action="click", args={"target": "Go"})])
    assert unused_time("at 5pm", clicked, specs)
    assert {"set_reminder", "reschedule_job", "schedule_plan"} <= set(time_takers(specs))


def test_a_word_only_one_action_is_described_with_decides_an_uncued_plan(
        runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "read_page", "args": {}}]},
                     {"steps": [{"action": "list_emails", "args": {}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("peek at my inbox")
    assert [s.action for s in proposal.plan.steps] == ["list_emails"]
    assert tier1.allowed[1] == {"list_emails"}


def test_a_described_word_does_not_outweigh_an_action_whose_own_description_fits(
        runtime: Runtime) -> None:
    """"book" is only add_contact's description word, but list_contacts is described with
    "address" (it lists those matching one): the contact search stands, no re-plan."""
    tier1 = Scripted({"steps": [{"action": "list_contacts", "args": {"query": "Lee"}}]},
                     {"steps": [{"action": "add_contact", "args": {"name": "Lee"}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("anyone in my address book called Lee?")
    assert [s.action for s in proposal.plan.steps] == ["list_contacts"]
    assert len(tier1.allowed) == 1


def test_the_words_of_a_reference_call_for_no_other_action(runtime: Runtime) -> None:
    """"the second result" names a link on the page: its word "result" (a search_web cue)
    does not doubt a plan that opens that link."""
    from tests.planner.test_escalation import page_session

    tier1 = Scripted({"steps": [{"action": "open_link", "args": {"link": "link:2"}}]},
                     {"steps": [{"action": "search_web", "args": {"query": "result"}}]})
    tier2 = Scripted({"steps": [{"action": "go_back", "args": {}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("bring up the second result")
    assert [s.action for s in proposal.plan.steps] == ["open_link"]
    assert proposal.plan.tier == 1 and len(tier1.allowed) == 1 and not tier2.allowed
