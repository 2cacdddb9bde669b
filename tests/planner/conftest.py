"""Fixtures for planner tests: a runtime with the real plugins in a temp home and a fixed clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from assistant.runtime import Runtime, RuntimeOptions

NOW = datetime(2026, 11, 24, 10, 15, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = Runtime(RuntimeOptions(home=str(tmp_path), now=NOW, tz="Europe/Berlin"))
    yield rt
    rt.close()
