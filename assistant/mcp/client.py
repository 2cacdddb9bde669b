"""A synchronous handle on one MCP server: the SDK's async `ClientSession` runs on a dedicated
event-loop thread, and every call waits with a timeout, so a server that crashes or hangs
gives a `McpFailure` with the reason, never a hung lam."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
from contextlib import AsyncExitStack
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, TextIO, cast

import anyio
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.exceptions import McpError

from assistant.mcp.config import McpServerSettings

__all__ = ["McpConnection", "McpFailure"]

_GRACE = 5.0
"""Seconds beyond a timeout given to the loop thread before lam stops waiting."""


class McpFailure(Exception):
    """Why an MCP server could not be reached or a call did not complete (one line)."""


def _leaf(exc: BaseException) -> BaseException:
    """The first real exception inside (nested) exception groups."""
    while isinstance(exc, BaseExceptionGroup) and exc.exceptions:
        exc = exc.exceptions[0]
    return exc


def _describe(exc: BaseException) -> str:
    leaf = _leaf(exc)
    if isinstance(leaf, McpError):
        return f"error {leaf.error.code}: {leaf.error.message}"
    text = str(leaf).strip() or type(leaf).__name__
    return f"{type(leaf).__name__}: {text}".splitlines()[0]


class McpConnection:
    """One server, connected by `connect()` (which returns its tools) and released by
    `close()`. Methods are thread-safe; the session lives on its own loop thread."""

    def __init__(self, name: str, settings: McpServerSettings, *,
                 stderr_log: Path | None = None) -> None:
        self.name = name
        self.settings = settings
        self.stderr_log = stderr_log
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True,
                                        name=f"lam-mcp-{name}")
        self._ready: concurrent.futures.Future[list[types.Tool]] = concurrent.futures.Future()
        self._main: concurrent.futures.Future[None] | None = None
        self._stop: asyncio.Event | None = None
        self._task: asyncio.Task[None] | None = None
        self._finished = threading.Event()
        self._session: ClientSession | None = None
        self._errlog: IO[str] | None = None
        self._closed = False
        self._gone = False
        """The server closed the connection (it exited or crashed)."""

    # -- lifecycle -------------------------------------------------------------------------
    def connect(self) -> list[types.Tool]:
        """Start (or reach) the server, initialize, and list its tools."""
        self._thread.start()
        self._main = asyncio.run_coroutine_threadsafe(self._serve(), self._loop)
        timeout = self.settings.connect_timeout
        try:
            return self._ready.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            said = self._last_words()
            self.close()
            raise McpFailure(f"no answer within {timeout:g} s while starting and listing "
                             f"tools{said}") from None
        except McpFailure:
            self.close()
            raise

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        self._task = asyncio.current_task()
        try:
            async with AsyncExitStack() as stack:
                read, write = await self._open(stack)
                session = await stack.enter_async_context(ClientSession(
                    read, write,
                    read_timeout_seconds=timedelta(seconds=self.settings.connect_timeout)))
                await session.initialize()
                tools = await self._list_tools(session)
                self._session = session
                self._ready.set_result(tools)
                await self._stop.wait()
        except BaseException as exc:  # reported, never raised into the loop
            if not self._ready.done():
                self._ready.set_exception(McpFailure(_describe(exc) + self._last_words()))
            if not isinstance(_leaf(exc), asyncio.CancelledError | Exception):
                raise
        finally:
            self._session = None
            self._finished.set()

    async def _open(self, stack: AsyncExitStack) -> tuple[Any, Any]:
        s = self.settings
        if s.command:
            errlog: IO[str] | None = None
            if self.stderr_log is not None:
                self.stderr_log.parent.mkdir(parents=True, exist_ok=True)
                errlog = self._errlog = self.stderr_log.open("w", encoding="utf-8")
            params = StdioServerParameters(command=s.command, args=list(s.args),
                                           env=dict(s.env) or None, cwd=s.cwd)
            if errlog is not None:
                streams = await stack.enter_async_context(
                    stdio_client(params, errlog=cast(TextIO, errlog)))
            else:
                streams = await stack.enter_async_context(stdio_client(params))
            return streams[0], streams[1]
        assert s.url is not None
        client = await stack.enter_async_context(create_mcp_http_client(
            headers=dict(s.headers) or None))
        read, write, _ = await stack.enter_async_context(
            streamable_http_client(s.url, http_client=client))
        return read, write

    @staticmethod
    async def _list_tools(session: ClientSession) -> list[types.Tool]:
        tools: list[types.Tool] = []
        cursor: str | None = None
        while True:
            page = await session.list_tools(
                params=types.PaginatedRequestParams(cursor=cursor) if cursor else None)
            tools.extend(page.tools)
            cursor = page.nextCursor
            if not cursor:
                return tools

    def close(self) -> None:
        """Stop the session (a stdio server gets its stdin closed, then a signal)."""
        if self._closed:
            return
        self._closed = True
        if self._thread.is_alive():
            if self._stop is not None:
                self._loop.call_soon_threadsafe(self._stop.set)
            if not self._finished.wait(_GRACE) and self._task is not None:
                self._loop.call_soon_threadsafe(self._task.cancel)  # a hung server
                self._finished.wait(_GRACE)
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=_GRACE)
        if not self._thread.is_alive():
            self._loop.close()
        if self._errlog is not None:
            self._errlog.close()

    # -- calls -----------------------------------------------------------------------------
    def call_tool(self, tool: str, arguments: dict[str, Any]) -> types.CallToolResult:
        """Call one tool; raise `McpFailure` when the server is gone, errs or times out."""
        session = self._session
        if self._gone:
            raise McpFailure("the server exited earlier (it crashed or quit); lam reconnects "
                             f"on its next start{self._last_words()}")
        if session is None or self._closed:
            raise McpFailure(f"not connected{self._exit_note()}")
        timeout = self.settings.call_timeout
        future = asyncio.run_coroutine_threadsafe(
            session.call_tool(tool, arguments,
                              read_timeout_seconds=timedelta(seconds=timeout)), self._loop)
        try:
            return future.result(timeout=timeout + _GRACE)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise McpFailure(f"tool '{tool}' did not answer within {timeout:g} s "
                             "(call_timeout)") from None
        except McpError as exc:
            text = exc.error.message
            if "timed out" in text.lower() or "timeout" in text.lower():
                raise McpFailure(f"tool '{tool}' did not answer within {timeout:g} s "
                                 "(call_timeout)") from exc
            if text == "Connection closed":
                self._gone = True
                raise McpFailure(f"the server closed the connection during '{tool}' (it "
                                 f"exited or crashed){self._last_words()}") from exc
            raise McpFailure(f"tool '{tool}': error {exc.error.code}: {text}") from exc
        except (anyio.ClosedResourceError, anyio.BrokenResourceError) as exc:
            self._gone = True
            raise McpFailure(f"the server is gone (it exited or crashed){self._last_words()}"
                             ) from exc
        except Exception as exc:
            raise McpFailure(f"tool '{tool}': {_describe(exc)}{self._exit_note()}") from exc

    # -- diagnostics -----------------------------------------------------------------------
    def _exit_note(self) -> str:
        main = self._main
        if main is not None and main.done():
            return f" (the server is gone; it exited or crashed){self._last_words()}"
        return ""

    def _last_words(self) -> str:
        """The last line the server wrote to stderr, if any (kept in its stderr log)."""
        if self._errlog is not None and not self._errlog.closed:
            self._errlog.flush()
        if self.stderr_log is None or not self.stderr_log.is_file():
            return ""
        try:
            lines = [ln.strip() for ln in self.stderr_log.read_text(
                encoding="utf-8", errors="replace").splitlines() if ln.strip()]
        except OSError:
            return ""
        return f"; its stderr said: {lines[-1][:200]}" if lines else ""
