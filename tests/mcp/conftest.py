"""MCP test helpers: the FastMCP demo server (this folder) and the reference filesystem server
from npm, both run as real subprocesses; a lam home whose plugins.toml names them."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DEMO_SERVER = Path(__file__).resolve().parent / "demo_server.py"
FS_PACKAGE = "@modelcontextprotocol/server-filesystem"
FS_VERSION = "2026.8.31"
NPM_PREFIX = Path(os.environ.get("LAM_NPM_PREFIX", Path.home() / ".cache" / "lam" / "npm"))
FS_SERVER = NPM_PREFIX / "node_modules" / FS_PACKAGE / "dist" / "index.js"


def fs_server_js() -> Path:
    """The reference filesystem server's entry point; the test fails (never skips) without it."""
    if not FS_SERVER.is_file():
        pytest.fail(f"the reference MCP filesystem server is not installed at {FS_SERVER}: run "
                    f"scripts/install.sh --test (it runs `npm install --prefix {NPM_PREFIX} "
                    f"{FS_PACKAGE}@{FS_VERSION}`)")
    return FS_SERVER


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited with {proc.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listening on 127.0.0.1:{port} after {timeout} s")


@pytest.fixture
def demo_http() -> Iterator[str]:
    """The demo server over streamable HTTP on loopback; yields its URL."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(DEMO_SERVER), "--http", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_port(port, proc)
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        proc.terminate()
        proc.wait(10)


NO_BUILTINS = """
[lam]
model = ""
large_model = ""

[plugins.browser]
enabled = false

[plugins.scheduler]
enabled = false
"""


def demo_table(name: str = "demo", **extra: object) -> str:
    """A [mcp.servers.NAME] table that runs the demo server with this Python."""
    lines = [f"[mcp.servers.{name}]", f"command = {str(sys.executable)!r}",
             f"args = [{str(DEMO_SERVER)!r}]"]
    lines += [f"{k} = {_toml(v)}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "{ " + ", ".join(f'{k} = "{v}"' for k, v in value.items()) + " }"
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


HomeFactory = Callable[[str], Path]


@pytest.fixture
def lam_home(tmp_path: Path) -> HomeFactory:
    """Write a plugins.toml (after NO_BUILTINS) into a fresh lam home and return the home."""

    def make(tables: str) -> Path:
        home = tmp_path / "home"
        (home / "config").mkdir(parents=True, exist_ok=True)
        (home / "config" / "plugins.toml").write_text(NO_BUILTINS + tables)
        return home

    return make
