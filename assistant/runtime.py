"""The `Runtime`: config, paths, plugins and action registry for one lam process. No globals:
every command and every test builds its own."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from actions.errors import ConfigError
from actions.plan import Plan
from actions.plugin import Capabilities, PlanRunner
from assistant.config import LamConfig, load_config
from assistant.journal import Journal
from assistant.paths import Paths, shipped_config_path
from assistant.plugin_loader import LoadedPlugins, load_plugins, plugin_data_dir
from assistant.registry import ActionRegistry

__all__ = ["Runtime", "RuntimeOptions", "system_timezone"]


def system_timezone() -> ZoneInfo:
    name = os.environ.get("TZ", "")
    if not name:
        try:
            link = os.readlink("/etc/localtime")
            name = link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else ""
        except OSError:
            name = ""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass
class RuntimeOptions:
    """Per-process choices from the command line or the embedding program."""

    home: str | None = None
    plugins: bool = True
    now: datetime | None = None
    tz: str | None = None
    extras: dict[str, Any] = field(default_factory=dict)


class Runtime:
    """Holds what one lam process needs; `close()` releases plugins."""

    def __init__(self, options: RuntimeOptions | None = None,
                 *, config: LamConfig | None = None, paths: Paths | None = None) -> None:
        self.options = options or RuntimeOptions()
        self.paths = paths or Paths.from_env(self.options.home)
        self.paths.ensure()
        self.config = config or load_config(shipped_config_path(), self.paths.user_config)
        self.tz = self._timezone()
        fixed = self.options.now
        if fixed is not None and fixed.tzinfo is None:
            fixed = fixed.replace(tzinfo=self.tz)
        self._fixed_now = fixed
        self.notifications: list[str] = []
        self._notify_hooks: list[Callable[[str], None]] = []
        self._loaded: LoadedPlugins | None = None
        self._journal: Journal | None = None
        self._plan_runner: PlanRunner | None = None
        self.extra_caps: dict[str, Any] = {}
        self._closers: list[Callable[[], None]] = []
        self.model_factories: dict[int, Callable[[], Any]] = {}
        self._model_loaders: dict[str, Callable[[], Any]] = {}
        """Overrides for planner models by tier (tests inject a scripted backend here)."""
        self._planner_choice: tuple[str, Any] | None = None

    # -- time ------------------------------------------------------------------------------
    def _timezone(self) -> ZoneInfo:
        name = self.options.tz or self.config.lam.timezone
        if not name:
            return system_timezone()
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ConfigError(f"unknown time zone {name!r}",
                              hint="use an IANA name such as Europe/Berlin") from exc

    def now(self) -> datetime:
        return (self._fixed_now or datetime.now(UTC)).astimezone(self.tz)

    # -- notifications -----------------------------------------------------------------------
    def notify(self, text: str) -> None:
        self.notifications.append(text)
        for hook in list(self._notify_hooks):
            hook(text)

    def on_notify(self, hook: Callable[[str], None]) -> None:
        self._notify_hooks.append(hook)

    # -- journal and plan runner ------------------------------------------------------------------
    @property
    def journal(self) -> Journal:
        if self._journal is None:
            self._journal = Journal(self.paths.journal_db)
        return self._journal

    def set_plan_runner(self, runner: PlanRunner) -> None:
        self._plan_runner = runner

    def _run_plan(self, plan: Plan, *, origin: str, key: str) -> Any:
        if self._plan_runner is None:
            from assistant.session import Session

            Session(self)
        assert self._plan_runner is not None
        return self._plan_runner(plan, origin=origin, key=key)

    # -- models ----------------------------------------------------------------------------------
    def model_factory(self, tier: int) -> Callable[[], Any] | None:
        """A loader of the planner model for a tier (None when the tier has no model)."""
        if tier in self.model_factories:
            return self.model_factories[tier]
        name = self.planner_choice().model if tier == 1 else self.config.lam.large_model
        if not name:
            return None
        if name not in self._model_loaders:
            from assistant.models_glue import planner_model_factory

            self._model_loaders[name] = planner_model_factory(self, name)
        return self._model_loaders[name]

    def planner_choice(self, *, verify: bool = False, refresh: bool = False) -> Any:
        """The tier-1 model and why (`models.moe.shipped.choose_planner`): the MoE assembled
        from the shipped experts when they earned the default and it fits in memory, else
        ``[lam] model``; a ``[lam] model`` the user set always wins."""
        configured = self.config.lam.model
        if self._planner_choice is None or self._planner_choice[0] != configured or verify \
                or refresh:
            from models.moe.registry import default_experts_dir
            from models.moe.shipped import choose_planner

            self._planner_choice = configured, choose_planner(
                configured, explicit=self.model_set_by_user(),
                models_dir=self.paths.models_dir, data_dir=self.paths.data_dir,
                experts_dir=default_experts_dir(self.options.home),
                n_ctx=self.config.lam.context,
                verify=verify)
        return self._planner_choice[1]

    def model_set_by_user(self) -> bool:
        """Whether ``[lam] model`` is the user's (their config file sets it, or it is not the
        shipped default)."""
        from assistant.config import LamSettings

        if self.config.lam.model != LamSettings.model_fields["model"].default:
            return True
        user = self.paths.user_config
        if str(user) not in self.config.files:
            return False
        import tomllib

        try:
            lam = tomllib.loads(user.read_text(encoding="utf-8")).get("lam", {})
        except (OSError, ValueError):
            return False
        return isinstance(lam, dict) and "model" in lam

    def model_calls(self) -> int:
        """Model calls made by this runtime's planner models (0 for a pure replay)."""
        loaders = (*self.model_factories.values(), *self._model_loaders.values())
        return sum(int(getattr(loader, "calls", 0)) for loader in loaders)

    # -- plugins -------------------------------------------------------------------------------
    def capabilities(self, name: str, settings: BaseModel) -> Capabilities:
        return Capabilities(
            settings=settings,
            data_dir=plugin_data_dir(self.paths.data_dir, name),
            clock=self.now,
            tz=self.tz,
            notify=self.notify,
            journal=self.journal,
            run_plan=self._run_plan,
            extras={"config_file": str(self.paths.user_config), **self.options.extras},
            **self.extra_caps,
        )

    @property
    def loaded(self) -> LoadedPlugins:
        if self._loaded is None:
            self._loaded = load_plugins(self.config, self.capabilities,
                                        enabled=self.options.plugins)
        return self._loaded

    @property
    def registry(self) -> ActionRegistry:
        return self.loaded.registry

    def on_close(self, closer: Callable[[], None]) -> None:
        self._closers.append(closer)

    def close(self) -> None:
        while self._closers:
            self._closers.pop()()
        if self._loaded is not None:
            self._loaded.close()
            self._loaded = None
        if self._journal is not None:
            self._journal.close()
            self._journal = None
