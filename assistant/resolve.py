"""Reference resolution, symbolic first: pronouns, demonstratives, ordinals and descriptions
become entity ids, type-checked against the slot they fill. Close candidates become a question —
never a silent guess."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher

from actions.entities import Entity, Scope
from assistant.context import PERSON_TYPES, EntityTable
from assistant.relations import relation_words

__all__ = ["Mention", "Resolution", "at_organisation", "find_mentions", "match_by_description",
           "most_described", "named_exactly", "one_of_any_kind", "resolve_reference"]

ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
    "6th": 6, "7th": 7, "8th": 8, "9th": 9, "10th": 10, "last": -1, "final": -1,
    "latest": -1, "newest": -1, "most recent": -1,
    "next-to-last": -2, "second-to-last": -2, "penultimate": -2,
}
NOUN_TYPES = {
    "link": "link", "links": "link", "email": "email", "emails": "email", "message": "email",
    "mail": "email", "messages": "email", "field": "field", "box": "field", "button": "button",
    "job": "job", "reminder": "job", "jobs": "job", "reminders": "job", "page": "page",
    "site": "page", "heading": "heading", "table": "table", "contact": "contact",
    "result": "link", "results": "link", "one": None, "item": None,
}
_ORD = "|".join(sorted((re.escape(k) for k in ORDINALS), key=len, reverse=True))
_NOUN = "|".join(sorted(NOUN_TYPES, key=len, reverse=True))
ORDINAL_RE = re.compile(rf"\b(?:the\s+)?({_ORD}|#\d+|number\s+\d+)\s+(?:(\w+)\s+)?({_NOUN})\b",
                        re.I)
DEMONSTRATIVE_RE = re.compile(rf"\b(this|that|the current|the open|the)\s+({_NOUN})\b(?!\s+from)",
                              re.I)
FROM_RE = re.compile(r"\b(?:the\s+)?(?:(last|latest|newest|first|oldest)\s+)?"
                     r"(email|message|mail)\s+from\s+(?:(?:my|our|the)\s+)?([A-Za-z][\w.@-]*)",
                     re.I)
""""the email from Ann", "… from my accountant" (a relation: the detail is "accountant")."""
POSSESSIVE_RE = re.compile(r"\b([A-Za-z][\w-]*)['’]s\s+(?:(?:(last|latest|newest|first|oldest)\s+)?"
                           r"(email|message|mail)\b|(last|latest|newest|first|oldest)\b(?!\s+\w))",
                           re.I)
""""Alice's email", "wanji's latest" (typed in lower case too): the email from that person."""
_NOT_OWNERS = frozenset({"it", "that", "what", "there", "here", "he", "she", "who", "let",
                         "one", "today", "tomorrow", "yesterday", "week", "month", "year",
                         "tonight", "everyone", "someone", "somebody", "nobody"})
SLIPPED_ORDINAL_RE = re.compile(rf"\bthe\s+([a-z]{{5,}})\s+(?:(\w+)\s+)?({_NOUN})\b", re.I)
""""the secnd result", "the thrid link": an ordinal with a typing slip (`_slipped_ordinal`)."""
PRONOUN_WORDS = frozenset({"it", "her", "him", "them", "this", "that"})
PRONOUN_RE = re.compile(r"\b(it|her|him|them|this|that)\b(?=\s*(?:$|[.,!?]|to\b|for\b|with\b|"
                        r"on\b|in\b|and\b|as\b))|\b(it|her|him|them)\b", re.I)
# "the Docs link", "the Search box": a thing on screen by its label and its kind.
_LABELED_NOUNS = {"link": "link", "button": "button", "field": "field", "box": "field",
                  "heading": "heading", "table": "table"}
LABELED_RE = re.compile(r"\bthe\s+(?!(?:current|open|same|other|next|previous)\b)"
                        r"((?:[\w'.-]+\s+){0,3}?[\w'.-]+)\s+(" + "|".join(_LABELED_NOUNS) +
                        r")\b(?!\s+from)", re.I)
NAMED_JOB_RE = re.compile(r"\b(?:the|that|this|my)\s+((?:[\w'-]+\s+){0,2}?[\w'-]+)\s+"
                          r"(?:one|job|reminder|thing)\b", re.I)


@dataclass
class Mention:
    text: str
    start: int
    end: int
    kind: str
    """``ordinal`` | ``demonstrative`` | ``description`` | ``pronoun`` | ``named`` |
    ``labeled`` (a thing by its label and kind: "the Docs link")."""
    type_hint: str | None = None
    ordinal: int | None = None
    detail: str = ""


@dataclass
class Resolution:
    entity: Entity | None = None
    candidates: list[Entity] = field(default_factory=list)
    question: str | None = None
    note: str = ""
    """How it was resolved, shown to the user ("'her' = person in your last message")."""

    @property
    def ok(self) -> bool:
        return self.entity is not None


def find_mentions(text: str) -> list[Mention]:
    """Referring expressions in a request, in order, without overlaps."""
    found: list[Mention] = []
    for m in FROM_RE.finditer(text):
        found.append(Mention(m.group(0), m.start(), m.end(), "description", "email",
                             ordinal=-1 if (m.group(1) or "last").lower() in
                             ("last", "latest", "newest") else 1, detail=m.group(3)))
    for m in POSSESSIVE_RE.finditer(text):  # "Alice's email" = the email from Alice
        if m.group(1).lower() in _NOT_OWNERS:
            continue
        rank = (m.group(2) or m.group(4) or "").lower()
        found.append(Mention(m.group(0), m.start(), m.end(), "description", "email",
                             ordinal=1 if rank in ("first", "oldest") else -1,
                             detail=m.group(1)))
    for m in ORDINAL_RE.finditer(text):
        word = m.group(1).lower()
        n = (int(re.sub(r"\D", "", word)) if word.startswith(("#", "number"))
             else ORDINALS[word])
        found.append(Mention(m.group(0), m.start(), m.end(), "ordinal",
                             NOUN_TYPES[m.group(3).lower()], ordinal=n,
                             detail=(m.group(2) or "")))
    for m in SLIPPED_ORDINAL_RE.finditer(text):
        place = _slipped_ordinal(m.group(1).lower())
        if place is not None:
            found.append(Mention(m.group(0), m.start(), m.end(), "ordinal",
                                 NOUN_TYPES[m.group(3).lower()], ordinal=place,
                                 detail=(m.group(2) or "")))
    for m in NAMED_JOB_RE.finditer(text):
        if m.group(1).lower() not in ORDINALS:
            found.append(Mention(m.group(0), m.start(), m.end(), "named", "job",
                                 detail=m.group(1)))
    taken = [(f.start, f.end) for f in found]
    for m in LABELED_RE.finditer(text):
        label = m.group(1)
        if (label.lower() in ORDINALS or label.split()[0].lower() in ORDINALS
                or label.lower() in PRONOUN_WORDS
                or any(a <= m.start() < b for a, b in taken)):
            continue
        found.append(Mention(m.group(0), m.start(), m.end(), "labeled",
                             _LABELED_NOUNS[m.group(2).lower()], detail=label))
    for m in DEMONSTRATIVE_RE.finditer(text):
        found.append(Mention(m.group(0), m.start(), m.end(), "demonstrative",
                             NOUN_TYPES[m.group(2).lower()]))
    for m in PRONOUN_RE.finditer(text):
        word = (m.group(1) or m.group(2)).lower()
        hint = "person" if word in ("her", "him", "them") else None
        found.append(Mention(m.group(0), m.start(), m.end(), "pronoun", hint))
    found.sort(key=lambda x: (x.start, -(x.end - x.start)))
    out: list[Mention] = []
    for mention in found:
        if out and mention.start < out[-1].end:
            continue
        out.append(mention)
    return out


def _slipped_ordinal(word: str) -> int | None:
    """The place an ordinal word with one typing slip says ("secnd": 2), or None: only words
    of five letters or more that are no ordinal themselves, one slip from exactly one."""
    from assistant.planner.relevance import one_edit

    if word in ORDINALS or word[:-1] in ORDINALS or word.endswith("ty"):
        return None  # "the seconds field" is a plural, "fifty" a number
    near = {ORDINALS[k] for k in ORDINALS if k.isalpha() and len(k) >= 5 and one_edit(word, k)}
    return near.pop() if len(near) == 1 else None


def _types_for(mention: Mention, wanted: str | None) -> set[str] | None:
    hint = mention.type_hint
    if hint == "person":
        hint_types: set[str] | None = set(PERSON_TYPES)
    elif hint:
        hint_types = {hint}
    else:
        hint_types = None
    if wanted is None:
        return hint_types
    if hint_types is None:
        return {wanted}
    return hint_types & {wanted} or (hint_types if wanted in PERSON_TYPES and
                                     hint_types & PERSON_TYPES else set())


def _similar(a: str, b: str) -> float:
    return SequenceMatcher(None, a.lower(), b.lower()).ratio()


def resolve_reference(mention: Mention, table: EntityTable,
                      wanted: str | None = None) -> Resolution:
    """Resolve one mention against the table, for a slot wanting entity type ``wanted``.
    "her" for an email ("reply to her …") is the email talked of last, when one is and no
    person was talked of since (that person's mail is theirs to pick, not this one's)."""
    types = _types_for(mention, wanted)
    if types is not None and not types and mention.kind == "pronoun" \
            and mention.type_hint == "person" and wanted == "email":
        mails = [e for e in table.of_type("email") if table.recency(e.id) > 0
                 and e.scope is not Scope.SCREEN]
        people = [e for e in table.of_type(*PERSON_TYPES) if table.recency(e.id) > 0]
        if mails:
            last = max(mails, key=lambda e: table.recency(e.id))
            if not any(table.recency(p.id) > table.recency(last.id) for p in people):
                return Resolution(entity=last, note=f"'{mention.text}' = the sender of "
                                                    f"{last.label} (most recent)")
    if types is not None and not types:
        return Resolution(question=f"'{mention.text}' is not a {wanted}: which {wanted} "
                                   "do you mean?")
    if mention.kind in ("ordinal", "description"):
        if mention.kind == "ordinal" and mention.type_hint is None:
            # "the second one": the most recently listed type that fits the slot
            listed_types = [t for t in table.screen_types() if types is None or t in types]
            if not listed_types:
                return Resolution(question=f"Nothing is listed that '{mention.text}' could be.")
            etype = listed_types[0]
        else:
            etype = mention.type_hint or wanted or ""
        items = table.listed(etype) or table.of_type(etype)
        if mention.kind == "description":
            items = [e for e in items
                     if mention.detail.lower() in str(e.attributes.get("from", "")).lower()
                     or mention.detail.lower() in e.label.lower()]
            # oldest first: by date, and without dates by place (lam lists mail newest first)
            items.sort(key=lambda e: (str(e.attributes.get("date", "")), -(e.ordinal or 0)))
            if not items:
                return Resolution(question=f"I see no {etype} from {mention.detail}.")
            senders = {str(e.attributes.get("sender") or e.attributes.get("from", "")).lower()
                       for e in items}
            if len(senders) > 1:  # "segun's email" with mail from two people called Segun
                names = sorted({str(e.attributes.get("from") or e.label) for e in items})
                return Resolution(candidates=items, question=f"Which {mention.detail} do you "
                                  f"mean: {' or '.join(names)}?")
        n = mention.ordinal or 1
        if not items:
            return Resolution(question=f"There is no {etype} on screen for '{mention.text}'.")
        if n > len(items) or -n > len(items):
            return Resolution(question=f"There are only {len(items)} {etype}s; which one do "
                                       f"you mean by '{mention.text}'?", candidates=items)
        chosen = items[n - 1] if n > 0 else items[n]
        return Resolution(entity=chosen, note=f"'{mention.text}' = {etype} #{chosen.ordinal or n}"
                                              f" ({chosen.label})")
    if mention.kind == "labeled":
        etype = mention.type_hint or wanted or ""
        items = table.listed(etype) or table.of_type(etype)
        if not items:
            return Resolution(question=f"There is no {etype} on screen for '{mention.text}'.")
        found = match_by_label(mention.detail, items)
        exact = [e for e in found if e.label.strip().lower() == mention.detail.lower()]
        if len(exact) == 1 or len(found) == 1:
            chosen = exact[0] if len(exact) == 1 else found[0]
            return Resolution(entity=chosen, note=f"'{mention.text}' = {etype} "
                                                  f"#{chosen.ordinal or '?'} ({chosen.label})")
        if not found:
            return Resolution(candidates=items[:6],
                              question=f"I see no {etype} labeled '{mention.detail}'. "
                                       "Which one do you mean?")
        return Resolution(candidates=found[:6], question=f"Which {etype} do you mean by "
                          f"'{mention.text}': " + " or ".join(e.label for e in found[:4]) + "?")
    if mention.kind == "named":
        jobs = _jobs_named(mention.detail, table.of_type("job"))
        if len(jobs) == 1:
            return Resolution(entity=jobs[0], note=f"'{mention.text}' = job {jobs[0].label}")
        if not jobs:
            return Resolution(question=f"I find no job matching '{mention.detail}'.")
        return Resolution(candidates=jobs, question="Which one: "
                          + " or ".join(j.label for j in jobs) + "?")
    # pronouns and demonstratives: most recent entity of a fitting type
    pool = [e for e in table.all() if types is None or e.type in types]
    if mention.kind == "demonstrative" and mention.type_hint == "page":
        pool = [e for e in pool if e.type == "page"]
    if mention.kind == "pronoun" and mention.type_hint is None:
        pool = [e for e in pool if e.type not in PERSON_TYPES]  # "it" is never a person
    pool = [e for e in pool if table.recency(e.id) > 0] or (
        pool if mention.type_hint not in (None, "person") else [])
    if not pool:
        what = wanted or mention.type_hint or "thing"
        return Resolution(question=f"What does '{mention.text}' refer to? I see no {what} "
                                   "in our conversation.")
    top = pool[0]
    rivals = [e for e in pool[1:] if table.recency(e.id) == table.recency(top.id)
              and e.type == top.type]
    if rivals:
        options = [top, *rivals]
        return Resolution(candidates=options,
                          question=f"Which one do you mean by '{mention.text}': "
                                   + " or ".join(o.label or o.id for o in options) + "?")
    return Resolution(entity=top, note=f"'{mention.text}' = {top.type} {top.label or top.id}"
                                       " (most recent)")


def _jobs_named(detail: str, jobs: list[Entity]) -> list[Entity]:
    """Jobs whose label holds ``detail`` ("con ed" of "pay the con ed bill"); failing that,
    those holding each of its words, or else its one longer word that only some hold."""
    text = detail.lower()
    found = [e for e in jobs if text in e.label.lower()]
    words = [w for w in re.findall(r"[\w']+", text) if w not in _JOB_FILLER]
    if found or not words:
        return found
    labels = {e.id: set(re.findall(r"[\w']+", e.label.lower())) for e in jobs}
    found = [e for e in jobs if all(w in labels[e.id] for w in words)]
    if found:
        return found
    hits = {w: [e for e in jobs if w in labels[e.id]] for w in words if len(w) > 3}
    named = [hit for hit in hits.values() if hit]
    return named[0] if len(named) == 1 else []


_JOB_FILLER = frozenset({"the", "a", "my", "daily", "weekly", "monthly", "yearly", "old",
                         "new", "same", "recurring", "repeating"})


def match_by_label(text: str, candidates: list[Entity], threshold: float = 0.75) -> list[Entity]:
    """Entities whose label (or a word of it, or a nickname) fits ``text``, best first."""
    t = text.strip().lower()
    scored = []
    for e in candidates:
        names = [e.label, *(e.attributes.get("nicknames") or []),
                 *relation_words(str(e.attributes.get("relation") or ""))]
        best = 0.0
        for name in filter(None, names):
            n = name.lower()
            words = n.split()
            if t == n:
                best = max(best, 1.0)
            elif t in words or (words and t == words[0]):
                best = max(best, 0.95)
            else:
                best = max(best, _similar(t, n), *(_similar(t, w) for w in words))
        if best >= threshold:
            scored.append((best, e))
    scored.sort(key=lambda x: (-x[0], x[1].label))
    return [e for _, e in scored]


def one_of_any_kind(mention: Mention) -> bool:
    """Whether a mention is "the X one", which may be a thing of any kind ("answer the
    landlord one": the landlord's email), not only the job it is read as first."""
    return mention.kind == "named" and mention.text.lower().endswith((" one", " thing"))


def named_exactly(text: str, entity: Entity) -> bool:
    """Whether ``text`` is ``entity``'s label, a word of it or one of its nicknames (not only
    like one: "tunde" names Babatunde, whose nickname it is, and not Yetunde)."""
    t = " ".join(text.lower().split())
    names = [entity.label, *(entity.attributes.get("nicknames") or [])]
    return any(t == str(n).lower() or t in str(n).lower().split() for n in names if n)


_AT_ORGANISATION = re.compile(r"^(?P<who>[^\W\d][\w'.-]*(?:\s+[^\W\d][\w'.-]*)?)\s+(?:at|from|@)\s+"
                              r"(?P<org>[^\W\d][\w&'.-]*(?:\s+[\w&'.-]+){0,3})$", re.I)


def at_organisation(text: str, people: Sequence[Entity]) -> list[Entity]:
    """The people ``text`` names by a name and where they work ("yui at kobayashi design",
    "sam from northwind"): those a word of whose name (or a nickname) is the name said and
    whose address's domain holds the place's words run together ("kobayashi-design.example").
    Empty when ``text`` is not of that form or no one fits: a place the address does not show
    proves nothing."""
    m = _AT_ORGANISATION.match(" ".join(text.split()))
    if m is None:
        return []
    place = re.sub(r"[^a-z0-9]", "", m.group("org").lower())
    found = []
    for person in people:
        addresses = [person.attributes.get("email"), *(person.attributes.get("emails") or [])]
        domains = {re.sub(r"[^a-z0-9]", "", str(a).lower().rsplit("@", 1)[-1])
                   for a in addresses if a and "@" in str(a)}
        if len(place) >= 3 and named_exactly(m.group("who"), person) \
                and any(place in d for d in domains):
            found.append(person)
    return found


# Words that say what kind of thing is meant, or join a description, not which one.
_KIND_WORDS = frozenset({
    "the", "my", "a", "an", "that", "this", "one", "thing", "about", "from", "of", "on", "to",
    "with", "for", "in", "by", "and", "email", "emails", "mail", "message", "e", "link",
    "page", "field", "box", "button", "reminder", "job", "entry", "item", "version",
    "dropdown", "drop", "down", "menu", "textbox", "input", "checkbox", "tickbox", "radio"})
EMAIL_ADDRESS_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
"""An email address anywhere in a text."""


def _words(text: str) -> set[str]:
    """Lower-case words of ``text``, a possessive 's and a plural s taken off."""
    text = re.sub(r"['’]s\b", "", text.lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w
            for w in re.findall(r"[^\W_]+", text)}


def _described_words(entity: Entity, people: Sequence[Entity]) -> set[str]:
    """The words a user may describe ``entity`` by: its label and its text attributes; for an
    email, also the names, nicknames and relation of the contact who sent it."""
    values = [entity.label, *(v for v in entity.attributes.values() if isinstance(v, str))]
    words = set().union(*(_words(v) for v in values))
    said_from = " ".join(str(entity.attributes.get(k, "")) for k in ("from", "sender")).lower()
    senders = set(EMAIL_ADDRESS_RE.findall(said_from))
    for person in people if senders else []:  # by address: a display name proves nothing
        emails = {str(a).lower() for a in person.attributes.get("emails") or []}
        emails.add(str(person.attributes.get("email", "")).lower())
        if senders & emails:
            words |= _words(" ".join([person.label, *(person.attributes.get("nicknames") or []),
                                      *relation_words(str(person.attributes.get("relation")
                                                          or ""))]))
    return words


def most_described(text: str, candidates: list[Entity], people: Sequence[Entity] = ()
                   ) -> Entity | None:
    """The one candidate that a passage of the user's words talks about ("so the roofing
    people finally answered about the leak over the garage": the roofing mail): the one that
    shares two or more describing words with it, twice as many as any other; None otherwise."""
    wanted = _words(text) - _KIND_WORDS - _COMMON_WORDS
    shared = sorted(((len(wanted & _described_words(e, people)), e) for e in candidates),
                    key=lambda ne: -ne[0])
    if not shared or shared[0][0] < 2 or (len(shared) > 1 and shared[1][0] * 2 > shared[0][0]):
        return None
    return shared[0][1]


_COMMON_WORDS = frozenset({
    "a", "an", "is", "are", "was", "were", "be", "i", "me", "you", "u", "we", "they", "he",
    "she", "it", "him", "her", "them", "his", "our", "your", "their", "so", "ok", "okay", "and",
    "or", "but", "not", "no", "yes", "just", "still", "really", "honestly", "finally", "ugh",
    "lol", "at", "as", "up", "out", "over", "all", "have", "has", "had", "do", "did", "can",
    "could", "would", "will", "im", "i'm", "today", "day", "long", "sorry", "re", "fwd",
    "ll", "s", "t", "don", "came", "come", "by", "some", "any", "what", "when", "who"})
"""Words too common to say which thing a passage is about."""


def match_by_description(text: str, candidates: list[Entity],
                         people: Sequence[Entity] = (), *, partly: bool = False
                         ) -> list[Entity]:
    """Candidates that every describing word of ``text`` fits ("the council email", "lachie's
    email", "the one about opening hours"): a word of the label, of a text attribute (subject,
    sender, address) or, for an email, of its sender's contact (name, nickname, relation).
    The user's words choose; an entity's text is only matched against them. Empty when
    ``text`` has no describing word. ``partly``: failing that, the one candidate that half
    the words fit when no other fits any."""
    wanted = _words(text) - _KIND_WORDS
    if not wanted:
        return []
    said = {e.id: wanted & _described_words(e, people) for e in candidates}
    found = [e for e in candidates if said[e.id] == wanted]
    if found or not partly:
        return found
    some = [e for e in candidates if said[e.id]]
    # partly: the one candidate some of the words fit ("the plane ticket" for an "e-ticket"),
    # half of them at least, when no other candidate fits any
    return some if len(some) == 1 and 2 * len(said[some[0].id]) >= len(wanted) else []
