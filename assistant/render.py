"""Plain-text and JSON renderings of proposals and run reports (CLI; the TUI has its own
widgets but uses the same wording)."""

from __future__ import annotations

from typing import Any

from actions.plan import PlanKind, Step, is_step_ref, nested_steps
from assistant.execute import RunReport
from assistant.planner.cascade import Proposal
from assistant.registry import ActionRegistry
from assistant.session import Confirmation

__all__ = ["proposal_json", "proposal_text", "report_json", "report_text"]


def _arg_text(value: Any) -> str:
    if is_step_ref(value):
        return f"<output of step {value['$step'] + 1}>"
    if isinstance(value, dict) and isinstance(value.get("steps"), list):  # a nested plan
        actions = [str(s.get("action", "?")) for s in value["steps"] if isinstance(s, dict)]
        return f"<plan of {len(actions)} step(s): {', '.join(actions)}>"
    return repr(value) if not isinstance(value, str) else value


def _step_lines(number: str, step: Step, registry: ActionRegistry, indent: str) -> list[str]:
    """One step with its arguments and their sources; a plan it carries (to run later) is
    shown step by step below it, since nobody is asked again when it runs."""
    spec = registry.get(step.action)
    badge = spec.effect.badge if spec else "?"
    lines = [f"{indent}{number} {step.action} [{badge}]"]
    for name, value in step.args.items():
        src = step.sources.get(name)
        where = f"   ({src.describe()})" if src else ""
        lines.append(f"{indent}     {name} = {_arg_text(value)}{where}")
    for k, inner in enumerate(nested_steps(step), 1):
        lines += _step_lines(f"{number}{k}", inner, registry, indent + "       ")
    return lines


def proposal_text(p: Proposal, registry: ActionRegistry,
                  confirmation: Confirmation | None = None, header: str | None = None) -> str:
    """The proposal as text; ``header`` replaces how the plan was made ("replayed, no
    model") in its first line."""
    plan = p.plan
    tier = {0: "template", 1: "default model", 2: "larger model"}.get(plan.tier or 0, "stored")
    lines = []
    if plan.kind is PlanKind.QUESTION:
        lines.append(f"? {plan.question}")
        lines += [f"  {i}. {o}" for i, o in enumerate(plan.options, 1)]
    elif plan.kind in (PlanKind.ANSWER, PlanKind.NO_ACTION):
        lines.append(plan.answer or "no action fits this request")
    else:
        lines.append(f"plan ({header}):" if header else f"plan ({tier}, {p.seconds:.2f}s):")
        for i, step in enumerate(plan.steps):
            lines += _step_lines(f"{i + 1}.", step, registry, "  ")
    for v in p.violations:
        lines.append(f"  ! {v}")
    if plan.escalations:
        lines.append("  escalations: " + " | ".join(plan.escalations))
    if confirmation and confirmation.needed:
        lines.append("  needs confirmation: " + "; ".join(confirmation.reasons))
    return "\n".join(lines)


def proposal_json(p: Proposal, confirmation: Confirmation | None = None) -> dict[str, Any]:
    return {
        "plan": p.plan.model_dump(mode="json"),
        "violations": [v.model_dump(mode="json") for v in p.violations],
        "runnable": p.runnable,
        "seconds": round(p.seconds, 3),
        "confirmation": confirmation.model_dump(mode="json") if confirmation else None,
    }


def report_text(report: RunReport) -> str:
    """One line per step (``1. action: status — message``). A message of several lines (a
    listing such as `list_jobs`'s table) goes below its step, indented, so that its lines never
    read as further steps."""
    lines = []
    for s in report.steps:
        head = f"{s.index + 1}. {s.action}: {s.status.value}"
        message = (s.result.message if s.result else "") or ", ".join(s.problems)
        body = message.splitlines()
        if len(body) > 1:
            lines.append(head)
            lines += [f"   {line}" if line else "" for line in body]
        else:
            lines.append(head + (f" — {message}" if message else ""))
    return "\n".join(lines)


def report_json(report: RunReport) -> dict[str, Any]:
    return report.model_dump(mode="json")
