"""`lam mcp serve [--http PORT]`: lam's actions, `plan` and `run_plan` as an MCP server."""

from __future__ import annotations

import click

from assistant.cli.common import options_of


@click.group()
def mcp() -> None:
    """MCP: serve lam to MCP clients (MCP servers as lam actions: see docs/mcp.md)."""


@mcp.command("serve")
@click.option("--http", "port", type=click.IntRange(1, 65535), default=None, metavar="PORT",
              help="Serve streamable HTTP on 127.0.0.1:PORT (path /mcp) instead of stdio.")
@click.pass_context
def serve(ctx: click.Context, port: int | None) -> None:
    """Serve lam over MCP: every action (schema and effect annotations), `plan` (a request
    in, a verified plan out) and `run_plan`. Steps that send or schedule run only when the
    client confirms through MCP elicitation; every call is verified and journaled."""
    import anyio

    from assistant.mcp.server import McpServe, serve_http, serve_stdio
    from assistant.runtime import Runtime

    options = options_of(ctx)
    serve_obj = McpServe(lambda: Runtime(options))
    try:
        if port is None:
            anyio.run(serve_stdio, serve_obj)
        else:
            serve_http(serve_obj, port, ready=lambda url: click.echo(
                f"lam MCP server at {url} (Ctrl-C stops it)", err=True))
    finally:
        serve_obj.close()
