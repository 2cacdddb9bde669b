"""The cascade's escalation to tier 2 on code's doubts about tier 1's reading. The models here
are scripted (they only return canned JSON): these tests check the cascade's decisions, not
planning quality (tests/planner/test_real_model.py does that with the real model)."""

from __future__ import annotations

from typing import Any

from actions.entities import Entity, Provenance, Scope
from actions.plan import PlanKind
from assistant.planner.prompt import to_wire
from assistant.runtime import Runtime
from assistant.session import Session
from models.errors import ModelNotFound


class Scripted:
    """A PlannerModel returning canned plans in turn (the last one again and again), and
    recording the actions each call's schema allowed."""

    def __init__(self, *plans: dict[str, Any]) -> None:
        self.plans = list(plans)
        self.calls = 0
        self.allowed: list[set[str]] = []

    def plan_json(self, system: str, user: str, schema: dict[str, Any],
                  max_tokens: int) -> tuple[str, float | None]:
        self.calls += 1
        steps = schema if schema.get("type") == "array" else next(
            v for v in schema["anyOf"] if v["type"] == "array")
        self.allowed.append({v["required"][0] for v in steps["items"]["anyOf"]})
        return to_wire(self.plans[min(self.calls, len(self.plans)) - 1]), 0.9


def page_session(runtime: Runtime) -> Session:
    session = Session(runtime)
    page = Provenance(trusted=False, source="page https://example.org/")
    session.table.publish([
        Entity(id=f"link:{n}", type="link", label=label, ordinal=n, scope=Scope.SCREEN,
               provenance=page, attributes={"url": f"https://example.org/{n}"})
        for n, label in ((1, "Docs"), (2, "Blog"))])
    return session


GO_BACK = {"steps": [{"action": "go_back", "args": {}}]}
OPEN_FIRST = {"steps": [{"action": "open_link", "args": {"link": "link:1"}}]}


def test_a_plan_that_ignores_a_resolved_reference_goes_to_tier_2(runtime: Runtime) -> None:
    tier1, tier2 = Scripted(GO_BACK), Scripted(OPEN_FIRST)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("walk me over to the first link")
    assert [s.action for s in proposal.plan.steps] == ["open_link"]
    # tier 1 planned twice: freely, then among the actions that take a link (the scripted
    # model ignores that restriction, which the real grammar enforces), then tier 2.
    assert proposal.plan.tier == 2 and tier1.calls == 2 and tier2.calls == 1
    assert "go_back" in tier1.allowed[0] and "open_link" in tier1.allowed[1]
    assert "go_back" not in tier1.allowed[1] and "send_email" not in tier1.allowed[1]
    assert any("does not use 'the first link' (link:1)" in e for e in proposal.plan.escalations)


def test_a_re_plan_among_the_takers_of_the_reference_stays_in_tier_1(runtime: Runtime) -> None:
    tier1, tier2 = Scripted(GO_BACK, OPEN_FIRST), Scripted(GO_BACK)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("walk me over to the first link")
    assert [s.action for s in proposal.plan.steps] == ["open_link"]
    assert proposal.plan.steps[0].args["link"] == "link:1"
    assert proposal.plan.tier == 1 and tier2.calls == 0
    assert "re-planned with the actions that take the reference" in \
        proposal.plan.escalations[-1]


def test_a_question_about_a_kind_of_thing_not_in_scope_goes_to_tier_2(
        runtime: Runtime) -> None:
    fill = {"steps": [{"action": "set_checkbox", "args": {"field": "dentist appointment"}}]}
    tier1, tier2 = Scripted(fill), Scripted({"steps": [], "reply": "Which job?"})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = Session(runtime).propose("put a mark in the dentist appointment box")
    assert tier2.calls == 1
    assert any("tier 1 asked about a field, and none is in scope" in e
               for e in proposal.plan.escalations)

def test_without_doubts_tier_2_is_not_asked(runtime: Runtime) -> None:
    tier1, tier2 = Scripted(OPEN_FIRST), Scripted(GO_BACK)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("walk me over to the first link")
    assert proposal.plan.tier == 1 and tier2.calls == 0


def test_an_unavailable_tier_2_keeps_tier_1_and_says_how_to_get_it(runtime: Runtime) -> None:
    tier1 = Scripted(GO_BACK)

    def missing() -> None:
        raise ModelNotFound("model 'big' is not pulled yet", hint="run `lam models pull big`")

    runtime.model_factories = {1: lambda: tier1, 2: missing}
    proposal = page_session(runtime).propose("walk me over to the first link")
    assert proposal.plan.tier == 1 and [s.action for s in proposal.plan.steps] == ["go_back"]
    assert any(e.startswith("tier 1 plan doubted") for e in proposal.plan.escalations)
    assert proposal.plan.escalations[-1].startswith("tier 2 unavailable: model 'big'")


def test_a_made_up_address_is_doubted(runtime: Runtime) -> None:
    made_up = {"steps": [{"action": "open_url", "args": {"url": "https://landlord.example/"}},
                         {"action": "go_back", "args": {}}]}
    tier1, tier2 = Scripted(made_up), Scripted(GO_BACK)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = Session(runtime).propose("I have to call the landlord, browse around")
    assert tier2.calls >= 1  # then again among open_url ("browse"), which go_back ignores
    assert any("open_url.url 'https://landlord.example/' is not in the request" in e
               for e in proposal.plan.escalations)


def test_no_action_for_a_request_in_action_words_is_doubted(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [], "reply": "Back to the previous page."})
    tier2 = Scripted(GO_BACK)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("return to the previous page, thanks")
    assert proposal.plan.kind is PlanKind.ACTIONS and proposal.plan.tier == 2
    assert any("no action planned, though the request has action words" in e
               for e in proposal.plan.escalations)


def test_a_question_about_a_made_up_value_goes_to_tier_2(runtime: Runtime) -> None:
    invented = {"steps": [{"action": "open_link", "args": {"link": "the pricing link"}}]}
    tier1, tier2 = Scripted(invented), Scripted(OPEN_FIRST)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("walk me over to the docs one")
    assert proposal.plan.tier == 2 and tier2.calls == 1
    assert any("tier 1 asked about 'the pricing link'" in e for e in proposal.plan.escalations)


def test_an_id_written_into_a_text_slot_is_not_a_use_of_the_reference(
        runtime: Runtime) -> None:
    as_text = {"steps": [{"action": "send_email", "args": {"to": "bob@example.org",
                                                           "body": "link:1"}}]}
    tier1, tier2 = Scripted(as_text), Scripted(OPEN_FIRST)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("ship the first link over to bob@example.org")
    assert any("does not use 'the first link' (link:1)" in e for e in proposal.plan.escalations)


def test_tier_1_s_question_stands_when_tier_2_has_no_plan(runtime: Runtime) -> None:
    invented = {"steps": [{"action": "open_link", "args": {"link": "the pricing link"}}]}
    tier1 = Scripted(invented)
    tier2 = Scripted({"steps": [], "reply": "I can only act with the actions I have."})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("walk me over to the docs one")
    assert tier2.calls == 1
    assert proposal.plan.kind is PlanKind.QUESTION and proposal.plan.tier == 1
    assert proposal.plan.escalations[-1] == "tier 2 had no plan: tier 1's question stands"


CLICK = {"steps": [{"action": "click", "args": {"target": "parking expires"}}]}
REMIND = {"steps": [{"action": "set_reminder",
                     "args": {"text": "the parking expires", "when": "in an hour"}}]}


def test_a_step_none_of_whose_words_the_request_uses_is_re_planned(runtime: Runtime) -> None:
    tier1, tier2 = Scripted(CLICK, REMIND), Scripted(CLICK)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("alert me in an hour that the parking expires")
    assert [s.action for s in proposal.plan.steps] == ["set_reminder"]
    assert proposal.plan.tier == 1 and tier2.calls == 0
    assert tier1.allowed[1] == {"set_reminder"}  # only the action "alert" calls for
    assert any("none of click's words" in e and "alert calls for set_reminder" in e
               for e in proposal.plan.escalations)


def test_a_step_with_its_own_words_is_not_doubted(runtime: Runtime) -> None:
    tier1 = Scripted(CLICK)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: Scripted(REMIND)}
    proposal = page_session(runtime).propose("give parking expires a press, it is an alert")
    assert [s.action for s in proposal.plan.steps] == ["click"] and tier1.calls == 1


def test_a_recipient_the_request_does_not_name_is_doubted(runtime: Runtime) -> None:
    to_alice = {"steps": [{"action": "send_email",
                           "args": {"to": "contact:alice", "body": "a joke"}}]}
    tier1, tier2 = Scripted(to_alice), Scripted({"steps": [], "reply": "Here is one."})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    session = Session(runtime)
    session.table.publish([Entity(id="contact:alice", type="contact", label="Alice Chen",
                                  provenance=Provenance(trusted=True, source="user"),
                                  attributes={"email": "alice@example.org"})])
    proposal = session.propose("write a funny joke by email")
    assert tier2.calls == 1 and not proposal.plan.steps
    assert any("send_email.to is Alice Chen, whom the request does not name" in e
               for e in proposal.plan.escalations)
    named = session.propose("email alice a funny joke")
    assert named.plan.tier is not None and not any(
        "does not name" in e for e in named.plan.escalations)


def test_moving_a_job_that_does_not_exist_is_answered_not_replanned(runtime: Runtime) -> None:
    """A template and tier 1 both read "move X to …" as acting on a job, and no job exists:
    the answer says so; tier 2 never gets to turn it into a new reminder."""
    move = {"steps": [{"action": "reschedule_job",
                       "args": {"job": "the boiler check", "when": "friday at 3pm"}}]}
    new = {"steps": [{"action": "set_reminder",
                      "args": {"text": "the boiler check", "when": "friday at 3pm"}}]}
    tier1, tier2 = Scripted(move), Scripted(new)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = Session(runtime).propose("move the boiler check to friday at 3pm")
    assert proposal.plan.kind is PlanKind.NO_ACTION and tier2.calls == 0
    assert proposal.plan.answer is not None
    assert "'the boiler check'" in proposal.plan.answer
    assert "no job to reschedule" in proposal.plan.answer
    assert "answered without tier 2" in proposal.plan.escalations[-1]


def test_moving_a_job_that_exists_is_planned(runtime: Runtime) -> None:
    session = Session(runtime)
    made = session.propose("remind me to check the boiler friday at 3pm")
    assert [s.action for s in made.plan.steps] == ["set_reminder"]
    session.run(made)
    moved = session.propose("move the boiler reminder to friday at 5pm")
    assert [s.action for s in moved.plan.steps] == ["reschedule_job"], moved.plan


def test_a_question_about_what_only_the_model_wrote_gives_way_when_nothing_is_referred_to(
        runtime: Runtime) -> None:
    """Small talk tier 1 read as a reply to a mail it named by a contact's id: its question
    ("an email called 'contact:x'") is about nothing the user said or refers to, so tier
    2's answer stands."""
    invented = {"steps": [{"action": "reply_email",
                           "args": {"email": "ines-vidal", "body": "Knock knock."}}]}
    tier1 = Scripted(invented)
    tier2 = Scripted({"steps": [], "reply": "Knock knock. Who's there? Lettuce."})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    proposal = page_session(runtime).propose("cheer me up with a silly pun tonight")
    assert proposal.plan.kind is not PlanKind.QUESTION
    assert proposal.plan.tier == 2 and "Lettuce" in (proposal.plan.answer or "")
