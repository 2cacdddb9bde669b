"""What a free-text slot is *about* ("what to remind of"), when the model copied the instruction
instead: "remind me at 6" has no content at all (asked), and in "my dentist appt is dec 9 at
2:30pm, remind me an hour before" the content is the other clause ("my dentist appt"). A value
is empty of content when nothing is left of it without the action's own cue words ("remind"),
time phrases and function words."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from assistant.normalize import (
    RecurrenceRule,
    TimeParseError,
    TimeParseReason,
    parse_recurrence,
    parse_when,
)
from assistant.planner.relevance import stems
from assistant.resolve import find_mentions

__all__ = ["about_nothing", "content_clause", "said_message"]

_CLAUSES = re.compile(r"\s*(?:[,;.!?]+|\s+[-–—]+\s+|\s+(?:and then|and|then|but|so)\s+)\s*",
                      re.I)
_RELATIVE = frozenset(stems("before after earlier later hour hours minute minutes min mins "
                             "day days week weeks second seconds half quarter"))
_TRAILING_LINK = re.compile(r"(?:\s+(?:is|are|was|were|be|starts?|begins?|on|at|from|for|in|"
                            r"by))+$", re.I)


def _is_time(phrase: str, now: datetime, tz: ZoneInfo) -> bool:
    found = parse_when(phrase, now, tz)
    if not (isinstance(found, TimeParseError) and found.reason in (
            TimeParseReason.UNRECOGNIZED, TimeParseReason.EMPTY)):
        return True  # a moment, or one that needs a question: a time either way
    return isinstance(parse_recurrence(phrase, now, tz), RecurrenceRule)


def _without_times(text: str, now: datetime, tz: ZoneInfo) -> str:
    """``text`` with every phrase that reads as a time or a repetition taken out."""
    words = text.split()
    keep: list[str] = []
    a = 0
    while a < len(words):
        b = next((b for b in range(min(len(words), a + 8), a, -1)
                  if _is_time(" ".join(words[a:b]).strip(",.!?;"), now, tz)), a)
        if b > a:
            a = b
        else:
            keep.append(words[a])
            a += 1
    return " ".join(keep)


def _content(text: str, cues: frozenset[str], now: datetime, tz: ZoneInfo) -> set[str]:
    return stems(_without_times(text, now, tz)) - cues - _RELATIVE


def about_nothing(value: str, cues: frozenset[str], now: datetime, tz: ZoneInfo) -> bool:
    """Whether ``value`` is the instruction copied, saying nothing but the action's cue
    words and times ("remind me at 6", "remind me an hour before")."""
    copied = bool(stems(value) & cues)  # "Friday is fine" is a message, not an instruction
    if copied and find_mentions(value):
        return False  # "the link": a thing in scope, whose address the message will hold
    return copied and not _content(value, cues, now, tz)


def content_clause(request: str, cues: frozenset[str], now: datetime,
                   tz: ZoneInfo) -> str | None:
    """The one clause of ``request`` that says what the instruction is about, without its
    times ("my dentist appt is dec 9 at 2:30pm, remind me …" -> "my dentist appt"); None when
    no clause or several do."""
    found: list[str] = []
    for clause in _CLAUSES.split(request):
        if not clause or stems(clause) & cues:
            continue  # the instruction itself
        if _content(clause, cues, now, tz):
            found.append(_TRAILING_LINK.sub("", _without_times(clause, now, tz)).strip())
    return found[0] if len(found) == 1 and found[0] else None


_MESSAGE = re.compile(r"\b(?:asking(?:\s+(?:him|her|them))?|saying|telling\s+(?:him|her|them)|"
                      r"reminding\s+(?:him|her|them)|to\s+say|that)\s+(?P<said>[^,;]+)",
                      re.IGNORECASE)


_AFTER_COLON = re.compile(r"(?<!\d):\s+(?P<said>\S.*)$")
"""The text after a colon that ends the instruction ("send him the address: 12 Elm St");
a clock time's colon ("at 5:30") has digits on both sides and no space after it."""


_AFTER_DASH = re.compile(r"\s[-–—]+\s+(?P<said>\S.*)$")
"""The text after one spaced dash ("mail jo re the trip - flights are booked")."""


def said_message(request: str) -> str | None:
    """What the request says a message says: the one clause after "asking", "saying",
    "that" ("… asking to move my appointment, subject 'x'": "to move my appointment"), else
    all that follows one colon ("tell her: running late") or one spaced dash ("mail jo re
    the trip - flights are booked")."""
    found = [m.group("said").strip(" .!?") for m in _MESSAGE.finditer(request)]
    if not found and request.count(": ") == 1:
        found = [m.group("said").strip(" .!?") for m in _AFTER_COLON.finditer(request)]
    if not found and ": " not in request and len(re.findall(r"\s[-–—]+\s", request)) == 1:
        found = [m.group("said").strip(" .!?") for m in _AFTER_DASH.finditer(request)]
    return found[0] if len(found) == 1 and found[0] else None
