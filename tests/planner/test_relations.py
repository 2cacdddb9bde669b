"""People by the other words for their relation ("sis" for a sister, "mum" for "mom"), and a
read filter said as "from <someone>" that the model filled with someone else. Scripted
models, the real messaging plugin."""

from __future__ import annotations

from actions import Entity, Provenance
from assistant.relations import relation_words, says_relation
from assistant.resolve import match_by_label
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted
from tests.planner.test_people_in_the_request import _person

PEOPLE = [_person("contact:tove-ek", "Tove Ek", "sister"),
          _person("contact:ulla-ek", "Ulla Ek", "mom"),
          _person("contact:rune-dahl", "Rune Dahl", "boss")]


def test_other_words_for_a_relation() -> None:
    assert {"sis", "sister"} <= relation_words("sister")
    assert says_relation("ping my sis re the boat", "sister") == "sis"
    assert says_relation("the analysis is done", "sister") is None
    assert says_relation("tell mum i'm late", "mom") == "mum"
    assert relation_words("yoga teacher") == {"yoga teacher"}
    assert match_by_label("mum", PEOPLE) == [PEOPLE[1]]


def _session(runtime: Runtime, plan: dict[str, object], *extra: Entity) -> Session:
    """A session whose tier 1 proposes ``plan``, with PEOPLE (and ``extra``) in scope."""
    tier1 = Scripted(plan)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([*PEOPLE, *extra])
    return session


def test_a_message_to_my_sis_goes_to_the_sister(runtime: Runtime) -> None:
    session = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "my sis", "body": "the boat leaves at 9:40"}}]})
    proposal = session.propose("mail my sis that the boat leaves at 9:40")
    assert [s.args.get("to") for s in proposal.plan.steps] == ["contact:tove-ek"]


def test_mail_from_someone_the_model_swapped_is_theirs(runtime: Runtime) -> None:
    session = _session(runtime, {"steps": [{"action": "list_emails", "args": {
        "sender": "rune-dahl", "unread": True}}]})
    proposal = session.propose("any new mail from my mum?")
    assert [s.args.get("sender") for s in proposal.plan.steps] == ["contact:ulla-ek"]


def test_a_message_that_is_an_emails_label_forwards_it(runtime: Runtime) -> None:
    from actions.entities import Scope

    mail = Entity(id="email:9", type="email", label="Boat rota - Rune Dahl", scope=Scope.SCREEN,
                  provenance=Provenance(trusted=False, source="mail"))
    sent = {"steps": [{"action": "send_email", "args": {
        "to": "contact:tove-ek", "body": "Boat rota - Rune Dahl"}}]}
    steps = _session(runtime, sent, mail).propose("pass the boat rota on to tove").plan.steps
    assert [(s.action, s.args.get("email")) for s in steps] == [("forward_email", "email:9")]
    said = _session(runtime, sent, mail).propose("mail tove saying Boat rota - Rune Dahl")
    assert [s.action for s in said.plan.steps] == ["send_email"]


def test_an_email_described_by_its_senders_relation() -> None:
    from actions.entities import Scope
    from assistant.resolve import match_by_description

    mail = Entity(id="email:2", type="email", label="Checkup due", scope=Scope.SCREEN,
                  provenance=Provenance(trusted=False, source="mail"),
                  attributes={"from": "Ulla Ek", "sender": "ulla-ek@mail.example"})
    other = Entity(id="email:3", type="email", label="Checkup due", scope=Scope.SCREEN,
                   provenance=Provenance(trusted=False, source="mail"),
                   attributes={"from": "Ulla Ek", "sender": "someone@else.example"})
    assert match_by_description("the one from mum", [mail, other], PEOPLE) == [mail]


def test_did_someone_write_back_lists_their_mail(runtime: Runtime) -> None:
    session = _session(runtime, {"steps": [{"action": "list_emails", "args": {}}]})
    proposal = session.propose("has my sis replied yet? look in my inbox")
    assert [s.args.get("sender") for s in proposal.plan.steps] == ["contact:tove-ek"]
