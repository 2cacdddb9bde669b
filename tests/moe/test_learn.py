"""`lam models learn` (issue #23 part 4): a personal expert from the user's own journal,
trained locally on all but the most recent plans; the planner's accuracy on those held-out
plans is printed before and after. SmolLM2-135M, a few steps (torch: the ``train`` extra)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from actions.plan import Plan, Step, ValueSource
from assistant.journal import Journal

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(1800)]

# (request, action, args, the slot text the user typed for "when")
PLANS = [
    ("remind me to oil the bike chain on friday at 6", "set_reminder",
     {"text": "oil the bike chain", "when": "2026-12-11T18:00:00+01:00"}, "friday at 6"),
    ("open lwn.net", "open_url", {"url": "https://lwn.net"}, None),
    ("remind me to renew the parking permit tomorrow at 10", "set_reminder",
     {"text": "renew the parking permit", "when": "2026-12-06T10:00:00+01:00"},
     "tomorrow at 10"),
    ("go to docs.python.org", "open_url", {"url": "https://docs.python.org"}, None),
    ("remind me to defrost the freezer on sunday at 11", "set_reminder",
     {"text": "defrost the freezer", "when": "2026-12-06T11:00:00+01:00"}, "sunday at 11"),
    ("open openstreetmap.org", "open_url", {"url": "https://openstreetmap.org"}, None),
    ("remind me to back up the laptop tonight at 9", "set_reminder",
     {"text": "back up the laptop", "when": "2026-12-05T21:00:00+01:00"}, "tonight at 9"),
    ("open codeberg.org", "open_url", {"url": "https://codeberg.org"}, None),
    ("remind me to water the basil tomorrow at 8", "set_reminder",
     {"text": "water the basil", "when": "2026-12-06T08:00:00+01:00"}, "tomorrow at 8"),
    ("open sourcehut.org", "open_url", {"url": "https://sourcehut.org"}, None),
]


def _journal(path: Path) -> None:
    j = Journal(path)
    for request, action, args, when in PLANS:
        sources = {"when": ValueSource(kind="model", text=when)} if when else {}
        plan = Plan(request=request, steps=[Step(action=action, args=args, sources=sources)])
        j.end_plan(j.begin_plan(plan, "cli"), "done")
    # a plan that failed is not learned from, nor measured on
    j.end_plan(j.begin_plan(Plan(request="open nowhere", steps=[
        Step(action="open_url", args={"url": "x"})]), "cli"), "failed")
    j.close()


def test_learn_prints_accuracy_before_and_after_on_held_out_recent_plans(
        tmp_path: Path, smollm2: Path) -> None:
    pytest.importorskip("torch")
    from assistant.cli.experts_cmd import journal_examples
    from assistant.runtime import Runtime, RuntimeOptions
    from models.moe import data_hash, read_expert_meta

    journal = tmp_path / "journal.sqlite"
    _journal(journal)
    home = tmp_path / "home"
    env = {**os.environ, "LAM_HOME": str(home),
           "LAM_SHIPPED_EXPERTS": str(tmp_path / "no-shipped-experts")}
    env.pop("LAM_DEBUG", None)
    lam = shutil.which("lam")
    assert lam
    proc = subprocess.run([lam, "models", "learn", "--base", str(smollm2), "--journal",
                           str(journal), "--steps", "3", "--json"], env=env,
                          capture_output=True, text=True, timeout=1700)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)

    # the two most recent done plans (20% of 10) are held out; the other 8 are trained on
    newest_first = [p[0] for p in reversed(PLANS)]
    assert out["held_out"] == newest_first[:2]
    assert out["trained_on"] == 8
    for side in ("before", "after"):
        assert [c["request"] for c in out[side]["cases"]] == newest_first[:2]
        assert out[side]["total"] == 2
        assert out[side]["right"] == sum(c["right"] for c in out[side]["cases"])
    lines = proc.stderr.splitlines()
    assert (f"before: {out['before']['right']}/2 right "
            f"({50 * out['before']['right']}%) on your 2 most recent requests "
            f"(the dense base)") in lines, proc.stderr
    assert (f"after:  {out['after']['right']}/2 right ({50 * out['after']['right']}%) "
            f"on the same requests (with personal)") in lines, proc.stderr

    # the expert was trained on exactly the 8 older plans (its data hash says so)
    rt = Runtime(RuntimeOptions(home=str(tmp_path / "specs-home")))
    try:
        specs = [rt.registry.get(n) for n in rt.registry.names()]
    finally:
        rt.close()
    records = journal_examples(journal, specs)
    meta = read_expert_meta(home / "experts" / "personal.lamx")
    assert meta.examples == 8 and meta.domain == "personal"
    assert meta.data_sha256 == data_hash([json.dumps(r, sort_keys=True) for r in records[2:]])
