"""`lam plan "REQUEST" [--tools FILE] [--json] [--now ISO]`: print the calls lam would make."""

from __future__ import annotations

import click

from assistant.cli.clock_opts import headless_options, parse_now, read_request
from assistant.cli.common import echo_json, options_of, runtime_from
from assistant.exit_codes import ExitCode


@click.command()
@click.argument("request", nargs=-1)
@click.option("--tools", "tools_file", type=click.Path(dir_okay=False),
              help="A JSON list of OpenAI-style function schemas to plan over instead of the "
                   "loaded plugins' actions. Output: a JSON list of {name, arguments}.")
@headless_options
@click.pass_context
def plan(ctx: click.Context, request: tuple[str, ...], tools_file: str | None, as_json: bool,
         now: str | None, tz: str | None, browser_cdp: str | None) -> None:
    """Print the calls lam would make for REQUEST, without running anything."""
    text = read_request(request)
    options = options_of(ctx)
    options.now = parse_now(now)
    options.tz = tz
    if tools_file:
        from assistant.external_tools import plan_with_tools

        options.plugins = False  # plan over the given tools only
        runtime = runtime_from(ctx)
        calls, proposal = plan_with_tools(runtime, text, tools_file)
        if as_json:
            echo_json(calls)
        else:
            if not calls:
                click.echo(proposal.plan.answer or proposal.plan.question or "no tool fits")
            for call in calls:
                click.echo(f"{call['name']}({call['arguments']})")
        ctx.exit(ExitCode.NEEDS_ANSWER if proposal.plan.kind.value == "question" else 0)
    from assistant.render import proposal_json, proposal_text
    from assistant.session import Session

    runtime = runtime_from(ctx, browser_cdp=browser_cdp)
    session = Session(runtime)
    proposal = session.propose(text)
    confirmation = session.confirmation(proposal)
    if as_json:
        echo_json(proposal_json(proposal, confirmation))
    else:
        click.echo(proposal_text(proposal, runtime.registry, confirmation))
    if proposal.plan.kind.value == "question":
        ctx.exit(ExitCode.NEEDS_ANSWER)
    if proposal.blocked:
        ctx.exit(ExitCode.VERIFICATION_FAILED)
    if proposal.plan.kind.value != "actions":
        ctx.exit(ExitCode.PLANNING_FAILED)
