"""`lam journal`: what ran, step by step; each plan's id is what `lam undo JOURNAL-ID` and
`lam save NAME JOURNAL-ID` take."""

from __future__ import annotations

from datetime import datetime

import click

from assistant.cli.common import echo_json, runtime_from


@click.command()
@click.option("--limit", default=10, show_default=True, help="How many plans to show.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def journal(ctx: click.Context, limit: int, as_json: bool) -> None:
    """Show the latest plans with each step's state (ok / failed / interrupted)."""
    runtime = runtime_from(ctx)
    j = runtime.journal
    j.reconcile()
    rows = j.plans(limit)
    if as_json:
        echo_json([{"id": p.id, "created": p.created, "origin": p.origin, "request": p.request,
                    "status": p.status,
                    "steps": [{"index": s.idx, "action": s.action, "args": s.args,
                               "state": s.state, "key": s.key,
                               "message": s.result.message if s.result else None,
                               **_undo_json(undone, s.idx)}
                              for s in j.steps(p.id)]}
                   for p in rows for undone in [j.undone(p.id)]])
        return
    for p in rows:
        when = datetime.fromtimestamp(p.created).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"#{p.id} {when} [{p.status}] ({p.origin}) {p.request}")
        undone = j.undone(p.id)
        for s in j.steps(p.id):
            msg = (s.result.message if s.result else "").replace("\n", "\n        ")
            click.echo(f"    {s.idx + 1}. {s.action} {s.state}" + (f" — {msg}" if msg else "")
                       + _undo_text(undone, s.idx))
    if not rows:
        click.echo("the journal is empty")


def _undo_json(undone: dict[int, int | None], idx: int) -> dict[str, object]:
    if idx not in undone:
        return {}
    by = undone[idx]
    return {"undone_by": by} if by is not None else {"undoable": False}


def _undo_text(undone: dict[int, int | None], idx: int) -> str:
    if idx not in undone:
        return ""
    by = undone[idx]
    return f" (undone by #{by})" if by is not None else " (cannot be undone)"
