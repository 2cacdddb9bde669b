"""Firing: the clock-driven core, testable without sleeping.

``tick()`` = take the store lock if free (then reconcile fires a crash left ``started``), then
``fire_due(now)``. Firing one job is two steps:

1. *claim* (one SQLite transaction): insert a ``started`` fire row keyed (job id, scheduled time)
   and advance the job to its next occurrence (or mark it done);
2. *execute*: a reminder notifies and is journaled; a plan goes to ``run_plan(plan, origin=...,
   key="<job id>@<scheduled time ISO>")``, which verifies it again and runs it; then the row is
   finished (``done`` / ``failed`` / ``missed``).

A crash before 1 commits leaves the job due (it fires on restart); after it, the row stays
``started`` and is executed again with the same key on restart, which the plan runner dedupes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Any, Protocol, runtime_checkable
from zoneinfo import ZoneInfo

from pydantic import ValidationError

from actions import JournalWriter, Plan, PlanRunner
from plugins.scheduler.lock import StoreLock
from plugins.scheduler.rules import describe, next_after, parse_rule
from plugins.scheduler.settings import SchedulerSettings
from plugins.scheduler.store import Claim, Job, JobStore, from_ms, to_ms

__all__ = ["Engine", "FireEvent", "RunLog", "fire_key", "job_label"]

LATE_AFTER_MS = 60_000
"""A fire more than this late (but within the grace period) is reported as late."""
_MAX_CATCH_UP = 1000


def fire_key(job_id: str, fire_time: int) -> str:
    """The idempotency key of one firing: ``job-1a2b3c4d@2026-03-30T07:00:00+00:00``."""
    spec = "seconds" if fire_time % 1000 == 0 else "milliseconds"
    return f"{job_id}@{from_ms(fire_time).isoformat(timespec=spec)}"


def _fmt(ms: int, tz: tzinfo) -> str:
    return f"{from_ms(ms).astimezone(tz):%a %d %b %H:%M}"


def job_label(job: Job, tz: tzinfo) -> str:
    """How a job is shown and referred to, e.g. ``dentist — Fri 25 Nov 09:00``."""
    if job.state == "cancelled":
        return f"{job.text} — cancelled"
    if job.state == "done":
        when = _fmt(job.last_fire, tz) if job.last_fire is not None else "done"
        return f"{job.text} — fired {when}"
    nxt = _fmt(job.next_fire, tz) if job.next_fire is not None else "?"
    if job.rule:
        return f"{job.text} — {describe(parse_rule(job.rule))} (next {nxt})"
    return f"{job.text} — {nxt}"


@runtime_checkable
class RunLog(Protocol):
    """A journal that lists runs (lam's `Journal`): a firing that did not go through the plan
    runner's own journal entry (a reminder, a refused or missed plan) is entered with this."""

    def log_run(self, origin: str, request: str, status: str) -> int: ...


@dataclass(frozen=True)
class FireEvent:
    """What happened to one scheduled firing."""

    job_id: str
    text: str
    due: datetime
    outcome: str
    """``on_time`` | ``late`` (within grace) | ``missed_run`` | ``missed_reported``."""
    state: str
    """``done`` | ``failed`` | ``missed``."""
    message: str
    key: str
    recovered: bool = False


def _get(result: Any, key: str) -> Any:
    return result.get(key) if isinstance(result, dict) else getattr(result, key, None)


def _interpret(result: Any) -> tuple[bool, str]:
    """(ok, message) from whatever the plan runner returned (an object or dict with ``ok``)."""
    if result is None:
        return True, ""

    def get(key: str) -> Any:
        return _get(result, key)

    ok = get("ok")
    text = get("error") or get("message") or ""
    violations = get("violations")
    if violations and not text:
        text = "; ".join(str(v) for v in violations)
    summary = get("summary")
    if not text and callable(summary):
        text = str(summary())
    return (True if ok is None else bool(ok)), str(text)


class Engine:
    """Fires due jobs of one store. Only one engine per store fires at a time (`StoreLock`)."""

    def __init__(self, store: JobStore, lock: StoreLock, settings: SchedulerSettings, *,
                 clock: Callable[[], datetime], tz: tzinfo, notify: Callable[[str], None],
                 run_plan: PlanRunner | None = None, journal: JournalWriter | None = None
                 ) -> None:
        self.store = store
        self.lock = lock
        self.settings = settings
        self.clock = clock
        self.tz = tz
        self.notify = notify
        self.run_plan = run_plan
        self.journal = journal
        self._stop = threading.Event()
        self._tick_lock = threading.Lock()
        self._standby_said = False
        self._no_runner_said = False
        self._reconciled = False

    # -- driving ---------------------------------------------------------------------------
    def take_lock(self) -> bool:
        """Try to become the firing process now (the next tick reconciles); False: another
        live process fires, and this one stands by."""
        with self._tick_lock:
            return self._acquire()

    def _acquire(self) -> bool:
        if self.lock.held:
            return True
        if not self.lock.acquire():
            if not self._standby_said:
                self._standby_said = True
                self.notify(f"scheduler: another lam process (pid {self.lock.holder()}) is "
                            "running scheduled jobs; this one stands by and takes over when it "
                            "exits")
            return False
        self._reconciled = False
        if self.lock.stale_pid is not None:
            self.notify(f"scheduler: the job lock was left by pid {self.lock.stale_pid}, which "
                        "is no longer running; this process took it over")
        elif self._standby_said:
            self.notify("scheduler: took over running scheduled jobs")
        return True

    def tick(self, now: datetime | None = None) -> list[FireEvent]:
        """Take the lock if free (reconciling on taking it), then fire what is due."""
        with self._tick_lock:
            if not self._acquire():
                return []
            events: list[FireEvent] = []
            if not self._reconciled:
                self._reconciled = True
                events = self.reconcile()
            return events + self.fire_due(now)

    def next_due(self) -> datetime | None:
        """The earliest time an active job is due (the real-time driver wakes for it)."""
        ms = self.store.next_due()
        return None if ms is None else from_ms(ms)

    def stop(self) -> None:
        """Finish the firing in progress, start no new one."""
        self._stop.set()

    # -- firing ----------------------------------------------------------------------------
    def fire_due(self, now: datetime | None = None) -> list[FireEvent]:
        """Claim and execute every job due at ``now`` (default: the clock)."""
        now_ms = to_ms(now or self.clock())
        events: list[FireEvent] = []
        waiting = 0
        for job_id in self.store.due_ids(now_ms):
            if self._stop.is_set():
                break
            job = self.store.get(job_id)
            if job is not None and job.kind == "plan" and self.run_plan is None:
                waiting += 1  # left due for a process that can run plans
                continue
            claimed = self.store.claim(job_id, now_ms, lambda j: self._decide(j, now_ms))
            if claimed is None:
                continue
            job, claim = claimed
            for fire_time, outcome in claim.fires:
                events.append(self._execute(job, fire_time, outcome, detail=claim.detail))
        if waiting and not self._no_runner_said:
            self._no_runner_said = True
            self.notify(f"scheduler: {waiting} scheduled plan(s) are due but this lam process "
                        "cannot run plans; they wait for one that can")
        return events

    def reconcile(self) -> list[FireEvent]:
        """Execute again, with the same keys, fires a crash left ``started``."""
        events = []
        for row in self.store.started():
            if self._stop.is_set():
                break
            job = self.store.get(row.job_id)
            if job is not None and job.kind == "plan" and self.run_plan is None:
                continue  # left for a process that can run plans
            if job is None:
                self.store.finish(row.job_id, row.fire_time, "failed", to_ms(self.clock()),
                                  "job vanished")
                continue
            events.append(self._execute(job, row.fire_time, row.outcome, recovered=True,
                                        detail=row.detail))
        return events

    def _decide(self, job: Job, now_ms: int) -> Claim:
        """Which occurrences of a due job fire now, and its next fire time (pure)."""
        assert job.next_fire is not None
        due = [job.next_fire]
        nxt: int | None = None
        if job.rule:
            rule, anchor, zone = parse_rule(job.rule), from_ms(job.anchor), ZoneInfo(job.tz)
            t = from_ms(job.next_fire)
            while True:
                later = next_after(rule, anchor, t, zone)
                if later is None or to_ms(later) > now_ms:
                    break
                if len(due) >= _MAX_CATCH_UP:  # skip the rest of a very long downtime
                    later = next_after(rule, anchor, from_ms(now_ms), zone)
                    break
                due.append(to_ms(later))
                t = later
            nxt = to_ms(later) if later is not None else None
        grace = self.settings.grace_seconds * 1000
        within = [t for t in due if now_ms - t <= grace]
        beyond = [t for t in due if now_ms - t > grace]
        missed = "missed_run" if self.settings.missed == "run_once" else "missed_reported"

        def timely(t: int) -> str:
            return "late" if now_ms - t > LATE_AFTER_MS else "on_time"

        fires: list[tuple[int, str]] = []
        if self.settings.coalesce:
            fires.append((within[-1], timely(within[-1])) if within else (beyond[-1], missed))
            skipped = len(due) - 1
        else:
            if beyond:
                fires.append((beyond[-1], missed))
            fires += [(t, timely(t)) for t in within]
            skipped = max(0, len(beyond) - 1)
        detail = f"{skipped} earlier occurrence(s) coalesced into this one" if skipped else ""
        return Claim(fires=fires, next_fire=nxt, state="active" if nxt is not None else "done",
                     detail=detail)

    def _execute(self, job: Job, fire_time: int, outcome: str, *, recovered: bool = False,
                 detail: str = "") -> FireEvent:
        key = fire_key(job.id, fire_time)
        now_ms = to_ms(self.clock())
        due = _fmt(fire_time, self.tz)
        note = {
            "late": f" (late: was due {due})",
            "missed_run": f" (missed while lam was not running: was due {due}; ran once now)",
        }.get(outcome, "")
        if detail:
            note += f" [{detail}]"
        if recovered:
            note += (" (delivered again after a restart; it may have been shown already)"
                     if job.kind == "reminder" else " (resumed after a restart)")
        journaled = False
        if outcome == "missed_reported":
            state = "missed"
            message = (f"Missed: '{job.text}' was due {due} while lam was not running; "
                       "not run (missed = \"report\")")
        elif job.kind == "reminder":
            state, message = "done", f"Reminder: {job.text}{note}"
        else:
            ok, why, journaled = self._run(job, key)
            state = "done" if ok else "failed"
            message = (f"Ran scheduled job '{job.text}'{': ' + why if why else ''}{note}" if ok
                       else f"Scheduled job '{job.text}' did not run: {why}{note}")
        self.notify(message)
        if isinstance(self.journal, RunLog) and not journaled:
            status = "fired" if state == "done" else state
            self.journal.log_run(f"scheduler:{job.id}", message, status)
        if self.journal is not None:
            self.journal.record("scheduler.fire", {
                "job": job.id, "key": key, "kind": job.kind, "text": job.text,
                "due": from_ms(fire_time).isoformat(), "outcome": outcome, "state": state,
                "recovered": recovered, "message": message})
        self.store.finish(job.id, fire_time, state, now_ms, message)
        return FireEvent(job_id=job.id, text=job.text, due=from_ms(fire_time), outcome=outcome,
                         state=state, message=message, key=key, recovered=recovered)

    def _run(self, job: Job, key: str) -> tuple[bool, str, bool]:
        """(ok, why, whether the runner journaled the run itself)."""
        if self.run_plan is None:
            return False, "this lam process cannot run plans", False
        try:
            plan = Plan.model_validate_json(job.plan or "")
        except ValidationError as exc:
            return False, f"the stored plan is invalid ({exc.error_count()} errors)", False
        try:
            result = self.run_plan(plan, origin=f"scheduler:{job.id}", key=key)
        except Exception as exc:  # a failing plan is reported, not raised
            return False, f"{type(exc).__name__}: {exc}", False
        ok, why = _interpret(result)
        return ok, why, result is not None and _get(result, "plan_id") is not None
