"""How llama-cpp-python is built here (scripts/llama_build.sh, sourced by install.sh and smoke.sh):
no AMX kernels on x86_64, and a crash check that catches a wheel that dies on this CPU."""

from __future__ import annotations

import os
import platform
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BUILD = REPO / "scripts" / "llama_build.sh"


def _bash(script: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", "-c", f". {BUILD}\n{script}"], cwd=REPO, text=True,
                          capture_output=True, env={"PATH": "/usr/bin:/bin", **env}, check=False)


def test_both_install_paths_take_the_flags_and_the_check() -> None:
    for script in ("install.sh", "smoke.sh"):
        text = (REPO / "scripts" / script).read_text()
        assert ". scripts/llama_build.sh" in text, script
        assert "llama_ok" in text and "llama_rebuild" in text, script


@pytest.mark.skipif(platform.machine() != "x86_64", reason="AMX is an x86 extension")
def test_amx_kernels_are_not_compiled() -> None:
    done = _bash('echo "$CFLAGS|$CXXFLAGS"', CFLAGS="-O2")
    cflags, cxxflags = done.stdout.strip().split("|")
    for flags in (cflags, cxxflags):
        assert {"-mno-amx-tile", "-mno-amx-int8", "-mno-amx-bf16"} <= set(flags.split())
    assert "-O2" in cflags.split()  # the user's own flags are kept


@pytest.mark.skipif(platform.machine() != "x86_64", reason="AMX is an x86 extension")
def test_the_installed_llama_cpp_has_no_amx_kernels() -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    info = llama_cpp.llama_print_system_info().decode()
    assert "AMX_INT8 = 1" not in info, info


def test_llama_ok_fails_for_a_build_that_crashes(tmp_path: Path) -> None:
    crashing = tmp_path / "python-crashes"
    crashing.write_text("#!/bin/sh\nkill -SEGV $$\n")
    crashing.chmod(0o755)
    assert _bash(f"llama_ok {crashing}").returncode != 0
    fine = tmp_path / "python-fine"
    fine.write_text("#!/bin/sh\ncat >/dev/null\nexit 0\n")
    fine.chmod(0o755)
    assert _bash(f"llama_ok {fine}").returncode == 0


def test_llama_ok_decodes_with_the_real_build() -> None:
    pytest.importorskip("llama_cpp")
    models = os.environ.get("LAM_MODELS_DIR", "")
    if not models or not list(Path(models).glob("*.gguf")):
        pytest.skip("no pulled model (make test sets LAM_MODELS_DIR to the test models)")
    done = _bash(f"llama_ok {sys.executable} && echo ok", LAM_MODELS_DIR=models)
    assert done.stdout.strip() == "ok", done.stderr
