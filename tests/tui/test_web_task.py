"""A multi-step web task in the TUI against a real Chromium: lam is attached over CDP to a
loopback page, the user types the task and confirms, and each step (and each look at the page
between the observe → act rounds) shows in the conversation while the task runs. The page's
end state is read over CDP's HTTP endpoint, outside lam."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.console import RenderableType

from assistant.config import LamConfig, PluginConfig
from assistant.paths import Paths
from assistant.plugin_loader import load_plugins
from assistant.runtime import Runtime, RuntimeOptions
from assistant.tui.app import LamApp
from assistant.tui.conversation import Conversation, Entry
from plugins.browser.chromium import debuggable_chromium
from tests.static_site import serve_folder
from tests.tui.conftest import NOW, SIZE, ask, wait_for

pytestmark = [pytest.mark.anyio, pytest.mark.browser]

PAGES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    with serve_folder(PAGES) as url:
        yield url


@pytest.fixture
def chromium(tmp_path: Path, site: str) -> Iterator[str]:
    """The user's Chromium showing the search page, with a debugging port; yields its URL."""
    with debuggable_chromium(tmp_path / "profile", f"{site}/websearch.html") as (cdp, _):
        deadline = time.monotonic() + 30
        while _title(cdp) != "Web search":
            assert time.monotonic() < deadline, "the search page did not load"
            time.sleep(0.1)
        yield cdp


def _title(cdp: str) -> str:
    """The title of the browser's page, read over CDP's HTTP endpoint (no lam involved)."""
    with urllib.request.urlopen(f"{cdp}/json/list", timeout=5) as reply:
        pages = [t for t in json.load(reply) if t.get("type") == "page"]
    return str(pages[0]["title"]) if pages else ""


@pytest.fixture
def runtime(tmp_path: Path, chromium: str) -> Iterator[Runtime]:
    """The browser plugin only, attached to ``chromium``; no planning model."""
    config = LamConfig(plugins={"browser": PluginConfig(
        name="browser", settings={"cdp_url": chromium, "allow_loopback": True})})
    config.lam.timezone = "Europe/Berlin"
    rt = Runtime(RuntimeOptions(home=str(tmp_path), now=NOW), config=config,
                 paths=Paths(tmp_path / "config", tmp_path / "data"))
    from assistant.plugin_loader import discover

    rt._loaded = load_plugins(config, rt.capabilities,
                              available={"browser": discover()["browser"]})
    rt.model_factories = {1: lambda: None, 2: lambda: None}
    yield rt
    rt.close()


async def test_a_search_then_a_result_runs_step_by_step_in_the_tui(
        runtime: Runtime, chromium: str) -> None:
    app = LamApp(runtime=runtime)
    shown: list[tuple[str, str, bool]] = []  # (entry, page title then, app busy then)
    async with app.run_test(size=SIZE) as pilot:
        conversation = app.query_one(Conversation)
        add = conversation.add

        def watched(kind: str, body: RenderableType) -> Entry:
            entry = add(kind, body)
            shown.append((entry.plain, _title(chromium), app.busy))
            return entry

        conversation.add = watched  # type: ignore[method-assign]
        await ask(pilot, 'Type "owls" into the search box, press Search, '
                         'then click the 2nd result')
        assert app.plan_view.awaiting and app.proposal is not None
        plan = app.plan_view.plain
        assert "fill_field" in plan and "on the page as it will be" in plan
        assert _title(chromium) == "Web search"  # nothing runs before the user confirms
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.busy and app.proposal is None)
    lines = [text for text, _, _ in shown]
    steps = [i for i, text in enumerate(lines) if text.startswith("step: ")]
    look = next(i for i, text in enumerate(lines) if text.startswith("note: reading the page "
                                                                       "again"))
    assert len(steps) == 3, lines
    first, second, third = (lines[i] for i in steps)
    assert first.startswith("step: ✓ 1. fill_field: ok")
    assert second.startswith("step: ✓ 2. ")
    assert third.startswith("step: ✓ 3. click: ok")
    assert steps[1] < look < steps[2]  # the page was read again between the rounds
    assert "the 2nd result" in lines[look]
    # Shown as they happened: the first two steps and the look before the click ran, while
    # the task was still running.
    for i in (*steps[:2], look):
        _, title, busy = shown[i]
        assert busy and not title.startswith("opened:"), shown[i]
    assert lines[-1].startswith("result: ✓ 1. fill_field: ok")
    assert _title(chromium) == "opened:owls:2"
