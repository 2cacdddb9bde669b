"""Effect classes: what kind of consequence an action has in the world."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Effect"]


class Effect(StrEnum):
    """The consequence class of an action, ordered from harmless to permanent."""

    READ_ONLY = "read_only"
    LOCAL_WRITE = "local_write"
    EXTERNAL_SEND = "external_send"
    SCHEDULE = "schedule"
    IRREVERSIBLE = "irreversible"

    @property
    def has_side_effect(self) -> bool:
        return self is not Effect.READ_ONLY

    @property
    def badge(self) -> str:
        return {
            Effect.READ_ONLY: "read",
            Effect.LOCAL_WRITE: "write",
            Effect.EXTERNAL_SEND: "SEND",
            Effect.SCHEDULE: "SCHEDULE",
            Effect.IRREVERSIBLE: "IRREVERSIBLE",
        }[self]
