"""Contact book: storage, entities, fuzzy matching with ambiguity as a question, vCard."""

from __future__ import annotations

from pathlib import Path

import pytest

from actions import ActionContext, Capabilities, Scope
from plugins.messaging import MessagingPlugin, MessagingSettings
from plugins.messaging.contacts import Contact, ContactBook
from plugins.messaging.vcard import VCardError, dump_vcards, parse_vcards


@pytest.fixture
def book(tmp_path: Path) -> ContactBook:
    b = ContactBook(tmp_path / "c.sqlite3")
    b.add(Contact("Alice Chen", ["alice@chen.org"], ["Ali"]))
    b.add(Contact("Alice Park", ["alice.park@x.org"]))
    b.add(Contact("Bob Stone", ["bob@stone.net"], ["Bobby"]))
    b.add(Contact("Maria López", ["mama@home.org"], relation="mom"))
    yield b
    b.close()


def test_contact_entity_shape(book: ContactBook) -> None:
    e = book.match_contacts("Alice Chen")[0]
    assert (e.id, e.type, e.label, e.scope) == ("contact:alice-chen", "contact", "Alice Chen",
                                                Scope.BACKGROUND)
    assert e.attributes["email"] == "alice@chen.org"
    assert e.attributes["nicknames"] == ["Ali"]
    assert e.provenance.trusted


@pytest.mark.parametrize(("text", "expected"), [
    ("Alice Chen", "contact:alice-chen"),
    ("alice chen's", "contact:alice-chen"),
    ("Ali", "contact:alice-chen"),
    ("my mom", "contact:maria-lopez"),
    ("Maria Lopez", "contact:maria-lopez"),
    ("bobby", "contact:bob-stone"),
    ("Bob", "contact:bob-stone"),
    ("Bob Stoen", "contact:bob-stone"),
    ("bob@stone.net", "contact:bob-stone"),
    ("contact:alice-park", "contact:alice-park"),
])
def test_resolve_unique(book: ContactBook, text: str, expected: str) -> None:
    match = book.resolve(text)
    assert match.entity is not None and match.entity.id == expected, match
    assert match.question is None


def test_ambiguous_first_name_becomes_a_question(book: ContactBook) -> None:
    ranked = book.match_contacts("Alice")
    assert [e.id for e in ranked] == ["contact:alice-chen", "contact:alice-park"]
    match = book.resolve("Alice")
    assert match.entity is None
    assert match.question == "Alice Chen or Alice Park?"
    assert match.options == ["Alice Chen", "Alice Park"]


def test_no_match(book: ContactBook) -> None:
    assert book.match_contacts("Zebulon") == []
    match = book.resolve("Zebulon")
    assert match.entity is None and match.question and "Zebulon" in match.question


def test_same_name_gets_a_distinct_id(book: ContactBook) -> None:
    other = book.add(Contact("Bob Stone", ["b2@x.org"]), merge=False)
    assert other.id == "contact:bob-stone-2"
    merged = book.add(Contact("Bob Stone", ["bob2@stone.net"]))
    assert merged.id == "contact:bob-stone"
    assert book.get("contact:bob-stone").emails == ["bob@stone.net", "bob2@stone.net"]


APPLE_VCF = (
    "BEGIN:VCARD\r\nVERSION:3.0\r\nN:Doe;Jane;;;\r\nFN:Jane Doe\r\n"
    "NICKNAME:JD,Janey\r\nEMAIL;type=INTERNET;type=pref:jane@doe.org\r\n"
    "EMAIL;type=INTERNET:jane.work@corp.example\r\n"
    "item1.X-ABRELATEDNAMES;type=pref:Jane Doe\r\nitem1.X-ABLabel:_$!<Sister>!$_\r\n"
    "NOTE:a long note that is folded over\r\n  two lines\r\nEND:VCARD\r\n"
    "BEGIN:VCARD\r\nVERSION:4.0\r\nN:Ng;Kim;;;\r\nEMAIL:kim@ng.io\r\n"
    "RELATED;VALUE=text:boss\r\nEND:VCARD\r\n"
)


def test_parse_vcards() -> None:
    jane, kim = parse_vcards(APPLE_VCF)
    assert jane.name == "Jane Doe"
    assert jane.emails == ["jane@doe.org", "jane.work@corp.example"]
    assert jane.nicknames == ["JD", "Janey"]
    assert jane.relation == "sister"
    assert (kim.name, kim.emails, kim.relation) == ("Kim Ng", ["kim@ng.io"], "boss")


def test_vcard_round_trip_with_escapes_and_folding() -> None:
    c = Contact("Zoë O'Brien, Jr.", ["zoe@example.org", "z@x.org"], ["Zo;e", "Z"], "friend")
    long = Contact("A" * 90, ["a@b.org"])
    text = dump_vcards([c, long])
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    back = parse_vcards(text)
    assert [(x.name, x.emails, x.nicknames, x.relation) for x in back] == [
        (c.name, c.emails, c.nicknames, c.relation), (long.name, long.emails, [], "")]


def test_bad_vcard() -> None:
    with pytest.raises(VCardError):
        parse_vcards("BEGIN:VCARD\r\nFN:x\r\n")


def test_contact_actions(tmp_path: Path) -> None:
    plugin = MessagingPlugin(Capabilities(settings=MessagingSettings(), data_dir=tmp_path))
    specs = {s.name: s for s in plugin.actions()}
    ctx = ActionContext()
    vcf = tmp_path / "in.vcf"
    vcf.write_text(APPLE_VCF)
    spec = specs["import_vcard"]
    params, errors = spec.validate_args({"path": str(vcf)})
    assert not errors
    result = spec.run(ctx, params)
    assert result.ok and result.output["ids"] == ["contact:jane-doe", "contact:kim-ng"]
    params, _ = specs["add_contact"].validate_args(
        {"name": "Alice Chen", "email": "alice@chen.org", "relation": "sister"})
    assert specs["add_contact"].run(ctx, params).output["id"] == "contact:alice-chen"
    assert {e.id for e in plugin.background_entities()} == {
        "contact:jane-doe", "contact:kim-ng", "contact:alice-chen"}
    params, _ = specs["list_contacts"].validate_args({"query": "kim"})
    assert specs["list_contacts"].run(ctx, params).output["contacts"] == ["contact:kim-ng"]
    out = tmp_path / "out.vcf"
    params, _ = specs["export_vcard"].validate_args({"path": str(out)})
    assert specs["export_vcard"].run(ctx, params).output["count"] == 3
    assert {c.name for c in parse_vcards(out.read_text())} == {"Jane Doe", "Kim Ng",
                                                               "Alice Chen"}
    assert plugin.resolve_contact("sister").question == "Alice Chen or Jane Doe?"
    params, errors = specs["add_contact"].validate_args({"name": "X", "email": "not-an-address"})
    assert specs["add_contact"].run(ctx, params).ok is False
    plugin.close()
