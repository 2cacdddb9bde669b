"""The messaging plugin (under construction)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from actions import Plugin

__all__ = ["MessagingPlugin"]


class MessagingSettings(BaseModel):
    model_config = ConfigDict(extra="allow")


class MessagingPlugin(Plugin):
    name = "messaging"
    settings_model = MessagingSettings
