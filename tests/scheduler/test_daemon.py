"""Real-time firing: the APScheduler-driven ticker, and `lam daemon` processes on one store."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from actions import ActionContext, Capabilities
from plugins.scheduler import FIRE_EXTRA, SchedulerPlugin, SchedulerSettings

CONFIG = """
[plugins.browser]
enabled = false
[plugins.messaging]
enabled = false
[plugins.scheduler]
poll_seconds = 0.1
desktop_notifications = false
"""


def _remind(data: Path, text: str, seconds: float) -> str:
    data.mkdir(parents=True, exist_ok=True)
    plugin = SchedulerPlugin(Capabilities(settings=SchedulerSettings(), data_dir=data))
    spec = {s.name: s for s in plugin.actions()}["set_reminder"]
    when = (datetime.now(UTC) + timedelta(seconds=seconds)).isoformat()
    params, problems = spec.validate_args({"text": text, "when": when})
    assert params is not None, problems
    result = spec.run(ActionContext(), params)
    assert result.ok, result.error
    return str(result.output["job"])


def test_ticker_fires_a_due_reminder_in_real_time(tmp_path: Path) -> None:
    notes: list[str] = []
    got = threading.Event()

    def note(text: str) -> None:
        notes.append(text)
        got.set()

    plugin = SchedulerPlugin(Capabilities(
        settings=SchedulerSettings(poll_seconds=0.05, desktop_notifications=False),
        data_dir=tmp_path, notify=note, extras={FIRE_EXTRA: True}))
    plugin.start()
    try:
        _remind(tmp_path, "stretch", 0.3)
        assert got.wait(10), "the reminder did not fire"
    finally:
        plugin.close()
    assert notes == ["Reminder: stretch"]
    assert [f.state for f in plugin.store.fires()] == ["done"]


class Lines:
    """Reads a process's stdout on a thread so tests can wait for a line with a timeout."""

    def __init__(self, proc: subprocess.Popen[str]) -> None:
        self.proc, self.seen = proc, []  # type: ignore[var-annotated]
        self._q: queue.Queue[str] = queue.Queue()
        self._thread = threading.Thread(target=self._pump, daemon=True)
        self._thread.start()

    def close(self) -> None:
        """After the process ended: drain and close the pipe."""
        self._thread.join(10)
        assert self.proc.stdout is not None
        self.proc.stdout.close()
        while not self._q.empty():
            self.seen.append(self._q.get())

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
                continue
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no line with {needle!r}; saw {self.seen}")


def test_two_lam_daemons_one_fires_the_other_takes_over(lam_home: Path) -> None:
    (lam_home / "config" / "plugins.toml").write_text(CONFIG)
    data = lam_home / "data" / "plugins" / "scheduler"
    _remind(data, "first", 3)
    env = {**os.environ, "LAM_HOME": str(lam_home)}
    env.pop("LAM_DEBUG", None)

    def start() -> tuple[subprocess.Popen[str], Lines]:
        proc = subprocess.Popen([sys.executable, "-m", "assistant.cli.main", "daemon"], env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                cwd=str(lam_home))
        return proc, Lines(proc)

    a, a_out = start()
    try:
        a_out.wait_for("lam daemon (pid")
        b, b_out = start()
        try:
            b_out.wait_for(f"another lam process (pid {a.pid}) is running scheduled jobs")
            a_out.wait_for("Reminder: first")
            a.send_signal(signal.SIGTERM)
            assert a.wait(30) == 0
            a_out.wait_for("lam daemon stopped")
            b_out.wait_for("took over running scheduled jobs")
            _remind(data, "second", 0.5)
            b_out.wait_for("Reminder: second")
            b.send_signal(signal.SIGTERM)
            assert b.wait(30) == 0
        finally:
            b.kill()
            b.wait()
            b_out.close()
    finally:
        a.kill()
        a.wait()
        a_out.close()
    assert not any("Reminder: first" in line for line in b_out.seen)
    assert not any("Reminder: second" in line for line in a_out.seen)
