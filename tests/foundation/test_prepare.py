"""`lam models prepare` (what `make start` runs): the planner model reads its system prompt
once, the evaluated state is stored next to the models, and the first `lam plan` of a new home
loads it instead of reading the prompt again (issue #18, item 3). Real llama.cpp, the installed
`lam` command."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.model, pytest.mark.slow]

REQUEST = "I want to read about the history of the printing press online"
"""A request no template reads: tier 1 plans it."""


def _models(test_models_dir: Path, dest: Path) -> Path:
    """A models dir with the default model (linked) and no stored prompt state."""
    dest.mkdir()
    for name in ("qwen2.5-coder-0.5b.gguf", "qwen2.5-coder-0.5b.gguf.lam.json"):
        (dest / name).symlink_to((test_models_dir / name).resolve())
    return dest


def _lam(home: Path, models: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "plugins.toml").write_text('[lam]\nlarge_model = ""\n')
    # the dense model's preparation: no shipped MoE (tests/moe/test_shipped.py has that)
    env = {**os.environ, "LAM_HOME": str(home), "LAM_MODELS_DIR": str(models),
           "LAM_SHIPPED_EXPERTS": str(home / "no-shipped-experts")}
    env.pop("LAM_DEBUG", None)
    lam = shutil.which("lam")
    assert lam, "the lam command is not installed"
    return subprocess.run([lam, *args], env=env, capture_output=True, text=True, timeout=600)


def _states(models: Path) -> set[str]:
    return {p.name for p in (models / ".prefix").glob("*.state")}


def test_prepare_stores_the_prompt_state_the_first_request_uses(test_models_dir: Path,
                                                                 tmp_path: Path) -> None:
    models = _models(test_models_dir, tmp_path / "models")
    proc = _lam(tmp_path / "home", models, "models", "prepare", "--json")
    assert proc.returncode == 0, proc.stderr
    assert "tier 1 qwen2.5-coder-0.5b: reading the planner's system prompt" in proc.stderr
    prepared = json.loads(proc.stdout)
    assert [(p["tier"], p["name"], p["restored"]) for p in prepared] == \
        [(1, "qwen2.5-coder-0.5b", 0)]
    assert prepared[0]["evaluated"] > 500  # the whole system prompt
    stored = _states(models)
    assert len(stored) == 1

    # The first request of a new home: tier 1 plans it from the stored state (a different
    # system prompt would have been stored as a second state file).
    proc = _lam(tmp_path / "other-home", models, "plan", "--json", REQUEST)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["plan"]["tier"] == 1
    assert _states(models) == stored

    again = _lam(tmp_path / "home", models, "models", "prepare")
    assert again.returncode == 0, again.stderr
    assert "tier 1 qwen2.5-coder-0.5b: ready, already prepared" in again.stdout
    assert _states(models) == stored


def test_prepare_says_how_to_get_a_missing_model(tmp_path: Path) -> None:
    empty = tmp_path / "models"
    empty.mkdir()
    proc = _lam(tmp_path / "home", empty, "models", "prepare")
    assert proc.returncode == 8, proc.stdout + proc.stderr
    assert "lam models pull qwen2.5-coder-0.5b" in proc.stderr
