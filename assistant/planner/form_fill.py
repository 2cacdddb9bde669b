"""A form filled in one request: "fill the form: name Ada Park, email ada@x.example, then
submit", "fill in my name as Ada Park and email ada@x.example", "put Ada Park under
name and pick 4 guests", "pick express shipping" (an option of the one list whose label says
shipping). Each part pairs a field the words name (by the words of its label or
name, exactly one field) with the user's own text for it; a part that does not read that way
leaves the whole request to the rest of the cascade (`Planner.stage_form`).

Read by hand (a few patterns over the form's own field words) because the model reliably
fills only the first field of such a list, and the pairing is fully settled by the words the
user typed and the labels on the page: nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from actions.entities import Entity, Scope
from actions.plan import ACTION_SOURCE, Step, ValueSource
from assistant.context import EntityTable

__all__ = ["read_form"]

_START = re.compile(r"^\s*(?:(?:ok|okay|pls|please|just|now)[,\s]+)*"
                    r"(?P<verb>fill(?:\s+(?:in|out))?|put|enter|type|set|pick|choose|select)"
                    r"\b\s*", re.I)
_FORM = re.compile(r"^(?:(?:in|out)\s+)?(?:the|this|that)\s+form\s*(?::|with|-|,)?\s*", re.I)
_SPLIT = re.compile(r"\s*[,;]\s*(?:and\s+then\s+|and\s+|then\s+)?|\s+(?:and\s+then|then|and)\s+",
                    re.I)
_LEAD = re.compile(r"^(?:(?:fill(?:\s+(?:in|out))?|put|enter|type|set|pick|choose|select|use)"
                   r"\s+)?(?:(?:my|the|our|a|an)\s+)?", re.I)
_SUBMIT = re.compile(r"^(?:submit(?:\s+(?:it|the\s+form|that))?|send\s+(?:it|the\s+form))$",
                     re.I)
_PRESS = re.compile(r"^(?:hit|press|click(?:\s+on)?|tap)\s+(?:the\s+)?(?P<what>.+?)"
                    r"(?:\s+button)?$", re.I)
_CONNECT = re.compile(r"^(?:as|to|is|=|:|with|of)\s+", re.I)
_VALUE_FIRST = re.compile(r"^(?P<value>.+?)\s+(?:in|into|for|as|under)\s+(?:(?:the|my)\s+)?"
                          r"(?P<field>[\w' -]+?)(?:\s+(?:box|field|input|slot))?$", re.I)
_NOISE = frozenset({"box", "field", "input", "slot", "the", "my"})


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w}


def _field_words(e: Entity) -> set[str]:
    out = _words(e.label)
    for key in ("name", "label", "placeholder"):
        out |= _words(str(e.attributes.get(key) or ""))
    return out


def _one_field(phrase: str, fields: list[Entity]) -> Entity | None:
    said = _words(phrase) - _NOISE
    if not said:
        return None
    hits = [e for e in fields if said <= _field_words(e)]
    return hits[0] if len(hits) == 1 else None


def _option(value: str, e: Entity) -> str | None:
    options = [str(o) for o in e.attributes.get("options") or []]
    want = value.strip().lower()
    exact = [o for o in options if o.lower() == want]
    if len(exact) == 1:
        return exact[0]
    near = [o for o in options if want and want in o.lower()]
    return near[0] if len(near) == 1 else None


def _source(text: str, e: Entity | None = None) -> ValueSource:
    if e is None:
        return ValueSource(kind="user_text", text=text)
    return ValueSource(kind="user_text", text=text, entity_id=e.id,
                       note=f"'{text}' = {e.type} '{e.label}' on the page")


def _set(e: Entity, value: str, words: str, verb: str) -> Step | None:
    kind = str(e.attributes.get("kind", ""))
    if kind in ("checkbox", "radio", "file"):
        return None
    if kind == "select":
        option = _option(value, e)
        if option is None:
            return None
        return Step(action="select_option", args={"field": e.id, "option": option},
                    sources={"field": _source(words, e), "option": _source(value),
                             ACTION_SOURCE: _source(verb)})
    return Step(action="fill_field", args={"field": e.id, "value": value},
                sources={"field": _source(words, e), "value": _source(value),
                         ACTION_SOURCE: _source(verb)})


def _part(part: str, fields: list[Entity], buttons: list[Entity], verb: str) -> Step | None:
    """One part of the list as a step, or None when it does not read as one."""
    text = part.strip().rstrip(".!")
    if _SUBMIT.match(text):  # the page's Submit button when it has one, as a user presses it
        named = [b for b in buttons if "submit" in _words(b.label)]
        if len(named) == 1:
            return Step(action="submit_form", args={"target": named[0].id},
                        sources={"target": _source(text, named[0]),
                                 ACTION_SOURCE: _source(text)})
        return Step(action="submit_form", args={}, sources={ACTION_SOURCE: _source(text)})
    press = _PRESS.match(text)
    if press is not None:
        want = _words(press.group("what"))
        hits = [b for b in buttons if want and want <= _words(b.label)]
        if len(hits) != 1:
            return None
        return Step(action="click", args={"target": hits[0].id},
                    sources={"target": _source(press.group("what"), hits[0]),
                             ACTION_SOURCE: _source(text.split()[0])})
    body = _LEAD.sub("", text, count=1)
    words = body.split()
    for n in range(min(3, len(words) - 1), 0, -1):  # field first: "email ada@x.example"
        head = " ".join(words[:n])
        e = _one_field(head, fields)
        if e is None:
            continue
        value = _CONNECT.sub("", " ".join(words[n:]), count=1).strip()
        if value:
            return _set(e, value.strip("\"“”"), head, verb)
    m = _VALUE_FIRST.match(body)  # value first: "Ada Park under name"
    if m is not None:
        e = _one_field(m.group("field"), fields)
        if e is not None:
            return _set(e, m.group("value").strip("\"“”"), m.group("field"), verb)
    if len(words) == 2:  # "4 guests": an option of the list the word names
        e = _one_field(words[1], fields)
        if e is not None and e.attributes.get("kind") == "select":
            return _set(e, words[0], words[1], verb)
    return None


def read_form(request: str, table: EntityTable,
              on_screen: Iterable[Entity] | None = None) -> list[Step] | None:
    """The steps of a request that fills two or more fields of the form on screen (or fills
    one and submits it, or picks one list's option), each from the user's words; None when
    any part does not read as a field and its value, as a submit, or as a press of one named
    button."""
    start = _START.match(request)
    if start is None:
        return None
    shown = list(on_screen) if on_screen is not None else [
        e for e in table.all() if e.scope is Scope.SCREEN]
    fields = [e for e in shown if e.type == "field"]
    buttons = [e for e in shown if e.type == "button"]
    if len(fields) < 2:
        return None
    rest = _FORM.sub("", request[start.end():], count=1)
    parts = [p for p in _SPLIT.split(rest.strip().rstrip(".!")) if p and p.strip()]
    verb = start.group("verb")
    steps: list[Step] = []
    for part in parts:
        step = _part(part, fields, buttons, verb)
        if step is None:
            return None
        steps.append(step)
    filled = [s for s in steps if s.action in ("fill_field", "select_option")]
    targets = [s.args["field"] for s in filled]
    if not filled or len(set(targets)) != len(targets):
        return None
    if len(steps) < 2 and steps[0].action != "select_option":
        return None  # one field typed into: the templates and the model read that already
    if any(s.action in ("submit_form", "click") for s in steps[:-1]):
        return None  # a press before the last part: the page may change under the rest
    return steps
