"""The browser plugin: Playwright-driven Chromium, launched on first use or attached over CDP.

Importing this package does not import Playwright; the browser starts with the first action.
"""

from __future__ import annotations

from plugins.browser.plugin import BrowserPlugin
from plugins.browser.settings import BrowserSettings
from plugins.browser.url_policy import UrlPolicy

__all__ = ["BrowserPlugin", "BrowserSettings", "UrlPolicy"]
