"""Settings: shipped keys accepted, passwords refused, credentials from env or keyring."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from plugins.messaging.settings import MessagingSettings, load_credentials

REPO = Path(__file__).resolve().parents[2]


def test_shipped_settings_validate() -> None:
    shipped = tomllib.loads((REPO / "plugins.toml").read_text())["plugins"]["messaging"]
    shipped.pop("enabled")
    s = MessagingSettings.model_validate(shipped)
    assert (s.smtp_port, s.smtp_security, s.imap_port, s.imap_security) == (587, "starttls",
                                                                           993, "tls")


@pytest.mark.parametrize("key", ["password", "smtp_password", "imap_secret"])
def test_password_in_settings_is_refused(key: str) -> None:
    with pytest.raises(ValidationError) as err:
        MessagingSettings.model_validate({"smtp_host": "x", key: "hunter2"})
    text = str(err.value)
    assert "must not be stored in plugins.toml" in text and "LAM_MAIL_PASSWORD" in text
    assert "hunter2" not in text.split("input_value")[0]


def test_unknown_key_refused() -> None:
    with pytest.raises(ValidationError):
        MessagingSettings.model_validate({"smtp_hots": "x"})


def test_credentials_from_env_then_keyring() -> None:
    s = MessagingSettings(from_address="Ann <ann@example.org>")
    asked: list[tuple[str, str]] = []

    def ring(service: str, user: str) -> str | None:
        asked.append((service, user))
        return "from-keyring" if user == "ann@example.org" else None

    env = {"LAM_MAIL_USER": "u1", "LAM_MAIL_PASSWORD": "p1"}
    creds = load_credentials(s, env=env, keyring_get=ring)
    assert creds is not None and (creds.username, creds.password) == ("u1", "p1")
    assert "p1" not in repr(creds)
    creds = load_credentials(s, env={}, keyring_get=ring)
    assert creds is not None and (creds.username, creds.password) == ("ann@example.org",
                                                                      "from-keyring")
    assert asked == [("lam-mail", "ann@example.org")]
    assert load_credentials(MessagingSettings(username="nobody"), env={},
                            keyring_get=ring) is None


def test_loader_reports_password_clearly(tmp_path: Path) -> None:
    from importlib.metadata import EntryPoint

    from actions import Capabilities
    from assistant.config import LamConfig, PluginConfig
    from assistant.plugin_loader import PluginState, load_plugins

    config = LamConfig(plugins={"messaging": PluginConfig(
        name="messaging", settings={"smtp_host": "x", "password": "hunter2"},
        source="plugins.toml", line=3)})
    ep = EntryPoint(name="messaging", value="plugins.messaging:MessagingPlugin",
                    group="lam.plugins")
    loaded = load_plugins(config, lambda _n, s: Capabilities(settings=s, data_dir=tmp_path),
                          available={"messaging": ep})
    [status] = loaded.statuses
    assert status.state is PluginState.FAILED and status.error is not None
    assert "'password' must not be stored in plugins.toml" in str(status.error)
    assert "hunter2" not in str(status.error)
