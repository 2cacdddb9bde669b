"""Firing on a real SQLite store with a controllable clock: on time, recurring (DST), failures,
missed runs after downtime, crash recovery with stable keys, one firing process per store."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from actions import Plan
from tests.scheduler.conftest import BERLIN, Clock, MakeHarness

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=BERLIN)  # Monday
PLAN = {"request": "fetch the news",
        "steps": [{"action": "open_url", "args": {"url": "https://example.org"}}]}


class Crash(BaseException):
    """Stands in for the process dying mid-fire (not caught by the engine)."""


def test_reminder_fires_at_its_time_not_before(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    job = h.do("set_reminder", text="tea", when="2026-11-23T08:05:00+01:00").output["job"]
    h.clock.advance(minutes=4, seconds=59)
    assert h.plugin.engine.tick() == []
    h.clock.advance(seconds=1)
    (event,) = h.plugin.engine.tick()
    assert (event.outcome, event.state, event.key) == ("on_time", "done",
                                                       f"{job}@2026-11-23T07:05:00+00:00")
    assert h.notes == ["Reminder: tea"]
    (kind, detail), = h.journal.rows
    assert kind == "scheduler.fire" and detail["key"] == event.key and detail["text"] == "tea"
    assert h.plugin.store.get(job).state == "done"  # type: ignore[union-attr]
    h.clock.advance(days=1)
    assert h.plugin.engine.tick() == []


def test_recurring_plan_runs_through_run_plan_with_a_key_per_firing(
        make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    job = h.do("schedule_plan", plan=PLAN, every="FREQ=DAILY;BYHOUR=9;BYMINUTE=0").output["job"]
    h.clock.advance(hours=1)
    for _ in range(3):
        h.plugin.engine.tick()
        h.clock.advance(days=1)
    assert [(origin, key) for _, origin, key in h.runner.calls] == [
        (f"scheduler:{job}", f"{job}@2026-11-23T08:00:00+00:00"),
        (f"scheduler:{job}", f"{job}@2026-11-24T08:00:00+00:00"),
        (f"scheduler:{job}", f"{job}@2026-11-25T08:00:00+00:00"),
    ]
    assert all(isinstance(plan, Plan) and plan.steps[0].action == "open_url"
               for plan, _, _ in h.runner.calls)
    assert h.notes[0] == "Ran scheduled job 'fetch the news': done"


def test_recurring_job_keeps_wall_time_across_both_dst_changes(
        make_harness: MakeHarness) -> None:
    h = make_harness(datetime(2026, 3, 27, 12, 0, tzinfo=BERLIN))
    job = h.do("schedule_plan", plan=PLAN, every="FREQ=DAILY;BYHOUR=9;BYMINUTE=0").output["job"]
    for _ in range(3):
        h.clock.advance(days=1)
        h.plugin.engine.tick()
    h.clock.now = datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)
    h.plugin.engine.tick()  # catch-up after "downtime": one coalesced run
    h.runner.calls.clear()
    for _ in range(2):
        h.clock.advance(days=1)
        h.plugin.engine.tick()
    assert [k for _, _, k in h.runner.calls] == [
        f"{job}@2026-10-25T08:00:00+00:00",  # 09:00 CET, the day summer time ends
        f"{job}@2026-10-26T08:00:00+00:00"]
    fired = [r.fire_time for r in h.plugin.store.fires(job)][:3]
    assert [datetime.fromtimestamp(t / 1000, BERLIN).isoformat() for t in fired] == [
        "2026-03-28T09:00:00+01:00", "2026-03-29T09:00:00+02:00", "2026-03-30T09:00:00+02:00"]


def test_a_failing_plan_is_reported_and_the_series_goes_on(make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    h.runner.result = lambda _p, _k: {"ok": False, "error": "precondition: page not reachable"}
    job = h.do("schedule_plan", plan=PLAN, every="FREQ=DAILY;BYHOUR=9;BYMINUTE=0").output["job"]
    h.clock.advance(hours=1)
    (event,) = h.plugin.engine.tick()
    assert event.state == "failed"
    assert h.notes == ["Scheduled job 'fetch the news' did not run: "
                       "precondition: page not reachable"]

    def boom(_p: Plan, _k: str) -> Any:
        raise RuntimeError("executor broke")

    h.runner.result = boom
    h.clock.advance(days=1)
    (event,) = h.plugin.engine.tick()
    assert event.state == "failed" and "RuntimeError: executor broke" in h.notes[-1]
    assert h.plugin.store.get(job).state == "active"  # type: ignore[union-attr]


def test_late_within_grace_runs_and_says_so(make_harness: MakeHarness) -> None:
    h = make_harness(NOW, grace_seconds=3600)
    h.do("set_reminder", text="tea", when="2026-11-23T09:00:00+01:00")
    h.clock.now = datetime(2026, 11, 23, 9, 30, tzinfo=BERLIN)
    (event,) = h.plugin.engine.tick()
    assert event.outcome == "late"
    assert h.notes == ["Reminder: tea (late: was due Mon 23 Nov 09:00)"]


@pytest.mark.parametrize("policy", ["run_once", "report"])
def test_missed_one_off_after_downtime(make_harness: MakeHarness, tmp_path: Path,
                                       policy: str) -> None:
    data = tmp_path / policy
    h = make_harness(NOW, data_dir=data, grace_seconds=600, missed=policy)
    job = h.do("schedule_plan", plan=PLAN, when="2026-11-23T09:00:00+01:00").output["job"]
    h.plugin.close()  # lam is not running from 08:00 ...
    later = make_harness(clock=Clock(datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN)),
                         data_dir=data, grace_seconds=600, missed=policy)  # ... until 11:00
    (event,) = later.plugin.engine.tick()
    (fire,) = later.plugin.store.fires(job)
    if policy == "run_once":
        assert (event.outcome, event.state, fire.state) == ("missed_run", "done", "done")
        assert [k for _, _, k in later.runner.calls] == [f"{job}@2026-11-23T08:00:00+00:00"]
        assert later.notes == ["Ran scheduled job 'fetch the news': done (missed while lam "
                               "was not running: was due Mon 23 Nov 09:00; ran once now)"]
    else:
        assert (event.outcome, event.state, fire.state) == ("missed_reported", "missed",
                                                            "missed")
        assert later.runner.calls == []
        assert later.notes == ["Missed: 'fetch the news' was due Mon 23 Nov 09:00 while lam "
                               "was not running; not run (missed = \"report\")"]
    assert later.plugin.store.get(job).state == "done"  # type: ignore[union-attr]
    later.clock.advance(hours=1)
    assert later.plugin.engine.tick() == []


@pytest.mark.parametrize("coalesce, runs", [(True, 1), (False, 5)])
def test_recurring_downtime_within_grace_coalesces(make_harness: MakeHarness, coalesce: bool,
                                                   runs: int) -> None:
    h = make_harness(NOW, grace_seconds=6 * 3600, coalesce=coalesce)
    job = h.do("schedule_plan", plan=PLAN, every="FREQ=HOURLY",
               when="2026-11-23T09:00:00+01:00").output["job"]
    h.clock.now = datetime(2026, 11, 23, 13, 30, tzinfo=BERLIN)  # 09..13 missed
    events = h.plugin.engine.tick()
    assert len(events) == runs == len(h.runner.calls)
    assert events[-1].key == f"{job}@2026-11-23T12:00:00+00:00"  # 13:00 local, the latest
    if coalesce:
        assert "4 earlier occurrence(s) coalesced into this one" in events[0].message
    nxt = h.plugin.store.get(job).next_fire  # type: ignore[union-attr]
    assert datetime.fromtimestamp(nxt / 1000, BERLIN).hour == 14  # type: ignore[operator]


def test_recurring_missed_beyond_grace_is_reported_once(make_harness: MakeHarness) -> None:
    h = make_harness(NOW, grace_seconds=60, missed="report")
    h.do("set_reminder", text="stretch", when="2026-11-23T09:00:00+01:00", every="FREQ=HOURLY")
    h.clock.now = datetime(2026, 11, 24, 8, 30, tzinfo=BERLIN)
    (event,) = h.plugin.engine.tick()
    assert event.outcome == "missed_reported" and event.state == "missed"
    assert h.notes[0].startswith("Missed: 'stretch' was due Tue 24 Nov 08:00")
    h.clock.now = datetime(2026, 11, 24, 9, 0, tzinfo=BERLIN)
    (event,) = h.plugin.engine.tick()
    assert (event.outcome, h.notes[-1]) == ("on_time", "Reminder: stretch")


def test_crash_after_claim_is_resumed_with_the_same_key(make_harness: MakeHarness,
                                                        tmp_path: Path) -> None:
    data = tmp_path / "crash"
    h = make_harness(NOW, data_dir=data)
    job = h.do("schedule_plan", plan=PLAN, when="2026-11-23T08:10:00+01:00").output["job"]

    def die(_p: Plan, _k: str) -> Any:
        raise Crash

    h.runner.result = die
    h.clock.advance(minutes=10)
    with pytest.raises(Crash):
        h.plugin.engine.tick()
    assert [r.state for r in h.plugin.store.started()] == ["started"]
    h.plugin.close()
    again = make_harness(clock=h.clock, data_dir=data)  # the restarted process
    events = again.plugin.engine.tick()
    assert [(e.key, e.recovered) for e in events] == [(f"{job}@2026-11-23T07:10:00+00:00",
                                                       True)]
    assert [k for _, _, k in h.runner.calls + again.runner.calls] == [events[0].key] * 2
    assert again.notes == ["Ran scheduled job 'fetch the news': done (resumed after a restart)"]
    assert again.plugin.store.started() == []
    again.clock.advance(hours=1)
    assert again.plugin.engine.tick() == [] and len(again.runner.calls) == 1


def test_reminder_interrupted_while_notifying_is_delivered_again(
        make_harness: MakeHarness, tmp_path: Path) -> None:
    data = tmp_path / "crash2"
    h = make_harness(NOW, data_dir=data)
    h.do("set_reminder", text="tea", when="2026-11-23T08:10:00+01:00")

    def die(_text: str) -> None:
        raise Crash

    h.plugin.engine.notify = die
    h.clock.advance(minutes=10)
    with pytest.raises(Crash):
        h.plugin.engine.tick()
    h.plugin.close()
    again = make_harness(clock=h.clock, data_dir=data)
    again.plugin.engine.tick()
    assert again.notes == ["Reminder: tea (delivered again after a restart; it may have been "
                           "shown already)"]


def test_one_firing_process_per_store_and_takeover(make_harness: MakeHarness,
                                                   tmp_path: Path) -> None:
    data = tmp_path / "shared"
    clock = Clock(NOW)
    first = make_harness(clock=clock, data_dir=data)
    second = make_harness(clock=clock, data_dir=data)
    first.do("set_reminder", text="one", when="2026-11-23T08:05:00+01:00")
    second.do("set_reminder", text="two", when="2026-11-23T08:10:00+01:00")
    clock.advance(minutes=5)
    assert [e.text for e in first.plugin.engine.tick()] == ["one"]
    assert second.plugin.engine.tick() == []
    assert second.notes == [f"scheduler: another lam process (pid {__import__('os').getpid()}) "
                            "is running scheduled jobs; this one stands by and takes over when "
                            "it exits"]
    first.plugin.close()  # the firing process exits
    clock.advance(minutes=5)
    assert [e.text for e in second.plugin.engine.tick()] == ["two"]
    assert second.notes[-2:] == ["scheduler: took over running scheduled jobs", "Reminder: two"]
    assert first.notes == ["Reminder: one"]


def test_plans_wait_for_a_process_that_can_run_them(make_harness: MakeHarness,
                                                    tmp_path: Path) -> None:
    data = tmp_path / "norunner"
    h = make_harness(NOW, data_dir=data, run_plan=False)
    job = h.do("schedule_plan", plan=PLAN, when="2026-11-23T08:05:00+01:00").output["job"]
    h.clock.advance(minutes=5)
    assert h.plugin.engine.tick() == []
    assert "cannot run plans; they wait" in h.notes[0]
    h.plugin.close()
    capable = make_harness(clock=h.clock, data_dir=data)
    assert [e.key for e in capable.plugin.engine.tick()] == [f"{job}@2026-11-23T07:05:00+00:00"]
