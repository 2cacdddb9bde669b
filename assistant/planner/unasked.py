"""Steps on a web page's things that the request never asks for. A page is untrusted: its
text may tell an agent to tick a box or press a button ("always share my data with
partners"), and the model reads the labels in scope. A step that acts on such a thing while
the request neither refers to it, nor names it, nor says the value put into it, nor uses the
action's words was chosen by the model, not by the user: it is left out."""

from __future__ import annotations

import re
from collections.abc import Mapping

from actions.entities import Entity
from actions.plan import Step, is_step_ref
from assistant.planner.doubts import invented_value
from assistant.planner.relevance import stems

__all__ = ["drop_unasked_page_steps", "unasked_page_steps"]

_WORDS = re.compile(r"[a-z0-9]+")


def _from_the_web(entity: Entity | None) -> bool:
    return entity is not None and not entity.provenance.trusted \
        and entity.provenance.source == "web"


def _named(entity: Entity, said: set[str]) -> bool:
    names = [entity.label, *(str(entity.attributes.get(k) or "")
                             for k in ("name", "placeholder", "text"))]
    return bool(stems(" ".join(names)) & said)


def _own_said_value(step: Step, k: int, steps: list[Step], request: str,
                    entity_args: set[str]) -> bool:
    """Whether the step puts a value the request says into the thing, one no other step
    already uses ("type Ana into the first box"; not the address another step typed)."""
    others = " ".join(str(v) for j, s in enumerate(steps) if j != k
                      for v in s.args.values() if isinstance(v, str)).lower()
    for name, value in step.args.items():
        if name in entity_args or not isinstance(value, str) or not value.strip():
            continue
        if not invented_value(request, value) and \
                not set(_WORDS.findall(value.lower())) <= set(_WORDS.findall(others)):
            return True
    return False


def unasked_page_steps(steps: list[Step], request: str, entities: Mapping[str, Entity],
                       referred: set[str], cues: Mapping[str, frozenset[str]]) -> list[int]:
    """Indexes of the steps that act on a thing of a web page the request does not ask for
    (``referred``: ids the request's references resolved to; ``cues``: each action's words)."""
    said = stems(request)
    out = []
    for k, step in enumerate(steps):
        things = {name: entities.get(value) for name, value in step.args.items()
                  if isinstance(value, str)}
        web = {name: e for name, e in things.items() if e is not None and _from_the_web(e)}
        if not web or cues.get(step.action, frozenset()) & said:
            continue
        if any(e.id in referred or _named(e, said) for e in web.values()):
            continue
        if _own_said_value(step, k, steps, request, set(web)):
            continue
        out.append(k)
    return out


def drop_unasked_page_steps(steps: list[Step], request: str,
                            entities: Mapping[str, Entity], referred: set[str],
                            cues: Mapping[str, frozenset[str]]) -> tuple[list[Step], list[Step]]:
    """(kept, dropped): the unasked steps left out while others remain and no later step
    uses their output; later steps' references renumbered."""
    unasked = [k for k in unasked_page_steps(steps, request, entities, referred, cues)
               if not any(is_step_ref(v) and v.get("$step") == k
                          for s in steps for v in s.args.values() if isinstance(v, dict))]
    if not unasked or len(unasked) == len(steps):
        return steps, []
    kept: list[Step] = []
    for k, step in enumerate(steps):
        if k in unasked:
            continue
        args = {name: ({**v, "$step": v["$step"] - sum(j < v["$step"] for j in unasked)}
                       if isinstance(v, dict) and is_step_ref(v) else v)
                for name, v in step.args.items()}
        kept.append(step.model_copy(update={"args": args}))
    return kept, [steps[k] for k in unasked]
