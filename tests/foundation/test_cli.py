"""The `lam` command's skeleton: help, version, lazy imports, doctor."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import LamRunner

HEAVY = ("torch", "transformers", "playwright", "llama_cpp", "textual", "pydantic")


def test_help_imports_no_heavy_library() -> None:
    code = ("import sys\nfrom assistant.cli.main import main\n"
            "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
            f"print(sorted(m for m in {HEAVY!r} if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"
    assert "lam — a local large action model assistant." in proc.stdout


def test_version(run_lam: LamRunner) -> None:
    proc = run_lam("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == "lam, version 0.1.0"


def test_unknown_command_is_bad_input(run_lam: LamRunner) -> None:
    proc = run_lam("frobnicate")
    assert proc.returncode == 2
    assert "No such command 'frobnicate'" in proc.stderr


def test_doctor_reports_each_check_with_a_fix(run_lam: LamRunner) -> None:
    proc = run_lam("doctor", env={"LAM_MODELS_DIR": "/nonexistent-lam-models"})
    lines = proc.stdout.splitlines()
    assert any(line.startswith("[ok  ] config") for line in lines)
    assert any(line.startswith("[ok  ] data dir") for line in lines)
    model = next(line for line in lines if "] model" in line)
    assert model.startswith("[FAIL]"), proc.stdout
    assert "lam models pull" in proc.stdout
    assert proc.returncode == 1


def test_doctor_explains_a_missing_browser(run_lam: LamRunner) -> None:
    proc = run_lam("doctor", env={"PATH": "/nonexistent", "LAM_CHROMIUM": "/nonexistent/chrome"})
    browser = next(line for line in proc.stdout.splitlines() if "] browser" in line)
    if browser.startswith("[ok  ]"):
        # /usr/bin/chromium exists on this machine: the check found it by its fixed path.
        assert "/usr/bin/chromium" in browser
    else:
        assert "apt-get install chromium" in proc.stdout
