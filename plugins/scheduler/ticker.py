"""The thin real-time driver: APScheduler's background thread calls ``tick`` every
``poll_seconds`` (and at once on `wake`). All decisions live in `Engine`; this only keeps time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

__all__ = ["Ticker"]

_JOB_ID = "lam-scheduler-tick"


class Ticker:
    """Runs ``tick()`` on one background thread; never two ticks at once."""

    def __init__(self, tick: Callable[[], Any], poll_seconds: float,
                 on_error: Callable[[BaseException], None]) -> None:
        self._tick = tick
        self._poll = timedelta(seconds=poll_seconds)
        self._on_error = on_error
        self._sched = BackgroundScheduler(
            timezone=UTC, executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    def start(self) -> None:
        self._sched.start()
        self._arm(datetime.now(UTC))

    def _arm(self, when: datetime) -> None:
        self._sched.add_job(self._run, "date", run_date=when, id=_JOB_ID,
                            replace_existing=True)

    def _run(self) -> None:
        try:
            self._tick()
        except Exception as exc:  # a failing tick must not stop the timer
            self._on_error(exc)
        finally:
            if self._sched.running:
                self._arm(datetime.now(UTC) + self._poll)

    def wake(self) -> None:
        """Look for due jobs now (after a local change) instead of at the next poll."""
        try:
            self._sched.modify_job(_JOB_ID, next_run_time=datetime.now(UTC))
        except JobLookupError:
            pass  # a tick is running; it re-arms itself

    def stop(self) -> None:
        """Wait for a running tick to finish, then stop the thread."""
        if self._sched.running:
            self._sched.shutdown(wait=True)
