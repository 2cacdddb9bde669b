"""The thin real-time driver: APScheduler's background thread calls ``tick`` every
``poll_seconds`` (and at once on `wake`). All decisions live in `Engine`; this only keeps time."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

__all__ = ["Ticker"]

_JOB_ID = "lam-scheduler-tick"


class Ticker:
    """Runs ``tick()`` on one background thread; a tick that overruns the interval makes
    APScheduler skip the next one (``max_instances=1``), never run two at once."""

    def __init__(self, tick: Callable[[], Any], poll_seconds: float,
                 on_error: Callable[[BaseException], None]) -> None:
        self._tick = tick
        self._poll = timedelta(seconds=poll_seconds)
        self._on_error = on_error
        # A detached logger: APScheduler's "skipped: maximum number of running instances"
        # warnings are expected (a long plan run) and not the user's business.
        quiet = logging.Logger("lam.scheduler.ticker", level=logging.ERROR)
        self._sched = BackgroundScheduler(
            timezone=UTC, logger=quiet, executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None})

    def start(self) -> None:
        self._sched.add_job(self._run, IntervalTrigger(seconds=self._poll.total_seconds(),
                                                       timezone=UTC),
                            id=_JOB_ID, next_run_time=datetime.now(UTC))
        self._sched.start()

    def _run(self) -> None:
        try:
            self._tick()
        except Exception as exc:  # a failing tick must not stop the timer
            self._on_error(exc)

    def wake(self) -> None:
        """Look for due jobs now (after a local change) instead of at the next poll."""
        try:
            self._sched.modify_job(_JOB_ID, next_run_time=datetime.now(UTC))
        except JobLookupError:
            pass

    def stop(self) -> None:
        """Wait for a running tick to finish, then stop the thread."""
        if self._sched.running:
            self._sched.shutdown(wait=True)
