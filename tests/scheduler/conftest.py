"""Fixtures: a scheduler plugin on a real SQLite store in a temp dir, with a clock tests move."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from actions import ActionContext, ActionResult, Capabilities, Plan
from plugins.scheduler import SchedulerPlugin, SchedulerSettings

BERLIN = ZoneInfo("Europe/Berlin")


class Clock:
    """A controllable clock (aware datetimes)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class Journal:
    rows: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def record(self, kind: str, detail: dict[str, Any]) -> int:
        self.rows.append((kind, detail))
        return len(self.rows)


@dataclass
class Runner:
    """A plan runner that records calls; ``result`` decides what it returns."""

    calls: list[tuple[Plan, str, str]] = field(default_factory=list)
    result: Callable[[Plan, str], Any] = lambda _plan, _key: {"ok": True, "message": "done"}

    def __call__(self, plan: Plan, *, origin: str, key: str) -> Any:
        self.calls.append((plan, origin, key))
        return self.result(plan, key)


@dataclass
class Harness:
    plugin: SchedulerPlugin
    clock: Clock
    notes: list[str]
    journal: Journal
    runner: Runner

    def ctx(self) -> ActionContext:
        return ActionContext(clock=self.clock, tz=self.plugin.caps.tz)

    def do(self, action: str, **args: Any) -> ActionResult:
        spec = {s.name: s for s in self.plugin.actions()}[action]
        params, violations = spec.validate_args(args)
        assert params is not None, violations
        return spec.run(self.ctx(), params)

    def violations(self, action: str, **args: Any) -> list[str]:
        spec = {s.name: s for s in self.plugin.actions()}[action]
        params, violations = spec.validate_args(args)
        if params is None:
            return [str(v) for v in violations]
        return [str(v) for v in spec.check_preconditions(self.ctx(), params)]


MakeHarness = Callable[..., Harness]


@pytest.fixture
def make_harness(tmp_path: Path) -> Iterator[MakeHarness]:
    made: list[SchedulerPlugin] = []

    def make(now: datetime | None = None, *, clock: Clock | None = None, tz: ZoneInfo = BERLIN,
             data_dir: Path | None = None, run_plan: bool = True, **settings: Any) -> Harness:
        clock = clock or Clock(now or datetime(2026, 11, 23, 8, 0, tzinfo=tz))
        notes: list[str] = []
        journal, runner = Journal(), Runner()
        caps = Capabilities(settings=SchedulerSettings(desktop_notifications=False, **settings),
                            data_dir=data_dir or tmp_path / "sched", clock=clock, tz=tz,
                            notify=notes.append, journal=journal,
                            run_plan=runner if run_plan else None)
        caps.data_dir.mkdir(parents=True, exist_ok=True)
        plugin = SchedulerPlugin(caps)
        plugin.start()
        made.append(plugin)
        return Harness(plugin, clock, notes, journal, runner)

    yield make
    for plugin in made:
        plugin.close()
