"""`lam do "REQUEST"`: plan, verify and run — for scripts, cron and pipelines."""

from __future__ import annotations

from typing import Any

import click

from assistant.cli.clock_opts import headless_options, parse_now, read_request
from assistant.cli.common import echo_json, options_of, runtime_from
from assistant.exit_codes import ExitCode


@click.command()
@click.argument("request", nargs=-1)
@click.option("--yes", "-y", is_flag=True, help="Confirm the plan (needed for sends, "
                                                "schedules and irreversible actions).")
@click.option("--dry-run", is_flag=True, help="Show the plan and what each step would do; "
                                               "no side effect at all.")
@headless_options
@click.pass_context
def do(ctx: click.Context, request: tuple[str, ...], yes: bool, dry_run: bool, as_json: bool,
       now: str | None, tz: str | None, browser_cdp: str | None) -> None:
    """Plan, verify and run REQUEST (or stdin). Exits non-zero without running anything when
    the plan needs confirmation and --yes was not given; see README for exit codes."""
    from assistant.api import Assistant
    from assistant.render import proposal_json, proposal_text, report_json, report_text

    text = read_request(request)
    options = options_of(ctx)
    options.now = parse_now(now)
    options.tz = tz
    runtime = runtime_from(ctx, browser_cdp=browser_cdp)
    lam = Assistant(runtime=runtime)
    proposal = lam.plan(text)
    confirmation = lam.confirmation(proposal)
    out: dict[str, Any] = {"request": text, **proposal_json(proposal, confirmation)}

    def finish(status: str, code: ExitCode, message: str) -> None:
        out["status"] = status
        if as_json:
            echo_json(out)
        else:
            click.echo(message)
        ctx.exit(int(code))

    shown = proposal_text(proposal, runtime.registry, confirmation)
    kind = proposal.plan.kind.value
    if kind == "question":
        finish("question", ExitCode.NEEDS_ANSWER, shown + "\n(nothing ran: answer by "
               "rephrasing the request)")
    if kind != "actions":
        finish("no_action", ExitCode.PLANNING_FAILED, shown)
    if proposal.blocked:
        finish("rejected", ExitCode.VERIFICATION_FAILED, shown + "\nnothing ran: the verifier "
               "rejected the plan")
    if dry_run:
        previews = lam.dry_run(proposal)
        out["dry_run"] = [p.model_dump(mode="json") for p in previews]
        finish("dry_run", ExitCode.OK, shown + "\ndry run — nothing ran:\n" +
               "\n".join(f"  {p.index + 1}. {p.description}" for p in previews))
    if confirmation.needed and not yes:
        finish("needs_confirmation", ExitCode.NEEDS_CONFIRMATION,
               shown + "\nnothing ran: this plan needs confirmation ("
               + "; ".join(confirmation.reasons) + "); run again with --yes")
    report = lam.run(proposal, confirmed=True)
    out["report"] = report_json(report)
    if report.ok:
        finish("done", ExitCode.OK, shown + "\n" + report_text(report))
    finish("failed", ExitCode.EXECUTION_FAILED, shown + "\n" + report_text(report))
