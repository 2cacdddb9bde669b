"""The Python API: embed lam in another program with the same plan / verify / run / dry-run
operations as the command line, and typed results."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Any

from pydantic import BaseModel, Field

from actions.plan import Plan, is_step_ref
from actions.violations import Violation
from assistant.execute import RunReport
from assistant.planner.cascade import Proposal
from assistant.runtime import Runtime, RuntimeOptions
from assistant.session import Confirmation, Session
from assistant.undo import UndoReport
from assistant.verify import blocking

__all__ = ["Assistant", "NeedsConfirmation", "StepPreview", "UndoReport"]


class StepPreview(BaseModel):
    """What a step would do, without doing it (``--dry-run``)."""

    index: int
    action: str
    effect: str
    args: dict[str, Any]
    description: str
    sources: dict[str, str] = Field(default_factory=dict)


class NeedsConfirmation(Exception):
    """`Assistant.run` was asked to run a plan that needs confirmation, without it."""

    def __init__(self, confirmation: Confirmation) -> None:
        super().__init__("; ".join(confirmation.reasons))
        self.confirmation = confirmation


class Assistant:
    """One lam session for a program. Use as a context manager (it closes plugins)."""

    def __init__(self, home: str | None = None, *, now: datetime | None = None,
                 tz: str | None = None, plugins: bool = True,
                 extras: dict[str, Any] | None = None, runtime: Runtime | None = None) -> None:
        self.runtime = runtime or Runtime(RuntimeOptions(home=home, plugins=plugins, now=now,
                                                         tz=tz, extras=extras or {}))
        self.session = Session(self.runtime)

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: tuple[type[BaseException], BaseException, TracebackType]) -> None:
        self.close()

    def close(self) -> None:
        self.runtime.close()

    def plan(self, request: str) -> Proposal:
        return self.session.propose(request)

    def verify(self, plan: Plan) -> list[Violation]:
        self.session.refresh_background()
        return self.session.verifier.verify(plan, self.session.table.as_mapping(),
                                            self.runtime.now())

    def confirmation(self, proposal: Proposal) -> Confirmation:
        return self.session.confirmation(proposal)

    def dry_run(self, proposal: Proposal) -> list[StepPreview]:
        previews = []
        for i, step in enumerate(proposal.plan.steps):
            spec = self.runtime.registry.get(step.action)
            shown = {k: (f"<output of step {v['$step'] + 1}>" if is_step_ref(v) else v)
                     for k, v in step.args.items()}
            args = ", ".join(f"{k}={v!r}" for k, v in shown.items())
            previews.append(StepPreview(
                index=i, action=step.action, effect=spec.effect.value if spec else "unknown",
                args=step.args,
                description=f"would {spec.description[0].lower() + spec.description[1:]} "
                            f"({args})".replace("..", ".") if spec else "unknown action",
                sources={k: v.describe() for k, v in step.sources.items()}))
        return previews

    def run(self, proposal: Proposal, *, confirmed: bool = False) -> RunReport:
        """Run a proposal. Raises `NeedsConfirmation` when it needs it and ``confirmed`` is
        False; raises ValueError when the verifier blocked it."""
        if blocking(proposal.violations):
            raise ValueError("; ".join(str(v) for v in blocking(proposal.violations)))
        confirmation = self.session.confirmation(proposal)
        if confirmation.needed and not confirmed:
            raise NeedsConfirmation(confirmation)
        return self.session.run(proposal)

    def run_plan(self, plan: Plan, *, confirmed: bool = False) -> RunReport:
        """Verify and run an explicit plan (an automation's stored steps)."""
        return self.run(Proposal(plan=plan, violations=self.verify(plan)), confirmed=confirmed)

    def undo(self, plan_id: int | None = None) -> UndoReport:
        """Undo journal entry ``plan_id`` (default: the latest plan with something left to
        undo); `UndoReport.undid` says which plan that was."""
        return self.session.undo(plan_id)
