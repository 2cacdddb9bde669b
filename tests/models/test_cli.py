"""`lam models` subcommands, run as real subprocesses."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models.torch_backend import INSTALL_HINT, TransformersBackend

Run = Callable[..., Any]


@pytest.mark.model
def test_list_and_info_of_a_pulled_model(run_lam: Run,
                                         model_path: Callable[[str], Path]) -> None:
    path = model_path("smollm2-135m")
    env = {"LAM_MODELS_DIR": str(path.parent)}
    listed = run_lam("models", "list", "--json", env=env)
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["smollm2-135m"]["pulled"] and rows["smollm2-135m"]["verified"]
    assert rows["qwen2.5-coder-0.5b"]["aliases"] == ["default"]
    info = run_lam("models", "info", "smollm2-135m", "--context", "4096", env=env)
    assert info.returncode == 0, info.stderr
    assert "134.5 M total, 134.5 M active" in info.stdout
    assert "KV cache    90 MiB" in info.stdout and "(MemAvailable): fits" in info.stdout
    data = json.loads(run_lam("models", "info", "smollm2-135m", "--json", env=env).stdout)
    assert data["gguf"]["arch"] == "llama" and data["memory"]["fits"] is True


def test_info_rm_and_errors_on_an_empty_store(run_lam: Run, tmp_path: Path) -> None:
    env = {"LAM_MODELS_DIR": str(tmp_path)}
    info = run_lam("models", "info", "default", env=env)
    assert info.returncode == 0 and "no: lam models pull qwen2.5-coder-0.5b" in info.stdout
    (tmp_path / ".partial" / "smollm2-135m").mkdir(parents=True)
    assert run_lam("models", "rm", "smollm2-135m", env=env).stdout.strip() == \
        "removed smollm2-135m"
    assert not (tmp_path / ".partial" / "smollm2-135m").exists()
    assert "not pulled" in run_lam("models", "rm", "smollm2-135m", env=env).stdout
    bad = run_lam("models", "pull", "no-such-model", env=env)
    assert bad.returncode != 0 and "hint: known models:" in bad.stderr
    missing = run_lam("models", "info", str(tmp_path / "none.gguf"), env=env)
    assert missing.returncode != 0 and "no model file" in missing.stderr
    no_moe = run_lam("models", "info", "moe", env=env)
    assert no_moe.returncode != 0 and "unknown model" not in no_moe.stderr
    assert "moe.gguf" in no_moe.stderr


def test_info_of_the_assembled_moe(run_lam: Run, tmp_path: Path) -> None:
    from tests.models.tiny_gguf import write_tiny_gguf

    write_tiny_gguf(tmp_path / "moe.gguf")
    info = run_lam("models", "info", "moe", "--json", env={"LAM_MODELS_DIR": str(tmp_path)})
    assert info.returncode == 0, info.stderr
    assert json.loads(info.stdout)["gguf"]["n_layer"] > 0


def test_transformers_backend_without_torch_says_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(__import__("sys").modules, "torch", None)
    with pytest.raises(ImportError) as err:
        TransformersBackend(os.devnull)
    assert INSTALL_HINT in str(err.value) and "lam-assistant[train]" in str(err.value)
