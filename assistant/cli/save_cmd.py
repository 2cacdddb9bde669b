"""`lam save NAME [JOURNAL-ID] [--force]`: keep a plan that ran as a named automation."""

from __future__ import annotations

import click

from actions.errors import UserInputError
from assistant.automations import check_saved_name
from assistant.cli.common import runtime_from


@click.command()
@click.argument("name")
@click.argument("journal_id", required=False, type=int)
@click.option("--force", "-f", is_flag=True, help="Replace a saved automation of that name.")
@click.pass_context
def save(ctx: click.Context, name: str, journal_id: int | None, force: bool) -> None:
    """Save the plan with JOURNAL-ID (default: the last plan that ran successfully) as NAME;
    `lam run NAME` replays it with no model call. `lam saved list` shows the saved ones."""
    check_saved_name(name)
    runtime = runtime_from(ctx)
    journal = runtime.journal
    if journal.automation(name) is not None and not force:
        raise UserInputError(f"a saved automation named {name!r} already exists",
                             hint=f"pick another name, or replace it: lam save {name} --force")
    row = journal.plan(journal_id) if journal_id is not None else journal.last_plan("done")
    if row is None:
        raise UserInputError(f"no plan #{journal_id} in the journal" if journal_id else
                             "no plan has run successfully yet",
                             hint="see `lam journal` for the ids")
    if row.status != "done":
        raise UserInputError(f"plan #{row.id} did not run successfully ({row.status})",
                             hint="only a plan that ran can be saved")
    # What is kept is the plan, not how it was found: a replay makes no model call.
    stored = row.plan.model_copy(update={"tier": None, "escalations": [], "confidence": None})
    journal.save_automation(name, stored, row.id)
    click.echo(f"saved plan #{row.id} ({row.request!r}, {len(row.plan.steps)} steps) as "
               f"'{name}'; replay it with: lam run {name}")
