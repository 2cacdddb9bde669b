"""Outbox: a crash between handing a message over and recording it neither loses nor
duplicates it; reconciliation asks the Sent folder (real Dovecot) before resending."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from plugins.messaging.channel import OutgoingMessage
from plugins.messaging.email_channel import EmailChannel
from plugins.messaging.outbox import Outbox, State
from plugins.messaging.settings import Credentials, MessagingSettings
from plugins.messaging.smtp_send import SmtpAttempt, SmtpSender
from tests.messaging.servers import Dovecot, SmtpServer, free_port

REPO = Path(__file__).resolve().parents[2]


class Crash(BaseException):
    """Stands in for the process dying (not caught by the outbox)."""


class CrashingTransport:
    """Real SMTP, then 'dies' before (``after=False``) or after handing the message over."""

    def __init__(self, real: SmtpSender, *, after: bool) -> None:
        self.real, self.after = real, after

    def send(self, raw: bytes, sender: str, recipients: list[str]) -> SmtpAttempt:
        if self.after:
            self.real.send(raw, sender, recipients)
        raise Crash


def _crash(settings: MessagingSettings, creds: Credentials, db: Path, *, after: bool) -> str:
    channel = EmailChannel(settings, creds, db)
    channel.outbox.transport = CrashingTransport(SmtpSender(settings, creds), after=after)
    with pytest.raises(Crash):
        channel.send(OutgoingMessage(to=["bob@stone.net"], subject="s", body="b"), key="k1")
    entry = channel.outbox.get("k1")
    channel.close()
    assert entry is not None and entry.state is State.SENDING
    return entry.message_id


@pytest.fixture
def server_files_sent(smtp: SmtpServer, dovecot: Dovecot, mail_user: tuple[str, str]) -> None:
    smtp.handler.deliver = dovecot.file_into(mail_user[0], "Sent")


@pytest.mark.usefixtures("server_files_sent")
@pytest.mark.parametrize("after", [True, False], ids=["crash-after-handover",
                                                      "crash-before-handover"])
def test_reconcile_checks_sent_folder(settings: MessagingSettings, smtp: SmtpServer,
                                      mail_user: tuple[str, str], tmp_path: Path,
                                      after: bool) -> None:
    settings = settings.model_copy(update={"sent_copies": "server"})
    creds = Credentials(*mail_user)
    mid = _crash(settings, creds, tmp_path / "o.sqlite3", after=after)
    assert len(smtp.handler.received) == (1 if after else 0)
    restarted = EmailChannel(settings, creds, tmp_path / "o.sqlite3")
    [entry] = restarted.reconcile()
    assert entry.state is State.SENT and entry.confirmed_by_check is after
    receipt = restarted.send(OutgoingMessage(to=["bob@stone.net"], subject="s", body="b"),
                             key="k1")
    restarted.close()
    assert receipt.duplicate and receipt.message_id == mid
    assert smtp.handler.message_ids() == {mid: 1}


def test_unreachable_sent_folder_waits_instead_of_guessing(settings: MessagingSettings,
                                                           smtp: SmtpServer,
                                                           mail_user: tuple[str, str],
                                                           tmp_path: Path) -> None:
    creds = Credentials(*mail_user)
    settings = settings.model_copy(update={"sent_copies": "server"})
    _crash(settings, creds, tmp_path / "o.sqlite3", after=True)
    down = settings.model_copy(update={"imap_port": free_port()})
    restarted = EmailChannel(down, creds, tmp_path / "o.sqlite3")
    [entry] = restarted.reconcile()
    restarted.close()
    assert entry.state is State.SENDING and "cannot check the Sent folder" in entry.error
    assert len(smtp.handler.received) == 1


def test_without_sent_check_unknown_is_resent(settings: MessagingSettings, smtp: SmtpServer,
                                              mail_user: tuple[str, str],
                                              tmp_path: Path) -> None:
    """Documented rule for sent_copies = "none": at least once."""
    creds = Credentials(*mail_user)
    settings = settings.model_copy(update={"sent_copies": "none"})
    mid = _crash(settings, creds, tmp_path / "o.sqlite3", after=False)
    restarted = EmailChannel(settings, creds, tmp_path / "o.sqlite3")
    [entry] = restarted.reconcile()
    restarted.close()
    assert entry.state is State.SENT and not entry.confirmed_by_check
    assert smtp.handler.message_ids() == {mid: 1}


@pytest.mark.usefixtures("server_files_sent")
def test_dropped_after_dot_found_in_sent_is_not_resent(settings: MessagingSettings,
                                                       smtp: SmtpServer,
                                                       mail_user: tuple[str, str],
                                                       tmp_path: Path) -> None:
    smtp.handler.drop_after_dot, smtp.handler.file_dropped = 1, True
    channel = EmailChannel(settings.model_copy(update={"sent_copies": "server"}),
                           Credentials(*mail_user), tmp_path / "o.sqlite3")
    receipt = channel.send(OutgoingMessage(to=["bob@stone.net"], subject="s", body="b"),
                           key="k")
    entry = channel.outbox.get("k")
    channel.close()
    assert entry is not None and entry.state is State.SENT and entry.attempts == 1
    assert smtp.handler.message_ids() == {receipt.message_id: 1}


def test_outbox_survives_reopen_with_backoff(tmp_path: Path) -> None:
    """4xx replies back off exponentially and the row is kept for the next start."""
    from plugins.messaging.smtp_send import Outcome

    class Busy:
        def send(self, raw: bytes, sender: str, recipients: list[str]) -> SmtpAttempt:
            return SmtpAttempt(Outcome.TEMPORARY, error="451 busy", code=451)

    sleeps: list[float] = []
    box = Outbox(tmp_path / "o.sqlite3", Busy(), retries=3, backoff=0.5, sleep=sleeps.append)
    entry = box.submit("k", "<m@x>", b"Subject: x\r\n\r\nx\r\n", "a@x.org", ["b@y.org"])
    box.close()
    assert sleeps == [0.5, 1.0, 2.0]
    assert entry.state is State.QUEUED and entry.attempts == 4 and entry.error == "451 busy"
    again = Outbox(tmp_path / "o.sqlite3", Busy(), retries=0)
    assert [e.key for e in again.unfinished()] == ["k"]
    again.close()


@pytest.mark.slow
def test_crash_bench_small() -> None:
    """The SIGKILL bench itself, with a few trials: nothing lost, no unexplained duplicate."""
    out = subprocess.run([sys.executable, str(REPO / "bench" / "outbox_crash.py"),
                          "--trials", "10", "--drop-every", "3"],
                         capture_output=True, text=True, timeout=240, cwd=REPO)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "lost: 0\n" in out.stdout and "duplicated (other): 0\n" in out.stdout
    assert "connections dropped by the server after the final dot: 3" in out.stdout
