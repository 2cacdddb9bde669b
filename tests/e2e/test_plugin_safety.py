"""Safe defaults of the plugins, as a user meets them on the command line (issue #18 item 4):
loopback pages are refused unless ``allow_loopback = true``; files are written inside the
plugin's files folder and anywhere else only after confirmation showing the resolved path; a
password is never sent in clear text to a host that is not loopback.

Each flow runs the installed `lam` as a user types it, on a fresh home, against real servers
(a local http site, aiosmtpd)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import E2E
from tests.headless.conftest import Site
from tests.messaging.test_safe_defaults import PlainAuthServer, _non_loopback_address

BASE = '''
[lam]
model = ""
large_model = ""
timezone = "Europe/Berlin"
'''


def _json(proc: object) -> dict[str, object]:
    out = json.loads(getattr(proc, "stdout"))
    assert isinstance(out, dict)
    return out


# -- loopback ----------------------------------------------------------------------------------
@pytest.mark.browser
def test_loopback_page_refused_by_default_and_allowed_by_the_setting(e2e: E2E,
                                                                     e2e_site: Site) -> None:
    config = e2e.write_config(BASE)
    url = e2e_site.url("/list")
    refused = e2e.lam("do", "--yes", f"open {url}")
    assert refused.returncode == 4, refused.stdout + refused.stderr
    assert (f"127.0.0.1 is a loopback address; set allow_loopback = true under "
            f"[plugins.browser] in {config} to allow it") in refused.stdout
    assert e2e_site.hits == []  # nothing reached the local service
    e2e.write_config(BASE + "\n[plugins.browser]\nallow_loopback = true\n")
    opened = e2e.lam("do", "--yes", "--json", f"open {url}")
    assert opened.returncode == 0, opened.stdout + opened.stderr
    assert "/list" in e2e_site.hits


# -- files written -----------------------------------------------------------------------------
@pytest.fixture
def contacts_home(e2e: E2E) -> E2E:
    e2e.write_config(BASE)
    e2e.lam("do", "--yes", "add Alice Chen alice@chen.org to my contacts", check=True)
    return e2e


def test_export_goes_to_the_files_folder(contacts_home: E2E) -> None:
    e2e = contacts_home
    proc = e2e.lam("do", "export contacts to contacts.vcf")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    written = e2e.home / "data" / "plugins" / "messaging" / "files" / "contacts.vcf"
    assert "FN:Alice Chen" in written.read_text()
    assert not (e2e.workdir / "contacts.vcf").exists()


def test_export_outside_the_folder_asks_with_the_resolved_path(contacts_home: E2E) -> None:
    e2e = contacts_home
    folder = (e2e.home / "data" / "plugins" / "messaging" / "files").resolve()
    target = folder.parent / "escape.vcf"  # "../escape.vcf" from inside the folder
    asked = e2e.lam("do", "export contacts to ../escape.vcf")
    assert asked.returncode == 5, asked.stdout + asked.stderr
    assert f"writes {target}, outside lam's folder {folder}" in asked.stdout
    assert not target.exists()  # nothing ran
    confirmed = e2e.lam("do", "--yes", "export contacts to ../escape.vcf")
    assert confirmed.returncode == 0, confirmed.stdout + confirmed.stderr
    assert "FN:Alice Chen" in target.read_text()


def test_screenshot_outside_the_folder_asks(e2e: E2E, tmp_path: Path) -> None:
    e2e.write_config(BASE)
    target = tmp_path / "shot.png"
    asked = e2e.lam("do", "--json", f"take a screenshot to {target}")
    assert asked.returncode == 5, asked.stdout + asked.stderr
    out = _json(asked)
    assert out["status"] == "needs_confirmation"
    assert f"writes {target.resolve()}, outside lam's folder" in asked.stdout
    assert not target.exists()


# -- no password in clear text -----------------------------------------------------------------
@pytest.fixture
def remote_smtp() -> Iterator[PlainAuthServer]:
    address = _non_loopback_address()
    if address is None:
        pytest.skip("this machine has no non-loopback address to run the server on")
    server = PlainAuthServer(address)
    server.start()
    server.seen.clear()  # start() checks the server with a connection of its own
    yield server
    server.stop()


def test_plain_smtp_login_to_a_remote_host_needs_the_setting(e2e: E2E,
                                                             remote_smtp: PlainAuthServer) -> None:
    mail = (BASE + '\n[plugins.messaging]\nfrom_address = "Ann Lee <ann@example.org>"\n'
            f'smtp_host = "{remote_smtp.hostname}"\nsmtp_port = {remote_smtp.port}\n'
            'smtp_security = "plain"\nsent_copies = "none"\nsmtp_retries = 0\n')
    e2e.write_config(mail)
    env = {"LAM_MAIL_USER": "ann", "LAM_MAIL_PASSWORD": "hunter2"}
    refused = e2e.lam("do", "--yes", "email bob@example.org that the list is ready", env=env)
    assert refused.returncode == 6, refused.stdout + refused.stderr
    assert "would send the password for ann in clear text" in refused.stdout
    assert "allow_plaintext_auth = true" in refused.stdout
    assert remote_smtp.seen == []  # not even a connection
    e2e.write_config(mail + "allow_plaintext_auth = true\n")
    sent = e2e.lam("do", "--yes", "email bob@example.org that the list is ready", env=env)
    assert sent.returncode == 0, sent.stdout + sent.stderr
    assert "login ann:hunter2" in remote_smtp.seen and len(remote_smtp.sink.messages) == 1
