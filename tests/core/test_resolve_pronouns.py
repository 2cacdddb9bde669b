"""Pronouns against the entity table: "it" is never a person, "her" always is one."""

from __future__ import annotations

from actions.entities import Entity, Provenance, Scope
from assistant.context import EntityTable
from assistant.resolve import find_mentions, resolve_reference


def table_with_contact_last() -> EntityTable:
    table = EntityTable()
    mail = Entity(id="email:7", type="email", label="From Alice: report", ordinal=1,
                  scope=Scope.CONVERSATION, provenance=Provenance(trusted=False, source="imap"))
    alice = Entity(id="contact:alice", type="contact", label="Alice Chen",
                   scope=Scope.CONVERSATION, provenance=Provenance(trusted=True, source="user"))
    for entity in (mail, alice):  # the contact is the most recent
        table.publish([entity])
        table.touch(entity.id)
    return table


def test_it_skips_a_more_recent_person() -> None:
    table = table_with_contact_last()
    mention = find_mentions("looks good, ship it")[0]
    assert mention.text == "it"
    assert resolve_reference(mention, table).entity.id == "email:7"  # type: ignore[union-attr]


def test_her_is_the_person() -> None:
    table = table_with_contact_last()
    mention = find_mentions("forward that to her")[-1]
    assert resolve_reference(mention, table).entity.id == "contact:alice"  # type: ignore[union-attr]
