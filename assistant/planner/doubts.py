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
from assistant.normalize import normalize_url
from assistant.resolve import Mention

__all__ = ["invented_value", "nothing_to_refer_to", "plan_doubts", "unused_reference_types"]

_WORDS = re.compile(r"[a-z0-9]+")
EXPLICIT_KINDS = ("ordinal", "description", "named")


def _words(text: str) -> list[str]:
    return _WORDS.findall(text.lower())


def _addresses(request: str) -> list[str]:
    out = []
    for token in request.split():
        token = token.strip(",.!?;:'\"()")
        if ("." in token or "/" in token) and isinstance(normalize_url(token), str):
            out.append(token)
    return out


def plan_doubts(request: str, plan: Plan, mentions: list[tuple[Mention, str]],
                specs: dict[str, ActionSpec], actionable: str | None) -> list[str]:
    """Why this plan may have misread the request (empty: no doubt)."""
    if plan.kind is not PlanKind.ACTIONS or not plan.steps:
        doubts = [f"no action planned, though the request has {actionable}"] \
            if actionable and actionable.startswith("action words") else []
        # An explicit reference ("the 2nd link", "the email from Bob") asks for an action on
        # it; a pronoun alone ("that's great") does not.
        return doubts + [f"the plan does not use {m.text!r} ({eid})" for m, eid in mentions
                         if m.kind in EXPLICIT_KINDS]
    doubts = []
    dumped = _entity_args(plan, specs)
    for mention, entity_id in mentions:
        said = re.compile(r"\b" + re.escape(mention.text.lower()) + r"\b")
        if entity_id.lower() not in dumped and not said.search(dumped):
            doubts.append(f"the plan does not use {mention.text!r} ({entity_id})")
    opened = " ".join(str(v) for s in plan.steps for k, v in s.args.items()
                      if format_of(specs[s.action].parameters_schema().get("properties", {})
                                   .get(k, {})) == "uri" if s.action in specs).lower()
    said_words = " ".join(_words(request))
    for step in plan.steps:
        for name, value in step.args.items():
            source = step.sources.get(name)
            if (isinstance(value, str) and source is not None and source.entity_id is None
                    and step.action in specs and format_of(
                        specs[step.action].parameters_schema().get("properties", {})
                        .get(name, {})) == "uri"
                    and " ".join(_words(source.text or value)) not in said_words):
                doubts.append(f"{step.action}.{name} {value!r} is not in the request")
    for address in _addresses(request):
        if address.lower().rstrip("/") not in opened:
            doubts.append(f"no step opens {address}")
    request_words = _words(request)
    if len(request_words) >= 6:
        for step in plan.steps:
            for name, value in step.args.items():
                if isinstance(value, str) and len(_words(value)) >= 0.9 * len(request_words):
                    doubts.append(f"{step.action}.{name} is the whole request copied")
    return doubts


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
    dumped = _entity_args(plan, specs)
    out = set()
    for mention, entity_id in mentions:
        said = re.compile(r"\b" + re.escape(mention.text.lower()) + r"\b")
        if entity_id.lower() not in dumped and not said.search(dumped) and entity_id in types:
            out.add(types[entity_id])
    return out


def nothing_to_refer_to(etype: str | None, in_scope: set[str], earlier: list[str],
                        specs: dict[str, ActionSpec]) -> bool:
    """A question about an entity of a type nothing in scope has and no earlier step of the
    plan produces: the model chose an action about things that are not there."""
    if not etype or etype in in_scope or etype in ("contact", "person"):
        return False
    return not any(etype in specs[a].produces for a in earlier if a in specs)
