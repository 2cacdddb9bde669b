"""Tiers 1 and 2: a local model proposes steps, constrained by a schema built from the live
registry and the entity ids in scope. Its output is only ever a proposal."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from actions.entities import Entity, Provenance
from actions.plan import Plan, PlanKind, Step, ValueSource
from actions.spec import ActionSpec
from assistant.planner.prompt import from_wire, plan_schema, request_message, system_prompt
from assistant.resolve import Mention

__all__ = ["ModelProposal", "ModelTier", "PlannerModel"]


class PlannerModel(Protocol):
    """What the planner needs from a model backend (see `assistant.models_glue`)."""

    def plan_json(self, system: str, user: str, schema: dict[str, Any],
                  max_tokens: int) -> tuple[str, float | None]:
        """Return the generated JSON text and a confidence (mean token probability, 0..1)."""
        ...


@dataclass
class ModelProposal:
    plan: Plan
    raw: str
    confidence: float | None


class ModelTier:
    def __init__(self, model: PlannerModel, specs: list[ActionSpec], *, tier: int,
                 max_steps: int) -> None:
        self.model = model
        self.specs = specs
        self.tier = tier
        self.max_steps = max_steps
        self._system = system_prompt(specs)

    def propose(self, request: str, entities: list[Entity],
                mentions: list[tuple[Mention, str]], feedback: list[str] | None = None,
                *, show_urls: bool = False, only: str | None = None,
                among: list[str] | None = None) -> ModelProposal:
        """``only``: restrict the output to one action, with entity ids in scope (a repair);
        ``among``: to these actions (a re-plan after a doubt)."""
        ids_by_type: dict[str, list[str]] = {}
        for e in entities:
            ids_by_type.setdefault(e.type, []).append(e.id)
        for e in entities:  # person-typed slots accept contacts
            if e.type == "contact":
                ids_by_type.setdefault("person", []).append(e.id)
        specs = [s for s in self.specs if s.name == only] if only else self.specs
        if among:
            specs = [s for s in specs if s.name in among]
        schema = plan_schema(specs, ids_by_type, 1 if only else self.max_steps,
                             ids_only=only is not None, steps_only=bool(among))
        user = request_message(request, entities, mentions, show_urls=show_urls,
                               specs=self.specs)
        if feedback:
            user += "\nYour previous plan was rejected: " + "; ".join(feedback) + \
                    "\nReturn a corrected plan."
        text, confidence = self.model.plan_json(self._system, user, schema, max_tokens=320)
        return ModelProposal(plan=self._parse(request, text, confidence), raw=text,
                             confidence=confidence)

    def _parse(self, request: str, text: str, confidence: float | None) -> Plan:
        try:
            data = from_wire(text)
        except ValueError:
            return Plan(request=request, kind=PlanKind.ANSWER, tier=self.tier,
                        answer="I could not make a plan for that.", confidence=confidence)
        steps = []
        for raw in data.get("steps", []) or []:
            args = raw.get("args", {}) or {}
            sources = {k: ValueSource(kind="model", text=v if isinstance(v, str) else None,
                                      provenance=Provenance(trusted=True, source="model"))
                       for k, v in args.items()}
            steps.append(Step(action=str(raw.get("action", "")), args=args, sources=sources))
        if not steps:
            reply = str(data.get("reply") or "I have no action for that.")
            kind = PlanKind.QUESTION if reply.rstrip().endswith("?") else PlanKind.NO_ACTION
            return Plan(request=request, kind=kind, tier=self.tier, answer=reply,
                        question=reply if kind is PlanKind.QUESTION else None,
                        confidence=confidence)
        return Plan(request=request, steps=steps, tier=self.tier, confidence=confidence)
