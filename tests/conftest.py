"""Shared fixtures: every test gets its own lam home; nothing touches the user's files."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def lam_home(tmp_path: Path) -> Path:
    home = tmp_path / "lamhome"
    (home / "config").mkdir(parents=True)
    return home


LamRunner = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def run_lam(lam_home: Path) -> LamRunner:
    """Run the real `lam` command as a subprocess on a clean home."""

    def run(*args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 240) -> subprocess.CompletedProcess[str]:
        full_env = {**os.environ, "LAM_HOME": str(lam_home), **(env or {})}
        full_env.pop("LAM_DEBUG", None)
        return subprocess.run([sys.executable, "-m", "assistant.cli.main", *args], input=input,
                              env=full_env, capture_output=True, text=True, timeout=timeout,
                              cwd=str(lam_home))

    return run


@pytest.fixture(scope="session")
def test_models_dir() -> Path:
    """The shared cache of test models (pulled by `scripts/install.sh --test`)."""
    path = Path(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models").expanduser()
    from models.store import ModelStore

    ModelStore(path).pull("default")
    return path


@pytest.fixture(scope="module")
def live_specs() -> Iterator[dict[str, Any]]:
    """The action specs (name -> `ActionSpec`) of a runtime with the built-in plugins, on a
    temporary home."""
    import tempfile

    from assistant.runtime import Runtime, RuntimeOptions

    with tempfile.TemporaryDirectory() as home:
        runtime = Runtime(RuntimeOptions(home=home))
        try:
            yield {s.name: s for s in runtime.registry}
        finally:
            runtime.close()
