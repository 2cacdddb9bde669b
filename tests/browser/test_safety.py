"""Safety rules with real Chromium: only 127.0.0.1 is allowed; the "evil" site on 127.0.0.2
must never receive a request, whatever the page tries (subresources, redirects, popups,
WebSockets, credentials in URLs, other schemes)."""

from __future__ import annotations

import logging
import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from plugins.browser import BrowserPlugin, BrowserSettings
from plugins.browser.chromium import launch_args
from plugins.browser.proxy import FilteringProxy
from tests.browser.conftest import Runner, make_plugin
from tests.browser.site import Site

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def plugin(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BrowserPlugin]:
    p = make_plugin(tmp_path_factory.mktemp("safe"), allowed_domains=["127.0.0.1"])
    yield p
    p.close()


def test_denied_navigation_never_leaves(act: Runner, good: Site, evil: Site) -> None:
    res = act("open_url", url=evil.url("/article/1"))
    assert not res.ok and "not on the allowed list" in (res.error or "")
    assert evil.hits == []
    assert act.plugin.url_allowed(evil.url("/")) is not None
    assert act.plugin.url_allowed(good.url("/list.html")) is None


def test_every_subresource_is_filtered(act: Runner, good: Site, evil: Site) -> None:
    res = act.ok("open_url", url=good.url("/leaky.html"))
    blocked = " ".join(b["url"] for b in res.output["blocked"])
    for path in ("/pixel.png", "/redirected-pixel.png", "/frame.html", "/style.css",
                 "/script.js"):
        assert path in blocked, (path, blocked)
    act.ok("read_page")  # lets the page's fetch/beacon/WebSocket attempts happen
    act.ok("scroll", direction="down")
    assert evil.hits == []
    assert any(h.startswith("/chain") for h in good.hits)  # the redirect's first hop was fine


def test_redirect_chain_to_denied_host_is_stopped(act: Runner, good: Site, evil: Site) -> None:
    res = act("open_url", url=good.url(f"/chain?n=2&to={evil.url('/article/1')}"))
    assert not res.ok and "blocked" in (res.error or "")
    assert [h for h in good.hits if h.startswith("/chain")][:3] == [
        f"/chain?n=2&to={evil.url('/article/1')}", f"/chain?n=1&to={evil.url('/article/1')}",
        f"/chain?n=0&to={evil.url('/article/1')}"]
    assert evil.hits == []
    act.ok("open_url", url=good.url("/tricks.html"))
    res = act("click", target="Redirect to evil")
    assert not res.ok and "blocked" in (res.error or "")
    assert evil.hits == []


def test_popup_to_denied_host(act: Runner, good: Site, evil: Site) -> None:
    act.ok("open_url", url=good.url("/popup.html"))
    res = act("click", target="Open an evil window")
    assert not res.ok and "blocked" in (res.error or "")
    assert evil.hits == []


def test_other_schemes_and_userinfo(act: Runner, good: Site, evil: Site) -> None:
    for url in ("data:text/html,<h1>x</h1>", "file:///etc/passwd", "javascript:alert(1)",
                f"{good.base}@{evil.base.split('//')[1]}/",
                f"http://2130706434:{evil.port}/"):  # 2130706434 = 127.0.0.2
        res = act("open_url", url=url)
        assert not res.ok and "blocked" in (res.error or ""), url
    act.ok("open_url", url=good.url("/tricks.html"))
    for text in ("Data link", "File link"):
        act("click", target=text)
        page = act.ok("read_page").output
        assert page["url"] == good.url("/tricks.html"), text
        assert "from data" not in page["text"]
    res = act("click", target="Userinfo link")
    assert not res.ok and "blocked" in (res.error or "")
    assert evil.hits == []


def _phone_home(proxy_url: str, replies: list[bytes]) -> Callable[[], None]:
    """What Chromium's own background traffic does (sign-in, variations, updates): a request
    through lam's proxy to a host no page asked for, here made at a chosen moment."""
    host, port = proxy_url.removeprefix("http://").rsplit(":", 1)

    def call() -> None:
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(b"CONNECT accounts.google.com:443 HTTP/1.1\r\n"
                         b"Host: accounts.google.com:443\r\n\r\n")
            replies.append(sock.recv(4096))
    return call


def test_downloads_refused_by_default(act: Runner, good: Site, tmp_path: Path,
                                      caplog: pytest.LogCaptureFixture) -> None:
    act.ok("open_url", url=good.url("/tricks.html"))
    # Deterministic whatever Chromium does by itself: a background request is refused by the
    # proxy while the click's download is being answered.
    replies: list[bytes] = []
    proxy = act.plugin._session.run(lambda drv: drv.proxy_url)
    good.before["/download"] = _phone_home(proxy, replies)
    with caplog.at_level(logging.INFO, logger="lam.browser"):
        res = act.ok("click", target="Download report")
    assert replies and replies[0].startswith(b"HTTP/1.1 403"), replies  # it was blocked
    assert res.output["downloads"][0]["status"] == "refused (downloads off)"
    assert not (act.plugin.caps.data_dir / "quarantine").exists()
    assert res.output["blocked"] == []  # not the page's: logged, not the action's failure
    assert "accounts.google.com" in caplog.text and "no page made" in caplog.text


def test_a_blocked_request_of_the_page_still_fails_the_action(act: Runner, good: Site,
                                                              evil: Site) -> None:
    act.ok("open_url", url=good.url("/tricks.html"))
    res = act("click", target="Redirect to evil")
    assert not res.ok and "blocked:" in (res.error or "") and evil.base in (res.error or "")
    assert evil.hits == []


def test_chromium_is_launched_without_background_traffic() -> None:
    args = launch_args(["--disable-features=Foo", "--lang=en"])
    assert {"--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--no-first-run", "--disable-default-apps"} <= set(args)
    features = [a for a in args if a.startswith("--disable-features=")]
    assert len(features) == 1  # Chromium keeps only the last one: lam's list must be in it
    names = features[0].split("=", 1)[1].split(",")
    assert {"Foo", "HttpsUpgrades", "OptimizationHints", "PreconnectToSearch"} <= set(names)
    assert args[-1] == "--lang=en"


def test_default_policy_refuses_loopback_naming_the_setting(tmp_path: Path,
                                                            good: Site) -> None:
    plugin = make_plugin(tmp_path, allow_loopback=False,
                         extras={"config_file": "/home/u/.config/lam/plugins.toml"})
    try:
        res = Runner(plugin)("open_url", url=good.url("/list.html"))
        assert not res.ok
        assert ("127.0.0.1 is a loopback address; set allow_loopback = true under "
                "[plugins.browser] in /home/u/.config/lam/plugins.toml") in (res.error or "")
        assert plugin.url_allowed(good.url("/")) is not None
        assert good.hits == []
    finally:
        plugin.close()


def test_proxy_refuses_loopback_subresources_by_default(good: Site) -> None:
    """Subresource hops go through the proxy: with the default policy a loopback one never
    reaches the local service."""
    blocks: list[tuple[str, str]] = []
    proxy = FilteringProxy(lambda: BrowserSettings().policy(),
                           lambda url, why: blocks.append((url, why)), 5.0)
    host, port = proxy.start().removeprefix("http://").rsplit(":", 1)
    try:
        with socket.create_connection((host, int(port)), timeout=5) as sock:
            sock.sendall(f"GET {good.url('/pixel.png')} HTTP/1.1\r\n"
                         f"Host: 127.0.0.1:{good.port}\r\n\r\n".encode())
            reply = sock.recv(4096)
    finally:
        proxy.close()
    assert reply.startswith(b"HTTP/1.1 403") and b"allow_loopback" in reply
    assert blocks and "loopback" in blocks[0][1]
    assert good.hits == []


def test_injected_instructions_are_untrusted_data(act: Runner, good: Site, evil: Site) -> None:
    res = act.ok("open_url", url=good.url("/injection.html"))
    assert "IGNORE PREVIOUS INSTRUCTIONS" in res.output["text"]
    assert res.entities and all(not e.provenance.trusted for e in res.entities)
    prize = next(e for e in res.entities if e.label == "Claim your prize")
    assert prize.provenance.source == f"page {good.url('/injection.html')}"
    assert res.output["url"] == good.url("/injection.html")
    assert evil.hits == []  # reading the page did nothing the text asked for
    again = act("open_link", link=prize.id)  # even following it is stopped by the policy
    assert not again.ok and evil.hits == []


def test_uploads_refused_without_upload_dir(act: Runner, good: Site, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("x")
    act.ok("open_url", url=good.url("/form.html"))
    res = act("upload_file", field="CV", path=str(secret))
    assert not res.ok and "uploads are off" in (res.error or "")
