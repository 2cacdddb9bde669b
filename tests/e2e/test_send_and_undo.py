"""Sending to a typed address and `lam undo` from the command line (issue #24 items 1 and 2).

Each flow runs the installed `lam` as a user types it, one process per command, on a fresh home,
against a real SMTP server (aiosmtpd on loopback) and the real scheduler database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.e2e.conftest import E2E
from tests.messaging.servers import Received, SmtpServer

PLAIN_CONFIG = '''
[lam]
model = ""
large_model = ""
timezone = "Europe/Berlin"
'''


@pytest.fixture
def plain_home(e2e: E2E) -> E2E:
    """A fresh home with no planning model (templates only) and no mail server."""
    e2e.write_config(PLAIN_CONFIG)
    return e2e


def received(server: SmtpServer) -> list[Received]:
    server.wait_idle()
    handler = server.handler
    with handler.lock:
        return list(handler.received)


def job_states(home: Path) -> dict[str, str]:
    """Job text -> state, read from the scheduler's own database."""
    db = home / "data" / "plugins" / "scheduler" / "scheduler.sqlite3"
    with sqlite3.connect(db) as conn:
        return dict(conn.execute("SELECT text, state FROM jobs").fetchall())


def journal(e2e: E2E) -> list[dict[str, object]]:
    proc = e2e.lam("journal", "--json", check=True)
    rows: list[dict[str, object]] = json.loads(proc.stdout)
    return rows


def out(proc: object) -> str:
    return f"stdout:\n{getattr(proc, 'stdout', '')}\nstderr:\n{getattr(proc, 'stderr', '')}"


# -- item 1: a typed address -----------------------------------------------------------------------
def test_email_to_a_typed_address_is_sent(mail_home: E2E, e2e_smtp: SmtpServer) -> None:
    proc = mail_home.lam("do", "--yes", "email bob@example.org that the list is ready")
    assert proc.returncode == 0, out(proc)
    mails = received(e2e_smtp)
    assert len(mails) == 1
    assert mails[0].rcpts == ["bob@example.org"]
    assert "the list is ready" in mails[0].message.get_content()


def test_draft_to_a_typed_address_is_written(mail_home: E2E, e2e_smtp: SmtpServer) -> None:
    proc = mail_home.lam("do", "--yes",
                         "draft an email to bob@example.org saying the list is ready")
    assert proc.returncode == 0, out(proc)
    (plan,) = journal(mail_home)
    steps = plan["steps"]
    assert isinstance(steps, list)
    assert [(s["action"], s["state"]) for s in steps] == [("draft_email", "ok")]
    assert steps[0]["args"]["to"] == "bob@example.org"
    assert received(e2e_smtp) == []  # a draft is not sent


def test_readme_automation_emails_the_typed_address(mail_home: E2E,
                                                   e2e_smtp: SmtpServer) -> None:
    """README's "Automations" example (without its open_url step): `{who}` is an address."""
    (mail_home.workdir / "errands.toml").write_text('''name = "errands"
[vars]
who = "ann@example.org"

[[steps]]
request = "remind me to buy milk tomorrow at 9am"

[[steps]]
request = "email {who} that the list is ready"
''')
    proc = mail_home.lam("run", "errands.toml", "--yes")
    assert proc.returncode == 0, out(proc)
    mails = received(e2e_smtp)
    assert [m.rcpts for m in mails] == [["ann@example.org"]]
    assert job_states(mail_home.home) == {"buy milk": "active"}


# -- item 2: `lam undo` in a new process -----------------------------------------------------------
def test_undo_cancels_a_reminder_made_by_an_earlier_process(plain_home: E2E) -> None:
    made = plain_home.lam("do", "--yes", "remind me to stretch in 2 hours")
    assert made.returncode == 0, out(made)
    assert job_states(plain_home.home) == {"stretch": "active"}
    undo = plain_home.lam("undo")
    assert undo.returncode == 0, out(undo)
    assert "undid plan #1 (remind me to stretch in 2 hours)" in undo.stdout
    assert "cancel_job: ok" in undo.stdout
    assert job_states(plain_home.home) == {"stretch": "cancelled"}
    listed = plain_home.lam("do", "show my reminders")
    assert listed.returncode == 0, out(listed)
    assert "No scheduled jobs." in listed.stdout


def test_undo_skips_read_only_plans_and_never_undoes_twice(plain_home: E2E) -> None:
    assert plain_home.lam("do", "--yes", "remind me to stretch in 2 hours").returncode == 0
    shown = plain_home.lam("do", "show my reminders")
    assert shown.returncode == 0, out(shown)
    undo = plain_home.lam("undo")
    assert undo.returncode == 0, out(undo)
    assert "undid plan #1" in undo.stdout
    assert job_states(plain_home.home) == {"stretch": "cancelled"}
    again = plain_home.lam("undo")
    assert again.returncode == 0, out(again)
    assert "nothing to undo" in again.stdout
    assert job_states(plain_home.home) == {"stretch": "cancelled"}
    statuses = {p["id"]: p["status"] for p in journal(plain_home)}
    assert statuses[1] == "undone"


def test_undo_a_named_journal_entry(plain_home: E2E) -> None:
    assert plain_home.lam("do", "--yes", "remind me to stretch in 2 hours").returncode == 0
    assert plain_home.lam("do", "--yes", "remind me to drink water in 3 hours").returncode == 0
    ids = {p["request"]: p["id"] for p in journal(plain_home)}
    first = ids["remind me to stretch in 2 hours"]
    undo = plain_home.lam("undo", str(first), "--json")
    assert undo.returncode == 0, out(undo)
    report = json.loads(undo.stdout)
    assert report["ok"] is True and report["undid"] == first
    assert [s["action"] for s in report["steps"]] == ["cancel_job"]
    assert job_states(plain_home.home) == {"stretch": "cancelled", "drink water": "active"}
    twice = plain_home.lam("undo", f"#{first}")
    assert twice.returncode == 0, out(twice)
    assert f"plan #{first} is already undone" in twice.stdout
    assert job_states(plain_home.home) == {"stretch": "cancelled", "drink water": "active"}
    missing = plain_home.lam("undo", "99")
    assert missing.returncode == 2, out(missing)
    assert "no plan #99 in the journal" in missing.stderr


def test_a_sent_email_is_said_once_then_undo_reaches_back(mail_home: E2E,
                                                          e2e_smtp: SmtpServer) -> None:
    assert mail_home.lam("do", "--yes", "remind me to stretch in 2 hours").returncode == 0
    sent = mail_home.lam("do", "--yes", "email bob@example.org that the list is ready")
    assert sent.returncode == 0, out(sent)
    undo = mail_home.lam("undo")
    assert undo.returncode == 6, out(undo)
    assert "could not undo plan #2 (email bob@example.org that the list is ready)" in undo.stdout
    assert "send_email: not_run — step 1 cannot be undone (no inverse)" in undo.stdout
    assert job_states(mail_home.home) == {"stretch": "active"}
    back = mail_home.lam("undo")
    assert back.returncode == 0, out(back)
    assert "undid plan #1 (remind me to stretch in 2 hours)" in back.stdout
    assert job_states(mail_home.home) == {"stretch": "cancelled"}
    assert len(received(e2e_smtp)) == 1
