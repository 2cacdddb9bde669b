"""The thin real-time driver: APScheduler's background thread calls ``tick`` at the next due
time (when it comes before the next poll), every ``poll_seconds``, and at once on `wake`. All
decisions live in `Engine` and the SQLite store; this only keeps time."""

from __future__ import annotations

import logging
import threading
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
    """Runs ``tick()`` on one background thread, never two at once: a run asked for while one
    is in progress (a poll, a wake, a due time) waits behind it, and a further one is skipped
    (``max_instances=2`` over one worker thread; ``coalesce``).

    After each tick, ``next_due()`` (the store's earliest due time) moves the next run forward
    when it comes before the next poll, so a job fires on time rather than up to a poll late.
    The poll stays: it retries the store lock and sees jobs that other processes added.
    """

    def __init__(self, tick: Callable[[], Any], poll_seconds: float,
                 on_error: Callable[[BaseException], None],
                 next_due: Callable[[], datetime | None] = lambda: None) -> None:
        self._tick = tick
        self._poll = timedelta(seconds=poll_seconds)
        self._on_error = on_error
        self._next_due = next_due
        self._lock = threading.Lock()
        self._stopping = False
        # A detached logger: APScheduler's "skipped: maximum number of running instances"
        # warnings are expected (a long plan run) and not the user's business.
        quiet = logging.Logger("lam.scheduler.ticker", level=logging.ERROR)
        self._sched = BackgroundScheduler(
            timezone=UTC, logger=quiet, executors={"default": ThreadPoolExecutor(1)},
            job_defaults={"coalesce": True, "max_instances": 2, "misfire_grace_time": None})

    def start(self) -> None:
        self._sched.add_job(self._run, IntervalTrigger(seconds=self._poll.total_seconds(),
                                                       timezone=UTC),
                            id=_JOB_ID, next_run_time=datetime.now(UTC))
        self._sched.start()

    def _run(self) -> None:
        try:
            self._tick()
            due = self._next_due()
        except Exception as exc:  # a failing tick must not stop the timer
            self._on_error(exc)
            return
        # Under the lock that `stop` takes first: APScheduler's shutdown holds its job store
        # lock while it waits for this thread, so no call into it may start after that.
        with self._lock:
            if due is None or self._stopping:
                return
            job = self._sched.get_job(_JOB_ID)
            # Only a time still ahead: one that has passed is a job this process left (a plan
            # without a runner, the lock held elsewhere), which the poll retries.
            if (job is not None and job.next_run_time is not None
                    and datetime.now(UTC) < due < job.next_run_time):
                self._sched.modify_job(_JOB_ID, next_run_time=due)

    def wake(self) -> None:
        """Look for due jobs now (after a local change) instead of at the next poll."""
        try:
            self._sched.modify_job(_JOB_ID, next_run_time=datetime.now(UTC))
        except JobLookupError:
            pass

    def stop(self) -> None:
        """Wait for a running tick to finish, then stop the thread."""
        with self._lock:
            self._stopping = True
        if self._sched.running:
            self._sched.shutdown(wait=True)
