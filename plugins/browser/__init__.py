"""The browser plugin (under construction)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from actions import Plugin

__all__ = ["BrowserPlugin"]


class BrowserSettings(BaseModel):
    model_config = ConfigDict(extra="allow")


class BrowserPlugin(Plugin):
    name = "browser"
    settings_model = BrowserSettings
