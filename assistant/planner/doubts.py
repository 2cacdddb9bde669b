"""Signs that a model's plan misread the request, checked in code. A plan with doubts goes to
the larger model (tier 2) when one is configured; each doubt is recorded as the reason.

- a reference the request makes and code resolved ("the first link" = link:1) that no step
  uses;
- a web address in the request that no step opens, or one a step opens that the request
  does not name (the model made it up);
- a text argument that is the whole request copied (the model found no better reading);
- no action at all, though the request uses an action's words;
- a question about a value the model made up (it is nowhere in the request).
"""

from __future__ import annotations

import json
import re

from actions.plan import Plan, PlanKind
from actions.spec import ActionSpec
from actions.types import format_of
from assistant.normalize import find_addresses
from assistant.planner.relevance import ActionVocabulary, stems
from assistant.resolve import Mention

__all__ = ["EXPLICIT_KINDS", "better_fits", "invented_value", "nothing_to_refer_to", "plan_doubts",
           "unused_reference_types", "unused_references"]

_WORDS = re.compile(r"[a-z0-9]+")
EXPLICIT_KINDS = ("ordinal", "description", "named")


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
                specs: dict[str, ActionSpec], actionable: str | None) -> list[str]:
    """Why this plan may have misread the request (empty: no doubt)."""
    doubts = [f"the plan does not use {m.text!r} ({eid})"
              for m, eid in unused_references(plan, mentions, specs)]
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
