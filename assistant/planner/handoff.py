"""Requests that hand a choice to content: "do what the first email asks", "send it on to the
address it gives", "open the link the page suggests". Web pages and incoming messages are
untrusted, so they may not choose the action, a recipient or a navigation target; lam asks
instead, showing where the content came from, and never lets the model guess.

Checked in code before any model runs (a model would happily pick *some* action or contact).
"""

from __future__ import annotations

import re

from pydantic import BaseModel

from actions.entities import Entity
from assistant.context import EntityTable
from assistant.resolve import find_mentions, resolve_reference

__all__ = ["Handoff", "content_handoff"]

_SAYS = (r"(?:says?|said|asks?(?:\s+for)?|asked(?:\s+for)?|wants?|tells?\s+(?:me|us)(?:\s+to)?|"
         r"requests?|instructs?|suggests?|mentions?|mentioned|gives?|names?|lists?|contains?|"
         r"includes?|points?\s+to|recommends?)")
_REF = r"(?P<ref>(?:it|they|this|that|he|she|the\s+[\w'-]+(?:\s+[\w'-]+){0,3}?))"
# After a noun, "that" opens a relative clause ("the link that says Pricing" is a label).
_SUBJECT = r"(?P<ref>(?:it|they|this|he|she|the\s+[\w'-]+(?:\s+[\w'-]+){0,3}?))"
# The choice of action: "do what X says", "follow the instructions in X".
_ACTION = [
    re.compile(r"\b(?:do|follow|obey|carry\s+out|execute|perform|handle)\s+(?:what(?:ever)?|as)"
               r"\s+" + _REF + r"\s+" + _SAYS + r"\b", re.I),
    re.compile(r"\b(?:do|follow|obey|carry\s+out|execute|perform)\s+(?:the\s+)?"
               r"(?:instructions?|steps?|commands?|requests?|orders?|directions?)\s+"
               r"(?:in|from|of|on)\s+" + _REF + r"\s*(?:$|[.,!?])", re.I),
]
# The choice of a recipient or target: "the address that mail gives", "the link in that email".
_VALUE_NOUN = (r"(?P<noun>(?:e-?mail\s+)?address|link|url|site|website|page|recipient|number|"
               r"contact|person)")
_VALUE = [
    re.compile(r"\bthe\s+(?:\w+\s+)?" + _VALUE_NOUN + r"\s+(?:that\s+|which\s+)?" + _SUBJECT +
               r"\s+" + _SAYS + r"\b", re.I),
    re.compile(r"\bthe\s+(?:\w+\s+)?" + _VALUE_NOUN + r"\s+(?:mentioned|given|named|listed|"
               r"suggested|quoted|written)\s+(?:in|by|on)\s+" + _REF + r"\s*(?:$|[.,!?])",
               re.I),
]
_PRONOUNS = frozenset({"it", "they", "this", "that", "he", "she"})
_TARGETS = frozenset({"link", "url", "site", "website", "page"})
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+|https?://[^\s\"'<>]+", re.I)


class Handoff(BaseModel):
    """A request that leaves a choice to untrusted content, and the question to ask."""

    choice: str
    """``action`` or ``value`` (a recipient or a navigation target)."""
    source: str
    """Where the content comes from, as the user should see it."""
    question: str
    found: list[str] = []
    """Addresses the content holds (shown, never used without the user's word)."""


def _referent(request: str, m: re.Match[str], table: EntityTable) -> Entity | None:
    """What the content's reference is: a pronoun ("the address it gives") is the thing
    the request named just before it ("forward the first email ..."), else the resolver's."""
    before = [mention for mention in find_mentions(request[:m.start("ref")])
              if mention.kind != "pronoun"]
    candidates = find_mentions(m.group("ref"))
    if m.group("ref").lower() in _PRONOUNS:
        candidates = [*reversed(before), *candidates]
    for mention in candidates:
        res = resolve_reference(mention, table)
        if res.entity is not None:
            return res.entity
    return None


def _addresses(entity: Entity) -> list[str]:
    text = " ".join([entity.label, *(str(v) for k, v in entity.attributes.items()
                                     if k in ("subject", "body", "text", "snippet", "url"))])
    return list(dict.fromkeys(_ADDRESS.findall(text)))


def content_handoff(request: str, table: EntityTable) -> Handoff | None:
    """The question to ask when the request hands the choice of action, recipient or target to
    untrusted content (None: it does not, or the content is the user's own)."""
    for choice, patterns in (("action", _ACTION), ("value", _VALUE)):
        for pattern in patterns:
            m = pattern.search(request)
            if m is None:
                continue
            ref = m.group("ref")
            entity = _referent(request, m, table)
            if entity is not None and entity.provenance.trusted:
                return None  # the user's own content may steer (a note, a contact)
            what = ref if entity is None else f"{ref} ({entity.label})"
            source = entity.provenance.source if entity is not None else "content I cannot see"
            found = _addresses(entity) if entity is not None else []
            if choice == "action":
                origin = f"{what} comes from {source}, and " if entity is not None else ""
                question = (f"{origin}I do not take instructions from messages or web pages. "
                            "What exactly do you want me to do?")
            else:
                noun = m.group("noun").lower()
                role = "target" if noun in _TARGETS else "recipient"
                shown = " It mentions: " + ", ".join(found) + "." if found else ""
                question = (f"The {noun} would come from {what}, from {source}, which may not "
                            f"choose a {role} for me.{shown} Which {noun} should I use? Type "
                            "it, or name a contact or site.")
            return Handoff(choice=choice, source=source, question=question, found=found)
    return None
