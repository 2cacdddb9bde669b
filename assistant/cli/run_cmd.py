"""`lam run FILE.toml | NAME`: run an automation file, or replay a saved automation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from actions.errors import UserInputError
from actions.plan import Plan, Step
from assistant.cli.clock_opts import headless_options, parse_now
from assistant.cli.common import options_of, runtime_from


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
@click.option("--dry-run", is_flag=True, help="Show what would run; no side effect.")
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
    with no model call; steps that no longer hold are repaired and shown as a diff)."""
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

    replay = not target.endswith(".toml") and not Path(target).is_file()
    if replay:
        stored = runtime.journal.automation(target)
        if stored is None:
            names = ", ".join(runtime.journal.automations()) or "none saved yet"
            raise UserInputError(f"no automation file or saved automation named {target!r} "
                                 f"(saved: {names})", hint="lam save NAME saves the last plan "
                                                           "that ran")
        plan = stored
    else:
        automation = load_automation(target, runtime.registry, _parse_vars(var_pairs))
        steps: list[Step] = []
        for step in automation.steps:
            if step.action is not None:
                steps.append(automation.explicit_step(step))
                continue
            proposal = lam.plan(automation.expand(step.request or ""))
            if proposal.plan.kind.value != "actions":
                outcome.out["step"] = f"{automation.path}:{step.line}"
                outcome.conclude(proposal, yes=yes, dry_run=dry_run)
            offset = len(steps)
            for s in proposal.plan.steps:
                args = {k: ({**v, "$step": v["$step"] + offset}
                            if isinstance(v, dict) and "$step" in v else v)
                        for k, v in s.args.items()}
                steps.append(s.model_copy(update={"args": args}))
        plan = Plan(request=f"automation {automation.name}", steps=steps)
    if at_phrase or every_phrase:
        plan = _scheduled(lam, plan, at_phrase, every_phrase)
        replay = False
    proposal = Proposal(plan=plan, violations=lam.verify(plan))
    source = runtime.journal.automation_source(target) if replay else None
    outcome.conclude(proposal, yes=yes, dry_run=dry_run,
                     run=(lambda: lam.session.replay(plan, source_plan=source)) if replay
                     else None)


def _scheduled(lam: Any, plan: Plan, at: str | None, every: str | None) -> Plan:
    """Wrap a plan into one `schedule_plan` step, times normalized like any request's."""
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
