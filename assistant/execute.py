"""The executor: steps in order, step outputs bound to later inputs, preconditions re-checked,
postconditions checked, a journal row before and after every side effect."""

from __future__ import annotations

import difflib
import json
import sqlite3
from collections.abc import Callable
from datetime import datetime
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field

from actions.context import ActionContext
from actions.entities import Entity, Scope
from actions.plan import ActionResult, Plan, Step, is_step_ref
from actions.spec import ActionSpec
from assistant.context import EntityTable, entity_param_violation
from assistant.journal import Journal
from assistant.registry import ActionRegistry

__all__ = ["Executor", "Repairer", "RunReport", "StepOutcome", "StepStatus", "bind_value",
           "step_diff"]


class StepStatus(StrEnum):
    OK = "ok"
    FAILED = "failed"
    NOT_RUN = "not_run"
    ALREADY_DONE = "already_done"
    INTERRUPTED = "interrupted"


class StepOutcome(BaseModel):
    index: int
    action: str
    status: StepStatus
    args: dict[str, Any] = Field(default_factory=dict)
    result: ActionResult | None = None
    problems: list[str] = Field(default_factory=list)
    repair_diff: str | None = None
    """When a stored step no longer held and was repaired: the diff from the old step."""


Repairer = Callable[[int, Step, list[str], EntityTable], "Step | None"]
"""Given a step whose preconditions no longer hold (and why), propose a replacement."""


class RunReport(BaseModel):
    plan_id: int | None = None
    ok: bool = True
    steps: list[StepOutcome] = Field(default_factory=list)

    def summary(self) -> str:
        lines = []
        for s in self.steps:
            msg = (s.result.message if s.result else "") or ", ".join(s.problems)
            lines.append(f"{s.index + 1}. {s.action}: {s.status.value}" + (f" — {msg}"
                                                                         if msg else ""))
        return "\n".join(lines)


def step_diff(old: Step, new: Step) -> str:
    """A unified diff between two steps, as the user sees a repair."""
    def lines(step: Step) -> list[str]:
        return json.dumps({"action": step.action, "args": step.args}, indent=1,
                          sort_keys=True, default=str).splitlines()

    return "\n".join(difflib.unified_diff(lines(old), lines(new), "stored step",
                                           "repaired step", lineterm=""))


class UnboundReference(Exception):
    """A deferred reference ("the third link") that cannot be resolved after its step ran."""


def bind_value(value: Any, results: list[ActionResult], table: EntityTable | None = None) -> Any:
    """Replace a step reference with the referenced step's output value; a deferred mention
    (``{"$step": k, "mention": "the third link", "type": "link"}``) is resolved against the
    entities in scope now that step k has run."""
    if not is_step_ref(value):
        return value
    if "mention" in value and table is not None:
        from assistant.resolve import find_mentions, resolve_reference

        mentions = find_mentions(str(value["mention"]))
        if not mentions:
            raise UnboundReference(f"'{value['mention']}' does not refer to anything")
        res = resolve_reference(mentions[0], table, value.get("type"))
        if res.entity is None:
            raise UnboundReference(res.question or f"'{value['mention']}' is not in scope")
        field = value.get("field")
        return res.entity.attributes.get(field) if field else res.entity.id
    result = results[value["$step"]]
    field = value.get("field")
    if field:
        return result.output.get(field)
    for key in ("value", "url", "text", "id"):
        if key in result.output:
            return result.output[key]
    return result.message


class Executor:
    def __init__(self, registry: ActionRegistry, journal: Journal, *,
                 clock: Callable[[], datetime], tz: ZoneInfo) -> None:
        self.registry = registry
        self.journal = journal
        self.clock = clock
        self.tz = tz

    def run(self, plan: Plan, table: EntityTable, *, origin: str = "user",
            key_prefix: str | None = None, repair: Repairer | None = None,
            on_step: Callable[[StepOutcome], None] | None = None) -> RunReport:
        """Run a verified plan. ``key_prefix`` makes step keys stable across retries (a
        scheduled job's firing): a step already journaled under its key is not run again.
        ``on_step`` is told each step's outcome as soon as it is known (a UI shows it)."""
        plan_id = self.journal.begin_plan(plan, origin)
        prefix = key_prefix or f"plan{plan_id}"
        report = RunReport(plan_id=plan_id)
        results: list[ActionResult] = []
        failed = False
        for i, step in enumerate(plan.steps):
            if failed:
                report.steps.append(StepOutcome(index=i, action=step.action,
                                                status=StepStatus.NOT_RUN))
                if on_step is not None:
                    on_step(report.steps[-1])
                continue
            outcome = self._run_step(plan_id, i, step, results, table, f"{prefix}:{i}")
            if repair is not None and outcome.status is StepStatus.FAILED and \
                    outcome.result is None and outcome.problems:
                fixed = repair(i, step, outcome.problems, table)
                if fixed is not None:
                    diff = step_diff(step, fixed)
                    outcome = self._run_step(plan_id, i, fixed, results, table,
                                             f"{prefix}:{i}:repaired")
                    outcome.repair_diff = diff
            report.steps.append(outcome)
            if on_step is not None:
                on_step(outcome)
            results.append(outcome.result or ActionResult.fail("not run"))
            if outcome.status not in (StepStatus.OK, StepStatus.ALREADY_DONE):
                failed = True
        report.ok = not failed
        self.journal.end_plan(plan_id, "done" if report.ok else "failed")
        return report

    def _run_step(self, plan_id: int, i: int, step: Step, results: list[ActionResult],
                  table: EntityTable, key: str) -> StepOutcome:
        spec = self.registry.get(step.action)
        if spec is None:
            return StepOutcome(index=i, action=step.action, status=StepStatus.FAILED,
                               problems=[f"no action named '{step.action}' is loaded"])
        outcome = StepOutcome(index=i, action=step.action, status=StepStatus.FAILED,
                              args=step.args)
        try:
            args = {k: bind_value(v, results, table) for k, v in step.args.items()}
        except UnboundReference as exc:
            outcome.problems = [str(exc)]
            return outcome
        outcome.args = args
        params, violations = spec.validate_args(args)
        ctx = ActionContext(clock=self.clock, tz=self.tz, entities=table.as_mapping(),
                            idempotency_key=key)
        if params is None:
            outcome.problems = [str(v) for v in violations]
            return outcome
        pre = spec.check_preconditions(ctx, params)
        props = spec.parameters_schema().get("properties", {})
        in_scope = table.as_mapping()
        for name in spec.entity_params():
            value = args.get(name)
            problem = None if value is None else entity_param_violation(
                name, props.get(name, {}), value, in_scope, missing="is no longer in scope")
            if problem is not None:  # the verifier's rule, checked again on the bound value
                pre.append(problem)
        if pre:
            outcome.problems = [str(v) for v in pre]
            return outcome
        previous = self.journal.step_by_key(key)
        if previous is not None:
            if previous.state == "ok" and previous.result is not None:
                outcome.status = StepStatus.ALREADY_DONE
                outcome.result = previous.result
                _publish(table, spec, previous.result.entities)
                return outcome
            outcome.status = StepStatus.INTERRUPTED
            outcome.problems = [f"a previous run of this step ({key}) did not finish; "
                                "not running it again — check its effect"]
            return outcome
        try:
            row = self.journal.step_started(plan_id, i, key, step, spec.effect.value)
        except sqlite3.IntegrityError:
            outcome.problems = [f"step key {key} is already journaled"]
            return outcome
        try:
            result = spec.run(ctx, params)
        except Exception as exc:  # a plugin bug must not take lam down: it is a failed step
            result = ActionResult.fail(f"{type(exc).__name__}: {exc}")
        if not isinstance(result, ActionResult):
            result = ActionResult.fail(f"action returned {type(result).__name__}, "
                                       "not ActionResult")
        if result.ok:
            post = spec.check_postconditions(ctx, params, result)
            if post:
                result = result.model_copy(update={
                    "ok": False, "error": "; ".join(str(v) for v in post)})
        self.journal.step_ended(row, result)
        outcome.result = result
        outcome.status = StepStatus.OK if result.ok else StepStatus.FAILED
        if not result.ok:
            outcome.problems = [result.error or "failed"]
        _publish(table, spec, result.entities)
        return outcome


def _publish(table: EntityTable, spec: ActionSpec, entities: list[Entity]) -> None:
    """A step's entities into the table. A result with on-screen entities is the screen as the
    step left it, for every type the action declares it produces: a type the new screen lacks
    (a page without links) is left with none, not with the old screen's."""
    if any(e.scope is Scope.SCREEN for e in entities) and spec.produces:
        table.replace_screen(entities, spec.produces)
    else:
        table.publish(entities)
