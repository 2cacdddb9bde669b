"""Fixtures for the TUI tests: a runtime on a temp home with the test plugin, fixed clock."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from assistant.config import LamConfig, PluginConfig
from assistant.paths import Paths
from assistant.plugin_loader import load_plugins
from assistant.runtime import Runtime, RuntimeOptions
from assistant.tui.app import LamApp
from tests.tui.tui_plugin import TuiDemoPlugin

NOW = datetime(2026, 11, 24, 10, 15, tzinfo=ZoneInfo("Europe/Berlin"))
SIZE = (120, 36)


class TuiEntryPoint:
    name = "tuidemo"
    value = "tests.tui.tui_plugin:TuiDemoPlugin"

    def load(self) -> type[TuiDemoPlugin]:
        return TuiDemoPlugin


def make_runtime(home: Path, *, with_model: bool = False) -> Runtime:
    """A runtime with only the test plugin; tier 1 is the real default model if asked."""
    config = LamConfig(plugins={"tuidemo": PluginConfig(name="tuidemo", settings={})})
    config.lam.timezone = "Europe/Berlin"
    config.lam.threads = 2  # fixed: llama.cpp's output may vary with the thread count
    runtime = Runtime(RuntimeOptions(home=str(home), now=NOW), config=config,
                      paths=Paths(home / "config", home / "data"))
    runtime._loaded = load_plugins(config, runtime.capabilities,
                                   available={"tuidemo": TuiEntryPoint()})  # type: ignore[dict-item]
    runtime.model_factories = {2: lambda: None} if with_model else {1: lambda: None,
                                                                    2: lambda: None}
    return runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path)
    yield rt
    rt.close()


def sink(runtime: Runtime) -> list[dict[str, Any]]:
    """What the test plugin's actions did."""
    path = runtime.paths.data_dir / "plugins" / "tuidemo" / "sink.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool],
                   timeout: float = 120.0) -> None:
    """Pause the pilot until ``condition`` holds (workers report back asynchronously)."""
    import time

    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the app")
        await pilot.pause(0.02)
    await pilot.pause()


async def ready(pilot: Pilot[Any]) -> LamApp:
    app = pilot.app
    assert isinstance(app, LamApp)
    await wait_for(pilot, lambda: app.session is not None and not app.busy)
    return app


async def ask(pilot: Pilot[Any], text: str) -> LamApp:
    """Type a request, press enter and wait until lam has answered it."""
    app = await ready(pilot)
    app.input.focus()
    await pilot.press(*text, "enter")
    await wait_for(pilot, lambda: not app.busy)
    return app


@pytest.fixture
def anyio_backend() -> str:
    """Pilot tests are async: run them on asyncio (anyio's pytest plugin)."""
    return "asyncio"
