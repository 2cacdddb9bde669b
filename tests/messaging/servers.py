"""Real servers on loopback for the messaging tests and the outbox bench: a scriptable aiosmtpd
SMTP server and a Dovecot IMAP server configured in a temp dir."""

from __future__ import annotations

import asyncio
import imaplib
import os
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

DOVECOT = "/usr/sbin/dovecot"
MAIL_UID = 65534  # nobody: Dovecot refuses to serve mail as root


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Cert:
    cert: Path
    key: Path

    def server_context(self) -> ssl.SSLContext:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx


def make_cert(directory: Path) -> Cert:
    """A self-signed certificate for 127.0.0.1/localhost (made with openssl)."""
    cert, key = directory / "cert.pem", directory / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return Cert(cert, key)


# -- SMTP ---------------------------------------------------------------------------------------
@dataclass
class Received:
    sender: str
    rcpts: list[str]
    raw: bytes

    @property
    def message_id(self) -> str:
        return str(message_from_bytes(self.raw, policy=policy.default).get("Message-ID", ""))

    @property
    def message(self) -> Any:
        return message_from_bytes(self.raw, policy=policy.default)


@dataclass
class ScriptedHandler:
    """Accepts mail and records it, unless told otherwise.

    ``data_replies``: replies used (one each) instead of 250 after the final dot, e.g. "451 x";
    ``rcpt_replies``: address -> reply refusing it (``rcpt_once``: the same, used once);
    ``drop_after_dot``: how many next messages are recorded and then answered by closing the
    connection (``file_dropped``: whether those are filed by ``deliver`` first); ``deliver``:
    called with every accepted message before the reply (a provider filing its Sent copy);
    ``reply_delay``: seconds to wait before answering 250.
    """

    data_replies: deque[str] = field(default_factory=deque)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    rcpt_once: dict[str, str] = field(default_factory=dict)
    drop_after_dot: int = 0
    file_dropped: bool = False
    deliver: Callable[[bytes], None] | None = None
    reply_delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server: SMTP, session: Session, envelope: Envelope,
                          address: str, rcpt_options: list[str]) -> str:
        reply = self.rcpt_replies.get(address) or self.rcpt_once.pop(address, None)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session,
                          envelope: Envelope) -> str:
        if self.data_replies:
            return self.data_replies.popleft()
        raw = envelope.original_content or b""
        item = Received(str(envelope.mail_from), list(envelope.rcpt_tos), raw)
        with self.lock:
            self.received.append(item)
            drop = self.drop_after_dot > 0
            if drop:
                self.drop_after_dot -= 1
                self.dropped.append(item.message_id)
        if drop and self.file_dropped and self.deliver is not None:
            self.deliver(raw)
        if drop:
            assert server.transport is not None
            server.transport.abort()
            return "250 OK (never seen: the connection is gone)"
        if self.deliver is not None:
            self.deliver(raw)
        if self.reply_delay:
            await asyncio.sleep(self.reply_delay)
        return "250 OK"

    def message_ids(self) -> Counter[str]:
        with self.lock:
            return Counter(r.message_id for r in self.received)


class CountingSMTP(SMTP):
    """aiosmtpd's SMTP that counts open connections (to wait until the server is idle)."""

    def __init__(self, *args: Any, counter: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._counter = counter

    def connection_made(self, transport: Any) -> None:
        self._counter[0] += 1
        super().connection_made(transport)

    def connection_lost(self, exc: Exception | None) -> None:
        self._counter[0] -= 1
        super().connection_lost(exc)


class SmtpServer(Controller):
    """aiosmtpd on 127.0.0.1 in a thread. ``implicit_tls``/``starttls_cert`` enable TLS;
    ``users`` enables AUTH (only over TLS)."""

    def __init__(self, handler: ScriptedHandler, *, cert: Cert | None = None,
                 implicit_tls: bool = False, users: dict[str, str] | None = None) -> None:
        self.open_connections = [0]
        self.users = users
        kwargs: dict[str, Any] = {}
        if cert is not None and not implicit_tls:
            kwargs["tls_context"] = cert.server_context()
            kwargs["require_starttls"] = users is not None
        self.logins: list[str] = []
        if users is not None:
            kwargs["authenticator"] = self._authenticate
            # aiosmtpd only counts STARTTLS as TLS; over implicit TLS the channel is encrypted
            # already. (auth_required stays False there: aiosmtpd warns for that combination.)
            kwargs["auth_require_tls"] = not implicit_tls
            kwargs["auth_required"] = not implicit_tls
        super().__init__(handler, hostname="127.0.0.1", port=free_port(),
                         ssl_context=cert.server_context() if implicit_tls and cert else None,
                         **kwargs)
        self.handler: ScriptedHandler = handler

    def factory(self) -> SMTP:
        return CountingSMTP(self.handler, counter=self.open_connections, **self.SMTP_kwargs)

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str,
                      auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and self.users is not None
              and self.users.get(auth_data.login.decode()) == auth_data.password.decode())
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok, handled=False)

    def wait_idle(self, timeout: float = 5.0) -> None:
        """Wait until no client connection is open (a killed client's data is processed)."""
        deadline = time.monotonic() + timeout
        while self.open_connections[0] > 0 and time.monotonic() < deadline:
            time.sleep(0.005)


# -- IMAP -----------------------------------------------------------------------------------------
_CONF = """\
protocols = imap
listen = 127.0.0.1
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
info_log_path = {root}/dovecot.log
ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
disable_plaintext_auth = no
auth_mechanisms = plain login
default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
mail_location = maildir:~/Maildir
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {root}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {tls_port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
namespace inbox {{
  inbox = yes
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
}}
"""


class Dovecot:
    """Dovecot in the foreground (``dovecot -F -c conf``) with its own config in a fresh
    world-traversable temp dir (its auth process runs as the ``dovecot`` user), removed at
    `stop`."""

    def __init__(self, cert: Cert, users: int = 64) -> None:
        self.root = root = Path(tempfile.mkdtemp(prefix="lam-dovecot-"))
        self.port, self.tls_port = free_port(), free_port()
        for sub in ("run", "state", "mail"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        os.chown(root / "mail", MAIL_UID, MAIL_UID)
        root.chmod(0o755)
        # Dovecot caches the passwd-file by mtime (seconds): users are made up front.
        self._free_users = [f"user{i:03d}" for i in range(users)]
        (root / "users").write_text("".join(
            f"{name}:{{PLAIN}}secret:{MAIL_UID}:{MAIL_UID}::{root / 'mail' / name}\n"
            for name in self._free_users))
        self.conf = root / "dovecot.conf"
        self.conf.write_text(_CONF.format(root=root, port=self.port, tls_port=self.tls_port,
                                          cert=cert.cert, key=cert.key))
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen([DOVECOT, "-F", "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"dovecot exited: {err}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dovecot did not start listening")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        if self.proc is not None and self.proc.stderr is not None:
            self.proc.stderr.close()
        shutil.rmtree(self.root, ignore_errors=True)

    def add_user(self) -> tuple[str, str]:
        """A fresh user with an empty mailbox; returns (user, password)."""
        return self._free_users.pop(0), "secret"

    def maildir(self, user: str) -> Path:
        return self.root / "mail" / user / "Maildir"

    def client(self, user: str, password: str) -> imaplib.IMAP4:
        imap = imaplib.IMAP4("127.0.0.1", self.port, timeout=10)
        imap.login(user, password)
        return imap

    def append(self, user: str, password: str, raw: bytes, folder: str = "INBOX",
               flags: str = "") -> None:
        imap = self.client(user, password)
        try:
            typ, data = imap.append(folder, flags or None, None, raw)
            assert typ == "OK", data
        finally:
            imap.logout()

    def file_into(self, user: str, folder: str) -> Callable[[bytes], None]:
        """A function that delivers a message straight into ``folder``'s maildir, the way a
        mail server files a sent copy (write in tmp/, rename into new/)."""
        base = self.maildir(user) / f".{folder}"

        def deliver(raw: bytes) -> None:
            for path in (base.parent.parent, base.parent, base, base / "tmp", base / "new",
                         base / "cur"):
                if not path.is_dir():
                    path.mkdir()
                    os.chown(path, MAIL_UID, MAIL_UID)
            name = f"{time.time():.6f}.{uuid.uuid4().hex}.lamtest"
            tmp = base / "tmp" / name
            tmp.write_bytes(raw)
            os.chown(tmp, MAIL_UID, MAIL_UID)
            tmp.rename(base / "new" / name)

        return deliver


def dovecot_available() -> bool:
    return Path(DOVECOT).exists() and shutil.which("openssl") is not None
