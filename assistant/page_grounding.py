"""Requests about the page in front of the user ("type "hi" in the search box, then press
Go"), read clause by clause and grounded on the page's on-screen entities.

A request is read here only when every clause starts with a verb of acting on a page (click,
press, enter, type, select, check, focus, expand, close, submit); anything else goes to the
planner. Each clause's target is found by the user's words alone: a quoted label, the kind of
element ("the text field", "the 2nd checkbox", "both text fields"), an ordinal ("Tab #3", "the
3rd result") or an unquoted label ("press Submit"). Page text never chooses an action or a
target: it is only matched against what the user said. A target that fits several elements is a
question, never a guess.

The clause reader is hand-written (a few regular expressions over a small verb lexicon) because
it must keep quoted labels whole and split "A, B and C" lists that belong to one verb; a general
parser would add a dependency and not know which words name elements.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from actions.entities import Entity, Scope
from actions.plan import ACTION_SOURCE, Step, ValueSource
from assistant.context import EntityTable

__all__ = ["CHANGES_PAGE", "Clause", "Grounding", "ground", "named_count", "read_clauses"]

# verb -> what the clause does
_VERBS = {
    "click": "click", "press": "click", "hit": "click", "tap": "click", "push": "click",
    "select": "select", "choose": "select", "pick": "select",
    "check": "check", "tick": "check", "mark": "check",
    "uncheck": "uncheck", "untick": "uncheck", "deselect": "uncheck", "unselect": "uncheck",
    "enter": "enter", "type": "enter", "input": "enter", "write": "enter", "fill": "enter",
    "put": "enter",
    "focus": "focus",
    "expand": "expand", "collapse": "expand",
    "close": "close", "dismiss": "close",
    "submit": "submit",
    "find": "explore", "switch": "explore", "navigate": "explore", "browse": "explore",
    "copy": "copy", "paste": "enter", "scroll": "scroll",
    "reply": "reply", "forward": "forward",
}
_ITEM_VERBS = frozenset({"reply", "forward"})
"""Verbs of a mail (or post) client that act on the item an earlier clause opened ("Find the
email by Ann and reply to her with the text "ok""): never a request's first verb here, where
they are lam's own messaging."""
_EXPLORE_OBJ = re.compile(r"^(?:between|through|among|around|across)\b", re.I)
"""What an explore verb other than "find" must be followed by ("switch between the tabs");
"navigate to ..." is not about the open page."""
CHANGES_PAGE = frozenset({"click", "expand", "close", "submit", "scroll"})
"""Clause kinds after which the page is read again before the rest is grounded."""

_QUOTE = re.compile(r"[\"“”]([^\"“”]*)[\"“”]")
_SEP = re.compile(r"^(?:,|;|\.|and|then|,?\s*and then|,\s*then|by)$", re.I)
_WORD = re.compile(r"[\"“][^\"“”]*[\"”]|[\w#'-]+(?:[.:][\w#'-]+)*|[,;.]")
# Verbs of other work: a clause starting with one makes the request not only about the page.
_OTHER_VERBS = frozenset({"open", "go", "visit", "search", "look", "read", "send",
    "email", "remind", "schedule", "save", "take", "download", "upload",
    "drag", "wait", "show", "tell", "summarize", "summarise", "get", "extract",
    "list", "delete", "remove", "move", "sort", "use", "call", "book", "buy"})
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
    "eighth": 8, "ninth": 9, "tenth": 10, "last": -1,
}
_ORDINAL = re.compile(r"\b(?:(\d+)(?:st|nd|rd|th)|(" + "|".join(_ORDINALS) + r")|#\s*(\d+)|"
                      r"number\s+(\d+))\b|#\s*(\d+)", re.I)
_TEXTY = {"text", "email", "search", "password", "url", "tel", "number", "textarea", ""}
# words naming a kind of element -> (entity type, field kinds or None)
_KINDS: list[tuple[str, tuple[str, frozenset[str] | None]]] = [
    (r"radio\s+buttons?|radios?", ("field", frozenset({"radio"}))),
    (r"check\s*box(?:es)?", ("field", frozenset({"checkbox"}))),
    (r"text\s*areas?", ("field", frozenset({"textarea"}))),
    (r"text\s*(?:fields?|box(?:es)?|inputs?)|input\s*(?:text\s*)?(?:box(?:es)?|fields?)"
     r"|inputs?|fields?|entr(?:y|ies)|(?:search\s+)?box(?:es)?", ("field", frozenset(_TEXTY))),
    (r"drop-?\s*downs?|select(?:\s+box)?|lists?|menus?|combo\s*box(?:es)?",
     ("field", frozenset({"select"}))),
    (r"buttons?", ("button", None)),
    (r"links?", ("link", None)),
    (r"tabs?", ("tab", None)),
    (r"sections?|panels?", ("tab", None)),
    (r"(?:search\s+)?results?", ("result", None)),
    (r"dialog(?:\s+box)?|popup|modal", ("dialog", None)),
    (r"icons?", ("icon", None)),
    (r"sliders?", ("field", frozenset({"range"}))),
]
_KIND_RE = re.compile(r"\b(" + "|".join(f"(?:{k})" for k, _ in _KINDS) + r")\b", re.I)
_FILLER = re.compile(r"\b(the|a|an|on|onto|at|labell?ed|called|named|titled|that says|saying|"
                     r"with the (?:text|label)|below|above|here|on the page|of the page|"
                     r"this|that|widget|element|item|to|in|into|from|with)\b", re.I)
_CLICKABLE = ("button", "link", "tab", "field")


@dataclass
class Clause:
    """One verb of the request and the words it acts on."""

    verb: str
    kind: str
    """What it does: click, select, check, uncheck, enter, focus, expand, close, submit,
    explore (find, switch between), copy (read a text a later "paste it" types), scroll."""
    text: str
    """The whole clause as the user wrote it."""
    obj: str
    """The words after the verb."""
    context: str = ""
    """Words of a clause it is the means of ("Close the dialog by clicking x": the dialog)."""
    scope: str = ""
    """Words a leading phrase names the item with ("For the user @ann, click Reply": @ann)."""


@dataclass
class Grounding:
    """What a request grounds to on the current page."""

    steps: list[Step] = field(default_factory=list)
    rest: list[Clause] = field(default_factory=list)
    """Clauses after a step that changes the page: grounded on the page as it will be."""
    question: str | None = None
    options: list[str] = field(default_factory=list)
    unsettled: bool = False
    """The question is that nothing on the page fits the user's words (not a choice among
    elements that do): the page does not settle the request, another reader may."""
    kinds: list[str] = field(default_factory=list)
    """The kinds of every clause (for confirmation by effect class before anything runs)."""


_LEAD_SCOPE = re.compile(r"^(?:for|on|in|under)\s+(?P<scope>[^,;]{1,80}?)\s*,\s*(?=\S)", re.I)


def read_clauses(request: str) -> list[Clause] | None:
    """The request as clauses that each start with a page verb; None when it is not such a
    request (a clause without one, or no clause at all). A leading "For the user @ann, ..."
    (an item named by a handle, a quoted name or "by/from/of X") scopes the first clause."""
    lead = _LEAD_SCOPE.match(request)
    who = _scope_words(lead.group("scope")) if lead else None
    if lead and who:
        clauses = _read_clauses(request[lead.end():])
        if clauses:
            clauses[0].scope = who
        return clauses
    return _read_clauses(request)


def _read_clauses(request: str) -> list[Clause] | None:
    tokens = [(m.group(0), m.start(), m.end()) for m in _WORD.finditer(request)]
    starts: list[int] = []
    for i, (tok, _, _) in enumerate(tokens):
        word = tok.lower()
        base = word[:-3] if word.endswith("ing") else word
        verb = _VERBS.get(word) or _VERBS.get(base) or _VERBS.get(base + "e")
        prev = tokens[i - 1][0].lower() if i else ""
        if verb in _ITEM_VERBS and i == 0:
            return None
        if verb is None:
            if word in _OTHER_VERBS and (i == 0 or prev in ("and", "then", ",", ";", ".")):
                return None
            continue
        if i == 0 or _SEP.match(prev) or prev in ("and", "then"):
            if verb == "enter" and prev in ("the", "a", "an"):
                continue
            starts.append(i)
    if not starts or starts[0] != 0:
        return None
    clauses: list[Clause] = []
    for n, i in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(tokens)
        last = end - 1
        while last > i and _SEP.match(tokens[last][0]):
            last -= 1
        verb_word = tokens[i][0].lower()
        base = verb_word[:-3] if verb_word.endswith("ing") else verb_word
        kind = _VERBS.get(verb_word) or _VERBS.get(base) or _VERBS[base + "e"]
        text = request[tokens[i][1]:tokens[last][2]]
        obj = request[tokens[i][2]:tokens[last][2]].strip()
        if kind in _ITEM_VERBS:
            item = _item_clauses(verb_word, kind, text, obj)
            if item is None:
                return None
            clauses += item
            continue
        obj = re.sub(r"\s*,?\s+(?:to|so that|in order to)\s+\w+.*$", "", obj)
        clauses.append(Clause(verb=verb_word, kind=kind, text=text, obj=obj))
        by_means = end < len(tokens) and tokens[end - 1][0].lower() == "by"
        if by_means and clauses:
            clauses[-1].obj = re.sub(r"\s+by$", "", clauses[-1].obj)
            clauses[-1].kind = "goal"
    for c in clauses:
        if c.kind == "explore" and c.verb != "find" and not _EXPLORE_OBJ.match(c.obj):
            return None  # "navigate to example.com": not about the open page
    out: list[Clause] = []
    for c in clauses:  # "Close the dialog by clicking x": the means, in the goal's context
        if out and out[-1].kind == "goal":
            c.context = out.pop().obj
        out.append(c)
    return [c for c in out if c.kind != "goal"] or None


_REPLY = re.compile(r"^(?:to\s+(?:them|him|her|it|the\s+sender|that|this)\s+)?(?:with|saying)\s+"
                    r"(?:the\s+(?:text|message|words?)\s+)?(?P<value>.+)$", re.I)
_FORWARD = re.compile(r"^(?:(?:it|that|this|them|the\s+\w+|that\s+\w+|this\s+\w+)\s+)?to\s+"
                      r"(?P<who>.+)$", re.I)


def _item_clauses(verb: str, kind: str, text: str, obj: str) -> list[Clause] | None:
    """"reply to them with the text "ok"": press the item's Reply, type the text in the
    message box that opens, press its Send; "forward it to Bo": press Forward, type Bo in the
    "to" field, press Send. Each part is grounded on the page as it is then (the page is
    read again after each press). None when the words are not of that shape."""
    if kind == "reply":
        m = _REPLY.match(obj.rstrip("."))
        if m is None:
            return None
        value = m.group("value").strip()
        said = value if _QUOTE.fullmatch(value) else f'"{value}"'
        if not _QUOTE.fullmatch(value) and _describes(value):
            return None
        typed = Clause(verb=verb, kind="enter", text=text, obj=said, context="message")
    else:
        m = _FORWARD.match(obj.rstrip("."))
        if m is None:
            return None
        who = m.group("who").strip().strip("\"“”")
        typed = Clause(verb=verb, kind="enter", text=text, obj=f'"{who}" into the "to" field')
    return [Clause(verb=verb, kind="click", text=text, obj=kind), typed,
            Clause(verb=verb, kind="click", text=text, obj="send")]


# -- finding elements -------------------------------------------------------------------------
def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip(".,:;!?").lower()


def _names(e: Entity) -> list[str]:
    names = [e.label]
    if e.type == "field":
        names += [str(e.attributes.get(k) or "") for k in ("label", "placeholder", "name", "id")]
        if str(e.attributes.get("kind", "")) in _TYPED_KINDS:
            names.append(str(e.attributes["kind"]))  # "the date": the date field
    names += list(e.attributes.get("aliases") or [])
    return [_norm(n) for n in names if n]


def _kind_of(words: str) -> tuple[str, frozenset[str] | None] | None:
    m = _KIND_RE.search(words)
    if m is None:
        return None
    for pattern, kind in _KINDS:
        if re.fullmatch(pattern, m.group(1), re.I):
            return kind
    return None


def _fits_kind(e: Entity, kind: tuple[str, frozenset[str] | None]) -> bool:
    etype, fkinds = kind
    if etype == "result":
        return e.type == "link"
    if etype == "icon":  # clickable without words of its own: named by its class or title
        return e.type == "link" and bool(e.attributes.get("icon"))
    if e.type != etype:
        return False
    return fkinds is None or str(e.attributes.get("kind", "")) in fkinds


def _results(links: list[Entity]) -> list[Entity]:
    """The page's result list: the largest group of links that share their place's shape."""
    groups: dict[str, list[Entity]] = {}
    for e in links:
        groups.setdefault(str(e.attributes.get("group") or ""), []).append(e)
    best = max(groups.values(), key=len, default=[])
    return best if len(best) >= 2 else links


@dataclass
class _Found:
    entities: list[Entity] = field(default_factory=list)
    question: str | None = None
    options: list[str] = field(default_factory=list)
    missing: str | None = None
    """Nothing on the page fits (it may appear after an earlier step)."""
    wanted: str = ""
    """The label looked for, when it is the label that nothing had."""


def find(phrase: str, pool: list[Entity], *, default_types: tuple[str, ...] = _CLICKABLE,
         context: str = "") -> _Found:
    """The elements ``phrase`` names among ``pool`` (the on-screen entities)."""
    quoted = [q for q in _QUOTE.findall(phrase) if q.strip()]
    bare = _QUOTE.sub(" ", phrase)
    kind = _kind_of(bare)
    ordinal: int | None = None
    m = _ORDINAL.search(bare)
    if m is not None:
        digits = m.group(1) or m.group(3) or m.group(4) or m.group(5)
        ordinal = int(digits) if digits else _ORDINALS[m.group(2).lower()]
    plural = bool(re.search(r"\b(both|all|each|every)\b", bare, re.I))
    indefinite = bool(re.match(r"\s*(a|an|any)\b", bare, re.I))
    if context and _kind_of(context) == ("dialog", None):
        pool = [e for e in pool if e.attributes.get("dialog")]
    whole = _norm(_QUOTE.sub(lambda q: q.group(1), phrase))
    whole = re.sub(r"^(the|a|an|on|at)\s+", "", whole)
    candidates = [e for e in pool if e.type in default_types or
                  (kind is not None and _fits_kind(e, kind))]
    # 1. the whole phrase is an element's name ("Tab #3", "Submit")
    named = [e for e in candidates if whole and whole in _names(e)]
    if len(named) == 1:
        return _Found([named[0]])
    # 2. by kind, quoted label, unquoted label words, ordinal
    if kind is not None:
        candidates = [e for e in pool if _fits_kind(e, kind)]
        if kind[1] == frozenset(_TEXTY):  # a text box or field: a one-line one, where any
            candidates = [e for e in candidates if e.attributes.get("kind") != "textarea"] \
                or candidates
        if kind[0] == "result":
            candidates = _results(candidates)
        noun = _KIND_RE.search(bare)
        word = noun.group(1).lower().rstrip("s") if noun else ""
        called = [e for e in candidates if word and any(word in n for n in _names(e))]
        if called and not quoted:
            candidates = called  # "the section": the ones called "Section ..." first
    what = kind[0] if kind is not None and kind[0] != "field" else (
        "field" if kind is not None else "element")
    label_words = _norm(_ORDINAL.sub(" ", _KIND_RE.sub(" ", _FILLER.sub(" ", bare))))
    label_words = re.sub(r"\b(both|all|each|every|any)\b", " ", label_words).strip()
    label_words = re.sub(r"\s+", " ", label_words)
    if label_words in ("one", "ones") and (ordinal is not None or kind is None):
        label_words = ""  # "the first one"
    wanted = quoted[0] if quoted else label_words
    if wanted:
        exact = [e for e in candidates if _norm(wanted) in _names(e)]
        if not exact and quoted and kind is None:  # "a "textarea" widget": a kind in quotes
            exact = [e for e in candidates if str(e.attributes.get("kind", "")) == _norm(wanted)
                     or (e.type == _norm(wanted))]
        if not exact and not quoted:
            exact = [e for e in candidates
                     if any(re.search(rf"\b{re.escape(_norm(wanted))}\b", n) for n in _names(e))]
        if not exact and kind == ("button", None):  # a clickable span drawn as a button
            exact = [e for e in pool if e.type == "link" and e.attributes.get("clickable")
                     and _norm(wanted) in _names(e)]
        if not exact and not quoted and kind is not None and _norm(wanted) in _QUALIFIERS \
                and len(candidates) == 1:
            exact = candidates  # "the search box" on a page with one box
        candidates = exact
        if not candidates:
            return _Found(missing=f"I see no {what} called '{wanted}' on the page",
                          wanted=wanted)
    elif kind is None:
        return _Found(missing=f"'{phrase}' names no element I can find on the page")
    if not candidates:
        return _Found(missing=f"I see no {what} on the page for '{phrase}'")
    if ordinal is not None:
        n = ordinal
        if n > len(candidates) or -n > len(candidates):
            return _Found(question=f"There are only {len(candidates)} of them; which one do you "
                                   f"mean by '{phrase}'?",
                          options=[e.label for e in candidates[:6]])
        return _Found([candidates[n - 1] if n > 0 else candidates[n]])
    if plural:
        if re.search(r"\bboth\b", bare, re.I) and len(candidates) != 2:
            return _Found(question=f"'{phrase}': I see {len(candidates)}, not two. Which do you "
                                   "mean?", options=[e.label for e in candidates[:6]])
        return _Found(candidates)
    if len(candidates) == 1 or indefinite:
        return _Found([candidates[0]])
    if kind is not None and kind[1] and len(quoted) == 0 and not label_words and \
            re.search(rf"\b{_KINDS_PLURAL}\b", bare, re.I):
        return _Found(candidates)  # "the text fields": each of them
    labels = [f"{e.label or e.id} ({e.id})" for e in candidates[:6]]
    return _Found(question=f"Which {what} do you mean by '{phrase}': " + " or ".join(labels)
                  + "?", options=labels)


_TYPED_KINDS = frozenset({"date", "time", "email", "password", "number", "search", "url", "tel",
                          "color", "range", "month", "week", "datetime-local", "file"})
_PRONOUNS = frozenset({"it", "that", "this", "them", "those", "these", "one"})
_QUALIFIERS = frozenset({"search", "text", "input", "entry", "main", "only", "scroll",
                         "scrolling", "selection"})
_KINDS_PLURAL = r"(?:fields|boxes|inputs|textboxes|checkboxes|buttons|links)"


# -- clauses to steps -------------------------------------------------------------------------
def _source(text: str, entity: Entity | None = None) -> ValueSource:
    if entity is None:
        return ValueSource(kind="user_text", text=text)
    return ValueSource(kind="user_text", text=text, entity_id=entity.id,
                       note=f"'{text}' = {entity.type} '{entity.label}' on the page")


def _step(action: str, clause: Clause, args: dict[str, object],
          target: tuple[str, Entity] | None = None) -> Step:
    sources = {k: _source(str(v)) for k, v in args.items()}
    if target is not None:
        sources[target[0]] = _source(clause.obj or clause.text, target[1])
    sources[ACTION_SOURCE] = ValueSource(kind="user_text", text=clause.verb)
    return Step(action=action, args=args, sources=sources)


def _items(text: str) -> list[str]:
    """"A, B and C" -> [A, B, C] (quoted items stay whole)."""
    text = re.sub(r"^(?:the\s+)?(?:options?|items?|boxes|words?)\s+", "", text.strip(), flags=re.I)
    parts = re.split(r"\s*,\s*(?:and\s+)?|\s+and\s+", text)
    return [p.strip().strip("\"“”") for p in parts if p.strip()]


class _Reveal(Exception):
    """The target is in a closed tab or section: open it, then ground the clause again."""

    def __init__(self, steps: list[Step]) -> None:
        super().__init__("reveal")
        self.steps = steps


def _reveal(c: Clause, found: _Found, pool: list[Entity]) -> None:
    """Raise `_Reveal` when exactly one closed tab or section holds what ``found`` missed."""
    if not found.wanted:
        return
    want = _norm(found.wanted)
    holders = [e for e in pool if e.type in ("tab", "link") and not e.attributes.get("selected")
               and not e.attributes.get("expanded")
               and want in [_norm(str(h)) for h in e.attributes.get("holds") or []]]
    if len(holders) > 1:  # nested closed folders: the innermost holds it
        holders = [e for e in holders if not any(
            o is not e and _norm(o.label) in [_norm(str(h)) for h in e.attributes.get("holds")
                                              or []] for o in holders)]
    if len(holders) == 1:
        tab = holders[0]
        raise _Reveal([_step("click", c, {"target": tab.id},
                             ("target", tab))])


class _Miss(Exception):
    def __init__(self, found: _Found) -> None:
        super().__init__(found.question or found.missing)
        self.found = found


def _one(found: _Found) -> Entity:
    if found.question or found.missing or len(found.entities) != 1:
        raise _Miss(found if (found.question or found.missing) else _Found(
            question="Which one do you mean?", options=[e.label for e in found.entities]))
    return found.entities[0]


# -- an element inside one repeated item ("the Reply button on the post by @ann") -------------
_SCOPE_NAME = re.compile(r"^(?:[\w-]+\s+){0,2}?(?:(?:written|posted|sent)\s+)?"
                         r"(?:by|from|of|named|called|about)\s+(?P<who>.+)$"
                         r"|^[\w-]+\s+(?P<handle>@[\w.-]+|[\"“][^\"“”]+[\"”])$", re.I)
_TRAILING_SCOPE = re.compile(
    r"^(?P<target>.+?)\s+(?:on|in|for|of|under|within|from|inside)\s+"
    r"(?P<q>(?:the|all(?:\s+the)?|every|each|one|a|an|any|\d+|two|three|four|five)\s+)?(?P<rest>[a-z]+\s+(?:"
    r"(?:written|posted|sent)\s+)?(?:by|from|of|named|called|about)\s+.+)$", re.I)


def _scope_words(phrase: str) -> str | None:
    """The name an item is picked by ("the user @ann" -> "@ann", "posts by Bo" -> "Bo"), or
    None when the phrase names no item that way."""
    words = re.sub(r"^(?:the|a|an|all(?:\s+the)?|every|each|one|1|any)\s+", "", phrase.strip(),
                   flags=re.I)
    m = _SCOPE_NAME.match(words)
    if m is None:
        return None
    who = (m.group("who") or m.group("handle") or "").strip().strip("\"“”").rstrip(".")
    return who or None


def _inside(e: Entity, who: str) -> bool:
    within = _norm(str(e.attributes.get("within") or ""))
    return bool(within) and re.search(rf"(?<![\w@]){re.escape(_norm(who))}(?!\w)",
                                      within) is not None


_COUNTS = {"one": 1, "a": 1, "an": 1, "any": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _scoped(c: Clause, target: str) -> tuple[str, str, str | int] | None:
    """(target words, item name, how many: "the", "all" or a number) when the clause names
    its element inside an item, by a leading scope or a trailing "on all posts by @ann"."""
    if c.scope:
        return target, c.scope, "the"
    m = _TRAILING_SCOPE.match(target.strip().rstrip("."))
    who = _scope_words(m.group("rest")) if m else None
    if m is None or who is None:
        return None
    q = (m.group("q") or "the").strip().lower()
    how: str | int = "all" if q.startswith(("all", "every", "each")) else \
        int(q) if q.isdigit() else _COUNTS.get(q, "the")
    return m.group("target"), who, how


def _clause_steps(c: Clause, pool: list[Entity], said: _Read | None = None) -> list[Step]:
    obj = c.obj
    if c.kind == "enter":
        return _enter_steps(c, pool, said)
    if c.kind == "focus":
        target = re.sub(r"^(?:on|in|into|onto)\s+", "", obj, flags=re.I)
        e = _one(find(target, pool, default_types=("field",)))
        return [_step("focus_field", c, {"field": e.id}, ("field", e))]
    if c.kind == "submit":
        if not obj or re.fullmatch(r"(?:the\s+)?(?:form|it)(?:\s+when done)?|when done", obj,
                                   re.I):
            found = find('"submit"', pool, default_types=("button",))
            if len(found.entities) == 1:  # the page's Submit button, as a user would press
                e = found.entities[0]
                return [_step("submit_form", c, {"target": e.id}, ("target", e))]
            return [_step("submit_form", c, {})]
        e = _one(find(obj, pool))
        return [_step("submit_form", c, {"target": e.id}, ("target", e))]
    if c.kind == "expand":
        found = find(obj, pool, default_types=("tab",))
        if found.entities and not found.question:
            return [_step("click", c, {"target": e.id}, ("target", e)) for e in found.entities]
        raise _Miss(found)
    if c.kind == "close":
        dialogs = [e for e in pool if e.attributes.get("dialog") and e.type == "button"
                   and "x" in _names(e)]
        found = find('"x"', pool, context="dialog") if dialogs else find(obj, pool)
        e = _one(found)
        return [_step("click", c, {"target": e.id}, ("target", e))]
    if c.kind in ("select", "check", "uncheck"):
        return _select_steps(c, pool)
    if c.kind == "explore":
        return _open_found(c, pool)
    if c.kind == "copy":  # the text is read in `ground`; a later clause types it
        return []
    if c.kind == "scroll":
        return _scroll_steps(c, pool)
    # click
    target = re.sub(r"^(?:on|at)\s+", "", obj, flags=re.I)
    scoped = _scoped(c, target)
    if scoped is not None:  # among the elements of the items the user's words name
        target, who, how = scoped
        inner = [e for e in pool if _inside(e, who)]
        if not inner:
            raise _Miss(_Found(missing=f"I see nothing on the page for '{who}'"))
        found = find(("all " if how != "the" else "") + target, inner, context=c.context)
        if found.missing:
            _reveal(c, found, inner)
        if how != "the" and found.entities and not found.question:
            chosen = found.entities if how == "all" else found.entities[:int(how)]
            if len(chosen) < (len(found.entities) if how == "all" else int(how)):
                raise _Miss(_Found(question=f"I see {len(found.entities)} for '{target}' on "
                                            f"what '{who}' names, not {how}. Which do you mean?",
                                   options=[e.label for e in found.entities[:6]]))
            return [_step("click", c, {"target": e.id}, ("target", e)) for e in chosen]
        pool = inner
    else:
        found = find(target, pool, context=c.context)
    if found.missing:
        _reveal(c, found, pool)
    e = _one(found)
    if e.type == "field" and e.attributes.get("kind") in ("checkbox", "radio"):
        return [_step("set_checkbox", c, {"field": e.id, "checked": True}, ("field", e))]
    return [_step("click", c, {"target": e.id}, ("target", e))]


_SCROLL = re.compile(r"^(?:(?P<dir>down|up)\b)?\s*(?:(?:all\s+the\s+way\s+)?(?:to|till|until)\s+"
                     r"the\s+(?P<end>bottom|end|top|beginning|start)\b)?\s*(?:(?:of|in|inside|"
                     r"within)\s+(?P<where>.+))?$", re.I)


def _scroll_steps(c: Clause, pool: list[Entity]) -> list[Step]:
    """"Scroll down", "scroll to the bottom of the text area": the page, or the one field the
    words name, scrolled (a page may enable what waits for it; it is read again after)."""
    m = _SCROLL.match(c.obj.strip().rstrip("."))
    if m is None or not (m.group("dir") or m.group("end")):
        raise _Miss(_Found(missing=f"'{c.text}': which way to scroll is unclear"))
    end = (m.group("end") or "").lower()
    direction = "bottom" if end in ("bottom", "end") else "top" if end else \
        m.group("dir").lower()
    if not m.group("where") or re.fullmatch(r"(?:the\s+)?(?:page|screen|window)",
                                            m.group("where").strip(), re.I):
        return [_step("scroll", c, {"direction": direction})]
    e = _one(find(m.group("where"), pool, default_types=("field",)))
    return [_step("scroll", c, {"direction": direction, "field": e.id}, ("field", e))]


_FIND_BY = re.compile(r"^(?:the|an?)\s+(?P<noun>[\w-]+)\s+(?:by|from|of|with|named|called|"
                      r"titled|about)\s+(?P<who>.+)$", re.I)


def _open_found(c: Clause, pool: list[Entity]) -> list[Step]:
    """"Find the message from Ann": the one clickable element whose words name Ann is opened
    (clicked), so that what the next clause acts on is in view; the page is read again after
    it. Other explore clauses ("find", "switch between the tabs") do nothing themselves: what
    is hidden is opened when a later clause needs it. Several elements naming Ann is a
    question; none leaves the clause to the later ones."""
    m = _FIND_BY.match(c.obj.strip().rstrip(".")) if c.verb.lower().startswith("find") else None
    if m is None:
        return []
    who = _norm(m.group("who").strip("\"“”"))
    hits = [e for e in pool if e.type in ("link", "button") and not e.attributes.get("icon")
            and any(re.search(rf"\b{re.escape(who)}\b", n) for n in _names(e))]
    if not hits:
        return []
    if len(hits) > 1:
        raise _Miss(_Found(question=f"Which one do you mean by '{c.obj}'?",
                           options=[e.label for e in hits[:6]]))
    return [_step("click", c, {"target": hits[0].id}, ("target", hits[0]))]


_WITH_SLIDER = re.compile(r"^(?P<value>[-+]?\d+(?:\.\d+)?|[\"“][^\"“”]*[\"”])\s+"
                          r"(?:with|on|using|in)\s+(?P<target>.*\bsliders?\b.*)$", re.I)
_VALUE_IN_FIELD = re.compile(r"^(?P<value>[-+]?\d[\d/.:-]*|[\"“][^\"“”]*[\"”])\s+"
                             r"(?:with|using|in|as|into|for)\s+(?P<target>(?:the|a|an)\s+.+)$",
                             re.I)
""""Select 3 with the spinner", "Pick 12/05/2016 as the date": a value said for a field that
takes typing (a select field gets the option, a slider is moved)."""


def _select_steps(c: Clause, pool: list[Entity]) -> list[Step]:
    obj = c.obj
    checked = c.kind != "uncheck"
    slider = _WITH_SLIDER.match(obj.strip().rstrip("."))
    if slider and c.kind == "select":  # "select 5 with the slider": the slider moved to 5
        e = _one(find(slider.group("target"), pool, default_types=("field",)))
        value = slider.group("value").strip("\"“”")
        return [_step("fill_field", c, {"field": e.id, "value": value}, ("field", e))]
    said = _VALUE_IN_FIELD.match(obj.strip().rstrip(".")) if c.kind == "select" else None
    if said is not None:
        found = find(said.group("target"), pool, default_types=("field",))
        one = found.entities[0] if len(found.entities) == 1 and not found.question else None
        kind = str(one.attributes.get("kind", "")) if one is not None else ""
        value = said.group("value").strip("\"“”")
        if one is not None and kind == "select":
            return [_step("select_option", c, {"field": one.id, "option": value},
                          ("field", one))]
        if one is not None and kind not in ("checkbox", "radio", "file"):
            return [_step("fill_field", c, {"field": one.id, "value": value}, ("field", one))]
    m = re.match(r"^(.*?)\s+(?:from|in|on|of)\s+(the\s+.*)$", obj, re.I)
    if m and c.kind == "select" and _kind_of(m.group(2)) and \
            _kind_of(m.group(2)) == ("field", frozenset({"select"})):
        e = _one(find(m.group(2), pool, default_types=("field",)))
        return [_step("select_option", c, {"field": e.id, "option": option}, ("field", e))
                for option in _items(m.group(1))]
    if _kind_of(obj) is not None and (_ORDINAL.search(obj) or re.match(
            r"(the|a|an|all|both|each|every)\b", obj, re.I)):
        found = find(obj, pool, default_types=("field",))
        if found.entities and not (found.question or found.missing):
            return [_step("set_checkbox", c, {"field": e.id, "checked": checked},
                          ("field", e)) if e.type == "field" and
                    e.attributes.get("kind") in ("checkbox", "radio")
                    else _step("click", c, {"target": e.id}, ("target", e))
                    for e in found.entities]
    steps: list[Step] = []
    boxes = [e for e in pool if e.type == "field" and
             e.attributes.get("kind") in ("checkbox", "radio")]
    selects = [e for e in pool if e.type == "field" and e.attributes.get("kind") == "select"]
    for item in _items(obj):
        want = _norm(item)
        hits = [e for e in boxes if want in _names(e)]
        if len(hits) == 1:
            steps.append(_step("set_checkbox", c, {"field": hits[0].id, "checked": checked},
                               ("field", hits[0])))
            continue
        if len(hits) > 1:
            raise _Miss(_Found(question=f"Several boxes are called '{item}'; which one?",
                               options=[e.id for e in hits]))
        owners = [e for e in selects if any(_norm(str(o)) == want
                                            for o in e.attributes.get("options") or [])]
        if len(owners) == 1 and c.kind == "select":
            steps.append(_step("select_option", c, {"field": owners[0].id, "option": item},
                               ("field", owners[0])))
            continue
        if len(owners) > 1:
            raise _Miss(_Found(question=f"'{item}' is an option of several lists; which one?",
                               options=[e.label for e in owners]))
        found = find(f'"{item}"', pool)
        if c.kind == "select" and found.entities and len(found.entities) == 1:
            e = found.entities[0]
            steps.append(_step("click", c, {"target": e.id}, ("target", e)))
            continue
        raise _Miss(found if (found.question or found.missing) else _Found(
            missing=f"I see no box or option called '{item}' on the page"))
    return steps


_DESCRIBES_START = re.compile(
    r"^(?:the|this|that|these|those|what|whatever|which|whichever|my|your|his|her|its|their|"
    r"our|some|any|same|a|an)\b", re.I)
_DESCRIBES_WORD = re.compile(
    r"\b(?:value|values|below|above|shown|showing|displayed|following|given|mentioned|listed|"
    r"written|previous|same as|as seen|on the page|on screen|from the)\b", re.I)


def _describes(value: str) -> bool:
    """Whether an unquoted value reads as a description of the text to type ("the code shown
    above", "what the page says", "it") rather than the text itself. A determiner, demonstrative,
    possessive or wh-word in front, or a word that points elsewhere (value, below, shown, ...),
    makes it a description: typing it would type the user's words about the value."""
    words = value.strip().lower()
    return words in _PRONOUNS or bool(_DESCRIBES_START.match(words)
                                      or _DESCRIBES_WORD.search(words))


def _literal_or_ask(value: str) -> None:
    """Raise a question when the unquoted ``value`` describes the text to type instead of
    saying it. It is never typed as it stands, and never filled in from the page's text (page
    text is untrusted and would choose the value): the user says the text."""
    if _describes(value):
        raise _Miss(_Found(question=f"'{value}' describes what to type rather than saying it. "
                                    "What exact text should I type? (Put it in quotes.)"))


_READ = re.compile(r"^(?:the\s+)?(?P<ord>\S+)\s+(?P<unit>word|letter|character)\s+"
                   r"(?:in|of|from)\s+(?P<where>.+)$", re.I)
_THAT_READ = re.compile(r"^(?:it|that|this|the\s+same)(?:\s+(?:word|letter|character))?$"
                        r"|^(?:that|this|the)\s+(?:word|letter|character)$", re.I)


@dataclass
class _Read:
    """Text a clause read from the page by position ("the 3rd word in the paragraph")."""

    phrase: str
    value: str
    page: Entity


_COPY = re.compile(r"^(?:all\s+)?(?:the\s+)?(?:text|words?|value|contents?)\s+"
                   r"(?:in|of|from|inside)\s+(?P<where>.+)$", re.I)


def _read_page(c: Clause, page: Entity | None, pool: list[Entity] | None = None) -> _Read | None:
    """The text that ``c`` points to on the page, when its words say exactly which: by position
    ("find the 3rd word in the paragraph", "the last word in the text area") or whole ("copy
    the text in the textarea"); None when it is not such a clause. The user's words choose the
    text, the page only holds it; the value is shown with its provenance (untrusted page text)
    before anything runs."""
    pool = pool or []
    obj = c.obj.strip().rstrip(".")
    if c.kind == "copy":
        whole = _COPY.match(obj)
        where = whole.group("where") if whole else re.sub(r"^(?:the\s+)", "", obj)
        text = _text_in(where, page, pool)
        if text is None or not text.strip():
            raise _Miss(_Found(missing=f"I see no text to copy in {where!r}"))
        assert page is not None
        return _Read(phrase=obj, value=text, page=page)  # pasted as copied, spaces and all
    m = _READ.match(obj)
    n = _ORDINAL.fullmatch(m.group("ord")) if m else None
    if m is None or n is None:
        return None
    digits = n.group(1) or n.group(3) or n.group(4) or n.group(5)
    index = int(digits) if digits else _ORDINALS[n.group(2).lower()]
    text = _text_in(m.group("where"), page, pool)
    if text is None:
        return None
    if m.group("unit").lower() == "word":
        units = [w for w in (re.sub(r"^\W+|\W+$", "", t) for t in text.split()) if w]
    else:
        units = [ch for ch in text if not ch.isspace()]
    if not 1 <= abs(index) <= len(units):
        raise _Miss(_Found(missing=f"the text has {len(units)} {m.group('unit')}s, "
                                   f"so there is no {m.group('ord')}"))
    assert page is not None
    return _Read(phrase=obj, value=units[index - 1 if index > 0 else index], page=page)


def _text_in(where: str, page: Entity | None, pool: list[Entity]) -> str | None:
    """The text of what ``where`` names: a field's value ("the text area", "the textbox
    below"), else one of the page's visible paragraphs ("the paragraph", "the 2nd
    paragraph"); None when the words name neither."""
    kind = _kind_of(where)
    if kind is not None and kind[0] == "field" and page is not None:
        found = find(where, pool, default_types=("field",))
        if found.question or found.missing or len(found.entities) != 1:
            raise _Miss(found if (found.question or found.missing) else _Found(
                question=f"Which one do you mean by {where!r}?",
                options=[e.label for e in found.entities[:6]]))
        return str(found.entities[0].attributes.get("value") or "")
    paragraphs = [str(p) for p in (page.attributes.get("paragraphs") or [])] if page else []
    if not re.search(r"\b(?:paragraph|text|passage)\b", where, re.I):
        return None
    which = _ORDINAL.search(where)
    if which is not None:
        digits = which.group(1) or which.group(3) or which.group(4) or which.group(5)
        k = int(digits) if digits else _ORDINALS[which.group(2).lower()]
        if not 1 <= abs(k) <= len(paragraphs):
            raise _Miss(_Found(missing=f"I see no {where!r} on the page"))
        return paragraphs[k - 1 if k > 0 else k]
    if len(paragraphs) == 1:
        return paragraphs[0]
    raise _Miss(_Found(
        missing=f"I see {len(paragraphs)} paragraphs on the page, not one, for {where!r}"
        if paragraphs else "I see no paragraph on the page"))


def _enter_steps(c: Clause, pool: list[Entity], said: _Read | None = None) -> list[Step]:
    obj = re.sub(r"^in\s+(?=\S)", "", c.obj, flags=re.I) if c.verb == "fill" else c.obj
    m = re.match(r"^(?P<target>.+?)\s+with\s+(?P<value>.+)$", obj, re.I)
    if c.verb == "fill" and m:
        e = _one(find(m.group("target"), pool, default_types=("field",)))
        raw = m.group("value").strip()
        if not _QUOTE.fullmatch(raw):
            _literal_or_ask(raw)
        value = raw.strip("\"“”")
        return [_step("fill_field", c, {"field": e.id, "value": value}, ("field", e))]
    into = re.search(r"\s+(?:into|in|inside|to|as)\s+(?P<target>(?:the|a|an|both|all|each|every)\b"
                     r".*|[\"“].*)$", obj, re.I)
    target = into.group("target") if into else ""
    head = obj[:into.start()] if into else obj
    pairs = re.findall(r"(?:\band\s+)?(?:the\s+|a\s+|an\s+|your\s+)?([\w ]*?)\s*[\"“]([^\"“”]*)"
                       r"[\"”]", head)
    values = [(re.sub(r"^(?:and\s+|,\s*)?(?:the\s+|a\s+|an\s+|your\s+)?", "", name.strip()),
               value) for name, value in pairs]
    for name, value in values:  # 'the value of "Total"': a quoted label, not the text to type
        if name and _DESCRIBES_WORD.search(name):
            raise _Miss(_Found(question=f"'{name} \"{value}\"' names something to look up, "
                                        "not the text to type. What exact text should I type? "
                                        "(Put it in quotes.)"))
    read: _Read | None = None
    if not values and said is not None and _THAT_READ.match(head.strip()):
        read = said  # "type that": the text an earlier clause read from the page
        values = [("", said.value)]
    if not values:
        value = head.strip()
        if value:
            _literal_or_ask(value)
        if not value or not target:
            raise _Miss(_Found(missing="what to type, and where, is unclear"))
        values = [("", value)]
    named = [(n, v) for n, v in values if n]
    steps: list[Step] = []
    if (named and len(values) > 1) or (named and not target):
        for name, value in values:
            e = _one(find(name, pool, default_types=("field",)))
            steps.append(_step("fill_field", c, {"field": e.id, "value": value}, ("field", e)))
        return steps
    if not target:
        texty = [e for e in pool if e.type == "field" and
                 str(e.attributes.get("kind", "")) in _TEXTY]
        boxes = [e for e in texty if e.attributes.get("kind") == "textarea"]
        if c.context == "message" and len(boxes) == 1:  # a reply's text: its message box
            texty = boxes
        if len(texty) != 1:
            raise _Miss(_Found(question="Which field should I type into?",
                               options=[e.label for e in texty[:6]]))
        target = texty[0].id
        fields = texty
    else:
        found = find(target, pool, default_types=("field",))
        if found.question or found.missing:
            raise _Miss(found)
        fields = found.entities
    for e in fields:
        for _name, value in values:
            steps.append(_step("fill_field", c, {"field": e.id, "value": value}, ("field", e)))
            if read is not None:
                steps[-1].sources["value"] = ValueSource(
                    kind="entity", text=read.phrase, entity_id=read.page.id,
                    provenance=read.page.provenance,
                    note=f"'{read.phrase}' = '{value}', read from the page")
    return steps


def named_count(clauses: list[Clause]) -> int:
    """How many things the user's words name: one per clause, one per item of a listed
    "A, B and C" that a select, check or uncheck clause acts on."""
    return sum(len(_items(c.obj)) if c.kind in ("select", "check", "uncheck") and
               _kind_of(c.obj) is None else 1 for c in clauses)


def ground(clauses: list[Clause], table: EntityTable) -> Grounding:
    """Ground clauses on the page now in ``table``, up to and including the first step that
    changes the page; the rest waits for the page to be read again."""
    pool = [e for e in table.all() if e.scope is Scope.SCREEN and e.ordinal is not None
            and e.type in ("link", "button", "field", "tab", "dialog")]
    pool.sort(key=lambda e: (e.type, e.ordinal or 0))
    page = next((e for e in table.all() if e.type == "page" and e.scope is Scope.SCREEN), None)
    out = Grounding(kinds=[c.kind for c in clauses])
    said: _Read | None = None
    for i, c in enumerate(clauses):
        try:
            if c.kind in ("explore", "copy"):
                said = _read_page(c, page, pool) or said
            steps = _clause_steps(c, pool, said)
        except _Reveal as reveal:  # open what hides the target, then this clause again
            out.steps += reveal.steps
            out.rest = clauses[i:]
            break
        except _Miss as miss:
            out.steps = []
            out.question = miss.found.question or miss.found.missing
            out.options = miss.found.options
            out.unsettled = miss.found.question is None
            return out
        out.steps += steps
        if (c.kind in CHANGES_PAGE or (c.kind == "explore" and steps)) and i + 1 < len(clauses):
            out.rest = clauses[i + 1:]
            break
    return out
