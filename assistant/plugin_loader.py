"""Discover plugins through the ``lam.plugins`` entry points (built-ins included), configure
them from plugins.toml and load them. A broken plugin becomes a `PluginStatus` with the reason;
it never stops the others."""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from actions.errors import PluginError
from actions.plugin import Capabilities, Plugin
from assistant.config import LamConfig, PluginConfig, settings_problems
from assistant.registry import ActionRegistry

__all__ = ["ENTRY_POINT_GROUP", "LoadedPlugins", "PluginState", "PluginStatus", "load_plugins"]

ENTRY_POINT_GROUP = "lam.plugins"


class PluginState(StrEnum):
    LOADED = "loaded"
    FAILED = "failed"
    DISABLED = "disabled"


@dataclass
class PluginStatus:
    name: str
    state: PluginState
    error: PluginError | None = None
    actions: list[str] = field(default_factory=list)
    source: str = ""


@dataclass
class LoadedPlugins:
    registry: ActionRegistry
    plugins: dict[str, Plugin]
    statuses: list[PluginStatus]

    def failed(self) -> list[PluginStatus]:
        return [s for s in self.statuses if s.state is PluginState.FAILED]

    def close(self) -> None:
        for plugin in self.plugins.values():
            try:
                plugin.close()
            except Exception:
                pass


CapsFactory = Callable[[str, Any], Capabilities]


def discover() -> dict[str, EntryPoint]:
    return {ep.name: ep for ep in entry_points(group=ENTRY_POINT_GROUP)}


def _first_line(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}".strip()
    return text.splitlines()[0] if text else type(exc).__name__


def load_plugins(
    config: LamConfig,
    make_caps: CapsFactory,
    *,
    enabled: bool = True,
    available: dict[str, EntryPoint] | None = None,
    start: bool = True,
) -> LoadedPlugins:
    """Load every plugin enabled in ``config``; ``enabled=False`` (``--no-plugins``) loads none."""
    registry = ActionRegistry()
    plugins: dict[str, Plugin] = {}
    statuses: list[PluginStatus] = []
    available = discover() if available is None else available
    mcp_names = {f"mcp:{n}": n for n in config.mcp_servers}
    if not enabled:
        return LoadedPlugins(registry, plugins, [
            PluginStatus(n, PluginState.DISABLED, source="--no-plugins")
            for n in [*sorted(available), *mcp_names]
        ])
    for name in [*sorted(set(available) | set(config.plugins)), *mcp_names]:
        server = mcp_names.get(name)
        pconf = config.plugins.get(name) if server is None else config.mcp_servers[server]
        where = f"{pconf.source}:{pconf.line}" if pconf and pconf.line else (
            pconf.source if pconf else "")
        if pconf is None or not pconf.enabled:
            statuses.append(PluginStatus(name, PluginState.DISABLED, source=where))
            continue
        try:
            if server is not None:  # an MCP server: its tools are the plugin's actions
                from assistant.mcp.plugin import build_plugin

                plugin: Plugin = build_plugin(server, pconf.settings, make_caps, where)
            else:
                plugin = _load_one(name, available.get(name), pconf, make_caps, where)
            specs = plugin.actions()
            for spec in specs:
                spec.plugin = name
                other = registry.owner(spec.name)
                if other is not None:
                    plugin.close()
                    raise PluginError(
                        name, f"action '{spec.name}' is already declared by plugin '{other}'",
                        hint=f'set prefix = "{server}_" in [mcp.servers.{server}]' if server
                        else f"disable one of '{other}' and '{name}' in plugins.toml")
            if start:
                try:
                    plugin.start()
                except Exception as exc:
                    raise PluginError(name, f"failed to start: {_first_line(exc)}") from exc
        except PluginError as err:
            statuses.append(PluginStatus(name, PluginState.FAILED, error=err, source=where))
            continue
        for spec in specs:
            registry.add(spec)
        plugins[name] = plugin
        statuses.append(PluginStatus(name, PluginState.LOADED, actions=[s.name for s in specs],
                                     source=where))
    return LoadedPlugins(registry, plugins, statuses)


def _load_one(name: str, ep: EntryPoint | None, pconf: PluginConfig, make_caps: CapsFactory,
              where: str) -> Plugin:
    if ep is None:
        known = ", ".join(sorted(discover())) or "none"
        raise PluginError(name, f"unknown plugin (enabled in {where or 'plugins.toml'}, but no "
                                f"package provides it; installed plugins: {known})",
                          hint=f"pip install the package that provides '{name}', or remove "
                               f"[plugins.{name}]")
    try:
        cls = ep.load()
    except Exception as exc:
        raise PluginError(name, f"failed to import {ep.value}: {_first_line(exc)}",
                          hint="reinstall the plugin package; details with LAM_DEBUG=1"
                          ) from exc
    if not (isinstance(cls, type) and issubclass(cls, Plugin)):
        raise PluginError(name, f"{ep.value} is not a lam Plugin subclass")
    try:
        parsed = cls.settings_model.model_validate(pconf.settings)
    except ValidationError as exc:
        lines = [str(p) for p in settings_problems(pconf, cls.settings_model, exc)]
        raise PluginError(name, "invalid setting: " + lines[0] if len(lines) == 1 else
                          f"{len(lines)} invalid settings:\n" + "\n".join(lines),
                          hint=f"fix [plugins.{name}] as each line says") from exc
    try:
        return cls(make_caps(name, parsed))
    except PluginError:
        raise
    except Exception as exc:
        raise PluginError(name, f"failed to load: {_first_line(exc)}",
                          hint="".join(traceback.format_exception_only(exc)).strip()) from exc


def plugin_data_dir(data_dir: Path, name: str) -> Path:
    path = data_dir / "plugins" / name
    path.mkdir(parents=True, exist_ok=True)
    return path
