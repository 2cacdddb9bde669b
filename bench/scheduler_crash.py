"""Crash and concurrency benchmark of the scheduler's exactly-once firing.

Part 1 (``--trials``, default 200): a runner process fires due plan jobs through the scheduler
plugin's real firing path (``plugin.start()`` -> APScheduler ticker -> ``Engine.tick``), with a
``run_plan`` whose effect is a write to an external SQLite sink, deduplicated by the idempotency
key the scheduler passes (as the executor journal / a mail server's Message-ID would). The
runner is ``kill -9``-ed at a random moment around the firings, then a restarted runner recovers.
Every job must have exactly one effect: lost = 0 and duplicated = 0.

Part 2 (``--pair-trials``, default 50): two runners on one store; one gets SIGTERM at a random
moment, the other takes over. Every run_plan *invocation* is counted: duplicate firings = 0.

    python bench/scheduler_crash.py [--trials 200] [--pair-trials 50] [--jobs 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from actions import ActionContext, Capabilities, Plan
from plugins.scheduler import FIRE_EXTRA, SchedulerPlugin, SchedulerSettings
from plugins.scheduler.engine import fire_key
from plugins.scheduler.store import to_ms

PLAN = {"request": "write to the sink", "steps": [{"action": "sink_write", "args": {}}]}
SINK_SCHEMA = """
CREATE TABLE IF NOT EXISTS effects (key TEXT NOT NULL, pid INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS calls (key TEXT NOT NULL, pid INTEGER NOT NULL);
"""


class SinkRunner:
    """A plan runner whose effect is a row in an external SQLite sink, deduplicated by key
    atomically with the write (the contract lam's executor gives a keyed step)."""

    def __init__(self, path: Path, jitter: float = 0.004) -> None:
        self.path = path
        self.jitter = jitter
        with self._db() as db:
            db.executescript(SINK_SCHEMA)

    def _db(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        return db

    def __call__(self, plan: Plan, *, origin: str, key: str) -> dict[str, Any]:
        time.sleep(random.uniform(0, self.jitter))
        db = self._db()
        try:
            db.execute("INSERT INTO calls (key, pid) VALUES (?, ?)", (key, os.getpid()))
            time.sleep(random.uniform(0, self.jitter))
            db.execute("BEGIN IMMEDIATE")
            seen = db.execute("SELECT 1 FROM effects WHERE key = ?", (key,)).fetchone()
            if seen is None:
                db.execute("INSERT INTO effects (key, pid) VALUES (?, ?)", (key, os.getpid()))
            db.execute("COMMIT")
        finally:
            db.close()
        time.sleep(random.uniform(0, self.jitter))
        return {"ok": True, "message": "already done" if seen else "written"}


def make_plugin(root: Path, *, fire: bool, poll: float = 0.01) -> SchedulerPlugin:
    data = root / "data"
    data.mkdir(parents=True, exist_ok=True)
    caps = Capabilities(
        settings=SchedulerSettings(poll_seconds=poll, desktop_notifications=False),
        data_dir=data, run_plan=SinkRunner(root / "sink.sqlite3"), notify=lambda _t: None,
        extras={FIRE_EXTRA: True} if fire else {})
    return SchedulerPlugin(caps)


# -- the runner process -----------------------------------------------------------------------

def child(root: Path) -> int:
    """Fire jobs until SIGTERM (graceful) or SIGKILL."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    plugin = make_plugin(root, fire=True)
    plugin.start()
    print("ready", flush=True)
    stop.wait()
    plugin.close()
    return 0


def spawn(root: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(root)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    if proc.stdout.readline().strip() != "ready":
        raise RuntimeError("runner did not start")
    return proc


# -- helpers ----------------------------------------------------------------------------------

def create_jobs(root: Path, at: list[datetime]) -> list[str]:
    """Schedule one plan job per time through the schedule_plan action; returns their keys."""
    plugin = make_plugin(root, fire=False)
    spec = {s.name: s for s in plugin.actions()}["schedule_plan"]
    keys = []
    for planned in at:
        # On a loaded machine creating a job can take a while: never schedule in the past.
        when = max(planned, datetime.now(UTC) + timedelta(milliseconds=250))
        params, problems = spec.validate_args({"plan": PLAN, "when": when.isoformat()})
        assert params is not None, problems
        result = spec.run(ActionContext(), params)
        assert result.ok, result.error
        keys.append(fire_key(result.output["job"], to_ms(when)))
    return keys


def sink_counts(root: Path) -> tuple[Counter[str], Counter[str], set[int]]:
    db = sqlite3.connect(root / "sink.sqlite3")
    try:
        effects = Counter(k for (k,) in db.execute("SELECT key FROM effects"))
        calls = Counter(k for (k,) in db.execute("SELECT key FROM calls"))
        pids = {p for (p,) in db.execute("SELECT DISTINCT pid FROM effects")}
    finally:
        db.close()
    return effects, calls, pids


def wait_done(plugin: SchedulerPlugin, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if plugin.store.pending(to_ms(datetime.now(UTC))) == 0 and not plugin.store.jobs():
            return True
        time.sleep(0.01)
    return False


# -- part 1: kill -9 around firings -----------------------------------------------------------

def crash_trial(base: Path, i: int, jobs: int, rng: random.Random) -> dict[str, Any]:
    root = base / f"crash{i}"
    root.mkdir()
    proc = spawn(root)
    try:
        # Jobs fall due 50 ms apart from 0.3 s after the runner is ready; the kill lands
        # anywhere from just before the first to just after the last.
        start = datetime.now(UTC)
        keys = create_jobs(root, [start + timedelta(seconds=0.3 + 0.05 * j)
                                  for j in range(jobs)])
        time.sleep(max(0.0, rng.uniform(0.28, 0.36 + 0.05 * jobs)
                       - (datetime.now(UTC) - start).total_seconds()))
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    # What the kill interrupted.
    probe = make_plugin(root, fire=False)
    started = probe.store.started()
    effects_at_kill, _, _ = sink_counts(root)
    in_flight = bool(started)
    effect_unacked = any(fire_key(r.job_id, r.fire_time) in effects_at_kill for r in started)
    fired = len(effects_at_kill)
    # Restart: a fresh runner (same firing path) recovers.
    again = make_plugin(root, fire=True)
    again.start()
    done = wait_done(again)
    again.close()
    effects, calls, _ = sink_counts(root)
    return {
        "lost": sum(1 for k in keys if effects[k] == 0),
        "duplicated": sum(1 for k in keys if effects[k] > 1),
        "unknown": sum(1 for k in effects if k not in keys),
        "recovered_calls": sum(calls.values()) - len(keys),
        "phase": ("before any firing" if fired == 0 and not in_flight else
                  "effect written, fire not finished" if effect_unacked else
                  "fire claimed, effect not yet written" if in_flight else
                  "after all firings" if fired == jobs else "between firings"),
        "timeout": not done,
    }


# -- part 2: two runners, one stops -------------------------------------------------------------

def pair_trial(base: Path, i: int, jobs: int, rng: random.Random) -> dict[str, Any]:
    root = base / f"pair{i}"
    root.mkdir()
    procs = [spawn(root)]
    try:
        procs.append(spawn(root))
        start = datetime.now(UTC)
        keys = create_jobs(root, [start + timedelta(seconds=0.3 + 0.04 * j)
                                  for j in range(jobs)])
        time.sleep(max(0.0, rng.uniform(0.25, 0.35 + 0.04 * jobs)
                       - (datetime.now(UTC) - start).total_seconds()))
        victim = rng.randrange(2)
        procs[victim].send_signal(signal.SIGTERM)
        procs[victim].wait(timeout=30)
        done = wait_done(make_plugin(root, fire=False))
        procs[1 - victim].send_signal(signal.SIGTERM)
        procs[1 - victim].wait(timeout=30)
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            assert proc.stdout is not None
            proc.stdout.close()
    effects, calls, pids = sink_counts(root)
    return {
        "lost": sum(1 for k in keys if effects[k] == 0),
        "duplicate_firings": sum(1 for k in keys if calls[k] > 1),
        "firing_processes": len(pids),
        "codes": [p.returncode for p in procs],
        "timeout": not done,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=200)
    parser.add_argument("--pair-trials", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        return child(args.child)
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lam-sched-bench-") as tmp:
        base = Path(tmp)
        with ThreadPoolExecutor(args.workers) as pool:
            crash = list(pool.map(
                lambda i: crash_trial(base, i, args.jobs, random.Random(args.seed * 1000 + i)),
                range(args.trials)))
        t1 = time.monotonic()
        phases = Counter(r["phase"] for r in crash)
        print(f"kill -9 trials: {len(crash)} ({args.jobs} jobs each, "
              f"{len(crash) * args.jobs} expected effects) in {t1 - t0:.0f} s")
        for phase, n in sorted(phases.items(), key=lambda kv: -kv[1]):
            print(f"  killed {phase}: {n}")
        print(f"  re-invocations after restart deduplicated by key: "
              f"{sum(r['recovered_calls'] for r in crash)}")
        print(f"  lost: {sum(r['lost'] for r in crash)}  "
              f"duplicated: {sum(r['duplicated'] for r in crash)}  "
              f"unexpected: {sum(r['unknown'] for r in crash)}  "
              f"timeouts: {sum(r['timeout'] for r in crash)}")
        with ThreadPoolExecutor(args.workers) as pool:
            pairs = list(pool.map(
                lambda i: pair_trial(base, i, args.jobs + 1,
                                     random.Random(args.seed * 7919 + i)),
                range(args.pair_trials)))
        t2 = time.monotonic()
        takeovers = sum(1 for r in pairs if r["firing_processes"] == 2)
        print(f"two runners on one store: {len(pairs)} trials ({args.jobs + 1} jobs each) "
              f"in {t2 - t1:.0f} s")
        print(f"  trials where the second runner took over mid-way: {takeovers}")
        print(f"  duplicate firings: {sum(r['duplicate_firings'] for r in pairs)}  "
              f"lost: {sum(r['lost'] for r in pairs)}  "
              f"timeouts: {sum(r['timeout'] for r in pairs)}  "
              f"unclean exits: {sum(1 for r in pairs for c in r['codes'] if c != 0)}")
    bad = (sum(r["lost"] + r["duplicated"] + r["unknown"] + r["timeout"] for r in crash)
           + sum(r["lost"] + r["duplicate_firings"] + r["timeout"] for r in pairs))
    print(f"total {time.monotonic() - t0:.0f} s; {'OK' if bad == 0 else 'FAILED'}")
    return 0 if bad == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
