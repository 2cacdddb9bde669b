"""A reminder named by several words ("the book club reminder") is found; a step on it whose
action does not fit its state (cancelling one already cancelled) is planned again among the
other actions on reminders; a time the request says narrows the re-plan to the actions that
take both the reminder and a time. Scripted models, a real scheduler store."""

from __future__ import annotations

from datetime import timedelta

from assistant.resolve import find_mentions
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.conftest import NOW
from tests.planner.test_escalation import Scripted

LATER = NOW + timedelta(days=3)


def _with_job(runtime: Runtime, text: str, state: str, tier1: Scripted) -> Session:
    from plugins.scheduler.store import Job, to_ms

    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    runtime.loaded.plugins["scheduler"].store.add(Job(  # type: ignore[attr-defined]
        id="job:club", kind="reminder", text=text, plan=None, rule=None, anchor=to_ms(LATER),
        tz="Europe/Berlin", next_fire=to_ms(LATER), state=state, created=to_ms(NOW),
        updated=to_ms(NOW)))
    return Session(runtime)


def test_a_reminder_named_by_several_words() -> None:
    found = find_mentions("push the con ed one back to thursday")
    assert [(m.kind, m.detail) for m in found] == [("named", "con ed")]
    assert find_mentions("move the first one")[0].kind == "ordinal"


def test_a_step_that_does_not_fit_the_state_is_planned_again(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "cancel_job", "args": {"job": "job:club"}}]},
                     {"steps": [{"action": "restore_job", "args": {"job": "job:club"}}]})
    session = _with_job(runtime, "Roz's book club", "cancelled", tier1)
    proposal = session.propose("oh, bring back the book club reminder i cancelled")
    assert [s.action for s in proposal.plan.steps] == ["restore_job"]
    assert "cancel_job" not in tier1.allowed[-1] and "restore_job" in tier1.allowed[-1]
    assert any("does not fit the state" in e for e in proposal.plan.escalations)


def test_a_said_time_narrows_the_re_plan_to_actions_taking_both(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "go_back", "args": {}}]},
                     {"steps": [{"action": "reschedule_job",
                                 "args": {"job": "job:club", "when": "friday at 6pm"}}]})
    session = _with_job(runtime, "pay the con ed bill", "active", tier1)
    proposal = session.propose("push the con ed one back to friday at 6pm")
    assert [s.action for s in proposal.plan.steps] == ["reschedule_job"]
    assert tier1.allowed[-1] == {"reschedule_job"}


def test_the_one_action_that_fits_when_the_re_plan_fails(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "cancel_job", "args": {"job": "job:club"}}]},
                     {"steps": [], "reply": "Sorry?"})
    session = _with_job(runtime, "Roz's book club", "cancelled", tier1)
    proposal = session.propose("please revive the book club reminder, the one i deleted")
    assert [s.action for s in proposal.plan.steps] == ["restore_job"]


def test_cancelling_what_is_cancelled_is_not_turned_around(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "cancel_job", "args": {"job": "job:club"}}]},
                     {"steps": [], "reply": "Sorry?"})
    session = _with_job(runtime, "Roz's book club", "cancelled", tier1)
    proposal = session.propose("cancel the book club thing, then revive it")
    assert "restore_job" not in [s.action for s in proposal.plan.steps]


def test_a_question_about_a_reminder_is_answered_by_listing(runtime: Runtime) -> None:
    tier1 = Scripted({"steps": [{"action": "snooze_job", "args": {"job": "job:club"}}]},
                     {"steps": [{"action": "list_jobs", "args": {}}]})
    session = _with_job(runtime, "Roz's book club", "active", tier1)
    proposal = session.propose("when is the book club reminder going off?")
    assert [s.action for s in proposal.plan.steps] == ["list_jobs"]
    assert tier1.allowed[-1] == {"list_jobs"}


def test_a_said_time_narrows_the_re_plan_even_when_a_word_calls_for_another_action(
        runtime: Runtime) -> None:
    """A click (no page) doubted for leaving the reminder unused, while "postpone" calls for
    reschedule_job: the re-plan is still among the actions that take the reminder and a
    time, not every action on reminders."""
    tier1 = Scripted({"steps": [{"action": "click", "args": {"target": "Continue"}}]},
                     {"steps": [{"action": "reschedule_job",
                                 "args": {"job": "job:club", "when": "monday at 8am"}}]})
    session = _with_job(runtime, "renew the gym pass", "active", tier1)
    proposal = session.propose("postpone the gym one back to monday at 8am")
    assert [s.action for s in proposal.plan.steps] == ["reschedule_job"]
    assert tier1.allowed[-1] == {"reschedule_job"}
