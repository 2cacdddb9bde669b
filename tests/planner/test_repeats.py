"""Identical read steps the request did not ask to repeat are dropped (assistant/planner/
repeats.py). Scripted models: these check the cascade's decision, not planning quality."""

from __future__ import annotations

from actions.plan import Step
from assistant.planner.repeats import drop_repeats
from assistant.runtime import Runtime
from assistant.session import Session
from tests.planner.test_escalation import Scripted

OPEN = {"open_url": {"url": "docs.rust-lang.org"}}


def test_six_identical_reads_become_one(runtime: Runtime) -> None:
    looped = {"steps": [{"action": "open_url", "args": {"url": "docs.rust-lang.org"}}] +
              [{"action": "read_page", "args": {}}] * 5}
    tier1 = Scripted(looped)
    runtime.model_factories = {1: lambda: tier1, 2: lambda: None}
    proposal = Session(runtime).propose("bring up the rust language manual page")
    assert [s.action for s in proposal.plan.steps] == ["open_url", "read_page"]


def test_a_repetition_the_request_asks_for_stays(runtime: Runtime) -> None:
    specs = runtime.registry.get
    steps = [Step(action="scroll", args={"direction": "down"})] * 3
    assert len(drop_repeats(steps, specs, "scroll down 3 times please")) == 3
    assert len(drop_repeats(steps, specs, "move the page down a bit")) == 1


def test_side_effects_and_different_arguments_are_kept(runtime: Runtime) -> None:
    specs = runtime.registry.get
    clicks = [Step(action="click", args={"target": "Next"})] * 2
    assert len(drop_repeats(clicks, specs, "click next")) == 2
    reads = [Step(action="open_url", args={"url": "a.example"}),
             Step(action="open_url", args={"url": "b.example"})]
    assert drop_repeats(reads, specs, "open a.example and b.example") == reads


def test_references_follow_the_kept_step(runtime: Runtime) -> None:
    steps = [Step(action="list_emails", args={"sender": "Mo"}),
             Step(action="list_emails", args={"sender": "Mo"}),
             Step(action="read_email", args={"email": {"$step": 1}})]
    out = drop_repeats(steps, runtime.registry.get, "show what Mo sent and open it")
    assert [s.action for s in out] == ["list_emails", "read_email"]
    assert out[1].args["email"] == {"$step": 0}


def test_the_same_message_sent_again_and_again_is_sent_once(runtime: Runtime) -> None:
    specs = runtime.registry.get
    sends = [Step(action="send_email", args={"to": "kai@boatyard.example", "body": "late"})] * 6
    assert len(drop_repeats(sends, specs, "tell kai@boatyard.example i'm late")) == 1
    assert len(drop_repeats(sends[:2], specs, "email kai@boatyard.example twice")) == 2
