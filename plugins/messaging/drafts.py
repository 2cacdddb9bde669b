"""Drafts kept locally (SQLite) so a message can be reviewed before `send_draft`."""

from __future__ import annotations

import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from actions import Entity, Provenance, Scope

__all__ = ["Draft", "DraftStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS drafts (
    n INTEGER PRIMARY KEY AUTOINCREMENT,
    token TEXT NOT NULL UNIQUE,
    recipients TEXT NOT NULL,
    cc TEXT NOT NULL DEFAULT '[]',
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    sent_message_id TEXT NOT NULL DEFAULT ''
);
"""


@dataclass
class Draft:
    """A message not sent yet. ``to``/``cc`` hold resolved addresses ("Name <a@x>")."""

    to: list[str]
    subject: str
    body: str
    cc: list[str] = field(default_factory=list)
    n: int = 0
    token: str = ""
    sent_message_id: str = ""

    @property
    def id(self) -> str:
        return f"draft:{self.n}"

    def to_entity(self) -> Entity:
        return Entity(id=self.id, type="draft", scope=Scope.BACKGROUND,
                      label=f"Draft to {', '.join(self.to)}: {self.subject}",
                      provenance=Provenance.user(),
                      attributes={"to": self.to, "cc": self.cc, "subject": self.subject,
                                  "body": self.body})


class DraftStore:
    def __init__(self, path: Path) -> None:
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def add(self, draft: Draft) -> Draft:
        draft.token = uuid.uuid4().hex
        cur = self._db.execute(
            "INSERT INTO drafts (token, recipients, cc, subject, body) VALUES (?, ?, ?, ?, ?)",
            (draft.token, json.dumps(draft.to), json.dumps(draft.cc), draft.subject, draft.body))
        draft.n = int(cur.lastrowid or 0)
        return draft

    def get(self, draft_id: str) -> Draft | None:
        n = draft_id.removeprefix("draft:")
        if not n.isdigit():
            return None
        row = self._db.execute("SELECT n, token, recipients, cc, subject, body, sent_message_id "
                               "FROM drafts WHERE n = ?", (int(n),)).fetchone()
        if row is None:
            return None
        num, token, to, cc, subject, body, sent = row
        return Draft(json.loads(to), subject, body, json.loads(cc), num, token, sent)

    def mark_sent(self, draft: Draft, message_id: str) -> None:
        self._db.execute("UPDATE drafts SET sent_message_id = ? WHERE n = ?",
                         (message_id, draft.n))

    def unsent(self) -> list[Draft]:
        rows = self._db.execute("SELECT n FROM drafts WHERE sent_message_id = '' ORDER BY n")
        return [d for (n,) in rows.fetchall() if (d := self.get(f"draft:{n}")) is not None]
