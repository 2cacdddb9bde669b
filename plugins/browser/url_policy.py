"""Which URLs the browser may load: a pure function of the URL and the settings.

Rules (``UrlPolicy.check`` returns None when allowed, else the reason):

* Schemes: only ``http``, ``https``, ``ws`` and ``wss`` reach the network. ``data:``, ``blob:``,
  ``file:``, ``javascript:``, ``chrome:`` ... are refused as navigation targets.
* URLs carrying credentials (``http://allowed.com@evil.com/``) are refused outright.
* Host names are compared in their canonical ASCII form: lower case, trailing dot removed,
  IDNA/punycode applied (so ``ＥＶＩＬ.com`` = ``evil.com``, ``bücher.de`` = ``xn--bcher-kva.de``).
* A list entry ``example.com`` (or ``*.example.com``) covers that host and all its subdomains;
  an entry may also be an IP address or a CIDR network (``10.0.0.0/8``). Denied wins over allowed.
* Empty allow list: every domain not denied is allowed. Non-empty: only listed ones.
* IP literals (including the legacy forms ``2130706433``, ``0x7f.1``, ``0177.0.0.1``):
  - loopback (``127.0.0.0/8``, ``::1``, ``localhost``): refused unless listed or
    ``allow_loopback`` is set (then allowed when the allow list is empty); the refusal
    names the setting and the config file to change;
  - private, link-local (cloud metadata ``169.254.169.254``), unspecified, multicast, reserved:
    refused unless listed or ``allow_private_ips`` is set;
  - public addresses: like domains (allowed when the allow list is empty or lists them).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

__all__ = ["NETWORK_SCHEMES", "UrlPolicy", "canonical_host", "parse_ip_host"]

NETWORK_SCHEMES = frozenset({"http", "https", "ws", "wss"})
IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_TAB_NEWLINE = re.compile(r"[\t\n\r]")
_LOCALHOST = re.compile(r"^(?:.+\.)?localhost$")


def _parse_ipv4_part(part: str) -> int | None:
    """One dotted part the WHATWG way: decimal, 0x-hex or 0-octal."""
    if not part:
        return None
    try:
        if part[:2].lower() == "0x":
            return int(part[2:] or "0", 16)
        if len(part) > 1 and part[0] == "0":
            return int(part[1:], 8)
        return int(part, 10)
    except ValueError:
        return None


def _parse_legacy_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """``2130706433``, ``0x7f.1``, ``0177.0.0.1`` ... as browsers read them (WHATWG IPv4)."""
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not 1 <= len(parts) <= 4:
        return None
    if _parse_ipv4_part(parts[-1]) is None:
        return None
    numbers = [_parse_ipv4_part(p) for p in parts]
    if any(n is None for n in numbers):
        return None
    nums = [n for n in numbers if n is not None]
    if any(n > 255 for n in nums[:-1]) or nums[-1] >= 256 ** (5 - len(nums)):
        return None
    value = nums[-1]
    for i, n in enumerate(nums[:-1]):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


def parse_ip_host(host: str) -> IPAddress | None:
    """The address an (already lower-cased, bracket-less) host denotes, or None for a name."""
    try:
        addr = ipaddress.ip_address(host)
    except ValueError:
        return _parse_legacy_ipv4(host)
    if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
        return addr.ipv4_mapped
    return addr


def canonical_host(host: str) -> str:
    """Lower-case ASCII (punycode) form of a host name; raises ValueError when malformed."""
    host = host.strip().rstrip(".").lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if not host:
        raise ValueError("empty host")
    if parse_ip_host(host) is not None or ":" in host:
        return host
    labels = []
    for label in host.split("."):
        if not label:
            raise ValueError(f"empty label in host {host!r}")
        # non-ASCII labels go through IDNA nameprep (NFKC + case fold) to punycode
        ascii_label = label if label.isascii() else label.encode("idna").decode("ascii")
        labels.append(ascii_label.lower())
    out = ".".join(labels)
    if not re.fullmatch(r"[a-z0-9_\-.]+", out):
        raise ValueError(f"invalid characters in host {host!r}")
    return out


@dataclass(frozen=True)
class _Entry:
    host: str | None = None
    network: IPNetwork | None = None

    def matches(self, host: str, addr: IPAddress | None) -> bool:
        if self.network is not None:
            return addr is not None and addr in self.network
        if self.host is None:
            return False
        return host == self.host or host.endswith("." + self.host)


def _entry(text: str) -> _Entry:
    raw = text.strip().lower()
    if raw.startswith("*."):
        raw = raw[2:]
    if "://" in raw:
        raw = urlsplit(raw).hostname or ""
    try:
        return _Entry(network=ipaddress.ip_network(raw.strip("[]"), strict=False))
    except ValueError:
        pass
    host = canonical_host(raw)
    addr = parse_ip_host(host)
    if addr is not None:
        return _Entry(network=ipaddress.ip_network(addr))
    return _Entry(host=host)


def _special(addr: IPAddress) -> bool:
    return bool(addr.is_private or addr.is_link_local or addr.is_unspecified
                or addr.is_multicast or addr.is_reserved)


@dataclass(frozen=True)
class UrlPolicy:
    """Allowed/denied domain lists applied to every URL the browser would load."""

    allowed: tuple[_Entry, ...] = ()
    denied: tuple[_Entry, ...] = ()
    allow_private_ips: bool = False
    allow_loopback: bool = False
    config_file: str = ""
    """The user's config file, named in the loopback refusal (empty = described)."""

    @classmethod
    def from_lists(cls, allowed: Iterable[str] = (), denied: Iterable[str] = (),
                   allow_private_ips: bool = False, allow_loopback: bool = False,
                   config_file: str = "") -> UrlPolicy:
        """Build from setting strings; raises ValueError for a malformed entry."""
        return cls(tuple(_entry(a) for a in allowed if a.strip()),
                   tuple(_entry(d) for d in denied if d.strip()), allow_private_ips,
                   allow_loopback, config_file)

    def _loopback_refused(self, host: str) -> str:
        where = self.config_file or "your lam config file (`lam doctor` shows where)"
        return (f"{host} is a loopback address; set allow_loopback = true under "
                f"[plugins.browser] in {where} to allow it")

    def check(self, url: str) -> str | None:
        """None when the browser may load ``url``, else the reason it may not."""
        text = _TAB_NEWLINE.sub("", url).strip(" \x00\x1f")
        scheme, sep, _rest = text.partition(":")
        scheme = scheme.lower()
        if not sep or scheme not in NETWORK_SCHEMES:
            return f"scheme '{scheme or '?'}:' is not allowed (only http, https, ws, wss)"
        text = text.replace("\\", "/")  # browsers read '\' as '/' in special URLs
        try:
            parts = urlsplit(text)
            netloc = parts.netloc
            if "@" in netloc:
                return "URLs with credentials (user@host) are not allowed"
            parts.port  # noqa: B018 - validates the port
            raw_host = parts.hostname or ""
            host = canonical_host(raw_host)
        except ValueError as exc:
            return f"malformed URL: {exc}"
        return self.check_host(host)

    def check_host(self, host: str) -> str | None:
        """The host part of `check`, for a canonical host (see `canonical_host`)."""
        addr = parse_ip_host(host)
        for entry in self.denied:
            if entry.matches(host, addr):
                return f"{host} is on the denied list"
        listed = any(entry.matches(host, addr) for entry in self.allowed)
        if listed:
            return None
        loopback = (addr is not None and addr.is_loopback) or bool(_LOCALHOST.match(host))
        if loopback:
            if not self.allow_loopback:
                return self._loopback_refused(host)
            return None if not self.allowed else f"{host} (loopback) is not on the allowed list"
        if addr is not None and _special(addr) and not self.allow_private_ips:
            return (f"{host} is a private or reserved address; list it in allowed_domains "
                    "or set allow_private_ips")
        if self.allowed:
            return f"{host} is not on the allowed list"
        return None

    def check_resolved(self, host: str, address: str) -> str | None:
        """Refuse a name that resolves to a private address (DNS rebinding) unless listed."""
        try:
            addr = parse_ip_host(canonical_host(address))
        except ValueError:
            return f"bad address {address!r}"
        if addr is None or parse_ip_host(host) is not None:
            return None
        if any(e.matches(host, None) or e.matches(address, addr) for e in self.allowed):
            return None
        if addr.is_loopback:
            if _LOCALHOST.match(host) and not self.allowed:
                return None if self.allow_loopback else self._loopback_refused(host)
            return f"{host} resolves to loopback {address}; list it in allowed_domains"
        if _special(addr) and not self.allow_private_ips:
            return f"{host} resolves to private address {address}"
        return None
