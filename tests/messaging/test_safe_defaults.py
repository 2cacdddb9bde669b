"""Safe defaults of the messaging plugin (issue #18 item 4): vCard exports are written inside
the plugin's files folder unless the user confirms another path, and a password is never sent
in clear text to a host that is not loopback unless ``allow_plaintext_auth = true``."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from actions import Capabilities, Plan, Provenance, Step, ValueSource, Violation
from assistant.registry import ActionRegistry
from assistant.verify import Verifier
from plugins.messaging import MessagingPlugin, MessagingSettings
from plugins.messaging.contacts import Contact
from plugins.messaging.settings import Credentials
from plugins.messaging.smtp_send import Outcome, SmtpSender, is_loopback_host
from tests.messaging.helpers import run_action
from tests.messaging.servers import free_port

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
RAW = (b"From: ann@example.org\r\nTo: bob@example.org\r\nSubject: hi\r\n"
       b"Message-ID: <x@lam>\r\n\r\nhello\r\n")


# -- export_vcard writes inside files_dir -----------------------------------------------------
@pytest.fixture
def plugin(tmp_path: Path) -> Iterator[MessagingPlugin]:
    p = MessagingPlugin(Capabilities(settings=MessagingSettings(), data_dir=tmp_path / "data"))
    p.contacts.add_many([Contact(name="Alice Chen", emails=["alice@chen.org"])])
    yield p
    p.close()


def _verify(plugin: MessagingPlugin, path: str,
            source: ValueSource | None = None) -> list[Violation]:
    registry = ActionRegistry()
    for spec in plugin.actions():
        registry.add(spec)
    step = Step(action="export_vcard", args={"path": path},
                sources={"path": source} if source else {})
    return Verifier(registry).verify(Plan(steps=[step]), {}, NOW)


def test_export_goes_inside_the_files_folder(plugin: MessagingPlugin, tmp_path: Path) -> None:
    assert _verify(plugin, "contacts.vcf") == []
    result = run_action(plugin, "export_vcard", path="contacts.vcf")
    written = tmp_path / "data" / "files" / "contacts.vcf"
    assert result.ok and result.output["path"] == str(written.resolve())
    assert "FN:Alice Chen" in written.read_text()
    assert not (Path.cwd() / "contacts.vcf").exists()


@pytest.mark.parametrize("path", ["../contacts.vcf", "a/../../../contacts.vcf", "~/c.vcf",
                                  "/tmp/lam-elsewhere.vcf"])
def test_export_outside_the_folder_asks_showing_the_resolved_path(
        plugin: MessagingPlugin, path: str) -> None:
    resolved = plugin._export_path(path)
    (violation,) = _verify(plugin, path)
    assert violation.needs_confirmation, violation
    assert f"writes {resolved}, outside lam's folder {plugin.files_dir().resolve()}" in \
        violation.message


def test_export_path_from_untrusted_text_always_asks(plugin: MessagingPlugin) -> None:
    mail = ValueSource(kind="entity", entity_id="email:7",
                       provenance=Provenance.untrusted("email from mallory@evil.example"))
    (violation,) = _verify(plugin, "contacts.vcf", mail)  # inside the folder, still asked
    assert violation.needs_confirmation and violation.param == "path"
    assert "mallory@evil.example" in violation.message


def test_files_dir_setting(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    p = MessagingPlugin(Capabilities(settings=MessagingSettings(files_dir=str(folder)),
                                     data_dir=tmp_path / "data"))
    try:
        assert run_action(p, "export_vcard", path="all.vcf").output["path"] == \
            str(folder.resolve() / "all.vcf")
    finally:
        p.close()


# -- no password in clear text to a host that is not loopback ---------------------------------
class _Counting(SMTP):
    def __init__(self, *args: Any, seen: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._seen = seen

    def connection_made(self, transport: Any) -> None:
        self._seen.append("connect")
        super().connection_made(transport)


class _Sink:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.messages.append(bytes(envelope.content or b""))
        return "250 OK"


class PlainAuthServer(Controller):
    """aiosmtpd that offers AUTH over an unencrypted connection, on any address."""

    def __init__(self, host: str) -> None:
        self.seen: list[str] = []
        self.sink = _Sink()
        super().__init__(self.sink, hostname=host, port=free_port(),
                         authenticator=self._auth, auth_require_tls=False)

    def factory(self) -> SMTP:
        return _Counting(self.handler, seen=self.seen, **self.SMTP_kwargs)

    def _auth(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
              auth_data: Any) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            self.seen.append(f"login {auth_data.login.decode()}:{auth_data.password.decode()}")
        return AuthResult(success=True, handled=False)


def _non_loopback_address() -> str | None:
    """An address of this machine that is not loopback (the interface of the default route)."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("192.0.2.1", 9))  # TEST-NET-1: no packet is sent for a UDP connect
            address = str(s.getsockname()[0])
    except OSError:
        return None
    return None if address.startswith("127.") or address == "0.0.0.0" else address


def _settings(host: str, port: int, **extra: Any) -> MessagingSettings:
    return MessagingSettings(from_address="ann@example.org", smtp_host=host, smtp_port=port,
                             smtp_security="plain", timeout_seconds=5, **extra)


CREDS = Credentials("ann", "hunter2")


def test_plain_login_to_a_remote_host_is_refused_before_connecting() -> None:
    attempt = SmtpSender(_settings("mail.example.invalid", 25), CREDS).send(
        RAW, "ann@example.org", ["bob@example.org"])
    assert attempt.outcome is Outcome.PERMANENT
    assert attempt.error.startswith('smtp_security = "plain" would send the password for ann '
                                    "in clear text to mail.example.invalid")
    assert "allow_plaintext_auth = true" in attempt.error and "[plugins.messaging]" in attempt.error


def test_plain_login_refused_on_a_real_server_unless_allowed() -> None:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to run the server on")
    server = PlainAuthServer(address)
    server.start()
    server.seen.clear()  # start() checks the server with a connection of its own
    try:
        refused = SmtpSender(_settings(address, server.port), CREDS).send(
            RAW, "ann@example.org", ["bob@example.org"])
        assert refused.outcome is Outcome.PERMANENT and "allow_plaintext_auth" in refused.error
        assert server.seen == []  # not even a connection: the password never left
        allowed = SmtpSender(_settings(address, server.port, allow_plaintext_auth=True),
                             CREDS).send(RAW, "ann@example.org", ["bob@example.org"])
        assert allowed.outcome is Outcome.SENT, allowed.error
        assert "login ann:hunter2" in server.seen and len(server.sink.messages) == 1
    finally:
        server.stop()


def test_plain_login_to_loopback_is_fine() -> None:
    server = PlainAuthServer("127.0.0.1")
    server.start()
    try:
        sent = SmtpSender(_settings("127.0.0.1", server.port), CREDS).send(
            RAW, "ann@example.org", ["bob@example.org"])
        assert sent.outcome is Outcome.SENT, sent.error
        assert "login ann:hunter2" in server.seen
    finally:
        server.stop()


def test_plain_without_a_password_is_not_refused() -> None:
    attempt = SmtpSender(_settings("mail.example.invalid", 25), None).send(
        RAW, "ann@example.org", ["bob@example.org"])
    assert "allow_plaintext_auth" not in attempt.error  # it tried (and could not connect)


@pytest.mark.parametrize(("host", "loopback"), [
    ("localhost", True), ("LOCALHOST.", True), ("mail.localhost", True), ("127.0.0.1", True),
    ("127.8.9.10", True), ("::1", True), ("[::1]", True), ("mail.example.org", False),
    ("10.0.0.1", False), ("localhost.example.org", False), ("128.0.0.1", False)])
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert is_loopback_host(host) is loopback


def test_plain_imap_login_to_a_remote_host_is_refused_before_connecting() -> None:
    from plugins.messaging.channel import ChannelError
    from plugins.messaging.imap_read import ImapMailbox

    settings = MessagingSettings(from_address="ann@example.org", imap_host="mail.example.invalid",
                                 imap_port=143, imap_security="plain", timeout_seconds=5)
    with pytest.raises(ChannelError) as err, ImapMailbox(settings, CREDS).connect():
        pass
    assert str(err.value).startswith('imap_security = "plain" would send the password for ann '
                                     "in clear text to mail.example.invalid")
    allowed = settings.model_copy(update={"allow_plaintext_auth": True})
    with pytest.raises(ChannelError) as err, ImapMailbox(allowed, CREDS).connect():
        pass
    assert "cannot connect to IMAP mail.example.invalid" in str(err.value)
