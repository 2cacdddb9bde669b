"""`make start` gives lam the user's own environment: the test models cache is for the test
targets only (issue #18, item 1)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

_RECORDER = """#!{python}
import json, os, sys
with open({log!r}, "a") as f:
    f.write(json.dumps({{"args": sys.argv[1:], "env": dict(os.environ)}}) + "\\n")
"""


def _recipe_calls(target: str, tmp_path: Path) -> list[dict[str, object]]:
    """Run ``make TARGET`` with the installer replaced by ``true`` and ``lam`` by a script
    that records its arguments and environment; the recorded calls."""
    log = tmp_path / "calls.jsonl"
    fake = tmp_path / "lam"
    fake.write_text(_RECORDER.format(python=sys.executable, log=str(log)))
    fake.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAM_", "MAKE"))}
    proc = subprocess.run(["make", "-s", target, "INSTALL=true", f"LAM={fake}"], cwd=REPO,
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return [json.loads(line) for line in log.read_text().splitlines()]


def test_make_start_runs_lam_without_the_test_models_dir(tmp_path: Path) -> None:
    calls = _recipe_calls("start", tmp_path)
    assert [c["args"] for c in calls] == [["models", "prepare"], []]
    for call in calls:
        env = call["env"]
        assert isinstance(env, dict)
        assert "LAM_MODELS_DIR" not in env, env.get("LAM_MODELS_DIR")


def test_only_the_test_targets_use_the_test_models_cache() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAM_", "MAKE"))}
    proc = subprocess.run(["make", "-s", "-p", "-n", "lint"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    # make -p prints each target-specific variable as "TARGET: NAME = VALUE"
    targets = set(re.findall(r"^([\w-]+): LAM_MODELS_DIR \??= \$\(TEST_MODELS_DIR\)$",
                             proc.stdout, re.M))
    assert {"test", "check", "unit", "smoke"} <= targets, targets
    assert "start" not in targets
    assert not re.search(r"^LAM_MODELS_DIR", proc.stdout, re.M), "set for every target"


def test_the_scripts_make_runs_are_executable_in_a_fresh_clone() -> None:
    """A clone gets the modes git stores: `make start` runs scripts/install.sh directly."""
    proc = subprocess.run(["git", "ls-files", "-s", "scripts", ".ci"], cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    if proc.returncode != 0:
        pytest.skip("not a git checkout")
    modes = {line.split()[3]: line.split()[0] for line in proc.stdout.splitlines()}
    for script in ("scripts/install.sh", "scripts/smoke.sh", ".ci/run"):
        assert modes.get(script) == "100755", (script, modes.get(script))
