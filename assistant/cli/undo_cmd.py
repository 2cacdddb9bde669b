"""`lam undo`: apply the declared inverses of the last plan."""

from __future__ import annotations

import click

from assistant.cli.common import echo_json, runtime_from
from assistant.exit_codes import ExitCode


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def undo(ctx: click.Context, as_json: bool) -> None:
    """Undo the last plan that ran (or say which steps cannot be undone)."""
    from assistant.session import Session

    report = Session(runtime_from(ctx)).undo()
    if as_json:
        echo_json(report.model_dump(mode="json"))
    else:
        click.echo(report.summary() or "nothing to undo")
    ctx.exit(0 if report.ok else int(ExitCode.EXECUTION_FAILED))
