"""`lam actions list`."""

from __future__ import annotations

import click

from assistant.cli.common import echo_json, runtime_from


@click.group()
def actions() -> None:
    """Actions offered by the loaded plugins."""


@actions.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list with full schemas.")
@click.pass_context
def list_actions(ctx: click.Context, as_json: bool) -> None:
    """Every action with its plugin, effect class and parameters."""
    runtime = runtime_from(ctx)
    specs = list(runtime.registry)
    if as_json:
        echo_json([
            {**spec.tool_schema(), "plugin": spec.plugin, "effect": spec.effect.value,
             "preconditions": [c.name for c in spec.preconditions],
             "postconditions": [c.name for c in spec.postconditions],
             "has_inverse": spec.inverse is not None, "consumes": spec.consumes,
             "produces": spec.produces, "templates": spec.templates}
            for spec in specs
        ])
        return
    if not specs:
        click.echo("no actions (no plugin loaded; see `lam plugins list`)")
    for spec in specs:
        props = spec.parameters_schema().get("properties", {})
        required = set(spec.parameters_schema().get("required", []))
        params = ", ".join(p + ("" if p in required else "?") for p in props)
        click.echo(f"{spec.plugin:>10}  {spec.name}({params})  [{spec.effect.badge}]")
        click.echo(f"{'':>12}{spec.description}")
    for status in runtime.loaded.failed():
        click.echo(f"warning: {status.error}", err=True)
