"""Steps on web-page things nobody asked for are left out; values copied from the prompt's
examples are doubted; requests that take something back plan nothing."""

from __future__ import annotations

from actions.entities import Entity, Provenance, Scope
from actions.plan import ACTION_SOURCE, Plan, Step, ValueSource
from actions.spec import ActionSpec
from assistant.planner.doubts import absent_inputs, example_copies
from assistant.planner.negated import takes_back
from assistant.planner.relevance import ActionVocabulary
from assistant.planner.unasked import drop_unasked_page_steps, unasked_page_steps
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted

WEB = Provenance(trusted=False, source="web")


def _session(runtime: Runtime, plan: dict[str, object], entities: list[Entity]) -> Session:
    """A session whose tier 1 proposes ``plan``, with ``entities`` in scope."""
    runtime.model_factories = {1: lambda: Scripted(plan), 2: lambda: None}
    session = Session(runtime)
    session.table.publish(entities)
    return session


def _field(eid: str, label: str) -> Entity:
    return Entity(id=eid, type="field", label=label, provenance=WEB, scope=Scope.SCREEN)


ENTITIES = {e.id: e for e in [_field("field:mail", "E-mail address"),
                              _field("field:promo", "Send me offers from sponsors"),
                              _field("field:size", "Size")]}
CUES = {"set_checkbox": frozenset({"tick", "check"}), "fill_field": frozenset({"fill"}),
        "select_option": frozenset({"select", "choos"}), "submit_form": frozenset({"submit"})}


def test_a_box_the_request_never_names_is_left_out() -> None:
    steps = [Step(action="fill_field", args={"field": "field:mail", "value": "ik@b.example"}),
             Step(action="set_checkbox", args={"field": "field:promo", "checked": True}),
             Step(action="submit_form", args={})]
    request = "register me as ik@b.example"
    assert unasked_page_steps(steps, request, ENTITIES, set(), CUES) == [1]
    kept, dropped = drop_unasked_page_steps(steps, request, ENTITIES, set(), CUES)
    assert [s.action for s in kept] == ["fill_field", "submit_form"]
    assert [s.action for s in dropped] == ["set_checkbox"]


def test_named_referred_or_cued_steps_stay() -> None:
    tick = Step(action="set_checkbox", args={"field": "field:promo", "checked": True})
    assert unasked_page_steps([tick], "yes send me the sponsor offers", ENTITIES, set(),
                              CUES) == []
    assert unasked_page_steps([tick], "tick the second box", ENTITIES, {"field:promo"},
                              CUES) == []
    assert unasked_page_steps([tick], "tick it", ENTITIES, set(), CUES) == []
    pick = Step(action="select_option", args={"field": "field:size", "option": "XL"})
    assert unasked_page_steps([pick], "xl please", ENTITIES, set(), CUES) == []


def test_a_value_another_step_typed_is_not_the_step_own() -> None:
    steps = [Step(action="fill_field", args={"field": "field:mail", "value": "ik@b.example"}),
             Step(action="select_option", args={"field": "field:size", "option": "ik"})]
    assert unasked_page_steps(steps, "register me as ik@b.example", ENTITIES, set(),
                              CUES) == [1]


def test_only_unasked_steps_are_kept_for_the_doubts_to_judge() -> None:
    steps = [Step(action="set_checkbox", args={"field": "field:promo", "checked": True})]
    kept, dropped = drop_unasked_page_steps(steps, "hello there", ENTITIES, set(), CUES)
    assert kept == steps and dropped == []


def test_example_text_in_a_plan_is_doubted() -> None:
    plan = Plan(request="answer tom: see you at the gym",
                steps=[Step(action="reply_email", args={
                    "email": "email:3", "body": "I can only act with the actions I have."})])
    assert example_copies(plan.request, plan)
    said = Plan(request="remind me to water the plants at 6pm",
                steps=[Step(action="set_reminder", args={"text": "water the plants"})])
    assert not example_copies(said.request, said)


def test_taking_back() -> None:
    assert takes_back("never mind")
    assert takes_back("ok nvm, do not message him")
    assert not takes_back("don't forget to call the bank at 3pm")
    assert not takes_back("never mind that, email ana instead")
    assert not takes_back("don't send it now — send it tomorrow at 8am")  # when, not whether
    assert not takes_back("don't send it until friday")
    assert takes_back("don't send it - don't")


def test_hitting_enter_submits_the_form() -> None:
    from assistant.planner.slots import _as_submission

    specs = {"click": object(), "submit_form": object()}
    press = Step(action="click", args={"target": "the return key"})
    assert _as_submission(press, specs).action == "submit_form"  # type: ignore[arg-type]
    other = Step(action="click", args={"target": "Enter the draw"})
    assert _as_submission(other, specs) is other  # type: ignore[arg-type]


def test_a_shared_word_does_not_make_a_missing_page_the_users_choice(
        live_specs: dict[str, ActionSpec]) -> None:
    specs = live_specs
    vocabulary = ActionVocabulary(list(specs.values()))
    mail = Entity(id="email:7", type="email", label="Invoice due - Orchard Energy",
                  provenance=Provenance(trusted=False, source="mail"), scope=Scope.SCREEN)

    def plan(request: str, words: str) -> Plan:
        source = ValueSource(kind="user_text", text=words)
        return Plan(request=request, steps=[Step(action="read_page", args={},
                                                 sources={ACTION_SOURCE: source})])

    shared = plan("read the orchard one", "read")
    assert absent_inputs(shared, specs, {mail.id: mail}, vocabulary.distinctive)
    assert not absent_inputs(shared, specs, {mail.id: mail})  # without the words: as before
    named = plan("summarize the orchard mail", "summarize")
    assert absent_inputs(named, specs, {mail.id: mail}, vocabulary.distinctive)
    own = plan("summarize it all", "summarize")
    assert not absent_inputs(own, specs, {mail.id: mail}, vocabulary.distinctive)


def test_a_page_element_the_model_picked_among_alike_ones_is_asked(runtime: Runtime) -> None:
    def upload(kind: str, eid: str, label: str) -> Entity:
        return Entity(id=eid, type="field", label=label, provenance=WEB, scope=Scope.SCREEN,
                      attributes={"kind": kind, "name": eid.split(":")[1]})

    fields = [upload("file", "field:front", "Licence, front side"),
              upload("file", "field:rear", "Licence, rear side"),
              upload("text", "field:who", "Full name")]
    picked = {"steps": [{"action": "upload_file",
                         "args": {"field": "field:front", "path": "scan.pdf"}}]}
    asked = _session(runtime, picked, fields).propose("attach scan.pdf")
    assert asked.plan.kind.value == "question"
    assert set(asked.candidate_ids) == {"field:front", "field:rear"}
    said = _session(runtime, picked, fields).propose("attach scan.pdf as the front side")
    assert [s.args.get("field") for s in said.plan.steps] == ["field:front"]


def test_a_step_on_a_kind_of_thing_that_is_nowhere_is_left_out(runtime: Runtime) -> None:
    mail = Entity(id="email:3", type="email", label="Kayak trip - Ola Berg", scope=Scope.SCREEN,
                  provenance=Provenance(trusted=False, source="mail"))
    stray = {"steps": [{"action": "fill_field", "args": {"field": "3", "value": "count me in"}},
                       {"action": "reply_email",
                        "args": {"email": "email:3", "body": "count me in"}}]}
    proposal = _session(runtime, stray, [mail]).propose("answer the kayak trip one: count me in")
    assert [s.action for s in proposal.plan.steps] == ["reply_email"]
