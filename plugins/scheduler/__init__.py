"""The scheduler plugin (under construction)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from actions import Plugin

__all__ = ["SchedulerPlugin"]


class SchedulerSettings(BaseModel):
    model_config = ConfigDict(extra="allow")


class SchedulerPlugin(Plugin):
    name = "scheduler"
    settings_model = SchedulerSettings
