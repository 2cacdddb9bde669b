"""What a reminder is about, when the model copied the instruction instead: the request's one
other clause ("my dentist appt is dec 9 at 2:30pm, remind me an hour before"), or a question
("remind me at 6"). A typing slip in an action's word still calls for that action; a
frequency word before "reminder" asks for a repetition; a repetition's own time of day is its
first occurrence, not a day of its own. Scripted models, the real scheduler plugin."""

from __future__ import annotations

from datetime import datetime

from actions.entities import Entity, Provenance, Scope
from actions.plan import PlanKind
from assistant.planner.relevance import ActionVocabulary, one_edit
from assistant.planner.said_content import about_nothing, content_clause
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW
from tests.planner.test_escalation import Scripted

TZ = NOW.tzinfo


def _cues(runtime: Runtime) -> frozenset[str]:
    return ActionVocabulary(list(runtime.registry)).cues["set_reminder"]


def test_a_value_of_cue_words_and_times_is_about_nothing(runtime: Runtime) -> None:
    cues = _cues(runtime)
    assert about_nothing("remind me at 6", cues, NOW, TZ)  # type: ignore[arg-type]
    assert about_nothing("nudge me 20 minutes before", cues, NOW, TZ)  # type: ignore[arg-type]
    assert not about_nothing("water the basil at 6", cues, NOW, TZ)  # type: ignore[arg-type]
    assert not about_nothing("friday is fine", cues, NOW, TZ)  # type: ignore[arg-type]


def test_the_other_clause_says_what_it_is_about(runtime: Runtime) -> None:
    cues = _cues(runtime)
    said = content_clause("the vet visit is on friday at 4pm - remind me an hour before",
                          cues, NOW, TZ)  # type: ignore[arg-type]
    assert said == "the vet visit"
    assert content_clause("remind me at 6", cues, NOW, TZ) is None  # type: ignore[arg-type]
    assert content_clause("the vet is at 4, the groomer at 5, remind me an hour before",
                          cues, NOW, TZ) is None  # type: ignore[arg-type]  # two: asked




def test_a_reminder_copied_from_its_instruction_takes_the_other_clause(
        runtime: Runtime) -> None:
    copied = {"steps": [{"action": "set_reminder", "args": {
        "text": "remind me an hour before", "when": "an hour before"}}]}
    runtime.model_factories = {1: lambda: Scripted(copied), 2: lambda: None}
    proposal = Session(runtime).propose(
        "the vet visit is on friday at 4pm, remind me an hour before")
    step = proposal.plan.steps[0]
    assert step.args["text"] == "the vet visit"
    assert step.sources["text"].provenance.trusted
    assert datetime.fromisoformat(step.args["when"]) == datetime(2026, 11, 27, 15, 0,
                                                                  tzinfo=TZ)


def test_a_reminder_of_nothing_is_asked(runtime: Runtime) -> None:
    copied = {"steps": [{"action": "set_reminder", "args": {
        "text": "remind me at 6pm", "when": "at 6pm"}}]}
    runtime.model_factories = {1: lambda: Scripted(copied), 2: lambda: None}
    proposal = Session(runtime).propose("nudge me at 6pm")
    assert proposal.plan.kind is PlanKind.QUESTION
    assert proposal.question_param == "text"
    assert "what to remind of" in (proposal.plan.question or "")


def test_a_typing_slip_is_one_edit_away() -> None:
    assert one_edit("rmind", "remind") and one_edit("forwrad", "forward")
    assert not one_edit("remind", "remind") and not one_edit("rmnd", "remind")


def test_a_typing_slip_in_an_actions_word_still_calls_for_it(runtime: Runtime) -> None:
    vocab = ActionVocabulary(list(runtime.registry))
    assert "remind" in vocab.typo_cues("pls rmind me about the basil")
    listing = {"steps": [{"action": "list_emails", "args": {}}]}
    remind = {"steps": [{"action": "set_reminder", "args": {
        "text": "water the basil", "when": "friday at 6pm"}}]}
    tier1 = Scripted(listing, remind)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    # (not the first word: a slip there is read by the templates, test_verb_slip.py)
    proposal = Session(runtime).propose("so could you rmind me friday at 6pm to water the "
                                        "basil")
    assert [s.action for s in proposal.plan.steps] == ["set_reminder"]
    assert tier1.allowed[1] == {"set_reminder"}


def test_an_hourly_reminder_repeats_from_the_next_hour(runtime: Runtime) -> None:
    made_up = {"steps": [{"action": "set_reminder", "args": {
        "text": "drink water", "when": "now", "every": "hourly"}}]}
    runtime.model_factories = {1: lambda: Scripted(made_up), 2: lambda: None}
    proposal = Session(runtime).propose("hourly reminder to drink water pls")
    step = proposal.plan.steps[0]
    assert step.args["every"].startswith("FREQ=HOURLY")
    assert datetime.fromisoformat(step.args["when"]) > NOW


def test_a_repetitions_time_of_day_is_its_first_occurrence(runtime: Runtime) -> None:
    both = {"steps": [{"action": "set_reminder", "args": {
        "text": "pay the gym", "when": "at 7am", "every": "the 15th of every month at 7am"}}]}
    runtime.model_factories = {1: lambda: Scripted(both), 2: lambda: None}
    proposal = Session(runtime).propose(
        "set a reminder for the 15th of every month at 7am to pay the gym")
    step = proposal.plan.steps[0]
    assert datetime.fromisoformat(step.args["when"]) == datetime(2026, 12, 15, 7, 0, tzinfo=TZ)


def test_a_body_that_is_only_the_subject_takes_what_the_request_says() -> None:
    from assistant.planner.said_content import said_message

    request = "write the landlord asking to fix the boiler by friday, subject 'boiler'"
    assert said_message(request) == "to fix the boiler by friday"
    assert said_message("mail ana the map") is None
    assert said_message("send ana an email reminding her to bring the map") == \
        "to bring the map"


def test_what_follows_the_colon_is_the_message() -> None:
    from assistant.planner.said_content import said_message

    assert said_message("mail kofi the gate code: 4471, flat 2") == "4471, flat 2"
    assert said_message("remind me at 5:30 to stretch") is None  # a clock time's colon
    assert said_message("note: one: two") is None  # which colon is meant is not clear


def test_what_follows_one_spaced_dash_is_the_message(runtime: Runtime) -> None:
    """"mail X re <subject> - <text>": the text after the dash; a body that copies the whole
    request takes it instead."""
    from assistant.planner.said_content import said_message

    assert said_message("mail rui re the trip - flights are booked") == "flights are booked"
    assert said_message("book the 9-5 shift") is None          # no spaced dash
    assert said_message("a - b - c") is None                   # which dash is not clear
    request = "mail rui re the trip - flights are booked"
    copied = {"steps": [{"action": "send_email", "args": {"to": "rui@x.example",
                                                          "body": request}}]}
    runtime.model_factories = {1: lambda: Scripted(copied), 2: lambda: None}
    step = Session(runtime).propose(request).plan.steps[0]
    assert step.args["body"] == "flights are booked"


def _with_people(runtime: Runtime, tier1: Scripted) -> Session:
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    session = Session(runtime)
    session.extra_background = [
        Entity(id=f"contact:{n}", type="contact", label=n.title(), scope=Scope.BACKGROUND,
               provenance=Provenance(trusted=True, source="user"),
               attributes={"email": f"{n}@example.org", "emails": [f"{n}@example.org"]})
        for n in ("kofi", "lee")]
    return session


def test_a_text_the_model_points_at_its_own_output_takes_the_said_message(
        runtime: Runtime) -> None:
    """A one-step plan whose body is "the output of step 1" (itself): the text after the
    colon; without one, the plan goes back to the model (never stands)."""
    own = {"steps": [{"action": "send_email",
                      "args": {"to": "contact:kofi", "body": {"$step": 0}}}]}
    step = _with_people(runtime, Scripted(own)).propose(
        "send kofi the gate code: 4471, flat 2").plan.steps[0]
    assert step.args["body"] == "4471, flat 2"
    assert step.sources["body"].kind == "user_text"
    unsaid = _with_people(runtime, Scripted(own)).propose("send kofi the gate code")
    assert not unsaid.runnable
    assert any("dangling_step_ref" in e for e in unsaid.plan.escalations)


def test_a_singular_pronoun_does_not_stand_for_the_people_the_model_copies_in(
        runtime: Runtime) -> None:
    """"… so he can get in" is one person, the one named: the cc list the model filled
    with someone the request never names is left out, the addressee kept."""
    copied = {"steps": [{"action": "send_email", "args": {
        "to": "contact:kofi", "cc": ["contact:lee"], "body": "the gate code is 4471"}}]}
    step = _with_people(runtime, Scripted(copied)).propose(
        "write to kofi with the gate code 4471 so he can get in").plan.steps[0]
    assert step.args["to"] == "contact:kofi"
    assert "cc" not in step.args
