"""The terminal app's /save takes the same saved names as `lam save` (issue #24 item 9): no
'/', space or trailing .toml, and an existing name is not overwritten."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.runtime import Runtime
from assistant.tui.app import LamApp
from tests.tui.conftest import SIZE, ask, make_runtime

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    rt = make_runtime(tmp_path)
    yield rt
    rt.close()


async def test_tui_save_refuses_unsafe_names_and_overwrites(runtime: Runtime) -> None:
    app = LamApp(runtime=runtime)
    async with app.run_test(size=SIZE) as pilot:
        await ask(pilot, "go to https://news.example/")
        for bad in ("a/b", "news.toml"):
            await ask(pilot, f"/save {bad}")
            assert app.conversation.lines()[-1].startswith(f"error: saved name '{bad}'")
        assert runtime.journal.automations() == []
        await ask(pilot, "/save news")
        assert runtime.journal.automations() == ["news"]
        await ask(pilot, "go to https://news.example/b")
        await ask(pilot, "/save news")
        assert "already exists" in app.conversation.lines()[-1]
        stored = runtime.journal.automation("news")
        assert stored is not None and stored.request == "go to https://news.example/"
