"""Tier 0's second readings: the time said first, "N more minutes on" a reminder, a trailing
"instead", "the X thing", "that one" for the reminder that just fired, and two readings in
turn. Templates only (no model), the real scheduler and browser plugins."""

from __future__ import annotations

from datetime import timedelta

from actions import Entity, Provenance
from actions.entities import Scope
from assistant.planner.rewrites import (
    more_minutes,
    not_this_but,
    reread,
    time_first,
    without_instead,
)
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW

TZ = NOW.tzinfo


def _jobs(runtime: Runtime, *jobs: tuple[str, str]) -> Session:
    from plugins.scheduler.store import Job, to_ms

    later = to_ms(NOW + timedelta(days=2))
    for n, (text, state) in enumerate(jobs, 1):
        runtime.loaded.plugins["scheduler"].store.add(Job(  # type: ignore[attr-defined]
            id=f"job:{n}", kind="reminder", text=text, plan=None, rule=None, anchor=later,
            tz="Europe/Berlin", next_fire=later, state=state, created=to_ms(NOW),
            updated=to_ms(NOW)))
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    return Session(runtime)


def test_a_time_said_first_is_put_after_what_to_do() -> None:
    assert time_first("every other friday at 8am remind me to water the ferns", NOW,
                      TZ) == "remind me to water the ferns every other friday at 8am"  # type: ignore[arg-type]
    assert time_first("tomorrow at 6pm, remind me to book the vet", NOW,
                      TZ) == "remind me to book the vet tomorrow at 6pm"  # type: ignore[arg-type]
    assert time_first("the ferns need water", NOW, TZ) is None  # type: ignore[arg-type]
    # the time is the first step's when another follows
    assert time_first("every friday at 5pm remind me to file my hours, and email ana that it's "
                      "done", NOW, TZ) == "remind me to file my hours every friday at 5pm, " \
        "and email ana that it's done"  # type: ignore[arg-type]


def test_more_minutes_is_a_snooze_and_instead_is_dropped() -> None:
    assert more_minutes("gimme 10 more minutes on the laundry one") == \
        "snooze the laundry one for 10 minutes"
    assert more_minutes("give me more time") is None
    assert without_instead("make it 7pm instead") == "make it 7pm"
    assert without_instead("email ana instead of bo") is None


def test_two_readings_in_turn() -> None:
    ways = [without_instead, lambda text: text.replace("that", "the x") if "that" in text
            else None]
    assert list(reread("move that to 5 instead", ways)) == [
        "move that to 5", "move the x to 5 instead", "move the x to 5"]


def test_a_reminder_named_as_a_thing_is_moved_when_made_another_time(runtime: Runtime) -> None:
    session = _jobs(runtime, ("school concert", "active"), ("pay the gas bill", "active"))
    plan = session.propose("the school concert thing, make it 6:30pm instead").plan
    assert plan.tier == 0
    assert [(s.action, s.args.get("job")) for s in plan.steps] == [("reschedule_job", "job:1")]
    assert plan.steps[0].args["when"].startswith("2026-11-26T18:30")


def test_more_minutes_on_that_one_snoozes_the_one_that_fired(runtime: Runtime) -> None:
    session = _jobs(runtime, ("take the bread out", "done"), ("pay the gas bill", "active"))
    plan = session.propose("give me 10 more minutes on that one").plan
    assert [(s.action, s.args.get("job"), s.args.get("minutes")) for s in plan.steps] == [
        ("snooze_job", "job:1", 10)]


def test_the_one_from_a_source_is_that_element_on_screen(runtime: Runtime) -> None:
    web = Provenance.untrusted("web")
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([
        Entity(id="page:s", type="page", label="tide times - Search", provenance=web),
        *(Entity(id=f"link:{n}", type="link", label=label, ordinal=n, provenance=web,
                 scope=Scope.SCREEN, attributes={"url": f"https://{n}.example/"})
          for n, label in enumerate(["Tide tables | Harbour Office", "Tides today - Surf Blog"],
                                    1))])
    plan = session.propose("click the one from the harbour office").plan
    # clicking a link to a web address is following it: open_link, read-only
    assert [(s.action, s.args) for s in plan.steps] == [("open_link", {"link": "link:1"})]
    session.table.publish([Entity(id="link:js", type="link", label="Show all tides",
                                  provenance=web, attributes={"url": "javascript:more()"})])
    plan = session.propose("click the show all tides link").plan
    assert [(s.action, s.args) for s in plan.steps] == [("click", {"target": "link:js"})]


def test_the_instruction_a_rambling_request_ends_with_is_what_is_done(runtime: Runtime) -> None:
    from assistant.planner.rewrites import buried
    from tests.planner.test_mail_described import PEOPLE, _mail

    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    session.table.publish(PEOPLE)
    session.table.publish([_mail(1, "Quote for the new fence panels", PEOPLE[2]),
                           _mail(2, "Rent from May", PEOPLE[1])])
    request = ("argh right so the fence guy finally sent the quote for the panels and it's "
               "steep, could you reply and tell him tuesday is fine for the install")
    assert buried(request, session.table) == \
        "reply to email:1 and tell him tuesday is fine for the install"
    plan = session.propose(request).plan
    assert [(s.action, s.args.get("email"), s.args.get("body")) for s in plan.steps] == [
        ("reply_email", "email:1", "tuesday is fine for the install")]
    assert buried("can you reply to him", session.table) is None  # no rambling before it
    vague = ("ok so I got two emails today and honestly both annoy me, can u reply and say "
             "no thanks")
    assert buried(vague, session.table) == "reply and say no thanks"  # no mail described


def test_a_terse_snooze_says_its_minutes_in_digits_or_words(runtime: Runtime) -> None:
    from assistant.templates import whole_number

    assert [whole_number(t) for t in ("15", "ten", "twenty-five", "a", "few", "the gym")] == [
        15, 10, 25, None, None, None]
    session = _jobs(runtime, ("take the bread out", "done"), ("pay the gas bill", "active"))
    for request, minutes in (("snooze 15", 15), ("snooze that 10 min", 10),
                             ("snooze it for ten minutes", 10)):
        plan = session.propose(request).plan
        assert [(s.action, s.args.get("job"), s.args.get("minutes")) for s in plan.steps] == [
            ("snooze_job", "job:1", minutes)], request
    named = session.propose("snooze the gas bill reminder 30 mins").plan
    assert [(s.args.get("job"), s.args.get("minutes")) for s in named.steps] == [("job:2", 30)]


def test_a_subject_given_before_the_message_is_the_subject() -> None:
    from assistant.planner.rewrites import subject_first

    assert subject_first("email ines subject: Tiles order. body: hi ines, the tiles came") == \
        "email ines about Tiles order saying hi ines, the tiles came"
    assert subject_first("pls mail ines subject Kiln schedule: firing moved to monday") == \
        "email ines about Kiln schedule saying firing moved to monday"
    assert subject_first("email ines with subject 'glaze' and say the batch cracked") == \
        "email ines about glaze saying the batch cracked"
    assert subject_first("email ines and cc bo, subject glaze - say hi") is None
    assert subject_first("email ines saying the subject is closed") is None


def test_an_option_said_alone_is_chosen_in_the_one_drop_down_that_has_it(
        runtime: Runtime) -> None:
    web = Provenance.untrusted("web")
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    session.table.publish([
        Entity(id="page:f", type="page", label="Order", provenance=web),
        Entity(id="field:size", type="field", label="Cup size", ordinal=1, provenance=web,
               scope=Scope.SCREEN, attributes={"kind": "select",
                                               "options": ["Small", "Large (16 oz)"]}),
        Entity(id="field:milk", type="field", label="Milk", ordinal=2, provenance=web,
               scope=Scope.SCREEN, attributes={"kind": "select",
                                               "options": ["Oat", "Whole", "None"]})])
    plan = session.propose("pick a large size").plan
    assert [(s.action, s.args) for s in plan.steps] == [
        ("select_option", {"field": "field:size", "option": "Large (16 oz)"})]
    oat = session.propose("choose oat").plan
    assert [s.args.get("field") for s in oat.steps] == ["field:milk"]
    assert not session.propose("pick soy").plan.steps  # no drop-down has it


def test_asking_for_someones_address_looks_them_up() -> None:
    from assistant.planner.rewrites import detail_asked

    assert detail_asked("whats my aunt's email again") == "find contact aunt"
    assert detail_asked("what is Noor's email address?") == "find contact Noor"
    assert detail_asked("what's the weather like") is None


def test_what_not_to_do_and_then_what_to_do_is_what_to_do(runtime: Runtime) -> None:
    assert not_this_but("don't send it now — send it tomorrow at 8am") == \
        "send it tomorrow at 8am"
    assert not_this_but("dont email him, just text him") == "text him"
    assert not_this_but("don't send it") is None               # a taking back, nothing else
    assert not_this_but("don't send it; don't save it") is None
    session = _jobs(runtime)
    plan = session.propose("no wait, don't remind me tonight; remind me tomorrow at 9am to "
                           "water the ferns").plan
    assert [(s.action, s.args["when"][:16]) for s in plan.steps] == [
        ("set_reminder", "2026-11-25T09:00")]
