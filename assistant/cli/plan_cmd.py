"""`lam plan "REQUEST" [--tools FILE [--format text|json|openai]] [--json] [--now ISO]`:
print the calls lam would make."""

from __future__ import annotations

import json

import click

from actions.errors import UserInputError
from assistant.cli.clock_opts import headless_options, parse_now, read_request
from assistant.cli.common import echo_json, options_of, runtime_from
from assistant.exit_codes import ExitCode


@click.command()
@click.argument("request", nargs=-1)
@click.option("--tools", "tools_file", type=click.Path(dir_okay=False),
              help="A JSON list of OpenAI-style function schemas to plan over instead of the "
                   "loaded plugins' actions (docs/tools.md).")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "openai"]), default=None,
              help="Output with --tools: text (default), json ([{name, arguments}]) or openai "
                   "(an assistant message with tool_calls). --json is --format json.")
@headless_options
@click.pass_context
def plan(ctx: click.Context, request: tuple[str, ...], tools_file: str | None, fmt: str | None,
         as_json: bool, now: str | None, tz: str | None, browser_cdp: str | None) -> None:
    """Print the calls lam would make for REQUEST, without running anything."""
    if fmt is not None and not tools_file and fmt != "json":
        raise UserInputError(f"--format {fmt} needs --tools FILE",
                             hint='lam plan --tools tools.json --format openai "REQUEST"')
    text = read_request(request)
    options = options_of(ctx)
    options.now = parse_now(now)
    options.tz = tz
    if tools_file:
        _plan_tools(ctx, text, tools_file, fmt or ("json" if as_json else "text"))
        return
    from assistant.render import proposal_json, proposal_text
    from assistant.session import Session

    runtime = runtime_from(ctx, browser_cdp=browser_cdp)
    session = Session(runtime)
    proposal = session.propose(text)
    confirmation = session.confirmation(proposal)
    if as_json or fmt == "json":
        echo_json(proposal_json(proposal, confirmation))
    else:
        click.echo(proposal_text(proposal, runtime.registry, confirmation))
    if proposal.plan.kind.value == "question":
        ctx.exit(ExitCode.NEEDS_ANSWER)
    if proposal.blocked:
        ctx.exit(ExitCode.VERIFICATION_FAILED)
    if proposal.plan.kind.value != "actions":
        ctx.exit(ExitCode.PLANNING_FAILED)


def _plan_tools(ctx: click.Context, text: str, tools_file: str, fmt: str) -> None:
    from assistant.external_tools import read_tools
    from assistant.tool_calling import ToolPlanKind, openai_message, plan_tool_calls

    tools = read_tools(tools_file)
    options = options_of(ctx)
    options.plugins = False  # plan over the given tools only
    runtime = runtime_from(ctx)
    loader = runtime.model_factory(1)
    if loader is None:
        raise UserInputError("no planner model is configured",
                             hint="set [lam] model in config.toml (lam doctor shows it)")
    result = plan_tool_calls(loader(), tools, text, now=runtime.now(), tz=runtime.tz)
    if fmt == "json":
        echo_json([c.model_dump() for c in result.calls])
    elif fmt == "openai":
        echo_json(openai_message(result))
    elif result.calls:
        for call in result.calls:
            click.echo(f"{call.name}({json.dumps(call.arguments, ensure_ascii=False)})")
    else:
        click.echo(result.reply or "no tool fits")
    if result.kind is ToolPlanKind.INVALID:
        click.echo(f"error: no valid call: {result.reply}", err=True)
        ctx.exit(ExitCode.VERIFICATION_FAILED)
    ctx.exit(ExitCode.NEEDS_ANSWER if result.kind is ToolPlanKind.QUESTION else 0)
