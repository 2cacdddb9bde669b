"""Issue #24 items 7 and 8, as a user meets them with the installed `lam` on a fresh home:
config errors (every problem at once, each at its key's own line; a bad time zone with file and
line), `lam doctor` (ok / warn / FAIL, exit 1 only for what breaks lam), and `lam daemon` (fired
reminders and scheduled plans in `lam journal`, a dead pid's lock taken over, `list_jobs` as a
table)."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import threading
import time

import pytest

from tests.e2e.conftest import E2E

DAEMON_CONFIG = """
[lam]
model = ""
large_model = ""
timezone = "Europe/Berlin"

[plugins.browser]
enabled = false

[plugins.messaging]
enabled = false

[plugins.scheduler]
poll_seconds = 0.2
desktop_notifications = false
"""


def line_of(text: str, needle: str) -> int:
    """1-based number of the first line of ``text`` containing ``needle``."""
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# -- config errors -------------------------------------------------------------------------------

BROKEN = """# my lam settings
[lam]
model = ""

threads = "many"
timezone = "Mars/Olympus"
colour = "blue"

[confirm]
schedule = "sometimes"

[plugins.scheduler]
enabled = true
grace_seconds = -5
desktop_notificatons = false

[plugins.messaging]
smtp_port = "abc"
"""


def test_every_config_problem_is_listed_at_once_each_at_its_key_line(e2e: E2E) -> None:
    path = e2e.write_config(BROKEN)
    proc = e2e.lam("do", "list my reminders")
    assert proc.returncode == 2, proc.stdout + proc.stderr
    err = proc.stderr
    expected = [
        ('threads = "many"', "[lam] threads: Input should be a valid integer"),
        ('timezone = "Mars/Olympus"', "[lam] timezone: unknown time zone 'Mars/Olympus' — "),
        ('colour = "blue"', "[lam] colour: unknown key — "),
        ('schedule = "sometimes"', "[confirm] schedule: Input should be a valid boolean"),
        ("grace_seconds = -5", "[plugins.scheduler] grace_seconds: Input should be greater"),
        ("desktop_notificatons", "[plugins.scheduler] desktop_notificatons: unknown key — did "
                                 "you mean desktop_notifications?"),
        ('smtp_port = "abc"', "[plugins.messaging] smtp_port: Input should be a valid integer"),
    ]
    for key_line, text in expected:
        assert f"{path}:{line_of(BROKEN, key_line)}: {text}" in err, err
    assert "7 problems in the configuration" in err
    # each problem line says what to do
    problems = [line for line in err.splitlines() if line.startswith(str(path))]
    assert len(problems) == 7 and all(" — " in line for line in problems), err


def test_a_bad_plugin_setting_names_the_key_line_not_the_table_header(e2e: E2E) -> None:
    text = DAEMON_CONFIG.replace("poll_seconds = 0.2", 'poll_seconds = 0.2\ngrace_seconds = -5\n'
                                                      'missed = "never"')
    path = e2e.write_config(text)
    proc = e2e.lam("plugins", "list", "--json", check=True)
    row = next(r for r in json.loads(proc.stdout) if r["name"] == "scheduler")
    assert row["state"] == "failed"
    assert row["error"].startswith("plugin 'scheduler': 2 invalid settings:"), row["error"]
    assert (f"{path}:{line_of(text, 'grace_seconds')}: [plugins.scheduler] grace_seconds: "
            "Input should be greater than or equal to 0 — e.g. grace_seconds = 3600 (the "
            "default)") in row["error"]
    assert (f"{path}:{line_of(text, 'missed =')}: [plugins.scheduler] missed: Input should be "
            "'run_once' or 'report'") in row["error"]
    assert f"{path}:{line_of(text, '[plugins.scheduler]')}:" not in row["error"]
    # a request that needed the plugin says why its actions are missing
    proc = e2e.lam("do", "list my reminders", "--yes")
    assert proc.returncode != 0
    assert (f"warning: plugin 'scheduler': 2 invalid settings:\n{path}:"
            f"{line_of(text, 'grace_seconds')}: [plugins.scheduler] grace_seconds") in proc.stderr


def test_a_bad_timezone_names_the_file_and_line(e2e: E2E) -> None:
    text = DAEMON_CONFIG.replace('"Europe/Berlin"', '"Europe/Berln"')
    path = e2e.write_config(text)
    proc = e2e.lam("do", "remind me to stretch in 5 minutes", "--dry-run")
    assert proc.returncode == 2
    assert (f"error: {path}:{line_of(text, 'timezone')}: [lam] timezone: unknown time zone "
            "'Europe/Berln' — use an IANA name such as \"Europe/Berlin\"") in proc.stderr


# -- lam doctor ----------------------------------------------------------------------------------

def _doctor_lines(proc: subprocess.CompletedProcess[str]) -> dict[str, list[str]]:
    marks: dict[str, list[str]] = {"ok": [], "warn": [], "FAIL": []}
    for line in proc.stdout.splitlines():
        m = re.match(r"^\[(ok|warn|FAIL)\s*\] ", line)
        if m:
            marks[m.group(1)].append(line)
    return marks


def test_doctor_on_a_fresh_install_warns_about_optional_things_and_exits_0(e2e: E2E) -> None:
    if "LAM_MODELS_DIR" not in e2e.env:
        pytest.skip("needs the pulled test models (LAM_MODELS_DIR)")
    proc = e2e.lam("doctor")
    marks = _doctor_lines(proc)
    assert proc.returncode == 0, proc.stdout
    assert marks["FAIL"] == [], proc.stdout
    # mail not configured is optional: a warning, with what to set
    assert any("plugin messaging" in line and "smtp_host" in line for line in marks["warn"])
    assert any(" model " in line for line in marks["ok"]), proc.stdout
    assert proc.stdout.splitlines()[-1].startswith("lam works;")


def test_doctor_fails_on_a_broken_config_listing_every_problem(e2e: E2E) -> None:
    path = e2e.write_config(BROKEN)
    proc = e2e.lam("doctor")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    fails = _doctor_lines(proc)["FAIL"]
    assert len([f for f in fails if "] config " in f]) == 7, proc.stdout
    assert any(f"{path}:{line_of(BROKEN, 'timezone')}: [lam] timezone" in f for f in fails)
    # the other checks still ran
    assert any("] data dir" in line for line in proc.stdout.splitlines())


def test_doctor_fails_when_the_planning_model_is_missing(e2e: E2E) -> None:
    e2e.write_config('[lam]\nmodel = "qwen2.5-coder-0.5b"\n')
    proc = e2e.lam("doctor", env={"LAM_MODELS_DIR": str(e2e.home / "no-models")})
    assert proc.returncode == 1
    model = next(line for line in proc.stdout.splitlines() if "] model " in line)
    assert model.startswith("[FAIL]")
    assert "lam models pull" in proc.stdout


def test_doctor_help_says_what_fails_and_the_exit_status(e2e: E2E) -> None:
    proc = e2e.lam("doctor", "--help", check=True)
    text = " ".join(proc.stdout.split())
    assert "ok, warn or FAIL" in text
    assert "0 when nothing FAILs" in text and "1 when something does" in text


# -- lam daemon ----------------------------------------------------------------------------------

class Output:
    """A running `lam daemon`'s stdout, read on a thread; wait for a line with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc = proc
        self.seen: list[str] = []
        self._q: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self._q.put(line.rstrip("\n"))

    def wait_for(self, needle: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._q.get(timeout=0.2)
            except queue.Empty:
                if self.proc.poll() is not None and self._q.empty():
                    break
                continue
            self.seen.append(line)
            if needle in line:
                return line
        stderr = self.proc.stderr.read() if self.proc.poll() is not None and \
            self.proc.stderr else ""
        raise AssertionError(f"no line with {needle!r}; saw {self.seen}\n{stderr}")


def _stop(proc: subprocess.Popen[str]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)
    for pipe in (proc.stdout, proc.stderr):
        if pipe is not None:
            pipe.close()


def test_fired_reminders_and_scheduled_plans_are_in_the_journal(e2e: E2E) -> None:
    e2e.write_config(DAEMON_CONFIG)
    listing = e2e.workdir / "listing.toml"
    listing.write_text('name = "listing"\n\n[[steps]]\naction = "list_jobs"\n')
    made = e2e.lam("do", "remind me to stretch in 3 seconds", "--yes", "--json", check=True)
    job = json.loads(made.stdout)["report"]["steps"][0]["result"]["output"]["job"]
    # a plan the verifier refuses when it fires: the reminder it cancels has fired by then
    stale = e2e.workdir / "stale.toml"
    stale.write_text(f'name = "stale"\n\n[[steps]]\naction = "cancel_job"\n'
                     f'args = {{ job = "{job}" }}\n')
    e2e.lam("run", str(listing), "--at", "in 4 seconds", "--yes", check=True)
    e2e.lam("run", str(stale), "--at", "in 8 seconds", "--yes", check=True)
    proc = e2e.spawn("daemon")
    out = Output(proc)
    try:
        out.wait_for("Reminder: stretch")
        out.wait_for("Ran scheduled job 'automation listing'")
        out.wait_for("Scheduled job 'automation stale' did not run")
    finally:
        _stop(proc)
    rows = json.loads(e2e.lam("journal", "--json", check=True).stdout)
    fired = [r for r in rows if r["origin"].startswith("scheduler")]
    by_request = {r["request"]: r for r in fired}
    reminder = next(r for r in fired if r["request"].startswith("Reminder: stretch"))
    assert reminder["status"] == "fired" and reminder["steps"] == []
    plan = by_request["automation listing"]
    assert plan["status"] == "done"
    assert [s["action"] for s in plan["steps"]] == ["list_jobs"]
    refused = next(r for r in fired if "automation stale" in r["request"])
    assert refused["status"] == "failed" and "did not run" in refused["request"]
    text = e2e.lam("journal", check=True).stdout
    assert re.search(r"\[fired\] \(scheduler:job-[0-9a-f]+\) Reminder: stretch", text), text
    assert re.search(r"\[done\] \(scheduler:job-[0-9a-f]+\) automation listing", text), text
    assert re.search(r"\[failed\] \(scheduler:job-[0-9a-f]+\) Scheduled job 'automation "
                     r"stale' did not run", text), text


def test_a_dead_pids_lock_is_taken_over_and_only_a_live_pid_is_waited_for(e2e: E2E) -> None:
    e2e.write_config(DAEMON_CONFIG)
    first = e2e.spawn("daemon")
    try:
        Output(first).wait_for("lam daemon (pid")
    finally:
        first.kill()  # dies holding the lock: its pid stays in the lock file
        first.wait(10)
        _stop(first)
    second = e2e.spawn("daemon")
    second_out = Output(second)
    try:
        took = second_out.wait_for("took it over")
        assert f"left by pid {first.pid}, which is no longer running" in took
        started = second_out.wait_for("lam daemon (pid")
        assert f"standing by while pid {first.pid}" not in started
        assert started.endswith("; firing"), started
        third = e2e.spawn("daemon")
        try:
            waiting = Output(third).wait_for("lam daemon (pid")
            assert waiting.endswith(f"standing by while pid {second.pid} fires"), waiting
        finally:
            _stop(third)
    finally:
        _stop(second)


def test_list_jobs_is_a_table_of_jobs_not_numbered_like_steps(e2e: E2E) -> None:
    e2e.write_config(DAEMON_CONFIG)
    e2e.lam("do", "remind me to stretch tomorrow at 9am", "--yes", check=True)
    e2e.lam("do", "remind me to water the plants every day at 8am", "--yes", check=True)
    proc = e2e.lam("do", "list my reminders", "--yes", check=True)
    lines = proc.stdout.splitlines()
    result = lines[lines.index("1. list_jobs: ok"):]
    assert not [line for line in result[1:] if re.match(r"^\s*\d+\.", line)], proc.stdout
    header, *rows = result[1:]
    assert header.split() == ["ID", "KIND", "WHAT", "NEXT", "REPEATS"], proc.stdout
    assert len(rows) == 2
    stretch = next(r for r in rows if "stretch" in r)
    plants = next(r for r in rows if "water the plants" in r)
    assert re.match(r"^\s+job-[0-9a-f]+\s+reminder\s+stretch\s+\w{3} \d\d \w{3} \d{4} 09:00\s+"
                    r"once$", stretch), stretch
    assert plants.rstrip().endswith("every day at 08:00"), plants
