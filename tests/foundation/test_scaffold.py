"""`lam plugins new weather` makes a package that installs, loads and passes its own test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import LamRunner


def test_scaffolded_plugin_installs_loads_and_tests(run_lam: LamRunner, lam_home: Path,
                                                    tmp_path: Path) -> None:
    proc = run_lam("plugins", "new", "weather", "--dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    pkg = tmp_path / "lam-weather"
    assert (pkg / "lam_weather" / "__init__.py").is_file()

    site = tmp_path / "site"
    pip = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation",
         "--target", str(site), str(pkg)], capture_output=True, text=True, timeout=240)
    assert pip.returncode == 0, pip.stderr
    env = {"PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")])}

    rows = {r["name"]: r for r in json.loads(run_lam("plugins", "list", "--json",
                                                     env=env).stdout)}
    assert rows["weather"]["state"] == "disabled"

    (lam_home / "config" / "plugins.toml").write_text(
        '[plugins.weather]\nenabled = true\ngreeting = "Forecast for"\n')
    rows = {r["name"]: r for r in json.loads(run_lam("plugins", "list", "--json",
                                                     env=env).stdout)}
    assert rows["weather"]["state"] == "loaded"
    assert rows["weather"]["actions"] == ["weather_report"]
    actions = {a["name"]: a for a in json.loads(run_lam("actions", "list", "--json",
                                                        env=env).stdout)}
    report = actions["weather_report"]
    assert report["plugin"] == "weather"
    assert report["effect"] == "read_only"
    assert report["parameters"]["required"] == ["place"]
    assert "weather {place}" in report["templates"]

    test = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(pkg / "tests")], capture_output=True, text=True, timeout=240,
                          cwd=str(pkg), env={**os.environ, **env})
    assert test.returncode == 0, test.stdout + test.stderr
    assert "3 passed" in test.stdout


def test_scaffold_rejects_bad_names(run_lam: LamRunner, tmp_path: Path) -> None:
    proc = run_lam("plugins", "new", "Bad-Name", "--dir", str(tmp_path))
    assert proc.returncode == 2
    assert "error: plugin name 'Bad-Name' must be lower_snake_case" in proc.stderr


def test_scaffold_refuses_to_overwrite(run_lam: LamRunner, tmp_path: Path) -> None:
    assert run_lam("plugins", "new", "weather", "--dir", str(tmp_path)).returncode == 0
    proc = run_lam("plugins", "new", "weather", "--dir", str(tmp_path))
    assert proc.returncode == 2
    assert "already exists" in proc.stderr
