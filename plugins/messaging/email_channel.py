"""Email as a `Channel`: SMTP through the outbox for sending, IMAP for reading."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from email.utils import getaddresses, parseaddr
from pathlib import Path

from plugins.messaging.channel import (
    ChannelError,
    MessageContent,
    MessageQuery,
    MessageSummary,
    OutgoingMessage,
    SendReceipt,
)
from plugins.messaging.compose import (
    compose,
    forward_body,
    forward_subject,
    message_id_for,
    reply_references,
    reply_subject,
)
from plugins.messaging.imap_read import ImapMailbox
from plugins.messaging.outbox import Outbox, OutboxEntry, State
from plugins.messaging.settings import Credentials, MessagingSettings
from plugins.messaging.smtp_send import SmtpSender

__all__ = ["EmailChannel"]


class EmailChannel:
    """Email over SMTP + IMAP. ``now`` dates outgoing messages."""

    name = "email"

    def __init__(self, settings: MessagingSettings, credentials: Credentials | None,
                 outbox_path: Path, now: Callable[[], datetime] = datetime.now) -> None:
        self.settings = settings
        self.mailbox = ImapMailbox(settings, credentials)
        check = self.mailbox_has if settings.sent_copies != "none" and settings.imap_host \
            else None
        self.outbox = Outbox(outbox_path, SmtpSender(settings, credentials), sent_check=check,
                             retries=settings.smtp_retries,
                             backoff=settings.retry_backoff_seconds)
        self.now = now

    def mailbox_has(self, message_id: str) -> bool:
        return self.mailbox.has_message_id(self.settings.sent_folder, message_id)

    def close(self) -> None:
        self.outbox.close()

    # -- Channel ------------------------------------------------------------------------------
    def send(self, message: OutgoingMessage, *, key: str) -> SendReceipt:
        s = self.settings
        if not s.smtp_host or not s.from_address:
            raise ChannelError("SMTP is not configured: set smtp_host and from_address in "
                               "[plugins.messaging]")
        mid = message_id_for(key, s.from_address)
        msg = compose(sender=s.from_address, to=message.to, cc=message.cc,
                      subject=message.subject, body=message.body, message_id=mid,
                      date=self.now().astimezone(), in_reply_to=message.in_reply_to,
                      references=message.references)
        envelope = [a for _, a in getaddresses([*message.to, *message.cc]) if a]
        entry = self.outbox.submit(key, mid, msg.as_bytes(), parseaddr(s.from_address)[1],
                                   envelope)
        return self._receipt(entry, msg.as_bytes())

    def _receipt(self, entry: OutboxEntry, raw: bytes) -> SendReceipt:
        if entry.state is State.FAILED:
            raise ChannelError(f"not sent: {entry.error}")
        if entry.state is not State.SENT:
            raise ChannelError(f"not sent yet ({entry.error}); the message stays in the outbox "
                               "and is retried at next start", temporary=True)
        if (self.settings.sent_copies == "append" and self.settings.imap_host
                and not entry.duplicate and not entry.confirmed_by_check):
            try:
                self.mailbox.append(self.settings.sent_folder, raw)
            except ChannelError:
                pass  # the mail went out; a missing Sent copy is not worth failing for
        return SendReceipt(message_id=entry.message_id, accepted=entry.accepted,
                           refused=entry.refused, duplicate=entry.duplicate)

    def list_messages(self, query: MessageQuery) -> list[MessageSummary]:
        return self.mailbox.search(query)

    def read_message(self, ref: str) -> MessageContent:
        return self.mailbox.fetch(ref)

    def mark_read(self, ref: str) -> None:
        self.mailbox.set_seen(ref, True)

    def reply(self, ref: str, body: str, *, key: str) -> SendReceipt:
        original = self.read_message(ref)
        to = original.summary.reply_to or original.summary.sender
        return self.send(OutgoingMessage(
            to=[to], body=body, subject=reply_subject(original.summary.subject),
            in_reply_to=original.summary.message_id,
            references=reply_references(original)), key=key)

    # -- email only --------------------------------------------------------------------------
    def forward(self, ref: str, to: list[str], note: str, *, key: str) -> SendReceipt:
        original = self.read_message(ref)
        return self.send(OutgoingMessage(
            to=to, body=forward_body(note, original),
            subject=forward_subject(original.summary.subject),
            references=reply_references(original)), key=key)

    def reconcile(self) -> list[OutboxEntry]:
        if not self.settings.smtp_host:
            return []
        return self.outbox.reconcile()
