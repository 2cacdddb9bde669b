"""Mail named the way people name it: by whose it is ("answer the boss one"), by a word of what
it is about ("the plane ticket" for an "e-ticket"), two at once ("forward both of omar's
emails"), and by a first name two senders share (asked). Tier 0, the real plugins."""

from __future__ import annotations

from actions import Entity, Provenance
from actions.entities import Scope
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted
from tests.planner.test_people_in_the_request import _person

PEOPLE = [_person("contact:wren-hale", "Wren Hale", "mum"),
          _person("contact:ilse-rauch", "Ilse Rauch", "landlady"),
          _person("contact:omar-said", "Omar Said", ""),
          _person("contact:omar-haddad", "Omar Haddad", "")]


def _mail(n: int, subject: str, person: Entity, snippet: str = "") -> Entity:
    address = str(person.attributes["email"])
    return Entity(id=f"email:{n}", type="email", label=f"{subject} — {person.label}",
                  ordinal=n, scope=Scope.SCREEN,
                  provenance=Provenance.untrusted(f"email from {address}"),
                  attributes={"from": person.label, "sender": address, "subject": subject,
                              "snippet": snippet})


def _session(runtime: Runtime, *mails: Entity) -> Session:
    tier1 = Scripted({"steps": []})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish(PEOPLE)
    session.table.publish(list(mails))
    return session


def test_the_one_of_a_relation_is_their_mail(runtime: Runtime) -> None:
    wren, ilse = PEOPLE[0], PEOPLE[1]
    session = _session(runtime, _mail(1, "Gutter repair", wren), _mail(2, "Rent from May", ilse))
    plan = session.propose("answer the landlady one, tell her fine, I'll pay the new rent").plan
    assert plan.tier == 0
    assert [(s.action, s.args.get("email")) for s in plan.steps] == [("reply_email", "email:2")]


def test_a_word_of_what_the_mail_is_about_finds_the_one_it_fits(runtime: Runtime) -> None:
    wren, ilse = PEOPLE[0], PEOPLE[1]
    session = _session(runtime, _mail(1, "Your e-voucher for the spa", wren),
                       _mail(2, "Rent from May", ilse))
    plan = session.propose("forward the birthday voucher to omar said and add a note "
                           "enjoy it").plan
    assert [(s.action, s.args.get("email"), s.args.get("note")) for s in plan.steps] == [
        ("forward_email", "email:1", "enjoy it")]
    vague = _session(runtime, _mail(1, "Spa voucher", wren), _mail(2, "Spa rent", ilse))
    asked = vague.propose("forward the spa thing to omar said").plan
    assert not asked.steps  # "spa" fits both: no guess


def test_both_of_someones_mails_is_a_step_for_each(runtime: Runtime) -> None:
    wren, said = PEOPLE[0], PEOPLE[2]
    session = _session(runtime, _mail(1, "Water bill", wren), _mail(2, "Gutter repair", said),
                       _mail(3, "Power bill", wren))
    plan = session.propose("forward both of wren's emails to omar said").plan
    assert [(s.action, s.args.get("email"), s.args.get("to")) for s in plan.steps] == [
        ("forward_email", "email:1", "contact:omar-said"),
        ("forward_email", "email:3", "contact:omar-said")]


def test_a_first_name_two_senders_share_is_asked(runtime: Runtime) -> None:
    said, haddad = PEOPLE[2], PEOPLE[3]
    session = _session(runtime, _mail(1, "Football saturday?", said),
                       _mail(2, "Bootcamp saturday", haddad))
    plan = session.propose("reply to omar's email, tell him count me in").plan
    assert not plan.steps and plan.question is not None
    assert "Omar Said" in plan.question and "Omar Haddad" in plan.question


def test_half_a_description_finds_no_field_on_a_page(runtime: Runtime) -> None:
    """A page's element is named by its own label: "tick express delivery" does not tick a
    "Delivery method" select because one word of two fits it (the model's turn instead)."""
    web = Provenance.untrusted("web")
    session = _session(runtime)
    session.table.publish([
        Entity(id="page:c", type="page", label="Checkout", provenance=web),
        Entity(id="field:ship", type="field", label="Delivery method", ordinal=1,
               provenance=web, attributes={"kind": "select",
                                           "options": ["Standard", "Express", "Pickup"]})])
    plan = session.propose("tick express delivery").plan
    assert not any(s.args.get("field") == "field:ship" and s.action == "set_checkbox"
                   for s in plan.steps)
    chosen = session.propose("choose pickup in the delivery dropdown").plan
    assert [(s.action, s.args.get("field")) for s in chosen.steps] == [
        ("select_option", "field:ship")]


def test_a_topic_no_mail_holds_in_words_is_the_models_to_read(runtime: Runtime) -> None:
    """"the lease email" for a mail titled in Spanish ("Contrato de arrendamiento"): no word
    fits, so the model (which reads meaning) plans it instead of a question back; a sender
    said ("the email from Greg") with no mail from Greg is still asked."""
    wren = PEOPLE[0]
    tier1 = Scripted({"steps": [{"action": "forward_email", "args": {
        "email": "email:1", "to": "contact:omar-said"}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish(PEOPLE)
    session.table.publish([_mail(1, "Contrato de arrendamiento", wren),
                           _mail(2, "Gutter repair", PEOPLE[1])])
    plan = session.propose("forward the lease email to omar said with a note: please check").plan
    assert [(s.action, s.args.get("email")) for s in plan.steps] == [("forward_email", "email:1")]
    asked = session.propose("forward the email from greg to omar said").plan
    assert not asked.steps and asked.question is not None
