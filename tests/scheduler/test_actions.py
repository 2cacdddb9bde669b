"""Scheduler actions on a real SQLite store with a controllable clock."""

from __future__ import annotations

from datetime import datetime

from actions import Scope, Step
from plugins.scheduler.store import JobStore
from tests.scheduler.conftest import BERLIN, MakeHarness

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)  # Monday
FRI_9 = "2026-11-27T09:00:00+01:00"


def test_set_reminder_creates_a_background_job_entity(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    result = h.do("set_reminder", text="dentist", when=FRI_9)
    assert result.ok, result.error
    job_id = result.output["job"]
    assert result.output["next"] == FRI_9
    assert [e.label for e in result.entities] == ["dentist — Fri 27 Nov 09:00"]
    (entity,) = h.plugin.background_entities()
    assert (entity.id, entity.type, entity.scope) == (job_id, "job", Scope.BACKGROUND)
    assert entity.label == "dentist — Fri 27 Nov 09:00"
    # Stored in the SQLite file in the data dir, seen by a second store object (another process).
    (stored,) = JobStore(h.plugin.caps.data_dir / "scheduler.sqlite3").jobs()
    assert (stored.id, stored.kind, stored.text, stored.plan) == (job_id, "reminder", "dentist",
                                                                   None)


def test_list_jobs_orders_by_next_time_and_numbers_them(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    dentist = h.do("set_reminder", text="dentist", when=FRI_9).output["job"]
    standup = h.do("set_reminder", text="stand-up", when="2026-11-24T09:30:00+01:00",
                   every="FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;BYHOUR=9;BYMINUTE=30").output["job"]
    listed = h.do("list_jobs")
    # a table (issue #24.8: not numbered like plan steps); the entities keep their ordinals
    assert listed.message.splitlines() == [
        "ID            KIND      WHAT      NEXT                   REPEATS",
        f"{standup}  reminder  stand-up  Tue 24 Nov 2026 09:30  every weekday at 09:30",
        f"{dentist}  reminder  dentist   Fri 27 Nov 2026 09:00  once",
    ]
    assert [e.ordinal for e in listed.entities] == [1, 2]
    assert h.plugin.actions()[2].name == "list_jobs"


def test_time_in_the_past_and_non_iso_times_are_refused(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    past = h.violations("set_reminder", text="x", when="2026-11-22T09:00:00+01:00")
    assert past and "is in the past" in past[0] and "[precondition]" in past[0]
    raw = h.violations("set_reminder", text="x", when="tomorrow at 9")
    assert raw and "not an ISO-8601 date-time" in raw[0]
    # The handler re-checks (time may pass between verifying and running).
    result = h.do("set_reminder", text="x", when="friday 9am")
    assert not result.ok and "not an ISO-8601" in (result.error or "")
    assert h.plugin.store.jobs() == []


def test_bad_recurrence_is_refused(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    (why,) = h.violations("set_reminder", text="x", when=FRI_9, every="every weekday")
    assert "recurrence 'every weekday'" in why
    assert h.violations("set_reminder", text="x", when=FRI_9,
                        every="FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30") == [
        "[precondition] plan: recurrence is valid: recurrence "
        "'FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30' never fires"]


def test_cancel_and_restore_with_inverses(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    created = h.do("set_reminder", text="dentist", when=FRI_9)
    job = created.output["job"]
    spec = {s.name: s for s in h.plugin.actions()}
    assert spec["set_reminder"].undo_step(None, created) == Step(  # type: ignore[arg-type]
        action="cancel_job", args={"job": job})
    cancelled = h.do("cancel_job", job=job)
    assert cancelled.ok and cancelled.message == "Cancelled: dentist"
    assert h.plugin.store.jobs() == []
    assert h.violations("cancel_job", job=job) == [
        "[precondition] plan 'job': job exists: 'dentist' is already cancelled"]
    assert spec["cancel_job"].undo_step(None, cancelled) == Step(  # type: ignore[arg-type]
        action="restore_job", args={"job": job})
    restored = h.do("restore_job", job=job)
    assert restored.ok and restored.message == "Restored: dentist — Fri 27 Nov 09:00"
    assert h.violations("cancel_job", job="job-nothere") == [
        "[precondition] plan 'job': job exists: there is no scheduled job 'job-nothere'"]


def test_reschedule_moves_the_job_and_its_inverse_moves_it_back(
        make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    job = h.do("set_reminder", text="dentist", when=FRI_9).output["job"]
    moved = h.do("reschedule_job", job=job, when="2026-11-26T14:00:00+01:00")
    assert moved.ok and moved.message == "Moved: dentist — Thu 26 Nov 14:00"
    assert moved.output["previous"] == FRI_9
    undo = {s.name: s for s in h.plugin.actions()}["reschedule_job"].undo_step(
        None, moved)  # type: ignore[arg-type]
    assert undo == Step(action="reschedule_job",
                        args={"job": job, "when": FRI_9})
    assert h.violations("reschedule_job", job=job, when="2026-11-20T14:00:00+01:00")


def test_snooze_a_fired_reminder_fires_it_again(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    job = h.do("set_reminder", text="tea", when="2026-11-23T08:05:00+01:00").output["job"]
    h.clock.advance(minutes=5)
    assert [e.state for e in h.plugin.engine.tick()] == ["done"]
    (entity,) = h.plugin.background_entities()  # fired jobs stay referable for a day
    assert entity.label == "tea — fired Mon 23 Nov 08:05"
    snoozed = h.do("snooze_job", job=job, minutes=10)
    assert snoozed.ok and snoozed.message == "Moved: tea — Mon 23 Nov 08:15"
    h.clock.advance(minutes=10)
    assert [e.message for e in h.plugin.engine.tick()] == ["Reminder: tea"]
    assert h.notes == ["Reminder: tea", "Reminder: tea"]


def test_schedule_plan_stores_the_plan_as_json(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    plan = {"request": "check the python docs",
            "steps": [{"action": "open_url", "args": {"url": "https://docs.python.org"}}]}
    result = h.do("schedule_plan", plan=plan, every="FREQ=DAILY;BYHOUR=9;BYMINUTE=0")
    assert result.ok, result.error
    (job,) = h.plugin.store.jobs()
    assert job.kind == "plan" and job.text == "check the python docs"
    assert '"action":"open_url"' in (job.plan or "")
    assert job.rule == "FREQ=DAILY;BYHOUR=9;BYMINUTE=0"
    assert result.entities[0].label == "check the python docs — every day at 09:00 " \
                                       "(next Mon 23 Nov 09:00)"


def test_schedule_plan_preconditions(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    step = {"action": "open_url", "args": {"url": "https://x.org"}}
    assert h.violations("schedule_plan", plan={"steps": [step]}) == [
        "[precondition] plan: plan is valid: say when (a time) or how often (a recurrence)"]
    assert "no steps" in h.violations("schedule_plan", plan={"steps": []}, when=FRI_9)[0]
    nested = {"steps": [{"action": "schedule_plan", "args": {}}]}
    assert "may not schedule plans" in h.violations("schedule_plan", plan=nested,
                                                    when=FRI_9)[0]
    assert "not a plan" in h.violations("schedule_plan", plan={"steps": "x"}, when=FRI_9)[0]


def test_templates_are_declared(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    templates = {s.name: s.templates for s in h.plugin.actions()}
    assert "remind me to {text} {when}" in templates["set_reminder"]
    assert "cancel {job}" in templates["cancel_job"]
    assert "(move|reschedule|push|postpone|shift) the {job} (job|reminder|one) to {when}" in \
        templates["reschedule_job"]


def test_snooze_a_job_still_to_come_puts_it_off(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    job = h.do("set_reminder", text="dentist", when=FRI_9).output["job"]
    snoozed = h.do("snooze_job", job=job, minutes=30)
    assert snoozed.message == "Moved: dentist — Fri 27 Nov 09:30"
    assert snoozed.output["previous"] == FRI_9
