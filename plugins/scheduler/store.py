"""The job store: one SQLite file in the plugin's data directory, the source of truth.

``jobs`` holds each job with its payload as JSON (a reminder's text or the stored `Plan`), never a
pickled callable. ``fires`` is the fire log, keyed by (job id, scheduled fire time): a row is
written ``started`` in the same transaction that advances the job, and finished afterwards.
Times are integer milliseconds since the epoch (UTC).
"""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

__all__ = ["Claim", "FireRow", "Job", "JobStore", "from_ms", "to_ms"]

SCHEMA_VERSION = "1"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('reminder', 'plan')),
    text TEXT NOT NULL,
    plan TEXT,
    rule TEXT,
    anchor INTEGER NOT NULL,
    tz TEXT NOT NULL,
    next_fire INTEGER,
    state TEXT NOT NULL CHECK (state IN ('active', 'done', 'cancelled')),
    runs INTEGER NOT NULL DEFAULT 0,
    created INTEGER NOT NULL,
    updated INTEGER NOT NULL,
    last_fire INTEGER,
    last_outcome TEXT
);
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, next_fire);
CREATE TABLE IF NOT EXISTS fires (
    job_id TEXT NOT NULL REFERENCES jobs (id),
    fire_time INTEGER NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('started', 'done', 'failed', 'missed')),
    outcome TEXT NOT NULL,
    claimed_at INTEGER NOT NULL,
    finished_at INTEGER,
    detail TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, fire_time)
);
CREATE INDEX IF NOT EXISTS fires_state ON fires (state);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""


def to_ms(value: datetime) -> int:
    """Aware datetime -> integer epoch milliseconds."""
    if value.tzinfo is None:
        raise ValueError("naive datetime")
    return (value - _EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, UTC)


@dataclass(frozen=True)
class Job:
    """One scheduled job as stored."""

    id: str
    kind: str
    text: str
    plan: str | None
    rule: str | None
    anchor: int
    tz: str
    next_fire: int | None
    state: str = "active"
    runs: int = 0
    created: int = 0
    updated: int = 0
    last_fire: int | None = None
    last_outcome: str | None = None

    @staticmethod
    def new_id() -> str:
        return "job-" + uuid.uuid4().hex[:8]


@dataclass(frozen=True)
class FireRow:
    """One entry of the fire log."""

    job_id: str
    fire_time: int
    state: str
    outcome: str
    claimed_at: int
    finished_at: int | None = None
    detail: str = ""


@dataclass
class Claim:
    """What one claim transaction decided for a due job (computed by the engine, applied here)."""

    fires: list[tuple[int, str]] = field(default_factory=list)
    """(scheduled fire time, outcome) rows to insert as ``started``."""
    next_fire: int | None = None
    state: str = "active"
    detail: str = ""


_JOB_COLS = ("id, kind, text, plan, rule, anchor, tz, next_fire, state, runs, created, updated, "
             "last_fire, last_outcome")
_FIRE_COLS = "job_id, fire_time, state, outcome, claimed_at, finished_at, detail"


class JobStore:
    """SQLite job store. Each call opens its own connection, so any thread or process may use it;
    writes that must be atomic use ``BEGIN IMMEDIATE``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.executescript(_SCHEMA)  # idempotent; commits on its own
            db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('schema', ?)",
                       (SCHEMA_VERSION,))

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    # -- jobs --------------------------------------------------------------------------------
    def add(self, job: Job) -> None:
        with self._tx() as db:
            db.execute(f"INSERT INTO jobs ({_JOB_COLS}) VALUES ({','.join('?' * 14)})",
                       _job_tuple(job))

    def get(self, job_id: str) -> Job | None:
        with self._connect() as db:
            row = db.execute(f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job(*row) if row else None

    def jobs(self, states: tuple[str, ...] = ("active",), *, since: int | None = None
             ) -> list[Job]:
        """Jobs in ``states``, soonest first; ``since`` also includes jobs updated after it."""
        marks = ",".join("?" * len(states))
        sql = f"SELECT {_JOB_COLS} FROM jobs WHERE state IN ({marks})"
        args: list[Any] = list(states)
        if since is not None:
            sql += " OR updated >= ?"
            args.append(since)
        sql += " ORDER BY next_fire IS NULL, next_fire, created"
        with self._connect() as db:
            return [Job(*row) for row in db.execute(sql, args)]

    def update(self, job_id: str, now: int, check: Callable[[Job], str | None] | None = None,
               **changes: Any) -> tuple[Job | None, str | None]:
        """Atomically change a job. ``check(job)`` may veto with a reason.
        Returns (the job before the change, None) or (job or None, reason)."""
        with self._tx() as db:
            row = db.execute(f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None, f"no job {job_id!r}"
            job = Job(*row)
            why = check(job) if check else None
            if why:
                return job, why
            new = replace(job, updated=now, **changes)
            db.execute(f"REPLACE INTO jobs ({_JOB_COLS}) VALUES ({','.join('?' * 14)})",
                       _job_tuple(new))
            return job, None

    def due_ids(self, now: int) -> list[str]:
        with self._connect() as db:
            return [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE state = 'active' AND next_fire <= ? "
                "ORDER BY next_fire, created", (now,))]

    def next_due(self) -> int | None:
        with self._connect() as db:
            row = db.execute("SELECT MIN(next_fire) FROM jobs WHERE state = 'active'").fetchone()
        return row[0] if row else None

    # -- firing ------------------------------------------------------------------------------
    def claim(self, job_id: str, now: int, decide: Callable[[Job], Claim]
              ) -> tuple[Job, Claim] | None:
        """In one transaction: re-read the job, let ``decide`` plan its due fires, insert them
        as ``started`` and advance the job. None when the job is no longer due."""
        with self._tx() as db:
            row = db.execute(f"SELECT {_JOB_COLS} FROM jobs WHERE id = ?", (job_id,)).fetchone()
            if row is None:
                return None
            job = Job(*row)
            if job.state != "active" or job.next_fire is None or job.next_fire > now:
                return None
            claim = decide(job)
            inserted = []
            for fire_time, outcome in claim.fires:
                cur = db.execute(
                    f"INSERT OR IGNORE INTO fires ({_FIRE_COLS}) VALUES (?,?,?,?,?,?,?)",
                    (job.id, fire_time, "started", outcome, now, None, claim.detail))
                if cur.rowcount:
                    inserted.append((fire_time, outcome))
            claim.fires = inserted
            runs = sum(1 for _, o in inserted if o != "missed_reported")
            last = max((t for t, _ in inserted), default=job.last_fire)
            db.execute("UPDATE jobs SET next_fire = ?, state = ?, runs = runs + ?, updated = ?, "
                       "last_fire = ? WHERE id = ?",
                       (claim.next_fire, claim.state, runs, now, last, job.id))
            return job, claim

    def finish(self, job_id: str, fire_time: int, state: str, now: int, detail: str) -> None:
        """Mark a fire finished (``done`` / ``failed`` / ``missed``)."""
        with self._tx() as db:
            db.execute("UPDATE fires SET state = ?, finished_at = ?, detail = ? "
                       "WHERE job_id = ? AND fire_time = ?",
                       (state, now, detail, job_id, fire_time))
            outcome = db.execute("SELECT outcome FROM fires WHERE job_id = ? AND fire_time = ?",
                                 (job_id, fire_time)).fetchone()
            label = f"{state}:{outcome[0]}" if outcome else state
            db.execute("UPDATE jobs SET last_outcome = ? WHERE id = ?", (label, job_id))

    def started(self) -> list[FireRow]:
        """Fires claimed but not finished (left by a crash), oldest first."""
        with self._connect() as db:
            return [FireRow(*r) for r in db.execute(
                f"SELECT {_FIRE_COLS} FROM fires WHERE state = 'started' "
                "ORDER BY fire_time, job_id")]

    def fires(self, job_id: str | None = None) -> list[FireRow]:
        sql = f"SELECT {_FIRE_COLS} FROM fires"
        args: tuple[Any, ...] = ()
        if job_id is not None:
            sql += " WHERE job_id = ?"
            args = (job_id,)
        with self._connect() as db:
            return [FireRow(*r) for r in db.execute(sql + " ORDER BY fire_time, job_id", args)]

    def pending(self, now: int) -> int:
        """Fires still to happen up to ``now``: due active jobs plus unfinished fires."""
        with self._connect() as db:
            due = db.execute("SELECT COUNT(*) FROM jobs WHERE state = 'active' AND "
                             "next_fire <= ?", (now,)).fetchone()[0]
            started = db.execute("SELECT COUNT(*) FROM fires WHERE state = 'started'"
                                 ).fetchone()[0]
        return int(due) + int(started)


def _job_tuple(job: Job) -> tuple[Any, ...]:
    return (job.id, job.kind, job.text, job.plan, job.rule, job.anchor, job.tz, job.next_fire,
            job.state, job.runs, job.created, job.updated, job.last_fire, job.last_outcome)
