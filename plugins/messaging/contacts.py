"""The contact book: SQLite storage, contacts as background entities and fuzzy matching."""

from __future__ import annotations

import difflib
import json
import re
import sqlite3
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.utils import parseaddr
from pathlib import Path

from actions import Entity, Provenance, Scope

__all__ = ["Contact", "ContactBook", "ContactMatch", "normalize", "slugify"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS contacts (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    emails TEXT NOT NULL DEFAULT '[]',
    nicknames TEXT NOT NULL DEFAULT '[]',
    relation TEXT NOT NULL DEFAULT ''
);
"""
_FILLER = re.compile(r"^(?:my|our|the|to|dear)\s+")
_POSSESSIVE = re.compile(r"(?:'s|’s)$")
UNIQUE = 0.9
"""A match at least this good is taken without asking, unless a rival is as good."""
CLEAR_LEAD = 0.15
MIN_SCORE = 0.55


def normalize(text: str) -> str:
    """Casefolded, accent-free, single-spaced; drops "my"/"the" and a possessive."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"\s+", " ", text).strip(" .,;:!?\"'")
    text = _FILLER.sub("", text)
    return _POSSESSIVE.sub("", text).strip()


def slugify(name: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", normalize(name)).strip("-")
    return slug[:100] or "contact"


@dataclass
class Contact:
    """One person. ``emails[0]`` is the address mail goes to."""

    name: str
    emails: list[str] = field(default_factory=list)
    nicknames: list[str] = field(default_factory=list)
    relation: str = ""
    id: str = ""

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""

    def to_entity(self) -> Entity:
        return Entity(id=self.id, type="contact", label=self.name, scope=Scope.BACKGROUND,
                      provenance=Provenance.user(),
                      attributes={"email": self.email, "emails": list(self.emails),
                                  "nicknames": list(self.nicknames),
                                  "relation": self.relation})

    def score(self, query: str) -> float:
        """How well normalized ``query`` names this contact (0..1)."""
        if not query:
            return 0.0
        name = normalize(self.name)
        if query in (name, self.id, self.id.removeprefix("contact:")):
            return 1.0
        if any(query == e.casefold() for e in self.emails):
            return 1.0
        if self.relation and query == normalize(self.relation):
            return 1.0
        if any(query == normalize(n) for n in self.nicknames):
            return 0.95
        tokens = name.split()
        if query in tokens:
            return 0.8
        if len(query) >= 2 and any(t.startswith(query) for t in tokens):
            return 0.65
        names = [name, *tokens, *(normalize(n) for n in self.nicknames)]
        best = max(difflib.SequenceMatcher(None, query, n).ratio() for n in names)
        return round(best * 0.75, 3) if best >= 0.8 else 0.0


@dataclass
class ContactMatch:
    """Outcome of resolving a phrase: one contact, a question between several, or none."""

    candidates: list[Entity]
    entity: Entity | None = None
    question: str | None = None

    @property
    def options(self) -> list[str]:
        return [e.label for e in self.candidates]


class ContactBook:
    """Contacts in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, check_same_thread=False)
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- storage ---------------------------------------------------------------------------
    def add(self, contact: Contact, *, merge: bool = True) -> Contact:
        """Store ``contact``; with ``merge``, a contact of the same name gains its details."""
        existing = self.by_name(contact.name) if merge else None
        if existing is not None:
            existing.emails += [e for e in contact.emails if e not in existing.emails]
            existing.nicknames += [n for n in contact.nicknames if n not in existing.nicknames]
            existing.relation = contact.relation or existing.relation
            contact = existing
        elif not contact.id:
            base = "contact:" + slugify(contact.name)
            contact.id, n = base, 2
            while self.get(contact.id) is not None:
                contact.id, n = f"{base}-{n}", n + 1
        with self._db:
            self._db.execute(
                "INSERT OR REPLACE INTO contacts VALUES (?, ?, ?, ?, ?)",
                (contact.id, contact.name, json.dumps(contact.emails),
                 json.dumps(contact.nicknames), contact.relation))
        return contact

    def add_many(self, contacts: Iterable[Contact]) -> list[Contact]:
        return [self.add(c) for c in contacts]

    def remove(self, contact_id: str) -> bool:
        with self._db:
            return self._db.execute("DELETE FROM contacts WHERE id = ?",
                                    (contact_id,)).rowcount > 0

    def get(self, contact_id: str) -> Contact | None:
        row = self._db.execute("SELECT * FROM contacts WHERE id = ?", (contact_id,)).fetchone()
        return _row(row) if row else None

    def by_name(self, name: str) -> Contact | None:
        want = normalize(name)
        return next((c for c in self.all() if normalize(c.name) == want), None)

    def by_address(self, address: str) -> Contact | None:
        want = parseaddr(address)[1].casefold()
        return next((c for c in self.all() if want in (e.casefold() for e in c.emails)), None)

    def all(self) -> list[Contact]:
        rows = self._db.execute("SELECT * FROM contacts ORDER BY name COLLATE NOCASE, id")
        return [_row(r) for r in rows]

    # -- entities and matching ---------------------------------------------------------------
    def entities(self) -> list[Entity]:
        return [c.to_entity() for c in self.all()]

    def match(self, text: str) -> list[tuple[Contact, float]]:
        """Contacts that ``text`` may name, best first (ties by name)."""
        query = normalize(text)
        scored = [(c, c.score(query)) for c in self.all()]
        ranked = [(c, s) for c, s in scored if s >= MIN_SCORE]
        ranked.sort(key=lambda cs: (-cs[1], cs[0].name.casefold()))
        return ranked

    def match_contacts(self, text: str) -> list[Entity]:
        """Contact entities that ``text`` ("Alice", "mom", "alice@x.org") may name, ranked."""
        return [c.to_entity() for c, _ in self.match(text)]

    def resolve(self, text: str) -> ContactMatch:
        """One contact when the phrase is clear; otherwise a question naming the candidates."""
        ranked = self.match(text)
        entities = [c.to_entity() for c, _ in ranked]
        if not ranked:
            return ContactMatch([], question=f"Who is {text.strip()!r}? No contact matches.")
        top = ranked[0][1]
        rivals = [e for (_, s), e in zip(ranked, entities, strict=True) if top - s < CLEAR_LEAD]
        if len(rivals) == 1 and (top >= UNIQUE or len(ranked) == 1):
            return ContactMatch(entities, entity=entities[0])
        options = rivals if len(rivals) > 1 else entities[:4]
        labels = [e.label for e in options]
        question = (labels[0] + "?" if len(labels) == 1
                    else ", ".join(labels[:-1]) + " or " + labels[-1] + "?")
        return ContactMatch(options, question=question)


def _row(row: tuple[str, str, str, str, str]) -> Contact:
    cid, name, emails, nicknames, relation = row
    return Contact(id=cid, name=name, emails=json.loads(emails), nicknames=json.loads(nicknames),
                   relation=relation)
