"""The real `lam` in a real terminal (tmux): it starts, takes a request, runs the confirmed
plan and exits cleanly."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

SESSION = "lamtest"


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True,
                          timeout=30).stdout


def wait_for(text: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    screen = ""
    while time.monotonic() < deadline:
        screen = tmux("capture-pane", "-p", "-t", SESSION)
        if text in screen:
            return screen
        time.sleep(0.3)
    raise AssertionError(f"{text!r} never appeared; screen:\n{screen}")


def test_lam_in_tmux(tmp_path: Path) -> None:
    assert shutil.which("tmux"), "tmux is required (scripts/install.sh --test installs it)"
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "plugins.toml").write_text(
        '[lam]\nmodel = ""\ntimezone = "Europe/Berlin"\n')
    status = tmp_path / "status"
    command = (f"cd {tmp_path} && {sys.executable} -m assistant.cli.main --home {home}; "
               f"echo $? > {status}")
    env = {**os.environ, "TERM": "xterm-256color"}
    subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
    subprocess.run(["tmux", "new-session", "-d", "-s", SESSION, "-x", "120", "-y", "36",
                    command], check=True, env=env, timeout=30)
    try:
        wait_for("Type a request")
        tmux("send-keys", "-t", SESSION, "remind me to stretch tomorrow at 9am", "Enter")
        wait_for("set_reminder")
        wait_for("SCHEDULE")
        tmux("send-keys", "-t", SESSION, "y")
        wait_for("Scheduled: stretch")
        tmux("send-keys", "-t", SESSION, "C-q")
        deadline = time.monotonic() + 30
        while not status.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert status.read_text().strip() == "0"
    finally:
        subprocess.run(["tmux", "kill-session", "-t", SESSION], capture_output=True)
