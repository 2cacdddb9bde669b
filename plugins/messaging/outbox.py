"""The outbox: every send is a SQLite row keyed by an idempotency key, written before the
message leaves and updated after, so a crash neither loses nor duplicates mail.

States: ``queued`` (not handed over, or refused for now with 4xx), ``sending`` (an attempt
started; if the process dies here the outcome is unknown), ``sent``, ``failed`` (5xx).
Reconciliation of a ``sending`` row asks ``sent_check`` (an IMAP search of the Sent folder by
Message-ID) and only resends when the message is not there; without a check it resends
(at least once; see docs/messaging.md)."""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from plugins.messaging.channel import ChannelError
from plugins.messaging.smtp_send import Outcome, SmtpAttempt

__all__ = ["Outbox", "OutboxEntry", "SentCheck", "State", "Transport"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    key TEXT PRIMARY KEY,
    message_id TEXT NOT NULL,
    sender TEXT NOT NULL,
    recipients TEXT NOT NULL,
    raw BLOB NOT NULL,
    state TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    accepted TEXT NOT NULL DEFAULT '[]',
    refused TEXT NOT NULL DEFAULT '{}',
    pending TEXT NOT NULL,
    error TEXT NOT NULL DEFAULT '',
    created REAL NOT NULL,
    updated REAL NOT NULL
);
"""


class State(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class Transport(Protocol):
    def send(self, raw: bytes, sender: str, recipients: list[str]) -> SmtpAttempt: ...


SentCheck = Callable[[str], bool]
"""Whether a Message-ID is known to the server's Sent folder; raises ChannelError if unsure."""


@dataclass
class OutboxEntry:
    key: str
    message_id: str
    sender: str
    recipients: list[str]
    state: State
    attempts: int = 0
    accepted: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)
    pending: list[str] = field(default_factory=list)
    error: str = ""
    duplicate: bool = False
    """The key had already been sent before this call: nothing went out now."""
    confirmed_by_check: bool = False
    """A ``sending`` row was found in the Sent folder and marked sent without resending."""


class Outbox:
    """Durable, idempotent sending through a `Transport`."""

    def __init__(self, path: Path, transport: Transport, *, sent_check: SentCheck | None = None,
                 retries: int = 3, backoff: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.transport = transport
        self.sent_check = sent_check
        self.retries = retries
        self.backoff = backoff
        self.sleep = sleep
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- queries -----------------------------------------------------------------------------
    def get(self, key: str) -> OutboxEntry | None:
        row = self._db.execute(
            "SELECT key, message_id, sender, recipients, state, attempts, accepted, refused, "
            "pending, error FROM outbox WHERE key = ?", (key,)).fetchone()
        if row is None:
            return None
        k, mid, sender, rcpts, state, attempts, accepted, refused, pending, error = row
        return OutboxEntry(k, mid, sender, json.loads(rcpts), State(state), attempts,
                           json.loads(accepted), json.loads(refused), json.loads(pending), error)

    def unfinished(self) -> list[OutboxEntry]:
        keys = self._db.execute("SELECT key FROM outbox WHERE state IN ('queued', 'sending') "
                                "ORDER BY created").fetchall()
        return [e for (k,) in keys if (e := self.get(k)) is not None]

    def _raw(self, key: str) -> bytes:
        return bytes(self._db.execute("SELECT raw FROM outbox WHERE key = ?",
                                      (key,)).fetchone()[0])

    def _save(self, e: OutboxEntry) -> None:
        self._db.execute(
            "UPDATE outbox SET state=?, attempts=?, accepted=?, refused=?, pending=?, error=?, "
            "updated=? WHERE key=?",
            (e.state.value, e.attempts, json.dumps(e.accepted), json.dumps(e.refused),
             json.dumps(e.pending), e.error, time.time(), e.key))

    # -- sending -------------------------------------------------------------------------------
    def submit(self, key: str, message_id: str, raw: bytes, sender: str,
               recipients: list[str]) -> OutboxEntry:
        """Send once per ``key``. A key seen before is finished, not redone."""
        existing = self.get(key)
        if existing is not None:
            if existing.state in (State.SENT, State.FAILED):
                existing.duplicate = True
                return existing
            return self._deliver(existing)
        now = time.time()
        self._db.execute(
            "INSERT INTO outbox (key, message_id, sender, recipients, raw, state, pending, "
            "created, updated) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?)",
            (key, message_id, sender, json.dumps(recipients), raw, json.dumps(recipients),
             now, now))
        entry = self.get(key)
        assert entry is not None
        return self._deliver(entry)

    def reconcile(self) -> list[OutboxEntry]:
        """Finish every row left ``queued`` or ``sending`` (call at start-up)."""
        return [self._deliver(e) for e in self.unfinished()]

    def _found_in_sent(self, e: OutboxEntry) -> bool | None:
        """True/False from the Sent folder; None when there is no check or it failed."""
        if self.sent_check is None or e.accepted:
            return None
        try:
            return self.sent_check(e.message_id)
        except ChannelError as exc:
            e.error = f"outcome unknown; cannot check the Sent folder: {exc}"
            return None

    def _mark_confirmed(self, e: OutboxEntry) -> OutboxEntry:
        e.accepted, e.pending, e.state, e.error = list(e.pending), [], State.SENT, ""
        e.confirmed_by_check = True
        self._save(e)
        return e

    def _deliver(self, e: OutboxEntry) -> OutboxEntry:
        if e.state is State.SENDING:
            found = self._found_in_sent(e)
            if found:
                return self._mark_confirmed(e)
            if found is None and self.sent_check is not None and not e.accepted:
                return e  # a check is configured but could not answer: wait, don't guess
        raw = self._raw(e.key)
        last: SmtpAttempt | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            e.state, e.attempts = State.SENDING, e.attempts + 1
            self._save(e)
            last = self.transport.send(raw, e.sender, e.pending)
            if last.outcome is Outcome.UNKNOWN:
                e.error = last.error
                if self._found_in_sent(e):
                    return self._mark_confirmed(e)
                self._save(e)
                continue
            for rcpt, why in last.refused.items():
                if rcpt not in last.temp_refused:
                    e.refused[rcpt] = why
            if last.outcome is Outcome.SENT:
                e.accepted += last.accepted
                for rcpt in last.accepted:
                    e.refused.pop(rcpt, None)
                e.pending = list(last.temp_refused)
                for rcpt in last.temp_refused:
                    e.refused[rcpt] = last.refused[rcpt]
                if not e.pending:
                    e.state, e.error = State.SENT, ""
                    self._save(e)
                    return e
                e.error = "some recipients refused for now"
                e.state = State.SENT
                self._save(e)
                continue
            e.error = last.error or "; ".join(f"{r}: {w}" for r, w in last.refused.items())
            if last.outcome is Outcome.PERMANENT:
                e.state = State.SENT if e.accepted else State.FAILED
                for rcpt in e.pending:
                    e.refused.setdefault(rcpt, e.error)
                e.pending = []
                self._save(e)
                return e
            e.state = State.QUEUED  # temporary: nothing was accepted this time
            self._save(e)
        if last is not None and last.outcome is Outcome.SENT and e.pending:
            e.state = State.SENT  # some recipients accepted; the rest stay refused for now
            self._save(e)
        return e
