"""Issue #24 item 8 at unit level: a dead pid's lock is taken over (and said), fired reminders
and refused or missed plans are entered in the journal's run list, and listings render below
their step instead of reading as more steps."""

from __future__ import annotations

import fcntl
import os
import subprocess
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from actions import Capabilities
from assistant.execute import RunReport, StepOutcome, StepStatus
from assistant.render import report_text
from plugins.scheduler import FIRE_EXTRA, SchedulerPlugin, SchedulerSettings
from plugins.scheduler.lock import StoreLock, pid_alive
from tests.scheduler.conftest import BERLIN, MakeHarness

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=BERLIN)


def dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert not pid_alive(proc.pid)
    return proc.pid


def test_a_lock_file_left_by_a_dead_pid_is_taken_and_that_is_said(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.lock"
    dead = dead_pid()
    path.write_text(f"{dead}\n")
    lock = StoreLock(path)
    assert lock.acquire() and lock.stale_pid == dead
    assert lock.holder() == os.getpid()
    lock.release()
    assert lock.holder() is None  # a clean release leaves no pid behind
    again = StoreLock(path)
    assert again.acquire() and again.stale_pid is None
    again.release()


def test_a_lock_still_held_for_a_dead_pid_is_taken_over(tmp_path: Path) -> None:
    """An orphaned descriptor (say, a child of the dead holder) keeps the flock; the pid in the
    file is not running, so a fresh locked file replaces it."""
    path = tmp_path / "scheduler.lock"
    dead = dead_pid()
    orphan = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(orphan, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(orphan, f"{dead}\n".encode())
        lock = StoreLock(path)
        assert lock.acquire() and lock.stale_pid == dead
        assert lock.holder() == os.getpid()
        other = StoreLock(path)  # the holder (this process) is alive: stand by
        assert not other.acquire()
        lock.release()
        assert other.acquire()
        other.release()
    finally:
        os.close(orphan)


def test_a_lock_held_by_a_live_pid_is_not_taken(tmp_path: Path) -> None:
    path = tmp_path / "scheduler.lock"
    holder = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)
        os.write(holder, f"{os.getppid()}\n".encode())
        assert not StoreLock(path).acquire()
    finally:
        os.close(holder)


def test_the_daemon_status_never_waits_for_a_dead_pid(tmp_path: Path) -> None:
    dead = dead_pid()
    (tmp_path / "scheduler.lock").write_text(f"{dead}\n")
    notes: list[str] = []
    plugin = SchedulerPlugin(Capabilities(
        settings=SchedulerSettings(poll_seconds=60, desktop_notifications=False),
        data_dir=tmp_path, notify=notes.append, extras={FIRE_EXTRA: True}))
    plugin.start()
    try:
        status = plugin.status()
    finally:
        plugin.close()
    assert status.endswith("; firing"), status
    assert notes == [f"scheduler: the job lock was left by pid {dead}, which is no longer "
                     "running; this process took it over"]


@dataclass
class RunJournal:
    """The journal slice the engine uses: events, and runs outside the executor."""

    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    runs: list[tuple[str, str, str]] = field(default_factory=list)

    def record(self, kind: str, detail: dict[str, Any]) -> int:
        self.rows.append((kind, detail))
        return len(self.rows)

    def log_run(self, origin: str, request: str, status: str) -> int:
        self.runs.append((origin, request, status))
        return len(self.runs)


def test_fired_reminders_and_unjournaled_plans_are_entered_as_runs(
        make_harness: MakeHarness) -> None:
    h = make_harness(NOW)
    journal = RunJournal()
    h.plugin.engine.journal = journal
    reminder = h.do("set_reminder", text="stretch", when="2026-11-23T09:05:00+01:00")
    ran = h.do("schedule_plan", plan={"request": "list", "steps": [{"action": "list_jobs"}]},
               when="2026-11-23T09:05:10+01:00")
    refused = h.do("schedule_plan", plan={"request": "refused one",
                                          "steps": [{"action": "list_jobs"}]},
                   when="2026-11-23T09:05:20+01:00")

    def result(plan: Any, _key: str) -> Any:
        if plan.request == "list":  # the executor journals it itself: it has a plan id
            return RunReport(plan_id=7, ok=True)
        return RunReport(ok=False, steps=[StepOutcome(index=0, action="list_jobs",
                                                      status=StepStatus.NOT_RUN,
                                                      problems=["refused"])])

    h.runner.result = result
    h.clock.advance(minutes=5, seconds=30)
    h.plugin.engine.tick()
    assert journal.runs == [
        (f"scheduler:{reminder.output['job']}", "Reminder: stretch", "fired"),
        (f"scheduler:{refused.output['job']}",
         "Scheduled job 'refused one' did not run: 1. list_jobs: not_run — refused", "failed"),
    ]
    assert ran.output["job"] not in " ".join(r[0] for r in journal.runs)
    assert [d["kind"] for k, d in journal.rows if k == "scheduler.fire"] == [
        "reminder", "plan", "plan"]


def test_a_missed_job_is_entered_as_missed(make_harness: MakeHarness) -> None:
    h = make_harness(NOW, missed="report", grace_seconds=60)
    journal = RunJournal()
    h.plugin.engine.journal = journal
    job = h.do("set_reminder", text="stretch", when="2026-11-23T09:05:00+01:00").output["job"]
    h.clock.advance(hours=2)
    h.plugin.engine.tick()
    ((origin, request, status),) = journal.runs
    assert (origin, status) == (f"scheduler:{job}", "missed")
    assert request.startswith("Missed: 'stretch'")


def test_a_listing_goes_below_its_step_not_numbered_like_steps() -> None:
    from actions import ActionResult

    report = RunReport(steps=[
        StepOutcome(index=0, action="list_jobs", status=StepStatus.OK,
                    result=ActionResult(message="ID  WHAT\njob-1  stretch")),
        StepOutcome(index=1, action="cancel_job", status=StepStatus.OK,
                    result=ActionResult(message="Cancelled: stretch")),
    ])
    assert report_text(report).splitlines() == [
        "1. list_jobs: ok", "   ID  WHAT", "   job-1  stretch",
        "2. cancel_job: ok — Cancelled: stretch"]
