"""`lam run FILE.toml | NAME`: run an automation file, or replay a saved automation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from actions.errors import UserInputError
from actions.plan import Plan, Step
from assistant.cli.clock_opts import headless_options, parse_now
from assistant.cli.common import echo_json, options_of, runtime_from
from assistant.exit_codes import ExitCode


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
    from assistant.planner.cascade import Proposal
    from assistant.render import proposal_json, proposal_text, report_json, report_text

    options = options_of(ctx)
    options.now = parse_now(now)
    options.tz = tz
    runtime = runtime_from(ctx, browser_cdp=browser_cdp)
    lam = Assistant(runtime=runtime)
    out: dict[str, Any] = {"target": target}

    def finish(status: str, code: ExitCode, message: str) -> None:
        out["status"] = status
        if as_json:
            echo_json(out)
        else:
            click.echo(message)
        ctx.exit(int(code))

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
                out.update(proposal_json(proposal))
                finish("question" if proposal.plan.kind.value == "question" else "no_action",
                       ExitCode.NEEDS_ANSWER if proposal.plan.kind.value == "question"
                       else ExitCode.PLANNING_FAILED,
                       f"{automation.path}:{step.line}: " + proposal_text(proposal,
                                                                          runtime.registry))
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
    violations = lam.verify(plan)
    proposal = Proposal(plan=plan, violations=violations)
    confirmation = lam.confirmation(proposal)
    out.update(proposal_json(proposal, confirmation))
    shown = proposal_text(proposal, runtime.registry, confirmation)
    if proposal.blocked:
        finish("rejected", ExitCode.VERIFICATION_FAILED, shown + "\nnothing ran")
    if dry_run:
        previews = lam.dry_run(proposal)
        out["dry_run"] = [p.model_dump(mode="json") for p in previews]
        finish("dry_run", ExitCode.OK, shown + "\ndry run — nothing ran:\n" +
               "\n".join(f"  {p.index + 1}. {p.description}" for p in previews))
    if confirmation.needed and not yes:
        finish("needs_confirmation", ExitCode.NEEDS_CONFIRMATION,
               shown + "\nnothing ran: needs confirmation (" + "; ".join(confirmation.reasons)
               + "); run again with --yes")
    report = (lam.session.replay(plan, source_plan=runtime.journal.automation_source(target))
              if replay else lam.session.run(proposal))
    out["report"] = report_json(report)
    out["model_calls"] = runtime.model_calls()
    repairs = [s.repair_diff for s in report.steps if s.repair_diff]
    text = shown + "\n" + report_text(report)
    if repairs:
        text += "\nrepaired:\n" + "\n".join(repairs)
    finish("done" if report.ok else "failed",
           ExitCode.OK if report.ok else ExitCode.EXECUTION_FAILED, text)


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
