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

    LamApp(options_of(ctx), started_at=started).run()
