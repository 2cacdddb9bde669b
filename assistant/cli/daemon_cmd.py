"""`lam daemon`: fire scheduled jobs without the TUI until SIGTERM or SIGINT.

Jobs fire in the scheduler plugin's own thread; this command only loads the plugins with
firing switched on, prints every notification (fired reminders, plan runs, missed jobs) with a
time stamp, and stops cleanly on a signal (the job in progress finishes first).
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from datetime import datetime
from types import FrameType

import click

from actions.errors import PluginError
from assistant.cli.common import runtime_from

__all__ = ["daemon"]

FIRE_EXTRA = "scheduler_fire"
"""The per-run option that makes the scheduler plugin fire jobs in this process."""


@click.command()
@click.pass_context
def daemon(ctx: click.Context) -> None:
    """Run scheduled jobs until stopped (SIGTERM or Ctrl-C), printing what fires.

    Only one process fires the jobs of a store; a second daemon (or the TUI) stands by and
    takes over when the first exits. See docs/scheduler.md for a systemd user unit.
    """
    runtime = runtime_from(ctx, **{FIRE_EXTRA: True})

    def say(text: str) -> None:
        click.echo(f"{datetime.now(runtime.tz):%Y-%m-%d %H:%M:%S} {text}")
        sys.stdout.flush()

    runtime.on_notify(say)
    stop = threading.Event()

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        loaded = runtime.loaded
        scheduler = loaded.plugins.get("scheduler")
        if scheduler is None:
            status = next((s for s in loaded.statuses if s.name == "scheduler"), None)
            if status is not None and status.error is not None:
                raise status.error
            raise PluginError("scheduler", "is not enabled, so there is nothing to run",
                              hint="set [plugins.scheduler] enabled = true in plugins.toml")
        for failed in loaded.failed():
            if failed.error is not None:
                say(f"warning: {failed.error.message}")
        describe = getattr(scheduler, "status", None)
        say(f"lam daemon (pid {os.getpid()}) started; "
            + (describe() if callable(describe) else "scheduler loaded"))
        while not stop.wait(0.5):
            pass
        say("lam daemon stopping (the job in progress finishes first)")
        runtime.close()
        say("lam daemon stopped")
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
