"""Requests as people type them to send mail and handle things: the thing named first and
referred to after ("the gym reminder - push it to 8"), an address typed right after a name,
a subject whose words name another action, a person's relation word, a "cc" before the
message, a mail domain that is no site, a message that only names its recipient, "it"
with nothing talked of yet, and a message typed as a chat line ("wren: running late").
Scripted models, the real plugins."""

from __future__ import annotations

from datetime import timedelta

from actions.plan import Plan, PlanKind, Step, ValueSource
from assistant.planner.doubts import better_fits, plan_doubts
from assistant.planner.relevance import ActionVocabulary
from assistant.planner.rewrites import addressed, dislocated
from assistant.planner.slots import _address_apart
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW
from tests.planner.test_escalation import Scripted
from tests.planner.test_people_in_the_request import _person

PEOPLE = [_person("contact:wren-hale", "Wren Hale", "mum"),
          _person("contact:ilse-rauch", "Ilse Rauch", "boss"),
          _person("contact:omar-said", "Omar Said", "")]


def _session(runtime: Runtime, *plans: dict[str, object]) -> Session:
    tier1 = Scripted(*plans)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish(PEOPLE)
    return session


def test_a_thing_named_first_is_put_where_it_is_referred_to() -> None:
    assert dislocated("the dentist reminder - push it to friday 8am") == \
        "push the dentist reminder to friday 8am"
    assert dislocated("the fourth link, open it") == "open the fourth link"
    assert dislocated("the weather - is it nice") is None          # no reference in front
    assert dislocated("remind me - it is late") is None            # nothing named first
    assert dislocated("the dentist reminder - cancel") is None      # nothing refers back


def test_an_address_typed_after_a_name_is_the_address() -> None:
    props = {"name": {"type": "string"}, "email": {"type": "string", "format": "email"}}
    step = _address_apart(Step(action="add_contact",
                               args={"name": "Tamsin Roe tamsin@roe.example"}), props)
    assert step.args == {"name": "Tamsin Roe", "email": "tamsin@roe.example"}
    given = Step(action="add_contact", args={"name": "Tamsin Roe x@y.example",
                                             "email": "tamsin@roe.example"})
    assert _address_apart(given, props) == given  # the address is set already: left


def test_a_subject_naming_another_action_is_no_cue_for_it(runtime: Runtime) -> None:
    vocabulary = ActionVocabulary(list(runtime.registry))
    plan = Plan(request="x", kind=PlanKind.ACTIONS, steps=[Step(action="send_email", args={
        "to": "omar", "subject": "budget draft", "body": "numbers are in the sheet"})])
    request = "email omar subject: budget draft, body: numbers are in the sheet"
    assert better_fits(request, plan, vocabulary) == ([], [])
    searched = Plan(request="x", kind=PlanKind.ACTIONS, steps=[Step(
        action="search_web", args={"query": "remind me to call omar"})])
    doubts, _ = better_fits("remind me to call omar", searched, vocabulary)
    assert doubts  # a search for the whole request is no message: its words still count


def test_a_word_for_a_person_is_no_cue(runtime: Runtime) -> None:
    vocabulary = ActionVocabulary(list(runtime.registry))
    plan = Plan(request="x", kind=PlanKind.ACTIONS, steps=[Step(
        action="open_url", args={"url": "https://figma.com"})])
    _, among = better_fits("email omar and cc my boss: the mockups are up in figma", plan,
                           vocabulary)
    assert "add_contact" not in among


def test_cc_before_the_message_is_the_list_of_people(runtime: Runtime) -> None:
    session = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "omar", "body": "the mockups are up"}}]})
    plan = session.propose("email omar and cc my boss: the mockups are up").plan
    assert [(s.args["to"], s.args.get("cc")) for s in plan.steps] == [
        ("contact:omar-said", ["contact:ilse-rauch"])]


def test_a_mail_domain_is_no_site_the_request_names(runtime: Runtime) -> None:
    specs = {s.name: s for s in runtime.registry}
    url = "https://harbour-clinic.example/"
    plan = Plan(request="x", kind=PlanKind.ACTIONS, steps=[
        Step(action="open_url", args={"url": url},
             sources={"url": ValueSource(kind="normalized", text=url)}),
        Step(action="send_email", args={"to": "d.ng@harbour-clinic.example", "body": "hi"})])
    request = "email d.ng@harbour-clinic.example and ask if the scan is ready"
    doubts = plan_doubts(request, plan, [], specs, None)
    assert any("is not in the request" in d for d in doubts)


def test_a_message_that_only_names_its_recipient_is_asked(runtime: Runtime) -> None:
    session = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "mum", "body": "mum"}}]})
    plan = session.propose("email mum").plan
    assert plan.kind is PlanKind.QUESTION
    assert plan.question and "What should the message say" in plan.question
    told = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "mum", "body": "thanks"}}]})
    assert told.propose("email mum thanks").plan.kind is PlanKind.ACTIONS


def test_it_with_nothing_talked_of_asks_which(runtime: Runtime) -> None:
    from plugins.scheduler.store import Job, to_ms

    later = to_ms(NOW + timedelta(days=2))
    for n, text in enumerate(["water the ferns", "call the plumber"], 1):
        runtime.loaded.plugins["scheduler"].store.add(Job(  # type: ignore[attr-defined]
            id=f"job:{n}", kind="reminder", text=text, plan=None, rule=None, anchor=later,
            tz="Europe/Berlin", next_fire=later, state="active", created=to_ms(NOW),
            updated=to_ms(NOW)))
    guess = Scripted({"steps": [{"action": "cancel_job", "args": {"job": "job:1"}}]})
    runtime.model_factories = {1: lambda: guess, 2: lambda: None}
    plan = Session(runtime).propose("cancel it").plan
    assert plan.kind is PlanKind.QUESTION
    assert plan.question and "ferns" in plan.question and "plumber" in plan.question


def test_a_relation_no_contact_has_is_asked_never_guessed(runtime: Runtime) -> None:
    session = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "contact:ilse-rauch", "body": "happy birthday!!"}}]})
    plan = session.propose("email my sister happy birthday!!").plan
    assert plan.kind is PlanKind.QUESTION and not plan.steps
    assert plan.question and "Who is your sister?" in plan.question
    ok = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "my boss", "body": "the deck is done"}}]})
    plan = ok.propose("tell my boss that the deck is done, my sister helped").plan
    assert [s.args.get("to") for s in plan.steps] == ["contact:ilse-rauch"]


def test_reply_to_her_is_a_reply_to_the_mail_talked_of_last(runtime: Runtime) -> None:
    from actions import Entity, Provenance
    from actions.entities import Scope

    session = _session(runtime)
    session.table.publish([Entity(
        id="email:77", type="email", label="Boat trip? — Wren Hale", scope=Scope.CONVERSATION,
        provenance=Provenance.untrusted("email from wren@hale.example"),
        attributes={"from": "Wren Hale", "sender": "wren@hale.example"})])
    plan = session.propose("reply to her saying count me in for saturday").plan
    assert [(s.action, s.args.get("email")) for s in plan.steps] == [("reply_email", "email:77")]
    assert plan.tier == 0


def test_a_persons_address_named_by_whose_it_is_fills_a_field(runtime: Runtime) -> None:
    from actions import Entity, Provenance

    session = _session(runtime)
    web = Provenance.untrusted("web")
    session.table.publish([
        Entity(id="page:signup", type="page", label="Sign up", provenance=web),
        Entity(id="field:email", type="field", label="Email", provenance=web, ordinal=1),
        Entity(id="field:name", type="field", label="Name", provenance=web, ordinal=2)])
    plan = session.propose("fill the email box with my mums email").plan
    assert [(s.args.get("field"), s.args.get("value")) for s in plan.steps] == [
        ("field:email", "wren-hale@mail.example")]
    plan = session.propose("fill the email box with omar's email").plan
    assert [s.args.get("value") for s in plan.steps] == ["omar-said@mail.example"]


def test_words_in_the_subject_filter_the_list_and_a_name_ends_at_a_comma(
        runtime: Runtime) -> None:
    from assistant.planner.cascade import slot_checks
    from assistant.templates import TemplateMatcher

    session = _session(runtime)
    plan = session.propose("show me the emails with parcel in the subject").plan
    assert [(s.action, s.args) for s in plan.steps] == [("list_emails", {"subject": "parcel"})]
    assert plan.tier == 0
    specs = list(runtime.registry)
    checks = slot_checks({t for s in specs for t in s.entity_params().values()})
    seq = TemplateMatcher(specs, strict=False, slot_checks=checks).match_sequence(
        "draft an email to omar, subject 'dock', saying the boat is in")
    assert seq is None or all("," not in str(m.slots.get("to", "")) for m in seq)


def test_a_word_taken_back_is_replaced_by_the_one_said_after(runtime: Runtime) -> None:
    from assistant.planner.rewrites import corrected

    plan = _session(runtime).propose("email omar - sorry no, wren - that the ferry is late").plan
    assert [(s.args.get("to"), s.args.get("body")) for s in plan.steps] == [
        ("contact:wren-hale", "the ferry is late")]
    assert plan.tier == 0

    assert corrected("email tobi - sorry no, wren - that the ferry is late") == \
        "email wren that the ferry is late"
    assert corrected("remind me at 5, I mean 6, to feed the cat") == \
        "remind me at 6 to feed the cat"
    assert corrected("tell omar sorry I missed the call") is None   # an apology is a message
    assert corrected("tell omar, sorry, I'm late") is None


def test_it_with_nothing_talked_of_is_the_reminder_that_just_fired(runtime: Runtime) -> None:
    from plugins.scheduler.store import Job, to_ms

    later = to_ms(NOW + timedelta(days=2))
    for n, (text, state) in enumerate([("check the oven", "done"),
                                       ("call the plumber", "active")], 1):
        runtime.loaded.plugins["scheduler"].store.add(Job(  # type: ignore[attr-defined]
            id=f"job:{n}", kind="reminder", text=text, plan=None, rule=None, anchor=later,
            tz="Europe/Berlin", next_fire=later, state=state, created=to_ms(NOW),
            updated=to_ms(NOW)))
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    plan = Session(runtime).propose("snooze it for 10 minutes").plan
    assert [(s.action, s.args.get("job")) for s in plan.steps] == [("snooze_job", "job:1")]


def test_a_relation_cut_to_its_last_word_is_the_phrase_said() -> None:
    from assistant.planner.said_filters import _whole_relation

    optional: dict[str, dict[str, object]] = {"relation": {}, "nicknames": {}}
    args: dict[str, object] = {"name": "Oona Vale", "relation": "trainer",
                               "nicknames": ["climbing trainer", "Oo"]}
    _whole_relation("add Oona Vale, she's my climbing trainer", optional, args, {})
    assert args == {"name": "Oona Vale", "relation": "climbing trainer", "nicknames": ["Oo"]}
    kept: dict[str, object] = {"name": "Ivo", "relation": "dentist"}
    _whole_relation("save Ivo as my new dentist", optional, kept, {})
    assert kept["relation"] == "dentist"  # "new" says when, not who


def test_the_verb_copied_as_the_thing_to_press_is_no_thing(runtime: Runtime) -> None:
    from actions import Entity, Provenance

    web = Provenance.untrusted("web")
    tier1 = Scripted({"steps": [{"action": "submit_form", "args": {"target": "send"}}]})
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([
        Entity(id="page:form", type="page", label="Enquiry", provenance=web),
        Entity(id="field:msg", type="field", label="Message", provenance=web, ordinal=1),
        Entity(id="button:go", type="button", label="Send enquiry", provenance=web, ordinal=1),
        Entity(id="button:x", type="button", label="Clear form", provenance=web, ordinal=2)])
    plan = session.propose("ok now send it").plan
    assert [(s.action, s.args) for s in plan.steps] == [("submit_form", {})]


def test_stop_reminding_me_cancels_that_reminder_and_new_mail_is_unread(
        runtime: Runtime) -> None:
    from assistant.planner.rewrites import stop_reminding
    from plugins.scheduler.store import Job, to_ms

    assert stop_reminding("stop reminding me about the bins") == "cancel the bins"
    assert stop_reminding("remind me to stop the car") is None
    later = to_ms(NOW + timedelta(days=2))
    runtime.loaded.plugins["scheduler"].store.add(Job(  # type: ignore[attr-defined]
        id="job:9", kind="reminder", text="water the tomatoes", plan=None, rule=None,
        anchor=later, tz="Europe/Berlin", next_fire=later, state="active",
        created=to_ms(NOW), updated=to_ms(NOW)))
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    plan = Session(runtime).propose("pls stop reminding me about the tomatoes").plan
    assert [(s.action, s.args.get("job")) for s in plan.steps] == [("cancel_job", "job:9")]
    plan = Session(runtime).propose("do I have any new mails?").plan
    assert [(s.action, s.args) for s in plan.steps] == [("list_emails", {"unread": True})]


def test_a_chat_line_to_a_person_is_a_message_to_them() -> None:
    people = frozenset({"wren", "hale", "omar", "said"})
    assert addressed("wren: train delayed, home by 8", people) == \
        "email wren saying train delayed, home by 8"
    assert addressed("Omar Said: the keys are under the mat", people) == \
        "email Omar Said saying the keys are under the mat"
    assert addressed("text my boss: can't make standup", people) == \
        "email my boss saying can't make standup"
    assert addressed("note: buy oat milk", people) is None        # no person's name before it
    assert addressed("wren, dinner at 8?", people) is None        # no colon: not this form
    assert addressed("open https://a.example: now", people) is None


def test_a_chat_line_plans_the_send_at_tier_0(runtime: Runtime) -> None:
    session = _session(runtime)
    plan = session.propose("wren: train delayed, home by 8").plan
    assert plan.tier == 0
    assert [(s.action, s.args["to"], s.args["body"]) for s in plan.steps] == [
        ("send_email", "contact:wren-hale", "train delayed, home by 8")]


def test_a_nickname_said_exactly_beats_a_name_that_only_holds_it(runtime: Runtime) -> None:
    tunde = _person("contact:babatunde-a", "Babatunde Ade", "")
    tunde.attributes["nicknames"] = ["Tunde"]
    session = _session(runtime)
    session.table.publish([tunde, _person("contact:yetunde-o", "Yetunde Obi", "")])
    plan = session.propose("email tunde saying the gate code changed").plan
    assert [s.args.get("to") for s in plan.steps] == ["contact:babatunde-a"]


def test_the_link_a_step_opens_is_the_message_and_a_count_goes_with_a_subject(
        runtime: Runtime) -> None:
    session = _session(runtime)
    plan = session.propose("open tidetables.example/kiel and email omar said the link").plan
    assert [(s.action, s.args.get("body")) for s in plan.steps] == [
        ("open_url", None), ("send_email", "https://tidetables.example/kiel")]
    assert plan.steps[1].sources["body"].provenance.trusted  # the user's own address
    listed = session.propose("show me the last 3 emails with receipt in the subject").plan
    assert [(s.action, s.args) for s in listed.steps] == [
        ("list_emails", {"limit": 3, "subject": "receipt"})]


def test_a_message_that_is_only_a_talk_lam_never_saw_is_asked(runtime: Runtime) -> None:
    session = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "contact:omar-said", "body": "the stuff we discussed"}}]})
    plan = session.propose("send omar said the stuff we discussed").plan
    assert not plan.steps and plan.question is not None
    assert "the stuff we discussed" in plan.question
    said = _session(runtime, {"steps": [{"action": "send_email", "args": {
        "to": "contact:omar-said", "body": "what we discussed is fine by me"}}]})
    assert said.propose("mail omar said: what we discussed is fine by me").plan.steps


def test_why_said_after_a_recipient_is_not_part_of_who(runtime: Runtime) -> None:
    from tests.planner.test_mail_described import _mail

    session = _session(runtime)
    session.table.publish([_mail(1, "Invoice 0042", PEOPLE[2])])
    plan = session.propose("fwd omar's invoice to my boss for reimbursement").plan
    assert [(s.action, s.args.get("email"), s.args.get("to")) for s in plan.steps] == [
        ("forward_email", "email:1", "contact:ilse-rauch")]


def test_tell_someone_without_that_is_a_message_to_them(runtime: Runtime) -> None:
    kobayashi = _person("contact:yui-k", "Yui Kobayashi", "")
    kobayashi.attributes["email"] = "yui@kobayashi-design.example"
    session = _session(runtime)
    session.table.publish([*PEOPLE, kobayashi, _person("contact:yui-t", "Yui Tanaka", "")])
    plan = session.propose("tell yui at kobayashi design the proofs look great, go ahead").plan
    assert plan.tier == 0
    assert [(s.action, s.args["to"], s.args["body"]) for s in plan.steps] == [
        ("send_email", "contact:yui-k", "the proofs look great, go ahead")]
    plan = session.propose("let my boss know I'm working from home friday").plan
    assert [(s.action, s.args["to"], s.args["body"]) for s in plan.steps] == [
        ("send_email", "contact:ilse-rauch", "I'm working from home friday")]
    # two people called Yui and no place said: asked, never guessed
    asked = session.propose("tell yui the proofs look great").plan
    assert asked.kind.value == "question" and not asked.steps


def test_tell_reads_only_a_known_person_and_a_message() -> None:
    from assistant.context import EntityTable
    from assistant.planner.rewrites import told

    table = EntityTable()
    table.publish(PEOPLE)
    assert told("tell omar the van is booked", table) == "email omar saying the van is booked"
    assert told("tell my mum that I landed", table) == "email my mum saying I landed"
    assert told("tell me a joke about cats", table) is None       # not someone to write to
    assert told("tell wren about the van", table) is None        # no message: the model's
    assert told("tell nobody the secret", table) is None          # no one lam knows
    assert told("let omar have the van", table) is None           # "let" without "know"


def test_a_new_contacts_details_in_any_order_are_saved(runtime: Runtime) -> None:
    from assistant.planner.rewrites import contact_described

    assert contact_described("create new contact: Priya Nair, priya@nair.example, my "
                             "accountant") == \
        "add Priya Nair priya@nair.example to my contacts as my accountant"
    assert contact_described("add Ray Cole to my contacts, he's our plumber") == \
        "add Ray Cole to my contacts as my plumber"
    assert contact_described("add contact Ray Cole") is None      # nothing to read apart
    plan = _session(runtime).propose(
        "save a new contact Priya Nair priya@nair.example she's our accountant").plan
    assert plan.tier == 0
    assert [(s.action, s.args) for s in plan.steps] == [("add_contact", {
        "name": "Priya Nair", "email": "priya@nair.example", "relation": "accountant"})]


def test_an_address_said_with_words_for_the_person_is_that_address(runtime: Runtime) -> None:
    from assistant.planner.slots import address_with_words

    assert address_with_words("my adjuster l.gomez@pinecrest.example") == \
        "l.gomez@pinecrest.example"
    assert address_with_words("Lena Gomez <lena@gomez.example>") == "lena@gomez.example"
    assert address_with_words("a@x.example and b@y.example") is None   # two: the model's
    assert address_with_words("omar") is None
    assert address_with_words("omar and lena@gomez.example") is None   # two people, one address
    plan = _session(runtime).propose(
        "email my new tax adviser k.osei@ledger-lane.example saying the forms are signed").plan
    assert [(s.action, s.args["to"]) for s in plan.steps] == [
        ("send_email", "k.osei@ledger-lane.example")]
    assert plan.steps[0].sources["to"].provenance.trusted   # typed by the user


def test_a_recipient_the_request_never_names_is_asked_never_guessed(
        runtime: Runtime) -> None:
    guessed = {"steps": [{"action": "send_email", "args": {
        "to": "contact:ilse-rauch", "body": "I'm sick and won't come in today"}}]}
    plan = _session(runtime, guessed).propose(
        "send an email saying I'm sick and won't come in today").plan
    assert plan.kind.value == "question" and not plan.steps
    assert "Whom should I send it to" in (plan.question or "")
    named = {"steps": [{"action": "send_email", "args": {
        "to": "contact:ilse-rauch", "body": "I'm sick and won't come in today"}}]}
    plan = _session(runtime, named).propose(
        "write to my boss that I'm sick and won't come in today").plan
    assert [(s.action, s.args["to"]) for s in plan.steps] == [("send_email", "contact:ilse-rauch")]


def test_a_message_held_back_to_see_first_is_a_draft(runtime: Runtime) -> None:
    plan = _session(runtime).propose("email omar saying the van is booked, don't send it "
                                     "yet").plan
    assert [(s.action, s.args) for s in plan.steps] == [
        ("draft_email", {"to": "contact:omar-said", "body": "the van is booked"})]
    model = {"steps": [{"action": "send_email", "args": {
        "to": "Wren Hale", "body": "Did you get my payslips? Show me before it goes out."}}]}
    plan = _session(runtime, model).propose(
        "write to wren asking if she got my payslips, show me before it goes out").plan
    assert [(s.action, s.args["body"]) for s in plan.steps] == [
        ("draft_email", "Did you get my payslips?")]
    assert "Show me" not in plan.steps[0].args["body"]
