"""Each plugin/config failure is a clear, named error, and the rest of lam still works."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import LamRunner
from tests.foundation.fakeplugins import write_fake_plugins


@pytest.fixture
def fake_env(tmp_path: Path) -> dict[str, str]:
    root = write_fake_plugins(tmp_path / "fakes")
    return {"PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}


def write_user_config(lam_home: Path, text: str) -> Path:
    path = lam_home / "config" / "plugins.toml"
    path.write_text(text)
    return path


def statuses(run_lam: LamRunner, env: dict[str, str]) -> dict[str, dict[str, object]]:
    proc = run_lam("plugins", "list", "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    return {row["name"]: row for row in json.loads(proc.stdout)}


def test_malformed_toml_names_file_line_and_column(run_lam: LamRunner, lam_home: Path) -> None:
    path = write_user_config(lam_home, '[lam]\nmodel = "x"\nthreads = = 2\n')
    proc = run_lam("plugins", "list")
    assert proc.returncode == 2
    assert f"error: {path}:3:11: malformed TOML: Invalid value" in proc.stderr
    assert "hint:" in proc.stderr


def test_bad_lam_setting_names_the_line(run_lam: LamRunner, lam_home: Path) -> None:
    path = write_user_config(lam_home, '[lam]\n\nthreads = "many"\n')
    proc = run_lam("actions", "list")
    assert proc.returncode == 2
    assert f"error: {path}:3: [lam] threads: Input should be a valid integer" in proc.stderr


def test_unknown_plugin_is_named_and_others_load(run_lam: LamRunner, lam_home: Path,
                                                 fake_env: dict[str, str]) -> None:
    write_user_config(lam_home, "[plugins.good]\nenabled = true\n\n[plugins.nosuch]\n"
                                "enabled = true\n")
    rows = statuses(run_lam, fake_env)
    assert rows["nosuch"]["state"] == "failed"
    assert str(rows["nosuch"]["error"]).startswith(
        "plugin 'nosuch': unknown plugin (enabled in ")
    assert "pip install the package that provides 'nosuch'" in str(rows["nosuch"]["hint"])
    assert rows["good"]["state"] == "loaded"
    assert rows["good"]["actions"] == ["hello"]


def test_invalid_settings_are_named(run_lam: LamRunner, lam_home: Path,
                                    fake_env: dict[str, str]) -> None:
    path = write_user_config(lam_home, '[plugins.good]\nenabled = true\ncount = "lots"\n')
    rows = statuses(run_lam, fake_env)
    assert rows["good"]["state"] == "failed"
    assert rows["good"]["error"] == (  # the key's own line (issue #24.7), not the header's
        f"plugin 'good': invalid setting: {path}:3: [plugins.good] count: "
        "Input should be a valid integer, unable to parse string as an integer — "
        "e.g. count = 1 (the default)")
    assert rows["scheduler"]["state"] == "loaded"


def test_import_and_load_failures_are_named(run_lam: LamRunner, lam_home: Path,
                                            fake_env: dict[str, str]) -> None:
    write_user_config(lam_home, "[plugins.good]\n[plugins.importboom]\n[plugins.loadboom]\n")
    rows = statuses(run_lam, fake_env)
    assert rows["importboom"]["error"] == (
        "plugin 'importboom': failed to import lamfake_importboom:Nothing: "
        "RuntimeError: boom at import")
    assert rows["loadboom"]["error"] == (
        "plugin 'loadboom': failed to load: ValueError: cannot open the widget store")
    assert rows["good"]["state"] == "loaded"
    proc = run_lam("actions", "list", "--json", env=fake_env)
    assert proc.returncode == 0
    names = {a["name"] for a in json.loads(proc.stdout)}
    assert "hello" in names


def test_duplicate_action_names_are_named(run_lam: LamRunner, lam_home: Path,
                                          fake_env: dict[str, str]) -> None:
    write_user_config(lam_home, "[plugins.good]\n[plugins.twin]\n")
    rows = statuses(run_lam, fake_env)
    assert rows["good"]["state"] == "loaded"
    assert rows["twin"]["state"] == "failed"
    assert rows["twin"]["error"] == (
        "plugin 'twin': action 'hello' is already declared by plugin 'good'")
    proc = run_lam("actions", "list", "--json", env=fake_env)
    hello = [a for a in json.loads(proc.stdout) if a["name"] == "hello"]
    assert [a["plugin"] for a in hello] == ["good"]


def test_no_plugins_flag_loads_none(run_lam: LamRunner) -> None:
    proc = run_lam("--no-plugins", "plugins", "list", "--json")
    assert proc.returncode == 0
    rows = json.loads(proc.stdout)
    assert rows and all(r["state"] == "disabled" for r in rows)
    proc = run_lam("--no-plugins", "actions", "list", "--json")
    assert json.loads(proc.stdout) == []


def test_disabled_plugin_is_not_loaded(run_lam: LamRunner, lam_home: Path) -> None:
    write_user_config(lam_home, "[plugins.scheduler]\nenabled = false\n")
    proc = run_lam("plugins", "list", "--json")
    rows = {r["name"]: r for r in json.loads(proc.stdout)}
    assert rows["scheduler"]["state"] == "disabled"
    assert rows["browser"]["state"] == "loaded"
