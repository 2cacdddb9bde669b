"""Signs that a model's plan misread the request, checked in code. A plan with doubts goes to
the larger model (tier 2) when one is configured; each doubt is recorded as the reason.

- a reference the request makes and code resolved ("the first link" = link:1) that no step
  uses;
- a web address in the request that no step opens, or one a step opens that the request
  does not name (the model made it up);
- a text argument that is the whole request copied (the model found no better reading);
- no action at all, though the request uses an action's words;
- a question about a value the model made up (it is nowhere in the request);
- a recipient (a person-typed argument) the request neither names nor refers to;
- a step none of whose action's words the request uses, while it uses a word only another
  action is called by (`better_fits`: re-planned among those actions).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping

from actions.entities import Entity
from actions.plan import Plan, PlanKind
from actions.spec import ActionSpec
from actions.types import format_of
from assistant.context import PERSON_TYPES
from assistant.normalize import find_addresses
from assistant.planner.relevance import ActionVocabulary, stems
from assistant.resolve import Mention

__all__ = ["EXPLICIT_KINDS", "better_fits", "invented_value", "nothing_to_refer_to",
           "plan_doubts", "unnamed_people", "unused_reference_types", "unused_references"]

_WORDS = re.compile(r"[a-z0-9]+")
EXPLICIT_KINDS = ("ordinal", "description", "named", "labeled")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _is_uri(specs: dict[str, ActionSpec], action: str, param: str) -> bool:
    spec = specs.get(action)
    return spec is not None and format_of(
        spec.parameters_schema().get("properties", {}).get(param, {})) == "uri"


def unused_references(plan: Plan, mentions: list[tuple[Mention, str]],
                      specs: dict[str, ActionSpec] | None = None
                      ) -> list[tuple[Mention, str]]:
    """The resolved references no step uses (by id or by the words of the mention). With no
    steps at all, only explicit references count ("the 2nd link", "the email from Bob" ask
    for an action on them; a pronoun alone, as in "that's great", does not)."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        return [(m, eid) for m, eid in mentions if m.kind in EXPLICIT_KINDS]
    dumped = _entity_args(plan, specs)
    return [(m, eid) for m, eid in mentions
            if eid.lower() not in dumped
            and not re.search(r"\b" + re.escape(m.text.lower()) + r"\b", dumped)]


def plan_doubts(request: str, plan: Plan, mentions: list[tuple[Mention, str]],
                specs: dict[str, ActionSpec], actionable: str | None,
                entities: Mapping[str, Entity] | None = None) -> list[str]:
    """Why this plan may have misread the request (empty: no doubt)."""
    doubts = [f"the plan does not use {m.text!r} ({eid})"
              for m, eid in unused_references(plan, mentions, specs)]
    doubts += unnamed_people(request, plan, mentions, specs, entities or {})
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        if actionable and actionable.startswith("action words"):
            doubts.insert(0, f"no action planned, though the request has {actionable}")
        return doubts
    opened = " ".join(str(v) for s in plan.steps for k, v in s.args.items()
                      if _is_uri(specs, s.action, k)).lower()
    said_words = " ".join(_words(request))
    for step in plan.steps:
        for name, value in step.args.items():
            source = step.sources.get(name)
            if (isinstance(value, str) and source is not None and source.entity_id is None
                    and _is_uri(specs, step.action, name)
                    and " ".join(_words(source.text or value)) not in said_words):
                doubts.append(f"{step.action}.{name} {value!r} is not in the request")
    for address in find_addresses(request):
        if address.lower().rstrip("/") not in opened:
            doubts.append(f"no step opens {address}")
    request_words = _words(request)
    if len(request_words) >= 6:
        for step in plan.steps:
            for name, value in step.args.items():
                if isinstance(value, str) and len(_words(value)) >= 0.9 * len(request_words):
                    doubts.append(f"{step.action}.{name} is the whole request copied")
    return doubts


def better_fits(request: str, plan: Plan, vocabulary: ActionVocabulary
                ) -> tuple[list[str], list[str]]:
    """Steps whose action the request has none of the words of, while it has a word only some
    other action is called by ("alert me in an hour ..." planned as ``click``: "alert" is only
    ``set_reminder``'s). Returns the doubts and the actions to plan among instead (the
    better-fitting ones and the plan's well-cued ones)."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        return [], []
    said = stems(request)
    planned = {s.action for s in plan.steps}
    uncued = sorted({a for a in planned
                     if vocabulary.cues.get(a) and not vocabulary.cues[a] & said})
    if not uncued:
        return [], []
    fits = {name: sorted(words & said) for name, words in vocabulary.distinctive.items()
            if name not in planned and words & said}
    if not fits:
        return [], []
    doubts = [f"the request has none of {a}'s words, and " + ", ".join(
        f"{' '.join(w)!s} calls for {name}" for name, w in sorted(fits.items()))
        for a in uncued]
    return doubts, sorted(set(fits) | (planned - set(uncued)))


def unnamed_people(request: str, plan: Plan, mentions: list[tuple[Mention, str]],
                   specs: dict[str, ActionSpec], entities: Mapping[str, Entity]) -> list[str]:
    """A person-typed argument (a recipient) that is someone the request neither names nor
    refers to: the model picked a contact ("tell me a joke" sent to the first contact)."""
    said = set(_words(request))
    referred = {eid for _, eid in mentions}
    out = []
    for step in plan.steps:
        spec = specs.get(step.action)
        if spec is None:
            continue
        for name, etype in spec.entity_params().items():
            value = step.args.get(name)
            person = entities.get(value) if isinstance(value, str) else None
            if etype not in PERSON_TYPES or person is None or person.id in referred:
                continue
            names = [person.label, *(person.attributes.get("nicknames") or []),
                     str(person.attributes.get("relation") or ""),
                     str(person.attributes.get("email") or "")]
            if not any(w in said for n in names for w in _words(n) if len(w) > 1):
                out.append(f"{step.action}.{name} is {person.label}, whom the request does "
                           "not name")
    return out


def invented_value(request: str, value: object) -> bool:
    """A value the model wrote that is nowhere in the request (a question about it would be
    a question about the model's invention, not about what the user said)."""
    if not isinstance(value, str) or not value.strip():
        return False
    wanted = " ".join(_words(value))
    return bool(wanted) and wanted not in " ".join(_words(request))


def _entity_args(plan: Plan, specs: dict[str, ActionSpec] | None = None) -> str:
    """The plan's entity-typed arguments (and step references), lower-cased, as one string:
    an id written into a text slot (a body that says "email:101") is not a use of it."""
    values = []
    for step in plan.steps:
        spec = (specs or {}).get(step.action)
        typed = spec.entity_params() if spec is not None else None
        for name, value in step.args.items():
            if typed is None or name in typed or isinstance(value, dict):
                values.append(value)
    return json.dumps(values).lower()


def unused_reference_types(plan: Plan, mentions: list[tuple[Mention, str]],
                           types: dict[str, str],
                           specs: dict[str, ActionSpec] | None = None) -> set[str]:
    """Entity types of the resolved references no step of the plan uses."""
    return {types[eid] for _, eid in unused_references(plan, mentions, specs) if eid in types}


def nothing_to_refer_to(etype: str | None, in_scope: set[str], earlier: list[str],
                        specs: dict[str, ActionSpec]) -> bool:
    """A question about an entity of a type nothing in scope has and no earlier step of the
    plan produces: the model chose an action about things that are not there."""
    if not etype or etype in in_scope or etype in ("contact", "person"):
        return False
    return not any(etype in specs[a].produces for a in earlier if a in specs)
