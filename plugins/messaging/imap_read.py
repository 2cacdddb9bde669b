"""Reading mail over IMAP (imaplib): search, fetch, mark read, look up a Message-ID in the Sent
folder and append sent copies. One connection per call; nothing is cached."""

from __future__ import annotations

import imaplib
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy
from email.message import EmailMessage

from plugins.messaging.channel import (
    ChannelError,
    MessageContent,
    MessageQuery,
    MessageSummary,
)
from plugins.messaging.compose import parse_message, summary_from_headers
from plugins.messaging.settings import Credentials, MessagingSettings
from plugins.messaging.smtp_send import plaintext_auth_refusal, tls_context

__all__ = ["ImapMailbox"]

_UID = re.compile(rb"UID (\d+)")
_FLAGS = re.compile(rb"FLAGS \(([^)]*)\)")
_HEADERS = "FROM TO CC SUBJECT DATE MESSAGE-ID REPLY-TO REFERENCES"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check(typ: str, data: list, what: str) -> list:  # type: ignore[type-arg]
    if typ != "OK":
        detail = data[0].decode("utf-8", "replace") if data and isinstance(data[0], bytes) else ""
        raise ChannelError(f"IMAP {what} failed: {detail}")
    return data


class ImapMailbox:
    """The user's mailbox on the configured IMAP server."""

    def __init__(self, settings: MessagingSettings, credentials: Credentials | None) -> None:
        self.settings = settings
        self.credentials = credentials

    @contextmanager
    def connect(self, folder: str | None = None, *, readonly: bool = True
                ) -> Iterator[imaplib.IMAP4]:
        """A logged-in connection with ``folder`` selected (``None``: nothing selected)."""
        s = self.settings
        if not s.imap_host:
            raise ChannelError("IMAP is not configured: set imap_host in [plugins.messaging]")
        if self.credentials is None:
            raise ChannelError("no mail credentials: set LAM_MAIL_USER/LAM_MAIL_PASSWORD or "
                               "store the password with `keyring set lam-mail <user>`")
        refusal = plaintext_auth_refusal(s, self.credentials, "imap")
        if refusal is not None:
            raise ChannelError(refusal)
        try:
            imap: imaplib.IMAP4
            if s.imap_security == "tls":
                imap = imaplib.IMAP4_SSL(s.imap_host, s.imap_port, ssl_context=tls_context(s),
                                         timeout=s.timeout_seconds)
            else:
                imap = imaplib.IMAP4(s.imap_host, s.imap_port, timeout=s.timeout_seconds)
                if s.imap_security == "starttls":
                    imap.starttls(ssl_context=tls_context(s))
        except (OSError, imaplib.IMAP4.error) as exc:
            raise ChannelError(f"cannot connect to IMAP {s.imap_host}:{s.imap_port}: {exc}",
                               temporary=True) from exc
        try:
            try:
                imap.login(self.credentials.username, self.credentials.password)
                if folder is not None:
                    _check(*imap.select(_quote(folder), readonly=readonly), f"select {folder}")
            except imaplib.IMAP4.error as exc:
                raise ChannelError(f"IMAP: {exc}") from exc
            yield imap
        finally:
            try:
                imap.logout()
            except (OSError, imaplib.IMAP4.error):
                pass

    # -- reading ----------------------------------------------------------------------------
    def search(self, query: MessageQuery) -> list[MessageSummary]:
        """Newest first, at most ``query.limit``. Non-ASCII criteria are applied locally."""
        criteria: list[str] = ["UNSEEN"] if query.unread else []
        local: list[tuple[str, str]] = []
        wanted = [("FROM", query.sender)] + [("SUBJECT", w) for w in query.subject_words()]
        for key, value in wanted:
            if value and value.isascii():
                criteria += [key, _quote(value)]
            elif value:
                local.append((key, value.casefold()))
        with self.connect(self.settings.inbox_folder) as imap:
            data = _check(*imap.uid("SEARCH", *(criteria or ["ALL"])), "search")
            uids = sorted((int(u) for u in (data[0] or b"").split()), reverse=True)
            if not local:
                uids = uids[:query.limit]
            found = self._summaries(imap, uids)
        for key, value in local:
            found = [m for m in found
                     if value in (m.sender if key == "FROM" else m.subject).casefold()]
        return found[:query.limit]

    def _summaries(self, imap: imaplib.IMAP4, uids: list[int]) -> list[MessageSummary]:
        if not uids:
            return []
        data = _check(*imap.uid("FETCH", ",".join(map(str, uids)),
                                f"(UID FLAGS BODY.PEEK[HEADER.FIELDS ({_HEADERS})])"), "fetch")
        by_uid: dict[int, MessageSummary] = {}
        for item in data:
            if not isinstance(item, tuple):
                continue
            meta, headers = item
            m = _UID.search(meta)
            if not m:
                continue
            flags = _FLAGS.search(meta)
            unread = b"\\Seen" not in (flags.group(1) if flags else b"")
            msg = message_from_bytes(headers, policy=policy.default)
            assert isinstance(msg, EmailMessage)
            by_uid[int(m.group(1))] = summary_from_headers(m.group(1).decode(), msg,
                                                           unread=unread)
        return [by_uid[u] for u in uids if u in by_uid]

    def fetch(self, ref: str) -> MessageContent:
        """The whole message with UID ``ref`` (not marked read)."""
        if not ref.isdigit():
            raise ChannelError(f"not an IMAP UID: {ref!r}")
        with self.connect(self.settings.inbox_folder) as imap:
            data = _check(*imap.uid("FETCH", ref, "(UID FLAGS BODY.PEEK[])"), "fetch")
        for item in data:
            if isinstance(item, tuple):
                flags = _FLAGS.search(item[0])
                unread = b"\\Seen" not in (flags.group(1) if flags else b"")
                return parse_message(ref, item[1], unread=unread)
        raise ChannelError(f"no message with UID {ref} in {self.settings.inbox_folder}")

    def set_seen(self, ref: str, seen: bool = True) -> None:
        """Add (or remove) the \\Seen flag of the message with UID ``ref``."""
        if not ref.isdigit():
            raise ChannelError(f"not an IMAP UID: {ref!r}")
        with self.connect(self.settings.inbox_folder, readonly=False) as imap:
            _check(*imap.uid("STORE", ref, "+FLAGS" if seen else "-FLAGS", "(\\Seen)"),
                   "store")

    # -- sent copies ----------------------------------------------------------------------------
    def has_message_id(self, folder: str, message_id: str) -> bool:
        """Whether ``folder`` holds a message with this Message-ID header."""
        with self.connect(folder) as imap:
            data = _check(*imap.uid("SEARCH", "HEADER", "Message-ID", _quote(message_id)),
                          "search")
        return bool((data[0] or b"").split())

    def append(self, folder: str, raw: bytes) -> None:
        with self.connect() as imap:
            _check(*imap.append(_quote(folder), "(\\Seen)",
                                imaplib.Time2Internaldate(time.time()), raw), "append")
