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


def test_a_possessive_is_the_email_from_that_person() -> None:
    table = table_with_contact_last()
    mention = find_mentions("answer Alice's email: looks good")[0]
    assert (mention.kind, mention.type_hint, mention.detail) == ("description", "email", "Alice")
    assert resolve_reference(mention, table).entity.id == "email:7"  # type: ignore[union-attr]


def test_latest_is_an_ordinal_and_that_x_reminder_names_a_job() -> None:
    latest = find_mentions("open the latest one")[0]
    assert (latest.kind, latest.ordinal) == ("ordinal", -1)
    named = find_mentions("snooze that gym reminder")[0]
    assert (named.kind, named.type_hint, named.detail) == ("named", "job", "gym")


def test_the_latest_from_someone_is_their_newest_mail_listed_first_without_dates() -> None:
    """lam lists mail newest first: with no dates to compare, the newest of a sender's two
    mails is the one listed higher, and the first from them the one listed lower."""
    table = EntityTable()
    table.publish([Entity(id=f"email:{n}", type="email", label=f"Notes {n} — Priya Raman",
                          ordinal=n, attributes={"from": "Priya Raman"}, scope=Scope.SCREEN,
                          provenance=Provenance(trusted=False, source="imap"))
                   for n in (1, 2, 3)])
    latest = find_mentions("reply to priya's latest: thanks")[0]
    assert resolve_reference(latest, table).entity.id == "email:1"  # type: ignore[union-attr]
    first = find_mentions("forward the first email from priya to me")[0]
    assert resolve_reference(first, table).entity.id == "email:3"  # type: ignore[union-attr]
