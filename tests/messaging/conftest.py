"""Fixtures: real SMTP (aiosmtpd) and IMAP (Dovecot) servers on loopback, per test or session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.messaging.settings import MessagingSettings
from tests.messaging.servers import Cert, Dovecot, ScriptedHandler, SmtpServer, make_cert


@pytest.fixture(scope="session")
def cert(tmp_path_factory: pytest.TempPathFactory) -> Cert:
    return make_cert(tmp_path_factory.mktemp("cert"))


@pytest.fixture(scope="session")
def dovecot(cert: Cert) -> Iterator[Dovecot]:
    server = Dovecot(cert)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def mail_user(dovecot: Dovecot) -> tuple[str, str]:
    return dovecot.add_user()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(ScriptedHandler())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def settings(smtp: SmtpServer, dovecot: Dovecot, mail_user: tuple[str, str]
             ) -> MessagingSettings:
    """Plain SMTP to the test server, plain IMAP to Dovecot; copies filed by lam."""
    return MessagingSettings(
        from_address="Ann Lee <ann@example.org>", username=mail_user[0],
        smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="plain",
        imap_host="127.0.0.1", imap_port=dovecot.port, imap_security="plain",
        retry_backoff_seconds=0.01, timeout_seconds=10)


@pytest.fixture
def mail_env(monkeypatch: pytest.MonkeyPatch, mail_user: tuple[str, str]) -> tuple[str, str]:
    monkeypatch.setenv("LAM_MAIL_USER", mail_user[0])
    monkeypatch.setenv("LAM_MAIL_PASSWORD", mail_user[1])
    return mail_user


def raw_message(sender: str, subject: str, body: str, message_id: str, *,
                extra: str = "") -> bytes:
    return (f"From: {sender}\r\nTo: Ann Lee <ann@example.org>\r\nSubject: {subject}\r\n"
            f"Date: Mon, 3 Mar 2025 10:00:00 +0000\r\nMessage-ID: {message_id}\r\n{extra}"
            f"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body}\r\n").encode()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    return d
