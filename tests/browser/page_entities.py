"""A page's entities built as the browser plugin publishes them (a page, then elements numbered
per type), and grounding a request on them: for fast tests of page grounding and reading."""

from __future__ import annotations

from typing import Any

from actions import Entity, Provenance, Scope
from assistant.context import EntityTable
from assistant.page_grounding import Grounding, ground, read_clauses


def page_table(*items: tuple[str, str, dict[str, Any]],
               page_attributes: dict[str, Any] | None = None) -> EntityTable:
    """A table with the page (``page_attributes`` on it) and each (type, label, attributes)
    item, id ``{type}{n}`` with ordinal n among its type, all untrusted page content."""
    prov = Provenance.untrusted("page http://127.0.0.1/x")
    counts: dict[str, int] = {}
    entities = [Entity(id="page", type="page", label="x", ordinal=1, scope=Scope.SCREEN,
                       provenance=prov, attributes=page_attributes or {})]
    for etype, label, attrs in items:
        counts[etype] = counts.get(etype, 0) + 1
        n = counts[etype]
        entities.append(Entity(id=f"{etype}{n}", type=etype, label=label, ordinal=n,
                               scope=Scope.SCREEN, provenance=prov, attributes=attrs))
    table = EntityTable()
    table.publish(entities)
    return table


def ground_request(request: str, table: EntityTable) -> Grounding:
    clauses = read_clauses(request)
    assert clauses is not None, request
    return ground(clauses, table)
