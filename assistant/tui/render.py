"""Rich renderings of proposals, reports, context and journal for the TUI widgets. Pure
functions (no Textual import) so that the wording is shared and easy to test."""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.text import Text

from actions.entities import Entity, Scope
from actions.plan import PlanKind, Step, is_step_ref, nested_steps
from assistant.execute import RunReport, StepOutcome, StepStatus
from assistant.journal import PlanRow, StepRow
from assistant.planner.cascade import Proposal
from assistant.registry import ActionRegistry
from assistant.session import Confirmation

__all__ = ["TIER_NAMES", "context_text", "journal_text", "plain", "plan_text", "report_text",
           "value_text"]

TIER_NAMES = {0: "sentence templates", 1: "default model", 2: "larger model"}
BADGE_STYLES = {"read": "black on green", "write": "black on cyan", "SEND": "bold white on red",
                "SCHEDULE": "bold black on yellow", "IRREVERSIBLE": "bold white on magenta"}
UNTRUSTED = "bold white on dark_red"


def plain(renderable: RenderableType, width: int = 200) -> str:
    """A renderable as plain text (tests, copying)."""
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(renderable)
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


def value_text(value: Any, entities: dict[str, Entity]) -> Text:
    """An argument value: step references and entity ids shown with what they stand for."""
    if is_step_ref(value):
        field = f".{value['field']}" if value.get("field") else ""
        return Text(f"<output of step {value['$step'] + 1}{field}>", style="italic")
    if isinstance(value, str) and value in entities:
        entity = entities[value]
        out = Text(entity.label or entity.id, style="bold")
        out.append(f" — {entity.type} {entity.id}", style="dim")
        return out
    if isinstance(value, dict) and isinstance(value.get("steps"), list):  # a plan, shown below
        return Text(f"<plan of {len(value['steps'])} step(s), below>", style="italic")
    when = _instant(value)
    if when is not None:  # a time as people read it, in the zone it was planned in
        offset = f"{when:%z}"
        return Text(f"{when:%a %d %b %Y %H:%M} ({offset[:3]}:{offset[3:]})", style="bold")
    return Text(value if isinstance(value, str) else repr(value), style="bold")


_ISO_INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?[+-]\d\d:\d\d$")


def _instant(value: Any) -> datetime | None:
    """``value`` as a time with its UTC offset, when it is one written in ISO 8601."""
    if not isinstance(value, str) or not _ISO_INSTANT.match(value):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def _step_text(i: int, step: Step, registry: ActionRegistry,
               entities: dict[str, Entity], number: str = "", indent: str = "") -> Text:
    """One step with its arguments and where each came from; a plan it carries (to run
    later, unasked) is shown step by step below it."""
    spec = registry.get(step.action)
    badge = spec.effect.badge if spec else "?"
    number = number or f"{i + 1}."
    line = Text(f"{indent}{number} ")
    line.append(step.action, style="bold")
    line.append(" ")
    line.append(f" {badge} ", style=BADGE_STYLES.get(badge, "reverse"))
    for name, value in step.args.items():
        line.append(f"\n{indent}     {name} = ")
        line.append_text(value_text(value, entities))
        src = step.sources.get(name)
        entity = entities.get(value) if isinstance(value, str) else None
        untrusted = (src is not None and not src.provenance.trusted) or (
            entity is not None and not entity.provenance.trusted)
        if src is not None:
            line.append(f"\n{indent}       ↳ {src.describe()}",
                        style="dim" if not untrusted else "")
        if untrusted:
            origin = (src.provenance.source if src is not None and not src.provenance.trusted
                      else entity.provenance.source if entity is not None else "")
            line.append(f"\n{indent}       ")
            line.append(f" ⚠ untrusted: from {origin} ", style=UNTRUSTED)
    for k, inner in enumerate(nested_steps(step), 1):
        line.append("\n")
        line.append_text(_step_text(k - 1, inner, registry, entities, f"{number}{k}",
                                    indent + "       "))
    return line


def plan_text(proposal: Proposal, registry: ActionRegistry, entities: dict[str, Entity],
              confirmation: Confirmation | None = None, *,
              awaiting: bool = True) -> RenderableType:
    """The plan pane: steps with badges, arguments and where each value came from.
    ``awaiting=False``: the plan is running or ran (no keys to press)."""
    plan = proposal.plan
    tier = TIER_NAMES.get(plan.tier, "stored") if plan.tier is not None else "edited"
    parts: list[RenderableType] = []
    if plan.kind is PlanKind.QUESTION:
        parts.append(Text(f"? {plan.question}", style="bold yellow"))
        if not plan.options:
            parts.append(Text("Type the answer below (esc: drop the request).", style="dim"))
    elif plan.kind in (PlanKind.ANSWER, PlanKind.NO_ACTION):
        parts.append(Text(plan.answer or "No action fits this request.", style="italic"))
    else:
        parts.append(Text(f"Plan for “{plan.request}” (planned by {tier})", style="bold"))
        parts += [_step_text(i, s, registry, entities) for i, s in enumerate(plan.steps)]
    for v in proposal.violations:
        parts.append(Text(f"! {v}", style="bold red" if v in proposal.blocked else "yellow"))
    if plan.escalations:
        parts.append(Text("escalations: " + " | ".join(plan.escalations), style="dim"))
    if plan.kind is PlanKind.ACTIONS and not awaiting and not proposal.blocked:
        parts.append(Text("▶ run — the outcome is in the conversation", style="bold green"))
    elif plan.kind is PlanKind.ACTIONS:
        if proposal.blocked:
            parts.append(Text("The verifier rejected this plan: nothing will run. "
                              "(e: edit an argument, n: drop it)", style="bold red"))
        elif confirmation is not None and confirmation.needed:
            parts.append(Text("Needs your confirmation: " + "; ".join(confirmation.reasons),
                              style="bold yellow"))
            parts.append(Text("y: run   e: edit an argument   n: reject", style="bold"))
        else:
            parts.append(Text("y: run   e: edit an argument   n: reject", style="bold"))
    return Group(*parts)


def report_text(report: RunReport) -> Text:
    """A run report, one line per step."""
    out = Text()
    for k, s in enumerate(report.steps):
        if k:
            out.append("\n")
        out.append_text(step_text(s, s.index + 1))
    return out


def step_text(s: StepOutcome, number: int) -> Text:
    """One step's outcome, numbered ``number``."""
    msg = (s.result.message if s.result else "") or ", ".join(s.problems)
    ok = s.status in (StepStatus.OK, StepStatus.ALREADY_DONE)
    out = Text()
    out.append("✓ " if ok else "✗ ", style="green" if ok else "bold red")
    out.append(f"{number}. {s.action}: {s.status.value}")
    if msg:
        out.append(f" — {msg}")
    return out


SCOPE_TITLES = {Scope.SCREEN: "On screen", Scope.CONVERSATION: "In the conversation",
                Scope.BACKGROUND: "In the background"}


def context_text(entities: list[Entity]) -> Text:
    """What lam sees, grouped by scope, each with the id a request may use."""
    out = Text()
    if not entities:
        return Text("Nothing yet: open a page, list emails or schedule something.",
                    style="dim")
    for scope in (Scope.SCREEN, Scope.CONVERSATION, Scope.BACKGROUND):
        group = [e for e in entities if e.scope is scope]
        if scope is Scope.SCREEN:
            group.sort(key=lambda e: (e.type, e.ordinal or 0))
        if not group:
            continue
        if out:
            out.append("\n")
        out.append(SCOPE_TITLES[scope], style="bold underline")
        for e in group:
            out.append("\n ")
            if e.ordinal is not None:
                out.append(f"#{e.ordinal} ", style="bold cyan")
            out.append(e.label or e.id)
            out.append(f"  {e.type} ", style="dim")
            out.append(e.id, style="cyan")
            if not e.provenance.trusted:
                out.append(" untrusted ", style=UNTRUSTED)
    return out


def journal_text(rows: list[tuple[PlanRow, list[StepRow]]]) -> Text:
    """Recent plans (newest first) with their steps and states."""
    if not rows:
        return Text("Nothing has run yet.", style="dim")
    out = Text()
    for k, (plan, steps) in enumerate(rows):
        if k:
            out.append("\n")
        style = {"done": "green", "failed": "red", "undone": "yellow"}.get(plan.status, "")
        out.append(f"#{plan.id} ", style="bold")
        out.append(plan.status, style=style)
        out.append(f" [{plan.origin}] {plan.request}")
        for s in steps:
            msg = s.result.message if s.result else ""
            out.append(f"\n   {s.idx + 1}. {s.action} ({s.effect}) {s.state}"
                       + (f" — {msg}" if msg else ""), style="dim")
    return out
