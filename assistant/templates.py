"""Tier 0 of the planning cascade: sentence templates declared by plugins (hassil-style).

Syntax: ``{slot}`` captures words for the parameter ``slot``; ``[optional words]``;
``(one|two)`` alternatives, nestable (``[the|a]``); ``{slot=value}`` sets the parameter ``slot``
to the fixed ``value`` without reading any words (a fixed argument: inside an optional part or
an alternative it is set only when that part is read, so ``(list|show) my [unread {unread=true}]
emails`` sets ``unread`` on "show my unread emails" and not on "show my emails"). A fixed value
is text, like the words a slot copies: the slot filler turns it into the parameter's type
(``true``/``false``, numbers), and the matcher checks it against the parameter's type when it is
built. Matching is by words: case-insensitive,
punctuation at word edges ignored, leading "can you"/"could u"/"please"/"hey"/"ok"/"lam," and
trailing "please"/"thanks"/"thx" tolerated. A slot takes at least one word; a slot whose
parameter has a known ``format`` must pass that format's check ("date-time" -> a time
phrase, "uri" -> a URL), and among equally good readings the checked slots take as much as
they can, so "remind me to {text} {when}" splits "buy milk tomorrow at 9" after "milk".
Between plain slots the earlier one takes as few words as possible. Slot text is returned
verbatim from the request, trimmed of whitespace and trailing ``.,;:!?``; fixed values are
returned among the slots too, named in `TemplateMatch.fixed` and without a span.

Ranking: most literal words matched, then fewest slot characters, then most characters in
format-checked slots (so "remind me to {text} {every}" beats "remind me to {text} {when}" on
"... every weekday at 10"); two different results that tie at the top are AMBIGUOUS (the
caller falls back to the model). A template needs at least one literal word outside optional
parts, so no template can match everything.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from itertools import islice
from typing import Any
from zoneinfo import ZoneInfo

from actions.errors import ActionDeclarationError
from actions.spec import ActionSpec
from actions.types import entity_type_of, format_of

__all__ = [
    "MatchFailedReason",
    "MatchResult",
    "SlotCheck",
    "Template",
    "TemplateMatch",
    "TemplateMatcher",
    "TemplateSyntaxError",
    "compile_template",
    "default_slot_checks",
    "whole_number",
]

SlotCheck = Callable[[str], bool]


class TemplateSyntaxError(ActionDeclarationError):
    """A sentence template is malformed or names a slot the action does not have."""


class MatchFailedReason(StrEnum):
    EMPTY_REQUEST = "empty_request"
    NO_TEMPLATE = "no_template"  # no template fits the words of the request
    SLOT_EMPTY = "slot_empty"  # a template fits except that a slot would be empty
    SLOT_INVALID = "slot_invalid"  # a template fits but a slot fails its format check
    AMBIGUOUS = "ambiguous"  # two different results tie at the top


# -- templates -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Word:
    text: str


@dataclass(frozen=True)
class _Slot:
    name: str


@dataclass(frozen=True)
class _Fixed:
    name: str
    value: str


@dataclass(frozen=True)
class _Punct:
    """Punctuation a template requires at the end of the word before it ("{email}: {body}"
    needs the colon; "9:15" has none at a word's end)."""

    text: str


@dataclass(frozen=True)
class _Alt:
    options: tuple[tuple[_Node, ...], ...]
    optional: bool


_Node = _Word | _Slot | _Fixed | _Alt | _Punct
_EDGE = string.punctuation + "“”‘’«»…"
_TEMPLATE_TOKEN = re.compile(r"[\[\]()|]|\{[^{}]*\}|[^\s\[\]()|{}]+")


def _norm(word: str) -> str:
    return word.casefold().strip(_EDGE)


@dataclass(frozen=True)
class Template:
    """A compiled sentence template."""

    text: str
    nodes: tuple[_Node, ...]
    slots: frozenset[str]
    """Parameters the template reads from words (``{slot}``)."""
    fixed: frozenset[str] = frozenset()
    """Parameters the template sets to a fixed value (``{slot=value}``)."""


def compile_template(text: str) -> Template:
    """Parse a template; raises `TemplateSyntaxError` when it is malformed."""
    tokens = _TEMPLATE_TOKEN.findall(text)
    if "".join(tokens).count("{") != text.count("{") or text.count("}") != text.count("{"):
        raise TemplateSyntaxError(f"template {text!r}: unbalanced braces")
    options, _ = _alternatives(text, tokens, 0, None)
    nodes = options[0] if len(options) == 1 else (_Alt(tuple(options), optional=False),)
    if _required_words(nodes) == 0:
        raise TemplateSyntaxError(
            f"template {text!r} needs at least one literal word outside optional parts")
    return Template(text, nodes, frozenset(_slot_names(nodes)),
                    frozenset(_slot_names(nodes, fixed=True)))


def _alternatives(text: str, tokens: list[str], i: int,
                  close: str | None) -> tuple[list[tuple[_Node, ...]], int]:
    options: list[tuple[_Node, ...]] = []
    while True:
        seq, i = _sequence(text, tokens, i)
        options.append(seq)
        if i >= len(tokens):
            if close is not None:
                raise TemplateSyntaxError(f"template {text!r}: missing {close!r}")
            return options, i
        if tokens[i] == "|":
            i += 1
        elif tokens[i] == close:
            return options, i + 1
        else:
            raise TemplateSyntaxError(f"template {text!r}: unexpected {tokens[i]!r}")


def _sequence(text: str, tokens: list[str], i: int) -> tuple[tuple[_Node, ...], int]:
    nodes: list[_Node] = []
    while i < len(tokens) and tokens[i] not in ("|", "]", ")"):
        tok = tokens[i]
        if tok in ("[", "("):
            options, i = _alternatives(text, tokens, i + 1, "]" if tok == "[" else ")")
            nodes.append(_Alt(tuple(options), optional=tok == "["))
            continue
        if tok.startswith("{"):
            name, eq, value = tok[1:-1].partition("=")
            name = name.strip()
            if not name.isidentifier():
                raise TemplateSyntaxError(f"template {text!r}: bad slot name {name!r}")
            nodes.append(_Fixed(name, value.strip()) if eq else _Slot(name))
        elif word := _norm(tok):
            nodes.append(_Word(word))
        elif ":" in tok:
            nodes.append(_Punct(":"))
        i += 1
    return tuple(nodes), i


def _required_words(nodes: tuple[_Node, ...]) -> int:
    total = 0
    for node in nodes:
        if isinstance(node, _Word):
            total += 1
        elif isinstance(node, _Alt) and not node.optional:
            total += min(_required_words(o) for o in node.options)
    return total


def _slot_names(nodes: tuple[_Node, ...], *, fixed: bool = False) -> Iterator[str]:
    for node in nodes:
        if isinstance(node, _Fixed if fixed else _Slot):
            yield node.name
        elif isinstance(node, _Alt):
            for option in node.options:
                yield from _slot_names(option, fixed=fixed)


# -- results -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TemplateMatch:
    """One way a template reads the request; spans are (start, end) offsets into the request."""

    action: str
    slots: dict[str, str]
    spans: dict[str, tuple[int, int]]
    template: str
    score: float
    literal_words: int
    slot_chars: int
    span: tuple[int, int]
    checked_chars: int = 0
    fixed: frozenset[str] = frozenset()
    """Slots the template set to a fixed value (``{slot=value}``): in ``slots``, no span."""

    def rank(self) -> tuple[int, int, int]:
        """Sort key, best first: more literal words, fewer slot characters, more checked."""
        return (-self.literal_words, self.slot_chars, -self.checked_chars)


@dataclass(frozen=True)
class MatchResult:
    """Ranked matches and, when there is no single best one, the reason why not."""

    request: str
    matches: tuple[TemplateMatch, ...] = ()
    reason: MatchFailedReason | None = None
    detail: str = ""

    @property
    def best(self) -> TemplateMatch | None:
        return self.matches[0] if self.reason is None and self.matches else None

    @property
    def ok(self) -> bool:
        return self.best is not None


# -- matching ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Token:
    norm: str
    start: int
    end: int
    tail: str = ""
    """The punctuation the word ends with ("physio:" -> ":")."""


@dataclass(frozen=True)
class _Entry:
    action: str
    template: Template
    order: int
    checks: Mapping[str, SlotCheck] = field(default_factory=dict)


_LEAD = (("hey", "lam"), ("ok", "lam"), ("okay", "lam"), ("lam",), ("can", "you"),
         ("could", "you"), ("would", "you"), ("will", "you"), ("please",), ("kindly",),
         ("hey",), ("hi",), ("yo",), ("ok",), ("okay",), ("so",), ("um",), ("uh",),
         ("pls",), ("plz",), ("can", "u"), ("could", "u"), ("would", "u"), ("will", "u"),
         ("can", "ya"), ("could", "ya"))
_TRAIL = (("please",), ("thanks",), ("thank", "you"), ("pls",), ("plz",), ("thx",),
          ("ty",), ("cheers",))
_MAX_READINGS = 2000  # per template and request: bounds the work on long requests


def _tokens(request: str) -> list[_Token]:
    out = []
    for m in re.finditer(r"\S+", request):
        if word := _norm(m[0]):
            out.append(_Token(word, m.start(), m.end(), m[0][len(m[0].rstrip(_EDGE)):]))
    return out


def _polite(toks: list[_Token], lo: int, hi: int) -> tuple[int, int]:
    """The token range without leading/trailing politeness."""
    changed = True
    while changed:
        changed = False
        for words in _LEAD:
            if hi - lo > len(words) and tuple(t.norm for t in toks[lo:lo + len(words)]) == words:
                lo, changed = lo + len(words), True
        for words in _TRAIL:
            if hi - lo > len(words) and tuple(t.norm for t in toks[hi - len(words):hi]) == words:
                hi, changed = hi - len(words), True
    return lo, hi


def default_slot_checks() -> dict[str, SlotCheck]:
    """Checks by JSON-schema format: a slot of that format must read as such a value."""
    from assistant.normalize import (  # local: templates stay importable on their own
        TimeParseError,
        TimeParseReason,
        normalize_url,
        parse_recurrence,
        parse_when,
    )

    utc = ZoneInfo("UTC")
    ref = datetime(2000, 1, 1, tzinfo=utc)
    unreadable = (TimeParseReason.EMPTY, TimeParseReason.UNRECOGNIZED)

    def when(text: str) -> bool:
        r = parse_when(text, ref, utc)
        return not (isinstance(r, TimeParseError) and r.reason in unreadable)

    def recurrence(text: str) -> bool:
        r = parse_recurrence(text, ref, utc)
        return not (isinstance(r, TimeParseError) and r.reason in unreadable)

    return {"date-time": when, "x-recurrence": recurrence,
            "uri": lambda text: isinstance(normalize_url(text), str),
            "x-integer": lambda text: whole_number(text) is not None}


def whole_number(text: str) -> int | None:
    """A count as said: "15", "ten", "twenty-five"; None for anything else ("a", "few")."""
    from assistant.normalize._lexicon import NUMBERS

    low = " ".join(text.strip().lower().split())
    if re.fullmatch(r"\d{1,6}", low):
        return int(low)
    n = NUMBERS.get(low) if low.split()[:1] not in (["a"], ["an"], ["few"], ["couple"]) \
        else None
    return int(n) if n is not None and n >= 1 and n == int(n) else None


def _formats(spec: ActionSpec) -> dict[str, str]:
    """Parameter -> format; entity parameters read as the pseudo-format ``x-entity:TYPE``."""
    out = {}
    for name, prop in spec.parameters_schema().get("properties", {}).items():
        fmt = format_of(prop)
        etype = entity_type_of(prop)
        if etype:  # an entity slot (which may also take a literal value of its format)
            out[name] = f"x-entity:{etype}"
        elif fmt:
            out[name] = fmt
        elif prop.get("type") == "integer":  # a count: digits or a number said in words
            out[name] = "x-integer"
    return out


_OBJECT_PRONOUNS = frozenset({"it", "them", "that", "those", "this", "these"})
_PLACES = frozenset({"first", "second", "third", "fourth", "fifth", "last", "top", "1st", "2nd",
                     "3rd", "4th", "5th"})
"""Words that make "the …" a place in a list ("the first result"): what a step lists."""


def _leading_words(template: str) -> list[str]:
    """The words a template can start with: "email {to} …" -> email; "(list|show) my …" ->
    list, show; none for one that starts with a slot or an optional part."""
    m = re.match(r"\(([^()]*)\)|([a-z][\w'-]*)", template.strip().lower())
    if m is None:
        return []
    return [w.strip() for w in (m.group(1) or m.group(2)).split("|") if w.strip().isalpha()]


class TemplateMatcher:
    """Matches requests against the templates of a set of action specs."""

    def __init__(self, specs: Iterable[ActionSpec], *,
                 slot_checks: Mapping[str, SlotCheck] | None = None,
                 strict: bool = True) -> None:
        """``slot_checks`` by JSON-schema format (default `default_slot_checks`); with
        ``strict=False`` a bad template is skipped and recorded in ``errors``."""
        checks = default_slot_checks() if slot_checks is None else dict(slot_checks)
        self.errors: list[TemplateSyntaxError] = []
        self._entries: list[_Entry] = []
        self._produces: dict[str, frozenset[str]] = {}
        self._takes: dict[str, frozenset[str]] = {}
        self._reads: set[str] = set()  # actions without side effects
        self._verbs: set[str] = set()  # the words templates start with ("email", "forward")
        for spec in specs:
            self._produces[spec.name] = frozenset(spec.produces)
            self._takes[spec.name] = frozenset(spec.entity_params().values())
            if not spec.effect.has_side_effect:
                self._reads.add(spec.name)
            self._verbs.update(w for t in spec.templates for w in _leading_words(t))
            formats = _formats(spec)
            for text in spec.templates:
                try:
                    template = compile_template(text)
                    unknown = (template.slots | template.fixed) - set(spec.params.model_fields)
                    if unknown:
                        raise TemplateSyntaxError(
                            f"template {text!r} of {spec.name!r}: no parameter {sorted(unknown)}")
                    props = spec.parameters_schema().get("properties", {})
                    for node in _fixed_nodes(template.nodes):
                        why = _fixed_value_error(props.get(node.name, {}), node.value)
                        if why:
                            raise TemplateSyntaxError(f"template {text!r} of {spec.name!r}: "
                                                      f"{{{node.name}={node.value}}}: {why}")
                except TemplateSyntaxError as exc:
                    if strict:
                        raise
                    self.errors.append(exc)
                    continue
                bound = {s: checks[formats[s]] for s in template.slots
                         if formats.get(s) in checks}
                self._entries.append(_Entry(spec.name, template, len(self._entries), bound))

    # -- public ----------------------------------------------------------------------------
    def verb_slip(self, request: str) -> tuple[str, str] | None:
        """(the first word, the template verb it slips from) when the request's first word is
        no template's verb but one typing slip from exactly one ("rmind me …" -> "remind");
        None otherwise. Only words of four letters or more are read so."""
        from assistant.planner.relevance import one_edit

        m = re.match(r"\s*([A-Za-z]{4,})\b", request)
        if m is None or m.group(1).lower() in self._verbs:
            return None
        word = m.group(1).lower()
        near = [v for v in self._verbs if len(v) >= 4 and one_edit(word, v)]
        return (m.group(1), near[0]) if len(near) == 1 else None

    def match(self, request: str) -> list[TemplateMatch]:
        """Every action's best reading of the request, best first."""
        return list(self.recognize(request).matches)

    def recognize(self, request: str) -> MatchResult:
        """The ranked matches, with a reason when there is no single best one."""
        toks = _tokens(request)
        return self._recognize(request, toks, 0, len(toks))

    def match_sequence(self, request: str) -> list[TemplateMatch] | None:
        """The request as one or more steps joined by "and", "and then" or ", then".

        A split is taken only when every part has a single best match; the split into the most
        parts wins, else the whole request as one match; None when neither works. So a free
        slot never swallows " and <a part a template reads>" ("search for X and email the
        page to Bob" is two steps), but keeps an "and" that starts no step ("cats and dogs").
        A later part that two actions read equally well is the one that takes what the part
        before produces ("check my email and open the latest one": the email, not a link).
        """
        toks = _tokens(request)
        seps = self._separators(request, toks)
        memo: dict[tuple[int, str], list[TemplateMatch] | None] = {}

        def best(lo: int, prev: str) -> list[TemplateMatch] | None:
            if (lo, prev) in memo:
                return memo[lo, prev]
            whole = self._after(self._recognize(request, toks, lo, len(toks)), prev)
            if whole and self._swallows_a_step(request, toks, lo, seps, whole):
                whole = None
            found = [whole] if whole else None
            for a, b in seps:
                if a <= lo or b >= len(toks):
                    continue
                head = self._after(self._recognize(request, toks, lo, a), prev)
                tail = best(b, head.action) if head else None
                if head and tail and (found is None or len(tail) + 1 > len(found)):
                    found = [head, *tail]
            memo[lo, prev] = found
            return found

        return best(0, "") if toks else None

    def _swallows_a_step(self, request: str, toks: list[_Token], lo: int,
                         seps: list[tuple[int, int]], whole: TemplateMatch) -> bool:
        """A read's free slot that took " and <verb> it/them ..." or " and <verb> the first
        …": "search for X and email them to Ana" is a search and then a message about what it
        found, not a search for all those words; the part no template reads goes to the model
        (`Cascade._hybrid`)."""
        if whole.action not in self._reads:
            return False
        for a, b in seps:
            if a <= lo or b + 1 >= len(toks) or toks[b].norm not in self._verbs \
                    or not (toks[b + 1].norm in _OBJECT_PRONOUNS or (
                        toks[b + 1].norm == "the" and b + 2 < len(toks)
                        and toks[b + 2].norm in _PLACES)):
                continue
            head = self._recognize(request, toks, lo, a).best
            if head is not None and head.action == whole.action:
                return True
        return False

    def _after(self, result: MatchResult, prev: str) -> TemplateMatch | None:
        """The best match, or among matches tied at the top the only one that takes what the
        previous step (``prev``) produces."""
        if result.best is not None or result.reason is not MatchFailedReason.AMBIGUOUS:
            return result.best
        produced = self._produces.get(prev, frozenset())
        top = [m for m in result.matches if m.rank() == result.matches[0].rank()]
        fits = [m for m in top if self._takes.get(m.action, frozenset()) & produced]
        return fits[0] if produced and len(fits) == 1 else None

    # -- internals -------------------------------------------------------------------------
    def _separators(self, request: str, toks: list[_Token]) -> list[tuple[int, int]]:
        """Where a request may be cut into steps: "and", "and then", ", then", and a comma
        before a word a template starts with ("search for X, email amani that …")."""
        seps = []
        for i, tok in enumerate(toks):
            nxt = toks[i + 1].norm if i + 1 < len(toks) else ""
            if i > 0 and tok.norm in self._verbs and tok.norm not in ("and", "then") and \
                    request[toks[i - 1].start:tok.start].rstrip().endswith(","):
                seps.append((i, i))
            if tok.norm == "and":
                seps.append((i, i + 2) if nxt == "then" else (i, i + 1))
                if nxt == "then":
                    seps.append((i, i + 1))
            elif tok.norm == "then" and i > 0 and \
                    request[toks[i - 1].start:tok.start].rstrip().endswith(","):
                seps.append((i, i + 1))
        return seps

    def _recognize(self, request: str, toks: list[_Token], lo: int, hi: int) -> MatchResult:
        if lo >= hi:
            return MatchResult(request, reason=MatchFailedReason.EMPTY_REQUEST)
        windows = {(lo, hi), _polite(toks, lo, hi)}
        found: dict[tuple[str, tuple[tuple[str, str], ...]], tuple[tuple[int, ...], Any]] = {}
        invalid = ""
        for entry in self._entries:
            for wlo, whi in sorted(windows):
                match, why = self._best(request, toks, wlo, whi, entry)
                invalid = invalid or why
                if match is None:
                    continue
                key = (match.action, tuple(sorted(match.slots.items())))
                rank = (*match.rank(), entry.order)
                if key not in found or rank < found[key][0]:
                    found[key] = (rank, match)
        ranked = tuple(m for _, m in sorted(found.values(), key=lambda rm: rm[0]))
        if not ranked:
            empty = next((e for e in self._entries
                          if self._fits_with_empty_slot(toks, *_polite(toks, lo, hi), e)), None)
            if invalid:
                return MatchResult(request, reason=MatchFailedReason.SLOT_INVALID, detail=invalid)
            if empty is not None:
                return MatchResult(request, reason=MatchFailedReason.SLOT_EMPTY,
                                   detail=f"{empty.action}: {empty.template.text!r}")
            return MatchResult(request, reason=MatchFailedReason.NO_TEMPLATE)
        top = ranked[0]
        if len(ranked) > 1 and ranked[1].rank() == top.rank():
            return MatchResult(request, ranked, MatchFailedReason.AMBIGUOUS,
                               f"{top.action} or {ranked[1].action}")
        return MatchResult(request, ranked)

    def _best(self, request: str, toks: list[_Token], lo: int, hi: int,
              entry: _Entry) -> tuple[TemplateMatch | None, str]:
        best: TemplateMatch | None = None
        invalid = ""
        readings = _walk(entry.template.nodes, lo, toks, hi, (), 0, allow_empty=False)
        for slots, fixed, literals in islice(readings, _MAX_READINGS):
            values: dict[str, str] = {}
            spans: dict[str, tuple[int, int]] = {}
            for name, a, b in slots:
                start, end = toks[a].start, toks[b - 1].end
                text = request[start:end].rstrip(".,;:!? \t")
                values[name], spans[name] = text, (start, start + len(text))
            bad = next((n for n, v in values.items()
                        if not v or (n in entry.checks and not entry.checks[n](v))), None)
            if bad is not None:
                invalid = invalid or f"{entry.action}: {bad}={values[bad]!r}"
                continue
            chars = sum(len(v) for v in values.values())
            checked = sum(len(v) for n, v in values.items() if n in entry.checks)
            values.update(fixed)  # the plugin's values, not the request's words: not ranked
            candidate = TemplateMatch(entry.action, values, spans, entry.template.text,
                                      literals + 1 / (1 + chars), literals, chars,
                                      (toks[lo].start, toks[hi - 1].end), checked,
                                      frozenset(name for name, _ in fixed))
            if best is None or candidate.rank() < best.rank():
                best = candidate
        return best, ("" if best else invalid)

    @staticmethod
    def _fits_with_empty_slot(toks: list[_Token], lo: int, hi: int, entry: _Entry) -> bool:
        readings = _walk(entry.template.nodes, lo, toks, hi, (), 0, allow_empty=True)
        return any(any(a == b for _, a, b in slots)
                   for slots, _, _ in islice(readings, _MAX_READINGS))


def _fixed_nodes(nodes: tuple[_Node, ...]) -> Iterator[_Fixed]:
    for node in nodes:
        if isinstance(node, _Fixed):
            yield node
        elif isinstance(node, _Alt):
            for option in node.options:
                yield from _fixed_nodes(option)


def _fixed_value_error(prop: Mapping[str, Any], value: str) -> str:
    """Why a fixed value cannot be a value of the parameter's schema ("" when it can)."""
    kind = prop.get("type")
    if "enum" in prop and value not in [str(e) for e in prop["enum"]]:
        return f"not one of {prop['enum']}"
    if kind == "boolean" and value.casefold() not in ("true", "false"):
        return "not true or false"
    if kind == "integer" and not re.fullmatch(r"[+-]?\d+", value):
        return "not an integer"
    if kind == "number" and not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)", value):
        return "not a number"
    return ""


_Spans = tuple[tuple[str, int, int], ...]
_Values = tuple[tuple[str, str], ...]
_Reading = tuple[_Spans, _Values, int]


def _walk(nodes: tuple[_Node, ...], pos: int, toks: list[_Token], end: int,
          slots: _Spans, literals: int, *, allow_empty: bool,
          fixed: _Values = ()) -> Iterator[_Reading]:
    """Every complete reading of ``toks[pos:end]``: (slot token ranges, fixed values set,
    literal words matched).

    Slots are tried shortest first, optional parts present before absent."""
    if not nodes:
        if pos == end:
            yield slots, fixed, literals
        return
    node, rest = nodes[0], nodes[1:]
    if isinstance(node, _Word):
        if pos < end and toks[pos].norm == node.text:
            yield from _walk(rest, pos + 1, toks, end, slots, literals + 1,
                             allow_empty=allow_empty, fixed=fixed)
    elif isinstance(node, _Punct):
        if pos > 0 and node.text in toks[pos - 1].tail:
            yield from _walk(rest, pos, toks, end, slots, literals, allow_empty=allow_empty,
                             fixed=fixed)
    elif isinstance(node, _Slot | _Fixed):
        if any(name == node.name for name, _, _ in slots) or \
                any(name == node.name for name, _ in fixed):
            return  # one value per parameter in a reading
        if isinstance(node, _Fixed):
            yield from _walk(rest, pos, toks, end, slots, literals, allow_empty=allow_empty,
                             fixed=(*fixed, (node.name, node.value)))
            return
        stop = end if not rest else end - _required_words(rest)
        for b in range(pos if allow_empty else pos + 1, stop + 1):
            yield from _walk(rest, b, toks, end, (*slots, (node.name, pos, b)), literals,
                             allow_empty=allow_empty, fixed=fixed)
    else:
        for option in node.options:
            yield from _walk(option + rest, pos, toks, end, slots, literals,
                             allow_empty=allow_empty, fixed=fixed)
        if node.optional:
            yield from _walk(rest, pos, toks, end, slots, literals, allow_empty=allow_empty,
                             fixed=fixed)
