"""End-to-end fixtures: the *installed* `lam` command as a subprocess on a fresh home, against
real servers on loopback (aiosmtpd SMTP, a local http site; Dovecot where a test needs it).

These tests run flows exactly as a user types them. They never import lam's internals to do the
work; they may read lam's files (the journal, the scheduler database) to check the outcome."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.headless.conftest import Site
from tests.messaging.servers import ScriptedHandler, SmtpServer


def installed_lam() -> str:
    """The `lam` console script of the environment running the tests (what `pip install`
    made), not `python -m`: a broken entry point must fail these tests."""
    beside = Path(sys.executable).parent / "lam"
    if beside.is_file():
        return str(beside)
    found = shutil.which("lam")
    if found is None:
        pytest.fail("the `lam` command is not installed: run `pip install -e .` (make test does)")
    return found


@dataclass
class E2E:
    """A fresh lam home and a way to run the installed `lam` in it."""

    home: Path
    workdir: Path
    env: dict[str, str] = field(default_factory=dict)

    @property
    def config(self) -> Path:
        return self.home / "config" / "plugins.toml"

    def write_config(self, text: str) -> Path:
        self.config.parent.mkdir(parents=True, exist_ok=True)
        self.config.write_text(text)
        return self.config

    def lam(self, *args: str, input: str | None = None, env: dict[str, str] | None = None,
            timeout: float = 300, check: bool = False) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run([installed_lam(), *args], input=input,
                              env={**self.env, **(env or {})}, capture_output=True, text=True,
                              timeout=timeout, cwd=str(self.workdir))
        if check and proc.returncode != 0:
            raise AssertionError(f"lam {' '.join(args)} exited {proc.returncode}\n"
                                 f"stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}")
        return proc

    def spawn(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start a long-running `lam` (e.g. `lam daemon`); the caller stops it."""
        return subprocess.Popen([installed_lam(), *args], env={**self.env, **(env or {})},
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                cwd=str(self.workdir))


@pytest.fixture
def e2e(tmp_path: Path) -> E2E:
    """A fresh home: LAM_HOME, HOME and the XDG folders all under tmp_path, so nothing of the
    user's (or of another test's) is read. The shared test-model cache stays visible through
    LAM_MODELS_DIR when it is set."""
    home = tmp_path / "lamhome"
    (home / "config").mkdir(parents=True)
    user = tmp_path / "user"
    work = tmp_path / "work"
    for d in (user, work):
        d.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LAM_", "XDG_"))}
    env.update({"LAM_HOME": str(home), "HOME": str(user),
                "XDG_CONFIG_HOME": str(user / ".config"),
                "XDG_DATA_HOME": str(user / ".local" / "share"),
                "XDG_CACHE_HOME": str(user / ".cache")})
    if os.environ.get("LAM_MODELS_DIR"):
        env["LAM_MODELS_DIR"] = os.environ["LAM_MODELS_DIR"]
    return E2E(home=home, workdir=work, env=env)


@pytest.fixture
def e2e_smtp() -> Iterator[SmtpServer]:
    server = SmtpServer(ScriptedHandler())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def e2e_site() -> Iterator[Site]:
    s = Site()
    s.set_list(["Alpha", "Beta", "Gamma"])
    s.thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


@pytest.fixture
def mail_home(e2e: E2E, e2e_smtp: SmtpServer) -> E2E:
    """A fresh home configured for the loopback SMTP server, no planning model (templates only)."""
    e2e.write_config(f'''
[lam]
model = ""
large_model = ""
timezone = "Europe/Berlin"

[plugins.messaging]
from_address = "Ann Lee <ann@example.org>"
smtp_host = "127.0.0.1"
smtp_port = {e2e_smtp.port}
smtp_security = "plain"
sent_copies = "none"
''')
    return e2e
