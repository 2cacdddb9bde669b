"""Referring expressions as people type them: a relation after "from", an ordinal with a
typing slip."""

from __future__ import annotations

import pytest

from assistant.resolve import find_mentions


@pytest.mark.parametrize(("text", "detail"), [
    ("show me the mail from my landlord please", "landlord"),
    ("the message from our plumber", "plumber"),
    ("the email from the council", "council"),
    ("the email from Priya", "Priya"),
])
def test_a_sender_after_from_is_the_whole_description(text: str, detail: str) -> None:
    mention = find_mentions(text)[0]
    assert (mention.kind, mention.type_hint, mention.detail) == ("description", "email", detail)
    assert mention.text.endswith(detail)


@pytest.mark.parametrize(("text", "place", "kind"), [
    ("click the thrid link", 3, "link"),
    ("read the fisrt email", 1, "email"),
    ("open the secnd search result", 2, "link"),
])
def test_an_ordinal_with_a_typing_slip_is_that_place(text: str, place: int, kind: str) -> None:
    mention = find_mentions(text)[0]
    assert (mention.kind, mention.ordinal, mention.type_hint) == ("ordinal", place, kind)


@pytest.mark.parametrize("text", ["fill the seconds field", "open the fifty link",
                                  "send the email"])
def test_words_near_an_ordinal_are_not_slips(text: str) -> None:
    assert all(m.kind != "ordinal" for m in find_mentions(text))


@pytest.mark.parametrize(("text", "who", "place"), [
    ("reply to wanji's email: noted", "wanji", -1),
    ("reply to wanji's latest: noted, will do", "wanji", -1),
    ("forward Ines's first email to me", "Ines", 1),
])
def test_a_possessive_typed_in_lower_case_is_the_email_from_them(text: str, who: str,
                                                                place: int) -> None:
    mention = find_mentions(text)[0]
    assert (mention.kind, mention.type_hint, mention.detail, mention.ordinal) == (
        "description", "email", who, place)


@pytest.mark.parametrize("text", ["read today's email", "what's email", "let's mail them"])
def test_words_that_own_nothing_are_no_sender(text: str) -> None:
    assert all(m.kind != "description" for m in find_mentions(text))
