"""`Session.undo`: the latest plan with something left to undo (read-only plans skipped), a
named journal entry, nothing undone twice, side effects without an inverse reported once; each
undo in a new runtime over the same home, as `lam undo` runs in a new process."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from actions import Plan, Step
from actions.errors import UserInputError
from assistant.execute import StepStatus
from assistant.planner.cascade import Proposal
from assistant.runtime import Runtime
from assistant.session import Session
from tests.core.conftest import NOW, make_runtime

TIMER = Step(action="set_timer", args={"when": NOW.replace(hour=21).isoformat()})
READ = Step(action="open_page", args={"url": "https://news.example/"})
SEND = Step(action="send_message", args={"to": "contact:bob", "body": "hello"})

Fresh = Callable[[], Session]


@pytest.fixture
def fresh(tmp_path: Path) -> Iterator[Fresh]:
    """A new session on a new runtime over one home each call (a new `lam` process)."""
    runtimes: list[Runtime] = []

    def make() -> Session:
        runtimes.append(make_runtime(tmp_path))
        return Session(runtimes[-1])

    yield make
    for rt in runtimes:
        rt.close()


def run(session: Session, *steps: Step, request: str = "r") -> int:
    session.refresh_background()
    report = session.run(Proposal(plan=Plan(request=request, steps=list(steps))))
    assert report.ok and report.plan_id is not None, report.summary()
    return report.plan_id


def sink(session: Session) -> list[dict[str, object]]:
    import json

    path = session.runtime.paths.data_dir / "plugins" / "demo" / "sink.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_undo_skips_read_only_plans_and_never_undoes_twice(fresh: Fresh) -> None:
    timer = run(fresh(), TIMER, request="set a timer")
    run(fresh(), READ, request="open the news")
    report = fresh().undo()
    assert report.ok and report.undid == timer and report.request == "set a timer"
    assert [(o.action, o.status) for o in report.steps] == [("cancel_timer", StepStatus.OK)]
    session = fresh()
    assert session.runtime.journal.plan(timer).status == "undone"  # type: ignore[union-attr]
    assert session.runtime.journal.undone(timer) == {0: report.plan_id}
    again = session.undo()
    assert again.ok and again.undid is None and again.note == "nothing to undo"
    assert again.steps[0].problems == ["nothing to undo"]
    assert [r for r in sink(session) if "cancel" in r] == [
        {"key": "plan3:0", "cancel": f"timer:plan{timer}:0"}]


def test_undo_a_named_entry(fresh: Fresh) -> None:
    first = run(fresh(), TIMER, request="first timer")
    second = run(fresh(), TIMER, request="second timer")
    report = fresh().undo(first)
    assert report.ok and report.undid == first
    named_again = fresh().undo(first)
    assert named_again.ok and named_again.undid is None
    assert named_again.note == (f"plan #{first} is already undone (by plan #{report.plan_id})"
                                "; nothing ran")
    latest = fresh().undo()
    assert latest.undid == second
    assert fresh().undo().note == "nothing to undo"


def test_bad_ids_are_user_errors(fresh: Fresh) -> None:
    run(fresh(), TIMER)
    undo_plan = fresh().undo().plan_id
    assert undo_plan is not None
    with pytest.raises(UserInputError, match="no plan #99 in the journal"):
        fresh().undo(99)
    with pytest.raises(UserInputError, match=f"plan #{undo_plan} is itself an undo "
                                             r"\(of plan #1\)"):
        fresh().undo(undo_plan)


def test_read_only_named_entry_has_nothing_to_undo(fresh: Fresh) -> None:
    read = run(fresh(), READ)
    report = fresh().undo(read)
    assert report.ok and report.undid is None
    assert report.note == f"plan #{read} has nothing to undo (it changed nothing); nothing ran"


def test_a_side_effect_without_inverse_is_reported_once(fresh: Fresh) -> None:
    timer = run(fresh(), TIMER, request="timer")
    sent = run(fresh(), SEND, request="tell bob")
    report = fresh().undo()
    assert not report.ok and report.undid == sent
    assert report.steps[0].problems == ["step 1 cannot be undone (no inverse)"]
    # Reported: the next undo goes further back instead of repeating it.
    assert fresh().undo().undid == timer
    # Named, it is still said plainly.
    named = fresh().undo(sent)
    assert not named.ok and named.steps[0].action == "send_message"


def test_a_mixed_plan_undoes_what_it_can(fresh: Fresh) -> None:
    mixed = run(fresh(), TIMER, SEND, request="timer and tell bob")
    report = fresh().undo()
    assert report.undid == mixed and not report.ok
    assert [(o.action, o.status) for o in report.steps] == [
        ("cancel_timer", StepStatus.OK), ("send_message", StepStatus.NOT_RUN)]
    session = fresh()
    assert session.runtime.journal.plan(mixed).status == "undone"  # type: ignore[union-attr]
    assert session.undo().note == "nothing to undo"
