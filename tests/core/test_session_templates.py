"""Whole requests through the session with tier 0 (sentence templates): resolution,
clarifying questions, normalization, confirmation, execution and undo."""

from __future__ import annotations

import json
from pathlib import Path

from actions import PlanKind
from assistant.runtime import Runtime
from assistant.session import Session


def sink(runtime: Runtime) -> list[dict[str, object]]:
    path = runtime.paths.data_dir / "plugins" / "demo" / "sink.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_open_then_ordinal_reference(runtime: Runtime) -> None:
    s = Session(runtime)
    p = s.propose("open https://news.example/")
    assert p.plan.tier == 0 and p.runnable
    assert s.confirmation(p).needed is False
    assert s.run(p).ok
    p = s.propose("open the second link")
    (step,) = p.plan.steps
    assert step.action == "open_link" and step.args == {"link": "link:2"}
    assert step.sources["link"].describe().startswith("from 'the second link' = link #2 (Story 2)")
    report = s.run(p)
    assert report.steps[0].result is not None
    assert report.steps[0].result.output["url"] == "https://news.example/b"


def test_two_steps_with_a_reference_to_what_step_one_produces(runtime: Runtime) -> None:
    s = Session(runtime)
    p = s.propose("open https://news.example/ and then open the third link")
    assert p.plan.tier == 0
    assert [st.action for st in p.plan.steps] == ["open_page", "open_link"]
    # "the third link" does not exist yet: it is resolved after step 1 has run.
    assert p.plan.steps[1].args["link"] == {"$step": 0, "mention": "the third link",
                                            "type": "link"}
    report = s.run(p)
    assert report.ok
    assert report.steps[1].args == {"link": "link:3"}
    assert report.steps[1].result is not None
    assert report.steps[1].result.output["url"] == "https://news.example/c"


def test_ambiguous_contact_becomes_a_question_then_runs(runtime: Runtime) -> None:
    s = Session(runtime)
    p = s.propose("message Alice that I'm running late")
    assert p.plan.kind is PlanKind.QUESTION
    assert p.plan.question == "Alice Chen or Alice Park?"
    assert p.plan.options == ["Alice Chen", "Alice Park"]
    assert sink(runtime) == []
    p = s.propose("Alice Park")
    (step,) = p.plan.steps
    assert step.args == {"to": "contact:alice-park", "body": "I'm running late"}
    confirmation = s.confirmation(p)
    assert confirmation.needed
    assert confirmation.reasons == ["step 1 send_message is external_send"]
    assert s.run(p).ok
    assert sink(runtime)[0]["to"] == "contact:alice-park"


def test_times_are_normalized_and_undo_applies_the_inverse(runtime: Runtime) -> None:
    s = Session(runtime)
    p = s.propose("set a timer for tomorrow at 9am")
    (step,) = p.plan.steps
    assert step.args == {"when": "2026-11-25T09:00:00+01:00"}
    assert step.sources["when"].text == "tomorrow at 9am"
    assert s.confirmation(p).needed
    assert s.run(p).ok
    report = s.undo()
    assert report.ok
    assert [o.action for o in report.steps] == ["cancel_timer"]
    assert sink(runtime)[-1]["cancel"].startswith("timer:plan")
    assert s.undo().steps[0].problems == ["nothing to undo"] or s.undo().ok is False


def test_recipient_from_page_text_needs_confirmation(runtime: Runtime, tmp_path: Path) -> None:
    s = Session(runtime)
    s.run(s.propose("open https://news.example/"))
    p = s.propose("email mallory@evil.example to it")
    assert p.plan.kind is PlanKind.QUESTION or not p.runnable or s.confirmation(p).needed
    assert sink(runtime) == []
