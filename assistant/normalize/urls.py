"""Navigation targets: "python docs" -> https://docs.python.org/3/, "example.com" ->
https://example.com/. Only http(s) URLs come out; other schemes are refused with a reason."""

from __future__ import annotations

import ipaddress
import json
import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = ["UrlError", "UrlErrorReason", "UrlResult", "find_addresses", "known_sites",
           "normalize_url"]


class UrlErrorReason(StrEnum):
    EMPTY = "empty"
    SCHEME = "scheme"  # javascript:, file:, data:, ftp: ...
    NOT_A_URL = "not_a_url"  # words that are neither a known site nor a host name
    CREDENTIALS = "credentials"  # user:password@host


@dataclass(frozen=True)
class UrlError:
    """Why a phrase is not a navigable URL (a value, not an exception)."""

    phrase: str
    reason: UrlErrorReason
    message: str


UrlResult = str | UrlError

_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.IGNORECASE)
_HOST = re.compile(
    r"^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{1,62}$",
    re.IGNORECASE)
_NAMED = ("the ", "site ", "website ", "page ")


@cache
def _load_sites() -> MappingProxyType[str, str]:
    raw: dict[str, Any] = json.loads(
        resources.files("assistant.normalize").joinpath("sites.json").read_text("utf-8"))
    return MappingProxyType({k.lower(): str(v) for k, v in raw.items()})


def known_sites() -> MappingProxyType[str, str]:
    """The built-in table of well-known site names (read-only)."""
    return _load_sites()


def normalize_url(phrase: str) -> UrlResult:
    """An absolute http(s) URL for ``phrase``, or why there is none."""
    text = phrase.strip().strip("<>\"'").strip()
    if not text:
        return UrlError(phrase, UrlErrorReason.EMPTY, "no address given")
    key = re.sub(r"\s+", " ", text.lower()).rstrip(".")
    for prefix in _NAMED:
        key = key.removeprefix(prefix)
    for suffix in (" website", " site", " homepage", " home page"):
        key = key.removesuffix(suffix)
    if key in known_sites():
        return known_sites()[key]
    if re.search(r"\s", text):
        return UrlError(phrase, UrlErrorReason.NOT_A_URL,
                        f"{text!r} is not a known site or address")
    scheme = _SCHEME.match(text)
    if scheme and not re.match(r"^[^:/]+:\d+(?:/|$)", text):  # "localhost:8000" has no scheme
        if scheme[1].lower() not in ("http", "https"):
            return UrlError(phrase, UrlErrorReason.SCHEME,
                            f"{scheme[1].lower()}: addresses are not opened, only http(s)")
        return _checked(phrase, text)
    return _checked(phrase, "https://" + text.rstrip("."), bare=True)


def _checked(phrase: str, url: str, *, bare: bool = False) -> UrlResult:
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port
    except ValueError as exc:
        return UrlError(phrase, UrlErrorReason.NOT_A_URL, str(exc))
    if parts.username or parts.password:
        return UrlError(phrase, UrlErrorReason.CREDENTIALS, "addresses with a password are refused")
    single_label = not bare and re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", host)
    if not (_HOST.match(host) or host == "localhost" or _is_ip(host) or single_label):
        return UrlError(phrase, UrlErrorReason.NOT_A_URL, f"{host or url!r} is not a host name")
    if bare and (host == "localhost" or _is_ip(host)):
        url = "http://" + url.removeprefix("https://")  # local servers rarely speak TLS
        parts = urlsplit(url)
    netloc = host.lower() + (f":{port}" if port is not None else "")
    if ":" in host:
        netloc = f"[{host}]" + (f":{port}" if port is not None else "")
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", parts.query,
                       parts.fragment))


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def find_addresses(text: str) -> list[str]:
    """The words of ``text`` that are web addresses ("docs.python.org", "example.com/x")."""
    out = []
    for token in text.split():
        token = token.strip(",.!?;:'\"()")
        if ("." in token or "/" in token) and isinstance(normalize_url(token), str):
            out.append(token)
    return out
