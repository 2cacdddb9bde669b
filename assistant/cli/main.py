"""The `lam` command. Subcommands are imported lazily: `lam --help` loads no heavy library."""

from __future__ import annotations

import os
import sys
from typing import Any

import click

from assistant.cli.lazy import LazyGroup

__all__ = ["cli", "main"]

VERSION = "0.1.0"

SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "plugins": ("assistant.cli.plugins_cmd:plugins", "List, diagnose and scaffold plugins."),
    "actions": ("assistant.cli.actions_cmd:actions", "List every action with its schema."),
    "doctor": ("assistant.cli.doctor_cmd:doctor", "Check browser, model, config and data dirs."),
    "models": ("assistant.cli.models_cmd:models", "List, pull, inspect and remove models."),
    "plan": ("assistant.cli.plan_cmd:plan", "Print the calls lam would make for a request."),
    "mcp": ("assistant.cli.mcp_cmd:mcp", "Serve lam's actions and planner over MCP."),
    "do": ("assistant.cli.do_cmd:do", "Plan, verify and run a request (headless)."),
    "run": ("assistant.cli.run_cmd:run", "Run an automation file (TOML)."),
    "save": ("assistant.cli.save_cmd:save", "Save a plan that ran as a named automation."),
    "saved": ("assistant.cli.saved_cmd:saved", "List or delete saved automations."),
    "undo": ("assistant.cli.undo_cmd:undo", "Undo the last plan through declared inverses."),
    "journal": ("assistant.cli.journal_cmd:journal", "Show what ran (the journal)."),
    "daemon": ("assistant.cli.daemon_cmd:daemon", "Run scheduled jobs without the TUI."),
    "tui": ("assistant.cli.tui_cmd:tui", "Open the terminal app (same as plain `lam`)."),
}


@click.group(cls=LazyGroup, lazy=SUBCOMMANDS, invoke_without_command=True,
             context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(VERSION, "--version", prog_name="lam")
@click.option("--home", type=click.Path(file_okay=False), envvar="LAM_HOME",
              help="Keep config and data under this folder (default: platform dirs).")
@click.option("--no-plugins", is_flag=True, help="Start with no plugin loaded.")
@click.pass_context
def cli(ctx: click.Context, home: str | None, no_plugins: bool) -> None:
    """lam — a local large action model assistant.

    With no command, opens the terminal app. Every request is planned on a local model,
    checked by a symbolic verifier, confirmed where it has consequences, then run.
    """
    from assistant.runtime import RuntimeOptions

    ctx.obj = RuntimeOptions(home=home, plugins=not no_plugins)
    if ctx.invoked_subcommand is None:
        from assistant.cli.tui_cmd import tui

        ctx.invoke(tui)


def main(argv: list[str] | None = None) -> Any:
    """Entry point: renders every lam error in one place with its exit code."""
    from assistant.cli.errors import render_errors

    with render_errors(debug=bool(os.environ.get("LAM_DEBUG"))):
        return cli.main(args=argv, prog_name="lam", standalone_mode=True)
    return None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
