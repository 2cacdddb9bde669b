"""The channel interface: what a messaging service must offer so that lam can send, list, read
and reply through it. Email (`plugins.messaging.email_channel.EmailChannel`) is the first
channel; see docs/channels.md for writing another one in a third-party plugin."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

__all__ = [
    "Channel",
    "ChannelError",
    "MessageContent",
    "MessageQuery",
    "MessageSummary",
    "OutgoingMessage",
    "SendReceipt",
]


class ChannelError(Exception):
    """A channel operation failed; ``temporary`` says whether trying again later may help."""

    def __init__(self, message: str, *, temporary: bool = False) -> None:
        super().__init__(message)
        self.temporary = temporary


@dataclass
class OutgoingMessage:
    """A message to send. Addresses are channel addresses ("a@x.org", "@bob:matrix.org")."""

    to: list[str]
    body: str
    subject: str = ""
    cc: list[str] = field(default_factory=list)
    in_reply_to: str = ""
    """Channel id of the message this answers (for threading)."""
    references: list[str] = field(default_factory=list)


@dataclass
class SendReceipt:
    """What happened to one send. ``refused`` maps a recipient to the server's reason."""

    message_id: str
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    duplicate: bool = False
    """True when this idempotency key had already been sent: nothing went out again."""


_FILLER_WORDS = frozenset({"the", "a", "an", "my", "our", "your", "that", "this", "those",
                           "these", "some", "any", "of", "for", "to", "on", "about"})


@dataclass
class MessageQuery:
    sender: str = ""
    subject: str = ""
    """Words the subject must contain, each anywhere in it ("the sauna booking" finds
    "Sauna booking confirmed"): see `subject_words`."""
    unread: bool = False
    limit: int = 10

    def subject_words(self) -> list[str]:
        """The subject filter's words, less articles and the like; all must be in a match."""
        words = self.subject.split()
        kept = [w.strip(".,;:!?\"'") for w in words if w.lower() not in _FILLER_WORDS]
        return [w for w in kept if w] or [w for w in words if w]


@dataclass
class MessageSummary:
    """One line of a listing; ``ref`` is the channel's stable handle (an IMAP UID)."""

    ref: str
    sender: str
    subject: str
    date: str = ""
    message_id: str = ""
    unread: bool = False
    reply_to: str = ""


@dataclass
class MessageContent:
    """A whole message. ``body`` is untrusted text written by someone else."""

    summary: MessageSummary
    body: str
    to: list[str] = field(default_factory=list)
    cc: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)


@runtime_checkable
class Channel(Protocol):
    """A messaging service. Every method may raise `ChannelError`.

    ``send`` must be idempotent per ``key``: called twice with the same key (a retry after a
    crash) it delivers at most once more only when the first outcome is truly unknown, and
    returns a receipt with ``duplicate=True`` when the first attempt is known to have gone out.
    """

    name: str
    """Short noun used in action names and entity types: ``email``, ``matrix``."""

    def send(self, message: OutgoingMessage, *, key: str) -> SendReceipt: ...

    def list_messages(self, query: MessageQuery) -> list[MessageSummary]: ...

    def read_message(self, ref: str) -> MessageContent: ...

    def reply(self, ref: str, body: str, *, key: str) -> SendReceipt: ...

    def mark_read(self, ref: str) -> None: ...
