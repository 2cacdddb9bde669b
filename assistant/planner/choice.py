"""What chose a step's action, recorded as ``step.sources["$action"]`` (`ACTION_SOURCE`) so the
verifier can refuse an action that untrusted content chose.

- a sentence template: the template (set where the template matched);
- the user's words: the request has words the action is called by (its name, its templates);
- content: the request has none, and an untrusted page or email in play has them (the one the
  step acts on, the one the request refers to, or what is on screen) — the model took its cue
  from that content;
- the model: neither has them; the model read the request on its own.
"""

from __future__ import annotations

import re

from actions.entities import Entity, Provenance, Scope
from actions.plan import ACTION_SOURCE, Step, ValueSource, is_step_ref
from actions.spec import ActionSpec
from assistant.context import EntityTable
from assistant.planner.relevance import stems
from assistant.resolve import find_mentions, resolve_reference

__all__ = ["action_cues", "action_source", "template_source"]

_CONTENT_TYPES = frozenset({"page", "email", "result"})


def action_cues(spec: ActionSpec) -> frozenset[str]:
    """The stemmed words an action is called by: its name and its templates' literal words."""
    return frozenset(stems(" ".join([spec.name.replace("_", " "),
                                     *(re.sub(r"\{[^}]*\}", " ", t) for t in spec.templates)])))


def template_source(template: str, words: str) -> ValueSource:
    """The action of a step a sentence template read from the user's words."""
    return ValueSource(kind="template", text=words, note=f"sentence template {template!r}")


def _in_play(step: Step, request: str, table: EntityTable) -> list[Entity]:
    """Untrusted content the model may have taken the action from: what the step acts on, what
    the request refers to, and pages or emails on screen."""
    found: dict[str, Entity] = {}
    for value in step.args.values():
        if isinstance(value, str) and not is_step_ref(value):
            entity = table.get(value)
            if entity is not None:
                found[entity.id] = entity
    for mention in find_mentions(request):
        res = resolve_reference(mention, table)
        if res.entity is not None:
            found[res.entity.id] = res.entity
    for entity in table.all():
        if entity.scope is Scope.SCREEN and entity.type in _CONTENT_TYPES:
            found.setdefault(entity.id, entity)
    return [e for e in found.values() if not e.provenance.trusted]


def _text_of(entity: Entity) -> str:
    return " ".join([entity.label, *(str(v) for v in entity.attributes.values()
                                     if isinstance(v, str))])


def action_source(step: Step, spec: ActionSpec, request: str, table: EntityTable,
                  distinctive: frozenset[str] = frozenset()) -> ValueSource:
    """What chose ``step``'s action (kept when already recorded). ``distinctive``: the words
    only this action is called by ("forward", not "email"), which decide between the
    request's words and content's."""
    known = step.sources.get(ACTION_SOURCE)
    if known is not None:
        return known
    cues = action_cues(spec)
    own = distinctive or cues
    said = stems(request)

    def by_user(words: frozenset[str]) -> ValueSource:
        return ValueSource(kind="user_text", text=", ".join(sorted(words)),
                           note="your words call for it")

    if own & said:
        return by_user(own & said)
    for entity in _in_play(step, request, table):
        words = sorted(own & stems(_text_of(entity)))
        if words:
            return ValueSource(kind="entity", text=", ".join(words), entity_id=entity.id,
                               provenance=entity.provenance,
                               note=f"the words of {entity.type} '{entity.label}', not yours")
    if cues & said:
        return by_user(cues & said)
    return ValueSource(kind="model", provenance=Provenance(trusted=True, source="model"),
                       note="the model's reading of your request")
