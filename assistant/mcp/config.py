"""``[mcp.servers.NAME]`` tables: a stdio server (``command``/``args``/``env``) or a streamable
HTTP server (``url``). Parsed loosely at config time (file and line kept); each table is checked
by `McpServerSettings` when the server loads, so one bad table fails only that server."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from actions.errors import ConfigError

__all__ = ["PLUGIN_PREFIX", "McpServerSettings", "merge_servers", "plugin_name"]

PLUGIN_PREFIX = "mcp:"
_NAME = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def plugin_name(server: str) -> str:
    """The plugin name an MCP server is listed under (``mcp:NAME``)."""
    return f"{PLUGIN_PREFIX}{server}"


class McpServerSettings(BaseModel):
    """One MCP server. Exactly one of ``command`` (stdio) and ``url`` (streamable HTTP)."""

    model_config = ConfigDict(extra="forbid")

    command: str | None = None
    """Program to start, speaking MCP on stdin/stdout (e.g. ``node``, ``npx``, ``uvx``)."""
    args: list[str] = Field(default_factory=list)
    env: dict[str, str] = Field(default_factory=dict)
    """Extra environment variables for the server process."""
    cwd: str | None = None
    url: str | None = None
    """Streamable HTTP endpoint, e.g. ``http://127.0.0.1:8000/mcp``."""
    headers: dict[str, str] = Field(default_factory=dict)
    prefix: str = Field("", pattern=r"^([a-z][a-z0-9_]{0,15})?$")
    """Put before every tool's action name (``fs_`` -> ``fs_read_file``) to avoid clashes."""
    connect_timeout: float = Field(30.0, gt=0, le=600)
    """Seconds to start the server, initialize and list its tools."""
    call_timeout: float = Field(60.0, gt=0, le=3600)
    """Seconds one tool call may take before it fails."""

    @model_validator(mode="after")
    def _one_transport(self) -> McpServerSettings:
        if bool(self.command) == bool(self.url):
            raise ValueError("give either command (a stdio server) or url (streamable HTTP)")
        if self.url and not self.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        return self


def _line_of(text: str, pattern: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(pattern, line.strip()):
            return number
    return None


def merge_servers(section: Any, text: str, path: Path, into: dict[str, Any]) -> None:
    """Merge one file's ``[mcp]`` table into ``into`` (server name -> `PluginConfig`); a later
    file overrides an earlier one key by key, like ``[plugins.NAME]``."""
    from assistant.config import PluginConfig

    if section is None:
        return
    where = str(path)
    if not isinstance(section, dict) or set(section) - {"servers"}:
        raise ConfigError("[mcp] holds only [mcp.servers.NAME] tables", path=where,
                          line=_line_of(text, r"\[mcp[\].]"),
                          hint="write each server as [mcp.servers.NAME] with command or url")
    servers = section.get("servers", {})
    if not isinstance(servers, dict):
        raise ConfigError("mcp.servers must be a table of tables", path=where)
    for name, table in servers.items():
        line = _line_of(text, rf"\[mcp\.servers\.{re.escape(name)}\]")
        if not _NAME.match(name):
            raise ConfigError(f"MCP server name {name!r}: use letters, digits, '_' or '-'",
                              path=where, line=line)
        if not isinstance(table, dict):
            raise ConfigError(f"mcp.servers.{name} must be a table", path=where, line=line)
        prev = into.get(name)
        enabled = table.get("enabled", prev.enabled if prev else True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"[mcp.servers.{name}] enabled: must be true or false",
                              path=where, line=line)
        settings = {**(prev.settings if prev else {}),
                    **{k: v for k, v in table.items() if k != "enabled"}}
        into[name] = PluginConfig(name=name, enabled=enabled, settings=settings,
                                  source=where, line=line)
