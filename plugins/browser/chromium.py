"""Finding a Chromium to launch, and the switches it is launched with."""

from __future__ import annotations

import importlib.util
import os
import shutil
from collections.abc import Mapping
from pathlib import Path

__all__ = ["LAUNCH_ARGS", "find_chromium", "missing_browser_hint"]

LAUNCH_ARGS = (
    "--no-sandbox",  # lam may run as root (containers); the sandbox refuses to start then
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-features=HttpsUpgrades",
)

_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome",
               "google-chrome-stable")


def find_chromium(configured: str = "", env: Mapping[str, str] | None = None) -> str | None:
    """The Chromium binary to launch: setting, then $LAM_CHROMIUM, then the usual places.

    None means "let Playwright use the browser it manages" (``playwright install chromium``).
    """
    env = os.environ if env is None else env
    for candidate in (configured, env.get("LAM_CHROMIUM", "")):
        if candidate:
            return candidate
    for name in _CANDIDATES:
        path = name if os.path.isabs(name) else shutil.which(name)
        if path and Path(path).exists():
            return path
    return None


def _playwright_browser(env: Mapping[str, str]) -> bool:
    """Whether ``playwright install chromium`` has put a browser in its cache."""
    root = Path(env.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright")
    return root.is_dir() and any(root.glob("chromium*"))


def missing_browser_hint(configured: str = "", env: Mapping[str, str] | None = None) -> list[str]:
    """What the user should fix before the browser actions can run (empty when nothing)."""
    if importlib.util.find_spec("playwright") is None:
        return ["browser: the Python package 'playwright' is missing; `pip install playwright`"]
    env = os.environ if env is None else env
    exe = find_chromium(configured, env)
    if exe is None and _playwright_browser(env):
        return []
    if exe is None:
        return ["browser: no Chromium found; install it (`apt-get install chromium`), set "
                "LAM_CHROMIUM or [plugins.browser] executable to a Chrome/Chromium binary, run "
                "`playwright install chromium`, or set [plugins.browser] cdp_url to attach to a "
                "browser you already run"]
    if not Path(exe).exists():
        source = "executable setting" if configured else "LAM_CHROMIUM"
        return [f"browser: {exe} (from {source}) does not exist; fix or unset it"]
    if not os.access(exe, os.X_OK):
        return [f"browser: {exe} is not executable"]
    return []
