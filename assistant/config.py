"""Configuration: the shipped plugins.toml, overridden table by table by the user's file."""

from __future__ import annotations

import re
import tomllib
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from actions.effects import Effect
from actions.errors import ConfigError
from assistant.config_problems import (
    ConfigProblem,
    ConfigProblems,
    Place,
    key_lines,
    line_of,
    validation_problems,
)

__all__ = ["ConfigProblem", "ConfigProblems", "ConfirmPolicy", "LamConfig", "LamSettings",
           "PluginConfig", "load_config", "settings_problems"]


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
    timezone: str = Field("", json_schema_extra={
        "fix": 'use an IANA name such as "Europe/Berlin" (or "" for the system\'s)'})
    max_steps: int = Field(6, ge=1, le=50)
    max_repairs: int = Field(2, ge=0, le=10)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        if value:
            try:
                ZoneInfo(value)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown time zone {value!r}") from None
        return value


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
    key_lines: dict[str, tuple[str, int | None]] = Field(default_factory=dict)
    """Setting -> (file, line) where it was last set, for error messages."""


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


_TOP_TABLES = ("lam", "confirm", "plugins", "mcp")
_PLUGIN_GROUP = "lam.plugins"
"""The entry-point group plugins are discovered from (as `assistant.plugin_loader`)."""


class _Merge:
    """The files merged so far, every problem met, and where each key was last set."""

    def __init__(self) -> None:
        self.values: dict[str, dict[str, Any]] = {"lam": {}, "confirm": {}}
        self.plugins: dict[str, PluginConfig] = {}
        self.places: dict[tuple[str, ...], Place] = {}
        self.problems: list[ConfigProblem] = []

    def add_file(self, path: Path, data: dict[str, Any], text: str) -> None:
        where, lines = str(path), key_lines(text)

        def note(key_path: tuple[str, ...], key: str, problem: str, fix: str) -> None:
            self.problems.append(ConfigProblem(path=where, line=line_of(lines, key_path),
                                               key=key, problem=problem, fix=fix))

        for name in sorted(set(data) - set(_TOP_TABLES)):
            note((name,), f"[{name}]", "unknown table",
                 "top-level tables are [lam], [confirm], [plugins.NAME] and [mcp.servers.NAME]")
        for section in ("lam", "confirm"):
            part = data.get(section, {})
            if not isinstance(part, dict):
                note((section,), section, "must be a table", f"write it as [{section}]")
                continue
            if section in data:
                self.places[(section,)] = (where, line_of(lines, (section,)))
            for key in part:
                self.places[(section, key)] = (where, line_of(lines, (section, key)))
            self.values[section].update(part)
        plugins = data.get("plugins", {})
        if not isinstance(plugins, dict):
            note(("plugins",), "plugins", "must be a table of tables",
                 "write each plugin's settings under [plugins.NAME]")
            plugins = {}
        for name, table in plugins.items():
            if not isinstance(table, dict):
                note(("plugins", name), f"plugins.{name}", "must be a table",
                     f"write it as [plugins.{name}]")
                continue
            prev = self.plugins.get(name)
            enabled = table.get("enabled", prev.enabled if prev else True)
            if not isinstance(enabled, bool):
                note(("plugins", name, "enabled"), f"[plugins.{name}] enabled",
                     "must be true or false", "enabled = true or enabled = false")
                enabled = prev.enabled if prev else True
            mine = {k: v for k, v in table.items() if k != "enabled"}
            self.plugins[name] = PluginConfig(
                name=name, enabled=enabled,
                settings={**(prev.settings if prev else {}), **mine},
                source=where, line=line_of(lines, ("plugins", name)),
                key_lines={**(prev.key_lines if prev else {}),
                           **{k: (where, line_of(lines, ("plugins", name, k))) for k in mine}})

    def validated(self, model: type[BaseModel], section: str) -> Any:
        try:
            return model.model_validate(self.values[section])
        except ValidationError as exc:
            def locate(key: str) -> Place:
                return (self.places.get((section, key)) or self.places.get((section,))
                        or ("plugins.toml", None))
            self.problems += validation_problems(exc, table=section, model=model, locate=locate)
            return model()


def settings_problems(pconf: PluginConfig, model: type[BaseModel],
                      exc: ValidationError) -> list[ConfigProblem]:
    """Every invalid setting of one ``[plugins.NAME]`` table, each at its own line."""
    def locate(key: str) -> Place:
        return pconf.key_lines.get(key) or (pconf.source or "plugins.toml", pconf.line)

    return validation_problems(exc, table=f"plugins.{pconf.name}", model=model, locate=locate)


def plugin_problems(plugins: dict[str, PluginConfig]) -> list[ConfigProblem]:
    """Settings problems of every enabled plugin whose settings model can be imported (a
    plugin that cannot be imported is reported when it is loaded)."""
    problems: list[ConfigProblem] = []
    for ep in entry_points(group=_PLUGIN_GROUP):
        pconf = plugins.get(ep.name)
        if pconf is None or not pconf.enabled:
            continue
        try:
            model = ep.load().settings_model
            model.model_validate(pconf.settings)
        except ValidationError as exc:
            problems += settings_problems(pconf, model, exc)
        except Exception:  # an unimportable plugin is the loader's to report
            continue
    return problems


def _as_problem(exc: ConfigError) -> ConfigProblem:
    where = (exc.path or "plugins.toml") + (f":{exc.line}" if exc.line is not None else "")
    message = exc.message.removeprefix(where).removeprefix(": ")
    return ConfigProblem(path=exc.path or "plugins.toml", line=exc.line, problem=message,
                         fix=exc.hint or "")


def load_config(shipped: Path, user: Path | None = None) -> LamConfig:
    """Merge the shipped file with the user's, table by table. Problems are collected, not
    raised one by one: `ConfigProblems` lists every one (including every enabled plugin's
    invalid settings) as ``FILE:LINE: key: problem — fix``. A TOML syntax error stops at once
    (`ConfigError` with line and column). Invalid plugin settings alone are not raised here:
    that plugin fails to load, with the same lines, and the rest of lam works."""
    merge = _Merge()
    files = []
    mcp_servers: dict[str, PluginConfig] = {}
    for path in (shipped, user):
        if path is None or not path.is_file():
            continue
        data, text = _read_toml(path)
        files.append(str(path))
        merge.add_file(path, data, text)
        from assistant.mcp.config import merge_servers

        try:
            merge_servers(data.get("mcp"), text, path, mcp_servers)
        except ConfigError as exc:
            merge.problems.append(_as_problem(exc))
    lam = merge.validated(LamSettings, "lam")
    confirm = merge.validated(ConfirmPolicy, "confirm")
    if merge.problems:
        problems = merge.problems + plugin_problems(merge.plugins)
        order = {f: i for i, f in enumerate(files)}
        problems.sort(key=lambda p: (order.get(p.path, len(order)), p.line or 0))
        raise ConfigProblems(problems)
    return LamConfig(lam=lam, confirm=confirm, plugins=merge.plugins, mcp_servers=mcp_servers,
                     files=files)
