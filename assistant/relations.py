"""The words people use for a relation ("mom", "mum", "my mother", "ma"): a contact whose
relation is one of them is meant by any of them. Hand-written because no maintained offline
library maps English kinship and role words to each other (WordNet's synsets do not group
"mum" with "mom", nor "sis" with "sister")."""

from __future__ import annotations

import re

__all__ = ["kin_words", "relation_words", "says_relation"]

_GROUPS = [
    {"mom", "mum", "mother", "mommy", "mummy", "mama", "mamma", "momma"},
    {"dad", "father", "daddy", "papa", "pops"},
    {"sister", "sis", "sissy"},
    {"brother", "bro"},
    {"husband", "hubby"},
    {"wife", "wifey"},
    {"grandma", "grandmother", "gran", "granny", "nana", "grandmom"},
    {"grandpa", "grandfather", "granddad", "grandad", "gramps"},
    {"boyfriend", "bf"},
    {"girlfriend", "gf"},
    {"partner", "other half"},
    {"doctor"},
    {"boss", "manager"},
    {"roommate", "flatmate", "roomie"},
    {"vet", "veterinarian"},
    {"physio", "physiotherapist", "physical therapist"},
]


def relation_words(relation: str) -> set[str]:
    """``relation`` (lower-cased) and the other words for it; just itself when none."""
    rel = relation.strip().lower()
    if not rel:
        return set()
    out = {rel}
    for group in _GROUPS:
        if rel in group:
            out |= group
    return out


def kin_words() -> set[str]:
    """Every word this module knows for a relation ("mum", "boss", "vet"): words that name a
    person, never what to do."""
    return {word for group in _GROUPS for word in group}


def says_relation(text: str, relation: str) -> str | None:
    """The word of ``text`` (as whole words) that names ``relation``, or None."""
    low = text.lower()
    for word in sorted(relation_words(relation), key=len, reverse=True):
        if re.search(rf"\b{re.escape(word)}\b", low):
            return word
    return None
