"""The Playwright side of the plugin. A `Driver` lives on one worker thread (see `session.py`)
and is never touched from another: it owns Playwright, the browser, the context and the
current page, enforces the URL policy on every request and settles pages after each action.

Chromium's own traffic (sign-in, variations, component updates, safe browsing) also goes
through the filtering proxy. It is launched with that traffic switched off (`launch_args`), and
a block of a request the pages did not make (no page requested that host and port during the
action) is logged and listed in `Outcome.background`, never counted as the action's failure.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import (
    Browser,
    BrowserContext,
    Download,
    Error,
    Locator,
    Page,
    Playwright,
    Request,
    Route,
    WebSocketRoute,
    sync_playwright,
)
from playwright.sync_api import TimeoutError as PWTimeout

from plugins.browser.chromium import find_chromium, launch_args
from plugins.browser.errors import BrowserFailure, first_line
from plugins.browser.page_model import EXTRACT_JS, PageModel
from plugins.browser.proxy import FilteringProxy
from plugins.browser.settings import BrowserSettings
from plugins.browser.url_policy import UrlPolicy, canonical_host

__all__ = ["Driver", "Outcome", "origin_of"]

log = logging.getLogger("lam.browser")
_DEFAULT_PORTS = {"http": 80, "ws": 80, "https": 443, "wss": 443}

_SETTLE_S = 0.25
_HINT_BINDING = "__lamNavHint"
# Tells the driver a navigation or popup is coming (beforeunload, window.open, target=_blank),
# so that it waits for it instead of racing it on a loaded machine. Only a hint for waiting
# (at most timeout_ms): it grants the page nothing.
_HINT_JS = """(() => {
  const hint = () => { try { window.BINDING && window.BINDING(); } catch (e) {} };
  const named = (t) => t && !["_self", "_top", "_parent"].includes(t.toLowerCase());
  const open = window.open;
  window.open = function (...args) { hint(); return open.apply(this, args); };
  document.addEventListener("click", (ev) => {
    const a = ev.target && ev.target.closest && ev.target.closest("a[target], area[target]");
    if (a && named(a.target)) hint();
  }, true);
  document.addEventListener("submit", (ev) => { if (named(ev.target.target)) hint(); }, true);
  window.addEventListener("beforeunload", hint, true);
})();""".replace("BINDING", _HINT_BINDING)
_SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass
class Outcome:
    """What happened to the page around one action."""

    navigated: bool = False
    popup: bool = False
    blocked: list[dict[str, str]] = field(default_factory=list)
    unfiltered: list[dict[str, str]] = field(default_factory=list)
    """Attached browsers only: redirect hops to denied URLs that could not be stopped."""
    downloads: list[dict[str, str]] = field(default_factory=list)
    background: list[dict[str, str]] = field(default_factory=list)
    """Blocked requests that no page made (Chromium's own traffic): logged, not a failure."""


def origin_of(url: str) -> tuple[str, int] | None:
    """``(canonical host, port)`` of a network URL, None when it has none."""
    try:
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        host = canonical_host(parts.hostname or "")
        port = parts.port or _DEFAULT_PORTS.get(scheme)
    except ValueError:
        return None
    return (host, port) if port else None


@dataclass
class _Block:
    url: str
    reason: str
    by_page: bool
    """True when the block was seen on a page's own request (route, WebSocket, navigation)."""


class Driver:
    """Browser, context and current page; call only from the session's worker thread."""

    def __init__(self, settings: BrowserSettings, data_dir: Path, cdp_url: str = "",
                 policy: UrlPolicy | None = None) -> None:
        self.settings = settings
        self.data_dir = data_dir
        self.cdp_url = cdp_url
        self.policy: UrlPolicy = policy or settings.policy()
        self.timeout = settings.timeout_ms
        self._pw: Playwright | None = None
        self._browser: Browser | None = None
        self._context: BrowserContext | None = None
        self._page: Page | None = None
        self._proxy: FilteringProxy | None = None
        self._lock = threading.Lock()
        self._blocked: list[_Block] = []
        self._page_origins: set[tuple[str, int]] = set()
        """Hosts and ports the pages requested since the current action began."""
        self._unfiltered: list[dict[str, str]] = []
        self._downloads: list[Download] = []
        self._new_pages: list[Page] = []
        self._hints = 0
        self.model: PageModel | None = None
        self.last_field: Locator | None = None
        """The field filled last, so `submit_form` without a target submits its form."""
        self.attached = False

    # -- lifecycle -----------------------------------------------------------------------------
    def start(self) -> None:
        """Launch (or attach to) the browser. Raises BrowserFailure with what to do."""
        self._pw = sync_playwright().start()
        try:
            if self.cdp_url:
                self._attach()
            else:
                self._launch()
        except Error as exc:
            self.close()
            where = f"attach to {self.cdp_url}" if self.cdp_url else "launch Chromium"
            raise BrowserFailure(f"could not {where}: {first_line(exc)}") from exc

    def _launch(self) -> None:
        assert self._pw is not None
        self._proxy = FilteringProxy(lambda: self.policy, self._record_block,
                                     max(self.timeout / 1000, 30.0))
        proxy = {"server": self._proxy.start()}
        exe = find_chromium(self.settings.executable)
        args = launch_args(self.settings.extra_args)
        common: dict[str, Any] = {"headless": self.settings.headless, "args": args,
                                  "proxy": proxy, "timeout": max(self.timeout, 30000)}
        if exe:
            common["executable_path"] = exe
        if self.settings.profile_dir:
            ctx = self._pw.chromium.launch_persistent_context(
                str(Path(self.settings.profile_dir).expanduser()),
                accept_downloads=self.settings.downloads, **common)
            self._setup_context(ctx)
        else:
            self._browser = self._pw.chromium.launch(**common)

    def _attach(self) -> None:
        assert self._pw is not None
        self._browser = self._pw.chromium.connect_over_cdp(self.cdp_url, timeout=self.timeout)
        self.attached = True
        ctx = (self._browser.contexts[0] if self._browser.contexts
               else self._browser.new_context())
        self._setup_context(ctx)
        pages = [p for p in ctx.pages if not p.url.startswith(("devtools:", "chrome-extension:"))]
        if pages:
            self._page = pages[-1]

    def _setup_context(self, ctx: BrowserContext) -> None:
        ctx.set_default_timeout(self.timeout)
        ctx.set_default_navigation_timeout(self.timeout)
        ctx.route("**/*", self._route)
        ctx.route_web_socket(re.compile(".*"), self._route_ws)
        ctx.on("page", self._on_page)
        ctx.on("request", self._on_request)
        with contextlib.suppress(Error):  # already exposed when re-attaching to a context
            ctx.expose_binding(_HINT_BINDING, self._on_hint)
        ctx.add_init_script(_HINT_JS)
        for page in ctx.pages:
            page.on("download", self._on_download)
        self._context = ctx

    @property
    def proxy_url(self) -> str:
        """The filtering proxy a launched Chromium sends every request through ("" if none)."""
        return self._proxy.server_url if self._proxy is not None else ""

    def context(self) -> BrowserContext:
        """The task's context, created on first use (fresh profile unless profile_dir)."""
        if self._context is None:
            if self._browser is None:
                raise BrowserFailure("the browser is not running")
            self._setup_context(self._browser.new_context(
                accept_downloads=self.settings.downloads))
        assert self._context is not None
        return self._context

    @property
    def page(self) -> Page:
        """The page actions act on; a new blank one if there is none."""
        if self._page is None or self._page.is_closed():
            self._page = self.context().new_page()
            self._new_pages.clear()
        return self._page

    def new_task(self) -> None:
        """Forget the current context (launched browsers): the next action starts fresh."""
        if self.attached or self.settings.profile_dir or self._context is None:
            return
        with contextlib.suppress(Error):
            self._context.close()
        self._context = None
        self._page = None
        self.model = None
        self.last_field = None

    def close(self) -> None:
        """Close what we opened; an attached browser is only disconnected from."""
        if self._context is not None and self.attached:
            with contextlib.suppress(Error):
                self._context.unroute_all(behavior="ignoreErrors")
        elif self._context is not None:
            with contextlib.suppress(Error):
                self._context.close()
        if self._browser is not None:
            with contextlib.suppress(Error):
                self._browser.close()
        if self._pw is not None:
            with contextlib.suppress(Error):
                self._pw.stop()
        if self._proxy is not None:
            self._proxy.close()
        self._pw = self._browser = self._context = self._page = self._proxy = None

    # -- policy --------------------------------------------------------------------------------
    def _record_block(self, url: str, reason: str, by_page: bool = False) -> None:
        """Called by the proxy (any thread; who made the request is found out later) and by
        the route handlers (a page's request)."""
        with self._lock:
            self._blocked.append(_Block(url[:300], reason, by_page))

    def _blocks_since(self, mark: int) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
        """(blocks of the pages' requests, blocks of requests no page made) since ``mark``."""
        with self._lock:
            blocks = list(self._blocked[mark:])
            origins = set(self._page_origins)
        page: list[dict[str, str]] = []
        background: list[dict[str, str]] = []
        for b in blocks:
            (page if b.by_page or origin_of(b.url) in origins else background).append(
                {"url": b.url, "reason": b.reason})
        return page, background

    def blocked_since(self, mark: int) -> list[dict[str, str]]:
        """Blocked requests the pages made since ``mark`` (what an action is answerable for)."""
        return self._blocks_since(mark)[0]

    def background_since(self, mark: int) -> list[dict[str, str]]:
        """Blocked requests no page made since ``mark`` (Chromium's own traffic)."""
        return self._blocks_since(mark)[1]

    def block_mark(self) -> int:
        """Position in the blocked log; also starts new unfiltered-hops and page-origin logs."""
        with self._lock:
            self._unfiltered.clear()
            self._page_origins.clear()
            return len(self._blocked)

    def unfiltered(self) -> list[dict[str, str]]:
        with self._lock:
            return list(self._unfiltered)

    def _route(self, route: Route) -> None:
        reason = self.policy.check(route.request.url)
        with contextlib.suppress(Error):
            if reason is None:
                route.continue_()
            else:
                self._record_block(route.request.url, reason, by_page=True)
                route.abort("blockedbyclient")

    def _route_ws(self, ws: WebSocketRoute) -> None:
        reason = self.policy.check(ws.url)
        if reason is None:
            ws.connect_to_server()
        else:
            self._record_block(ws.url, reason, by_page=True)
            ws.close(code=1008, reason="blocked by lam")

    def _on_request(self, request: Request) -> None:
        """Every request a page of the context makes (redirect hops included): remember its
        host and port, so that a proxy block of it is the page's. Playwright's route does not
        see redirect hops; in an attached browser (no proxy of ours) a denied hop can only be
        reported, and its page is refused afterwards."""
        origin = origin_of(request.url)
        if origin is not None:
            with self._lock:
                self._page_origins.add(origin)
        if not self.attached or request.redirected_from is None:
            return
        reason = self.policy.check(request.url)
        if reason:
            with self._lock:
                self._unfiltered.append({"url": request.url[:300], "reason": reason})

    def _on_hint(self, source: Any) -> None:
        self._hints += 1

    def _on_download(self, download: Download) -> None:
        self._downloads.append(download)

    def _on_page(self, page: Page) -> None:
        page.on("download", self._on_download)
        self._new_pages.append(page)

    def _url_problem(self, url: str) -> str | None:
        if url in ("", "about:blank") or url.startswith("chrome-error:"):
            return None
        return self.policy.check(url)

    # -- actions' building blocks --------------------------------------------------------------
    def goto(self, url: str) -> Outcome:
        """Navigate the current page and wait for it to load."""
        reason = self.policy.check(url)
        if reason:
            self._record_block(url, reason, by_page=True)
            raise BrowserFailure(f"blocked: {url}: {reason}")
        page = self.page
        mark = self.block_mark()
        try:
            page.goto(url, wait_until="load", timeout=self.timeout)
        except PWTimeout as exc:
            self._stop_loading(page)
            raise BrowserFailure(f"{url} did not load within {self.timeout} ms") from exc
        except Error as exc:
            blocked = self.blocked_since(mark)
            if blocked:
                self._blank(page)
                raise BrowserFailure(f"blocked: {blocked[-1]['url']}: {blocked[-1]['reason']}"
                                     ) from exc
            raise BrowserFailure(f"could not open {url}: {first_line(exc)}") from exc
        return self.finish(Outcome(navigated=True), mark)

    def act(self, do: Callable[[], None]) -> Outcome:
        """Run an input action (click, submit) and wait for whatever it starts to settle."""
        page = self.page
        mark = self.block_mark()
        state: dict[str, Any] = {"requests": [], "committed": False, "failed": None}
        main = page.main_frame

        def on_request(req: Request) -> None:
            if req.is_navigation_request() and req.frame == main:
                state["requests"].append(req)

        def on_failed(req: Request) -> None:
            if req in state["requests"]:
                state["failed"] = req.failure or "failed"

        def on_nav(frame: Any) -> None:
            if frame == main:
                state["committed"] = True

        page.on("request", on_request)
        page.on("requestfailed", on_failed)
        page.on("framenavigated", on_nav)
        downloads_before = len(self._downloads)
        hints_before = self._hints
        try:
            do()
            deadline = time.monotonic() + _SETTLE_S
            while (time.monotonic() < deadline and not state["requests"]
                   and not self._new_pages and len(self._downloads) == downloads_before):
                if self._hints > hints_before:  # something is coming: wait for it
                    deadline = max(deadline, time.monotonic() + self.timeout / 1000)
                page.wait_for_timeout(25)
            if state["requests"]:
                deadline = time.monotonic() + self.timeout / 1000
                while not (state["committed"] or state["failed"]):
                    if time.monotonic() > deadline:
                        self._stop_loading(page)
                        raise BrowserFailure(f"the page did not load within {self.timeout} ms")
                    page.wait_for_timeout(25)
                if state["committed"]:
                    page.wait_for_load_state("load", timeout=self.timeout)
                elif "ABORTED" in str(state["failed"]):  # a download aborts its navigation
                    deadline = time.monotonic() + _SETTLE_S
                    while (time.monotonic() < deadline
                           and len(self._downloads) == downloads_before):
                        page.wait_for_timeout(25)
        except PWTimeout as exc:
            raise BrowserFailure(f"the page did not load within {self.timeout} ms") from exc
        finally:
            with contextlib.suppress(Error):
                page.remove_listener("request", on_request)
                page.remove_listener("requestfailed", on_failed)
                page.remove_listener("framenavigated", on_nav)
        out = self.finish(Outcome(navigated=bool(state["committed"])), mark)
        if state["failed"] and out.blocked:
            raise BrowserFailure(f"blocked: {out.blocked[-1]['url']}: {out.blocked[-1]['reason']}")
        return out

    def finish(self, outcome: Outcome, mark: int) -> Outcome:
        """After an action: adopt a popup, handle downloads, refuse a page on a denied URL."""
        if self._new_pages:
            popup = self._new_pages[-1]
            self._new_pages.clear()
            if not popup.is_closed():
                with contextlib.suppress(Error):
                    popup.wait_for_load_state("load", timeout=self.timeout)
                if popup.url.startswith("chrome-error:") or self._url_problem(popup.url):
                    with contextlib.suppress(Error):
                        popup.close()
                    self._raise_blocked(mark, "the new window could not be loaded")
                self._page = popup
                outcome.popup = outcome.navigated = True
        outcome.downloads = self._handle_downloads()
        outcome.blocked, outcome.background = self._blocks_since(mark)
        for block in outcome.background:
            log.info("blocked a request no page made (Chromium's own traffic): %s: %s",
                     block["url"], block["reason"])
        outcome.unfiltered = self.unfiltered()
        page = self.page
        problem = self._url_problem(page.url)
        if problem:
            bad = page.url
            self._blank(page)
            raise BrowserFailure(f"blocked: {bad}: {problem}")
        if page.url.startswith("chrome-error:"):
            self._raise_blocked(mark, "the page could not be loaded")
        return outcome

    def _raise_blocked(self, mark: int, otherwise: str) -> None:
        blocked = self.blocked_since(mark)
        if blocked:
            raise BrowserFailure(f"blocked: {blocked[-1]['url']}: {blocked[-1]['reason']}")
        raise BrowserFailure(otherwise)

    def _handle_downloads(self) -> list[dict[str, str]]:
        done = []
        pending, self._downloads[:] = list(self._downloads), []
        for dl in pending:
            name = _SAFE_NAME.sub("_", dl.suggested_filename).strip("._") or "download"
            if not self.settings.downloads:
                with contextlib.suppress(Error):
                    dl.cancel()
                done.append({"url": dl.url, "file": name, "status": "refused (downloads off)"})
                continue
            reason = self.policy.check(dl.url) if not dl.url.startswith(("blob:", "data:")) \
                else None
            if reason:
                with contextlib.suppress(Error):
                    dl.cancel()
                done.append({"url": dl.url, "file": name, "status": f"refused: {reason}"})
                continue
            folder = self.data_dir / "quarantine"
            folder.mkdir(parents=True, exist_ok=True)
            dest = folder / name
            n = 1
            while dest.exists():
                dest = folder / f"{n}-{name}"
                n += 1
            try:
                dl.save_as(dest)
                done.append({"url": dl.url, "file": str(dest), "status": "saved"})
            except Error as exc:
                done.append({"url": dl.url, "file": name, "status": f"failed: {first_line(exc)}"})
        return done

    def _blank(self, page: Page) -> None:
        with contextlib.suppress(Error):
            page.goto("about:blank", timeout=self.timeout)

    def _stop_loading(self, page: Page) -> None:
        """Cancel a navigation that is still pending (``evaluate`` would wait for it)."""
        try:
            cdp = page.context.new_cdp_session(page)
            cdp.send("Page.stopLoading")
            cdp.detach()
        except Error:
            self._blank(page)

    def read(self) -> PageModel:
        """Snapshot the current page as a `PageModel` (and remember it)."""
        try:
            raw = self.page.evaluate(EXTRACT_JS, self.settings.max_entities)
        except Error as exc:
            raise BrowserFailure(f"could not read the page: {first_line(exc)}") from exc
        self.model = PageModel.from_raw(raw, self.settings.max_text_chars)
        return self.model

    def locate(self, attrs: dict[str, Any]) -> Locator:
        """Find an element again from its recipe: role + name + index, then the CSS fallback."""
        page = self.page
        role, name = attrs.get("role"), attrs.get("role_name")
        index = int(attrs.get("role_index", 0))
        if role and name:
            loc = page.get_by_role(role, name=name, exact=True)
            if loc.count() > index and _fingerprint_ok(loc.nth(index), attrs):
                return loc.nth(index)
        css, css_index = attrs.get("css"), attrs.get("css_index", -1)
        if css and css_index is not None and css_index >= 0:
            loc = page.locator(css)
            if loc.count() > css_index:
                return loc.nth(css_index)
        label = attrs.get("label") or attrs.get("text") or name or "element"
        raise BrowserFailure(f"'{label}' is no longer on the page; read the page again")


def _fingerprint_ok(loc: Locator, attrs: dict[str, Any]) -> bool:
    """Check a role match is the element recorded (same link target / same field name)."""
    if attrs.get("url"):
        return bool(loc.evaluate("el => el.href || ''") == attrs["url"])
    if attrs.get("kind") and attrs.get("name"):
        return bool(loc.evaluate("el => el.getAttribute('name') || ''") == attrs["name"])
    return True
