"""vCards read and written through vobject: quoting, lists, folding, and errors that say what is
wrong."""

from __future__ import annotations

import pytest

from plugins.messaging.contacts import Contact
from plugins.messaging.vcard import VCardError, dump_vcards, parse_vcards


def test_a_quoted_parameter_may_hold_a_colon() -> None:
    (card,) = parse_vcards('BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ann Lee\r\n'
                           'EMAIL;TYPE="work:home";PREF=1:ann@lee.org\r\nEND:VCARD\r\n')
    assert card.emails == ["ann@lee.org"]


def test_escaped_commas_and_folded_lines() -> None:
    text = ("BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Lee\\, Ann\r\nNICKNAME:A\\,L,An\r\n n\r\n"
            "EMAIL:mailto:ann@lee.org\r\nEND:VCARD\r\n")
    (card,) = parse_vcards(text)
    assert (card.name, card.nicknames, card.emails) == ("Lee, Ann", ["A,L", "Ann"],
                                                        ["ann@lee.org"])


def test_name_from_n_then_email_and_cards_without_either_are_skipped() -> None:
    text = ("BEGIN:VCARD\r\nN:Ng;Kim;;;\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nEMAIL:only@mail.org\r\nEND:VCARD\r\n"
            "BEGIN:VCARD\r\nNOTE:nothing to call it\r\nEND:VCARD\r\n")
    assert [c.name for c in parse_vcards(text)] == ["Kim Ng", "only@mail.org"]


def test_export_is_vcard_4_with_one_preferred_address() -> None:
    text = dump_vcards([Contact("Ann Lee", ["ann@lee.org", "a@l.org"], ["A,L"], "sister")])
    lines = text.split("\r\n")
    assert lines[:2] == ["BEGIN:VCARD", "VERSION:4.0"]
    assert "EMAIL;PREF=1:ann@lee.org" in lines and "EMAIL:a@l.org" in lines
    assert "NICKNAME:A\\,L" in lines and "RELATED;VALUE=text:sister" in lines
    assert text.endswith("END:VCARD\r\n")


@pytest.mark.parametrize("text, why", [
    ("BEGIN:VCARD\r\nFN:x\r\n", "not closed with END:VCARD"),
    ("END:VCARD\r\n", "END:VCARD without BEGIN:VCARD"),
    ("BEGIN:VCARD\r\nFN x\r\nEND:VCARD\r\n", "malformed vCard line .*FN x"),
    ("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "BEGIN:VCALENDAR is not a vCard"),
    ("BEGIN:VCARD\r\nFN:a\r\nBEGIN:VCARD\r\nFN:b\r\nEND:VCARD\r\n", "before the previous"),
])
def test_malformed_input_names_the_problem(text: str, why: str) -> None:
    with pytest.raises(VCardError, match=why):
        parse_vcards(text)
