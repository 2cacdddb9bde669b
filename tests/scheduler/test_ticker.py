"""The APScheduler-driven ticker wakes at the store's next due time, not only at the poll."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from actions import ActionContext, Capabilities
from plugins.scheduler import FIRE_EXTRA, SchedulerPlugin, SchedulerSettings


def test_a_reminder_fires_at_its_time_long_before_the_next_poll(tmp_path: Path) -> None:
    got = threading.Event()
    notes: list[str] = []

    def note(text: str) -> None:
        notes.append(text)
        got.set()

    # A poll a minute away: only the wakeup at the due time can fire the reminder in this test.
    plugin = SchedulerPlugin(Capabilities(
        settings=SchedulerSettings(poll_seconds=60, desktop_notifications=False),
        data_dir=tmp_path, notify=note, extras={FIRE_EXTRA: True}))
    plugin.start()
    try:
        spec = {s.name: s for s in plugin.actions()}["set_reminder"]
        when = (datetime.now(UTC) + timedelta(seconds=1.5)).isoformat()
        params, problems = spec.validate_args({"text": "stretch", "when": when})
        assert params is not None, problems
        assert spec.run(ActionContext(), params).ok
        assert got.wait(30), "the reminder waited for the poll"
    finally:
        plugin.close()
    assert notes == ["Reminder: stretch"]
    assert [f.state for f in plugin.store.fires()] == ["done"]
