"""Mail through the whole planner (cascade with the real default model loaded), real SMTP and
IMAP servers: email / reply / forward are sent correctly, each only after confirmation."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email.message import Message
from pathlib import Path

import pytest

from actions import PlanKind
from assistant.config import LamConfig, PluginConfig
from assistant.paths import Paths
from assistant.runtime import Runtime, RuntimeOptions
from assistant.session import Session
from tests.messaging.conftest import raw_message
from tests.messaging.servers import Dovecot, SmtpServer


@pytest.fixture
def session(tmp_path: Path, smtp: SmtpServer, dovecot: Dovecot, mail_env: tuple[str, str],
            test_models_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Session]:
    monkeypatch.setenv("LAM_MODELS_DIR", str(test_models_dir))
    config = LamConfig(plugins={
        "messaging": PluginConfig(name="messaging", settings={
            "from_address": "Ann Lee <ann@example.org>", "username": mail_env[0],
            "smtp_host": "127.0.0.1", "smtp_port": smtp.port, "smtp_security": "plain",
            "imap_host": "127.0.0.1", "imap_port": dovecot.port, "imap_security": "plain",
            "retry_backoff_seconds": 0.01, "timeout_seconds": 10}),
        "scheduler": PluginConfig(name="scheduler", enabled=False),
        "browser": PluginConfig(name="browser", enabled=False)})
    config.lam.model = "default"
    config.lam.threads = 2  # greedy output can differ with the thread count
    config.lam.timezone = "Europe/Berlin"
    runtime = Runtime(RuntimeOptions(), config=config,
                      paths=Paths(tmp_path / "config", tmp_path / "data"))
    s = Session(runtime)
    for request in ("add contact Alice Chen alice@example.org",
                    "add contact Carol Diaz carol@example.org",
                    "add contact Bob Stone bob@example.org"):
        proposal = s.propose(request)
        assert proposal.plan.tier == 0 and s.run(proposal).ok
    yield s
    runtime.close()


def sent(smtp: SmtpServer) -> list[Message]:
    smtp.wait_idle()
    return [email.message_from_bytes(r.raw) for r in smtp.handler.received]


def confirm_and_run(s: Session, request: str, tier: int | None = None) -> None:
    proposal = s.propose(request)
    assert proposal.plan.kind is PlanKind.ACTIONS, proposal.plan
    if tier is not None:
        assert proposal.plan.tier == tier, proposal.plan
    confirmation = s.confirmation(proposal)
    assert confirmation.needed, proposal.plan.steps
    assert any("external_send" in r for r in confirmation.reasons)
    report = s.run(proposal)
    assert report.ok, report.summary()


@pytest.mark.model
def test_email_reply_forward(session: Session, smtp: SmtpServer, dovecot: Dovecot,
                             mail_env: tuple[str, str]) -> None:
    confirm_and_run(session, "email Alice that I'm running late")
    (first,) = sent(smtp)
    assert first["To"] == "Alice Chen <alice@example.org>"
    assert "I'm running late" in first.get_payload()

    dovecot.append(*mail_env, raw_message("Bob Stone <bob@example.org>", "Lunch?",
                                          "Lunch on Friday?", "<lunch-1@example.org>"))
    listing = session.propose("check my email")
    assert session.run(listing).ok
    confirm_and_run(session, "reply to the last email from Bob saying thanks")
    reply = sent(smtp)[1]
    assert reply["To"] == "Bob Stone <bob@example.org>"
    assert reply["In-Reply-To"] == "<lunch-1@example.org>"
    assert reply["Subject"] == "Re: Lunch?"

    confirm_and_run(session, "forward it to Carol")
    forward = sent(smtp)[2]
    assert forward["To"] == "Carol Diaz <carol@example.org>"
    assert forward["Subject"] == "Fwd: Lunch?"
    assert "Lunch on Friday?" in forward.get_payload()


@pytest.mark.model
def test_paraphrase_needs_the_model(session: Session, smtp: SmtpServer) -> None:
    confirm_and_run(session, "please send Carol Diaz an email: the report is done",
                    tier=1)
    (message,) = sent(smtp)
    assert message["To"] == "Carol Diaz <carol@example.org>"
    assert "report is done" in message.get_payload()
