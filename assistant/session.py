"""A `Session`: one conversation with lam. Holds the entity table and carries a request through
context -> resolve -> plan -> normalize -> verify -> confirm -> execute."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, Field

from actions.entities import Entity
from actions.plan import Plan, PlanKind, Step, ValueSource, nested_steps
from actions.violations import Violation
from assistant.context import EntityTable
from assistant.execute import Executor, RunReport, StepOutcome, StepStatus, step_diff
from assistant.planner.cascade import ModelFactory, Planner, Proposal
from assistant.planner.unavailable import UnavailablePlugins, failed_plugins
from assistant.retime import refresh_times
from assistant.runtime import Runtime
from assistant.undo import Undoer, UndoReport
from assistant.verify import Verifier, blocking

__all__ = ["EDITED", "Confirmation", "Session"]

EDITED = "(edited by you)"
"""The note on an argument the user edited before confirming."""


class Confirmation(BaseModel):
    """What the user is asked before a plan runs: one question for the whole plan."""

    needed: bool
    reasons: list[str] = Field(default_factory=list)


class Session:
    def __init__(self, runtime: Runtime, *, tier1: ModelFactory | None = None,
                 tier2: ModelFactory | None = None) -> None:
        self.runtime = runtime
        self.table = EntityTable()
        registry = runtime.registry
        url_policies = [policy for p in runtime.loaded.plugins.values()
                        if callable(policy := getattr(p, "url_allowed", None))]
        self.verifier = Verifier(registry, max_steps=runtime.config.lam.max_steps,
                                 url_policies=url_policies)
        if tier1 is None:
            tier1 = runtime.model_factory(1)
        if tier2 is None:
            tier2 = runtime.model_factory(2)
        self.planner = Planner(registry, self.verifier, tier1=tier1, tier2=tier2,
                               max_steps=runtime.config.lam.max_steps,
                               max_repairs=runtime.config.lam.max_repairs,
                               unavailable=_unavailable(runtime))
        self.executor = Executor(registry, runtime.journal, clock=runtime.now, tz=runtime.tz)
        self.pending: Proposal | None = None
        self.extra_background: list[Entity] = []
        """Background entities supplied by the embedding program (and golden cases)."""
        self.screen_live = False
        """Whether the last `refresh_screen` read a live page from a plugin (the page's own
        elements, each with its re-location recipe), not only entities published earlier."""
        self.interrupted = runtime.journal.reconcile()
        for row in self.interrupted:
            runtime.notify(f"step {row.idx + 1} ({row.action}) of plan {row.plan_id} was "
                           "interrupted by a crash; it was not run again — check its effect")
        runtime.set_plan_runner(self.run_stored)

    # -- context -------------------------------------------------------------------------------
    def refresh_background(self) -> None:
        entities: list[Entity] = list(self.extra_background)
        for plugin in self.runtime.loaded.plugins.values():
            try:
                entities.extend(plugin.background_entities())
            except Exception as exc:  # a plugin's failure is reported, never fatal
                self.runtime.notify(f"plugin {plugin.name}: background entities failed: {exc}")
        self.table.set_background(entities)

    def refresh_screen(self) -> None:
        """Read what plugins show now (the open page) into the table, before planning."""
        self.screen_live = False
        for plugin in self.runtime.loaded.plugins.values():
            read = getattr(plugin, "screen_entities", None)
            if not callable(read):
                continue
            try:
                entities = read()
            except Exception as exc:  # a plugin's failure is reported, never fatal
                self.runtime.notify(f"plugin {plugin.name}: reading the screen failed: {exc}")
                continue
            if entities:
                types = {t for spec in self.runtime.registry if spec.plugin == plugin.name
                         for t in spec.produces}
                self.table.replace_screen(entities, types)
                self.screen_live = True

    def mention(self, entity: Entity) -> None:
        """Put an entity into the conversation (e.g. the TUI's context pane or a test)."""
        self.table.publish([entity])
        self.table.touch(entity.id)

    # -- planning ------------------------------------------------------------------------------
    def propose(self, request: str, on_tier: Callable[[int], None] | None = None) -> Proposal:
        """Plan a request — or, when lam asked a question, take the answer."""
        request = request.strip()
        if self.pending is not None and self.pending.plan.kind is PlanKind.QUESTION:
            answered = self._answer(request)
            if answered is not None:
                return answered
        self.refresh_background()
        self.refresh_screen()
        self._note_user_mentions(request)
        from assistant.observe_loop import propose_on_page

        on_page = propose_on_page(self, request)  # a request about the open page
        if on_page is not None:
            self.pending = on_page
            return on_page
        proposal = self.planner.plan(request, self.table, self.runtime.now(), self.runtime.tz,
                                     on_tier=on_tier)
        self.pending = proposal
        return proposal

    def _answer(self, text: str) -> Proposal | None:
        pending = self.pending
        assert pending is not None
        if pending.question_span is None and (pending.question_step is None
                                              or pending.question_param is None):
            return None
        options = pending.plan.options
        choice: int | None = None
        stripped = text.strip().rstrip(".").lower()
        if stripped.isdigit() and 1 <= int(stripped) <= len(options):
            choice = int(stripped) - 1
        else:
            exact = [i for i, o in enumerate(options) if o.lower() == stripped]
            partial = [i for i, o in enumerate(options) if stripped and stripped in o.lower()]
            if len(exact) == 1:
                choice = exact[0]
            elif len(partial) == 1:
                choice = partial[0]
        if pending.question_span is not None:  # "her" -> the person chosen, planned again
            if choice is None:
                return None
            start, end = pending.question_span
            request = pending.plan.request
            self.pending = None
            return self.propose(request[:start] + options[choice] + request[end:])
        assert pending.question_step is not None and pending.question_param is not None
        steps = [s.model_copy(deep=True) for s in pending.pending_steps]
        step = steps[pending.question_step]
        # What the user answers is theirs, whatever had filled the slot before.
        step.sources[pending.question_param] = ValueSource(kind="user_text", text=text.strip())
        if choice is not None and choice < len(pending.candidate_ids):
            step.args[pending.question_param] = pending.candidate_ids[choice]
        elif choice is not None:
            step.args[pending.question_param] = options[choice]
        elif options or len(text.split()) > 5:
            return None  # not a reply to what was asked: a new request
        else:
            step.args[pending.question_param] = text
        proposal = self.planner.replan(pending.plan.request, steps, self.table,
                                       self.runtime.now(), self.runtime.tz, pending.plan.tier,
                                       said=text.strip())
        self.pending = proposal
        return proposal

    def _note_user_mentions(self, request: str) -> None:
        """Names of contacts the user types become the most salient people ("her" next)."""
        for entity in self.table.of_type("contact"):
            first = entity.label.split()[0].lower() if entity.label else ""
            if first and re.search(rf"\b{re.escape(first)}\b", request.lower()):
                self.table.touch(entity.id)

    def edit(self, proposal: Proposal, index: int, param: str, text: str) -> Proposal:
        """The proposal with step ``index``'s argument ``param`` set to ``text`` (the user's
        words), filled and verified again; it becomes the pending proposal. The TUI's edit
        key, the CLI and the Python API share this."""
        if not 0 <= index < len(proposal.plan.steps):
            raise ValueError(f"no step {index + 1}: the plan has {len(proposal.plan.steps)}")
        steps = [s.model_copy(deep=True) for s in proposal.plan.steps]
        steps[index].args[param] = text
        steps[index].sources[param] = ValueSource(kind="user_text", text=text, note=EDITED)
        new = self.planner.replan(proposal.plan.request, steps, self.table, self.runtime.now(),
                                  self.runtime.tz, proposal.plan.tier)
        edited = new.plan.steps[index].sources.get(param) \
            if index < len(new.plan.steps) else None
        if edited is not None and EDITED not in edited.note:
            edited.note = f"{edited.note} {EDITED}".strip()
        self.pending = new
        return new

    def confirmation(self, proposal: Proposal) -> Confirmation:
        reasons = []
        policy = self.runtime.config.confirm
        for i, step in enumerate(proposal.plan.steps):
            spec = self.runtime.registry.get(step.action)
            if spec is not None and policy.asks(spec.effect):
                reasons.append(f"step {i + 1} {step.action} is {spec.effect.value}")
            for inner in nested_steps(step):  # what a scheduled plan will do, unasked, later
                inner_spec = self.runtime.registry.get(inner.action)
                if inner_spec is not None and inner_spec.effect.has_side_effect:
                    reasons.append(f"step {i + 1} {step.action} will run {inner.action}, "
                                   f"which is {inner_spec.effect.value}, without asking")
        reasons += [str(v) for v in proposal.violations if v.needs_confirmation]
        from assistant.observe_loop import later_reasons

        reasons += later_reasons(self, proposal)  # what a web task does on later pages
        return Confirmation(needed=bool(reasons), reasons=reasons)

    # -- running -------------------------------------------------------------------------------
    def run(self, proposal: Proposal, *, origin: str = "user",
            on_step: Callable[[StepOutcome], None] | None = None,
            on_note: Callable[[str], None] | None = None) -> RunReport:
        """Run a proposal the user has confirmed (or that needs no confirmation).
        ``on_step`` is told each step's outcome as it is known, ``on_note`` what a web task
        does between its rounds (reading the page again); a UI shows both as they happen."""
        if not proposal.runnable:
            raise ValueError("this proposal cannot run: " +
                             ("; ".join(str(v) for v in proposal.blocked) or "no steps"))
        # The gate: whatever the caller passes, nothing the verifier rejects reaches the executor.
        violations = blocking(self.verifier.verify(proposal.plan, self.table.as_mapping(),
                                                   self.runtime.now()))
        if violations:
            raise ValueError("this plan cannot run: " + "; ".join(str(v) for v in violations))
        report = self.executor.run(proposal.plan, self.table, origin=origin, on_step=on_step)
        from assistant.observe_loop import continue_on_page

        report = continue_on_page(  # web work: look at the new page, do the rest
            self, proposal, report,
            lambda plan: self.executor.run(plan, self.table, origin=origin, on_step=on_step),
            on_note=on_note)
        self.pending = None
        return report

    def reject(self) -> None:
        self.pending = None

    def run_stored(self, plan: Plan, *, origin: str, key: str) -> RunReport:
        """Re-verify and run a stored plan (a scheduled job or a saved automation); times the
        user gave in words ("in 5 minutes") are resolved again from now."""
        self.refresh_background()
        plan = self.retimed(plan)
        violations = self.verifier.verify(plan, self.table.as_mapping(), self.runtime.now())
        if blocking(violations):
            return _refused(plan, blocking(violations))
        return self.executor.run(plan, self.table, origin=origin, key_prefix=key)

    def replay(self, plan: Plan, *, origin: str = "replay",
               source_plan: int | None = None) -> RunReport:
        """Run a stored, verified plan with no model call; only a step whose preconditions no
        longer hold is sent to the model for repair, and the repair is shown as a diff.
        ``source_plan`` (the journal id the plan was saved from) tells the repair what each
        step produced last time. Times given in words are resolved again from now; a step the
        verifier rejects is repaired the same way as one that fails."""
        self.refresh_background()
        plan = self.retimed(plan)
        plan, diffs, violations = self.repair_rejected(plan, source_plan)
        if violations:
            return _refused(plan, violations)
        before = self._outputs_of(source_plan)

        def repair(index: int, step: Step, problems: list[str],
                   table: EntityTable) -> Step | None:
            return self._repair_step(step, problems, table, before.get(index))

        report = self.executor.run(plan, self.table, origin=origin, repair=repair)
        for outcome in report.steps:
            if outcome.repair_diff is None and outcome.index in diffs:
                outcome.repair_diff = diffs[outcome.index]
        return report

    def retimed(self, plan: Plan) -> Plan:
        """``plan`` with the times the user gave in words resolved again from now."""
        return refresh_times(plan, self.runtime.registry, self.runtime.now(), self.runtime.tz)

    def _outputs_of(self, source_plan: int | None) -> dict[int, dict[str, object]]:
        """What each step of journal plan ``source_plan`` produced (for a repair)."""
        if source_plan is None:
            return {}
        return {row.idx: row.result.output for row in self.runtime.journal.steps(source_plan)
                if row.result is not None}

    def repair_rejected(self, plan: Plan, source_plan: int | None = None
                        ) -> tuple[Plan, dict[int, str], list[Violation]]:
        """Verify a stored plan and send each step the verifier rejects to the model for
        repair (told what it produced last time, from ``source_plan``). Returns the plan, the
        diff of each repaired step, and what still blocks (all of the original violations,
        with the plan unchanged, when a step cannot be repaired)."""
        self.refresh_background()
        violations = blocking(self.verifier.verify(plan, self.table.as_mapping(),
                                                   self.runtime.now()))
        rejected = sorted({v.step for v in violations if v.step is not None})
        if not rejected or any(v.step is None for v in violations):
            return plan, {}, violations
        before = self._outputs_of(source_plan)
        steps = list(plan.steps)
        diffs: dict[int, str] = {}
        for i in rejected:
            problems = [str(v) for v in violations if v.step == i]
            params = {v.param for v in violations if v.step == i}
            stale = frozenset(v for k, v in steps[i].args.items()  # the ids that failed
                              if isinstance(v, str) and v in self.table
                              and (None in params or k in params))
            fixed = self._repair_step(steps[i], problems, self.table, before.get(i), stale)
            if fixed is None:
                return plan, {}, violations
            diffs[i] = step_diff(steps[i], fixed)
            steps[i] = fixed
        repaired = plan.model_copy(update={"steps": steps})
        still = blocking(self.verifier.verify(repaired, self.table.as_mapping(),
                                              self.runtime.now()))
        return (repaired, diffs, []) if not still else (plan, {}, violations)

    def _repair_step(self, step: Step, problems: list[str], table: EntityTable,
                     last_output: dict[str, object] | None,
                     exclude: frozenset[str] = frozenset()) -> Step | None:
        """One step that does what ``step`` did, planned by the model among the entities in
        scope (less ``exclude``: ids that no longer hold); None when it finds none."""
        model_tier = self.planner._model_tier(1)
        if model_tier is None:
            return None
        args = {k: (v.get("mention", v) if isinstance(v, dict) else v)
                for k, v in step.args.items()}
        for k, v in step.args.items():  # an id that no longer holds: what the user said
            said = step.sources.get(k)
            if isinstance(v, str) and v in exclude and said is not None and said.text:
                args[k] = f"{said.text} (not {v})"
        request = (f"The stored step {step.action}({args}) can no longer run: "
                   f"{'; '.join(problems)}.")
        if last_output:
            shown = {k: last_output[k] for k in ("url", "value", "text", "id", "title")
                     if k in last_output and isinstance(last_output[k], str)}
            request += f" Last time it gave {shown}."
        request += (f" Plan one {step.action} step that does the same thing now, with an id "
                    "from the In scope list.")
        proposal = model_tier.propose(request, [e for e in table.all() if e.id not in exclude],
                                      [], show_urls=True, only=step.action)
        if not proposal.plan.steps:
            return None
        fixed = proposal.plan.steps[0]
        specs = {s.name: s for s in self.runtime.registry}
        from assistant.planner.slots import SlotFiller

        filled, question = SlotFiller(table=table, now=self.runtime.now(), tz=self.runtime.tz,
                                      request=request).fill([fixed], specs)
        if question is not None or not filled:
            return None
        candidate = Plan(request=request, steps=filled)
        if blocking(self.verifier.verify(candidate, table.as_mapping(), self.runtime.now())):
            return None
        return filled[0]

    def undo(self, plan_id: int | None = None) -> UndoReport:
        """Apply the declared inverses of journal entry ``plan_id`` (default: the latest plan
        with something left to undo), last step first, verified like any plan."""
        self.refresh_background()  # a job made by an earlier process is in scope
        return Undoer(self.runtime.journal, self.runtime.registry).undo(
            plan_id,
            verify=lambda plan: blocking(self.verifier.verify(plan, self.table.as_mapping(),
                                                              self.runtime.now())),
            run=lambda plan: self.executor.run(plan, self.table, origin="undo"))


def _unavailable(runtime: Runtime) -> UnavailablePlugins | None:
    """What the plugins that failed to load would have offered (None: all loaded)."""
    failed = runtime.loaded.failed()
    if not failed:
        return None
    from importlib.metadata import entry_points

    from assistant.planner.cascade import slot_checks
    from assistant.plugin_loader import ENTRY_POINT_GROUP

    found = {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}
    live = list(runtime.registry)
    records = failed_plugins(failed, lambda name: found[name].load() if name in found else None)
    types = {t for spec in [*live, *(s for r in records for s in r.specs)]
             for t in spec.entity_params().values()}
    return UnavailablePlugins(records, live, slot_checks(types))


def _refused(plan: Plan, violations: list[Violation]) -> RunReport:
    return RunReport(ok=False, steps=[
        StepOutcome(index=i, action=s.action, status=StepStatus.NOT_RUN,
                    problems=[str(v) for v in violations if v.step in (i, None)])
        for i, s in enumerate(plan.steps)])

