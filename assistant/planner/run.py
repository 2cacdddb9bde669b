"""One request on its way through the cascade: what every stage reads (the request, the entity
table, the clock) and what the stages before it found (tier 0's steps, why the request is
actionable, the references resolved), with the escalation notes kept so far. A stage returns
a `Proposal` to end planning, or None to hand the request on."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field

from actions.plan import Plan, PlanKind, Step
from actions.spec import ActionSpec
from actions.violations import Violation
from assistant.context import EntityTable
from assistant.planner.slots import Clarification, SlotFiller
from assistant.resolve import Mention
from assistant.verify import blocking

__all__ = ["PlanningRun", "Proposal", "Tier0Miss"]


class Proposal(BaseModel):
    """A plan with what the verifier said about it, ready to confirm or explain."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    plan: Plan
    violations: list[Violation] = Field(default_factory=list)
    seconds: float = 0.0
    pending_steps: list[Step] = Field(default_factory=list)
    """For a question: the steps as proposed, before the slot that raised it was filled."""
    question_step: int | None = None
    question_param: str | None = None
    candidate_ids: list[str] = Field(default_factory=list)
    question_span: tuple[int, int] | None = None
    """For a question about a reference in the request ("her"): its span, which the answer
    (one of the candidates) replaces before the request is planned again."""

    @property
    def blocked(self) -> list[Violation]:
        return blocking(self.violations)

    @property
    def runnable(self) -> bool:
        return self.plan.kind is PlanKind.ACTIONS and bool(self.plan.steps) and not self.blocked


@dataclass
class Tier0Miss:
    """What tier 0 read and could not use: a template whose slot names nothing usable, or
    one clause of "X and Y" that a template reads while nothing reads the other."""

    template: str = ""
    action: str = ""
    steps: list[Step] = field(default_factory=list)
    question: Clarification | None = None
    done_part: str = ""
    left_part: str = ""
    done_action: str = ""


@dataclass
class PlanningRun:
    request: str
    table: EntityTable
    now: datetime
    tz: ZoneInfo
    specs: dict[str, ActionSpec]
    on_tier: Callable[[int], None] | None = None
    miss: Tier0Miss = field(default_factory=Tier0Miss)
    deferrable: bool = True
    """Whether a time the request says may be when to act (False: planning the rest of a
    request whose time was already taken as that)."""
    escalations: list[str] = field(default_factory=list)
    started: float = field(default_factory=time.perf_counter)
    steps: list[Step] | None = None
    """Tier 0's steps as a template read them (None: no template matched or it fell
    through)."""
    actionable: str | None = None
    """What in the request an action could act on (None: nothing; read by the gate)."""
    mentions: list[tuple[Mention, str]] = field(default_factory=list)
    """The references in the request that resolved, with their entity ids."""
    absent_type: str = ""
    """The kind of thing tier 1 asked about when none is in scope (e.g. "job")."""
    filler: SlotFiller = field(init=False)

    def __post_init__(self) -> None:
        self.filler = SlotFiller(table=self.table, now=self.now, tz=self.tz,
                                 request=self.request)

    def note(self, text: str) -> None:
        """Record why planning went past a point (shown as the plan's escalations)."""
        self.escalations.append(text)

    def finish(self, plan: Plan, violations: list[Violation]) -> Proposal:
        """The proposal that ends planning, with the notes and the time taken."""
        plan.escalations = self.escalations
        return Proposal(plan=plan, violations=violations,
                        seconds=time.perf_counter() - self.started)

    def ask(self, c: Clarification, tier: int, steps: list[Step]) -> Proposal:
        """A question back about one slot of ``steps``; the answer fills it."""
        proposal = self.finish(Plan.ask(self.request, c.question, c.options, tier=tier), [])
        proposal.pending_steps = steps
        proposal.question_step = c.step
        proposal.question_param = c.param
        proposal.candidate_ids = c.candidate_ids
        return proposal
