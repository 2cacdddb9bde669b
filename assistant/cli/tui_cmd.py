"""`lam tui` (and plain `lam`): the terminal app. Textual is imported only when it runs."""

from __future__ import annotations

import time

import click

from assistant.cli.common import options_of


@click.command()
@click.pass_context
def tui(ctx: click.Context) -> None:
    """Open the terminal app: type a request, see its plan, confirm, undo."""
    started = time.perf_counter()
    from assistant.tui.app import LamApp

    options = options_of(ctx)
    # Scheduled jobs fire while the app is open (one process per store fires; see the
    # scheduler plugin), exactly as under `lam daemon`.
    options.extras["scheduler_fire"] = True
    LamApp(options, started_at=started).run()
