"""Settings of the messaging plugin (``[plugins.messaging]``) and where credentials come from."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["KEYRING_SERVICE", "Credentials", "MessagingSettings", "load_credentials"]

KEYRING_SERVICE = "lam-mail"
Security = Literal["starttls", "tls", "plain"]
_SECRET_KEYS = ("password", "passwd", "secret", "token")


class MessagingSettings(BaseModel):
    """``[plugins.messaging]``. Passwords never live here: see `load_credentials`."""

    model_config = ConfigDict(extra="forbid")

    from_address: str = ""
    """Sender address, e.g. ``"Ann Lee <ann@example.org>"``."""
    username: str = ""
    """Login name for SMTP/IMAP; empty = the address part of ``from_address``."""
    smtp_host: str = ""
    smtp_port: int = Field(587, ge=1, le=65535)
    smtp_security: Security = "starttls"
    allow_plaintext_auth: bool = False
    """Let ``smtp_security`` or ``imap_security = "plain"`` log in (the password in clear text)
    to a host that is not loopback; refused otherwise."""
    imap_host: str = ""
    imap_port: int = Field(993, ge=1, le=65535)
    imap_security: Security = "tls"
    cafile: str = ""
    """PEM bundle to verify the servers' certificates with; empty = the system store."""
    timeout_seconds: float = Field(30.0, gt=0, le=600)
    inbox_folder: str = "INBOX"
    sent_folder: str = "Sent"
    sent_copies: Literal["server", "append", "none"] = "append"
    """Who keeps copies of sent mail in ``sent_folder``: the ``server`` (Gmail and others file
    them automatically), lam (``append`` them over IMAP), or ``none``. Outbox reconciliation
    searches that folder by Message-ID unless ``none``."""
    smtp_retries: int = Field(3, ge=0, le=20)
    """How many times a temporary failure (4xx, dropped connection) is retried at once."""
    retry_backoff_seconds: float = Field(1.0, ge=0, le=300)
    """First retry delay; doubles with each retry."""
    files_dir: str = ""
    """Where exported files (vCards) are written (relative paths are inside it); empty =
    ``<data dir>/plugins/messaging/files``. A path outside is written only after the user
    confirms the resolved path."""

    @model_validator(mode="before")
    @classmethod
    def _no_secrets(cls, data: Any) -> Any:
        if isinstance(data, Mapping):
            for key in data:
                if any(s in str(key).lower() for s in _SECRET_KEYS):
                    raise ValueError(
                        f"'{key}' must not be stored in plugins.toml: set LAM_MAIL_PASSWORD in "
                        f"the environment or run `keyring set {KEYRING_SERVICE} <username>`")
        return data

    @property
    def login(self) -> str:
        from email.utils import parseaddr

        return self.username or parseaddr(self.from_address)[1]

    @property
    def cafile_path(self) -> Path | None:
        return Path(self.cafile).expanduser() if self.cafile else None


@dataclass(frozen=True)
class Credentials:
    username: str
    password: str = ""

    def __repr__(self) -> str:  # never print the password
        hidden = "***" if self.password else ""
        return f"Credentials(username={self.username!r}, password={hidden!r})"


def _keyring_get(service: str, user: str) -> str | None:
    try:
        import keyring
        from keyring.errors import KeyringError
    except ImportError:  # pragma: no cover - keyring is a dependency
        return None
    try:
        return keyring.get_password(service, user)
    except (KeyringError, RuntimeError):
        return None


def load_credentials(settings: MessagingSettings, env: Mapping[str, str] | None = None,
                     keyring_get: Callable[[str, str], str | None] | None = None
                     ) -> Credentials | None:
    """Login from ``LAM_MAIL_USER``/``LAM_MAIL_PASSWORD``, else the keyring (service
    ``lam-mail``, user = the login name). None when there is no password anywhere."""
    env = os.environ if env is None else env
    user = env.get("LAM_MAIL_USER") or settings.login
    password = env.get("LAM_MAIL_PASSWORD")
    if not password and user:
        password = (keyring_get or _keyring_get)(KEYRING_SERVICE, user)
    if not user or not password:
        return None
    return Credentials(user, password)
