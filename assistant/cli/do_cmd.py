"""`lam do "REQUEST"`: plan, verify and run — for scripts, cron and pipelines."""

from __future__ import annotations

import click

from assistant.cli.clock_opts import headless_options, parse_now, read_request
from assistant.cli.common import options_of, runtime_from


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
    from assistant.cli.outcome import Outcome

    text = read_request(request)
    options = options_of(ctx)
    options.now = parse_now(now)
    options.tz = tz
    runtime = runtime_from(ctx, browser_cdp=browser_cdp)
    lam = Assistant(runtime=runtime)
    proposal = lam.plan(text)
    Outcome(ctx, lam, as_json=as_json, out={"request": text}).conclude(
        proposal, yes=yes, dry_run=dry_run)
