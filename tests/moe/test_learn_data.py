"""`lam models learn` reads confirmed plans from the journal (no torch needed for this part)."""

from __future__ import annotations

import json
from pathlib import Path

from actions.plan import Plan, Step, ValueSource
from assistant.cli.experts_cmd import journal_examples
from assistant.journal import Journal
from assistant.planner.prompt import system_prompt
from assistant.runtime import Runtime, RuntimeOptions


def test_journal_done_plans_become_training_records(tmp_path: Path) -> None:
    rt = Runtime(RuntimeOptions(home=str(tmp_path / "home")))
    try:
        specs = [rt.registry.get(n) for n in rt.registry.names()]
    finally:
        rt.close()
    j = Journal(tmp_path / "journal.sqlite")
    done = Plan(request="remind me to water the ferns tomorrow at 8", steps=[Step(
        action="set_reminder",
        args={"text": "water the ferns", "when": "2026-11-25T08:00:00+01:00"},
        sources={"when": ValueSource(kind="model", text="tomorrow at 8")})])
    failed = Plan(request="open nowhere", steps=[Step(action="open_url",
                                                      args={"url": "x"})])
    j.end_plan(j.begin_plan(done, "cli"), "done")
    j.end_plan(j.begin_plan(failed, "cli"), "failed")
    j.close()
    recs = journal_examples(tmp_path / "journal.sqlite", specs)
    assert len(recs) == 1
    rec = recs[0]
    assert rec["system"] == system_prompt(specs)
    assert rec["user"].endswith("Request: remind me to water the ferns tomorrow at 8")
    target = json.loads(rec["target"])  # what the model writes: [{NAME: ARGS}]
    assert target == [{"set_reminder": {"text": "water the ferns", "when": "tomorrow at 8"}}]


def test_generated_examples_pass_through_the_real_pipeline() -> None:
    """Generated plans reach the model tier in the wire format and most survive the verifier
    (a format mismatch would keep none)."""
    from assistant.planner.prompt import from_wire
    from bench.evaluation.training import build_training_set

    records = build_training_set("scheduler", 12, progress=False)
    assert len(records) >= 3
    for rec in records:
        assert from_wire(rec["target"])["steps"], rec
        assert rec["request"] in rec["user"]


def test_multi_step_examples_a_template_half_reads_are_kept() -> None:
    """"open the X link and read it": a template reads one part, so the cascade first asks the
    model for the other part alone; the record is the call that saw the whole request."""
    from assistant.planner.prompt import from_wire
    from bench.evaluation.training import build_training_set

    records = build_training_set("general", 30, progress=False)
    multi = [r for r in records if len(from_wire(r["target"])["steps"]) >= 2]
    assert multi, [r["request"] for r in records]
    for rec in multi:
        assert rec["user"].rstrip().endswith(rec["request"])
