"""Filters the request says, kept in the plan; filters it does not say, kept out of it.

A small model lists "my latest 5 emails" as ``list_emails(unread=true)``: the count the request
says is dropped and a filter it never said is made up. Code reads the step's schema instead of
the model's wording:

- a count ("latest 5", "3 messages") goes into the step's one empty count argument (an integer
  described "at most this many", or named ``limit``/``count``/``max_results``);
- a topic ("about the sauna booking") goes into its one empty topic argument (text described as
  what a subject, title or text contains) of a read-only step;
- a list of people named by the request's own word for it ("…, cc june", "and cc my boss: …",
  "cc callum, asking …") takes the people after that word, up to the message ("asking",
  "saying", "that", a colon), and a message text that swallowed the clause loses it;
- a yes/no argument is set when the request says its own name ("a full page screenshot"), and
  one the model switched on is switched off again when no word of its name or description is
  in the request.

Each value copied is a span of the request (`ValueSource` ``user_text``), never model text.
"""

from __future__ import annotations

import re
from typing import Any

from actions.effects import Effect
from actions.plan import Step, ValueSource
from actions.spec import ActionSpec
from actions.types import is_long_text

__all__ = ["said_count", "said_topic", "with_said_filters"]

_NUMBER_WORDS = {w: i for i, w in enumerate(re.findall(r"\S+", (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen twenty")))}
_NUMBER = r"(\d{1,3}|" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")"
_RANKED = re.compile(r"\b(?:latest|last|first|top|recent|newest|oldest|next)\s+" + _NUMBER +
                     r"\b", re.IGNORECASE)
_COUNTED = re.compile(r"\b" + _NUMBER + r"\s+(?:(?:new|unread|recent|latest|last|most recent|"
                      r"newest|oldest)\s+)?([a-z]+s)\b", re.IGNORECASE)
_NOT_THINGS = frozenset({"minutes", "mins", "hours", "hrs", "days", "weeks", "months", "years",
                         "seconds", "secs", "times", "ago", "pms", "ams"})
_COUNT_NAMES = frozenset({"limit", "count", "max", "max_results", "max_items", "top_k", "top_n",
                          "n", "num", "number", "how_many"})
_COUNT_WORDS = re.compile(r"\b(at most|how many|maximum number|number of)\b", re.IGNORECASE)
_TOPIC = re.compile(r"\b(?:about|regarding|concerning|re:|on the subject of)\s+(.+?)"
                    r"(?=\s+(?:from|sent|since|before|after|and|then|that|which|in the last|"
                    r"this|today|yesterday)\b|[?.!,;]|$)", re.IGNORECASE)
_TOPIC_WORDS = re.compile(r"\b(subject|title|topic|contains?|keywords?)\b", re.IGNORECASE)
_NEGATION = re.compile(r"\b(not|no|don'?t|without|never|isn'?t|aren'?t)\b", re.IGNORECASE)
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(re.findall(r"\S+", (
    "a an the this that these those of to in on at for from by with and or but only than "
    "rather into onto is are be it its as all any each true false")))


def said_count(request: str) -> tuple[int, str] | None:
    """The one count of things the request says ("latest 5", "three messages") and its words;
    None when it says none or several."""
    found: dict[int, str] = {}
    for m in _RANKED.finditer(request):
        found.setdefault(_as_int(m.group(1)), m.group(0))
    for m in _COUNTED.finditer(request):
        if m.group(2).lower() not in _NOT_THINGS and not _is_time(request, m.start(1)):
            found.setdefault(_as_int(m.group(1)), m.group(0))
    return next(iter(found.items())) if len(found) == 1 else None


def said_topic(request: str) -> str | None:
    """The one topic the request names ("about the sauna booking": ``the sauna booking``)."""
    topics = [m.group(1).strip() for m in _TOPIC.finditer(request) if m.group(1).strip()]
    return topics[0] if len(topics) == 1 else None


def with_said_filters(request: str, step: Step, spec: ActionSpec,
                      schema: dict[str, Any] | None = None) -> Step:
    """``step`` with the request's count, topic and named switches filled in and the
    switches it does not say reset (see the module docstring); unchanged when none apply.
    ``schema``: the spec's parameters schema, when the caller has it already."""
    schema = spec.parameters_schema() if schema is None else schema
    props: dict[str, dict[str, Any]] = schema.get("properties", {})
    optional = {k: p for k, p in props.items() if k not in set(schema.get("required", []))}
    args, sources = dict(step.args), dict(step.sources)
    for name, prop in optional.items():
        if prop.get("type") != "boolean" or prop.get("default") is not False:
            continue
        phrase = _named_switch(request, name)
        if phrase and args.get(name) in (None, False, "false"):
            args[name] = True
            sources[name] = ValueSource(kind="user_text", text=phrase,
                                        note="the request names this option")
        elif (args.get(name) in (True, "true") and _by_model(sources, name)
              and not _switch_said(request, name, props)):
            del args[name]  # switched on by the model alone: the default
            sources.pop(name, None)
    _split_relation(optional, args, sources, props)
    _whole_relation(request, optional, args, sources)
    _fill_people_list(request, optional, args, sources, props)
    if spec.effect is Effect.READ_ONLY:
        _fill_count(request, optional, args, sources)
        _fill_topic(request, optional, args, sources)
    if args == step.args:
        return step
    return step.model_copy(update={"args": args, "sources": sources})


_MY_RELATION = re.compile(r"^(?:my|our)\s+(?:new\s+|old\s+)?(?P<relation>[a-z]+)\s+"
                          r"(?:(?:dr|mr|mrs|ms|miss|prof)\.?\s+)?(?P<name>\S.*)$", re.IGNORECASE)


def _split_relation(optional: dict[str, dict[str, Any]], args: dict[str, Any],
                    sources: dict[str, ValueSource], props: dict[str, dict[str, Any]]) -> None:
    """A name written with the relation before it ("my new dentist dr farah okoye") when the
    step has an empty ``relation`` argument: the relation there, the name without it."""
    name = args.get("name")
    if "relation" not in optional or args.get("relation") or "name" not in props \
            or not isinstance(name, str):
        return
    m = _MY_RELATION.match(name.strip())
    if m is None or len(m.group("name").split()) > 4 \
            or re.match(r"in[\s-]law\b", m.group("name"), re.IGNORECASE):
        return
    args["relation"], args["name"] = m.group("relation").lower(), m.group("name").strip()
    sources["relation"] = ValueSource(kind="user_text", text=m.group("relation"),
                                      note="the relation said before the name")
    sources["name"] = ValueSource(kind="user_text", text=args["name"],
                                  note="the name without the relation said before it")


_NOT_RELATION = frozenset({"new", "old", "former", "current", "dear", "lovely", "little", "big",
                           "own", "other", "usual"})


def _whole_relation(request: str, optional: dict[str, dict[str, Any]], args: dict[str, Any],
                    sources: dict[str, ValueSource]) -> None:
    """A relation the model cut to its last word ("she's my yoga teacher" as ``teacher``): the
    request's whole phrase, and a nickname that is only that phrase is no nickname."""
    relation = args.get("relation")
    if "relation" not in optional or not isinstance(relation, str) or not relation.strip():
        return
    m = re.search(rf"\b(?:my|our)\s+((?:[a-z]+\s+){{1,2}}){re.escape(relation.strip())}\b",
                  request, re.IGNORECASE)
    if m is not None:
        words = [w for w in m.group(1).lower().split() if w not in _NOT_RELATION]
        if words and len(words) == len(m.group(1).split()):
            whole = " ".join([*words, relation.strip().lower()])
            args["relation"] = whole
            sources["relation"] = ValueSource(kind="user_text", text=whole,
                                              note="the relation as the request says it")
    nicknames = args.get("nicknames")
    if isinstance(nicknames, list) and isinstance(args.get("relation"), str):
        kept = [n for n in nicknames
                if not (isinstance(n, str) and n.strip().lower() == args["relation"].lower())]
        if kept != nicknames:
            args["nicknames"] = kept


_SPLIT_PEOPLE = re.compile(r"\s*,\s*(?:and\s+)?|\s+and\s+", re.IGNORECASE)


def _fill_people_list(request: str, optional: dict[str, dict[str, Any]], args: dict[str, Any],
                      sources: dict[str, ValueSource], props: dict[str, dict[str, Any]]) -> None:
    """A list of people said by its own name ("cc june and my boss"): those people, as the
    request says them, and the clause cut from a message text that took it in."""
    for name, prop in optional.items():
        if prop.get("type") != "array" or "x-entity" not in prop.get("items", {}) \
                or len(name) < 2:
            continue
        m = re.search(rf"(?:,\s*|\s+and\s+|(?<!\bthe)(?<!\ba)(?<!\bmy)(?<!\byour)\s|^)"
                      rf"\b{re.escape(name)}(?:'?ing|'?ed)?\s+(?P<who>[^.!?;:]+?)\s*"
                      r"(?:[.!?;]|$|(?=:|,?\s+(?:asking|saying|telling|that|about|to\s+say|"
                      r"re)\b))", request, re.IGNORECASE)
        if m is None:
            continue
        who = [w.strip() for w in _SPLIT_PEOPLE.split(m.group("who")) if w.strip()]
        if not who or any(len(w.split()) > 3 for w in who):
            continue  # not a list of people ("cc the whole thread to …")
        args[name] = who
        sources[name] = ValueSource(kind="user_text", text=m.group("who"),
                                    note="the people the request names for it")
        clause = m.group(0).strip(" .!?;")
        for text_name, text_prop in props.items():
            value = args.get(text_name)
            if (isinstance(value, str) and is_long_text(text_prop)
                    and value.rstrip(" .!?").lower().endswith(clause.lower().lstrip(", "))):
                cut = value.rstrip(" .!?")[:-len(clause.lstrip(", "))]
                args[text_name] = re.sub(r"(?:\s*,|\s+and)\s*$", "", cut).strip()


def _fill_count(request: str, optional: dict[str, dict[str, Any]], args: dict[str, Any],
                sources: dict[str, ValueSource]) -> None:
    slots = [k for k, p in optional.items() if p.get("type") == "integer"
             and (k.lower() in _COUNT_NAMES or _COUNT_WORDS.search(str(p.get("description"))))]
    said = said_count(request)
    if len(slots) != 1 or said is None or slots[0] in args:
        return
    (name,), (count, words) = slots, said
    prop = optional[name]
    if int(prop.get("minimum", 1)) <= count <= int(prop.get("maximum", 10**6)):
        args[name] = count
        sources[name] = ValueSource(kind="user_text", text=words,
                                    note="the count the request says")


def _fill_topic(request: str, optional: dict[str, dict[str, Any]], args: dict[str, Any],
                sources: dict[str, ValueSource]) -> None:
    slots = [k for k, p in optional.items() if p.get("type") == "string"
             and "x-entity" not in p and "format" not in p
             and _TOPIC_WORDS.search(f"{k} {p.get('description', '')}")]
    topic = said_topic(request)
    if len(slots) != 1 or topic is None or args.get(slots[0]):
        return
    used = " ".join(str(v).lower() for v in args.values())
    if topic.lower() in used:
        return
    args[slots[0]] = topic
    sources[slots[0]] = ValueSource(kind="user_text", text=topic,
                                    note="the topic the request names")


_SAME = {"full": "(?:full|whole|entire)", "all": "(?:all|every)"}
"""Words a switch's name uses and the other words people say for them ("the whole page")."""


def _named_switch(request: str, name: str) -> str | None:
    """The request's words for a switch named ``full_page`` ("full page", "full-page",
    "whole page"), unless a negation comes just before them."""
    words = [w for w in name.lower().split("_") if w]
    if not words or (len(words) == 1 and len(words[0]) < 4):
        return None
    m = re.search(r"\b" + r"[\s-]?".join(_SAME.get(w, re.escape(w)) for w in words) + r"\b",
                  request, re.IGNORECASE)
    if m is None or _NEGATION.search(" ".join(request[:m.start()].split()[-3:])):
        return None
    return m.group(0)


def _switch_said(request: str, name: str, props: dict[str, dict[str, Any]]) -> bool:
    """Some word of the switch's name, or of its description that no other argument's
    description shares, is in the request (a prefix of five letters is enough)."""
    prop = props[name]
    others = {w for k, p in props.items() if k != name
              for w in _WORD.findall(str(p.get("description", "")).lower())}
    cues = set(name.lower().split("_")) | (
        set(_WORD.findall(str(prop.get("description", "")).lower())) - others)
    cues = {c for c in cues - _STOP if len(c) > 2}
    said = _WORD.findall(request.lower())
    return any(w == c or (len(c) >= 5 and w.startswith(c[:5])) for c in cues for w in said)


def _by_model(sources: dict[str, ValueSource], name: str) -> bool:
    source = sources.get(name)
    return source is not None and source.kind == "model"


def _as_int(text: str) -> int:
    return int(text) if text.isdigit() else _NUMBER_WORDS[text.lower()]


def _is_time(request: str, start: int) -> bool:
    """A number that is part of a time or date ("at 5 pm", "on 3 May", "5:30")."""
    before = request[:start].split()[-1:]
    return bool(before) and before[0].lower() in {"at", "on", "by", "until", "till", "in",
                                                  "every", "for"}
