"""Settings, lazy start, doctor and the policy hook: no browser is launched here except in
the launch-failure test, which must fail cleanly."""

from __future__ import annotations

import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest
from pydantic import ValidationError

from actions import ActionContext
from plugins.browser import BrowserPlugin, BrowserSettings
from tests.browser.conftest import make_plugin

REPO = Path(__file__).resolve().parents[2]


def test_shipped_plugins_toml_settings_are_accepted() -> None:
    table = tomllib.loads((REPO / "plugins.toml").read_text())["plugins"]["browser"]
    settings = BrowserSettings.model_validate({k: v for k, v in table.items() if k != "enabled"})
    assert settings.search_url.count("{query}") == 1
    assert settings.timeout_ms > 0 and settings.downloads is False


@pytest.mark.parametrize("bad", [
    {"headles": True},
    {"search_url": "https://example.com/?q="},
    {"timeout_ms": 0},
    {"allowed_domains": ["exa mple.com"]},
])
def test_bad_settings_are_rejected(bad: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        BrowserSettings.model_validate(bad)


def test_loading_the_plugin_does_not_start_playwright(tmp_path: Path) -> None:
    code = ("import sys, pathlib; from actions import Capabilities;"
            "from plugins.browser import BrowserPlugin, BrowserSettings;"
            "p = BrowserPlugin(Capabilities(settings=BrowserSettings(),"
            " data_dir=pathlib.Path(sys.argv[1]))); p.actions(); p.doctor();"
            "p.url_allowed('https://example.com'); p.close();"
            "print('playwright' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code, str(tmp_path)], cwd=REPO,
                         capture_output=True, text=True, timeout=60,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_doctor_explains_a_missing_browser(tmp_path: Path) -> None:
    plugin = make_plugin(tmp_path, executable="/nonexistent/chromium")
    problems = plugin.doctor()
    assert len(problems) == 1 and "/nonexistent/chromium" in problems[0]
    assert make_plugin(tmp_path).doctor() == []  # /usr/bin/chromium is installed here
    assert make_plugin(tmp_path, cdp_url="http://127.0.0.1:9222").doctor() == []


@pytest.mark.browser
def test_launch_failure_is_a_failed_result(tmp_path: Path) -> None:
    plugin = make_plugin(tmp_path, executable=str(tmp_path / "no-such-chromium"))
    start = time.monotonic()
    spec = next(s for s in plugin.actions() if s.name == "open_url")
    result = spec.run(ActionContext(), spec.params.model_validate({"url": "http://127.0.0.1:9/"}))
    plugin.close()
    assert not result.ok and "could not launch Chromium" in (result.error or "")
    assert time.monotonic() - start < 30


def test_url_allowed_hook(tmp_path: Path) -> None:
    plugin: BrowserPlugin = make_plugin(tmp_path, allowed_domains=["example.com"],
                                        denied_domains=["bad.example.com"])
    assert plugin.url_allowed("https://www.example.com/x") is None
    assert plugin.url_allowed("example.com/docs") is None  # normalized like open_url
    assert "denied" in (plugin.url_allowed("https://bad.example.com/") or "")
    assert "allowed list" in (plugin.url_allowed("https://example.org/") or "")
    assert "credentials" in (plugin.url_allowed("https://example.com@evil.org/") or "")
    assert "scheme" in (plugin.url_allowed("file:///etc/passwd") or "")


def test_cli_cdp_extra_overrides_setting(tmp_path: Path) -> None:
    plugin = make_plugin(tmp_path, extras={"browser_cdp": "http://127.0.0.1:1"},
                         cdp_url="http://127.0.0.1:2")
    assert plugin._session.cdp_url == "http://127.0.0.1:1"


def test_action_declarations() -> None:
    plugin = make_plugin(Path("/tmp"))
    specs = {s.name: s for s in plugin.actions()}
    assert set(specs) == {"open_url", "search_web", "read_page", "click", "fill_field",
                          "submit_form", "select_option", "set_checkbox", "go_back", "scroll",
                          "screenshot", "extract_table", "open_link", "upload_file", "focus_field"}
    assert specs["open_url"].sensitive_params() == {"url"}
    assert specs["open_link"].entity_params() == {"link": "link"}
    assert specs["fill_field"].entity_params() == {"field": "field"}
    assert specs["submit_form"].effect == "external_send"
    assert specs["click"].effect == "external_send"
    assert specs["fill_field"].effect == "local_write"
    assert specs["open_url"].effect == "read_only"
    assert "link" in specs["open_url"].produces
    assert all(s.templates for s in specs.values())


def test_doctor_when_no_chromium_anywhere(monkeypatch: pytest.MonkeyPatch,
                                          tmp_path: Path) -> None:
    from plugins.browser import chromium

    monkeypatch.setattr(chromium, "_CANDIDATES", ())
    env = {"PLAYWRIGHT_BROWSERS_PATH": str(tmp_path)}
    (problem,) = chromium.missing_browser_hint("", env)
    assert "no Chromium found" in problem and "cdp_url" in problem
    (tmp_path / "chromium-1234").mkdir()
    assert chromium.missing_browser_hint("", env) == []  # Playwright's own browser will do
    assert chromium.missing_browser_hint("", {"LAM_CHROMIUM": "/usr/bin/chromium"}) == []
