"""The verifier's typed violations, and the gate: no plan with a violation reaches the executor."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from actions import Plan, Provenance, Step, ValueSource, ViolationReason
from assistant.planner.cascade import Proposal
from assistant.runtime import Runtime
from assistant.session import Session
from tests.core.conftest import NOW


def reasons(session: Session, plan: Plan) -> set[ViolationReason]:
    session.refresh_background()
    return {v.reason for v in session.verifier.verify(plan, session.table.as_mapping(),
                                                      NOW)}


def test_each_violation_reason(runtime: Runtime) -> None:
    s = Session(runtime)
    assert reasons(s, Plan(steps=[Step(action="fly", args={})])) == {
        ViolationReason.UNKNOWN_ACTION}
    assert reasons(s, Plan(steps=[Step(action="open_page", args={"url": 3})])) == {
        ViolationReason.SCHEMA}
    assert reasons(s, Plan(steps=[Step(action="open_link", args={"link": "link:9"})])) == {
        ViolationReason.UNRESOLVED_ENTITY}
    assert reasons(s, Plan(steps=[Step(action="send_message", args={
        "to": "link:1", "body": "x"})])) >= {ViolationReason.UNRESOLVED_ENTITY}
    s.table.publish(s.runtime.registry.get("open_page").run(  # type: ignore[union-attr]
        __import__("actions").ActionContext(), s.runtime.registry.get("open_page")
        .validate_args({"url": "https://news.example/"})[0]).entities)  # type: ignore[union-attr,arg-type]
    assert reasons(s, Plan(steps=[Step(action="send_message", args={
        "to": "link:1", "body": "x"})])) == {ViolationReason.MISTYPED_ENTITY,
                                             ViolationReason.TAINTED_SENSITIVE}
    assert reasons(s, Plan(steps=[Step(action="send_message", args={
        "to": "contact:bob", "body": {"$step": 0}})])) == {ViolationReason.DANGLING_STEP_REF}
    past = (NOW - timedelta(hours=1)).isoformat()
    assert reasons(s, Plan(steps=[Step(action="set_timer", args={"when": past})])) == {
        ViolationReason.TIME_IN_PAST}
    tainted = Step(action="send_message", args={"to": "contact:bob", "body": "hi"},
                   sources={"to": ValueSource(provenance=Provenance.untrusted("page x"))})
    (v,) = s.verifier.verify(Plan(steps=[tainted]), s.table.as_mapping(), NOW)
    assert v.reason is ViolationReason.TAINTED_SENSITIVE and v.needs_confirmation
    assert "page x" in v.message
    many = Plan(steps=[Step(action="open_page", args={"url": "https://a.example/"})] * 7)
    assert ViolationReason.TOO_MANY_STEPS in reasons(s, many)


ACTIONS = ["open_page", "open_link", "send_message", "set_timer", "cancel_timer", "nope"]
VALUES = st.one_of(
    st.sampled_from(["https://news.example/", "link:1", "link:7", "contact:bob",
                     "contact:alice-chen", "page:https://news.example/", "", "x" * 300,
                     (NOW + timedelta(days=1)).isoformat(), (NOW - timedelta(days=1)).isoformat(),
                     "tomorrow"]),
    st.integers(-2, 4).map(lambda i: {"$step": i}),
    st.integers(), st.none())
ARGS = st.dictionaries(st.sampled_from(["url", "link", "to", "body", "when", "timer", "x"]),
                       VALUES, max_size=3)
STEPS = st.lists(st.builds(lambda a, args, trusted: Step(
    action=a, args=args, sources={k: ValueSource(provenance=Provenance(
        trusted=trusted, source="user" if trusted else "page")) for k in args}),
    st.sampled_from(ACTIONS), ARGS, st.booleans()), min_size=1, max_size=8)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=STEPS)
def test_no_plan_with_a_violation_reaches_the_executor(runtime: Runtime,
                                                        steps: list[Step]) -> None:
    session = Session(runtime)
    session.refresh_background()
    plan = Plan(request="random", steps=steps)
    before = len(runtime.journal.plans(1000))
    violations = session.verifier.verify(plan, session.table.as_mapping(), NOW)
    blocked = [v for v in violations if not v.needs_confirmation]
    # A caller that lies about the violations (passes none) is still stopped at the gate.
    proposal = Proposal(plan=plan, violations=[])
    if blocked:
        with pytest.raises(ValueError, match="cannot run"):
            session.run(proposal)
        assert len(runtime.journal.plans(1000)) == before
    else:
        report = session.run(proposal)
        assert report.plan_id is not None
