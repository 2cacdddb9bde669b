"""Sending through a real aiosmtpd server: replies 4xx/5xx, partial refusals, dropped
connections, idempotency, TLS (implicit and STARTTLS) with AUTH and a cafile."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from actions import Capabilities
from plugins.messaging import MessagingPlugin, MessagingSettings
from plugins.messaging.compose import message_id_for
from plugins.messaging.contacts import Contact
from plugins.messaging.outbox import State
from tests.messaging.helpers import run_action
from tests.messaging.servers import Cert, ScriptedHandler, SmtpServer

PluginFactory = Callable[..., MessagingPlugin]


@pytest.fixture
def make_plugin(data_dir: Path, smtp: SmtpServer) -> Iterator[PluginFactory]:
    made: list[MessagingPlugin] = []

    def make(notes: list[str] | None = None, **overrides: object) -> MessagingPlugin:
        settings = MessagingSettings(
            from_address="Ann Lee <ann@example.org>", smtp_host="127.0.0.1",
            smtp_port=smtp.port, smtp_security="plain", sent_copies="none", smtp_retries=2,
            retry_backoff_seconds=0.01, timeout_seconds=10).model_copy(update=overrides)
        plugin = MessagingPlugin(Capabilities(
            settings=settings, data_dir=data_dir,
            notify=(notes.append if notes is not None else lambda _t: None)))
        plugin.contacts.add(Contact("Alice Chen", ["alice@chen.org"]))
        plugin.contacts.add(Contact("Bob Stone", ["bob@stone.net"]))
        made.append(plugin)
        return plugin

    yield make
    for p in made:
        p.close()


def test_send_to_contact_and_address(make_plugin: PluginFactory, smtp: SmtpServer) -> None:
    plugin = make_plugin()
    r = run_action(plugin, "send_email", key="step-1", to="contact:alice-chen",
                   cc=["carol@example.com"], body="Lunch at noon?\nSee you.")
    assert r.ok, r.error
    assert r.output["message_id"] == message_id_for("step-1", "ann@example.org")
    [got] = smtp.handler.received
    msg = got.message
    assert got.rcpts == ["alice@chen.org", "carol@example.com"]
    assert msg["To"] == "Alice Chen <alice@chen.org>" and msg["Cc"] == "carol@example.com"
    assert msg["From"] == "Ann Lee <ann@example.org>"
    assert msg["Subject"] == "Lunch at noon?"
    assert msg["Message-ID"] == r.output["message_id"]
    assert msg.get_content().replace("\r\n", "\n").strip() == "Lunch at noon?\nSee you."
    assert "Alice Chen <alice@chen.org>" in r.message


def test_same_key_is_sent_once(make_plugin: PluginFactory, smtp: SmtpServer) -> None:
    plugin = make_plugin()
    first = run_action(plugin, "send_email", key="k", to="bob@stone.net", body="hi")
    again = run_action(make_plugin(), "send_email", key="k", to="bob@stone.net", body="hi")
    assert first.ok and again.ok and again.output["duplicate"] is True
    assert len(smtp.handler.received) == 1


def test_generated_keys_are_distinct(make_plugin: PluginFactory, smtp: SmtpServer) -> None:
    plugin = make_plugin()
    assert run_action(plugin, "send_email", to="bob@stone.net", body="one").ok
    assert run_action(plugin, "send_email", to="bob@stone.net", body="two").ok
    assert len(set(smtp.handler.message_ids())) == 2


@pytest.mark.parametrize("reply", ["421 4.3.0 closing", "450 4.2.0 mailbox busy",
                                   "451 4.3.0 try later", "452 4.3.1 out of storage"])
def test_temporary_reply_is_retried(make_plugin: PluginFactory, smtp: SmtpServer,
                                    reply: str) -> None:
    plugin = make_plugin()
    smtp.handler.data_replies.append(reply)
    r = run_action(plugin, "send_email", key="t", to="bob@stone.net", body="x")
    assert r.ok, r.error
    assert len(smtp.handler.received) == 1
    entry = plugin.channel.outbox.get("t")
    assert entry is not None and entry.state is State.SENT and entry.attempts == 2


@pytest.mark.parametrize("reply", ["550 5.1.1 no such user", "553 5.1.3 bad address",
                                   "554 5.7.1 rejected as spam"])
def test_permanent_reply_is_reported_not_retried(make_plugin: PluginFactory, smtp: SmtpServer,
                                                 reply: str) -> None:
    plugin = make_plugin()
    smtp.handler.data_replies.append(reply)
    r = run_action(plugin, "send_email", key="p", to="bob@stone.net", body="x")
    assert not r.ok and reply in (r.error or "")
    entry = plugin.channel.outbox.get("p")
    assert entry is not None and entry.state is State.FAILED and entry.attempts == 1
    assert smtp.handler.received == []


def test_temporary_failures_exhausted_then_reconciled(make_plugin: PluginFactory,
                                                     smtp: SmtpServer) -> None:
    plugin = make_plugin()
    smtp.handler.data_replies.extend(["451 later"] * 3)
    r = run_action(plugin, "send_email", key="q", to="bob@stone.net", body="x")
    assert not r.ok and "retried at next start" in (r.error or "")
    assert plugin.channel.outbox.get("q").state is State.QUEUED  # type: ignore[union-attr]
    notes: list[str] = []
    restarted = make_plugin(notes)
    restarted.start()
    assert len(smtp.handler.received) == 1
    mid = message_id_for("q", "ann@example.org")
    assert notes == [f"messaging: unfinished message {mid} sent"]


def test_partially_refused_recipients_reported_by_name(make_plugin: PluginFactory,
                                                       smtp: SmtpServer) -> None:
    plugin = make_plugin()
    smtp.handler.rcpt_replies["bob@stone.net"] = "550 5.1.1 no such user"
    r = run_action(plugin, "send_email", to="contact:alice-chen", cc=["contact:bob-stone"],
                   body="x")
    assert r.ok
    assert "refused: Bob Stone <bob@stone.net> (550 5.1.1 no such user)" in r.message
    assert r.output["refused"] == {"Bob Stone <bob@stone.net>": "550 5.1.1 no such user"}
    assert smtp.handler.received[0].rcpts == ["alice@chen.org"]


def test_temporarily_refused_recipient_gets_it_on_retry(make_plugin: PluginFactory,
                                                        smtp: SmtpServer) -> None:
    plugin = make_plugin()
    smtp.handler.rcpt_once["bob@stone.net"] = "452 4.5.3 too many recipients"
    r = run_action(plugin, "send_email", to="contact:alice-chen", cc=["contact:bob-stone"],
                   body="x")
    assert r.ok and r.output["refused"] == {}
    assert [m.rcpts for m in smtp.handler.received] == [["alice@chen.org"], ["bob@stone.net"]]
    assert len(set(smtp.handler.message_ids())) == 1


def test_all_recipients_refused(make_plugin: PluginFactory, smtp: SmtpServer) -> None:
    smtp.handler.rcpt_replies["bob@stone.net"] = "550 5.1.1 no such user"
    r = run_action(make_plugin(), "send_email", to="bob@stone.net", body="x")
    assert not r.ok and "550 5.1.1 no such user" in (r.error or "")


def test_drop_after_final_dot_without_sent_check_resends(make_plugin: PluginFactory,
                                                         smtp: SmtpServer) -> None:
    """Documented rule: with sent_copies = "none" an unknown outcome is resent (at least
    once), so the recipient may get the same Message-ID twice."""
    smtp.handler.drop_after_dot = 1
    r = run_action(make_plugin(), "send_email", to="bob@stone.net", body="x")
    assert r.ok
    assert list(smtp.handler.message_ids().values()) == [2]
    assert smtp.handler.dropped == [r.output["message_id"]]


def test_preconditions(make_plugin: PluginFactory) -> None:
    plugin = make_plugin()
    plugin.contacts.add(Contact("No Mail"))
    r = run_action(plugin, "send_email", to="contact:no-mail", body="x")
    assert not r.ok and "No Mail has no email address" in (r.error or "")
    r = run_action(plugin, "send_email", to="contact:nobody", body="x")
    assert not r.ok and "no contact contact:nobody" in (r.error or "")
    unconfigured = make_plugin(smtp_host="")
    r = run_action(unconfigured, "send_email", to="bob@stone.net", body="x")
    assert not r.ok and "SMTP is not configured" in (r.error or "")
    spec = next(s for s in plugin.actions() if s.name == "send_email")
    assert spec.validate_args({"to": "bob", "body": "x"})[1]
    assert spec.validate_args({"to": "a@b.org\r\nBcc: evil@x.org", "body": "x"})[1]
    assert spec.sensitive_params() == {"to", "cc"}
    assert spec.effect == "external_send"


# -- TLS --------------------------------------------------------------------------------------
USERS = {"ann": "s3cret"}


@pytest.fixture(params=["tls", "starttls"])
def tls_smtp(request: pytest.FixtureRequest, cert: Cert) -> Iterator[SmtpServer]:
    server = SmtpServer(ScriptedHandler(), cert=cert, implicit_tls=request.param == "tls",
                        users=USERS)
    server.security = request.param  # type: ignore[attr-defined]
    server.start()
    yield server
    server.stop()


def _tls_plugin(tmp_path: Path, server: SmtpServer, cafile: str) -> MessagingPlugin:
    settings = MessagingSettings(from_address="ann@example.org", smtp_host="127.0.0.1",
                                 smtp_port=server.port, cafile=cafile, sent_copies="none",
                                 smtp_security=server.security,  # type: ignore[attr-defined]
                                 smtp_retries=0, timeout_seconds=10)
    return MessagingPlugin(Capabilities(settings=settings, data_dir=tmp_path))


def test_tls_with_auth(tls_smtp: SmtpServer, cert: Cert, tmp_path: Path,
                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MAIL_USER", "ann")
    monkeypatch.setenv("LAM_MAIL_PASSWORD", "s3cret")
    plugin = _tls_plugin(tmp_path, tls_smtp, str(cert.cert))
    r = run_action(plugin, "send_email", to="bob@stone.net", body="over TLS")
    plugin.close()
    assert r.ok, r.error
    assert len(tls_smtp.handler.received) == 1
    assert tls_smtp.logins == ["ann"]


def test_tls_wrong_password(tls_smtp: SmtpServer, cert: Cert, tmp_path: Path,
                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MAIL_USER", "ann")
    monkeypatch.setenv("LAM_MAIL_PASSWORD", "wrong")
    plugin = _tls_plugin(tmp_path, tls_smtp, str(cert.cert))
    r = run_action(plugin, "send_email", to="bob@stone.net", body="x")
    plugin.close()
    assert not r.ok and "login refused: 535" in (r.error or "")
    assert tls_smtp.handler.received == []


def test_tls_untrusted_certificate(tls_smtp: SmtpServer, tmp_path: Path,
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MAIL_USER", "ann")
    monkeypatch.setenv("LAM_MAIL_PASSWORD", "s3cret")
    plugin = _tls_plugin(tmp_path, tls_smtp, "")
    r = run_action(plugin, "send_email", to="bob@stone.net", body="x")
    plugin.close()
    assert not r.ok and "not trusted" in (r.error or "")
    assert tls_smtp.handler.received == []
