"""A process killed between a step's "started" and "ended" rows: on restart the step is
reported, and never run again."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from actions import Plan, Step
from assistant.execute import StepStatus
from assistant.session import Session
from tests.core.conftest import make_runtime

CHILD = textwrap.dedent("""
    import sys
    from pathlib import Path
    from actions import Plan, Step
    from assistant.planner.cascade import Proposal
    from assistant.session import Session
    from tests.core.conftest import make_runtime

    rt = make_runtime(Path(sys.argv[1]), sink=sys.argv[2], crash_after_effect=True)
    session = Session(rt)
    session.refresh_background()
    plan = Plan(request="tell bob", steps=[
        Step(action="send_message", args={"to": "contact:bob", "body": "hello"})])
    session.run(Proposal(plan=plan))
    print("not reached")
""")


def test_killed_mid_step_is_reported_and_not_rerun(tmp_path: Path) -> None:
    sink = tmp_path / "sink.jsonl"
    proc = subprocess.run([sys.executable, "-c", CHILD, str(tmp_path), str(sink)],
                          capture_output=True, text=True, timeout=120,
                          cwd=str(Path(__file__).resolve().parents[2]))
    assert proc.returncode == 9, proc.stderr
    assert "not reached" not in proc.stdout
    assert len(sink.read_text().splitlines()) == 1

    runtime = make_runtime(tmp_path, sink=str(sink))
    try:
        session = Session(runtime)
        assert [(r.action, r.idx) for r in session.interrupted] == [("send_message", 0)]
        assert any("interrupted by a crash" in n and "send_message" in n
                   for n in runtime.notifications)
        steps = runtime.journal.steps(session.interrupted[0].plan_id)
        assert [s.state for s in steps] == ["interrupted"]
        # A retry under the same key (as a scheduled job would) does not run the effect again.
        key = session.interrupted[0].key.rsplit(":", 1)[0]
        plan = Plan(request="tell bob", steps=[
            Step(action="send_message", args={"to": "contact:bob", "body": "hello"})])
        report = session.run_stored(plan, origin="retry", key=key)
        assert report.steps[0].status is StepStatus.INTERRUPTED
        assert len(sink.read_text().splitlines()) == 1
        # A second restart reports nothing new.
        assert Session(runtime).interrupted == []
        events = runtime.journal.events("interrupted")
        assert json.loads(json.dumps(events[0]))["action"] == "send_message"
    finally:
        runtime.close()
