"""Automations end to end (issue #24 items 3, 6, 9): automation files, `lam save`,
`lam saved list|rm`, replays and scheduled runs, each through the installed `lam` on a fresh
home (and `lam daemon` for --at firing), exactly as a user types them."""

from __future__ import annotations

import json
import sqlite3
import textwrap
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import E2E
from tests.messaging.servers import SmtpServer

T0 = "2026-11-24T10:00:00+01:00"
NEXT_DAY = "2026-11-25T10:00:00+01:00"


@pytest.fixture
def home(e2e: E2E) -> E2E:
    """A fresh home with no planning model: templates only, Berlin time."""
    e2e.write_config('[lam]\nmodel = ""\nlarge_model = ""\ntimezone = "Europe/Berlin"\n'
                     '\n[plugins.scheduler]\npoll_seconds = 0.5\n')
    return e2e


def write(e2e: E2E, name: str, text: str) -> Path:
    path = e2e.workdir / name
    path.write_text(textwrap.dedent(text).lstrip())
    return path


def jobs(e2e: E2E) -> list[dict[str, object]]:
    found = list(e2e.home.rglob("scheduler.sqlite3"))
    if not found:
        return []
    db = sqlite3.connect(found[0])
    db.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in db.execute("SELECT * FROM jobs ORDER BY created")]
    finally:
        db.close()


def fires(e2e: E2E) -> dict[str, str]:
    """The state of each kind of job's latest finished fire."""
    found = list(e2e.home.rglob("scheduler.sqlite3"))
    if not found:
        return {}
    db = sqlite3.connect(found[0], timeout=10)
    try:
        rows = db.execute("SELECT j.kind, f.state FROM fires f JOIN jobs j ON j.id = f.job_id "
                          "WHERE f.state != 'started' ORDER BY f.fire_time").fetchall()
    finally:
        db.close()
    return {str(kind): str(state) for kind, state in rows}


def reminder_next(proc_stdout: str) -> str:
    out = json.loads(proc_stdout)
    steps = out["report"]["steps"]
    return str(steps[-1]["result"]["output"]["next"])


def save_stretch(e2e: E2E) -> None:
    proc = e2e.lam("do", "--yes", "--json", "--now", T0, "remind me to stretch in 5 minutes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert reminder_next(proc.stdout).startswith("2026-11-24T10:05")
    e2e.lam("save", "stretch", check=True)


# -- item 3: relative times stay relative ---------------------------------------------------------
def test_saved_plan_resolves_its_relative_time_again(home: E2E) -> None:
    save_stretch(home)
    proc = home.lam("run", "stretch", "--yes", "--json", "--now", NEXT_DAY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert reminder_next(proc.stdout).startswith("2026-11-25T10:05")


def test_saved_plan_replayed_the_same_day_is_not_a_duplicate(home: E2E) -> None:
    save_stretch(home)
    proc = home.lam("run", "stretch", "--yes", "--json", "--now", "2026-11-24T15:00:00+01:00")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert reminder_next(proc.stdout).startswith("2026-11-24T15:05")
    nexts = sorted(int(str(j["next_fire"])) for j in jobs(home))
    assert len(nexts) == 2 and nexts[0] != nexts[1]


def test_saved_recurring_reminder_starts_at_its_next_occurrence(home: E2E) -> None:
    proc = home.lam("do", "--yes", "--json", "--now", T0, "remind me to stretch every day at 9am")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert reminder_next(proc.stdout) == "2026-11-25T09:00:00+01:00"
    home.lam("save", "daily-stretch", check=True)
    proc = home.lam("run", "daily-stretch", "--yes", "--json", "--now", "2026-11-30T10:00:00+01:00")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert reminder_next(proc.stdout) == "2026-12-01T09:00:00+01:00"


def test_replay_header_says_replayed_no_model(home: E2E) -> None:
    save_stretch(home)
    proc = home.lam("run", "stretch", "--yes", "--now", NEXT_DAY)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.startswith("plan (replayed, no model):\n"), proc.stdout
    assert "escalations" not in proc.stdout


@pytest.mark.model
def test_replay_repairs_a_step_the_verifier_rejects(e2e: E2E, test_models_dir: Path) -> None:
    """The saved plan cancels a reminder that is already cancelled: the verifier rejects the
    stored step, the real default model repairs it (the id that failed is not offered again),
    the repair is shown as a diff, and the plan that runs is the repaired one."""
    e2e.write_config('[lam]\nmodel = "default"\nlarge_model = ""\nthreads = 2\n'
                     'timezone = "Europe/Berlin"\n')
    env = {"LAM_MODELS_DIR": str(test_models_dir)}
    e2e.lam("do", "--yes", "--now", T0, "remind me to stretch in 5 minutes", env=env,
            check=True)
    e2e.lam("do", "--yes", "--now", T0, "cancel the stretch reminder", env=env, check=True)
    e2e.lam("save", "nostretch", env=env, check=True)
    e2e.lam("do", "--yes", "--now", T0, "remind me to stretch in 10 minutes", env=env,
            check=True)
    proc = e2e.lam("run", "nostretch", "--yes", "--json", "--now", T0, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    (step,) = out["report"]["steps"]
    assert step["repair_diff"].startswith("--- stored step\n+++ repaired step")
    assert out["model_calls"] >= 1
    states = [str(j["state"]) for j in jobs(e2e)]
    assert states == ["cancelled", "cancelled"]


@pytest.mark.timeout(240)
@pytest.mark.parametrize("schedule", [("--at", "in 8 seconds"), ("--every", "every minute")],
                         ids=["at", "every"])
def test_scheduled_automation_resolves_step_times_when_it_fires(
        home: E2E, schedule: tuple[str, str]) -> None:
    """`lam daemon` fires the stored plan after its step's "in 3 seconds" has passed (from when
    it was scheduled): the step's time is resolved from the firing, so the plan runs and its
    reminder fires 3 seconds later."""
    path = write(home, "stretch.toml", '''
        name = "stretch"
        [[steps]]
        request = "remind me to stretch in 3 seconds"
    ''')
    proc = home.lam("run", str(path), *schedule, "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    daemon = home.spawn("daemon")
    try:
        deadline = time.monotonic() + 150
        while time.monotonic() < deadline:
            fired = fires(home)
            if fired.get("plan") == "failed" or fired.get("reminder") in ("done", "failed"):
                break
            time.sleep(0.5)
    finally:
        daemon.terminate()
        out, err = daemon.communicate(timeout=30)
    assert "Ran scheduled job" in out, out + err
    assert "did not run" not in out, out
    assert "Reminder: stretch" in out, out


# -- item 6: automation files -------------------------------------------------------------------
def test_explicit_step_takes_a_time_in_words(home: E2E) -> None:
    path = write(home, "milk.toml", '''
        name = "milk"
        [[steps]]
        action = "set_reminder"
        args = { text = "buy milk", when = "tomorrow at 9am" }
    ''')
    proc = home.lam("run", str(path), "--yes", "--json", "--now", T0)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert reminder_next(proc.stdout) == "2026-11-25T09:00:00+01:00"


def test_bad_time_in_an_explicit_step_names_file_and_line(home: E2E) -> None:
    path = write(home, "milk.toml", '''
        name = "milk"

        [[steps]]
        action = "set_reminder"
        [steps.args]
        text = "buy milk"
        when = "when the cows come home"
    ''')
    proc = home.lam("run", str(path), "--yes", "--now", T0)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert f"{path}:3: step 1: set_reminder argument 'when'" in proc.stderr, proc.stderr
    assert "'when'" in proc.stderr


def test_verifier_rejection_names_file_and_line(mail_home: E2E) -> None:
    path = write(mail_home, "bad.toml", '''
        name = "bad"
        [[steps]]
        action = "set_reminder"
        args = { text = "tea", when = "tomorrow at 9am" }

        [[steps]]
        action = "send_email"
        args = { to = "nobody at all", body = "hi" }
    ''')
    proc = mail_home.lam("run", str(path), "--yes", "--now", T0)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "step 2 'to'" in proc.stdout and f"({path}:6: step 2: send_email)" in proc.stdout


def test_unknown_var_is_refused_naming_the_declared_ones(home: E2E) -> None:
    path = write(home, "greet.toml", '''
        name = "greet"
        [vars]
        who = "Ann"
        [[steps]]
        request = "remind me to call {who} tomorrow at 9am"
    ''')
    proc = home.lam("run", str(path), "--var", "woh=Bob", "--dry-run", "--now", T0)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "woh" in proc.stderr and "it declares: who" in proc.stderr, proc.stderr


CONTACT_THEN_MAIL = '''
    name = "welcome"
    [[steps]]
    action = "add_contact"
    args = { name = "Zed Ng", email = "zed@example.org" }

    [[steps]]
    request = "email Zed that the list is ready"
'''


def test_request_step_sees_a_contact_an_earlier_step_adds(mail_home: E2E,
                                                         e2e_smtp: SmtpServer) -> None:
    path = write(mail_home, "welcome.toml", CONTACT_THEN_MAIL)
    proc = mail_home.lam("run", str(path), "--yes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    received = e2e_smtp.handler.received
    assert [r.rcpts for r in received] == [["zed@example.org"]]
    assert b"the list is ready" in received[0].raw


def test_dry_run_shows_each_step_planned_not_run(mail_home: E2E, e2e_smtp: SmtpServer) -> None:
    path = write(mail_home, "welcome.toml", CONTACT_THEN_MAIL)
    proc = mail_home.lam("run", str(path), "--dry-run")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1. add_contact" in proc.stdout and "2. send_email" in proc.stdout, proc.stdout
    assert "to = <output of step 1>" in proc.stdout
    assert "welcome.toml:6: step 2: request 'email Zed that the list is ready'" in proc.stdout
    assert e2e_smtp.handler.received == []
    assert mail_home.lam("journal", "--json").stdout.count('"send_email"') == 0


def test_question_names_file_step_and_line(mail_home: E2E) -> None:
    path = write(mail_home, "two.toml", '''
        name = "two"
        [[steps]]
        action = "add_contact"
        args = { name = "Alice Chen", email = "alice.chen@example.org" }

        [[steps]]
        action = "add_contact"
        args = { name = "Alice Park", email = "alice.park@example.org" }

        [[steps]]
        request = "email Alice that the tea is ready"
    ''')
    proc = mail_home.lam("run", str(path), "--yes")
    assert proc.returncode == 7, proc.stdout + proc.stderr
    assert f"{path}:10: step 3 ('email Alice that the tea is ready') asks:\n?" in proc.stdout
    assert "Alice Chen" in proc.stdout and "Alice Park" in proc.stdout


def test_dry_run_with_at_is_readable_text(home: E2E) -> None:
    path = write(home, "milk.toml", '''
        name = "milk"
        [[steps]]
        action = "set_reminder"
        args = { text = "buy milk", when = "in 5 minutes" }
    ''')
    proc = home.lam("run", str(path), "--at", "tomorrow at 9am", "--dry-run", "--now", T0)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "{'request'" not in proc.stdout and "'steps':" not in proc.stdout, proc.stdout
    assert "when: 2026-11-25T09:00:00+01:00   (from 'tomorrow at 9am')" in proc.stdout
    assert "1. set_reminder" in proc.stdout
    assert "(from 'in 5 minutes')" in proc.stdout
    assert jobs(home) == []


# -- item 9: lam save, lam saved ----------------------------------------------------------------
@pytest.mark.parametrize("name", ["my plan", "a/b", "../up", "stretch.toml"])
def test_save_refuses_unsafe_names(home: E2E, name: str) -> None:
    proc = home.lam("do", "--yes", "--now", T0, "remind me to stretch in 5 minutes")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    proc = home.lam("save", name)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "saved name" in proc.stderr and "hint" in proc.stderr.lower(), proc.stderr
    assert "no saved automations" in home.lam("saved", "list", check=True).stdout


def test_save_refuses_to_overwrite_without_force(home: E2E) -> None:
    save_stretch(home)
    home.lam("do", "--yes", "--now", T0, "remind me to drink water in 10 minutes", check=True)
    proc = home.lam("save", "stretch")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "already exists" in proc.stderr and "--force" in proc.stderr
    listed = json.loads(home.lam("saved", "list", "--json", check=True).stdout)["saved"]
    assert listed[0]["request"] == "remind me to stretch in 5 minutes"
    home.lam("save", "stretch", "--force", check=True)
    listed = json.loads(home.lam("saved", "list", "--json", check=True).stdout)["saved"]
    assert listed[0]["request"] == "remind me to drink water in 10 minutes"


def test_saved_list_and_rm(home: E2E) -> None:
    save_stretch(home)
    proc = home.lam("saved", "list", check=True)
    assert proc.stdout.startswith("stretch  1 step(s): set_reminder"), proc.stdout
    assert home.lam("saved", "rm", "stretch", check=True).stdout.strip() == \
        "deleted saved automation 'stretch'"
    proc = home.lam("saved", "rm", "stretch")
    assert proc.returncode == 2 and "no saved automation named 'stretch'" in proc.stderr
    proc = home.lam("run", "stretch", "--yes")
    assert proc.returncode == 2, proc.stdout + proc.stderr
