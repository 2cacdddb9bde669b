"""normalize_url: names of sites, bare host names, and refused schemes."""

from __future__ import annotations

import pytest

from assistant.normalize import UrlError, UrlErrorReason, known_sites, normalize_url


@pytest.mark.parametrize(("phrase", "expected"), [
    ("python docs", "https://docs.python.org/3/"),
    ("Python Docs", "https://docs.python.org/3/"),
    ("the python docs", "https://docs.python.org/3/"),
    ("wikipedia", "https://en.wikipedia.org/"),
    ("Wikipedia.", "https://en.wikipedia.org/"),
    ("hacker news", "https://news.ycombinator.com/"),
    ("github website", "https://github.com/"),
    ("example.com", "https://example.com/"),
    ("Example.COM/Path?q=1", "https://example.com/Path?q=1"),
    ("news.ycombinator.com/item?id=1", "https://news.ycombinator.com/item?id=1"),
    ("http://127.0.0.1:8000/list", "http://127.0.0.1:8000/list"),
    ("https://example.com/a#frag", "https://example.com/a#frag"),
    ("HTTPS://Example.com", "https://example.com/"),
    ("http://x/list", "http://x/list"),  # a single-label host with an explicit scheme
    ("localhost:8000/x", "http://localhost:8000/x"),  # local servers default to http
    ("127.0.0.1:8000", "http://127.0.0.1:8000/"),
    ("<https://example.org/>", "https://example.org/"),
])
def test_normalized(phrase: str, expected: str) -> None:
    assert normalize_url(phrase) == expected


@pytest.mark.parametrize(("phrase", "reason"), [
    ("javascript:alert(1)", UrlErrorReason.SCHEME),
    ("JavaScript:alert(1)", UrlErrorReason.SCHEME),
    ("file:///etc/passwd", UrlErrorReason.SCHEME),
    ("data:text/html,<b>hi</b>", UrlErrorReason.SCHEME),
    ("ftp://example.org/", UrlErrorReason.SCHEME),
    ("mailto:bob@example.org", UrlErrorReason.SCHEME),
    ("https://user:secret@example.org/", UrlErrorReason.CREDENTIALS),
    ("the cats page", UrlErrorReason.NOT_A_URL),
    ("foo", UrlErrorReason.NOT_A_URL),  # a bare word is not a host
    ("http://exa mple.com", UrlErrorReason.NOT_A_URL),
    ("   ", UrlErrorReason.EMPTY),
])
def test_refused_with_reason(phrase: str, reason: UrlErrorReason) -> None:
    result = normalize_url(phrase)
    assert isinstance(result, UrlError)
    assert result.reason is reason
    assert result.message


def test_site_table_is_data_of_https_urls() -> None:
    sites = known_sites()
    assert len(sites) >= 30
    assert all(url.startswith("https://") and normalize_url(url) == url for url in sites.values())
    with pytest.raises(TypeError):
        sites["evil"] = "https://evil.example/"  # type: ignore[index]
