"""Replay of a saved automation after the page changed: the step whose precondition no longer
holds is repaired by the real default model, and the repair is shown as a diff."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import LamRunner
from tests.headless.conftest import Site


@pytest.mark.model
def test_replay_repairs_only_the_broken_step(run_lam: LamRunner, configured_home: Path,
                                             site: Site, test_models_dir: Path) -> None:
    config = configured_home / "config" / "plugins.toml"
    config.write_text(config.read_text().replace('\nmodel = ""',
                                                      '\nmodel = "default"\nthreads = 2', 1))
    env = {"LAM_MODELS_DIR": str(test_models_dir)}
    proc = run_lam("do", "--yes", "--json",
                   f"open {site.url('/list')} and then open the third link", env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout)["plan"]["tier"] == 0
    assert run_lam("save", "gamma", env=env).returncode == 0

    site.set_list(["Alpha", "Gamma"])  # Beta is gone: "the third link" no longer exists
    proc = run_lam("run", "gamma", "--yes", "--json", env=env)
    out = json.loads(proc.stdout)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    first, second = out["report"]["steps"]
    assert first["repair_diff"] is None  # the step that still holds ran as stored
    assert second["repair_diff"].startswith("--- stored step\n+++ repaired step")
    assert '"mention": "the third link"' in second["repair_diff"]
    assert second["result"]["output"]["url"] == site.url("/gamma")
    assert out["model_calls"] >= 1
    assert os.path.basename(site.hits[-1]) == "gamma"
