"""Several listed things named at once ("the first two"): one step each."""

from __future__ import annotations

from actions.entities import Entity, Provenance, Scope
from actions.plan import Step
from actions.spec import ActionSpec
from assistant.context import EntityTable
from assistant.planner.plural import for_each_listed


def test_the_first_two_and_the_last_three(live_specs: dict[str, ActionSpec]) -> None:
    table = EntityTable()
    table.publish([Entity(id=f"email:{n}", type="email", label=f"Mail {n}", ordinal=n,
                          scope=Scope.SCREEN, provenance=Provenance(trusted=False, source="mail"))
                   for n in range(1, 6)])
    first = [Step(action="mark_read", args={"email": "email:1"})]
    each = for_each_listed(first, "mark the first two as read", table, live_specs)
    assert [s.args["email"] for s in each or []] == ["email:1", "email:2"]
    last = [Step(action="mark_read", args={"email": "email:5"})]
    each = for_each_listed(last, "mark the last 3 read", table, live_specs)
    assert [s.args["email"] for s in each or []] == ["email:3", "email:4", "email:5"]
    assert for_each_listed(first, "mark the first one as read", table, live_specs) is None
