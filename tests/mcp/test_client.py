"""MCP servers as lam actions, against real servers: the FastMCP demo server (stdio and
streamable HTTP) and the reference filesystem server from npm, run with node."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from actions.effects import Effect
from actions.plan import Plan, Step
from assistant.execute import StepStatus
from assistant.plugin_loader import PluginState
from assistant.runtime import Runtime, RuntimeOptions
from assistant.session import Session
from tests.mcp.conftest import DEMO_SERVER, HomeFactory, demo_table, fs_server_js

pytestmark = pytest.mark.slow


@pytest.fixture
def runtimes() -> Iterator[list[Runtime]]:
    made: list[Runtime] = []
    yield made
    for runtime in made:
        runtime.close()


def open_runtime(home: Path, made: list[Runtime]) -> Runtime:
    runtime = Runtime(RuntimeOptions(home=str(home)))
    made.append(runtime)
    return runtime


def status_of(runtime: Runtime, name: str):  # type: ignore[no-untyped-def]
    return next(s for s in runtime.loaded.statuses if s.name == name)


def run_steps(runtime: Runtime, *steps: Step):  # type: ignore[no-untyped-def]
    session = Session(runtime)
    plan = Plan(request="test", steps=list(steps))
    return session.executor.run(plan, session.table)


def test_demo_tools_become_actions_with_effects_from_annotations(
        lam_home: HomeFactory, runtimes: list[Runtime]) -> None:
    runtime = open_runtime(lam_home(demo_table()), runtimes)
    status = status_of(runtime, "mcp:demo")
    assert status.state is PluginState.LOADED, status.error
    assert set(status.actions) >= {"count_words", "save_note", "wipe_notes", "tag_note"}
    registry = runtime.registry
    assert registry.get("count_words").effect is Effect.READ_ONLY  # readOnlyHint
    assert registry.get("save_note").effect is Effect.EXTERNAL_SEND  # no annotation
    assert registry.get("wipe_notes").effect is Effect.IRREVERSIBLE  # destructiveHint
    assert registry.get("tag_note").effect is Effect.LOCAL_WRITE  # closed, not destructive
    schema = registry.get("save_note").parameters_schema()
    assert schema["required"] == ["title"] and "body" in schema["properties"]
    assert registry.get("count_words").plugin == "mcp:demo"
    policy = runtime.config.confirm
    for name in ("save_note", "wipe_notes"):
        assert policy.asks(registry.get(name).effect), name
    assert not policy.asks(registry.get("count_words").effect)


def test_tool_result_is_an_untrusted_entity(lam_home: HomeFactory,
                                            runtimes: list[Runtime]) -> None:
    runtime = open_runtime(lam_home(demo_table()), runtimes)
    report = run_steps(runtime, Step(action="count_words", args={"text": "one two three"}))
    assert report.ok, report.summary()
    result = report.steps[0].result
    assert result is not None and result.output["text"] == "3 words"
    (entity,) = result.entities
    assert entity.type == "tool_result"
    assert not entity.provenance.trusted
    assert "demo" in entity.provenance.source and "count_words" in entity.provenance.source
    rows = runtime.journal.steps(report.plan_id)
    assert [r.action for r in rows] == ["count_words"] and rows[0].state == "ok"


def test_schema_is_enforced_before_the_call(lam_home: HomeFactory,
                                            runtimes: list[Runtime]) -> None:
    runtime = open_runtime(lam_home(demo_table()), runtimes)
    report = run_steps(runtime, Step(action="count_words", args={"text": 3}))
    assert not report.ok
    assert "not of type 'string'" in " ".join(report.steps[0].problems)


def test_error_result_fails_the_step_with_the_servers_words(
        lam_home: HomeFactory, runtimes: list[Runtime]) -> None:
    runtime = open_runtime(lam_home(demo_table()), runtimes)
    report = run_steps(runtime, Step(action="always_fails", args={"reason": "disk full"}),
                       Step(action="count_words", args={"text": "x"}))
    assert not report.ok
    assert report.steps[0].status is StepStatus.FAILED
    assert "returned an error" in report.steps[0].problems[0]
    assert "disk full" in report.steps[0].problems[0]
    assert report.steps[1].status is StepStatus.NOT_RUN


def test_crash_is_a_failed_step_and_other_plugins_keep_working(
        lam_home: HomeFactory, runtimes: list[Runtime]) -> None:
    home = lam_home(demo_table() + demo_table("other", prefix="o_"))
    runtime = open_runtime(home, runtimes)
    report = run_steps(runtime, Step(action="count_words", args={"text": "a b"}),
                       Step(action="crash_server"))
    assert report.steps[0].status is StepStatus.OK
    problem = report.steps[1].problems[0]
    assert "closed the connection" in problem and "crashing on purpose" in problem, problem
    again = run_steps(runtime, Step(action="count_words", args={"text": "a"}))
    assert "exited earlier" in again.steps[0].problems[0]
    other = run_steps(runtime, Step(action="o_count_words", args={"text": "still here"}))
    assert other.ok and other.steps[0].result.output["text"] == "2 words"  # type: ignore[union-attr]


def test_hanging_tool_times_out(lam_home: HomeFactory, runtimes: list[Runtime]) -> None:
    runtime = open_runtime(lam_home(demo_table(call_timeout=2)), runtimes)
    started = time.monotonic()
    report = run_steps(runtime, Step(action="sleep_forever"))
    assert time.monotonic() - started < 15
    problems = report.steps[0].problems
    assert "did not answer within 2 s" in problems[0], problems


def test_server_that_hangs_or_dies_at_start_fails_only_itself(
        lam_home: HomeFactory, runtimes: list[Runtime]) -> None:
    home = lam_home(demo_table("hangs", connect_timeout=2, env={"DEMO_HANG_AT_START": "1"})
                    + demo_table("dies", env={"DEMO_DIE_AT_START": "1"})
                    + demo_table("good"))
    started = time.monotonic()
    runtime = open_runtime(home, runtimes)
    hangs, dies, good = (status_of(runtime, f"mcp:{n}") for n in ("hangs", "dies", "good"))
    assert time.monotonic() - started < 30
    assert hangs.state is PluginState.FAILED and "no answer within 2 s" in hangs.error.message
    assert dies.state is PluginState.FAILED
    assert "missing DEMO_TOKEN" in dies.error.message, dies.error.message  # its stderr
    assert good.state is PluginState.LOADED
    assert status_of(runtime, "messaging").state is PluginState.LOADED


def test_bad_table_fails_that_server_with_the_fix(lam_home: HomeFactory,
                                                  runtimes: list[Runtime]) -> None:
    home = lam_home('[mcp.servers.both]\ncommand = "x"\nurl = "http://127.0.0.1:1/mcp"\n'
                    + demo_table())
    runtime = open_runtime(home, runtimes)
    both = status_of(runtime, "mcp:both")
    assert both.state is PluginState.FAILED
    assert "either command" in both.error.message and "plugins.toml:" in both.error.message
    assert status_of(runtime, "mcp:demo").state is PluginState.LOADED


def test_disabled_and_no_plugins(lam_home: HomeFactory, runtimes: list[Runtime]) -> None:
    home = lam_home(demo_table(enabled=False))
    assert status_of(open_runtime(home, runtimes), "mcp:demo").state is PluginState.DISABLED
    runtime = Runtime(RuntimeOptions(home=str(home), plugins=False))
    runtimes.append(runtime)
    assert status_of(runtime, "mcp:demo").state is PluginState.DISABLED


def test_streamable_http_server(lam_home: HomeFactory, runtimes: list[Runtime],
                                demo_http: str) -> None:
    runtime = open_runtime(lam_home(f'[mcp.servers.web]\nurl = "{demo_http}"\n'), runtimes)
    assert status_of(runtime, "mcp:web").state is PluginState.LOADED
    report = run_steps(runtime, Step(action="count_words", args={"text": "over http"}))
    assert report.ok and report.steps[0].result.output["text"] == "2 words"  # type: ignore[union-attr]


def test_refused_connection_is_named(lam_home: HomeFactory, runtimes: list[Runtime]) -> None:
    runtime = open_runtime(lam_home('[mcp.servers.gone]\nurl = "http://127.0.0.1:9/mcp"\n'
                                    'connect_timeout = 10\n'), runtimes)
    gone = status_of(runtime, "mcp:gone")
    assert gone.state is PluginState.FAILED
    assert "ConnectError" in gone.error.message and "127.0.0.1:9" in gone.error.hint


def test_reference_filesystem_server(lam_home: HomeFactory, runtimes: list[Runtime],
                                     tmp_path: Path) -> None:
    files = tmp_path / "files"
    files.mkdir()
    (files / "notes.txt").write_text("milk\neggs\n")
    table = (f'[mcp.servers.fs]\ncommand = "node"\n'
             f'args = ["{fs_server_js()}", "{files}"]\n')
    runtime = open_runtime(lam_home(table), runtimes)
    fs = status_of(runtime, "mcp:fs")
    assert fs.state is PluginState.LOADED, fs.error
    assert {"read_text_file", "list_directory", "write_file"} <= set(fs.actions)
    assert runtime.registry.get("read_text_file").effect is Effect.READ_ONLY
    assert runtime.config.confirm.asks(runtime.registry.get("write_file").effect)
    report = run_steps(runtime, Step(action="read_text_file",
                                     args={"path": str(files / "notes.txt")}))
    assert report.ok, report.summary()
    result = report.steps[0].result
    assert result is not None and "eggs" in result.output["text"]
    assert not result.entities[0].provenance.trusted
    outside = run_steps(runtime, Step(action="read_text_file", args={"path": "/etc/hostname"}))
    assert not outside.ok
    assert "returned an error" in outside.steps[0].problems[0]
    assert "outside allowed directories" in outside.steps[0].problems[0].lower() or \
        "access denied" in outside.steps[0].problems[0].lower()


def test_demo_server_runs_standalone() -> None:
    """The demo server is an ordinary MCP server: the SDK's own client lists its tools."""
    import anyio
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    async def main() -> list[str]:
        params = StdioServerParameters(command=sys.executable, args=[str(DEMO_SERVER)])
        async with stdio_client(params) as (read, write), ClientSession(read, write) as s:
            await s.initialize()
            return [t.name for t in (await s.list_tools()).tools]

    assert "count_words" in anyio.run(main)
