"""The scheduler plugin: reminders and scheduled plans as background ``job`` entities."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import BaseModel, Field, ValidationError

from actions import (
    ActionContext,
    ActionResult,
    ActionSpec,
    Capabilities,
    Condition,
    Effect,
    Entity,
    EntityRef,
    Plan,
    PlanKind,
    Plugin,
    Recurrence,
    Scope,
    ShortText,
    Step,
    When,
)
from plugins.scheduler.engine import Engine, job_label
from plugins.scheduler.lock import StoreLock, pid_alive
from plugins.scheduler.rules import Rule, RuleError, describe, next_after, parse_rule
from plugins.scheduler.settings import SchedulerSettings
from plugins.scheduler.store import Job, JobStore, from_ms, to_ms
from plugins.scheduler.ticker import Ticker

__all__ = ["FIRE_EXTRA", "SchedulerPlugin", "parse_when"]

FIRE_EXTRA = "scheduler_fire"
"""``Capabilities.extras[FIRE_EXTRA] = True`` makes this process fire jobs (daemon, TUI)."""
if TYPE_CHECKING:
    JobRef = str
else:
    JobRef = EntityRef("job", "id of a scheduled job (reminder or plan) in scope")
PlanArg = Annotated[dict[str, Any], Field(
    description='the plan to run later: {"request": "...", "steps": [{"action": "...", '
                '"args": {...}}]}',
    json_schema_extra={"x-plan": True})]
Minutes = Annotated[int, Field(ge=1, le=7 * 24 * 60)]
_RECENT = timedelta(hours=24)
_SCHEDULER_ACTIONS = ("schedule_plan",)


def parse_when(value: str, tz: Any) -> datetime:
    """An ISO-8601 date-time (a naive one is read in ``tz``); ValueError with the reason."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"'{value}' is not an ISO-8601 date-time (expected e.g. "
                         "2026-11-25T09:00:00+01:00); the planner should normalize it") from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=tz)


def _inverse_cancel(_params: BaseModel, result: ActionResult) -> Step | None:
    job = result.output.get("job")
    return Step(action="cancel_job", args={"job": job}) if job else None


def _inverse_restore(_params: BaseModel, result: ActionResult) -> Step | None:
    job = result.output.get("job")
    return Step(action="restore_job", args={"job": job}) if job else None


def _inverse_move_back(_params: BaseModel, result: ActionResult) -> Step | None:
    job, previous = result.output.get("job"), result.output.get("previous")
    if job and previous:
        return Step(action="reschedule_job", args={"job": job, "when": previous})
    return None


class SchedulerPlugin(Plugin):
    """Reminders and scheduled plans, stored in SQLite and fired by one process per store."""

    name = "scheduler"
    settings_model = SchedulerSettings

    def __init__(self, caps: Capabilities) -> None:
        super().__init__(caps)
        self._store: JobStore | None = None
        self._engine: Engine | None = None
        self._ticker: Ticker | None = None

    # -- wiring ------------------------------------------------------------------------------
    @property
    def store(self) -> JobStore:
        if self._store is None:
            self._store = JobStore(self.caps.data_dir / "scheduler.sqlite3")
        return self._store

    @property
    def engine(self) -> Engine:
        """The firing core; tests drive it with ``engine.tick(now)``."""
        if self._engine is None:
            self._engine = Engine(
                self.store, StoreLock(self.caps.data_dir / "scheduler.lock"), self.settings,
                clock=self.caps.clock, tz=self.caps.tz, notify=self._notify_fired,
                run_plan=self.caps.run_plan, journal=self.caps.journal)
        return self._engine

    def start(self) -> None:
        """Open the store; in a firing process (daemon, TUI) start the background timer."""
        _ = self.store
        if self.caps.extras.get(FIRE_EXTRA) and self._ticker is None:
            try:
                self.engine.take_lock()  # so that `status()` tells the truth from the start
            except OSError as exc:  # the ticker retries; reminders can still be set meanwhile
                self.caps.notify(f"scheduler: cannot take the job lock yet: {exc}")
            self._ticker = Ticker(self.engine.tick, self.settings.poll_seconds,
                                  on_error=lambda exc: self.caps.notify(
                                      f"scheduler: error while firing jobs: {exc}"),
                                  next_due=self.engine.next_due)
            self._ticker.start()

    def close(self) -> None:
        if self._engine is not None:
            self._engine.stop()
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        if self._engine is not None:
            self._engine.lock.release()

    def status(self) -> str:
        """One line for ``lam daemon``: jobs, next fire and whether this process fires."""
        jobs = self.store.jobs()
        nxt = self.store.next_due()
        when = f"{from_ms(nxt).astimezone(self.caps.tz):%a %d %b %H:%M}" if nxt else "none"
        if self._engine is None or self._ticker is None:
            role = "not firing in this process"
        elif self._engine.lock.held:
            role = "firing"
        elif (holder := self._engine.lock.holder()) not in (None, os.getpid()) and \
                pid_alive(holder):
            role = f"standing by while pid {holder} fires"
        else:
            role = "waiting for the job lock"
        return f"scheduler: {len(jobs)} active job(s), next {when}; {role}"

    def doctor(self) -> list[str]:
        problems = []
        try:
            _ = self.store.next_due()
        except Exception as exc:  # doctor reports, never raises
            problems.append(f"scheduler store {self.store.path} is unusable: {exc}; move it "
                            "away and restart lam")
        if self.settings.desktop_notifications and shutil.which("notify-send") is None:
            problems.append("notify-send not found: reminders show only inside lam; install "
                            "libnotify-bin (or set desktop_notifications = false)")
        return problems

    def _notify_fired(self, text: str) -> None:
        self.caps.notify(text)
        exe = shutil.which("notify-send") if self.settings.desktop_notifications else None
        if exe is not None and not text.startswith("scheduler:"):
            try:
                subprocess.run([exe, "--app-name=lam", "lam", text], check=False, timeout=5,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            except (OSError, subprocess.SubprocessError):
                pass

    def _wake(self) -> None:
        if self._ticker is not None:
            self._ticker.wake()

    # -- entities ----------------------------------------------------------------------------
    def entity(self, job: Job) -> Entity:
        return Entity(
            id=job.id, type="job", label=job_label(job, self.caps.tz), scope=Scope.BACKGROUND,
            attributes={
                "text": job.text, "nicknames": [job.text], "kind": job.kind,
                "state": job.state, "rule": job.rule,
                "next": (from_ms(job.next_fire).astimezone(self.caps.tz).isoformat()
                         if job.next_fire else None),
                "last_outcome": job.last_outcome})

    def background_entities(self) -> list[Entity]:
        """Active jobs, plus jobs that fired or were cancelled within a day."""
        since = to_ms(self.caps.clock() - _RECENT)
        return [self.entity(j) for j in self.store.jobs(("active",), since=since)]

    # -- conditions (shared by the verifier and the handlers) --------------------------------
    def _check_when(self, ctx: ActionContext, params: BaseModel) -> str | None:
        value = getattr(params, "when", None)
        if value is None:
            return None
        try:
            when = parse_when(value, ctx.tz)
        except ValueError as exc:
            return str(exc)
        if when < ctx.now():
            return f"{when.astimezone(ctx.tz):%a %d %b %Y %H:%M} is in the past"
        return None

    def _check_every(self, ctx: ActionContext, params: BaseModel) -> str | None:
        value = getattr(params, "every", None)
        if value is None:
            return None
        try:
            rule = parse_rule(value)
        except RuleError as exc:
            return f"recurrence '{value}': {exc}"
        if next_after(rule, ctx.now(), ctx.now(), ctx.tz) is None:
            return f"recurrence '{value}' never fires"
        return None

    def _check_plan(self, _ctx: ActionContext, params: BaseModel) -> str | None:
        try:
            plan = Plan.model_validate(getattr(params, "plan", None))
        except ValidationError as exc:
            return f"not a plan: {exc.errors()[0]['msg']}"
        if plan.kind is not PlanKind.ACTIONS or not plan.steps:
            return "the plan has no steps to run"
        nested = [s.action for s in plan.steps if s.action in _SCHEDULER_ACTIONS]
        if nested:
            return f"a scheduled plan may not schedule plans itself ({nested[0]})"
        if getattr(params, "when", None) is None and getattr(params, "every", None) is None:
            return "say when (a time) or how often (a recurrence)"
        return None

    def _job_check(self, allowed: tuple[str, ...]) -> Callable[[ActionContext, BaseModel],
                                                               str | None]:
        def check(_ctx: ActionContext, params: BaseModel) -> str | None:
            job_id = getattr(params, "job", "")
            job = self.store.get(job_id)
            if job is None:
                return f"there is no scheduled job {job_id!r}"
            if job.state not in allowed:
                return f"'{job.text}' is {'already ' if job.state == 'cancelled' else ''}" \
                       f"{'fired' if job.state == 'done' else job.state}"
            return None
        return check

    def _violation(self, ctx: ActionContext, params: BaseModel,
                   *checks: Callable[[ActionContext, BaseModel], str | None]) -> str | None:
        for check in checks:
            why = check(ctx, params)
            if why:
                return why
        return None

    # -- actions -----------------------------------------------------------------------------
    def actions(self) -> list[ActionSpec]:
        future = Condition(name="time is in the future", check=self._check_when)
        rule_ok = Condition(name="recurrence is valid", check=self._check_every)
        plan_ok = Condition(name="plan is valid", check=self._check_plan)
        active = Condition(name="job exists", check=self._job_check(("active",)), about="job")
        cancelled = Condition(name="job is cancelled", check=self._job_check(("cancelled",)),
                              about="job")
        live = Condition(name="job exists", check=self._job_check(("active", "done")),
                         about="job")

        def spec(fn: Callable[..., ActionResult], **meta: Any) -> ActionSpec:
            return ActionSpec.from_function(fn, plugin=self.name, **meta)

        return [
            spec(self.set_reminder, prompt_example=0, effect=Effect.SCHEDULE,
                 preconditions=[future, rule_ok],
                 inverse=_inverse_cancel, produces=["job"], templates=[
                     "remind me to {text} {when}",
                     "remind me {when} to {text}",
                     "set a reminder (to|for) {text} {when}",
                     "set a reminder {when} (to|for) {text}",
                     "remind me to {text} {every}",
                     "remind me {every} to {text}",
                     "remind me about {text} {when}",
                     "remind me about {text} {every}",
                     "(ping|nudge|alert) me {when} (to|about) {text}",
                     "(don't|dont|do not) let me forget [to|about] {text} {when}",
                     "(don't|dont|do not) let me forget [to|about] {text} {every}",
                 ]),
            spec(self.schedule_plan, effect=Effect.SCHEDULE,
                 preconditions=[plan_ok, future, rule_ok], inverse=_inverse_cancel,
                 produces=["job"]),
            spec(self.list_jobs, prompt_example=1, effect=Effect.READ_ONLY, produces=["job"],
                 templates=[
                "(list|show) (my|the|all) (jobs|reminders|scheduled jobs)",
                "(list|show) (jobs|reminders|scheduled jobs)",
                "what (reminders|jobs) (do i have|have i got)",
                "what is scheduled",
            ]),
            spec(self.cancel_job, effect=Effect.LOCAL_WRITE, preconditions=[active],
                 inverse=_inverse_restore, consumes=["job"], templates=[
                     "cancel {job}",
                     "cancel the {job} (job|reminder|one)",
                     "(delete|remove) the {job} (job|reminder|one)",
                     "(kill|scrap|ditch|nuke) the {job} (job|reminder|one)",
                 ]),
            spec(self.restore_job, effect=Effect.SCHEDULE, preconditions=[cancelled],
                 inverse=_inverse_cancel, consumes=["job"], templates=[
                     "restore the {job} (job|reminder|one)",
                     "(reinstate|reactivate|revive|undelete) the {job} (job|reminder|one)",
                 ]),
            spec(self.reschedule_job, effect=Effect.SCHEDULE, preconditions=[live, future],
                 inverse=_inverse_move_back, consumes=["job"], templates=[
                     "(move|reschedule|push|postpone|shift) {job} to {when}",
                     "(move|reschedule|push|postpone|shift) the {job} (job|reminder|one) to "
                     "{when}",
                     "(make|change) {job} [to] {when}",
                 ]),
            spec(self.snooze_job, prompt_example=2, effect=Effect.SCHEDULE, preconditions=[live],
                 inverse=_inverse_move_back, consumes=["job"], templates=[
                     "snooze the {job} (job|reminder|one) (for|by) {minutes} minutes",
                     "snooze {job} (for|by) {minutes} minutes",
                     "snooze the {job} (job|reminder|one)",
                     "snooze {job}",
                     "snooze {job} [for|by] {minutes} (min|mins|minutes)",
                     "snooze [for|by] {minutes} [min|mins|minutes] {job=it}",
                 ]),
        ]

    def _create(self, ctx: ActionContext, *, kind: str, text: str, plan: str | None,
                when: str | None, every: str | None) -> ActionResult:
        now = ctx.now()
        start = parse_when(when, ctx.tz) if when else None
        rule: Rule | None = parse_rule(every) if every else None
        if rule is None:
            assert start is not None
            first: datetime | None = start
        elif start is not None:  # the series starts at `when`; its first occurrence from there
            first = next_after(rule, start, start - timedelta(microseconds=1), ctx.tz)
        else:
            first = next_after(rule, now, now, ctx.tz)
        if first is None:
            return ActionResult.fail(f"recurrence '{every}' never fires")
        now_ms = to_ms(now)
        job = Job(id=Job.new_id(), kind=kind, text=text, plan=plan,
                  rule=str(rule) if rule else None, anchor=to_ms(start or now),
                  tz=getattr(ctx.tz, "key", "UTC"), next_fire=to_ms(first), created=now_ms,
                  updated=now_ms)
        self.store.add(job)
        self._wake()
        entity = self.entity(job)
        return ActionResult(message=f"Scheduled: {entity.label}", entities=[entity], output={
            "job": job.id, "label": entity.label, "next": first.astimezone(ctx.tz).isoformat(),
            "rule": job.rule})

    def set_reminder(self, ctx: ActionContext, text: ShortText, when: When,
                     every: Recurrence | None = None) -> ActionResult:
        """Remind the user of something at a time, once or on a recurrence.

        Args:
            text: what to remind of, e.g. "call the dentist".
            when: the (first) time, ISO-8601 with offset.
            every: recurrence rule (FREQ=...;BYDAY=...;BYHOUR=...); empty for a one-off reminder.
        """
        params = _Params(when=when, every=every)
        why = self._violation(ctx, params, self._check_when, self._check_every)
        if why:
            return ActionResult.fail(why)
        return self._create(ctx, kind="reminder", text=text, plan=None, when=when, every=every)

    def schedule_plan(self, ctx: ActionContext, plan: PlanArg, when: When | None = None,
                      every: Recurrence | None = None) -> ActionResult:
        """Run a plan later: once at a time, or on a recurrence. It is verified again when it
        fires.

        Args:
            plan: the plan to run, as lam plans are written.
            when: the (first) time, ISO-8601 with offset.
            every: recurrence rule (FREQ=...;BYDAY=...;BYHOUR=...).
        """
        params = _Params(when=when, every=every, plan=plan)
        why = self._violation(ctx, params, self._check_plan, self._check_when, self._check_every)
        if why:
            return ActionResult.fail(why)
        stored = Plan.model_validate(plan)
        text = stored.request or ", ".join(s.action for s in stored.steps)
        return self._create(ctx, kind="plan", text=text[:200],
                            plan=stored.model_dump_json(), when=when, every=every)

    def list_jobs(self, ctx: ActionContext) -> ActionResult:
        """List scheduled jobs (reminders and plans) with their next time."""
        jobs = self.store.jobs()
        entities = [self.entity(j) for j in jobs]
        for i, e in enumerate(entities, 1):
            e.ordinal = i  # "the second one" still works; the listing itself is not numbered
        return ActionResult(message=job_table(jobs, ctx.tz), entities=entities,
                            output={"jobs": [{"job": e.id, "label": e.label,
                                              "next": e.attributes["next"],
                                              "rule": e.attributes["rule"]} for e in entities]})

    def cancel_job(self, ctx: ActionContext, job: JobRef) -> ActionResult:
        """Cancel a scheduled job so it does not fire again.

        Args:
            job: the job to cancel.
        """
        before, why = self.store.update(
            job, to_ms(ctx.now()), check=lambda j: self._job_check(("active",))(
                ctx, _Params(job=j.id)), state="cancelled")
        if why or before is None:
            return ActionResult.fail(why or f"no job {job!r}")
        return ActionResult(message=f"Cancelled: {before.text}", output={"job": job})

    def restore_job(self, ctx: ActionContext, job: JobRef) -> ActionResult:
        """Restore a cancelled job (it fires at its next time still in the future).

        Args:
            job: the cancelled job.
        """
        now = ctx.now()
        found = self.store.get(job)
        if found is None or found.state != "cancelled":
            return ActionResult.fail(f"'{job}' is not a cancelled job")
        nxt: int | None = found.next_fire
        if found.rule and (nxt is None or nxt < to_ms(now)):
            stamp = next_after(parse_rule(found.rule), from_ms(found.anchor), now, ctx.tz)
            nxt = to_ms(stamp) if stamp else None
        if nxt is None or nxt < to_ms(now):
            return ActionResult.fail(f"'{found.text}' has no time left in the future; "
                                     "set a new one instead")
        _, why = self.store.update(
            job, to_ms(now), check=lambda j: None if j.state == "cancelled" else "not cancelled",
            state="active", next_fire=nxt)
        if why:
            return ActionResult.fail(why)
        self._wake()
        restored = self.store.get(job)
        assert restored is not None
        return ActionResult(message=f"Restored: {job_label(restored, ctx.tz)}",
                            entities=[self.entity(restored)], output={"job": job})

    def reschedule_job(self, ctx: ActionContext, job: JobRef, when: When) -> ActionResult:
        """Move a job to another time (for a recurring job: its next occurrence only).

        Args:
            job: the job to move.
            when: the new time, ISO-8601 with offset.
        """
        why = self._violation(ctx, _Params(job=job, when=when), self._check_when)
        if why:
            return ActionResult.fail(why)
        return self._move(ctx, job, parse_when(when, ctx.tz))

    def snooze_job(self, ctx: ActionContext, job: JobRef, minutes: Minutes = 10) -> ActionResult:
        """Snooze a job: a fired one fires again this many minutes from now; one still to come
        is put off by this many minutes.

        Args:
            job: the job (e.g. a reminder that just fired).
            minutes: how long to snooze.
        """
        base = ctx.now()
        found = self.store.get(job)
        if found is not None and found.state == "active" and found.next_fire is not None:
            base = max(base, from_ms(found.next_fire))
        return self._move(ctx, job, base + timedelta(minutes=minutes))

    def _move(self, ctx: ActionContext, job_id: str, when: datetime) -> ActionResult:
        now = ctx.now()
        check = self._job_check(("active", "done"))
        before, why = self.store.update(job_id, to_ms(now),
                                        check=lambda j: check(ctx, _Params(job=j.id)),
                                        state="active", next_fire=to_ms(when))
        if why or before is None:
            return ActionResult.fail(why or f"no job {job_id!r}")
        self._wake()
        moved = self.store.get(job_id)
        assert moved is not None
        previous = (from_ms(before.next_fire).astimezone(ctx.tz).isoformat()
                    if before.state == "active" and before.next_fire is not None else None)
        return ActionResult(message=f"Moved: {job_label(moved, ctx.tz)}",
                            entities=[self.entity(moved)],
                            output={"job": job_id, "next": when.astimezone(ctx.tz).isoformat(),
                                    "previous": previous})


def job_table(jobs: list[Job], tz: Any) -> str:
    """Jobs as a table (id, kind, what, next fire, repeats), one row each, no numbering."""
    if not jobs:
        return "No scheduled jobs."
    rows = [("ID", "KIND", "WHAT", "NEXT", "REPEATS")]
    for job in jobs:
        what = job.text if len(job.text) <= 40 else job.text[:39] + "…"
        nxt = (f"{from_ms(job.next_fire).astimezone(tz):%a %d %b %Y %H:%M}"
               if job.next_fire is not None else "-")
        rows.append((job.id, job.kind, what, nxt,
                     describe(parse_rule(job.rule)) if job.rule else "once"))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    return "\n".join("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=False))
                     + "  " + row[4] for row in rows)


class _Params(BaseModel):
    """Arguments handed to the shared checks when a handler re-checks them."""

    job: str = ""
    when: str | None = None
    every: str | None = None
    plan: Any = None
