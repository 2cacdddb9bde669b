"""Parallel calls a small model runs together: a request that lists values ("the factorial of
5, 10 and 15", "the weather in Oslo, Bergen and Tromsø") asks the same thing for each, but a
0.5B model often writes one call for the first value, or one call whose number is the list's
digits run together (``number: 510``). Read in code: a call whose argument is one listed value
(or several run together) while the list's other values are in no call becomes one call per
value, each checked against its tool's schema."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import Any

__all__ = ["fan_out", "listed_values"]

_NUM = r"(?:[$€£]?(?:\d{1,3}(?:,\d{3})+(?!\d)|-?\d+(?:\.\d+)?(?!,\d{3}(?!\d))))"
_NAME = r"[A-Z][\w'’-]*(?: (?:[A-Z][\w'’-]*|\d+|de|la|of|the))*"
_SEP = r"\s*,\s*(?:and\s+|or\s+|&\s*)?|\s+(?:and|or|&)\s+"
_JOIN = re.compile(r"\b(?:and|or)\b|&")
_LINK = r"(?:from|to|vs\.?|versus|against)"
_PAIRED = re.compile(rf"\s+{_LINK}\s+[A-Z]")
_PAIRED_BEFORE = re.compile(rf"(?<![\w'’-])[A-Z][\w'’-]*\s+{_LINK}\s+$")


def _lists(kind: str, text: str) -> list[list[str]]:
    pattern = re.compile(rf"(?<![\w.,-])(?:{kind})(?:(?:{_SEP})(?:{kind}))+(?!\w)(?!\.\d)")
    found = []
    for match in pattern.finditer(text):
        spans = [m.span() for m in re.finditer(kind, match.group(0))]
        items = [match.group(0)[a:b] for a, b in spans]
        seps = [match.group(0)[a[1]:b[0]] for a, b in pairwise(spans)]
        joins = [n for n, sep in enumerate(seps) if _JOIN.search(sep)]
        if joins and any("," in sep and not _JOIN.search(sep)
                         for sep in seps[joins[0] + 1:]):
            continue  # "Paris, France and New York, USA": pairs, not one list
        if _PAIRED.match(text, match.end()) and _PAIRED_BEFORE.search(text, 0, match.start()):
            continue  # "Lyon from Paris, and Nice from Marseille": each a pair's second half
        if len(items) >= 2 and len(set(items)) == len(items):
            found.append(items)
    return found


def listed_values(request: str) -> list[list[str]]:
    """The lists of values a request writes: numbers (``5, 10 and 15``) and capitalised names
    (``Oslo, Bergen and Tromsø``); a range ("between 1 and 3", "from 2 to 4") is no list."""
    text = re.sub(rf"\bbetween\s+{_NUM}\s+and\s+{_NUM}", " ", request)
    return _lists(_NUM, text) + _lists(_NAME, text)


def _number(item: str) -> float | None:
    try:
        return float(item.replace(",", "").lstrip("$€£"))
    except ValueError:
        return None


def _same(value: Any, item: str) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return _number(item) == float(value)
    return isinstance(value, str) and value.strip().casefold() == item.casefold()


def _in(value: Any, item: str) -> bool:
    """``item`` is ``value`` or a word run inside it ("Maroon" in "Maroon 5")."""
    if _same(value, item):
        return True
    return isinstance(value, str) and _number(item) is None and re.search(
        rf"(?<!\w){re.escape(item.casefold())}(?!\w)", value.casefold()) is not None


def _run_together(value: Any, items: list[str]) -> list[int] | None:
    """Indexes of consecutive listed numbers whose digits make ``value`` (510: 5 and 10)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    digits = str(value)
    for start in range(len(items)):
        joined = ""
        for end in range(start, len(items)):
            joined += items[end]
            if joined == digits and end > start:
                return list(range(start, end + 1))
            if len(joined) >= len(digits):
                break
    return None


def _as(value: Any, item: str) -> Any:
    if isinstance(value, bool):
        return value
    number = _number(item)
    if isinstance(value, int) and number is not None and number == int(number):
        return int(number)
    if isinstance(value, (int, float)) and number is not None:
        return number
    return item


def _uses(arguments: dict[str, Any], item: str) -> bool:
    for value in arguments.values():
        if isinstance(value, list):
            if any(_in(v, item) for v in value):
                return True
        elif _in(value, item):
            return True
    return False


def _pairs_up(arguments: dict[str, Any], items: list[str]) -> bool:
    """One call uses several listed values in different arguments (``a: 3, b: 4`` for
    "3,4 and 5,12"): the list is the arguments' values, not one value per call."""
    return sum(any(_in(v, i) for i in items) for v in arguments.values()) >= 2


Call = tuple[str, dict[str, Any]]


def fan_out(request: str, calls: list[Call]) -> list[Call]:
    """``calls`` ((name, arguments), ...) with each call that covers part of a listed set of
    values, while the rest of the set is in no call, repeated once per value of the set.
    Unchanged when the request lists nothing or every listed value is already used."""
    out = list(calls)
    for items in listed_values(request):
        if any(_pairs_up(a, items) for _, a in out):
            continue
        unused = [i for i in items if not any(_uses(a, i) for _, a in out)]
        merged = None
        for index, (_name, arguments) in enumerate(out):
            for key, value in arguments.items():
                run = _run_together(value, items)
                own = [n for n, i in enumerate(items) if _same(value, i)]
                if run is None and not own:
                    continue
                chosen = sorted(set((run or own) + [items.index(i) for i in unused]))
                if len(chosen) < 2:
                    continue
                merged = (index, key, chosen)
                break
            if merged:
                break
        if merged is None:
            continue
        index, key, chosen = merged
        name, arguments = out[index]
        copies = [(name, {**arguments, key: _as(arguments[key], items[n])}) for n in chosen]
        copies = [c for c in copies if c not in out or c == out[index]]
        out[index:index + 1] = copies
    return out
