"""Punctuation said aloud: a dictated request ("email hamish comma the boiler is leaking again
comma could you come thursday question mark") read with the marks it names, so that a message
body copied from it holds "," and "?" and not the words."""

from __future__ import annotations

import re

__all__ = ["undictated"]

_MARKS = [(re.compile(r"\s*\bcomma\b", re.I), ","),
          (re.compile(r"\s*\bquestion\s+mark\b", re.I), "?"),
          (re.compile(r"\s*\bexclamation\s+(?:mark|point)\b", re.I), "!"),
          (re.compile(r"\s*\bfull\s+stop\b", re.I), ".")]
"""Marks whose spoken names are no everyday words of a request ("period" and "colon" are:
"the trial period ends" is no full stop)."""


def undictated(request: str) -> str:
    """``request`` with punctuation said aloud written as marks; the request itself when it
    says none."""
    text, said = request, 0
    for pattern, mark in _MARKS:
        text, n = pattern.subn(mark, text)
        said += n
    if not said:
        return request
    text = re.sub(r"^\s*[,.]\s*", "", text)
    return " ".join(text.split())
