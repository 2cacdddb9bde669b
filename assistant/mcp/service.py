"""What `lam mcp serve` offers, without the protocol: the tool list (lam's actions with their
schemas and effect-class annotations, plus ``plan`` and ``run_plan``) and the synchronous work
behind each call. Every call goes through the verifier, the confirmation policy and the
journal, exactly as `lam do` does."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field, ValidationError

from actions.effects import Effect
from actions.plan import Plan, Step
from actions.spec import ActionSpec
from assistant.api import Assistant
from assistant.planner.cascade import Proposal
from assistant.render import proposal_json, report_json, report_text
from assistant.runtime import Runtime
from assistant.session import Confirmation

__all__ = ["PLAN_TOOL", "RUN_PLAN_TOOL", "Outcome", "Prepared", "Service", "ToolInfo",
           "annotations_of", "refusal"]

PLAN_TOOL = "plan"
RUN_PLAN_TOOL = "run_plan"


class ToolInfo(BaseModel):
    """One tool as offered to MCP clients."""

    name: str
    description: str
    input_schema: dict[str, Any]
    annotations: dict[str, bool]


class Outcome(BaseModel):
    """The answer to one call: text for people, structured data for programs."""

    ok: bool
    text: str
    data: dict[str, Any] = Field(default_factory=dict)


class Prepared(BaseModel):
    """A verified proposal that is runnable, and what it needs confirmed."""

    model_config = {"arbitrary_types_allowed": True}

    proposal: Proposal
    confirmation: Confirmation


def annotations_of(effect: Effect) -> dict[str, bool]:
    """MCP tool annotations from an effect class."""
    return {
        "readOnlyHint": effect is Effect.READ_ONLY,
        "destructiveHint": effect is Effect.IRREVERSIBLE,
        "idempotentHint": effect is Effect.READ_ONLY,
        "openWorldHint": effect in (Effect.EXTERNAL_SEND, Effect.IRREVERSIBLE),
    }


_STEPS_SCHEMA: dict[str, Any] = {
    "type": "array", "minItems": 1,
    "items": {"type": "object", "required": ["action"],
              "properties": {"action": {"type": "string"}, "args": {"type": "object"}}},
    "description": "The steps to run, as the plan tool returns them in plan.steps.",
}


class Service:
    """lam behind MCP. Not thread-safe: the server calls it from one worker thread."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.assistant = Assistant(runtime=runtime)

    def close(self) -> None:
        self.assistant.close()

    # -- tools -----------------------------------------------------------------------------
    def tools(self) -> list[ToolInfo]:
        out = [
            ToolInfo(name=PLAN_TOOL,
                     description="Plan a request in words with lam (templates, then the local "
                                 "model) and verify the plan. Nothing runs. Returns the plan, "
                                 "the verifier's violations and what needs confirmation.",
                     input_schema={"type": "object", "required": ["request"],
                                   "properties": {"request": {"type": "string"}}},
                     annotations={"readOnlyHint": True, "destructiveHint": False,
                                  "idempotentHint": True, "openWorldHint": False}),
            ToolInfo(name=RUN_PLAN_TOOL,
                     description="Verify and run a plan: the steps the plan tool returned, or "
                                 "a request in words. Steps that send or schedule are run only "
                                 "when the client confirms (elicitation); every step is "
                                 "journaled.",
                     input_schema={"type": "object",
                                   "properties": {"steps": _STEPS_SCHEMA,
                                                  "request": {"type": "string"}}},
                     annotations={"readOnlyHint": False, "destructiveHint": True,
                                  "idempotentHint": False, "openWorldHint": True}),
        ]
        taken = {PLAN_TOOL, RUN_PLAN_TOOL}
        for spec in self.runtime.registry:
            if spec.name not in taken:
                out.append(self._tool_of(spec))
        return out

    @staticmethod
    def _tool_of(spec: ActionSpec) -> ToolInfo:
        description = f"{spec.description} (lam action of plugin {spec.plugin}; effect: " \
                      f"{spec.effect.value})"
        return ToolInfo(name=spec.name, description=description,
                        input_schema=spec.parameters_schema(),
                        annotations=annotations_of(spec.effect))

    # -- calls -----------------------------------------------------------------------------
    def plan(self, request: str) -> Outcome:
        proposal = self.assistant.plan(request)
        confirmation = self.assistant.confirmation(proposal)
        data = proposal_json(proposal, confirmation)
        return Outcome(ok=proposal.runnable or proposal.plan.kind.value != "actions",
                       text=_plan_text(proposal, confirmation), data=data)

    def prepare(self, name: str, arguments: dict[str, Any]) -> Prepared | Outcome:
        """Turn a call of ``run_plan`` or of an action into a verified, runnable proposal
        (or an `Outcome` saying why not; nothing has run)."""
        if name == RUN_PLAN_TOOL:
            steps = arguments.get("steps")
            request = str(arguments.get("request") or "")
            if steps:
                try:
                    plan = Plan(request=request or "run_plan",
                                steps=[Step.model_validate(s) for s in steps])
                except ValidationError as exc:
                    return Outcome(ok=False, text=f"refused: bad steps: {exc.errors()[0]['msg']}")
                proposal = Proposal(plan=plan, violations=self.assistant.verify(plan))
            elif request:
                proposal = self.assistant.plan(request)
            else:
                return Outcome(ok=False, text="refused: give steps (from the plan tool) or a "
                                              "request; nothing ran")
        elif name in self.runtime.registry:
            plan = Plan(request=f"MCP call of {name}", steps=[Step(action=name,
                                                                   args=arguments)])
            proposal = Proposal(plan=plan, violations=self.assistant.verify(plan))
        else:
            return Outcome(ok=False, text=f"unknown tool '{name}'")
        if proposal.plan.kind.value != "actions":
            return Outcome(ok=False, text=_plan_text(proposal, None),
                           data=proposal_json(proposal))
        if not proposal.runnable:
            problems = "; ".join(str(v) for v in proposal.blocked) or "no steps"
            return Outcome(ok=False, text=f"refused by the verifier: {problems}; nothing ran",
                           data=proposal_json(proposal))
        return Prepared(proposal=proposal,
                        confirmation=self.assistant.confirmation(proposal))

    def run(self, prepared: Prepared) -> Outcome:
        """Run a prepared proposal the client confirmed (or that needs no confirmation)."""
        report = self.assistant.session.run(prepared.proposal, origin="mcp")
        return Outcome(ok=report.ok, text=report_text(report), data=report_json(report))


def refusal(confirmation: Confirmation, why: str) -> Outcome:
    """The answer when a plan needs confirmation the client did not give; names each step."""
    return Outcome(ok=False, text=f"refused: {'; '.join(confirmation.reasons)} — {why}; "
                                  "nothing ran",
                   data={"refused": confirmation.reasons})


def _plan_text(proposal: Proposal, confirmation: Confirmation | None) -> str:
    plan = proposal.plan
    if plan.kind.value == "question":
        return f"question: {plan.question}" + (
            f" (options: {', '.join(plan.options)})" if plan.options else "")
    if plan.kind.value != "actions":
        return plan.answer or "no action fits this request"
    lines = [f"{i + 1}. {s.action}({s.args})" for i, s in enumerate(plan.steps)]
    lines += [f"blocked: {v}" for v in proposal.blocked]
    if confirmation is not None and confirmation.needed:
        lines.append("needs confirmation: " + "; ".join(confirmation.reasons))
    return "\n".join(lines)
