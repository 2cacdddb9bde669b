"""Requests that take something back instead of asking for it: "never mind", "nvm, don't
send anything", "don't email her". Planned as nothing to do, never as the action they name
("don't let me forget …" and "don't forget …" ask for a reminder and are not negations)."""

from __future__ import annotations

import re

__all__ = ["takes_back"]

_OPENERS = r"(?:(?:ok|okay|actually|wait|oh|no|nah|hmm|um|uh|sorry)\b[\s,!.]*)*"
_NEGATION = re.compile(
    rf"^\s*{_OPENERS}(?:nvm|never\s*mind|forget\s+(?:it|that|about\s+(?:it|that))|"
    r"scratch\s+that|cancel\s+that|(?:please\s+)?(?:don'?t|do\s+not|dont|never)\b"
    r"(?!\s+(?:let\s+me\s+forget|forget|remind)))(?P<rest>.*)$", re.I | re.S)
_TAKEN_BACK = re.compile(r"^[\s,.!;:-]*(?:(?:don'?t|do\s+not|dont)\s+)?(?P<rest>.*)$",
                         re.I | re.S)
_TURN = re.compile(r"\b(?:instead|but|rather|just|only|actually|save|keep|draft|until|till|"
                   r"later)\b|(?:—|–|;|\s-\s)\s*(?!(?:don'?t|do\s+not|dont|never|no)\b)\w",
                   re.I)
"""Words that turn a taking-back into another request ("don't send it, save a draft", "don't
send it until friday", "don't send it now — send it tomorrow at 8am")."""


def takes_back(request: str) -> bool:
    """Whether the whole request takes something back and asks for nothing else."""
    m = _NEGATION.match(request)
    if m is None:
        return False
    rest = _TAKEN_BACK.match(m.group("rest"))
    return not _TURN.search(rest.group("rest") if rest else m.group("rest"))
