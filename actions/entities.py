"""Entities: the things a request can refer to ("it", "her", "the second link")."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Entity", "Provenance", "Scope"]


class Scope(StrEnum):
    """Where an entity lives, in the spirit of ReALM."""

    SCREEN = "screen"
    CONVERSATION = "conversation"
    BACKGROUND = "background"


class Provenance(BaseModel):
    """Where a value came from and whether it may steer lam."""

    model_config = ConfigDict(frozen=True)

    trusted: bool = True
    source: str = "user"
    """Human-readable origin, e.g. ``user``, ``page http://x/list``, ``email from bob@x``."""

    @classmethod
    def user(cls) -> Provenance:
        return cls(trusted=True, source="user")

    @classmethod
    def untrusted(cls, source: str) -> Provenance:
        return cls(trusted=False, source=source)


class Entity(BaseModel):
    """Something in scope: a link, a field, an email, a contact, a job, a time, a result."""

    id: str = Field(min_length=1, max_length=120)
    type: str = Field(min_length=1, max_length=40)
    label: str = ""
    attributes: dict[str, Any] = Field(default_factory=dict)
    provenance: Provenance = Field(default_factory=Provenance.user)
    scope: Scope = Scope.SCREEN
    ordinal: int | None = None
    """1-based position among the entities of its type on screen (``the second link``)."""

    def short(self) -> str:
        return f"{self.label or self.id} ({self.type} {self.id})"
