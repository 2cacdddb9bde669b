"""Outbox crash bench: SIGKILL a sending process at random points, restart, reconcile, count.

A real aiosmtpd server runs in this process and records every Message-ID it accepts; like many
providers it files a copy of each accepted message in the user's Sent folder on a real Dovecot
(written into the maildir before the 250 reply). Each trial forks a sender that pushes
``--messages`` messages through the outbox, kills it with SIGKILL after a random delay, then
forks a "restarted" process that reconciles the outbox (IMAP search of Sent by Message-ID) and
re-runs the same sends with the same idempotency keys, as lam's executor does after a crash.
Every ``--drop-every``-th trial the server also drops the connection right after the final dot
of one message without filing it: the client cannot know, so it resends; those duplicates are
counted separately. Exit status 1 if any message is lost or duplicated otherwise.

    python bench/outbox_crash.py [--trials 200] [--messages 3] [--seed 7]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from plugins.messaging.channel import OutgoingMessage  # noqa: E402
from plugins.messaging.compose import message_id_for  # noqa: E402
from plugins.messaging.email_channel import EmailChannel  # noqa: E402
from plugins.messaging.settings import Credentials, MessagingSettings  # noqa: E402
from tests.messaging.servers import (  # noqa: E402
    Dovecot,
    ScriptedHandler,
    SmtpServer,
    make_cert,
)

FROM = "Bench <bench@example.org>"


def _send_all(settings: MessagingSettings, creds: Credentials, db: Path, keys: list[str],
              *, reconcile: bool, report: Path | None = None) -> None:
    """Body of a forked sender; never returns (os._exit)."""
    code = 0
    try:
        channel = EmailChannel(settings, creds, db)
        stats = Counter[str]()
        if reconcile:
            for entry in channel.reconcile():
                stats["reconcile: found in Sent" if entry.confirmed_by_check
                      else f"reconcile: {entry.state.value}"] += 1
        for key in keys:
            receipt = channel.send(OutgoingMessage(to=["rcpt@example.net"], subject=key,
                                                   body=f"message {key}\n.\nend"), key=key)
            stats["rerun: already sent" if receipt.duplicate else "rerun: sent now"] += 1
        if report is not None:
            report.write_text(json.dumps(stats))
        channel.close()
    except BaseException as exc:
        print(f"sender failed: {exc!r}", file=sys.stderr)
        code = 2
    os._exit(code)


def _fork(fn: object, *args: object, **kwargs: object) -> int:
    pid = os.fork()
    if pid == 0:
        fn(*args, **kwargs)  # type: ignore[operator]
    return pid


def _states(db: Path) -> Counter[str]:
    if not db.exists():
        return Counter({"no outbox yet": 1})
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT state FROM outbox").fetchall()
    except sqlite3.OperationalError:
        rows = []
    finally:
        con.close()
    return Counter(r[0] for r in rows) or Counter({"no outbox yet": 1})


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--trials", type=int, default=200)
    ap.add_argument("--messages", type=int, default=3)
    ap.add_argument("--drop-every", type=int, default=5)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="lam-outbox-bench-"))
    cert = make_cert(work)
    dovecot = Dovecot(cert)
    dovecot.start()
    user, password = dovecot.add_user()
    handler = ScriptedHandler(deliver=dovecot.file_into(user, "Sent"), reply_delay=0.01)
    smtp = SmtpServer(handler)
    smtp.start()
    settings = MessagingSettings(
        from_address=FROM, smtp_host="127.0.0.1", smtp_port=smtp.port, smtp_security="plain",
        imap_host="127.0.0.1", imap_port=dovecot.port, imap_security="plain",
        sent_copies="server", smtp_retries=3, retry_backoff_seconds=0.01, timeout_seconds=10)
    creds = Credentials(user, password)
    started = time.monotonic()
    landed: Counter[str] = Counter()
    restart: Counter[str] = Counter()
    all_keys: list[str] = []
    failures = 0
    try:
        # one uncut run to learn how long a trial's sends take
        probe = work / "probe.sqlite3"
        t0 = time.monotonic()
        pid = _fork(_send_all, settings, creds, probe, ["probe-1", "probe-2"],
                    reconcile=False)
        os.waitpid(pid, 0)
        per_message = (time.monotonic() - t0) / 2
        for trial in range(args.trials):
            db = work / f"outbox-{trial}.sqlite3"
            keys = [f"trial{trial}-msg{i}" for i in range(args.messages)]
            all_keys += keys
            if args.drop_every and trial % args.drop_every == args.drop_every - 1:
                handler.drop_after_dot = 1
            delay = rng.uniform(0, per_message * args.messages * 1.2)
            pid = _fork(_send_all, settings, creds, db, keys, reconcile=False)
            time.sleep(delay)
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            smtp.wait_idle()
            for state, n in _states(db).items():
                landed[state] += n
            report = work / f"restart-{trial}.json"
            pid = _fork(_send_all, settings, creds, db, keys, reconcile=True, report=report)
            _, status = os.waitpid(pid, 0)
            if status != 0:
                failures += 1
            elif report.exists():
                restart.update(json.loads(report.read_text()))
            handler.drop_after_dot = 0
            smtp.wait_idle()
    finally:
        smtp.stop()
        dovecot.stop()
    received = handler.message_ids()
    dropped = set(handler.dropped)
    lost = dup_dropped = dup_other = 0
    for key in all_keys:
        n = received.get(message_id_for(key, FROM), 0)
        if n == 0:
            lost += 1
        elif n > 1 and message_id_for(key, FROM) in dropped:
            dup_dropped += n - 1
        elif n > 1:
            dup_other += n - 1
    elapsed = time.monotonic() - started
    print(f"outbox crash bench: {args.trials} trials x {args.messages} messages, SIGKILL at a "
          f"random point of each (seed {args.seed})")
    print("outbox rows at the kill: " + ", ".join(f"{k} {v}" for k, v in sorted(landed.items())))
    print("after restart (reconcile, then the same keys sent again): "
          + ", ".join(f"{k} {v}" for k, v in sorted(restart.items())))
    print(f"connections dropped by the server after the final dot: {len(dropped)}")
    print(f"messages: {len(all_keys)}  distinct received: "
          f"{sum(1 for k in all_keys if received.get(message_id_for(k, FROM)))}")
    print(f"lost: {lost}")
    print(f"duplicated (connection dropped after the final dot): {dup_dropped}")
    print(f"duplicated (other): {dup_other}")
    print(f"restarted senders that failed: {failures}")
    print(f"elapsed: {elapsed:.1f} s")
    return 1 if lost or dup_other or failures else 0


if __name__ == "__main__":
    sys.exit(main())
