"""Parameter types with meaning: they put hints into the JSON schema that the planner,
the normalizer and the verifier read. Nothing restates them by hand.

* ``EntityRef("contact")`` — the value is the id of an entity of that type in scope.
* ``Url``, ``Email``, ``When`` — ``"format": "uri" | "email" | "date-time"``; the model copies the
  phrase ("tomorrow at 9", "python docs", "Alice") and deterministic code normalizes it.
* ``Sensitive`` — the parameter steers an effect (a recipient, a navigation target): a value from
  untrusted text needs the user's confirmation with its source shown.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

__all__ = [
    "Email",
    "EntityRef",
    "LongText",
    "Recurrence",
    "Sensitive",
    "ShortText",
    "Url",
    "When",
    "entity_type_of",
    "format_of",
    "is_long_text",
    "is_sensitive",
]

SENSITIVE_KEY = "x-sensitive"
ENTITY_KEY = "x-entity"


def EntityRef(entity_type: str, description: str | None = None) -> Any:
    """A parameter holding the id of an in-scope entity of ``entity_type``."""
    return Annotated[
        str,
        Field(
            max_length=120,
            description=description or f"id of a {entity_type} entity in scope",
            json_schema_extra={ENTITY_KEY: entity_type},
        ),
    ]


def Sensitive(tp: Any) -> Any:
    """Mark a parameter as steering an effect (recipient, navigation target)."""
    return Annotated[tp, Field(json_schema_extra={SENSITIVE_KEY: True})]


Url = Annotated[str, Field(max_length=2000, json_schema_extra={"format": "uri"})]
Email = Annotated[str, Field(max_length=320, json_schema_extra={"format": "email"})]
When = Annotated[str, Field(max_length=80, json_schema_extra={"format": "date-time"})]
Recurrence = Annotated[str, Field(max_length=80, json_schema_extra={"format": "x-recurrence"})]
ShortText = Annotated[str, Field(max_length=200)]
LongText = Annotated[str, Field(max_length=4000)]


def _variants(prop_schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The schema itself and its ``anyOf`` members (``T | None`` becomes an anyOf)."""
    return [prop_schema, *(v for v in prop_schema.get("anyOf", ()) if isinstance(v, dict))]


def entity_type_of(prop_schema: dict[str, Any]) -> str | None:
    """The entity type a property schema refers to, if any."""
    for variant in _variants(prop_schema):
        value = variant.get(ENTITY_KEY)
        if isinstance(value, str):
            return value
    return None


def format_of(prop_schema: dict[str, Any]) -> str | None:
    """The ``format`` of a property schema (looking inside ``anyOf``), if any."""
    for variant in _variants(prop_schema):
        value = variant.get("format")
        if isinstance(value, str):
            return value
    return None


_LONG_TEXT_MIN = 1000
"""A plain string argument that may be at least this long holds a message's text
(`LongText`), as opposed to a name, a label or a subject line."""


def is_long_text(prop_schema: dict[str, Any]) -> bool:
    """Whether a property is free text as long as a message (a body, a note)."""
    return any(v.get("type") == "string" and int(v.get("maxLength") or 0) >= _LONG_TEXT_MIN
               and ENTITY_KEY not in v and "format" not in v
               for v in _variants(prop_schema))


def is_sensitive(prop_schema: dict[str, Any]) -> bool:
    return any(v.get(SENSITIVE_KEY) for v in _variants(prop_schema))
