"""A tiny filtering HTTP proxy on loopback that a launched Chromium sends every request through.

Playwright's ``context.route`` sees only the first URL of a redirect chain; Chromium sends
every hop (redirects, popups, workers, out-of-process iframes, WebSockets) through its proxy,
so the URL policy is applied here to each of them. Plain HTTP is forwarded with
``Connection: close``; HTTPS/WSS are tunnelled after ``CONNECT host:port`` is checked.
Names are resolved here and checked again (`UrlPolicy.check_resolved`) before connecting to the
exact address that was checked.
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import socketserver
import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from plugins.browser.url_policy import UrlPolicy, canonical_host

__all__ = ["FilteringProxy"]

_MAX_HEAD = 64 * 1024
_HOP_HEADERS = {b"connection", b"proxy-connection", b"keep-alive", b"proxy-authorization"}


def _read_head(sock: socket.socket) -> tuple[bytes, bytes] | None:
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = sock.recv(8192)
        if not chunk:
            return None
        buf += chunk
        if len(buf) > _MAX_HEAD:
            return None
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest


def _rewrite_headers(lines: list[bytes]) -> bytes:
    kept = [ln for ln in lines if ln.split(b":", 1)[0].strip().lower() not in _HOP_HEADERS]
    return b"\r\n".join([*kept, b"Connection: close"]) + b"\r\n\r\n"


def _response(status: str, body: str = "") -> bytes:
    data = body.encode()
    return (f"HTTP/1.1 {status}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(data)}\r\nConnection: close\r\n\r\n").encode() + data


class FilteringProxy:
    """Start with `start()`; ``server_url`` is what Chromium's ``--proxy-server`` takes."""

    def __init__(self, policy: Callable[[], UrlPolicy], on_block: Callable[[str, str], None],
                 timeout_s: float) -> None:
        self._policy = policy
        self._on_block = on_block
        self._timeout = timeout_s
        self._server: socketserver.ThreadingTCPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def server_url(self) -> str:
        if self._server is None:
            raise RuntimeError("proxy not started")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> str:
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                proxy._handle(self.request)

        server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        server.daemon_threads = True
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, name="lam-browser-proxy",
                                        kwargs={"poll_interval": 0.2}, daemon=True)
        self._thread.start()
        return self.server_url

    def close(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    # -- one client connection -----------------------------------------------------------------
    def _handle(self, client: socket.socket) -> None:
        client.settimeout(self._timeout)
        try:
            got = _read_head(client)
            if got is None:
                return
            head, rest = got
            lines = head.split(b"\r\n")
            parts = lines[0].decode("latin-1").split(" ")
            if len(parts) != 3:
                client.sendall(_response("400 Bad Request"))
                return
            method, target, version = parts
            if method.upper() == "CONNECT":
                self._tunnel(client, target, rest)
            else:
                self._forward(client, method, target, version, lines[1:], rest)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                client.close()

    def _connect(self, client: socket.socket, url: str, host: str,
                 port: int) -> socket.socket | None:
        policy = self._policy()
        reason = policy.check(url)
        address = ""
        if reason is None:
            try:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                address = str(infos[0][4][0])
                reason = policy.check_resolved(canonical_host(host), address)
            except (OSError, ValueError, IndexError) as exc:
                client.sendall(_response("502 Bad Gateway", f"cannot resolve {host}: {exc}"))
                return None
        if reason is not None:
            self._on_block(url, reason)
            client.sendall(_response("403 Forbidden", f"blocked by lam: {reason}"))
            return None
        try:
            return socket.create_connection((address, port), timeout=self._timeout)
        except OSError as exc:
            client.sendall(_response("502 Bad Gateway", f"cannot connect to {host}: {exc}"))
            return None

    def _tunnel(self, client: socket.socket, target: str, rest: bytes) -> None:
        host, _, port_text = target.rpartition(":")
        host = host.strip("[]")
        try:
            port = int(port_text)
        except ValueError:
            client.sendall(_response("400 Bad Request"))
            return
        scheme = "https" if port != 80 else "http"
        upstream = self._connect(client, f"{scheme}://{target}/", host, port)
        if upstream is None:
            return
        with upstream:
            client.sendall(b"HTTP/1.1 200 Connection Established\r\n\r\n")
            if rest:
                upstream.sendall(rest)
            self._pipe(client, upstream)

    def _forward(self, client: socket.socket, method: str, target: str, version: str,
                 headers: list[bytes], rest: bytes) -> None:
        try:
            parts = urlsplit(target)
            host = parts.hostname or ""
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:
            client.sendall(_response("400 Bad Request"))
            return
        if parts.scheme not in ("http", "ws") or not host:
            self._on_block(target, "only absolute http:// requests are proxied")
            client.sendall(_response("403 Forbidden", "blocked by lam: not an http URL"))
            return
        upstream = self._connect(client, target, host, port)
        if upstream is None:
            return
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        with upstream:
            upstream.sendall(f"{method} {path} {version}\r\n".encode("latin-1")
                             + _rewrite_headers(headers) + rest)
            got = _read_head(upstream)
            if got is None:
                return
            head, body = got
            lines = head.split(b"\r\n")
            client.sendall(lines[0] + b"\r\n" + _rewrite_headers(lines[1:]) + body)
            self._pipe(client, upstream)

    def _pipe(self, client: socket.socket, upstream: socket.socket) -> None:
        """Copy bytes both ways until the upstream closes or nothing moves for a timeout."""
        sel = selectors.DefaultSelector()
        sel.register(client, selectors.EVENT_READ, upstream)
        sel.register(upstream, selectors.EVENT_READ, client)
        try:
            open_ends = 2
            while open_ends:
                events = sel.select(timeout=max(self._timeout, 60.0))
                if not events:
                    return
                for key, _ in events:
                    src = key.fileobj
                    dst: socket.socket = key.data
                    assert isinstance(src, socket.socket)
                    data = src.recv(65536)
                    if not data:
                        if src is upstream:
                            return
                        sel.unregister(src)
                        open_ends -= 1
                        with contextlib.suppress(OSError):
                            dst.shutdown(socket.SHUT_WR)
                        continue
                    dst.sendall(data)
        finally:
            sel.close()
