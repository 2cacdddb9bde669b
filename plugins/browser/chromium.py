"""Finding a Chromium to launch, and the switches it is launched with."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from actions.errors import PluginError

__all__ = ["BACKGROUND_FEATURES", "LAUNCH_ARGS", "debuggable_chromium", "find_chromium",
           "launch_args", "missing_browser_hint"]

BACKGROUND_FEATURES = (
    # Chromium's own requests to Google (lam's proxy would refuse them; better never made)
    "OptimizationHints",  # optimization guide downloads
    "NetworkTimeServiceQuerying",  # clients2.google.com time queries
    "AimEnabled",  # AI-mode eligibility requests to www.google.com
    "PreconnectToSearch",  # preconnects to the default search engine
    "MediaRouter", "DialMediaRouteProvider",  # cast discovery
    "Translate",  # translate language lists
    "CertificateTransparencyComponentUpdater",
    "AutofillServerCommunication",
    "InterestFeedContentSuggestions",
)
"""Features behind Chromium's background traffic, switched off in every launch."""

_PLAYWRIGHT_FEATURES = (
    # Playwright disables these itself; a later --disable-features replaces its list (Chromium
    # keeps only the last value of a switch), so they are repeated here.
    "AvoidUnnecessaryBeforeUnloadCheckSync", "DestroyProfileOnBrowserClose", "HttpsUpgrades",
    "HttpsFirstBalancedModeAutoEnable", "LensOverlay", "PaintHolding",
    "ThirdPartyStoragePartitioning", "AvoidCorsURLLoaderRestartOnRedirect",
)

LAUNCH_ARGS = (
    "--no-sandbox",  # lam may run as root (containers); the sandbox refuses to start then
    "--disable-gpu",
    "--disable-quic",
    # no background networking: sign-in, sync, variations, component updates, default apps...
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-component-extensions-with-background-pages",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-field-trial-config",
    "--disable-client-side-phishing-detection",
    "--disable-domain-reliability",
    "--disable-breakpad",
    "--metrics-recording-only",
    "--disable-search-engine-choice-screen",
    "--disable-features=" + ",".join((*_PLAYWRIGHT_FEATURES, *BACKGROUND_FEATURES)),
)
"""Switches of every Chromium lam launches (and of the test browsers that lam attaches to)."""

_LIST_SWITCHES = ("--disable-features=", "--enable-features=")


def launch_args(extra: tuple[str, ...] | list[str] = ()) -> list[str]:
    """`LAUNCH_ARGS` plus ``extra``; repeated ``--disable-features``/``--enable-features``
    are merged into one (Chromium would keep only the last, dropping lam's list)."""
    out: list[str] = []
    merged: dict[str, list[str]] = {}
    for arg in (*LAUNCH_ARGS, *extra):
        prefix = next((p for p in _LIST_SWITCHES if arg.startswith(p)), None)
        if prefix is None:
            out.append(arg)
            continue
        if prefix not in merged:
            merged[prefix] = []
            out.append(prefix)
        merged[prefix] += [f for f in arg[len(prefix):].split(",")
                           if f and f not in merged[prefix]]
    return [a + ",".join(merged[a]) if a in merged else a for a in out]


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


@contextmanager
def debuggable_chromium(profile: Path, url: str = "about:blank", *,
                        extra: tuple[str, ...] = (), timeout: float = 30.0,
                        ) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A headless Chromium on ``url`` with a debugging port on loopback, as a user would start
    one for ``[plugins.browser] cdp_url``: yields (its CDP address, the process) and stops it
    on exit. Used by the MiniWoB bench and the tests that attach to a user's browser."""
    exe = find_chromium()
    if exe is None:
        raise PluginError("browser", "no Chromium found",
                          hint="; ".join(missing_browser_hint()) or None)
    proc = subprocess.Popen(
        [exe, "--headless=new", *launch_args(extra), "--remote-debugging-port=0",
         "--remote-debugging-address=127.0.0.1", f"--user-data-dir={profile}", url],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + timeout
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or proc.poll() is not None:
                raise PluginError("browser", "Chromium did not open its debugging port",
                                  hint=f"run `{exe} --headless=new` by hand to see why")
            time.sleep(0.1)
        yield f"http://127.0.0.1:{int(port_file.read_text().split()[0])}", proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
