"""Plans, steps, step references and results: what the planner proposes and the executor runs."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from actions.entities import Entity, Provenance

__all__ = [
    "ACTION_SOURCE",
    "MODEL_WORDING",
    "ActionResult",
    "Plan",
    "PlanKind",
    "Step",
    "StepRef",
    "ValueSource",
    "is_step_ref",
    "nested_steps",
]


class StepRef(BaseModel):
    """A reference to an earlier step's output, written in arguments as
    ``{"$step": 0, "field": "url"}`` (0-based step index; field of ``ActionResult.output``)."""

    step: int = Field(ge=0)
    field: str | None = None

    def to_arg(self) -> dict[str, Any]:
        return {"$step": self.step, "field": self.field}


def is_step_ref(value: Any) -> bool:
    return isinstance(value, dict) and "$step" in value


ACTION_SOURCE = "$action"
"""The key of `Step.sources` that records what chose the step's action (not an argument)."""


MODEL_WORDING = Provenance(trusted=False, source="the model's wording, not in your request")
"""The provenance of words a model wrote that are neither in the request nor in any content:
nobody said them."""


class ValueSource(BaseModel):
    """Where one argument's value came from, shown to the user before confirming. Under
    `ACTION_SOURCE`, what chose the step's action: the user's words (``user_text``), a sentence
    template (``template``), untrusted content (``entity``, with its provenance) or the model
    reading the request (``model``)."""

    kind: str = "user_text"
    """``user_text`` | ``entity`` | ``step_output`` | ``default`` | ``model`` | ``normalized``
    | ``template``. ``model`` with an untrusted provenance: the model's own words, which
    nobody said."""
    text: str | None = None
    """The words of the request it came from ("her", "tomorrow at 9")."""
    entity_id: str | None = None
    provenance: Provenance = Field(default_factory=Provenance.user)
    note: str = ""

    def describe(self) -> str:
        parts = []
        if self.note and self.text and self.note.startswith(f"'{self.text}'"):
            parts.append(f"from {self.note}")  # the note already says what the words meant
        else:
            if self.text:
                parts.append(f"from '{self.text}'")
            if self.entity_id:
                parts.append(f"= {self.entity_id}")
            if self.note:
                parts.append(self.note)
        if not self.provenance.trusted:
            parts.append(f"UNTRUSTED: {self.provenance.source}")
        return " ".join(parts) or self.kind


class Step(BaseModel):
    """One action call. ``args`` may hold literal values or step references."""

    action: str
    args: dict[str, Any] = Field(default_factory=dict)
    sources: dict[str, ValueSource] = Field(default_factory=dict)

    @property
    def action_source(self) -> ValueSource | None:
        """What chose this step's action (None: not recorded, e.g. a hand-written plan)."""
        return self.sources.get(ACTION_SOURCE)

    def refs(self) -> list[tuple[str, StepRef]]:
        return [(k, StepRef(step=v["$step"], field=v.get("field"))) for k, v in self.args.items()
                if is_step_ref(v)]


def nested_steps(step: Step) -> list[Step]:
    """The steps of a plan that ``step`` carries as an argument (a scheduled plan), in order;
    empty when it carries none."""
    out: list[Step] = []
    for value in step.args.values():
        if isinstance(value, dict) and isinstance(value.get("steps"), list):
            for raw in value["steps"]:
                try:
                    out.append(Step.model_validate(raw))
                except ValidationError:
                    continue  # not a step: the verifier says so
    return out


class PlanKind(StrEnum):
    ACTIONS = "actions"
    QUESTION = "question"
    ANSWER = "answer"
    NO_ACTION = "no_action"


class Plan(BaseModel):
    """A proposal: steps to run, or a question back, or a plain answer."""

    request: str = ""
    kind: PlanKind = PlanKind.ACTIONS
    steps: list[Step] = Field(default_factory=list)
    question: str | None = None
    options: list[str] = Field(default_factory=list)
    """Choices for a question (e.g. candidate entity labels)."""
    answer: str | None = None
    tier: int | None = None
    """0 = sentence template, 1 = default model, 2 = larger model, None = stored/explicit."""
    escalations: list[str] = Field(default_factory=list)
    """Why planning moved to a higher tier, in order."""
    confidence: float | None = None

    @classmethod
    def ask(cls, request: str, question: str, options: list[str] | None = None,
            tier: int | None = None) -> Plan:
        return cls(request=request, kind=PlanKind.QUESTION, question=question,
                   options=options or [], tier=tier)


class ActionResult(BaseModel):
    """What running one step produced. Failures are values: ``ok=False`` with ``error``."""

    ok: bool = True
    message: str = ""
    output: dict[str, Any] = Field(default_factory=dict)
    entities: list[Entity] = Field(default_factory=list)
    """Entities the step publishes (page links, listed emails, created jobs)."""
    error: str | None = None

    @classmethod
    def fail(cls, error: str, **output: Any) -> ActionResult:
        return cls(ok=False, error=error, message=error, output=output)
