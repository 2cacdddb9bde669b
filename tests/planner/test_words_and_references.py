"""Words read as people type them: a template's colon is a colon at a word's end (not the one
in "9:15"); chat shorthand ("fwd") and plurals ("boss", "messages") are the words actions are
called by; an action whose whole name the request says beats its sibling the model picked
("mark it unread" is not ``mark_read``); a reference slot the model filled with a name takes
the request's one reference of that type ("forward the 3rd email to nora")."""

from __future__ import annotations

from actions import Entity, Provenance
from actions.entities import Scope
from assistant.context import EntityTable
from assistant.planner.cascade import slot_checks
from assistant.planner.relevance import stems
from assistant.runtime import Runtime
from assistant.session import Session
from assistant.templates import TemplateMatcher
from tests.planner.test_escalation import Scripted

MAIL = Provenance(trusted=False, source="email from x@y.example")


def _matcher(runtime: Runtime) -> TemplateMatcher:
    specs = list(runtime.registry)
    types = {t for s in specs for t in s.entity_params().values()}
    return TemplateMatcher(specs, strict=False, slot_checks=slot_checks(types))


def test_a_templates_colon_is_not_the_one_in_a_clock_time(runtime: Runtime) -> None:
    matcher = _matcher(runtime)
    seq = matcher.match_sequence("reply to the first email that 10:45 works for me")
    assert seq is not None and seq[0].slots == {"email": "the first email",
                                                "body": "10:45 works for me"}
    colon = matcher.match_sequence("answer the first email: see you at 10:45")
    assert colon is not None and colon[0].slots["body"] == "see you at 10:45"


def test_shorthand_and_plurals_are_the_actions_words() -> None:
    assert stems("fwd the msgs to my boss") == {"forward", "message", "boss"}
    assert stems("boxes and messages") == {"box", "message"}


def _inbox(runtime: Runtime, tier1: Scripted) -> Session:
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([
        Entity(id=f"email:{n}", type="email", label=f"From {who}: {subject}", ordinal=n,
               scope=Scope.SCREEN, provenance=MAIL,
               attributes={"from": f"{who.lower()}@mail.example", "subject": subject})
        for n, (who, subject) in enumerate([("Olga", "Harbour fees"), ("Pim", "Crew list"),
                                            ("Rui", "Sail repair quote")], 1)])
    session.table.publish([Entity(id="contact:tess-moor", type="contact", label="Tess Moor",
                                  provenance=Provenance.user(),
                                  attributes={"email": "tess@moor.example"})])
    return session


def test_the_whole_name_the_request_says_beats_its_sibling(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "mark_read", "args": {"email": "email:2"}}]},
                     {"steps": [{"action": "mark_unread", "args": {"email": "email:2"}}]})
    session = _inbox(runtime, tier1)
    proposal = session.propose("the second one, mark it unread so it stays on my radar")
    assert [s.action for s in proposal.plan.steps] == ["mark_unread"]
    assert tier1.allowed[-1] == {"mark_unread"}
    assert any("says mark_unread's name in full" in e for e in proposal.plan.escalations)


def test_a_name_in_a_reference_slot_takes_the_requests_one_reference(
        runtime: Runtime) -> None:
    swapped = {"steps": [{"action": "forward_email", "args": {
        "email": "tess", "to": "contact:tess-moor", "note": "ours?"}}]}
    session = _inbox(runtime, Scripted(swapped))
    proposal = session.propose("pass the 3rd email on to tess with a note: ours?")
    step = proposal.plan.steps[0]
    assert step.args["email"] == "email:3" and step.args["to"] == "contact:tess-moor"
    assert "the request's one email" in step.sources["email"].note


def test_a_stray_word_in_a_reference_slot_takes_the_one_thing_a_possessive_describes(
        runtime: Runtime) -> None:
    """"rui's quote" describes one email (from Rui, about a quote); the model wrote "w" (of
    "w/ a note") in its slot. Two possessives describing two emails are asked about."""
    stray = {"steps": [{"action": "forward_email", "args": {
        "email": "w", "to": "contact:tess-moor", "note": "ok?"}}]}
    step = _inbox(runtime, Scripted(stray)).propose(
        "pass rui's quote on to tess w a note: ok?").plan.steps[0]
    assert step.args["email"] == "email:3"
    assert "rui's quote" in step.sources["email"].note
    asked = _inbox(runtime, Scripted(stray)).propose(
        "pass rui's quote or pim's list on to tess w a note: ok?")
    assert asked.question_param == "email"


def test_a_request_whose_only_action_word_has_a_slip_is_not_small_talk(
        runtime: Runtime) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from assistant.planner.relevance import ActionVocabulary

    vocab = ActionVocabulary(list(runtime.registry))
    now = datetime(2026, 11, 24, 10, 0, tzinfo=ZoneInfo("UTC"))
    assert vocab.why_actionable("pls forwrad that", now, now.tzinfo) is not None  # type: ignore[arg-type]
    assert vocab.why_actionable("lookup the tides", now, now.tzinfo) is not None  # type: ignore[arg-type]
    assert vocab.why_actionable("hey hows it going", now, now.tzinfo) is None  # type: ignore[arg-type]


def test_a_verb_only_other_things_take_is_answered_not_read(runtime: Runtime) -> None:
    """"delete my emails" planned as listing them: no action deletes email ("delete" is what
    cancel_job does, to a reminder), so the answer says so instead of running a read."""
    tier1 = Scripted({"steps": [{"action": "list_emails", "args": {}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("pls delete every email from the newsletter")
    assert not proposal.plan.steps and proposal.plan.answer is not None
    assert proposal.plan.answer.startswith("I can't delete emails: no action does that.")
    listed = Session(runtime).propose("pls show every email from the newsletter")
    assert listed.plan.answer is None or listed.plan.steps
    later = Session(runtime).propose("hey could you delete every email from the newsletter")
    assert later.plan.answer and later.plan.answer.startswith("I can't delete emails")


def test_a_thing_after_the_verb_is_no_verb(runtime: Runtime) -> None:
    """"email ana the notes from the meeting": "notes" names what to send, not a verb that no
    action has for emails."""
    tier1 = Scripted({"steps": [{"action": "list_emails", "args": {}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("email ana the notes from the meeting")
    assert not (proposal.plan.answer or "").startswith("I can't notes")


def test_a_question_to_lam_answered_without_an_action_is_not_doubted_for_its_words(
        runtime: Runtime) -> None:
    from actions.plan import Plan, PlanKind
    from assistant.planner.doubts import plan_doubts
    from assistant.planner.relevance import ActionVocabulary

    vocab = ActionVocabulary(list(runtime.registry))
    specs = {s.name: s for s in runtime.registry}
    none = Plan(request="x", kind=PlanKind.NO_ACTION, answer="no")
    asked = "how would you say thank you in finnish"
    assert plan_doubts(asked, none, [], specs, "action words: say", {}, vocab) == []
    told = "say thanks to tess by email"
    assert plan_doubts(told, none, [], specs, "action words: say", {}, vocab)


def test_the_one_the_model_cut_short_is_found_by_the_words_after_it(runtime: Runtime) -> None:
    """open_url("the one") for "open the one about ferry times": the request's own words
    after it say which link."""
    page = Provenance(trusted=False, source="page https://harbour.example/")
    tier1 = Scripted({"steps": [{"action": "open_url", "args": {"url": "the one"}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([
        Entity(id=f"link:{n}", type="link", label=label, ordinal=n, scope=Scope.SCREEN,
               provenance=page, attributes={"url": f"https://harbour.example/{n}"})
        for n, label in ((1, "Berth prices"), (2, "Ferry times this winter"), (3, "Contact"))])
    proposal = session.propose("open the one about ferry times")
    assert [(s.action, s.args) for s in proposal.plan.steps] == [
        ("open_link", {"link": "link:2"})]


class _Unsure(Scripted):
    def plan_json(self, system: str, user: str, schema: dict[str, object],
                  max_tokens: int) -> tuple[str, float | None]:
        wire, _ = super().plan_json(system, user, schema, max_tokens)  # type: ignore[arg-type]
        return wire, 0.5


def _page_and_tess(runtime: Runtime, tier1: Scripted, tier2: Scripted) -> Session:
    runtime.model_factories = {1: lambda: tier1, 2: lambda: tier2}
    session = Session(runtime)
    page = Provenance(trusted=False, source="page https://harbour.example/")
    session.table.publish([
        Entity(id="link:1", type="link", label="Winter ferry times", ordinal=1,
               scope=Scope.SCREEN, provenance=page,
               attributes={"url": "https://harbour.example/ferries"}),
        Entity(id="contact:tess-moor", type="contact", label="Tess Moor",
               provenance=Provenance.user(),
               attributes={"email": "tess@moor.example", "nicknames": ["Te"]})])
    return session


def test_a_message_naming_the_link_holds_its_address(runtime: Runtime) -> None:
    """"mail te the link": the model copies "te the link" into the body; the body is the
    link's address (with the page's provenance), and the reference counts as used."""
    copied = {"steps": [{"action": "send_email", "args": {
        "to": "contact:tess-moor", "body": "te the link"}}]}
    session = _page_and_tess(runtime, Scripted(copied), Scripted(copied))
    proposal = session.propose("mail te the link")
    step = proposal.plan.steps[0]
    assert step.args["body"] == "https://harbour.example/ferries"
    assert step.sources["body"].entity_id == "link:1"
    assert not step.sources["body"].provenance.trusted


def test_tier_2_asking_about_what_nobody_said_leaves_tier_1s_plan(runtime: Runtime) -> None:
    sent = {"steps": [{"action": "send_email", "args": {
        "to": "contact:tess-moor", "body": "the link"}}]}
    odd = {"steps": [{"action": "fill_field", "args": {"field": "recipient", "value": "te"}}]}
    session = _page_and_tess(runtime, _Unsure(sent), Scripted(odd))
    proposal = session.propose("pass te that link")  # no template reads it: tier 1's turn
    assert [s.action for s in proposal.plan.steps] == ["send_email"]
    assert "tier 1's plan stands" in proposal.plan.escalations[-1]


def test_a_bare_read_nothing_asked_for_is_dropped_beside_a_step_that_was(
        runtime: Runtime) -> None:
    from actions.plan import Step

    planner = Session(runtime).planner
    scroll, click = Step(action="scroll", args={}), Step(action="click",
                                                         args={"target": "load more"})
    table = EntityTable()
    assert planner._prune([scroll, click], "give load more a click", table, []) == [click]
    assert planner._prune([scroll, click], "scroll and click load more", table, []) == [
        scroll, click]
    assert planner._prune([scroll], "look around", table, []) == [scroll]


def test_a_read_of_what_a_later_step_answers_is_dropped(runtime: Runtime) -> None:
    from actions.plan import Step

    planner = Session(runtime).planner
    read = Step(action="read_email", args={"email": "email:4"})
    reply = Step(action="reply_email", args={"email": "email:4", "body": "on my way"})
    table = EntityTable()
    assert planner._prune([read, reply], "answer ola's email with on my way", table, []) == [
        reply]
    assert planner._prune([read, reply], "read ola's email and reply on my way", table,
                          []) == [read, reply]


def test_a_verb_that_is_also_a_noun_names_no_thing(runtime: Runtime) -> None:
    """"message ana asking if …" read as a list by the model: "message" is the verb (send_email
    has it), not an email to message, so no "I can't message emails" answer."""
    tier1 = Scripted({"steps": [{"action": "list_emails", "args": {}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("message ana asking if the van is free on sunday")
    assert not (proposal.plan.answer or "").startswith("I can't message")
