"""Configuration: the shipped plugins.toml, overridden table by table by the user's file."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from actions.effects import Effect
from actions.errors import ConfigError

__all__ = ["ConfirmPolicy", "LamConfig", "LamSettings", "PluginConfig", "load_config"]


class LamSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = "qwen2.5-coder-0.5b"
    large_model: str = "qwen2.5-coder-1.5b"
    endpoint: str = ""
    """An OpenAI-compatible server (``http://HOST:PORT/v1``) that runs the tier-1 model."""
    large_endpoint: str = ""
    """The same for tier 2."""
    api_key_env: str = ""
    """Environment variable holding the endpoints' API key (never the key itself)."""
    endpoint_model: str = ""
    """Model name the endpoint knows (default: ``model``)."""
    large_endpoint_model: str = ""
    endpoint_timeout: float = Field(120.0, gt=0, le=3600)

    @field_validator("endpoint", "large_endpoint")
    @classmethod
    def _url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL like http://127.0.0.1:8080/v1")
        return value
    threads: int = Field(0, ge=0, le=256)
    context: int = Field(4096, ge=512, le=131072)
    timezone: str = ""
    max_steps: int = Field(6, ge=1, le=50)
    max_repairs: int = Field(2, ge=0, le=10)


class ConfirmPolicy(BaseModel):
    """Which effect classes ask before running."""

    model_config = ConfigDict(extra="forbid")

    read_only: bool = False
    local_write: bool = False
    external_send: bool = True
    schedule: bool = True
    irreversible: bool = True

    def asks(self, effect: Effect) -> bool:
        return bool(getattr(self, effect.value))


class PluginConfig(BaseModel):
    """One ``[plugins.NAME]`` table: ``enabled`` plus the plugin's own settings."""

    name: str
    enabled: bool = True
    settings: dict[str, Any] = Field(default_factory=dict)
    source: str = ""
    """File the table came from, and its line, for error messages."""
    line: int | None = None


class LamConfig(BaseModel):
    lam: LamSettings = Field(default_factory=LamSettings)
    confirm: ConfirmPolicy = Field(default_factory=ConfirmPolicy)
    plugins: dict[str, PluginConfig] = Field(default_factory=dict)
    mcp_servers: dict[str, PluginConfig] = Field(default_factory=dict)
    """``[mcp.servers.NAME]`` tables (see docs/mcp.md); checked when the server is loaded."""
    files: list[str] = Field(default_factory=list)


_TOML_POS = re.compile(r"\(at line (\d+), column (\d+)\)")


def _read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", path=str(path)) from exc
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = _TOML_POS.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (None, None)
        reason = _TOML_POS.sub("", msg).strip()
        raise ConfigError(f"malformed TOML: {reason}", path=str(path), line=line, column=col,
                          hint="fix the syntax at that position (strings need quotes, tables "
                               "look like [plugins.name])") from exc


def _line_of(text: str, pattern: str) -> int | None:
    for number, line in enumerate(text.splitlines(), 1):
        if re.match(pattern, line.strip()):
            return number
    return None


def _section_error(path: Path, text: str, section: str, exc: ValidationError) -> ConfigError:
    err = exc.errors()[0]
    key = ".".join(str(p) for p in err["loc"])
    line = _line_of(text, rf"{re.escape(key)}\s*=") or _line_of(text, rf"\[{section}\]")
    return ConfigError(f"[{section}] {key}: {err['msg']}", path=str(path), line=line,
                       hint=f"see the shipped plugins.toml for the settings of [{section}]")


def load_config(shipped: Path, user: Path | None = None) -> LamConfig:
    """Merge the shipped file with the user's; raise `ConfigError` with file and line."""
    merged: dict[str, Any] = {"lam": {}, "confirm": {}, "plugins": {}}
    plugin_origin: dict[str, tuple[str, int | None]] = {}
    files = []
    mcp_servers: dict[str, PluginConfig] = {}
    for path in (shipped, user):
        if path is None or not path.is_file():
            continue
        data, text = _read_toml(path)
        files.append(str(path))
        unknown = set(data) - {"lam", "confirm", "plugins", "mcp"}
        if unknown:
            name = sorted(unknown)[0]
            raise ConfigError(f"unknown table [{name}]", path=str(path),
                              line=_line_of(text, rf"\[{re.escape(name)}[\].]"),
                              hint="top-level tables are [lam], [confirm], [plugins.NAME] and "
                                   "[mcp.servers.NAME]")
        for section in ("lam", "confirm"):
            part = data.get(section, {})
            model = LamSettings if section == "lam" else ConfirmPolicy
            try:
                model.model_validate({**merged[section], **part})
            except ValidationError as exc:
                raise _section_error(path, text, section, exc) from exc
            merged[section].update(part)
        plugins = data.get("plugins", {})
        if not isinstance(plugins, dict):
            raise ConfigError("[plugins] must be a table of tables", path=str(path))
        for name, table in plugins.items():
            line = _line_of(text, rf"\[plugins\.{re.escape(name)}\]")
            if not isinstance(table, dict):
                raise ConfigError(f"plugins.{name} must be a table", path=str(path), line=line)
            enabled = table.get("enabled", merged["plugins"].get(name, {}).get("enabled", True))
            if not isinstance(enabled, bool):
                raise ConfigError(f"[plugins.{name}] enabled: must be true or false",
                                  path=str(path), line=_line_of(text, r"enabled\s*=") or line)
            prev = merged["plugins"].get(name, {})
            settings = {**prev.get("settings", {}),
                        **{k: v for k, v in table.items() if k != "enabled"}}
            merged["plugins"][name] = {"enabled": enabled, "settings": settings}
            plugin_origin[name] = (str(path), line)
        from assistant.mcp.config import merge_servers

        merge_servers(data.get("mcp"), text, path, mcp_servers)
    return LamConfig(
        lam=LamSettings.model_validate(merged["lam"]),
        confirm=ConfirmPolicy.model_validate(merged["confirm"]),
        plugins={
            name: PluginConfig(name=name, enabled=v["enabled"], settings=v["settings"],
                               source=plugin_origin[name][0], line=plugin_origin[name][1])
            for name, v in merged["plugins"].items()
        },
        mcp_servers=mcp_servers,
        files=files,
    )
