"""Copy a named person into the one slot that filters by person. "Show what Ana sent me" as
``list_emails()`` drops the sender the request names, and every email is listed. When a plan
leaves a person the request names unused (`doubts.unused_people`) and exactly one empty,
optional text argument of the plan is described as taking a person or contact, code fills it
with the request's own word for them: a span of the request, never a model's wording."""

from __future__ import annotations

import re
from collections.abc import Mapping

from actions.entities import Entity
from actions.plan import Plan, ValueSource
from actions.spec import ActionSpec
from assistant.planner.doubts import unused_people

__all__ = ["copy_named_person", "takes_a_person"]

_ABOUT_PEOPLE = re.compile(r"\b(contacts?|person|people|sender)\b", re.IGNORECASE)


def takes_a_person(prop: dict[str, object]) -> bool:
    """A plain text argument described as a person or contact (a sender filter)."""
    return (prop.get("type") == "string" and "x-entity" not in prop
            and bool(_ABOUT_PEOPLE.search(str(prop.get("description", "")))))


def copy_named_person(request: str, plan: Plan, specs: dict[str, ActionSpec],
                      entities: Mapping[str, Entity]) -> Plan | None:
    """The plan with the named, unused person copied into its one empty person slot, or
    None (no such person, or no slot, or more than one: then it is not code's choice)."""
    people = unused_people(request, plan, specs, entities)
    if len(people) != 1:
        return None
    word = _their_word(request, people[0])
    slots = []
    for i, step in enumerate(plan.steps):
        spec = specs.get(step.action)
        if spec is None:
            continue
        schema = spec.parameters_schema()
        required = set(schema.get("required", []))
        for name, prop in schema.get("properties", {}).items():
            if name not in required and not step.args.get(name) and takes_a_person(prop):
                slots.append((i, name))
    if word is None or len(slots) != 1:
        return None
    (i, name), = slots
    steps = [s.model_copy(deep=True) for s in plan.steps]
    steps[i].args[name] = word
    steps[i].sources[name] = ValueSource(kind="user_text", text=word,
                                         note=f"the person the request names ({people[0].label})")
    return plan.model_copy(update={"steps": steps})


def _their_word(request: str, person: Entity) -> str | None:
    names = [person.label, *(person.attributes.get("nicknames") or [])]
    words = {w.lower() for n in names for w in re.findall(r"[A-Za-z0-9]+", str(n)) if len(w) > 2}
    for m in re.finditer(r"[A-Za-z0-9]+", request):
        if m.group(0).lower() in words:
            return m.group(0)
    return None
