"""Start-up without a model (offer + pull with progress) and without a browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.message import Message

from assistant.runtime import Runtime
from assistant.tui.app import LamApp
from assistant.tui.startup import check_startup
from tests.tui.conftest import SIZE, ask, make_runtime, ready, wait_for

pytestmark = pytest.mark.anyio


async def test_no_model_is_offered_and_templates_keep_working(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAM_MODELS_DIR", raising=False)
    runtime = make_runtime(tmp_path)
    runtime.model_factories = {}  # tier 1 is the configured default model: not pulled here
    try:
        app = LamApp(runtime=runtime)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            assert app.missing_model == "qwen2.5-coder-0.5b"
            assert "not on this machine yet" in app.conversation.lines()[0]
            assert "/pull" in app.conversation.lines()[0]
            await ask(pilot, "set a timer at 9pm")  # tier 0 needs no model
            assert app.plan_view.awaiting and "set_timer" in app.plan_view.plain
    finally:
        runtime.close()


async def test_pull_shows_progress_and_finishes(tmp_path: Path, test_models_dir: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MODELS_DIR", str(test_models_dir))  # present: verify + done
    runtime = make_runtime(tmp_path)
    try:
        app = LamApp(runtime=runtime)
        seen: list[tuple[str, float]] = []

        def hook(message: Message) -> None:
            if isinstance(message, LamApp.PullProgress):
                seen.append((message.stage, message.fraction))

        async with app.run_test(size=SIZE, message_hook=hook) as pilot:
            await ready(pilot)
            app.input.value = "/pull"
            await pilot.press("enter")
            await wait_for(pilot, lambda: not app.busy)
            assert seen[-1] == ("done", 1.0) and len(seen) >= 2
            assert app.conversation.lines()[-1] == "result: The default model is ready."
            assert not app.status.has_class("-busy")
    finally:
        runtime.close()


def test_missing_browser_is_explained(runtime: Runtime) -> None:
    class Settings:
        cdp_url = ""

    class Browser:
        settings = Settings()

    runtime.loaded.plugins["browser"] = Browser()  # type: ignore[assignment]
    try:
        report = check_startup(runtime, chromium=lambda: None)
        assert check_startup(runtime, chromium=lambda: "/usr/bin/chromium").notes == []
    finally:
        del runtime.loaded.plugins["browser"]
    assert len(report.notes) == 1
    assert "No Chromium found" in report.notes[0]
    assert "other plugins keep working" in report.notes[0]
