"""`lam plugins list | new NAME`."""

from __future__ import annotations

from pathlib import Path

import click

from actions.errors import UserInputError
from assistant.cli.common import echo_json, runtime_from
from assistant.plugin_loader import PluginState


@click.group()
def plugins() -> None:
    """Plugins: their status, and a scaffold for writing your own."""


@plugins.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.pass_context
def list_plugins(ctx: click.Context, as_json: bool) -> None:
    """Each installed or configured plugin: loaded / failed (and why) / disabled; each MCP
    server ([mcp.servers.NAME], listed as mcp:NAME): connected with N tools / failed (and
    why) / disabled."""
    runtime = runtime_from(ctx)
    statuses = runtime.loaded.statuses
    if as_json:
        echo_json([{"name": s.name, "state": s.state.value, "actions": s.actions,
                    "error": s.error.message if s.error else None,
                    "hint": s.error.hint if s.error else None} for s in statuses])
        return
    for s in statuses:
        line = f"{s.name:<16} {s.state.value:<9}"
        if s.state is PluginState.LOADED and s.name.startswith("mcp:"):
            line = f"{s.name:<16} connected with {len(s.actions)} tools: {', '.join(s.actions)}"
        elif s.state is PluginState.LOADED:
            line += f" {len(s.actions)} actions: {', '.join(s.actions)}"
        elif s.error is not None:
            line += f" {s.error.message}"
            if s.error.hint:
                line += f"\n{'':<27}hint: {s.error.hint}"
        click.echo(line)
    for path in runtime.config.files:
        click.echo(f"config: {path}")


@plugins.command("new")
@click.argument("name")
@click.option("--dir", "target_dir", type=click.Path(file_okay=False), default=".",
              help="Where to create the package folder.")
def new_plugin(name: str, target_dir: str) -> None:
    """Scaffold a working plugin package NAME with one action, a template and a test."""
    from assistant.scaffold import scaffold_plugin

    try:
        path = scaffold_plugin(name, Path(target_dir))
    except FileExistsError as exc:
        raise UserInputError(f"{exc} already exists", hint="choose another --dir or name") from exc
    click.echo(f"created {path}")
    click.echo("next:")
    click.echo(f"  pip install -e {path}")
    click.echo(f"  add to plugins.toml:  [plugins.{name}]\n                        enabled = true")
    click.echo(f"  cd {path} && python -m pytest")
