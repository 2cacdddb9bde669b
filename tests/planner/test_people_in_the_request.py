"""People as the request itself says them: a name typed in lower case that two contacts share
is asked about ("send rohan …"); "her" after the request named one person is that person; and
"… and ask her if …" after a message to her is that message's text, not another action.
Scripted models, the real messaging plugin."""

from __future__ import annotations

from actions import Entity, Provenance
from actions.entities import Scope
from actions.plan import PlanKind
from assistant.planner.antecedent import named_before
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted

USER = Provenance(trusted=True, source="user")


def _person(pid: str, label: str, relation: str = "") -> Entity:
    return Entity(id=pid, type="contact", label=label, provenance=USER,
                  attributes={"email": f"{pid.split(':')[1]}@mail.example",
                              "relation": relation})


PEOPLE = [_person("contact:ines-bauer", "Ines Bauer", "sister"),
          _person("contact:ines-roth", "Ines Roth"), _person("contact:maja-lind", "Maja Lind")]


def _session(runtime: Runtime, *plans: dict[str, object]) -> tuple[Session, Scripted]:
    tier1 = Scripted(*plans) if plans else Scripted({"steps": []})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish(PEOPLE)
    return session, tier1


def test_a_lower_case_name_two_people_share_is_asked(runtime: Runtime) -> None:
    pick = {"steps": [{"action": "send_email",
                       "args": {"to": "contact:ines-roth", "body": "the ferry times"}}]}
    session, _ = _session(runtime, pick)
    proposal = session.propose("send ines the ferry times")
    assert proposal.plan.kind is PlanKind.QUESTION
    assert set(proposal.candidate_ids) == {"contact:ines-bauer", "contact:ines-roth"}


def test_a_name_only_one_person_has_is_not_asked(runtime: Runtime) -> None:
    pick = {"steps": [{"action": "send_email",
                       "args": {"to": "contact:maja-lind", "body": "the ferry times"}}]}
    session, _ = _session(runtime, pick)
    proposal = session.propose("send maja the ferry times")
    assert [s.args.get("to") for s in proposal.plan.steps] == ["contact:maja-lind"]


def test_her_after_one_named_person_is_that_person() -> None:
    request = "mail my sister the plan and ask her to bring the tent"
    assert named_before(request, request.index("her"), PEOPLE) == PEOPLE[0]
    both = "mail maja and my sister and ask her to bring the tent"
    assert named_before(both, both.index("her"), PEOPLE) is None  # two: still asked


def test_ask_her_after_a_message_to_her_is_its_text(runtime: Runtime) -> None:
    session, tier1 = _session(runtime)
    session.table.publish([Entity(
        id="email:7", type="email", label="Your parcel is held: pay the fee", ordinal=1,
        scope=Scope.SCREEN, provenance=Provenance(trusted=False, source="email from x@y.example"),
        attributes={"from": "x@y.example", "subject": "Your parcel is held: pay the fee"})])
    proposal = session.propose("forward the first email to my sister and ask her if it is real")
    assert [s.action for s in proposal.plan.steps] == ["forward_email"], proposal.plan
    step = proposal.plan.steps[0]
    assert step.args["to"] == "contact:ines-bauer"
    assert step.args["note"] == "if it is real"
    assert tier1.calls == 0


def test_cc_said_by_name_takes_the_people_after_it(runtime: Runtime) -> None:
    """"…, cc maja and my sister": the cc list is those people (resolved to contacts), and a
    message text that took the clause in loses it."""
    swallowed = {"steps": [{"action": "send_email", "args": {
        "to": "contact:maja-lind", "body": "the tent is packed, cc my sister"}}]}
    session, _ = _session(runtime, swallowed)
    proposal = session.propose("email maja that the tent is packed, cc my sister")
    step = proposal.plan.steps[0]
    assert step.args["cc"] == ["contact:ines-bauer"]
    assert step.args["body"] == "the tent is packed"
    assert step.sources["cc"].provenance.trusted


def test_a_cc_the_model_chose_alone_is_not_the_users(runtime: Runtime) -> None:
    from actions.plan import Step, ValueSource
    from assistant.context import EntityTable
    from assistant.planner.slots import SlotFiller
    from tests.planner.conftest import NOW

    table = EntityTable()
    table.publish(PEOPLE)
    model = {k: ValueSource(kind="model", text=str(v)) for k, v in
             (("to", "contact:maja-lind"), ("body", "the tent is packed"),
              ("cc", "contact:ines-roth"))}
    step = Step(action="send_email", args={"to": "contact:maja-lind",
                                           "body": "the tent is packed",
                                           "cc": ["contact:ines-roth"]}, sources=model)
    filler = SlotFiller(table=table, now=NOW, tz=NOW.tzinfo,  # type: ignore[arg-type]
                        request="email maja that the tent is packed")
    (filled,), question = filler.fill([step], {s.name: s for s in runtime.registry})
    assert question is None
    assert "cc" not in filled.args  # nobody asked for a copy to Ines Roth: not sent one


def test_a_relation_typed_with_a_slip_still_names_the_person(runtime: Runtime) -> None:
    roommate = _person("contact:ola-berg", "Ola Berg", "roommate")
    to_ola = {"steps": [{"action": "send_email", "args": {
        "to": "contact:ola-berg", "body": "the wifi password is fjord-42"}}]}
    session, _ = _session(runtime, to_ola)
    session.table.publish([roommate])
    proposal = session.propose("pls email my roomate the wifi password fjord-42")
    assert [s.args.get("to") for s in proposal.plan.steps] == ["contact:ola-berg"]
    assert not any("does not name" in e for e in proposal.plan.escalations)
