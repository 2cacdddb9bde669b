"""`lam saved list` and `lam saved rm NAME`: the automations kept with `lam save`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import click

from actions.errors import UserInputError
from assistant.cli.common import echo_json, runtime_from

__all__ = ["saved"]


@click.group()
def saved() -> None:
    """List or delete saved automations (made with `lam save NAME`)."""


@saved.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_saved(ctx: click.Context, as_json: bool) -> None:
    """List saved automations: name, steps, the journal plan it came from, when saved."""
    runtime = runtime_from(ctx)
    journal = runtime.journal
    rows: list[dict[str, Any]] = []
    for name in journal.automations():
        plan = journal.automation(name)
        created = journal.automation_created(name)
        rows.append({"name": name, "request": plan.request if plan else "",
                     "steps": [s.action for s in plan.steps] if plan else [],
                     "source_plan": journal.automation_source(name),
                     "saved": (datetime.fromtimestamp(created, runtime.tz).isoformat(
                         timespec="seconds") if created is not None else None)})
    if as_json:
        echo_json({"saved": rows})
        return
    if not rows:
        click.echo("no saved automations; `lam save NAME` saves the last plan that ran")
        return
    for r in rows:
        source = f"plan #{r['source_plan']}" if r["source_plan"] is not None else "?"
        click.echo(f"{r['name']}  {len(r['steps'])} step(s): {', '.join(r['steps'])}  "
                   f"({r['request']!r}, from {source}, saved {r['saved']})")


@saved.command("rm")
@click.argument("name")
@click.pass_context
def remove_saved(ctx: click.Context, name: str) -> None:
    """Delete the saved automation NAME."""
    journal = runtime_from(ctx).journal
    if not journal.delete_automation(name):
        names = ", ".join(journal.automations()) or "none saved yet"
        raise UserInputError(f"no saved automation named {name!r} (saved: {names})",
                             hint="see `lam saved list`")
    click.echo(f"deleted saved automation '{name}'")
