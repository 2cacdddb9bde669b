from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.config import LamConfig, PluginConfig
from assistant.paths import Paths
from assistant.plugin_loader import load_plugins
from assistant.runtime import Runtime, RuntimeOptions
from tests.core.demo_plugin import DemoPlugin

NOW = datetime(2026, 11, 24, 10, 15, tzinfo=ZoneInfo("Europe/Berlin"))


class DemoEntryPoint:
    name = "demo"
    value = "tests.core.demo_plugin:DemoPlugin"

    def load(self) -> type[DemoPlugin]:
        return DemoPlugin


def make_runtime(home: Path, **settings: object) -> Runtime:
    config = LamConfig(plugins={"demo": PluginConfig(name="demo", settings=dict(settings))})
    config.lam.timezone = "Europe/Berlin"
    runtime = Runtime(RuntimeOptions(home=str(home), now=NOW), config=config,
                      paths=Paths(home / "config", home / "data"))
    runtime._loaded = load_plugins(config, runtime.capabilities,
                                   available={"demo": DemoEntryPoint()})  # type: ignore[dict-item]
    runtime.model_factories = {1: lambda: None, 2: lambda: None}
    return runtime


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path)
    yield rt
    rt.close()
