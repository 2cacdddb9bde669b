"""Fixtures for the headless commands: a local HTTP server that counts requests, a real SMTP
server, and a lam home configured for both (no model: tier 0 templates only)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.messaging.servers import ScriptedHandler, SmtpServer


class Site:
    """Serves /list (three links) and whatever pages a test sets; counts every request."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.pages: dict[str, str] = {}
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                body = site.pages.get(self.path)
                if body is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def set_list(self, names: list[str]) -> None:
        links = "".join(f'<li><a href="/{n.lower()}">{n}</a></li>' for n in names)
        self.pages["/list"] = f"<html><head><title>List</title></head><body><ul>{links}</ul>" \
                              "</body></html>"
        for n in names:
            self.pages[f"/{n.lower()}"] = f"<html><head><title>{n}</title></head>" \
                                          f"<body><h1>{n}</h1></body></html>"


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    s.set_list(["Alpha", "Beta", "Gamma"])
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(ScriptedHandler())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def configured_home(lam_home: Path, smtp: SmtpServer) -> Path:
    (lam_home / "config" / "plugins.toml").write_text(f'''
[lam]
model = ""
large_model = ""
timezone = "Europe/Berlin"

[plugins.messaging]
from_address = "Ann Lee <ann@example.org>"
smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
smtp_security = "plain"
sent_copies = "none"

[plugins.browser]
allow_loopback = true
''')
    return lam_home
