"""Whom "her" or "him" means when the request itself named someone before it: "forward this to
my sister and ask her if it looks legit" is the sister, not a question among every person lam
knows. Only one person named before the pronoun counts; two are asked about as before."""

from __future__ import annotations

import re

from actions.entities import Entity
from actions.plan import Step, ValueSource
from actions.spec import ActionSpec
from actions.types import is_long_text
from assistant.context import PERSON_TYPES
from assistant.planner.doubts import name_words
from assistant.relations import says_relation
from assistant.resolve import EMAIL_ADDRESS_RE

__all__ = ["address_before", "named_before", "said_to_them"]

_TO_THEM = re.compile(r"^(?:and\s+)?(?:ask|tell|let)\s+(?:her|him|them)\s+(?:know\s+)?"
                      r"(?P<text>\S.*)$", re.IGNORECASE)


def named_before(request: str, end: int, people: list[Entity]) -> Entity | None:
    """The one person of ``people`` that ``request`` names before offset ``end`` (a word of
    their name or nickname, or their relation: "my sister"); None when none or several."""
    said = request[:end].lower()
    words = set(re.findall(r"[a-z]+", said))
    found = []
    for person in people:
        relation = str(person.attributes.get("relation") or "")
        if name_words(person) & words or says_relation(said, relation):
            found.append(person)
    return found[0] if len(found) == 1 else None


_PERSONAL = frozenset({"him", "her", "them", "he", "she", "they"})


def address_before(request: str, pronoun: str) -> str | None:
    """The one email address ``request`` gives before ``pronoun`` ("him", "her") says it:
    the person meant, whom lam may not know yet; None when there is none or several."""
    if pronoun.strip().lower() not in _PERSONAL:
        return None
    at = re.search(rf"\b{re.escape(pronoun.strip())}\b", request, re.IGNORECASE)
    found = EMAIL_ADDRESS_RE.findall(request[:at.start()]) if at else []
    return found[0] if len(found) == 1 else None


def said_to_them(clause: str, step: Step, specs: dict[str, ActionSpec]) -> Step | None:
    """``step`` (a message to someone) with ``clause`` ("ask her if it looks legit") as its
    empty message text, when the clause only says what to tell or ask its recipient; None
    when it is something else to do."""
    m = _TO_THEM.match(clause.strip())
    spec = specs.get(step.action)
    if m is None or spec is None:
        return None
    props = spec.parameters_schema().get("properties", {})
    if not any(t in PERSON_TYPES for t in spec.entity_params().values()) \
            and "to" not in props:
        return None
    texts = [name for name, prop in props.items()
             if is_long_text(prop) and not step.args.get(name)]
    if len(texts) != 1:
        return None
    text = m.group("text").strip()
    return step.model_copy(update={
        "args": {**step.args, texts[0]: text},
        "sources": {**step.sources, texts[0]: ValueSource(
            kind="user_text", text=text, note="what the request asks to tell them")}})
