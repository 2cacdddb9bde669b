"""`lam undo [JOURNAL-ID]`: apply the declared inverses of a plan that ran."""

from __future__ import annotations

import click

from actions.errors import UserInputError
from assistant.cli.common import echo_json, runtime_from
from assistant.execute import StepStatus
from assistant.exit_codes import ExitCode


def _journal_id(_ctx: click.Context, _param: click.Parameter, value: str | None) -> int | None:
    """`5` or `#5` (as `lam journal` shows it)."""
    if value is None:
        return None
    text = value.strip().lstrip("#")
    if not text.isdigit():
        raise UserInputError(f"'{value}' is not a journal id",
                             hint="give the number `lam journal` shows, e.g. `lam undo 3`")
    return int(text)


@click.command()
@click.argument("journal_id", required=False, callback=_journal_id, metavar="[JOURNAL-ID]")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def undo(ctx: click.Context, journal_id: int | None, as_json: bool) -> None:
    """Undo the plan with JOURNAL-ID (default: the latest plan with something left to undo;
    plans that only read, and plans already undone, are skipped). Says which plan it undid and
    which steps cannot be undone."""
    from assistant.session import Session

    report = Session(runtime_from(ctx)).undo(journal_id)
    if as_json:
        echo_json(report.model_dump(mode="json"))
    elif report.undid is None:
        click.echo(report.note or report.summary() or "nothing to undo")
    else:
        some = any(s.status is StepStatus.OK for s in report.steps)
        head = "undid" if report.ok else ("undid part of" if some else "could not undo")
        click.echo(f"{head} plan #{report.undid} ({report.request}):")
        if report.note:
            click.echo(report.note)
        click.echo(report.summary())
        if not report.ok:
            click.echo("what did not run above was not undone; `lam undo JOURNAL-ID` undoes "
                       "another entry (`lam journal` shows the ids)")
    code = ExitCode.OK if report.ok else (ExitCode.VERIFICATION_FAILED if report.refused
                                          else ExitCode.EXECUTION_FAILED)
    ctx.exit(int(code))
