"""The entity table: what lam can refer to right now (on screen, in the conversation, in the
background), with recency so that "it" means the most recent fitting thing."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from actions.entities import Entity, Scope
from actions.types import entity_type_of, format_of
from actions.violations import Violation, ViolationReason

__all__ = ["EMAIL_RE", "PERSON_TYPES", "EntityTable", "entity_param_violation"]

PERSON_TYPES = frozenset({"contact", "person"})
EMAIL_RE = re.compile(r"^[\w.+-]+@[\w-]+(\.[\w-]+)+$")


def accepts_literal(prop_schema: Mapping[str, Any], value: Any) -> bool:
    """Whether an entity parameter's type also takes ``value`` as a plain value instead of an
    entity id: an email address where the schema's ``format`` is ``email`` (a recipient)."""
    return format_of(dict(prop_schema)) == "email" and bool(EMAIL_RE.match(str(value)))


def entity_param_violation(name: str, prop_schema: Mapping[str, Any], value: Any,
                           entities: Mapping[str, Entity], *,
                           missing: str = "is not an entity in scope") -> Violation | None:
    """The one rule, shared by the verifier and the executor, for what an entity parameter
    may hold: the id of an entity of its type in ``entities`` (the session's table, background
    included), or a literal value its type accepts (`accepts_literal`). None when it holds."""
    entity = entities.get(str(value))
    if entity is None:
        if accepts_literal(prop_schema, value):
            return None
        return Violation(reason=ViolationReason.UNRESOLVED_ENTITY, param=name,
                         message=f"'{value}' {missing}")
    etype = entity_type_of(dict(prop_schema))
    if etype is not None and entity.type != etype:
        return Violation(reason=ViolationReason.MISTYPED_ENTITY, param=name,
                         message=f"'{value}' is a {entity.type}, not a {etype}")
    return None


class EntityTable:
    def __init__(self) -> None:
        self._items: dict[str, Entity] = {}
        self._recency: dict[str, int] = {}
        self._clock = 0

    # -- writing -------------------------------------------------------------------------------
    def publish(self, entities: Iterable[Entity]) -> None:
        """Add entities produced by a step; new on-screen entities replace the old ones of the
        same types (a new page replaces the old page's links)."""
        entities = list(entities)
        screen_types = {e.type for e in entities if e.scope is Scope.SCREEN}
        if screen_types:
            for eid in [k for k, e in self._items.items()
                        if e.scope is Scope.SCREEN and e.type in screen_types]:
                del self._items[eid]
        self._clock += 1
        for e in entities:
            self._items[e.id] = e
            # ordinal-bearing screen entities are listed, not "mentioned": keep them less salient
            self._recency[e.id] = self._clock if e.ordinal is None else self._clock - 1

    def replace_screen(self, entities: Iterable[Entity], types: Iterable[str]) -> None:
        """The screen as just read: every on-screen entity of ``types`` gives way to
        ``entities`` (a type the new read has none of is left with none)."""
        gone = set(types)
        for eid in [k for k, e in self._items.items()
                    if e.scope is Scope.SCREEN and e.type in gone]:
            del self._items[eid]
        self.publish(entities)

    def set_background(self, entities: Iterable[Entity]) -> None:
        for eid in [k for k, e in self._items.items() if e.scope is Scope.BACKGROUND]:
            del self._items[eid]
        for e in entities:
            self._items.setdefault(e.id, e)
            self._recency.setdefault(e.id, 0)

    def touch(self, entity_id: str) -> None:
        """Mark an entity as just mentioned (it becomes the most salient)."""
        if entity_id in self._items:
            self._clock += 1
            self._recency[entity_id] = self._clock

    # -- reading -------------------------------------------------------------------------------
    def get(self, entity_id: str) -> Entity | None:
        return self._items.get(entity_id)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._items

    def all(self) -> list[Entity]:
        return sorted(self._items.values(), key=lambda e: -self._recency.get(e.id, 0))

    def as_mapping(self) -> dict[str, Entity]:
        return dict(self._items)

    def of_type(self, *types: str) -> list[Entity]:
        """Entities of these types, most recent first."""
        return [e for e in self.all() if e.type in types]

    def listed(self, entity_type: str) -> list[Entity]:
        """On-screen entities of a type in their on-screen order."""
        items = [e for e in self._items.values()
                 if e.type == entity_type and e.ordinal is not None]
        return sorted(items, key=lambda e: e.ordinal or 0)

    def recency(self, entity_id: str) -> int:
        return self._recency.get(entity_id, 0)

    def screen_types(self) -> list[str]:
        """Types of listed on-screen entities, most recently published first."""
        seen: list[str] = []
        for e in self.all():
            if e.ordinal is not None and e.type not in seen:
                seen.append(e.type)
        return seen
