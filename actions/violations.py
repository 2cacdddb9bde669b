"""Typed verifier and condition violations: failures are values, with a reason."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel

__all__ = ["Violation", "ViolationReason"]


class ViolationReason(StrEnum):
    SCHEMA = "schema"
    UNKNOWN_ACTION = "unknown_action"
    UNRESOLVED_ENTITY = "unresolved_entity"
    MISTYPED_ENTITY = "mistyped_entity"
    DANGLING_STEP_REF = "dangling_step_ref"
    PRECONDITION = "precondition"
    POSTCONDITION = "postcondition"
    TIME_IN_PAST = "time_in_past"
    DOMAIN_NOT_ALLOWED = "domain_not_allowed"
    TAINTED_SENSITIVE = "tainted_sensitive"
    TOO_MANY_STEPS = "too_many_steps"


class Violation(BaseModel):
    """One reason a plan (or a step of it) may not run as it is."""

    reason: ViolationReason
    message: str
    step: int | None = None
    param: str | None = None
    needs_confirmation: bool = False
    """True when the user may still allow it by confirming with the provenance shown."""

    def __str__(self) -> str:
        where = f"step {self.step + 1}" if self.step is not None else "plan"
        if self.param:
            where += f" '{self.param}'"
        return f"[{self.reason.value}] {where}: {self.message}"
