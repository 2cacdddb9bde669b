"""Undo: the declared inverses of one journal entry's steps, last step first.

Without an id, `Undoer` takes the latest plan with something left to undo: a plan that only read
is skipped, so is one already undone, and so is an undo itself. A step with a side effect and no
inverse (a sent email) is reported once as impossible to undo; the next `lam undo` then goes
further back. Each undone step is journaled (`Journal.mark_undone`), so nothing is undone twice.
The inverse plan goes through the verifier like any other plan before it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from actions.errors import UserInputError
from actions.plan import Plan, Step
from actions.violations import Violation
from assistant.execute import RunReport, StepOutcome, StepStatus
from assistant.journal import Journal, PlanRow
from assistant.registry import ActionRegistry

__all__ = ["UndoReport", "Undoer"]

IDS_HINT = "`lam journal` lists the plans with their ids"


class UndoReport(RunReport):
    """A `RunReport` of the inverse plan (``plan_id`` is the undo's own journal id), with the
    plan it undid."""

    undid: int | None = None
    """Journal id of the plan undone (None when nothing was)."""
    request: str = ""
    """That plan's request."""
    note: str = ""
    """Why nothing ran, when nothing did ("nothing to undo", "plan #3 is already undone")."""
    refused: bool = False
    """The verifier rejected the inverse plan: nothing ran."""


@dataclass
class _Pending:
    target: PlanRow
    steps: list[Step] = field(default_factory=list)
    """Inverse steps, the target's last step first."""
    undoes: list[int] = field(default_factory=list)
    """The target's step index each inverse step undoes."""
    cannot: list[tuple[int, str]] = field(default_factory=list)
    """(step index, action) of side effects that have no inverse."""
    missing: list[tuple[int, str]] = field(default_factory=list)
    """(step index, action) of steps whose action is not loaded now."""


class Undoer:
    def __init__(self, journal: Journal, registry: ActionRegistry) -> None:
        self.journal = journal
        self.registry = registry

    def undo(self, plan_id: int | None, *, verify: Callable[[Plan], list[Violation]],
             run: Callable[[Plan], RunReport]) -> UndoReport:
        """Undo journal entry ``plan_id`` (None: the latest with something left to undo).
        ``verify`` returns the blocking violations of the inverse plan; ``run`` runs it.
        Raises `UserInputError` for an id that is not a plan lam can undo."""
        pending = self._latest() if plan_id is None else self._named(plan_id)
        if isinstance(pending, UndoReport):
            return pending
        target = pending.target
        cannot = self._cannot_outcomes(pending, start=len(pending.steps))
        if not pending.steps:
            self._record_impossible(pending)
            return UndoReport(ok=False, undid=target.id, request=target.request, steps=cannot)
        plan = Plan(request=f"undo plan {target.id}", steps=pending.steps)
        violations = verify(plan)
        if violations:
            refused = [StepOutcome(index=i, action=s.action, status=StepStatus.NOT_RUN,
                                   args=s.args, problems=[str(v) for v in violations
                                                          if v.step in (i, None)])
                       for i, s in enumerate(plan.steps)]
            return UndoReport(ok=False, undid=target.id, request=target.request,
                              steps=refused + cannot, refused=True,
                              note="nothing ran: the verifier rejected the undo")
        report = run(plan)
        for outcome in report.steps:
            if outcome.status in (StepStatus.OK, StepStatus.ALREADY_DONE):
                self.journal.mark_undone(target.id, pending.undoes[outcome.index],
                                         report.plan_id)
        self._record_impossible(pending)
        if not self._pending(target, skip_reported=True).steps:
            self.journal.end_plan(target.id, "undone")
        return UndoReport(plan_id=report.plan_id, ok=report.ok and not cannot,
                          steps=report.steps + cannot, undid=target.id, request=target.request)

    # -- choosing what to undo ----------------------------------------------------------------
    def _latest(self) -> _Pending | UndoReport:
        for candidate in self.journal.undo_candidates():
            row = self.journal.plan(candidate)
            if row is None:
                continue
            pending = self._pending(row, skip_reported=True)
            if pending.steps or pending.cannot or pending.missing:
                return pending
        return _nothing("nothing to undo")

    def _named(self, plan_id: int) -> _Pending | UndoReport:
        row = self.journal.plan(plan_id)
        if row is None:
            raise UserInputError(f"no plan #{plan_id} in the journal", hint=IDS_HINT)
        if row.origin == "undo":
            undid = self.journal.undid(row.id)
            of = f" (of plan #{undid})" if undid is not None else ""
            raise UserInputError(f"plan #{row.id} is itself an undo{of}",
                                 hint="to do it again, run that plan's request again")
        if row.status == "running":
            raise UserInputError(f"plan #{row.id} is still running",
                                 hint="undo it once it has ended (see `lam journal`)")
        pending = self._pending(row, skip_reported=False)
        if pending.steps or pending.cannot or pending.missing:
            return pending
        by = sorted({b for b in self.journal.undone(row.id).values() if b is not None})
        if by or row.status == "undone":
            shown = ", ".join(f"#{b}" for b in by)
            return _nothing(f"plan #{row.id} is already undone" +
                            (f" (by plan {shown})" if shown else "") + "; nothing ran",
                            row)
        return _nothing(f"plan #{row.id} has nothing to undo (it changed nothing); nothing ran",
                        row)

    def _pending(self, row: PlanRow, *, skip_reported: bool) -> _Pending:
        """What is left to undo of a plan: its ok steps with a side effect, last first, less
        those already undone (and, with ``skip_reported``, those reported impossible)."""
        done = self.journal.undone(row.id)
        pending = _Pending(target=row)
        for step in reversed(self.journal.steps(row.id)):
            if step.state != "ok" or step.result is None:
                continue
            if step.idx in done and (done[step.idx] is not None or skip_reported):
                continue
            spec = self.registry.get(step.action)
            if spec is None:
                pending.missing.append((step.idx, step.action))
                continue
            if not spec.effect.has_side_effect:
                continue  # reading (a page, a list) changed nothing to take back
            params = spec.validate_args(step.args)[0]
            inverse = spec.undo_step(params, step.result) if params is not None else None
            if inverse is None:
                pending.cannot.append((step.idx, step.action))
            else:
                pending.steps.append(inverse)
                pending.undoes.append(step.idx)
        return pending

    # -- reporting ------------------------------------------------------------------------------
    def _record_impossible(self, pending: _Pending) -> None:
        for idx, _action in pending.cannot:
            self.journal.mark_undone(pending.target.id, idx, None)

    @staticmethod
    def _cannot_outcomes(pending: _Pending, *, start: int) -> list[StepOutcome]:
        out = [StepOutcome(index=start + k, action=action, status=StepStatus.NOT_RUN,
                           problems=[f"step {idx + 1} cannot be undone (no inverse)"])
               for k, (idx, action) in enumerate(pending.cannot)]
        out += [StepOutcome(index=start + len(out) + k, action=action,
                            status=StepStatus.NOT_RUN,
                            problems=[f"step {idx + 1} cannot be undone now: no action named "
                                      f"'{action}' is loaded (enable its plugin)"])
                for k, (idx, action) in enumerate(pending.missing)]
        return out


def _nothing(note: str, row: PlanRow | None = None) -> UndoReport:
    return UndoReport(ok=True, undid=None, request=row.request if row else "", note=note,
                      steps=[StepOutcome(index=0, action="undo", status=StepStatus.NOT_RUN,
                                         problems=[note])])
