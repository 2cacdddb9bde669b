"""A local web site for the browser tests: the fixture pages plus dynamic routes (redirect
chains, slow and never-answering pages, downloads, a form echo), on a loopback address, in a
thread. Every request is logged in ``hits`` so a test can prove a blocked request never left."""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

__all__ = ["Site"]

FIXTURES = Path(__file__).resolve().parent / "fixtures"


class Site:
    """``Site("127.0.0.1", evil=other)``: fixture pages' EVIL placeholders point at ``other``."""

    def __init__(self, host: str = "127.0.0.1", evil: Site | None = None) -> None:
        self.host = host
        self.evil = evil
        self.hits: list[str] = []
        self.before: dict[str, Callable[[], None]] = {}
        """Path -> something to do before answering it (what else happens meanwhile)."""
        self._stop = threading.Event()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site._serve(self, {})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("utf-8", "replace")
                site._serve(self, dict(parse_qsl(body, keep_blank_values=True)))

        self._server = ThreadingHTTPServer((host, 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True,
                                        kwargs={"poll_interval": 0.1})
        self._thread.start()

    def url(self, path: str) -> str:
        return self.base + path

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    # -- routes --------------------------------------------------------------------------------
    def _page(self, title: str, body: str) -> bytes:
        return (f"<!doctype html><html><head><title>{html.escape(title)}</title></head>"
                f"<body>{body}</body></html>").encode()

    def _fill(self, text: str) -> str:
        evil = self.evil.base if self.evil else "http://evil.invalid"
        evil_host = evil.split("//", 1)[1]
        return (text.replace("EVIL_WS", f"ws://{evil_host}").replace("EVIL", evil)
                .replace("USERINFO", f"http://{self.host}:{self.port}@{evil_host}"))

    def _serve(self, req: BaseHTTPRequestHandler, form: dict[str, str]) -> None:
        self.hits.append(req.path)
        parts = urlsplit(req.path)
        hook = self.before.get(parts.path)
        if hook is not None:
            hook()
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        path = {"/list": "/list.html", "/form": "/form.html"}.get(parts.path, parts.path)
        status, ctype, headers = 200, "text/html; charset=utf-8", {}
        if path in ("/", "/index.html"):
            body = self._page("Home", '<h1>Home</h1><a href="/list.html">List</a>')
        elif path.startswith("/article/"):
            n = html.escape(path.rsplit("/", 1)[1])
            body = self._page(f"Article {n}",
                              f"<main><h1>Article {n}</h1><p>Body of article {n}.</p>"
                              '<a href="/list.html">Back to the list</a></main>')
        elif path == "/chain":
            n = int(query.get("n", "0"))
            target = query.get("to", "/")
            loc = f"/chain?n={n - 1}&to={target}" if n > 0 else target
            status, body, headers = 302, b"", {"Location": loc}
        elif path == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            body = self._page("Slow page", "<h1>Finally</h1>")
        elif path == "/never":
            self._stop.wait(60)
            return
        elif path == "/download":
            ctype = "text/csv"
            headers = {"Content-Disposition": 'attachment; filename="report.csv"'}
            body = b"fruit,price\napple,1.20\n"
        elif path == "/echo":
            data = {**query, **form}
            rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{html.escape(v)}</td></tr>"
                           for k, v in data.items())
            body = self._page("Received", f"<h1>Received {req.command}</h1>"
                                          f"<table><tr><th>Field</th><th>Value</th></tr>{rows}"
                                          "</table>")
        elif (FIXTURES / path.lstrip("/")).is_file() and path.endswith(".html"):
            body = self._fill((FIXTURES / path.lstrip("/")).read_text("utf-8")).encode()
        else:
            status, body = 404, self._page("Not found", "<h1>Not found</h1>")
        try:
            req.send_response(status)
            req.send_header("Content-Type", ctype)
            req.send_header("Content-Length", str(len(body)))
            for key, value in headers.items():
                req.send_header(key, value)
            req.end_headers()
            req.wfile.write(body)
        except OSError:
            pass
