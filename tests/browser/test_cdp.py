"""Attaching to a Chromium the user already runs (``--browser-cdp URL``): the plugin acts on
its current page, applies the URL policy there, and leaves the browser running on close."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.browser.chromium import debuggable_chromium
from tests.browser.conftest import Runner, make_plugin
from tests.browser.site import Site

pytestmark = pytest.mark.browser


@pytest.fixture
def user_chromium(tmp_path: Path, good: Site) -> Iterator[str]:
    """A Chromium started as a user would, with a debugging port on loopback."""
    with debuggable_chromium(tmp_path / "profile", good.url("/list.html")) as (cdp, proc):
        yield cdp
        assert proc.poll() is None, "closing the plugin must not close the user's browser"


def _tabs(cdp: str) -> list[str]:
    with urllib.request.urlopen(cdp + "/json/list", timeout=5) as resp:
        return [t["url"] for t in json.load(resp) if t["type"] == "page"]


def test_attach_acts_on_current_page(user_chromium: str, good: Site, evil: Site,
                                     tmp_path: Path) -> None:
    plugin = make_plugin(tmp_path, extras={"browser_cdp": user_chromium},
                         allowed_domains=["127.0.0.1"])
    try:
        act = Runner(plugin)
        page = act.ok("read_page")
        assert page.output["url"] == good.url("/list.html")
        assert page.output["title"] == "Reading list"
        res = act.ok("open_link", link="link3")
        assert res.output["title"] == "Article 2"
        blocked = act("open_url", url=evil.url("/article/1"))
        assert not blocked.ok and evil.hits == []
        leaky = act.ok("open_url", url=good.url("/leaky.html"))
        blocked = " ".join(b["url"] for b in leaky.output["blocked"])
        for path in ("/pixel.png", "/frame.html", "/style.css", "/script.js"):
            assert path in blocked
        # Known limit of attaching (no proxy of ours in the user's browser): a redirect hop
        # of a subresource is not stopped, only reported. Launched browsers stop it.
        assert [u["url"] for u in leaky.output["unfiltered"]] == [
            evil.url("/redirected-pixel.png")]
        act.ok("open_url", url=good.url("/article/2"))
        redirected = act("open_url", url=good.url(f"/chain?n=1&to={evil.url('/x')}"))
        assert not redirected.ok and "blocked" in (redirected.error or "")
        assert _tabs(user_chromium)[0] != evil.url("/x")  # refused page was blanked
        act.ok("open_url", url=good.url("/article/2"))
    finally:
        plugin.close()
    assert set(evil.hits) <= {"/redirected-pixel.png", "/x"}
    assert good.url("/article/2") in _tabs(user_chromium)  # the user's tab is still there
