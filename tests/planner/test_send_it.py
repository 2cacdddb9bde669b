""""send it to her", "click it", "send both drafts": what "it" is decides the plan. A link
opened in the same request or talked of last is sent as its address, an email talked of last
is forwarded, "it" to click is the element talked of last, and "both" keeps the order things
came up in; nothing to send or press is asked about, never guessed or sent as the word "it".
Templates only (no model), the real plugins."""

from __future__ import annotations

from actions import Entity, Provenance
from actions.entities import Scope
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_people_in_the_request import _person

WEB = Provenance.untrusted("web")
MAIL = Provenance.untrusted("email")
NOOR = _person("contact:noor-h", "Noor Haddad", "sister")


def _session(runtime: Runtime, *talked_of: Entity) -> Session:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([NOOR])
    for entity in talked_of:  # one turn each: the last is the most salient
        session.table.publish([entity])
    return session


def _link(n: int, label: str) -> Entity:
    return Entity(id=f"link:{n}", type="link", label=label, ordinal=n, provenance=WEB,
                  scope=Scope.CONVERSATION, attributes={"url": f"https://site{n}.example/x"})


def test_a_link_opened_and_sent_to_someone_is_its_address(runtime: Runtime) -> None:
    session = _session(runtime, _link(1, "Ferry times"), _link(2, "Harbour parking"))
    plan = session.propose("open the second link and send it to my sister").plan
    assert plan.tier == 0
    assert [(s.action, s.args) for s in plan.steps] == [
        ("open_link", {"link": "link:2"}),
        ("send_email", {"to": "contact:noor-h", "body": "https://site2.example/x"})]
    body = plan.steps[1].sources["body"]
    assert body.entity_id == "link:2" and not body.provenance.trusted  # the page's text


def test_it_is_the_thing_talked_of_last(runtime: Runtime) -> None:
    mail = Entity(id="email:7", type="email", label="Boarding pass — Air Example",
                  provenance=MAIL, scope=Scope.CONVERSATION,
                  attributes={"from": "Air Example", "subject": "Boarding pass"})
    plan = _session(runtime, _link(1, "Ferry times"), mail).propose(
        "send it to noor").plan
    assert [(s.action, s.args) for s in plan.steps] == [
        ("forward_email", {"email": "email:7", "to": "contact:noor-h"})]
    opened = _link(1, "Ferry times").model_copy(update={"ordinal": None})  # not one of a list
    plan = _session(runtime, mail, opened).propose("email it to noor").plan
    assert [(s.action, s.args) for s in plan.steps] == [
        ("send_email", {"to": "contact:noor-h", "body": "https://site1.example/x"})]


def test_nothing_to_send_is_asked_never_sent_as_it(runtime: Runtime) -> None:
    plan = _session(runtime).propose("send it to noor").plan
    assert plan.kind.value == "question" and not plan.steps


def _button(bid: str, label: str) -> Entity:
    return Entity(id=bid, type="button", label=label, provenance=WEB, scope=Scope.SCREEN)


def test_click_it_is_the_element_talked_of_last_and_asked_when_none_was(
        runtime: Runtime) -> None:
    session = _session(runtime)
    session.table.publish([_button("button:ok", "Accept all"),
                           _button("button:no", "Only necessary")])
    asked = session.propose("click it").plan      # two buttons came up at once: which?
    assert asked.kind.value == "question" and not asked.steps
    session.mention(_button("button:no", "Only necessary"))   # lam talked of this one
    plan = session.propose("click it").plan
    assert [(s.action, s.args) for s in plan.steps] == [("click", {"target": "button:no"})]


def test_both_drafts_are_sent_in_the_order_they_were_written(runtime: Runtime) -> None:
    drafts = [Entity(id=f"draft:{n}", type="draft", label=f"Draft: {subject}",
                     scope=Scope.CONVERSATION, attributes={"subject": subject})
              for n, subject in ((1, "Dinner on Sunday"), (2, "Roof repair"))]
    plan = _session(runtime, *drafts).propose("send both drafts").plan
    assert [(s.action, s.args) for s in plan.steps] == [
        ("send_draft", {"draft": "draft:1"}), ("send_draft", {"draft": "draft:2"})]


def test_forward_her_mail_to_him_is_not_back_to_her(runtime: Runtime) -> None:
    plumber = _person("contact:gary-e", "Gary Evans", "plumber")
    sender = _person("contact:sinead-m", "Sinead Moore", "")
    mail = Entity(id="email:3", type="email", label="Leak in the kitchen — Sinead Moore",
                  provenance=MAIL, scope=Scope.CONVERSATION,
                  attributes={"from": "Sinead Moore", "sender": "sinead-m@mail.example",
                              "subject": "Leak in the kitchen"})
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    session.table.set_background([plumber, sender, NOOR])
    session.mention(plumber)   # lam looked Gary up
    session.mention(mail)      # then read Sinead's mail
    plan = session.propose("forward Sinead's email to him").plan
    assert [(s.action, s.args) for s in plan.steps] == [
        ("forward_email", {"email": "email:3", "to": "contact:gary-e"})]
    alone = Session(runtime)
    alone.table.set_background([plumber, sender])
    alone.mention(mail)        # no one else talked of: asked, not sent back to her
    asked = alone.propose("forward Sinead's email to him").plan
    assert asked.kind.value == "question" and not asked.steps


def test_the_x_one_that_fits_two_mails_is_asked(runtime: Runtime) -> None:
    mails = [Entity(id=f"email:{n}", type="email", label=f"{subject} — {who}", provenance=MAIL,
                    scope=Scope.CONVERSATION, attributes={"from": who, "subject": subject})
             for n, subject, who in ((1, "Re: venue for Friday", "Dan Fox"),
                                     (2, "Venue quote", "Cara Lim"),
                                     (3, "Band rider", "Cara Lim"))]
    session = _session(runtime, *mails)
    asked = session.propose("reply to the venue one and say we'll take it").plan
    assert asked.kind.value == "question" and not asked.steps
    assert "Venue quote" in (asked.question or "") and "venue for Friday" in (asked.question or "")
    plan = session.propose("reply to the band one and say we'll take it").plan
    assert [(s.action, s.args["email"]) for s in plan.steps] == [("reply_email", "email:3")]


def test_them_all_is_each_of_the_things_just_listed(runtime: Runtime) -> None:
    mails = [Entity(id=f"email:{n}", type="email", label=f"Note {n} — Dan Fox", provenance=MAIL,
                    scope=Scope.CONVERSATION, attributes={"from": "Dan Fox"}) for n in (1, 2, 3)]
    plan = _session(runtime, *mails).propose("mark them all as read").plan
    assert [(s.action, s.args) for s in plan.steps] == [
        ("mark_read", {"email": f"email:{n}"}) for n in (1, 2, 3)]
    one = _session(runtime, mails[0]).propose("mark them all as read").plan
    assert [s.args for s in one.steps] == [{"email": "email:1"}]  # the one there is
