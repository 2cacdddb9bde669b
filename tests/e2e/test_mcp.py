"""MCP both ways, with the installed `lam` (issue #22).

lam as a client: the reference filesystem server from npm (run with node) and the FastMCP demo
server of tests/mcp, named in plugins.toml. lam as a server: `lam mcp serve` (stdio and
``--http PORT``), driven by the official SDK's client, against a real SMTP server on loopback."""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import ClientSession, StdioServerParameters, types
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

from tests.e2e.conftest import E2E, installed_lam
from tests.mcp.conftest import DEMO_SERVER, free_port, fs_server_js, wait_port
from tests.messaging.servers import SmtpServer

pytestmark = pytest.mark.slow


def out(proc: object) -> str:
    return f"stdout:\n{getattr(proc, 'stdout', '')}\nstderr:\n{getattr(proc, 'stderr', '')}"


def received(server: SmtpServer) -> list[Any]:
    server.wait_idle()
    with server.handler.lock:
        return list(server.handler.received)


def journal_actions(home: Path) -> list[tuple[str, str]]:
    """(action, state) of every journaled step, read from lam's journal database."""
    with sqlite3.connect(home / "data" / "journal.sqlite") as conn:
        return [(str(a), str(s)) for a, s in conn.execute("SELECT action, state FROM steps")]


# -- lam as a client ----------------------------------------------------------------------------
@pytest.fixture
def mcp_home(e2e: E2E, tmp_path: Path) -> E2E:
    files = tmp_path / "files"
    files.mkdir()
    (files / "notes.txt").write_text("buy milk\ncall the plumber\n")
    e2e.write_config(f'''
[lam]
model = ""
large_model = ""

[mcp.servers.fs]
command = "node"
args = ["{fs_server_js()}", "{files}"]

[mcp.servers.demo]
command = "{sys.executable}"
args = ["{DEMO_SERVER}"]
prefix = "demo_"

[mcp.servers.broken]
command = "{sys.executable}"
args = ["{DEMO_SERVER}"]
env = {{ DEMO_DIE_AT_START = "1" }}
''')
    return e2e


def test_plugins_list_shows_each_server(mcp_home: E2E) -> None:
    proc = mcp_home.lam("plugins", "list")
    assert proc.returncode == 0, out(proc)
    lines = {line.split()[0]: line for line in proc.stdout.splitlines() if line.strip()}
    assert "connected with 14 tools" in lines["mcp:fs"], lines["mcp:fs"]
    assert "read_text_file" in lines["mcp:fs"]
    assert "connected with 7 tools" in lines["mcp:demo"]
    assert "failed" in lines["mcp:broken"] and "missing DEMO_TOKEN" in lines["mcp:broken"]
    assert "loaded" in lines["messaging"]  # the other plugins are unaffected


def test_run_reads_a_file_through_the_filesystem_server(mcp_home: E2E, tmp_path: Path) -> None:
    auto = mcp_home.workdir / "read.toml"
    auto.write_text(f'''name = "read"
[[steps]]
action = "read_text_file"
args = {{ path = "{tmp_path / 'files' / 'notes.txt'}" }}
''')
    proc = mcp_home.lam("run", "read.toml")
    assert proc.returncode == 0, out(proc)
    assert "read_text_file: ok — buy milk" in proc.stdout, out(proc)
    rows = json.loads(mcp_home.lam("journal", "--json", check=True).stdout)
    assert rows[0]["status"] == "done", rows[0]


def test_a_write_tool_needs_confirmation(mcp_home: E2E, tmp_path: Path) -> None:
    target = tmp_path / "files" / "new.txt"
    (mcp_home.workdir / "write.toml").write_text(f'''name = "write"
[[steps]]
action = "write_file"
args = {{ path = "{target}", content = "hello" }}
''')
    proc = mcp_home.lam("run", "write.toml")
    assert proc.returncode == 5, out(proc)
    assert not target.exists()
    proc = mcp_home.lam("run", "write.toml", "--yes")
    assert proc.returncode == 0, out(proc)
    assert target.read_text() == "hello"


def test_a_crashing_server_is_a_failed_step_and_the_report_says_what_ran(mcp_home: E2E) -> None:
    (mcp_home.workdir / "crash.toml").write_text('''name = "crash"
[[steps]]
action = "demo_count_words"
args = { text = "one two" }
[[steps]]
action = "demo_crash_server"
[[steps]]
action = "list_allowed_directories"
''')
    proc = mcp_home.lam("run", "crash.toml", "--yes")
    assert proc.returncode == 6, out(proc)
    assert "1. demo_count_words: ok — 2 words" in proc.stdout, out(proc)
    assert "2. demo_crash_server: failed" in proc.stdout
    assert "closed the connection" in proc.stdout and "crashing on purpose" in proc.stdout
    assert "3. list_allowed_directories: not_run" in proc.stdout


@pytest.mark.model
def test_do_plans_over_the_servers_tools_with_the_model(e2e: E2E, tmp_path: Path) -> None:
    """The tier-1 model plans over the filesystem server's tools (their JSON schemas), and the
    read runs without a confirmation."""
    files = tmp_path / "shared"
    files.mkdir()
    (files / "groceries.txt").write_text("milk\n")
    e2e.write_config(f'''
[lam]
large_model = ""

[mcp.servers.fs]
command = "node"
args = ["{fs_server_js()}", "{files}"]
''')
    proc = e2e.lam("do", f"list the files in the folder {files}", timeout=900)
    assert proc.returncode == 0, out(proc)
    assert "list_directory" in proc.stdout and "groceries.txt" in proc.stdout, out(proc)


# -- lam as a server ----------------------------------------------------------------------------
ElicitFn = Callable[[Any, types.ElicitRequestParams], Awaitable[types.ElicitResult]]


def serve_params(home: E2E) -> StdioServerParameters:
    return StdioServerParameters(command=installed_lam(), args=["mcp", "serve"],
                                 env=home.env, cwd=str(home.workdir))


async def with_client(home: E2E, body: Callable[[ClientSession], Awaitable[Any]],
                      elicit: ElicitFn | None = None) -> Any:
    kwargs: dict[str, Any] = {"elicitation_callback": elicit} if elicit else {}
    async with stdio_client(serve_params(home)) as (read, write), \
            ClientSession(read, write, **kwargs) as session:
        await session.initialize()
        return await body(session)


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(c.text for c in result.content if isinstance(c, types.TextContent))


REQUEST = "email bob@example.org that the list is ready"


def test_serve_lists_plans_runs_a_read_action_and_refuses_a_send(
        mail_home: E2E, e2e_smtp: SmtpServer) -> None:
    async def body(session: ClientSession) -> dict[str, Any]:
        tools = {t.name: t for t in (await session.list_tools()).tools}
        planned = await session.call_tool("plan", {"request": REQUEST})
        read = await session.call_tool("list_contacts", {})
        refused = await session.call_tool(
            "run_plan", {"steps": planned.structuredContent["plan"]["steps"]})
        direct = await session.call_tool("send_email", {"to": "bob@example.org",
                                                        "body": "hi"})
        return {"tools": tools, "planned": planned, "read": read, "refused": refused,
                "direct": direct}

    got = anyio.run(with_client, mail_home, body)
    tools = got["tools"]
    assert {"plan", "run_plan", "send_email", "list_contacts", "set_reminder"} <= set(tools)
    assert tools["list_contacts"].annotations.readOnlyHint is True
    send = tools["send_email"]
    assert send.annotations.readOnlyHint is False and send.annotations.openWorldHint is True
    assert "to" in send.inputSchema["properties"]

    planned = got["planned"]
    assert not planned.isError, text_of(planned)
    plan = planned.structuredContent
    assert [s["action"] for s in plan["plan"]["steps"]] == ["send_email"]
    assert plan["runnable"] and plan["confirmation"]["needed"]

    assert not got["read"].isError, text_of(got["read"])

    for key in ("refused", "direct"):
        result = got[key]
        assert result.isError, text_of(result)
        assert "step 1 send_email is external_send" in text_of(result)
        assert "elicitation" in text_of(result) and "nothing ran" in text_of(result)
    assert received(e2e_smtp) == []
    assert ("send_email", "ok") not in journal_actions(mail_home.home)
    assert ("list_contacts", "ok") in journal_actions(mail_home.home)  # journaled too


def test_serve_runs_a_send_the_client_confirms(mail_home: E2E, e2e_smtp: SmtpServer) -> None:
    asked: list[str] = []

    async def confirm(_ctx: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        asked.append(params.message)
        return types.ElicitResult(action="accept", content={"confirm": True})

    async def body(session: ClientSession) -> types.CallToolResult:
        return await session.call_tool("run_plan", {"request": REQUEST})

    result = anyio.run(with_client, mail_home, body, confirm)
    assert not result.isError, text_of(result)
    assert asked and "send_email" in asked[0] and "external_send" in asked[0]
    mails = received(e2e_smtp)
    assert len(mails) == 1 and "bob@example.org" in mails[0].rcpts
    assert ("send_email", "ok") in journal_actions(mail_home.home)


def test_serve_declined_confirmation_runs_nothing(mail_home: E2E, e2e_smtp: SmtpServer) -> None:
    async def decline(_ctx: Any, _params: types.ElicitRequestParams) -> types.ElicitResult:
        return types.ElicitResult(action="decline")

    async def body(session: ClientSession) -> types.CallToolResult:
        return await session.call_tool("run_plan", {"request": REQUEST})

    result = anyio.run(with_client, mail_home, body, decline)
    assert result.isError and "did not confirm (decline)" in text_of(result)
    assert received(e2e_smtp) == []


def test_serve_verifier_applies(mail_home: E2E) -> None:
    async def body(session: ClientSession) -> types.CallToolResult:
        return await session.call_tool("run_plan", {"steps": [
            {"action": "no_such_action", "args": {}}]})

    result = anyio.run(with_client, mail_home, body)
    assert result.isError and "refused by the verifier" in text_of(result)


def test_serve_over_streamable_http(mail_home: E2E) -> None:
    port = free_port()
    proc = mail_home.spawn("mcp", "serve", "--http", str(port))
    try:
        wait_port(port, proc, timeout=60)  # type: ignore[arg-type]

        async def main() -> tuple[list[str], types.CallToolResult]:
            async with streamable_http_client(f"http://127.0.0.1:{port}/mcp") as (r, w, _), \
                    ClientSession(r, w) as session:
                await session.initialize()
                names = [t.name for t in (await session.list_tools()).tools]
                return names, await session.call_tool("plan", {"request": REQUEST})

        names, planned = anyio.run(main)
        assert "plan" in names and "send_email" in names
        assert planned.structuredContent["plan"]["steps"][0]["action"] == "send_email"
    finally:
        proc.terminate()
        proc.wait(20)
