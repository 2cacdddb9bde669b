"""Fixtures of the browser tests: two loopback web sites ("good" on 127.0.0.1, "evil" on
127.0.0.2) and a helper that runs actions through their declared contract."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from actions import ActionContext, ActionResult, Capabilities, Entity, Violation
from plugins.browser import BrowserPlugin, BrowserSettings
from tests.browser.site import Site
from tests.static_site import serve_folder

TEST_TIMEOUT_MS = 3000
TASK_PAGES = Path(__file__).parent / "fixtures" / "tasks"


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """The web-task fixture pages (``fixtures/tasks``) served on loopback; yields the base URL."""
    with serve_folder(TASK_PAGES) as url:
        yield url


@pytest.fixture(scope="session")
def evil() -> Iterator[Site]:
    site = Site("127.0.0.2")
    yield site
    site.close()


@pytest.fixture(scope="session")
def good(evil: Site) -> Iterator[Site]:
    site = Site("127.0.0.1", evil=evil)
    yield site
    site.close()


@pytest.fixture(autouse=True)
def _clear_hits(request: pytest.FixtureRequest) -> None:
    if "evil" in request.fixturenames or "good" in request.fixturenames:
        for name in ("evil", "good"):
            site = request.getfixturevalue(name)
            site.hits.clear()
            site.before.clear()


def make_plugin(data_dir: Path, extras: dict[str, Any] | None = None,
                **settings: Any) -> BrowserPlugin:
    settings.setdefault("timeout_ms", TEST_TIMEOUT_MS)
    settings.setdefault("allow_loopback", True)  # the test sites are on 127.0.0.1/.2
    return BrowserPlugin(Capabilities(settings=BrowserSettings(**settings), data_dir=data_dir,
                                      extras=extras or {}))


class Runner:
    """Runs actions as lam's executor would: validate, run, check postconditions, and keep
    the published entities in scope for the next step."""

    def __init__(self, plugin: BrowserPlugin) -> None:
        self.plugin = plugin
        self.specs = {s.name: s for s in plugin.actions()}
        self.scope: dict[str, Entity] = {}
        self.violations: list[Violation] = []

    def __call__(self, name: str, **args: Any) -> ActionResult:
        spec = self.specs[name]
        params, errors = spec.validate_args(args)
        assert params is not None, errors
        ctx = ActionContext(entities=dict(self.scope))
        self.violations = spec.check_preconditions(ctx, params)
        assert not self.violations, self.violations
        result = spec.run(ctx, params)
        if result.ok:
            self.violations = spec.check_postconditions(ctx, params, result)
        if result.entities:
            self.scope = {e.id: e for e in result.entities}
        return result

    def ok(self, name: str, **args: Any) -> ActionResult:
        result = self(name, **args)
        assert result.ok, result.error
        assert not self.violations, self.violations
        return result


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserPlugin]:
    """One Chromium per module; `act` gives each test a fresh context."""
    p = make_plugin(tmp_path_factory.mktemp("browser"))
    yield p
    p.close()


@pytest.fixture
def act(plugin: BrowserPlugin) -> Runner:
    plugin.new_task()
    return Runner(plugin)
