"""Does any action fit at all? A request that shares no word with the vocabulary of any action
(its name, description, parameters and sentence templates), names no web address, refers to
nothing ("it", "the second link") and asks for nothing at a time is small talk: lam answers
it plainly instead of asking the model, which would otherwise force some action onto it."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from actions.spec import ActionSpec
from assistant.normalize import TimeParseError, TimeParseReason, find_addresses, parse_when
from assistant.normalize.urls import known_sites
from assistant.resolve import find_mentions

__all__ = ["ActionVocabulary", "one_edit", "stems"]

# Words that carry no action: function words, greetings and fillers.
_STOP_WORDS = """
a an the to of in on at for and or but is are was were be been am me my mine i i'm im you
your yours it its this that these those what whats who how why when where which do does did
done can could would will shall should may might please just now ok okay so some any all
there here with by from up about as not no yes hi hey hello thanks thank good great cool
nice fine well very really much many more most also too then than if into out over under
our we us they them their he she him her his hers let lets get got have has had make made
want wanna need like know think don't dont
"""
_STOP = frozenset(_STOP_WORDS.split())
_WORD = re.compile(r"[a-z][a-z']*")
_TO_ME = re.compile(r"\b(?:tell|say\s+to)\s+(?:me|us)\b", re.I)
_IDIOM = re.compile(r"\bhow(?:'?s| is)\s+it\s+going\b|\bthat'?s\s+it\b|\bi\s+(?:got|get)\s+it\b|"
                    r"\bno\s+worries\b", re.I)
"""Small talk whose "it" refers to nothing ("how's it going")."""


_SHORTHAND = {"fwd": "forward", "fw": "forward", "msg": "message", "msgs": "messages",
              "txt": "text", "rmd": "remind", "sched": "schedule", "addr": "address",
              "lookup": "look", "signup": "sign", "login": "log"}
"""Chat shorthand for the words actions are called by ("fwd hank's invoice")."""


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if suffix == "s" and word.endswith(("ss", "us", "is")):
            continue  # "boss", "status", "this": no plural to take off
        if suffix == "es" and not word.endswith(("ses", "xes", "zes", "ches", "shes")):
            continue  # "messages" is "message" + s ("boxes": "box" + es)
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _content_words(text: str) -> list[str]:
    words = (_SHORTHAND.get(w, w) for w in _WORD.findall(text.lower()))
    return [w for w in words if w not in _STOP and len(w) > 2]


def stems(text: str) -> set[str]:
    """The stemmed content words of a text."""
    return {_stem(w) for w in _content_words(text)}


def one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one typing slip: a letter left out, added or
    mistyped, or two neighbours swapped ("rmind", "shedule", "forwrad")."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diff = [k for k in range(len(a)) if a[k] != b[k]]
        return len(diff) == 1 or (len(diff) == 2 and diff[1] == diff[0] + 1
                                  and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    k = next((k for k in range(len(short)) if short[k] != long_[k]), len(short))
    return short[k:] == long_[k + 1:]


def known_site_in(request: str) -> str | None:
    """The longest name of a well-known site (the URL normalizer's table) the request says
    as whole words ("bring up the python documentation"): a place to go, so not small talk."""
    said = " " + " ".join(_WORD.findall(request.lower().replace("'s ", " "))) + " "
    found = [name for name in known_sites() if f" {name} " in said]
    return max(found, key=len) if found else None


class ActionVocabulary:
    """The words the live actions are described and templated with (stemmed), and each
    action's *cues*: the words of its name and sentence templates."""

    def __init__(self, specs: list[ActionSpec]) -> None:
        words: set[str] = set()
        described: dict[str, set[str]] = {}
        self.cues: dict[str, frozenset[str]] = {}
        for spec in specs:
            self.cues[spec.name] = frozenset(stems(" ".join(
                [spec.name.replace("_", " "), *(re.sub(r"\{[^}]*\}", " ", t)
                                                for t in spec.templates)])))
            schema = spec.parameters_schema()
            parts = [spec.name.replace("_", " "), spec.description,
                     *(re.sub(r"\{\w+\}", " ", t) for t in spec.templates)]
            for name, prop in schema.get("properties", {}).items():
                parts += [name.replace("_", " "), str(prop.get("description", ""))]
            mine = {_stem(w) for part in parts for w in _content_words(part)}
            described[spec.name] = mine
            words.update(mine)
        self.words = frozenset(words)
        self.described: dict[str, frozenset[str]] = {
            name: frozenset(mine) for name, mine in described.items()}
        """The words each action is described with: its name, description, parameters and
        templates (stemmed)."""
        owners: dict[str, set[str]] = {}
        for name, cues in self.cues.items():
            for cue in cues:
                owners.setdefault(cue, set()).add(name)
        self.distinctive: dict[str, frozenset[str]] = {
            name: frozenset(c for c in cues if len(owners[c]) == 1)
            for name, cues in self.cues.items()}
        """Cues only one action has ("nudge": set_reminder; "open": not distinctive)."""
        users: dict[str, int] = {}
        for mine in described.values():
            for w in mine:
                users[w] = users.get(w, 0) + 1
        self._cue_words = frozenset(c for cues in self.cues.values() for c in cues)
        self.described_only: dict[str, frozenset[str]] = {
            name: frozenset(w for w in mine if users[w] == 1) for name, mine in described.items()}
        """Words of an action's description and parameters no other action is described with
        ("inbox": list_emails): a weaker sign than a cue, used when no cue decides."""

    def typo_cues(self, text: str) -> set[str]:
        """The cue words that words of ``text`` are one typing slip away from ("rmind" ->
        "remind"), where the word is no known word and only one cue is that close."""
        out: set[str] = set()
        for word in _content_words(text):
            stem = _stem(word)
            if len(stem) < 4 or stem in self.words:
                continue
            near = {c for c in self._cue_words if len(c) >= 5 and one_edit(stem, c)}
            if len(near) == 1:
                out |= near
        return out

    def why_actionable(self, request: str, now: datetime, tz: ZoneInfo,
                       names: frozenset[str] = frozenset(),
                       on_screen: tuple[str, ...] = ()) -> str | None:
        """What in the request an action could act on, or None when nothing is. ``names``:
        lower-cased words of the people lam knows (contacts), which count as references;
        ``on_screen``: labels of the things on screen, whose whole label said counts as one
        ("hit load more" with a "Load more" button)."""
        # "tell me ..." / "say to me ...": the user asks lam itself, not a message to send
        words = _content_words(_TO_ME.sub(" ", request))
        known = [w for w in words if _stem(w) in self.words] or sorted(self.typo_cues(request))
        if known:
            return f"action words: {', '.join(known)}"
        people = [w for w in _WORD.findall(request.lower()) if w in names]
        if people:
            return f"a person: {people[0]}"
        if find_mentions(_IDIOM.sub(" ", request)):
            return "a reference"
        said = " " + " ".join(_WORD.findall(request.lower())) + " "
        for label in on_screen:
            named = " ".join(_WORD.findall(label.lower()))
            if len(named) > 2 and f" {named} " in said:
                return f"a thing on screen: {label}"
        addresses = find_addresses(request)
        if addresses:
            return f"an address: {addresses[0]}"
        site = known_site_in(request)
        if site is not None:
            return f"a site: {site}"
        time_words = self._time_words(request, now, tz)
        if time_words is not None and set(words) - time_words:
            return "a time, with something to do at it"
        return None

    @staticmethod
    def _time_words(request: str, now: datetime, tz: ZoneInfo) -> set[str] | None:
        """The content words of the time phrases in the request; None if there is none."""
        tokens = request.split()
        found: set[str] | None = None
        for a in range(len(tokens)):
            for b in range(min(len(tokens), a + 6), a, -1):
                phrase = " ".join(tokens[a:b]).strip(",.!?")
                result = parse_when(phrase, now, tz)
                if not (isinstance(result, TimeParseError)
                        and result.reason is TimeParseReason.UNRECOGNIZED):
                    found = (found or set()) | set(_content_words(phrase))
                    break
        return found
