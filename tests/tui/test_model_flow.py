"""A request no template matches is planned by the real default model (tier 1) in a worker,
with the tier shown while it plans; confirming runs it. (Keystroke echo while the model plans
is measured by bench/tui.py with the headless driver.)"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.tui.app import LamApp
from tests.tui.conftest import SIZE, make_runtime, ready, sink, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.model, pytest.mark.slow]


async def test_model_plans_an_untemplated_request(tmp_path: Path, test_models_dir: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MODELS_DIR", str(test_models_dir))
    runtime = make_runtime(tmp_path, with_model=True)
    try:
        app = LamApp(runtime=runtime)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press(*"tell Bob that the report is done", "enter")
            await wait_for(pilot, lambda: "tier 1" in app.status.text)
            assert "default model" in app.status.text
            await wait_for(pilot, lambda: not app.busy, timeout=240)
            shown = app.plan_view.plain
            assert "planned by default model" in shown and "no sentence template" in shown
            assert "send_message" in shown and "Bob Stone" in shown
            assert app.plan_view.awaiting and sink(runtime) == []
            await pilot.press("y")
            await wait_for(pilot, lambda: bool(sink(runtime)))
            assert sink(runtime)[0]["to"] == "contact:bob"
            assert "report is done" in sink(runtime)[0]["body"]
    finally:
        runtime.close()
