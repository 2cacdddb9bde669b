"""Tier 0's second readings of a request no sentence template matched: the same request said
the way a template says it ("the gym reminder - move it to 7" as "move the gym reminder to 7",
"tunde: running late" as "email tunde saying running late"). Each returns the new wording, or
None when the request is not of its form; the cascade tries them in `readings` order (then two
in turn, `reread`) and keeps the first a template matches. Rewrites, not templates: a
template's literal words become its action's cues ("reminding" would stop "remind" being
set_reminder's own word)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from collections.abc import Set as AbstractSet
from datetime import datetime
from zoneinfo import ZoneInfo

from actions.entities import Entity, Scope
from assistant.context import PERSON_TYPES, EntityTable
from assistant.normalize import AmbiguousTime, RecurrenceRule, parse_recurrence, parse_when
from assistant.relations import relation_words
from assistant.resolve import (
    EMAIL_ADDRESS_RE,
    at_organisation,
    find_mentions,
    most_described,
    named_exactly,
)

__all__ = ["URLISH", "addressed", "buried", "contact_described", "corrected", "detail_asked",
           "dislocated", "more_minutes", "not_this_but", "option_chosen", "readings", "reread",
           "stop_reminding", "subject_first", "time_first", "told", "without_instead"]

URLISH = re.compile(r"://|^[\w-]+(\.[\w-]+)+(/|$)")
"""A text that reads as a web address ("example.com/a", "https://…")."""


_FRONTED = re.compile(r"^\s*((?:the|my|that|this)\s+[^-–—:,]+?)\s*(?:[-–—:,]|\s-)\s*(.+)$",
                      re.I)


def dislocated(request: str) -> str | None:
    """A request that names its thing first and then refers to it ("the gym reminder - move
    it to 7pm", "the third link: open it") said in order, the reference put where
    "it" stands; None when the front is no whole reference or the rest has no "it"."""
    m = _FRONTED.match(request)
    if m is None:
        return None
    front, rest = m.group(1).strip(), m.group(2)
    mentions = find_mentions(front)
    if not mentions or mentions[0].start != 0 or mentions[0].end < len(front) \
            or mentions[0].kind == "pronoun":
        return None
    at = re.search(r"\b(?:it|that one|this one)\b", rest, re.I)
    if at is None:
        return None
    return rest[:at.start()] + front + rest[at.end():]


_CORRECTION = re.compile(
    r"(?P<wrong>[\w.@'-]+)\s*[-–—,]\s*(?:sorry,?\s+no|no,?\s+wait|wait,?\s+no|oops|i\s+mean|"
    r"i\s+meant|actually,?\s+no|make\s+that)\s*,?\s*(?P<right>[\w.@'-]+)\s*(?:[-–—,]\s*)?",
    re.I)


def corrected(request: str) -> str | None:
    """A request that takes a word back ("email aiyana - sorry no, farah - that …", "at 5,
    I mean 6, remind me …") with the word it takes back replaced; None when it takes
    none back. Only an explicit taking back counts ("sorry no", "I mean", "make that"), set
    off by a dash or a comma: "tell bob sorry" is a message."""
    m = _CORRECTION.search(request)
    if m is None:
        return None
    return " ".join(f"{request[:m.start()]}{m.group('right')} {request[m.end():]}".split())


_STOP_REMINDING = re.compile(r"^\s*(?:please\s+|pls\s+)?(?:stop|quit)\s+reminding\s+me\s+"
                             r"(?:about|to|of)\s+(?P<what>.+?)[.!]*$", re.I)


def stop_reminding(request: str) -> str | None:
    """"stop reminding me about the recycling" said as the cancelling it is ("cancel the
    recycling"); None for any other request. A rewrite, not a template: a template's words
    become its action's cues, and "reminding" would make "remind" no longer set_reminder's
    own word."""
    m = _STOP_REMINDING.match(request)
    return f"cancel {m.group('what')}" if m else None


_ADDRESSED = re.compile(r"^\s*(?P<verb>(?:e-?mail|mail|message|msg|text|ping|tell)\s+)?"
                        r"(?P<who>[^:,;\n]{1,60}?)\s*:\s*(?P<message>\S.*)$", re.I)


_SEVERAL_PEOPLE = frozenset({"and", "cc", "bcc", "&"})
"""Words that make a recipient several people: the model reads those, with their cc."""


def addressed(request: str, people: AbstractSet[str]) -> str | None:
    """A message typed as a chat line ("tunde: stuck in traffic, 20 mins late", "email my
    boss: running late") said as the sending it is ("email tunde saying …"); None otherwise.
    Without a verb the words before the colon must all be words of the name of a person in
    the entity table (``people``), so "note: buy milk" stays what it was."""
    m = _ADDRESSED.match(request)
    if m is None:
        return None
    who = m.group("who").strip()
    words = who.lower().split()
    if not words or len(words) > 4 or URLISH.search(who) \
            or (_SEVERAL_PEOPLE | {"subject"}) & set(words):
        return None  # "email joão and cc thiago: …" is for the model, with its cc
    if m.group("verb") is None and not all(w in people for w in words):
        return None
    return f"email {who} saying {m.group('message').strip()}"


_MORE_MINUTES = re.compile(r"^\s*(?:give\s+me|gimme|i\s+need|another)\s+(?P<n>[\w-]+)\s+more\s+"
                           r"min(?:ute)?s?\s+(?:on|for|with)\s+(?P<job>.+?)[.!]*$", re.I)


def more_minutes(request: str) -> str | None:
    """"give me 5 more minutes on that one" said as the snooze it is ("snooze that one for 5
    minutes"); None for any other request."""
    m = _MORE_MINUTES.match(request)
    return f"snooze {m.group('job')} for {m.group('n')} minutes" if m else None


_INSTEAD = re.compile(r"[,\s]+(?:instead|then)[.!]*\s*$", re.I)


def without_instead(request: str) -> str | None:
    """A change said with a trailing "instead" ("make it 5:30pm instead"), without it; None
    when the request does not end so."""
    return _INSTEAD.sub("", request) if _INSTEAD.search(request) else None


_TIME_FIRST_MAX = 8


def time_first(request: str, now: datetime, tz: ZoneInfo) -> str | None:
    """A request that says its time before what to do ("every 2 weeks on monday at 9am remind
    me to send the timesheet", "tomorrow at 9, remind me …") said with the time after it, at
    the end of the first step when more follow (", and email …"); None when no leading words
    of it are a time (the longest that are is taken)."""
    words = request.split()
    for k in range(min(_TIME_FIRST_MAX, len(words) - 2), 0, -1):
        front = " ".join(words[:k]).strip(" ,;:-")
        if front and _a_time(front, now, tz):
            rest = " ".join(words[k:]).strip(" ,;:-")
            step = _NEXT_STEP.search(rest)  # the time is the first step's, not the last's
            return f"{rest[:step.start()]} {front}{rest[step.start():]}" if step \
                else f"{rest} {front}"
    return None


_NEXT_STEP = re.compile(r",\s*(?:and\s+)?then\s+|,\s*and\s+|\s+and\s+then\s+", re.I)


def _a_time(text: str, now: datetime, tz: ZoneInfo) -> bool:
    if not re.search(r"\d|\b(?:every|daily|weekly|monthly|tomorrow|tonight|today|noon|"
                     r"midnight|morning|evening|afternoon|mon|tue|wed|thu|fri|sat|sun|next|in)",
                     text, re.I):
        return False
    if isinstance(parse_recurrence(text, now, tz), RecurrenceRule):
        return True
    return isinstance(parse_when(text, now, tz), datetime | AmbiguousTime)


_NOT_THIS_BUT = re.compile(
    r"^\s*(?:(?:no|nah|wait|actually|ok|oh)\b[\s,!.]*)*(?:don'?t|do\s+not|dont)\s+.+?"
    r"\s*(?:—|–|;|\s-\s|,\s*(?=(?:but|instead|rather|just)\b)|,?\s*instead,?)\s*"
    r"(?:(?:but|instead|rather|just)\s+)?(?P<rest>(?!(?:don'?t|do\s+not|dont|never|no)\b)"
    r"\w.*)$", re.I)


def not_this_but(request: str) -> str | None:
    """A request that says what not to do and then what to do ("don't send it now — send it
    tomorrow at 8am", "don't email her, just text her"): what to do; None otherwise."""
    m = _NOT_THIS_BUT.match(request)
    return m.group("rest").strip() if m else None


def readings(table: EntityTable, people: AbstractSet[str], now: datetime, tz: ZoneInfo
             ) -> list[Callable[[str], str | None]]:
    """The second readings in the order tried; ``people``: words of the names of the people
    in scope (for `addressed`)."""
    return [dislocated, corrected, not_this_but, stop_reminding, more_minutes, without_instead,
            subject_first, lambda text: addressed(text, people),
            lambda text: time_first(text, now, tz), lambda text: buried(text, table),
            lambda text: option_chosen(text, table), detail_asked,
            lambda text: told(text, table), contact_described]


_TOLD = re.compile(r"^\s*(?:(?:pls|please|can\s+(?:u|you)|could\s+(?:u|you))\s+)?"
                   r"(?P<verb>tell|let)\s+(?P<rest>.+?)\s*$", re.I)
_NOT_A_MESSAGE = frozenset({"about", "to", "re", "by", "via", "over"})
"""Words after "tell X" that begin no message ("tell her about …", "tell him to …"): the
model reads those."""
_NOT_RECIPIENTS = frozenset({"me", "us", "myself", "everyone", "everybody", "them", "him",
                             "her", "it"})


def told(request: str, table: EntityTable) -> str | None:
    """A message said to a person lam knows without "that" ("tell sora the logo is approved",
    "tell yui at kobayashi design …", "let my boss know I'm out friday") said as the email it
    is ("email sora saying the logo is approved"); None when the words after "tell" do not
    begin with one (a name or nickname of someone in scope, "my" and their relation, or a name
    and where they work) or what follows is no message ("tell me what's on", "tell her about
    …")."""
    m = _TOLD.match(request)
    if m is None:
        return None
    words = m.group("rest").split()
    people = table.of_type(*PERSON_TYPES)
    for k in range(min(6, len(words) - 2), 0, -1):
        who = " ".join(words[:k]).rstrip(",:")
        if not _one_known(who, people):
            continue
        rest = words[k:]
        if m.group("verb").lower() == "let":
            if rest[0].lower() != "know":
                return None
            rest = rest[1:]
        if rest and rest[0].lower() == "that":
            rest = rest[1:]
        if len(rest) < 2 or rest[0].lower().strip(",:") in _NOT_A_MESSAGE:
            return None
        return f"email {who} saying {' '.join(rest).lstrip(',: ')}"
    return None


def _one_known(who: str, people: list[Entity]) -> bool:
    """Whether ``who`` names someone in scope: their name or a word of it, a nickname, "my"
    and their relation, or their name and where they work."""
    low = who.lower()
    if low in _NOT_RECIPIENTS or not re.fullmatch(r"[^\W\d][\w'. -]*", who):
        return False
    relation = re.sub(r"^(?:my|our)\s+", "", low)
    return any(named_exactly(who, p) or relation in relation_words(
        str(p.attributes.get("relation") or "")) for p in people) \
        or bool(at_organisation(who, people))


_NEW_CONTACT = re.compile(
    r"^\s*(?:(?:pls|please|can\s+(?:u|you))\s+)?(?:add|save|create|make|store)\s+(?:a\s+|an\s+)?"
    r"(?:new\s+)?contact(?:\s+for)?\s*[:,-]?\s*(?P<rest>.+?)\s*[.!]*$"
    r"|^\s*(?:(?:pls|please)\s+)?(?:add|save)\s+(?P<rest2>.+?)\s+(?:to|in)\s+(?:my\s+)?"
    r"(?:contacts|address\s+book)\b(?P<after>.*?)\s*[.!]*$", re.I)
_SAID_RELATION = re.compile(
    r"(?:\s*[,;(-]\s*|\s+)(?:(?:(?:she|he|they)(?:'s|’s|\s+is|\s+are|'re)|who(?:'s|’s|\s+is))"
    r"\s+)?(?:my|our)\s+(?P<relation>[a-z][a-z' -]{1,30}?)\s*\)?\s*$", re.I)
_A_NAME = re.compile(r"[^\W\d_][\w'’.-]*(?:\s+[^\W\d_][\w'’.-]*){0,3}")


def contact_described(request: str) -> str | None:
    """A new contact's details in the order people say them ("save a new contact Oksana
    Hrytsenko oksana.h@example she's our babysitter", "add contact: Leo Tan, leo@example, my
    cousin") said the way a template does ("add Oksana Hrytsenko oksana.h@example to my
    contacts as my babysitter"); None when what is left besides an address and a relation is
    no name of one to four words."""
    m = _NEW_CONTACT.match(request)
    if m is None:
        return None
    rest = m.group("rest") or f"{m.group('rest2')} {m.group('after').strip(' ,;-')}"
    addresses = EMAIL_ADDRESS_RE.findall(rest)
    if len(addresses) > 1:
        return None
    rest = EMAIL_ADDRESS_RE.sub(" ", rest)
    said = _SAID_RELATION.search(rest)
    relation = said.group("relation").strip() if said else ""
    name = " ".join((rest[:said.start()] if said else rest).replace(",", " ").split())
    name = name.strip(" ()-:;")
    if not _A_NAME.fullmatch(name) or (not relation and not addresses):
        return None
    address = f" {addresses[0]}" if addresses else ""
    return f"add {name}{address} to my contacts" + (f" as my {relation}" if relation else "")


_ASKING = re.compile(
    r"(?:[,.;!?]\s*|\s)(?:(?:so|and|but|ok)\s+)*(?:(?:can|could|would|will)\s+(?:u|you|ya)|"
    r"pls|plz|please)\s+(?:pls\s+|please\s+|just\s+)*(?=\w)|[,.;!?]\s*so\s+(?=\w)", re.I)
_REPLY = re.compile(r"^(?P<verb>reply|answer|respond)\b(?:\s+to\s+(?P<who>him|her|them|it))?",
                    re.I)


def buried(request: str, table: EntityTable) -> str | None:
    """The instruction a rambling request ends with ("ugh ok so the roofing people FINALLY
    answered about the leak over the garage, can u reply and tell them friday works"): the
    words after its "can you" / "please" / ", so", with a reply's mail the one on screen the
    words before describe ("reply to email:501 and tell them …"); None for a request with no
    such turn after six words or more."""
    m = next((m for m in _ASKING.finditer(request) if len(request[:m.start()].split()) >= 6),
             None)
    if m is None or len(request[m.end():].split()) < 2:
        return None
    before, instruction = request[:m.start()], request[m.end():].strip()
    reply = _REPLY.match(instruction)
    if reply is None:
        return instruction
    mails: list[Entity] = [e for e in table.of_type("email") if e.scope is Scope.SCREEN]
    mail = most_described(before, mails, table.of_type(*PERSON_TYPES))
    if mail is None:
        return instruction
    return f"{reply.group('verb')} to {mail.id}{instruction[reply.end():]}"


_SUBJECT_FIRST = re.compile(
    r"^\s*(?:(?:pls|please|can\s+(?:u|you))\s+)?(?P<verb>e-?mail|mail|message)\s+"
    r"(?P<to>[^,:;]+?)\s*,?\s+(?:with\s+)?(?:the\s+|a\s+)?subject\s*(?:line\s*)?[:-]?\s*"
    r"(?P<subject>'[^']+'|\"[^\"]+\"|“[^”]+”|[^,.:;'\"]+?)\s*(?:[,.:;]|\s-|(?=\s+(?:and\s+)?(?:say|tell|body)\b))\s*(?:and\s+)?"
    r"(?:body\s*[:-]?\s*|say(?:ing)?\s+(?:that\s+)?|message\s*[:-]\s*|tell\s+(?:him|her|them)\s+"
    r"(?:that\s+)?)?(?P<body>\S.*)$", re.I)


def subject_first(request: str) -> str | None:
    """A message that gives its subject before its text ("email bron subject: Leave 12-16 July.
    body: hi bron, …", "email nell subject Standup notes: we agreed …") said the way a
    template says it ("email bron about Leave 12-16 July saying hi bron, …"); None otherwise
    (or with more than one recipient, which the model reads with its cc)."""
    m = _SUBJECT_FIRST.match(request)
    if m is None or _SEVERAL_PEOPLE & set(m.group("to").lower().split()):
        return None
    subject = m.group("subject").strip().strip("'\"“”")
    return f"email {m.group('to').strip()} about {subject} saying {m.group('body').strip()}"


_CHOOSE = re.compile(r"^\s*(?:(?:pls|please)\s+)?(?:select|choose|pick)\s+(?:the\s+)?"
                     r"(?P<option>[^,;:]+?)(?:\s+option)?[.!]*$", re.I)


def option_chosen(request: str, table: EntityTable) -> str | None:
    """"pick express shipping" on a page with one drop-down that has such an option, said
    with that field and the option's own text ("select Express (1-2 days) in field:ship");
    None when no drop-down on screen has one option the words fit, or several do. The words
    of the field's own label ("shipping" of "Shipping method") may be said beside the option's."""
    m = _CHOOSE.match(request)
    if m is None:
        return None
    said = _plain_words(m.group("option"))
    found: list[tuple[Entity, str]] = []
    for field in table.of_type("field"):
        options = field.attributes.get("options")
        if field.scope is not Scope.SCREEN or not isinstance(options, list):
            continue
        wanted = said - _plain_words(field.label)
        for option in options:
            words = _plain_words(str(option))
            if wanted and (wanted <= words or words == said):
                found.append((field, str(option)))
    if len(found) != 1:
        return None
    field, option = found[0]
    return f"select {option} in {field.id}"


def _plain_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[^\W_]+", text.lower()) if w not in ("the", "a", "an")}


_DETAIL_ASKED = re.compile(
    r"^\s*(?:hey\s+)?(?:what'?s|what\s+is|what\s+was|whats|gimme|give\s+me|tell\s+me)\s+"
    r"(?:the\s+|my\s+)?(?P<who>[^\W\d][\w -]{0,40}?)['’]s\s+(?:e-?mail(?:\s+address)?|"
    r"address|e-?mail\s+id)(?:\s+again)?\s*\??$", re.I)


def detail_asked(request: str) -> str | None:
    """"whats my dad's email again" said as the look-up it is ("find contact dad"); None for
    any other request."""
    m = _DETAIL_ASKED.match(request)
    return f"find contact {m.group('who').strip()}" if m else None


def reread(request: str, ways: list[Callable[[str], str | None]]) -> Iterator[str]:
    """The wordings ``ways`` give ``request``: each alone in order, then each of those read
    by a second way ("the parent teacher thing, make it 5:30pm instead": without "instead",
    then the thing put where "it" stands)."""
    once = [(k, again) for k, way in enumerate(ways) if (again := way(request)) is not None]
    seen = {request, *(again for _, again in once)}
    yield from dict.fromkeys(again for _, again in once)
    for k, again in once:
        for j, way in enumerate(ways):
            twice = way(again) if j != k else None
            if twice is not None and twice not in seen:
                seen.add(twice)
                yield twice
