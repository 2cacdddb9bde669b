"""A person the request names whom no step uses: the plan misread a message verb ("txt Dana
that ...") and is planned again among the actions that take a person (doubts.unused_people).
A well-known site the request names is a place to go, not small talk (relevance). Scripted
models: these check the cascade's decisions, not planning quality."""

from __future__ import annotations

from actions.entities import Entity, Provenance, Scope
from assistant.planner.doubts import person_takers, unused_people
from assistant.planner.relevance import known_site_in
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted

DANA = Entity(id="contact:dana-ross", type="contact", label="Dana Ross", scope=Scope.BACKGROUND,
              provenance=Provenance(trusted=True, source="user"),
              attributes={"email": "dana@ross.example", "emails": ["dana@ross.example"],
                          "nicknames": ["Dee"], "relation": ""})
CLICK_ID = {"steps": [{"action": "click", "args": {"target": "contact:dana-ross"}}]}
SEND = {"steps": [{"action": "send_email",
                   "args": {"to": "contact:dana-ross", "body": "the bus is stuck in traffic"}}]}


def _session(runtime: Runtime, tier1: Scripted, tier2: Scripted | None = None) -> Session:
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    session = Session(runtime)
    session.extra_background = [DANA]
    return session


def test_a_message_verb_read_as_a_click_is_planned_again_among_person_actions(
        runtime: Runtime) -> None:
    tier1 = Scripted(CLICK_ID, SEND)
    proposal = _session(runtime, tier1).propose("txt dee that the bus is stuck in traffic")
    assert [s.action for s in proposal.plan.steps] == ["send_email"]
    assert proposal.plan.tier == 1 and tier1.calls == 2
    assert "click" not in tier1.allowed[1] and "send_email" in tier1.allowed[1]
    assert any("names Dana Ross, and no step uses them" in e
               for e in proposal.plan.escalations)


def test_a_plan_that_uses_the_person_raises_no_doubt(runtime: Runtime) -> None:
    tier1 = Scripted(SEND)
    proposal = _session(runtime, tier1).propose("txt dee that the bus is stuck in traffic")
    assert [s.action for s in proposal.plan.steps] == ["send_email"] and tier1.calls == 1


def test_unused_people_reads_names_not_ids_in_text_slots(runtime: Runtime) -> None:
    specs = {s.name: s for s in runtime.registry}
    from actions.plan import Plan, Step

    def plan(*steps: Step) -> Plan:
        return Plan(request="r", steps=list(steps))

    people = {DANA.id: DANA}
    clicked = plan(Step(action="click", args={"target": "contact:dana-ross"}))
    assert unused_people("msg dana: on my way", clicked, specs, people) == [DANA]
    filtered = plan(Step(action="list_emails", args={"sender": "Dana"}))
    assert unused_people("mail that dana sent me", filtered, specs, people) == []
    assert unused_people("open the docs", clicked, specs, people) == []
    assert {"send_email", "list_emails", "list_contacts"} <= set(person_takers(specs))
    assert "click" not in person_takers(specs)


def test_a_known_site_is_a_place_to_go_not_small_talk(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "open_url", "args": {"url": "python documentation"}}]})
    proposal = _session(runtime, tier1).propose("bring up the python documentation")
    assert [s.action for s in proposal.plan.steps] == ["open_url"]
    assert proposal.plan.steps[0].args["url"].startswith("https://docs.python.org")
    assert known_site_in("sing something cheerful") is None


def test_a_person_put_in_a_slot_for_something_else_is_planned_again(runtime: Runtime) -> None:
    misread = {"steps": [{"action": "read_email", "args": {"email": "dana-ross"}}]}
    listed = {"steps": [{"action": "list_emails", "args": {"sender": "Dee"}}]}
    tier1 = Scripted(misread, listed)
    proposal = _session(runtime, tier1).propose("pull up whatever dee mailed me")
    assert [s.action for s in proposal.plan.steps] == ["list_emails"]
    assert proposal.plan.steps[0].args["sender"] == "Dee"
    assert "read_email" not in tier1.allowed[1] and "list_emails" in tier1.allowed[1]


def test_a_dropped_sender_filter_is_copied_from_the_request(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "list_emails", "args": {}}]})
    proposal = _session(runtime, tier1).propose("pull up whatever dee mailed me")
    assert [s.action for s in proposal.plan.steps] == ["list_emails"]
    step = proposal.plan.steps[0]
    assert step.args["sender"] == "dee" and step.sources["sender"].kind == "user_text"
    assert tier1.calls == 1


def test_no_copy_when_two_people_could_fill_it(runtime: Runtime) -> None:
    from actions.plan import Plan, Step
    from assistant.planner.copy_person import copy_named_person

    specs = {s.name: s for s in runtime.registry}
    other = DANA.model_copy(update={"id": "contact:dee-park", "label": "Dee Park",
                                    "attributes": {**DANA.attributes, "nicknames": []}})
    plan = Plan(request="r", steps=[Step(action="list_emails", args={})])
    both = {DANA.id: DANA, other.id: other}
    assert copy_named_person("mail from dee", plan, specs, both) is None
    assert copy_named_person("mail from dee", plan, specs, {DANA.id: DANA}) is not None


def test_tier_twos_dropped_sender_filter_is_copied_too(runtime: Runtime) -> None:
    tier2 = Scripted({"steps": [{"action": "list_emails", "args": {"unread": True}}]})
    runtime.model_factories = {1: lambda: None, 2: lambda: tier2}
    session = Session(runtime)
    session.extra_background = [DANA]
    proposal = session.propose("any unread mail from dee?")
    assert proposal.plan.tier == 2
    assert proposal.plan.steps[0].args.get("sender") in ("dee", "contact:dana-ross")
