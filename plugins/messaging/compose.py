"""Building and parsing RFC 5322 messages: Message-IDs fixed from idempotency keys, replies and
forwards with correct threading headers, plain-text bodies of incoming mail."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from datetime import datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr

from plugins.messaging.channel import MessageContent, MessageSummary
from plugins.messaging.html_text import html_to_text

__all__ = [
    "compose",
    "forward_body",
    "forward_subject",
    "message_id_for",
    "parse_message",
    "reply_references",
    "reply_subject",
]

_RE = re.compile(r"^\s*re\s*:", re.IGNORECASE)
_FWD = re.compile(r"^\s*(fwd?|fw)\s*:", re.IGNORECASE)


def message_id_for(key: str, from_address: str) -> str:
    """The Message-ID of the send with idempotency ``key``: the same key, the same id."""
    domain = parseaddr(from_address)[1].rpartition("@")[2] or "lam.localhost"
    return f"<lam.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"


def reply_subject(subject: str) -> str:
    return subject if _RE.match(subject) else f"Re: {subject}"


def forward_subject(subject: str) -> str:
    return subject if _FWD.match(subject) else f"Fwd: {subject}"


def reply_references(original: MessageContent) -> list[str]:
    """References of a reply: the original's References, then its Message-ID."""
    refs = list(original.references)
    mid = original.summary.message_id
    if mid and mid not in refs:
        refs.append(mid)
    return refs


def forward_body(note: str, original: MessageContent) -> str:
    s = original.summary
    head = [
        "---------- Forwarded message ----------",
        f"From: {s.sender}",
        f"Date: {s.date}",
        f"Subject: {s.subject}",
        f"To: {', '.join(original.to)}",
    ]
    return (note.rstrip() + "\n\n" if note.strip() else "") + "\n".join(head) + "\n\n" + \
        original.body


def compose(*, sender: str, to: Sequence[str], subject: str, body: str, message_id: str,
            date: datetime, cc: Sequence[str] = (), in_reply_to: str = "",
            references: Sequence[str] = ()) -> EmailMessage:
    """A plain-text message; header values with line breaks raise ValueError."""
    msg = EmailMessage(policy=policy.SMTP)
    msg["From"] = sender
    msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(date)
    msg["Message-ID"] = message_id
    if in_reply_to:
        msg["In-Reply-To"] = in_reply_to
    if references:
        msg["References"] = " ".join(references)
    msg.set_content(body)
    return msg


def _text_of(msg: EmailMessage) -> str:
    part = msg.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    try:
        text = part.get_content()
    except (LookupError, UnicodeDecodeError, AssertionError):
        payload = part.get_payload(decode=True)
        text = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    if part.get_content_type() == "text/html":
        text = html_to_text(str(text))  # hidden text (injected instructions) is dropped
    return str(text).strip()


def summary_from_headers(ref: str, msg: EmailMessage, *, unread: bool = False
                         ) -> MessageSummary:
    return MessageSummary(
        ref=ref, sender=str(msg.get("From", "")), subject=str(msg.get("Subject", "")),
        date=str(msg.get("Date", "")), message_id=str(msg.get("Message-ID", "")).strip(),
        unread=unread, reply_to=str(msg.get("Reply-To", "")))


def parse_message(ref: str, raw: bytes, *, unread: bool = False) -> MessageContent:
    msg = message_from_bytes(raw, policy=policy.default)
    assert isinstance(msg, EmailMessage)
    refs = str(msg.get("References", "")).split()
    return MessageContent(
        summary=summary_from_headers(ref, msg, unread=unread), body=_text_of(msg),
        to=[f"{n} <{a}>" if n else a for n, a in getaddresses([str(msg.get("To", ""))])],
        cc=[a for _, a in getaddresses([str(msg.get("Cc", ""))]) if a], references=refs)
