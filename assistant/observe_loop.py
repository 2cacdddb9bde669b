"""Web work on the page that actually exists: ground a request on the open page, run the steps
up to the first one that changes the page, read the page again and ground the rest (a bounded
loop; every step verified and run by the executor, its postconditions checked).

Confirmation is asked once per task, by effect class: the effect classes of every clause,
those still to be grounded included, are in the one question. A later round whose steps need an
effect class that was not confirmed stops instead of running."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import Field

from actions.plan import Plan
from actions.spec import Effect
from actions.violations import Violation, ViolationReason
from assistant.execute import RunReport, StepOutcome, StepStatus
from assistant.page_grounding import Clause, Grounding, ground, named_count, read_clauses
from assistant.planner.cascade import Proposal
from assistant.planner.form_fill import read_form
from assistant.verify import blocking

if TYPE_CHECKING:
    from assistant.session import Session

__all__ = ["PageProposal", "clause_effects", "continue_on_page", "propose_on_page"]

MAX_ROUNDS = 8
"""At most this many page reads after the first plan of one request."""
BUDGET_S = 60.0
"""At most this long for the rounds after the first."""
MAX_NAMED_STEPS = 50
"""The most steps one grounded plan may have however long the user's list (the ceiling the
configuration allows for ``max_steps``)."""
SETTLE_S = 1.5
"""How long a round waits for an element that a page change is still bringing in."""

_ACTION_OF = {"click": "click", "expand": "click", "close": "click", "submit": "submit_form",
              "enter": "fill_field", "focus": "focus_field", "select": "set_checkbox",
              "check": "set_checkbox", "uncheck": "set_checkbox", "copy": "read_page",
              "scroll": "scroll"}


class PageProposal(Proposal):
    """A plan grounded on the open page, and the clauses left for the page it leads to."""

    rest: list[Any] = Field(default_factory=list)
    """`Clause` objects still to be grounded, in order."""
    effects: list[str] = Field(default_factory=list)
    """The effect classes of every clause (what the one confirmation covers)."""


def _on_page(session: Session) -> bool:
    return any(e.type == "page" for e in session.table.all())


def clause_effects(session: Session, clauses: list[Clause]) -> list[Effect]:
    """The effect class each clause will have (by the action its kind becomes)."""
    out: list[Effect] = []
    for c in clauses:
        spec = session.runtime.registry.get(_ACTION_OF.get(c.kind, "click"))
        if spec is not None and spec.effect not in out:
            out.append(spec.effect)
    return out


def propose_on_page(session: Session, request: str) -> Proposal | None:
    """A plan for a request about the open page, a question, or None: the planner's turn
    when it is not such a request, when no live page was read (entities published earlier,
    e.g. a page summary, have no elements to ground on), or when nothing on the page fits the
    user's words (the page does not settle it; the templates and the planner may). A choice
    among elements that do fit is asked here, never left to a guess."""
    clauses = read_clauses(request)
    if clauses is None or not session.screen_live or not _on_page(session):
        return None
    if read_form(request, session.table) is not None:
        return None  # a form filled part by part: the planner's form stage pairs each part
    started = time.perf_counter()
    grounding = ground(clauses, session.table)
    if grounding.unsettled:
        return None
    if grounding.question is not None:
        plan = Plan.ask(request, grounding.question, grounding.options, tier=0)
        plan.escalations = ["page: asked instead of guessing an element"]
        return Proposal(plan=plan, seconds=time.perf_counter() - started)
    plan = Plan(request=request, steps=grounding.steps, tier=0, confidence=1.0,
                escalations=_notes(grounding))
    violations = _verify(session, plan, clauses)
    return PageProposal(plan=plan, violations=violations, rest=grounding.rest,
                        effects=[e.value for e in clause_effects(session, clauses)],
                        seconds=time.perf_counter() - started)


def _verify(session: Session, plan: Plan, clauses: list[Clause]) -> list[Violation]:
    """The verifier's findings on a grounded plan. Its step bound (``max_steps``) guards
    against a planner's runaway plan; a grounded plan may instead be as long as the list of
    things the user named (each of its steps acts on one of them), never longer, and never
    past the configuration's ceiling for ``max_steps``."""
    found = session.verifier.verify(plan, session.table.as_mapping(), session.runtime.now())
    named = min(named_count(clauses), MAX_NAMED_STEPS)
    if len(plan.steps) <= named:
        found = [v for v in found if v.reason is not ViolationReason.TOO_MANY_STEPS]
    return found


def _notes(grounding: Grounding) -> list[str]:
    notes = ["page: grounded on the open page's elements"]
    if grounding.rest:
        notes.append("then, on the page as it will be: " +
                     "; ".join(repr(c.text) for c in grounding.rest))
    return notes


def later_reasons(session: Session, proposal: Proposal) -> list[str]:
    """Confirmation reasons for the clauses still to be grounded."""
    if not isinstance(proposal, PageProposal) or not proposal.rest:
        return []
    policy = session.runtime.config.confirm
    return [f"then {c.text!r} is {effect.value}" for c in proposal.rest
            for effect in clause_effects(session, [c]) if policy.asks(effect)]


def continue_on_page(session: Session, proposal: Proposal, report: RunReport,
                     run: Callable[[Plan], RunReport],
                     on_note: Callable[[str], None] | None = None) -> RunReport:
    """After the first round ran: read the page, ground the rest, run it; repeat (bounded).
    ``on_note`` is told when the page is read again, and for what (a UI shows it)."""
    if not isinstance(proposal, PageProposal):
        return report
    rest: list[Clause] = list(proposal.rest)
    confirmed = {Effect(e) for e in proposal.effects}
    deadline = time.monotonic() + BUDGET_S
    rounds = 0
    while rest and report.ok:
        offset = len(report.steps)
        if rounds >= MAX_ROUNDS or time.monotonic() > deadline:
            return _stop(report, offset, rest, "stopped: the step or time bound of one task "
                                               "was reached")
        rounds += 1
        if on_note is not None:
            on_note(f"reading the page again for {'; '.join(repr(c.text) for c in rest)}")
        grounding = _observe(session, rest)
        if grounding.question is not None or not grounding.steps:
            return _stop(report, offset, rest, grounding.question or "nothing to do")
        plan = Plan(request=proposal.plan.request, steps=grounding.steps, tier=0)
        for step in plan.steps:
            spec = session.runtime.registry.get(step.action)
            if spec is not None and spec.effect not in confirmed and \
                    session.runtime.config.confirm.asks(spec.effect):
                return _stop(report, offset, rest, f"{step.action} is {spec.effect.value}, "
                                                   "which was not confirmed")
        violations = blocking(_verify(session, plan, rest))
        if violations:
            return _stop(report, offset, rest, "; ".join(str(v) for v in violations))
        more = run(plan)
        for outcome in more.steps:
            report.steps.append(outcome.model_copy(update={"index": offset + outcome.index}))
        report.ok = more.ok
        rest = grounding.rest
    return report


def _observe(session: Session, rest: list[Clause]) -> Grounding:
    """Read the page and ground ``rest`` on it; an element not there yet is waited for a
    moment (a page change may still be bringing it in)."""
    until = time.monotonic() + SETTLE_S
    while True:
        session.refresh_screen()
        grounding = ground(rest, session.table)
        if grounding.steps or time.monotonic() > until:
            return grounding
        time.sleep(0.15)


def _stop(report: RunReport, offset: int, rest: list[Clause], why: str) -> RunReport:
    report.steps.append(StepOutcome(index=offset, action=f"({rest[0].text})",
                                    status=StepStatus.NOT_RUN, problems=[why]))
    report.ok = False
    return report
