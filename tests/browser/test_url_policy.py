"""The URL policy as a pure function (no browser)."""

from __future__ import annotations

import pytest

from plugins.browser.url_policy import UrlPolicy, canonical_host, parse_ip_host

OPEN = UrlPolicy.from_lists()
LOCAL = UrlPolicy.from_lists(allow_loopback=True)
LISTED = UrlPolicy.from_lists(["example.com", "bücher.de", "10.1.2.3", "192.168.0.0/16"],
                              ["ads.example.com"])


@pytest.mark.parametrize("url", [
    "https://example.com/", "http://www.example.com/a?b=c", "wss://example.com/socket",
    "HTTPS://EXAMPLE.COM/", "https://example.com./", "https://sub.ex-ample.org:8443/",
    "http://8.8.8.8/",
])
def test_open_policy_allows_web(url: str) -> None:
    assert OPEN.check(url) is None
    assert LOCAL.check(url) is None


LOOPBACK_URLS = ["http://127.0.0.1:8000/list", "http://localhost:3000/", "http://[::1]:8080/",
                 "http://127.9.9.9/", "http://2130706433/", "http://0x7f.1/", "http://127.1/",
                 "http://[::ffff:127.0.0.1]/", "http://app.localhost/", "ws://127.0.0.1:9/",
                 "http://LOCALHOST./"]


@pytest.mark.parametrize("url", LOOPBACK_URLS)
def test_loopback_refused_by_default_naming_the_setting(url: str) -> None:
    reason = OPEN.check(url)
    assert reason is not None and "is a loopback address" in reason, reason
    assert "set allow_loopback = true under [plugins.browser]" in reason
    named = UrlPolicy.from_lists(config_file="/home/u/.config/lam/plugins.toml").check(url)
    assert named is not None and "in /home/u/.config/lam/plugins.toml" in named


@pytest.mark.parametrize("url", LOOPBACK_URLS)
def test_allow_loopback_allows_loopback(url: str) -> None:
    assert LOCAL.check(url) is None


@pytest.mark.parametrize(("url", "why"), [
    ("data:text/html,<script>alert(1)</script>", "scheme"),
    ("blob:https://example.com/1234", "scheme"),
    ("file:///etc/passwd", "scheme"),
    ("javascript:alert(1)", "scheme"),
    ("chrome://settings", "scheme"),
    ("ftp://example.com/", "scheme"),
    ("example.com", "scheme"),
    ("", "scheme"),
    ("http://allowed.com@evil.com/", "credentials"),
    ("http://user:pw@example.com/", "credentials"),
    ("http://a@b@example.com/", "credentials"),
    ("http://10.0.0.1/", "private"),
    ("http://192.168.1.1/admin", "private"),
    ("http://169.254.169.254/latest/meta-data/", "private"),
    ("http://0.0.0.0:8000/", "private"),
    ("http://[fd00::1]/", "private"),
    ("http://[::ffff:10.0.0.1]/", "private"),
    ("http://0xa.0.0.1/", "private"),
    ("http://167772161/", "private"),  # 10.0.0.1 as one number
    ("http://example.com:99999/", "malformed"),
])
def test_open_policy_refuses(url: str, why: str) -> None:
    reason = OPEN.check(url)
    assert reason is not None and why in reason, reason


def test_denied_list_wins_and_covers_subdomains() -> None:
    policy = UrlPolicy.from_lists([], ["evil.com", "*.tracker.net"])
    assert policy.check("https://evil.com/") is not None
    assert policy.check("https://a.b.evil.com/") is not None
    assert policy.check("https://EVIL.COM./") is not None
    assert policy.check("https://x.tracker.net/") is not None
    assert policy.check("https://notevil.com/") is None  # suffix, not a subdomain
    assert policy.check("https://evil.com.attacker.org/") is None
    assert LISTED.check("https://ads.example.com/") is not None
    assert LISTED.check("https://www.example.com/") is None


def test_allow_list_is_strict() -> None:
    assert LISTED.check("https://example.com/") is None
    assert LISTED.check("https://deep.sub.example.com/") is None
    assert LISTED.check("https://example.org/") is not None
    assert LISTED.check("https://myexample.com/") is not None
    assert LISTED.check("https://example.com.evil.org/") is not None
    assert LISTED.check("http://allowed.example.com@evil.org/") is not None


def test_unicode_and_punycode_hosts() -> None:
    assert LISTED.check("https://bücher.de/") is None
    assert LISTED.check("https://xn--bcher-kva.de/") is None
    assert LISTED.check("https://BÜCHER.de/") is None
    assert LISTED.check("https://ｅｘａｍｐｌｅ.com/") is None  # fullwidth = example.com
    assert LISTED.check("https://еxample.com/") is not None  # Cyrillic 'е': another domain
    policy = UrlPolicy.from_lists([], ["ｅｖｉｌ.com"])
    assert policy.check("https://evil.com/") is not None
    assert canonical_host("Bücher.DE.") == "xn--bcher-kva.de"


def test_ip_literal_rules() -> None:
    # loopback: allowed when listed, or with allow_loopback and an empty allow list
    assert LISTED.check("http://127.0.0.1/") is not None
    assert UrlPolicy.from_lists(["example.com"], allow_loopback=True).check(
        "http://127.0.0.1/") is not None
    assert LISTED.check("http://localhost/") is not None
    assert UrlPolicy.from_lists(["127.0.0.1"]).check("http://127.0.0.1:9/") is None
    assert UrlPolicy.from_lists(["127.0.0.1"]).check("http://127.0.0.2:9/") is not None
    assert UrlPolicy.from_lists(["localhost"]).check("http://localhost:9/") is None
    # private: refused unless listed (address or network) or allow_private_ips
    assert LISTED.check("http://10.1.2.3/") is None
    assert LISTED.check("http://10.1.2.4/") is not None
    assert LISTED.check("http://192.168.7.7/") is None
    assert UrlPolicy.from_lists(allow_private_ips=True).check("http://10.0.0.1/") is None
    # public addresses behave like domains
    assert LISTED.check("http://8.8.8.8/") is not None
    assert UrlPolicy.from_lists(["8.8.8.8"]).check("http://8.8.8.8/") is None
    # legacy IPv4 spellings are the address they denote
    deny = UrlPolicy.from_lists([], ["127.0.0.2"], allow_loopback=True)
    for host in ("127.0.0.2", "2130706434", "0x7f.0.0.2", "0177.0.0.2", "127.2",
                 "[::ffff:127.0.0.2]"):
        assert deny.check(f"http://{host}:8000/") is not None, host
    assert deny.check("http://127.0.0.1:8000/") is None


def test_ip_parsing() -> None:
    assert str(parse_ip_host("2130706433")) == "127.0.0.1"
    assert str(parse_ip_host("0x7f.1")) == "127.0.0.1"
    assert str(parse_ip_host("0177.0.0.1")) == "127.0.0.1"
    assert parse_ip_host("example.com") is None
    assert parse_ip_host("1.2.3.4.5") is None
    assert parse_ip_host("256.1.1.1") is None


def test_tabs_newlines_and_backslashes_are_read_as_browsers_do() -> None:
    policy = UrlPolicy.from_lists(["example.com"])
    assert policy.check("https://exa\tmple.com/") is None
    assert policy.check("https://evil.com\\.example.com/") is not None
    assert policy.check("http://evil.com\\@example.com/") is not None  # host is evil.com
    assert policy.check("  https://example.com/  ") is None


def test_resolved_addresses() -> None:
    assert OPEN.check_resolved("example.com", "93.184.216.34") is None
    assert OPEN.check_resolved("rebind.example", "10.0.0.5") is not None
    assert OPEN.check_resolved("rebind.example", "127.0.0.1") is not None
    assert OPEN.check_resolved("localhost", "127.0.0.1") is not None
    assert LOCAL.check_resolved("localhost", "127.0.0.1") is None
    assert LOCAL.check_resolved("rebind.example", "127.0.0.1") is not None
    assert UrlPolicy.from_lists(["intranet.corp"]).check_resolved(
        "intranet.corp", "10.0.0.5") is None
    assert OPEN.check_resolved("10.0.0.5", "10.0.0.5") is None  # literal: already checked


def test_bad_entries_are_rejected() -> None:
    with pytest.raises(ValueError):
        UrlPolicy.from_lists(["exa mple.com"])
