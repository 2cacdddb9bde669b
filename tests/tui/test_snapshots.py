"""SVG snapshots of the main screens (fixed clock, fixed size, no timings on screen)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.pilot import Pilot

from assistant.runtime import Runtime
from assistant.tui.app import LamApp
from tests.tui.conftest import SIZE, ask, ready

Snap = Callable[..., bool]


def _asking(*requests: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await ready(pilot)
        for request in requests:
            await ask(pilot, request)

    return run_before


def test_empty(snap_compare: Snap, runtime: Runtime) -> None:
    assert snap_compare(LamApp(runtime=runtime), terminal_size=SIZE, run_before=_asking())


def test_plan_awaiting_confirmation(snap_compare: Snap, runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    assert snap_compare(app, terminal_size=SIZE, run_before=_asking(
        "go to https://news.example/", "message bob that story 2 is worth a read"))


def test_question(snap_compare: Snap, runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    assert snap_compare(app, terminal_size=SIZE,
                        run_before=_asking("message alice that lunch is at noon"))


def test_error(snap_compare: Snap, runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    assert snap_compare(app, terminal_size=SIZE, run_before=_asking("archive photos"))
