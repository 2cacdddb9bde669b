"""One worker thread owns every Playwright object (its sync API is single-threaded); handlers
may be called from any thread and hand their work to it. The browser starts on first use."""

from __future__ import annotations

import concurrent.futures as cf
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from plugins.browser.settings import BrowserSettings
from plugins.browser.url_policy import UrlPolicy

if TYPE_CHECKING:
    from plugins.browser.driver import Driver

__all__ = ["BrowserSession"]

T = TypeVar("T")

_GRACE_S = 30.0


class BrowserSession:
    """Runs functions of the `Driver` on the plugin's own Playwright thread."""

    def __init__(self, settings: BrowserSettings, data_dir: Path, cdp_url: str = "",
                 policy: UrlPolicy | None = None) -> None:
        self.settings = settings
        self.policy = policy
        self.data_dir = data_dir
        self.cdp_url = cdp_url
        self._executor: cf.ThreadPoolExecutor | None = None
        self._driver: Driver | None = None
        self._lock = threading.Lock()

    @property
    def started(self) -> bool:
        return self._driver is not None

    def run(self, fn: Callable[[Driver], T], timeout_s: float | None = None) -> T:
        """Call ``fn(driver)`` on the worker thread, starting the browser first if needed.

        Raises `BrowserFailure` for what the user should read, ``TimeoutError`` if the worker
        does not answer in time (every Playwright call has its own timeout; this is a backstop).
        """
        with self._lock:
            if self._executor is None:
                self._executor = cf.ThreadPoolExecutor(1, thread_name_prefix="lam-browser")
            executor = self._executor
        limit = timeout_s if timeout_s is not None else (
            self.settings.timeout_ms / 1000 * 4 + _GRACE_S)
        future = executor.submit(self._call, fn)
        try:
            return future.result(timeout=limit)
        except cf.TimeoutError as exc:
            raise TimeoutError(f"the browser did not answer within {limit:.0f} s") from exc

    def _call(self, fn: Callable[[Driver], T]) -> T:
        if self._driver is None:
            from plugins.browser.driver import Driver  # imports Playwright: first use only

            driver = Driver(self.settings, self.data_dir, self.cdp_url, self.policy)
            driver.start()
            self._driver = driver
        return fn(self._driver)

    def close(self) -> None:
        """Close the browser (or disconnect from an attached one) and stop the thread."""
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is None:
            return

        def shut() -> None:
            driver, self._driver = self._driver, None
            if driver is not None:
                driver.close()

        try:
            executor.submit(shut).result(timeout=_GRACE_S)
        except cf.TimeoutError:
            pass
        finally:
            executor.shutdown(wait=False)
