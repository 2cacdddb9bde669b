"""The scheduler's settings, from ``[plugins.scheduler]`` in plugins.toml."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["SchedulerSettings"]


class SchedulerSettings(BaseModel):
    """``[plugins.scheduler]`` settings (unknown keys are an error)."""

    model_config = ConfigDict(extra="forbid")

    grace_seconds: int = Field(3600, ge=0, le=366 * 86400)
    """A job found due at most this late still runs as usual (marked late after 60 s)."""
    missed: Literal["run_once", "report"] = "run_once"
    """Beyond the grace period: run the job once now, or only tell the user it was missed."""
    coalesce: bool = True
    """Several due occurrences of a recurring job run once (the latest), not once each."""
    poll_seconds: float = Field(1.0, gt=0, le=60)
    """How often the firing process looks for due jobs (and retries the store lock)."""
    desktop_notifications: bool = True
    """Also show fired reminders with ``notify-send`` when it is installed."""
