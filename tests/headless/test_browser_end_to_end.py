"""`lam do --yes "open URL/list and open the third link"` end to end through the planner and
real Chromium: launched by lam, and attached to a Chromium the test started (--browser-cdp)."""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from plugins.browser.chromium import LAUNCH_ARGS, find_chromium
from tests.conftest import LamRunner
from tests.headless.conftest import Site

pytestmark = pytest.mark.browser


@pytest.fixture
def user_chromium(tmp_path: Path) -> Iterator[str]:
    exe = find_chromium()
    assert exe, "Chromium is required (apt-get install chromium)"
    profile = tmp_path / "profile"
    proc = subprocess.Popen([exe, "--headless=new", *LAUNCH_ARGS, "--remote-debugging-port=0",
                             "--remote-debugging-address=127.0.0.1",
                             f"--user-data-dir={profile}", "about:blank"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            assert time.monotonic() < deadline and proc.poll() is None
            time.sleep(0.1)
        yield f"http://127.0.0.1:{int(port_file.read_text().split()[0])}"
        assert proc.poll() is None, "lam must leave the user's browser running"
    finally:
        proc.terminate()
        proc.wait(10)


def third_link(run_lam: LamRunner, site: Site, *extra: str) -> dict[str, object]:
    request = f"open {site.url('/list')} and open the third link"
    proc = run_lam("do", "--yes", "--json", *extra, request)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert [s["action"] for s in out["plan"]["steps"]] == ["open_url", "open_link"]
    return out


def test_open_and_third_link(run_lam: LamRunner, configured_home: Path, site: Site) -> None:
    out = third_link(run_lam, site)
    steps = out["report"]["steps"]  # type: ignore[index]
    assert steps[1]["result"]["output"]["url"] == site.url("/gamma")
    assert site.hits[:2] == ["/list", "/gamma"] or "/gamma" in site.hits


def test_same_through_browser_cdp(run_lam: LamRunner, configured_home: Path, site: Site,
                                  user_chromium: str) -> None:
    out = third_link(run_lam, site, "--browser-cdp", user_chromium)
    steps = out["report"]["steps"]  # type: ignore[index]
    assert steps[1]["result"]["output"]["url"] == site.url("/gamma")
    assert "/gamma" in site.hits
