"""`lam mcp serve`: lam as an MCP server over stdio (default) or streamable HTTP on loopback.

The protocol runs on the event loop; lam's work (planning, verifying, running, journaling) runs
on one worker thread that owns the runtime, because browsers and SQLite connections belong to
the thread that opened them. A plan that needs confirmation runs only after the client
confirms through MCP elicitation; a client without elicitation gets a refusal naming the step."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import io
import sys
from collections.abc import AsyncIterator, Callable
from typing import Any, TypeVar

import anyio
from mcp import types
from mcp.server.lowlevel import NotificationOptions, Server

from assistant.mcp.service import PLAN_TOOL, Outcome, Prepared, Service, refusal
from assistant.runtime import Runtime

__all__ = ["McpServe", "serve_http", "serve_stdio"]

T = TypeVar("T")

_CONFIRM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"confirm": {"type": "boolean", "title": "Run these steps",
                               "description": "true runs the plan; false runs nothing"}},
    "required": ["confirm"],
}


class McpServe:
    """One MCP server around one lam runtime (built on the worker thread)."""

    def __init__(self, make_runtime: Callable[[], Runtime]) -> None:
        self._pool = concurrent.futures.ThreadPoolExecutor(max_workers=1,
                                                           thread_name_prefix="lam-mcp-work")
        self._make_runtime = make_runtime
        self._service: Service | None = None
        self.server: Server[Any, Any] = Server("lam")
        self._register()

    async def _work(self, fn: Callable[[Service], T]) -> T:
        def call() -> T:
            if self._service is None:
                self._service = Service(self._make_runtime())
            return fn(self._service)

        return await asyncio.wrap_future(self._pool.submit(call))

    def close(self) -> None:
        def shut() -> None:
            if self._service is not None:
                self._service.close()

        self._pool.submit(shut).result()
        self._pool.shutdown()

    def _register(self) -> None:
        server = self.server

        @server.list_tools()  # type: ignore[misc, no-untyped-call]
        async def list_tools() -> list[types.Tool]:
            infos = await self._work(lambda s: s.tools())
            return [types.Tool(name=t.name, description=t.description,
                               inputSchema=t.input_schema,
                               annotations=types.ToolAnnotations(**t.annotations))
                    for t in infos]

        @server.call_tool(validate_input=True)  # type: ignore[misc]
        async def call_tool(name: str, arguments: dict[str, Any]) -> types.CallToolResult:
            outcome = await self._call(name, arguments)
            return types.CallToolResult(
                content=[types.TextContent(type="text", text=outcome.text)],
                structuredContent=outcome.data or None, isError=not outcome.ok)

    async def _call(self, name: str, arguments: dict[str, Any]) -> Outcome:
        if name == PLAN_TOOL:
            request = str(arguments.get("request") or "").strip()
            if not request:
                return Outcome(ok=False, text="give a request in words")
            return await self._work(lambda s: s.plan(request))
        prepared = await self._work(lambda s: s.prepare(name, arguments))
        if isinstance(prepared, Outcome):
            return prepared
        if prepared.confirmation.needed:
            refused = await self._confirm(prepared)
            if refused is not None:
                return refused
        return await self._work(lambda s: s.run(prepared))

    async def _confirm(self, prepared: Prepared) -> Outcome | None:
        """Ask the client (MCP elicitation); None when it confirmed."""
        ctx = self.server.request_context
        confirmation = prepared.confirmation
        wanted = types.ClientCapabilities(elicitation=types.ElicitationCapability())
        if not ctx.session.check_client_capability(wanted):
            return refusal(confirmation, "this client cannot confirm (it does not support MCP "
                                         "elicitation); confirm in `lam do` instead")
        steps = "\n".join(f"{i + 1}. {s.action}({s.args})"
                          for i, s in enumerate(prepared.proposal.plan.steps))
        message = (f"lam asks before running: {'; '.join(confirmation.reasons)}.\n{steps}")
        try:
            answer = await ctx.session.elicit_form(message, _CONFIRM_SCHEMA,
                                                   related_request_id=ctx.request_id)
        except Exception as exc:
            return refusal(confirmation, f"asking the client failed ({exc})")
        if answer.action == "accept" and (answer.content or {}).get("confirm") is True:
            return None
        return refusal(confirmation, f"the client did not confirm ({answer.action})")

    def options(self) -> Any:
        return self.server.create_initialization_options(NotificationOptions())


async def serve_stdio(serve: McpServe) -> None:
    """Serve on stdin/stdout. Anything else lam would print goes to stderr, so stdout carries
    only protocol messages."""
    from mcp.server.stdio import stdio_server

    real_stdout = sys.stdout
    out = anyio.wrap_file(io.TextIOWrapper(real_stdout.buffer, encoding="utf-8"))
    sys.stdout = sys.stderr
    try:
        async with stdio_server(stdout=out) as (read, write):
            await serve.server.run(read, write, serve.options())
    finally:
        sys.stdout = real_stdout


def serve_http(serve: McpServe, port: int, *, host: str = "127.0.0.1",
               ready: Callable[[str], None] | None = None) -> None:
    """Serve streamable HTTP at ``http://127.0.0.1:PORT/mcp`` until interrupted."""
    import uvicorn
    from mcp.server.streamable_http_manager import StreamableHTTPSessionManager
    from starlette.applications import Starlette
    from starlette.routing import Route
    from starlette.types import Receive, Scope, Send

    manager = StreamableHTTPSessionManager(app=serve.server)

    class Endpoint:  # an ASGI app (a class instance), so Route passes the raw scope
        async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
            await manager.handle_request(scope, receive, send)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        async with manager.run():
            if ready is not None:
                ready(f"http://{host}:{port}/mcp")
            yield

    app = Starlette(routes=[Route("/mcp", endpoint=Endpoint())], lifespan=lifespan)
    uvicorn.run(app, host=host, port=port, log_level="warning")
