"""The journal (SQLite): every plan, every side effect before and after, and events.

A step's row is written *before* its effect starts (state ``started``) and updated *after* it ends
(``ok``/``failed``). A row still ``started`` at start-up means the process died mid-effect: it is
marked ``interrupted`` and reported — never silently re-run.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from actions.plan import ActionResult, Plan, Step

__all__ = ["Journal", "PlanRow", "StepRow"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS plans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  created REAL NOT NULL,
  origin TEXT NOT NULL,
  request TEXT NOT NULL,
  plan_json TEXT NOT NULL,
  status TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  idx INTEGER NOT NULL,
  key TEXT NOT NULL UNIQUE,
  action TEXT NOT NULL,
  args_json TEXT NOT NULL,
  effect TEXT NOT NULL,
  state TEXT NOT NULL,
  result_json TEXT,
  started REAL NOT NULL,
  ended REAL
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  at REAL NOT NULL,
  kind TEXT NOT NULL,
  detail_json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS undone (
  plan_id INTEGER NOT NULL REFERENCES plans(id),
  idx INTEGER NOT NULL,
  by_plan INTEGER REFERENCES plans(id),
  at REAL NOT NULL,
  PRIMARY KEY (plan_id, idx)
);
CREATE TABLE IF NOT EXISTS automations (
  name TEXT PRIMARY KEY,
  created REAL NOT NULL,
  plan_json TEXT NOT NULL,
  source_plan INTEGER
);
"""


@dataclass
class PlanRow:
    id: int
    created: float
    origin: str
    request: str
    plan: Plan
    status: str


@dataclass
class StepRow:
    id: int
    plan_id: int
    idx: int
    key: str
    action: str
    args: dict[str, Any]
    effect: str
    state: str
    result: ActionResult | None


class Journal:
    """A small, synchronous SQLite journal; safe to share between threads of one process."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False,
                                   isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- plans ---------------------------------------------------------------------------------
    def begin_plan(self, plan: Plan, origin: str) -> int:
        cur = self._db.execute(
            "INSERT INTO plans(created, origin, request, plan_json, status) VALUES (?,?,?,?,?)",
            (time.time(), origin, plan.request, plan.model_dump_json(), "running"))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def end_plan(self, plan_id: int, status: str) -> None:
        self._db.execute("UPDATE plans SET status=? WHERE id=?", (status, plan_id))

    def log_run(self, origin: str, request: str, status: str) -> int:
        """A plan row with no steps for a run outside the executor (a fired reminder, a
        scheduled plan refused or missed), so that `lam journal` lists it; nothing to undo."""
        plan_id = self.begin_plan(Plan(request=request), origin)
        self.end_plan(plan_id, status)
        return plan_id

    def plan(self, plan_id: int) -> PlanRow | None:
        row = self._db.execute("SELECT id, created, origin, request, plan_json, status FROM plans "
                               "WHERE id=?", (plan_id,)).fetchone()
        return _plan_row(row) if row else None

    def plans(self, limit: int = 20) -> list[PlanRow]:
        rows = self._db.execute("SELECT id, created, origin, request, plan_json, status FROM "
                                "plans ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [_plan_row(r) for r in rows]

    def last_plan(self, status: str | None = None) -> PlanRow | None:
        sql = "SELECT id, created, origin, request, plan_json, status FROM plans"
        args: tuple[Any, ...] = ()
        if status:
            sql += " WHERE status=?"
            args = (status,)
        row = self._db.execute(sql + " ORDER BY id DESC LIMIT 1", args).fetchone()
        return _plan_row(row) if row else None

    # -- steps ---------------------------------------------------------------------------------
    def step_by_key(self, key: str) -> StepRow | None:
        row = self._db.execute(
            "SELECT id, plan_id, idx, key, action, args_json, effect, state, result_json FROM "
            "steps WHERE key=?", (key,)).fetchone()
        return _step_row(row) if row else None

    def step_started(self, plan_id: int, idx: int, key: str, step: Step, effect: str) -> int:
        """Write the row before the effect. Raises ``sqlite3.IntegrityError`` if the key exists."""
        cur = self._db.execute(
            "INSERT INTO steps(plan_id, idx, key, action, args_json, effect, state, started) "
            "VALUES (?,?,?,?,?,?,?,?)",
            (plan_id, idx, key, step.action, json.dumps(step.args, default=str), effect,
             "started", time.time()))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def step_ended(self, row_id: int, result: ActionResult) -> None:
        self._db.execute("UPDATE steps SET state=?, result_json=?, ended=? WHERE id=?",
                         ("ok" if result.ok else "failed", result.model_dump_json(),
                          time.time(), row_id))

    def steps(self, plan_id: int) -> list[StepRow]:
        rows = self._db.execute(
            "SELECT id, plan_id, idx, key, action, args_json, effect, state, result_json FROM "
            "steps WHERE plan_id=? ORDER BY idx", (plan_id,)).fetchall()
        return [_step_row(r) for r in rows]

    def reconcile(self) -> list[StepRow]:
        """Mark steps left ``started`` by a dead process as ``interrupted``; return them."""
        rows = self._db.execute(
            "SELECT id, plan_id, idx, key, action, args_json, effect, state, result_json FROM "
            "steps WHERE state='started' ORDER BY id").fetchall()
        found = [_step_row(r) for r in rows]
        for row in found:
            self._db.execute("UPDATE steps SET state='interrupted', ended=? WHERE id=?",
                             (time.time(), row.id))
            self._db.execute("UPDATE plans SET status='interrupted' WHERE id=?", (row.plan_id,))
            self.record("interrupted", {"plan_id": row.plan_id, "step": row.idx,
                                        "action": row.action, "key": row.key,
                                        "args": row.args})
        return found

    # -- undo ----------------------------------------------------------------------------------
    def mark_undone(self, plan_id: int, idx: int, by_plan: int | None) -> None:
        """Step ``idx`` of plan ``plan_id`` was undone by plan ``by_plan`` (None: lam reported
        that it cannot be undone); either way `lam undo` does not take it up again."""
        self._db.execute("INSERT OR REPLACE INTO undone(plan_id, idx, by_plan, at) "
                         "VALUES (?,?,?,?)", (plan_id, idx, by_plan, time.time()))

    def undone(self, plan_id: int) -> dict[int, int | None]:
        """Step index -> the plan that undid it (None: reported as impossible to undo)."""
        rows = self._db.execute("SELECT idx, by_plan FROM undone WHERE plan_id=?", (plan_id,))
        return {int(r[0]): (int(r[1]) if r[1] is not None else None) for r in rows}

    def undid(self, undo_plan: int) -> int | None:
        """The plan that undo plan ``undo_plan`` undid (None when it undid nothing)."""
        row = self._db.execute("SELECT plan_id FROM undone WHERE by_plan=? LIMIT 1",
                               (undo_plan,)).fetchone()
        return int(row[0]) if row else None

    def undo_candidates(self) -> list[int]:
        """Ids of plans `lam undo` may still take up, newest first: not undo plans themselves,
        not marked undone, not still running."""
        rows = self._db.execute("SELECT id FROM plans WHERE origin != 'undo' AND status NOT IN "
                                "('undone', 'running') ORDER BY id DESC")
        return [int(r[0]) for r in rows]

    # -- events (JournalWriter for plugins) ------------------------------------------------------
    def record(self, kind: str, detail: dict[str, Any]) -> int:
        cur = self._db.execute("INSERT INTO events(at, kind, detail_json) VALUES (?,?,?)",
                               (time.time(), kind, json.dumps(detail, default=str)))
        assert cur.lastrowid is not None
        return cur.lastrowid

    def events(self, kind: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
        sql = "SELECT id, at, kind, detail_json FROM events"
        args: tuple[Any, ...] = ()
        if kind:
            sql += " WHERE kind=?"
            args = (kind,)
        rows = self._db.execute(sql + " ORDER BY id DESC LIMIT ?", (*args, limit)).fetchall()
        return [{"id": r[0], "at": r[1], "kind": r[2], **json.loads(r[3])} for r in rows]

    # -- automations ---------------------------------------------------------------------------
    def save_automation(self, name: str, plan: Plan, source_plan: int | None) -> None:
        self._db.execute("INSERT OR REPLACE INTO automations(name, created, plan_json, "
                         "source_plan) VALUES (?,?,?,?)",
                         (name, time.time(), plan.model_dump_json(), source_plan))

    def automation(self, name: str) -> Plan | None:
        row = self._db.execute("SELECT plan_json FROM automations WHERE name=?",
                               (name,)).fetchone()
        return Plan.model_validate_json(row[0]) if row else None

    def automation_source(self, name: str) -> int | None:
        row = self._db.execute("SELECT source_plan FROM automations WHERE name=?",
                               (name,)).fetchone()
        return int(row[0]) if row and row[0] is not None else None

    def automations(self) -> list[str]:
        return [r[0] for r in self._db.execute("SELECT name FROM automations ORDER BY name")]

    def automation_created(self, name: str) -> float | None:
        row = self._db.execute("SELECT created FROM automations WHERE name=?",
                               (name,)).fetchone()
        return float(row[0]) if row else None

    def delete_automation(self, name: str) -> bool:
        """Forget a saved automation; False when there was none of that name."""
        return self._db.execute("DELETE FROM automations WHERE name=?", (name,)).rowcount > 0


def _plan_row(row: tuple[Any, ...]) -> PlanRow:
    return PlanRow(id=row[0], created=row[1], origin=row[2], request=row[3],
                   plan=Plan.model_validate_json(row[4]), status=row[5])


def _step_row(row: tuple[Any, ...]) -> StepRow:
    return StepRow(id=row[0], plan_id=row[1], idx=row[2], key=row[3], action=row[4],
                   args=json.loads(row[5]), effect=row[6], state=row[7],
                   result=ActionResult.model_validate_json(row[8]) if row[8] else None)
