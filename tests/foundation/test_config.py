"""The user's plugins.toml overrides the shipped one, table by table."""

from __future__ import annotations

from pathlib import Path

from assistant.config import load_config
from assistant.paths import shipped_config_path


def test_shipped_config_loads_with_defaults() -> None:
    config = load_config(shipped_config_path())
    assert config.lam.model == "qwen2.5-coder-0.5b"
    assert set(config.plugins) >= {"browser", "scheduler", "messaging"}
    assert config.confirm.external_send and not config.confirm.read_only


def test_user_file_overrides_table_by_table(tmp_path: Path) -> None:
    user = tmp_path / "plugins.toml"
    user.write_text('[lam]\nthreads = 1\n[confirm]\nlocal_write = true\n'
                    '[plugins.browser]\nheadless = false\n[plugins.messaging]\nenabled = false\n')
    config = load_config(shipped_config_path(), user)
    assert config.lam.threads == 1
    assert config.lam.model == "qwen2.5-coder-0.5b"
    assert config.confirm.local_write and config.confirm.external_send
    assert config.plugins["browser"].settings["headless"] is False
    assert config.plugins["browser"].settings["timeout_ms"] == 10000
    assert config.plugins["browser"].enabled
    assert not config.plugins["messaging"].enabled
    assert config.files == [str(shipped_config_path()), str(user)]
