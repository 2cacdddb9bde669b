"""Times said before the thing talked of ("remind me about it the day before at 6pm"): the day
that thing is about, read from a mail's subject or a reminder's next time, moved as said; a
thing that names no one day, or an hour before a day with no time, is asked about. Templates
only (no model), the real plugins. NOW is Tuesday 24 November 2026, 10:15 in Berlin."""

from __future__ import annotations

from datetime import timedelta

from actions import Entity, Provenance
from actions.entities import Scope
from assistant.normalize import TimeParseError, TimeParseReason, parse_when
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW

TZ = NOW.tzinfo


def _mail(subject: str, snippet: str = "") -> Entity:
    return Entity(id="email:1", type="email", label=f"{subject} — Ana Ruiz",
                  provenance=Provenance.untrusted("email"), scope=Scope.CONVERSATION,
                  attributes={"from": "Ana Ruiz", "subject": subject, "snippet": snippet})


def _session(runtime: Runtime, *talked_of: Entity) -> Session:
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    session = Session(runtime)
    for entity in talked_of:
        session.mention(entity)
    return session


def _reminder(session: Session, request: str) -> tuple[str, str] | str:
    plan = session.propose(request).plan
    if not plan.steps:
        return plan.question or ""
    step = plan.steps[0]
    assert step.action == "set_reminder"
    return step.args["text"], step.args["when"]


def test_before_with_no_day_of_its_own_is_never_read_as_today() -> None:
    for said in ("the night before at 9pm", "the day before at 6pm", "an hour before"):
        result = parse_when(said, NOW, TZ)  # type: ignore[arg-type]
        assert isinstance(result, TimeParseError) and \
            result.reason is TimeParseReason.NO_ANCHOR, said


def test_the_day_before_the_day_a_mail_names(runtime: Runtime) -> None:
    session = _session(runtime, _mail("Launch moved to the 3rd"))
    assert _reminder(session, "remind me about it the day before at 6pm") == (
        "Launch moved to the 3rd", "2026-12-02T18:00:00+01:00")
    session = _session(runtime, _mail("Movers arrive Friday 8am"))
    assert _reminder(session, "remind me the night before at 9pm to pack the kitchen") == (
        "pack the kitchen", "2026-11-26T21:00:00+01:00")
    assert _reminder(session, "remind me to label boxes an hour before") == (
        "label boxes", "2026-11-27T07:00:00+01:00")


def test_before_a_reminders_next_time(runtime: Runtime) -> None:
    from plugins.scheduler.store import Job, to_ms

    at = NOW + timedelta(days=2, hours=5)  # Thursday 15:15
    runtime.loaded.plugins["scheduler"].store.add(Job(  # type: ignore[attr-defined]
        id="job:7", kind="reminder", text="dentist", plan=None, rule=None, anchor=to_ms(at),
        tz="Europe/Berlin", next_fire=to_ms(at), state="active", created=to_ms(NOW),
        updated=to_ms(NOW)))
    job = Entity(id="job:7", type="job", label="dentist", scope=Scope.CONVERSATION,
                 attributes={"text": "dentist", "next": at.isoformat()})
    session = _session(runtime, job)
    assert _reminder(session, "remind me to leave 30 minutes before") == (
        "leave", "2026-11-26T14:45:00+01:00")


def test_no_day_to_count_back_from_is_asked(runtime: Runtime) -> None:
    asked = _reminder(_session(runtime), "remind me the day before at 6pm to pack")
    assert isinstance(asked, str) and "before what" in asked
    two_days = _mail("Either Monday or Wednesday works")
    asked = _reminder(_session(runtime, two_days), "remind me about it the day before at 6pm")
    assert isinstance(asked, str) and "before what" in asked
    no_time = _mail("Launch moved to the 3rd")
    asked = _reminder(_session(runtime, no_time), "remind me to call ana an hour before")
    assert isinstance(asked, str) and "no time" in asked


def test_a_reminder_about_it_says_what_it_is(runtime: Runtime) -> None:
    session = _session(runtime, _mail("Boiler service on the 30th"))
    text, _ = _reminder(session, "remind me about it tomorrow at 9am")  # type: ignore[misc]
    assert text == "Boiler service on the 30th"
    asked = _reminder(_session(runtime), "remind me about it tomorrow at 9am")
    assert isinstance(asked, str) and "What should the reminder say" in asked
