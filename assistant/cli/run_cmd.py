"""`lam run FILE.toml | NAME`: run an automation file, or replay a saved automation."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from actions.entities import Entity, Scope
from actions.errors import UserInputError
from actions.plan import Plan, Step, ValueSource, is_step_ref
from assistant.cli.clock_opts import headless_options, parse_now
from assistant.cli.common import options_of, runtime_from
from assistant.retime import refresh_times

if TYPE_CHECKING:
    from assistant.cli.outcome import Outcome

REPLAY_HEADER = "replayed, no model"


def _parse_vars(pairs: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        if "=" not in pair:
            raise UserInputError(f"--var {pair!r} must look like NAME=VALUE")
        key, value = pair.split("=", 1)
        out[key.strip()] = value
    return out


@click.command()
@click.argument("target")
@click.option("--var", "var_pairs", multiple=True, help="Set a variable: NAME=VALUE.")
@click.option("--yes", "-y", is_flag=True, help="Confirm the plan.")
@click.option("--dry-run", is_flag=True, help="Show what each step would do; no side effect.")
@click.option("--at", "at_phrase", help='Schedule it instead of running now, e.g. '
                                        '--at "tomorrow at 9" (scheduler plugin).')
@click.option("--every", "every_phrase", help='Schedule it on a recurrence, e.g. '
                                              '--every "every weekday at 8:30".')
@headless_options
@click.pass_context
def run(ctx: click.Context, target: str, var_pairs: tuple[str, ...], yes: bool, dry_run: bool,
        at_phrase: str | None, every_phrase: str | None, as_json: bool, now: str | None,
        tz: str | None, browser_cdp: str | None) -> None:
    """Run TARGET: an automation file (TOML), or the name of a saved automation (replayed
    with no model call; steps that no longer hold are repaired and shown as a diff). Times
    given in words ("in 5 minutes") are resolved when the plan runs, also when scheduled."""
    from assistant.api import Assistant
    from assistant.automations import load_automation
    from assistant.cli.outcome import Outcome
    from assistant.planner.cascade import Proposal

    options = options_of(ctx)
    options.now = parse_now(now)
    options.tz = tz
    runtime = runtime_from(ctx, browser_cdp=browser_cdp)
    lam = Assistant(runtime=runtime)
    outcome = Outcome(ctx, lam, as_json=as_json, out={"target": target})

    replay = not Path(target).is_file() and (not target.endswith(".toml") or
                                             runtime.journal.automation(target) is not None)
    origins: list[str] = []
    diffs: dict[int, str] = {}
    if replay:
        if var_pairs:
            raise UserInputError(f"--var does not apply to a saved automation ({target!r})",
                                 hint="variables belong to automation files (NAME.toml)")
        stored = runtime.journal.automation(target)
        if stored is None:
            names = ", ".join(runtime.journal.automations()) or "none saved yet"
            raise UserInputError(f"no automation file or saved automation named {target!r} "
                                 f"(saved: {names})", hint="lam save NAME saves the last plan "
                                                           "that ran; lam saved list shows them")
        plan = lam.session.retimed(stored.model_copy(
            update={"tier": None, "escalations": [], "confidence": None}))
        outcome.header = REPLAY_HEADER
        # A step the verifier now rejects is repaired before anything is shown or confirmed:
        # what is confirmed is the plan that runs, with each repair as a diff.
        plan, diffs, _still = lam.session.repair_rejected(
            plan, runtime.journal.automation_source(target))
        if diffs:
            outcome.out["repaired"] = {str(i + 1): d for i, d in diffs.items()}
            outcome.header = (f"replayed; step {', '.join(str(i + 1) for i in diffs)} "
                              "repaired by the model")
    else:
        automation = load_automation(target, runtime.registry, _parse_vars(var_pairs),
                                     now=runtime.now(), tz=runtime.tz)
        steps: list[Step] = []
        for n, step in enumerate(automation.steps, 1):
            where = f"{automation.path}:{step.line}: step {n}"
            if step.action is not None:
                steps.append(automation.explicit_step(step, runtime.registry, runtime.now(),
                                                      runtime.tz))
                origins.append(f"{where}: {step.action}")
                continue
            text = automation.expand(step.request or "")
            placeholders = _prospective(lam, steps)
            lam.session.extra_background.extend(placeholders)
            try:
                proposal = lam.plan(text)
            finally:
                for entity in placeholders:
                    lam.session.extra_background.remove(entity)
            if proposal.plan.kind.value != "actions":
                outcome.out["step"] = f"{automation.path}:{step.line}"
                outcome.conclude(proposal, yes=yes, dry_run=dry_run,
                                 where=f"{where} ({text!r})")
            ids = {e.id: k for k, e in zip(_producers(lam, steps), placeholders, strict=True)}
            offset = len(steps)
            for s in proposal.plan.steps:
                steps.append(_rebased(s, offset, ids))
                origins.append(f"{where}: request {text!r}")
        plan = Plan(request=f"automation {automation.name}", steps=steps)
        outcome.header = f"automation {Path(automation.path).name}"
    if at_phrase or every_phrase:
        inner = plan
        plan = _scheduled(lam, plan, at_phrase, every_phrase)
        replay = False
        if dry_run:
            _dry_run_scheduled(outcome, lam, plan, inner, origins)
    violations = lam.verify(plan)
    if origins and not (at_phrase or every_phrase):  # say which line of the file each is from
        violations = [v.model_copy(update={"message": f"{v.message} ({origins[v.step]})"})
                      if v.step is not None and v.step < len(origins) else v
                      for v in violations]
    proposal = Proposal(plan=plan, violations=violations)
    if dry_run:
        _dry_run(outcome, lam, proposal, origins)
    if replay:
        source = runtime.journal.automation_source(target)

        def run_replay() -> Any:
            report = lam.session.replay(plan, source_plan=source)
            for step in report.steps:
                if step.repair_diff is None and step.index in diffs:
                    step.repair_diff = diffs[step.index]
            return report

    outcome.conclude(proposal, yes=yes, dry_run=dry_run, run=run_replay if replay else None)


# -- what earlier steps will make, for later requests ---------------------------------------------
def _producers(lam: Any, steps: list[Step]) -> list[int]:
    """Indexes of earlier steps that will make a named entity (e.g. add_contact)."""
    out = []
    for k, step in enumerate(steps):
        spec = lam.runtime.registry.get(step.action)
        if spec is not None and spec.produces and isinstance(step.args.get("name"), str):
            out.append(k)
    return out


def _prospective(lam: Any, steps: list[Step]) -> list[Entity]:
    """Stand-ins for the entities earlier steps will make, so a later request can name them
    ("email Zed" after a step adds Zed); replaced by a reference to that step's output."""
    out = []
    for k in _producers(lam, steps):
        step = steps[k]
        etype = lam.runtime.registry.get(step.action).produces[0]
        name = str(step.args["name"])
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "new"
        attributes = {key: v for key, v in step.args.items()
                      if key != "name" and isinstance(v, str)}
        out.append(Entity(id=f"{etype}:step{k + 1}-{slug}"[:120], type=etype, label=name,
                          scope=Scope.BACKGROUND, attributes=attributes))
    return out


def _rebased(step: Step, offset: int, made: dict[str, int]) -> Step:
    """A step planned alone, placed after ``offset`` earlier steps: its step references
    shifted, and a stand-in entity replaced by the output of the step that makes it."""
    args: dict[str, Any] = {}
    sources = dict(step.sources)
    for key, value in step.args.items():
        if is_step_ref(value):
            value = {**value, "$step": value["$step"] + offset}
        elif isinstance(value, str) and value in made:
            sources[key] = ValueSource(kind="step_output", text=sources[key].text
                                       if key in sources else None,
                                       note=f"made by step {made[value] + 1}")
            value = {"$step": made[value], "field": "id"}
        args[key] = value
    return step.model_copy(update={"args": args, "sources": sources})


# -- dry runs ----------------------------------------------------------------------------------
def _step_lines(lam: Any, plan: Plan, origins: list[str]) -> list[str]:
    from assistant.render import _arg_text as arg_text

    lines = []
    for i, step in enumerate(plan.steps):
        spec = lam.runtime.registry.get(step.action)
        badge = spec.effect.badge if spec else "?"
        origin = f"   <- {origins[i]}" if i < len(origins) else ""
        lines.append(f"  {i + 1}. {step.action} [{badge}]{origin}")
        for name, value in step.args.items():
            src = step.sources.get(name)
            lines.append(f"       {name} = {arg_text(value)}"
                         + (f"   ({src.describe()})" if src else ""))
    return lines


def _dry_run(outcome: Outcome, lam: Any, proposal: Any, origins: list[str]) -> NoReturn:
    """Each step's action and arguments (requests planned, nothing run), then what the
    verifier says; exit 0 when it would run, 4 when the verifier rejects it."""
    from assistant.exit_codes import ExitCode
    from assistant.verify import blocking

    confirmation = lam.confirmation(proposal)
    from assistant.render import proposal_json

    outcome.out.update(proposal_json(proposal, confirmation))
    outcome.out["dry_run"] = [p.model_dump(mode="json") for p in lam.dry_run(proposal)]
    lines = ["dry run — nothing ran; each step would do:", *_step_lines(lam, proposal.plan,
                                                                         origins)]
    lines += [f"  ! {v}" for v in proposal.violations]
    for number, diff in outcome.out.get("repaired", {}).items():
        lines += [f"  step {number} repaired (the stored step no longer held):", diff]
    blocked = blocking(proposal.violations)
    if blocked:
        lines.append("the verifier would reject this plan as it is (see ! above)")
    elif confirmation.needed:
        lines.append("it would need confirmation: " + "; ".join(confirmation.reasons))
    outcome.finish("rejected" if blocked else "dry_run",
                   ExitCode.VERIFICATION_FAILED if blocked else ExitCode.OK, "\n".join(lines))


def _dry_run_scheduled(outcome: Outcome, lam: Any, plan: Plan, inner: Plan,
                       origins: list[str]) -> NoReturn:
    """--at/--every with --dry-run: when it would fire, its rule, and its steps, as text."""
    from assistant.exit_codes import ExitCode
    from assistant.render import proposal_json
    from assistant.verify import blocking

    step = plan.steps[0]
    violations = lam.verify(plan)
    outcome.out.update(proposal_json(_proposal(plan, violations)))
    when, rule = step.args.get("when"), step.args.get("every")
    lines = ["dry run — nothing scheduled:"]
    if when:
        said = step.sources.get("when")
        lines.append(f"  when: {when}" + (f"   (from '{said.text}')" if said and said.text
                                          else ""))
    first = datetime.fromisoformat(when) if isinstance(when, str) else None
    if rule:
        said = step.sources.get("every")
        lines.append(f"  rule: {rule}" + (f"   (from '{said.text}')" if said and said.text
                                          else ""))
        first = _first_fire(lam, str(rule), first)
        if first:
            lines.append(f"  first run: {first.isoformat()}")
    if first is not None:  # what the steps' times in words will mean then
        inner = refresh_times(inner, lam.runtime.registry, first, lam.runtime.tz)
    lines.append("  steps (times in words resolved as of the first run, and again at each "
                 "run):")
    lines += ["  " + line for line in _step_lines(lam, inner, origins)]
    lines += [f"  ! {v}" for v in violations]
    blocked = blocking(violations)
    outcome.finish("rejected" if blocked else "dry_run",
                   ExitCode.VERIFICATION_FAILED if blocked else ExitCode.OK, "\n".join(lines))


def _proposal(plan: Plan, violations: list[Any]) -> Any:
    from assistant.planner.cascade import Proposal

    return Proposal(plan=plan, violations=violations)


def _first_fire(lam: Any, rule: str, start: datetime | None) -> datetime | None:
    """The first occurrence of ``rule`` at or after ``start`` (default: from now)."""
    from assistant.normalize import next_occurrences

    after = start - timedelta(microseconds=1) if start is not None else lam.runtime.now()
    try:
        first = next_occurrences(rule, after, lam.runtime.tz, 1)
    except ValueError:
        return None
    return first[0] if first else None


def _scheduled(lam: Any, plan: Plan, at: str | None, every: str | None) -> Plan:
    """Wrap a plan into one `schedule_plan` step, times normalized like any request's. The
    stored plan keeps the words of its times, resolved again when it fires."""
    from assistant.planner.slots import SlotFiller

    if "schedule_plan" not in lam.runtime.registry:
        raise UserInputError("--at/--every need the scheduler plugin",
                             hint="enable [plugins.scheduler] in plugins.toml")
    args: dict[str, Any] = {"plan": plan.model_dump(mode="json", include={"request", "steps"})}
    if at:
        args["when"] = at
    if every:
        args["every"] = every
    filler = SlotFiller(table=lam.session.table, now=lam.runtime.now(), tz=lam.runtime.tz,
                        request=f"{at or ''} {every or ''}")
    steps, question = filler.fill([Step(action="schedule_plan", args=args)],
                                  {s.name: s for s in lam.runtime.registry})
    if question is not None:
        raise UserInputError(question.question)
    return Plan(request=f"schedule {plan.request}", steps=steps)
