"""Whether a call's argument values come from the request: copy-constrained arguments, read in
code. A small model asked to call a function fills every argument, so for a request that no
listed function can do it calls a near-miss one with values it made up (a triangle's area by a
body-mass-index function; "what's the time?" as ``calculate_time(distance=100, speed=50)``).
A value the request gives is in the request: a number as written (``$400,000``, ``4%`` as 4 or
0.04, "five", "a dozen"), a name or text by its words. A value from the tool's own schema (an
allowed value, a default, a number its description states) or of a kind that is not copied
(booleans, dates and times, read by their own code) counts as given too.

`invented` names the required arguments whose values the request does not give: the caller
asks for them instead of calling. `without_invented` drops the optional ones the model made
up ("leave out what the request does not mention")."""

from __future__ import annotations

import calendar
import math
import re
import unicodedata
from typing import Any

__all__ = ["invented", "named_flags", "rates_as_fractions", "request_numbers", "unused_values",
           "without_invented"]

_WORD_NUMBERS = {
    "zero": 0, "one": 1, "a": 1, "an": 1, "single": 1, "once": 1, "two": 2, "twice": 2,
    "pair": 2, "double": 2, "both": 2, "three": 3, "thrice": 3, "triple": 3, "four": 4,
    "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11,
    "twelve": 12, "dozen": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40,
    "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100,
    "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000, "half": 0.5,
    "quarter": 0.25, "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5,
}
_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "mn": 1e6, "million": 1e6, "b": 1e9,
          "bn": 1e9, "billion": 1e9, "hundred": 100, "dozen": 12}
_NUMBER = re.compile(r"(?<![\d.])(-?\d+(?:[.,]\d+)*)\s*(%|percent\b|[a-z]+\b)?", re.I)
_WORD = re.compile(r"\w+", re.UNICODE)
_STOP = frozenset({
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "from", "by", "with", "and", "or",
    "is", "are", "was", "be", "it", "this", "that", "my", "me", "i", "you", "your", "our", "we",
    "us", "please", "can", "could", "would", "will", "do", "does", "what", "which", "who", "how",
    "when", "where"})
_CODE = re.compile(r"[A-Z]{2,5}")
_TIMEISH = frozenset({"date", "date-time", "time", "duration"})
_DATE_TEXT = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:[T ][\d:.]+(?:Z|[+-]\d{2}:?\d{2})?)?|"
                        r"\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\d{1,2}:\d{2}(?::\d{2})?(?:\s*[ap]m)?",
                        re.I)
_CALENDAR = frozenset(name.lower() for name in (*calendar.month_name, *calendar.month_abbr,
                                                *calendar.day_name, "Sept") if name)


def _forms(value: float) -> set[float]:
    """A number and the forms a call may take it in: in cents (x100), and below 100 also as a
    fraction (5 as 0.05)."""
    return {value, value * 100} | ({value / 100} if value < 100 else set())


def request_numbers(text: str, *, words: bool = True) -> set[float]:
    """Every number ``text`` gives, in the forms a call may take it: as written, ``1,500`` as
    1500 and as 1 and 500, percentages also as fractions, "5k" as 5000, and (``words``)
    number words: "a dozen", "twice" (not in a schema's prose, where "a" is no number)."""
    found: set[float] = set()
    for match in _NUMBER.finditer(text):
        raw, unit = match.group(1), (match.group(2) or "").lower()
        parts = [raw.replace(",", ""), *re.split(r"[.,]", raw), raw.replace(",", ".")]
        for part in parts:
            try:
                value = abs(float(part))
            except ValueError:
                continue
            found |= _forms(value)
            if unit in _SCALE:
                found.add(value * _SCALE[unit])
            if unit in ("%", "percent"):
                found.add(value / 100)
    said = [w.lower() for w in _WORD.findall(text)] if words else []
    for i, word in enumerate(said):
        if word in _WORD_NUMBERS:
            value = float(_WORD_NUMBERS[word])
            found |= _forms(value)
            if i + 1 < len(said) and said[i + 1] in _SCALE:
                found.add(value * _SCALE[said[i + 1]])
    return found


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)


def _script_words(text: str) -> bool:
    """Whether ``text`` has words in a non-Latin script (a value may be their translation)."""
    return any(ch.isalpha() and "LATIN" not in unicodedata.name(ch, "LATIN")
               for ch in text)


def _tokens(text: str) -> list[str]:
    return [w for w in (t.lower() for t in _WORD.findall(text)) if w not in _STOP]


def _word_given(word: str, words: set[str], text: str) -> bool:
    """As written, or the same word in another form: a prefix of a request word ("eur" of
    "euros") or sharing its first five letters ("burger", "burgers")."""
    if word in words or (word.isdigit() and word in text):
        return True
    return any((len(word) >= 3 and w.startswith(word))
               or (len(word) >= 5 and len(w) >= 5 and w[:5] == word[:5]) for w in words)


class _Source:
    """What the request (and the schema around a value) gives."""

    def __init__(self, request: str, schema_text: str) -> None:
        self.text = request.lower()
        self.words = set(_tokens(request)) | set(_tokens(schema_text))
        self.numbers = request_numbers(request) | request_numbers(schema_text, words=False)
        self.foreign = _script_words(request)

    def gives_number(self, value: float) -> bool:
        """Zero ("from rest", "none") and a sign ("a loss of $1000" as -1000) need no digits."""
        return value == 0 or any(_close(abs(value), n) for n in self.numbers)

    def gives_text(self, value: str) -> bool:
        """Half the value's words are the request's (or the schema's), a short capitalised
        code ("AAPL", "CA") counting as given: it abbreviates a name by what the model knows."""
        words = [w for w in _tokens(value) if not _CODE.fullmatch(w.upper())
                 or w.upper() not in value]
        if not words or self.foreign:
            return True
        given = sum(_word_given(w, self.words, self.text) for w in words)
        return given * 2 >= len(words)


def _schema_text(schema: dict[str, Any]) -> str:
    bits = [str(schema.get("description") or "")]
    for key in ("enum", "default", "examples", "const"):
        if key in schema:
            bits.append(str(schema[key]))
    return " ".join(bits)


def _given(value: Any, schema: dict[str, Any], request: str, outer: str) -> bool:
    """Whether ``value`` (for a parameter described by ``schema``) comes from the request."""
    if isinstance(value, bool) or value is None:
        return True
    if "enum" in schema or "const" in schema:
        return True
    if "default" in schema and value == schema["default"]:
        return True
    if schema.get("format") in _TIMEISH or (isinstance(value, str)
                                            and _DATE_TEXT.fullmatch(value.strip())):
        return True  # a date or time: written by the model from the request's words
    source = _Source(request, outer + " " + _schema_text(schema))
    if isinstance(value, (int, float)):
        return source.gives_number(float(value))
    if isinstance(value, str):
        try:
            number = float(value.replace(",", ""))
        except ValueError:
            return source.gives_text(value)
        return source.gives_number(number)
    if isinstance(value, list):
        items = schema.get("items")
        items = items if isinstance(items, dict) else {}
        return all(_given(v, items, request, outer) for v in value)
    if isinstance(value, dict):
        props = schema.get("properties")
        props = props if isinstance(props, dict) else {}
        return all(_given(v, props.get(k) or {}, request, outer) for k, v in value.items())
    return True


def _props(parameters: dict[str, Any]) -> tuple[dict[str, Any], set[str]]:
    props = parameters.get("properties")
    return (props if isinstance(props, dict) else {}), set(parameters.get("required") or [])


def invented(parameters: dict[str, Any], description: str, arguments: dict[str, Any],
             request: str) -> list[str]:
    """The required arguments whose values neither the request nor the schema gives."""
    props, required = _props(parameters)
    return [name for name, value in arguments.items()
            if name in required
            and not _given(value, props.get(name) or {}, request, description)]


def without_invented(parameters: dict[str, Any], description: str, arguments: dict[str, Any],
                     request: str) -> dict[str, Any]:
    """``arguments`` less the optional ones whose values the request does not give."""
    props, required = _props(parameters)
    return {name: value for name, value in arguments.items()
            if name in required or name not in props
            or _given(value, props.get(name) or {}, request, description)}


_VALUE = re.compile(r"""["'`‘“]([^"'`’”]{2,60})["'`’”]|([$€£]?[\w./:-]*\d[\w./:-]*)|"""
                    r"""((?:[A-Z][\w'’-]+)(?:\s+[A-Z][\w'’-]+)*)""")
_SENTENCE_START = re.compile(r"(?:^|[.!?:;]\s+|\n)$")


def unused_values(request: str, values: list[Any]) -> list[str]:
    """The values the request writes (numbers and codes with digits, quoted text, capitalised
    names not opening a sentence) that none of ``values`` (the calls' arguments) takes: a
    sign that the request asks for more calls than were written ("… and for Florida")."""
    flat = " ".join(_flatten(values)).lower()
    taken = request_numbers(flat)
    out: list[str] = []
    for match in _VALUE.finditer(request):
        quoted, number, name = match.groups()
        if name and (_SENTENCE_START.search(request[: match.start()]) or name == "I"):
            name = None if " " not in name else name.split(None, 1)[1]
        if name and name.lower() in _CALENDAR:
            name = None  # "May 3rd": a date, which a call writes as digits
        text = quoted or (number or "").rstrip(".:/-") or name
        if not text:
            continue
        if number:
            digits = re.sub(r"[^\d.]", "", number)
            try:
                if any(_close(float(digits), n) for n in taken):
                    continue
            except ValueError:
                pass
            if number.lower().lstrip("$€£") in flat:
                continue
        elif all(_word_given(w, set(_tokens(flat)), flat) for w in _tokens(text)):
            continue
        out.append(text)
    return out


def _flatten(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _flatten(v)]
    if isinstance(value, list):
        return [s for v in value for s in _flatten(v)]
    return [] if value is None or isinstance(value, bool) else [str(value)]


_RATE = re.compile(r"rate|yield|return|growth|interest|discount|inflation", re.I)
_PERCENT_DESC = re.compile(r"percent", re.I)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:%|percent\b|per cent\b)", re.I)


def rates_as_fractions(parameters: dict[str, Any], arguments: dict[str, Any],
                       request: str) -> dict[str, Any]:
    """A rate the request writes as a percentage ("at 4%") goes to a ``number`` parameter
    named or described as a rate (interest, yield, growth, discount …) as a fraction (0.04),
    unless its description says it takes a percentage; then as the percentage (4). The
    convention of financial APIs (and of numpy-financial): a small model writes either."""
    percents = [float(p) for p in _PERCENT.findall(request)]
    props, _ = _props(parameters)
    out = dict(arguments)
    for name, value in arguments.items():
        prop = props.get(name)
        if not (isinstance(prop, dict) and prop.get("type") == "number"
                and isinstance(value, (int, float)) and not isinstance(value, bool)
                and _RATE.search(f"{name} {prop.get('description') or ''}")):
            continue
        wants_percent = bool(_PERCENT_DESC.search(str(prop.get("description") or "")))
        for p in percents:
            if _close(value, p) and not wants_percent:
                out[name] = p / 100
            elif _close(value, p / 100) and wants_percent:
                out[name] = p
    return out


_FLAG_VERBS = frozenset({"include", "including", "show", "with", "enable", "enabled", "return",
                         "should", "get", "use", "has", "want", "need", "flag", "option", "for",
                         "the", "and", "from", "set", "all", "any", "are", "was", "not"})
_NEGATION = re.compile(r"\b(?:without|no|not|never|exclude|excluding|except|skip|n't|dont|"
                       r"mind|whether)\b", re.I)
_CLAUSE = re.compile(r"[,.;:!?]|\b(?:but|and|or|also|then)\b")


def _flag_words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)
    return [w for w in re.split(r"[\W_]+", spaced.lower()) if len(w) >= 3
            and w not in _FLAG_VERBS and w not in _STOP]


def named_flags(parameters: dict[str, Any], arguments: dict[str, Any],
                request: str) -> dict[str, Any]:
    """A boolean option whose name the request says ("… including the precipitation" for
    ``include_precipitation``, "a direct flight" for ``direct_flight``) is on. When its
    clause denies it or leaves it open ("without trip protection", "no need for a garage",
    "I don't mind whether …") an option the model wrote is off and a missing one stays out.
    A small model leaves such options out or writes the default."""
    props, _ = _props(parameters)
    text = request.replace("’", "'").lower()
    out = dict(arguments)
    for name, prop in props.items():
        if not (isinstance(prop, dict) and prop.get("type") == "boolean"):
            continue
        wanted = _flag_words(name)
        hits = [re.search(rf"\b{re.escape(w[:5])}", text) for w in wanted]
        if not wanted or not all(hits):
            continue
        first = min(h.start() for h in hits if h is not None)
        clause = _CLAUSE.split(text[:first])[-1].replace("n't", " n't")
        if _NEGATION.search(clause):
            if name in out or prop.get("default") is True:
                out[name] = False
        else:
            out[name] = True
    return out
