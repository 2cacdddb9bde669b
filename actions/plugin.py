"""The plugin SDK: a plugin is a class registered under the ``lam.plugins`` entry-point group.

    [project.entry-points."lam.plugins"]
    weather = "lam_weather:WeatherPlugin"

lam builds it with a `Capabilities` object (its settings, a data directory, an HTTP client
factory, the journal, a clock, a way to notify the user and to run a stored plan); the plugin
never reaches for globals or imports lam's app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar, Protocol
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict

from actions.entities import Entity
from actions.plan import Plan
from actions.spec import ActionSpec, collect_actions

__all__ = [
    "Capabilities",
    "JournalWriter",
    "NoSettings",
    "PlanRunner",
    "Plugin",
]


class NoSettings(BaseModel):
    """Settings model of a plugin that takes none."""

    model_config = ConfigDict(extra="forbid")


class JournalWriter(Protocol):
    """The slice of lam's journal a plugin may use."""

    def record(self, kind: str, detail: dict[str, Any]) -> int: ...


class PlanRunner(Protocol):
    """Runs a stored plan through lam's verifier and executor (used by the scheduler)."""

    def __call__(self, plan: Plan, *, origin: str, key: str) -> Any: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Capabilities:
    """What lam hands to a plugin. Everything optional has a harmless default for tests."""

    settings: BaseModel
    data_dir: Path
    clock: Callable[[], datetime] = _utc_now
    tz: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    journal: JournalWriter | None = None
    notify: Callable[[str], None] = lambda _text: None
    run_plan: PlanRunner | None = None
    http_client: Callable[[], Any] | None = None
    """Factory for an ``httpx.Client`` configured by lam (timeouts, user agent)."""
    extras: dict[str, Any] = field(default_factory=dict)
    """Per-run options from the command line, e.g. ``{"browser_cdp": URL}``."""


class Plugin:
    """Base class of every plugin. Subclasses set `name`, optionally `settings_model`, and mark
    action methods with `@action`."""

    name: ClassVar[str] = ""
    settings_model: ClassVar[type[BaseModel]] = NoSettings

    def __init__(self, caps: Capabilities) -> None:
        self.caps = caps

    @property
    def settings(self) -> Any:
        return self.caps.settings

    def actions(self) -> list[ActionSpec]:
        """Every action the plugin offers (default: its `@action` methods)."""
        specs = collect_actions(self)
        for spec in specs:
            spec.plugin = self.name
        return specs

    def background_entities(self) -> list[Entity]:
        """Entities always in scope (contacts, scheduled jobs)."""
        return []

    def start(self) -> None:
        """Called once after loading, before any action runs (open stores, reconcile)."""

    def close(self) -> None:
        """Release resources (browsers, connections)."""

    def doctor(self) -> list[str]:
        """Problems a user should fix, each with what to do; empty when all is well."""
        return []
