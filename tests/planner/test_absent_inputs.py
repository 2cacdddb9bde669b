"""A plan step that acts on a kind of thing nothing in scope is and no earlier step produces
("what is the weather in Lagos" planned as `read_page`, with no page open) is doubted; the
actions whose inputs are there are the ones to plan among."""

from __future__ import annotations

import pytest

from actions import ActionSpec, Step
from actions.entities import Entity, Scope
from actions.plan import Plan, PlanKind
from assistant.context import EntityTable
from assistant.planner.cascade import _inputs_there
from assistant.planner.doubts import absent_inputs, missing_inputs_answer


@pytest.fixture(scope="module")
def specs(live_specs: dict[str, ActionSpec]) -> dict[str, ActionSpec]:
    return live_specs


def _plan(*steps: Step) -> Plan:
    return Plan(request="x", kind=PlanKind.ACTIONS, steps=list(steps))


LINK = Entity(id="link1", type="link", label="Timetable", scope=Scope.SCREEN,
              attributes={"url": "https://ferry.example/times"})


def test_reading_a_page_with_none_open_is_doubted(specs: dict[str, ActionSpec]) -> None:
    doubts = absent_inputs(_plan(Step(action="read_page")), specs, {})
    assert doubts == ["read_page acts on a page, and no page is open or in scope"]
    assert absent_inputs(_plan(Step(action="go_back"), Step(action="scroll")), specs, {})


def test_a_page_is_there_when_its_things_are_or_an_earlier_step_opens_it(
        specs: dict[str, ActionSpec]) -> None:
    assert absent_inputs(_plan(Step(action="read_page")), specs, {LINK.id: LINK}) == []
    opened = _plan(Step(action="open_url", args={"url": "https://ferry.example"}),
                   Step(action="read_page"))
    assert absent_inputs(opened, specs, {}) == []


def test_the_actions_to_plan_among_leave_out_those_acting_on_what_is_missing(
        specs: dict[str, ActionSpec]) -> None:
    nothing_open = _inputs_there(specs, EntityTable())
    assert {"list_jobs", "send_email", "open_url", "search_web"} <= set(nothing_open)
    assert not {"read_page", "go_back", "scroll", "click"} & set(nothing_open)
    table = EntityTable()
    table.publish([LINK])
    assert {"read_page", "open_link"} <= set(_inputs_there(specs, table))


def test_a_typed_address_needs_no_contact_in_scope(specs: dict[str, ActionSpec]) -> None:
    step = Step(action="send_email", args={"to": "kai@boatyard.example", "body": "hi"})
    assert absent_inputs(_plan(step), specs, {}) == []


def test_a_step_the_request_calls_for_is_the_users_choice(specs: dict[str, ActionSpec]) -> None:
    from actions.plan import ACTION_SOURCE, ValueSource

    asked = Step(action="scroll", sources={ACTION_SOURCE: ValueSource(
        kind="user_text", text="scroll", note="your words call for it")})
    assert absent_inputs(_plan(asked), specs, {}) == []


def test_a_request_that_speaks_of_a_page_believes_one_is_open(
        specs: dict[str, ActionSpec]) -> None:
    plan = Plan(request="grab the whole page as an image", kind=PlanKind.ACTIONS,
                steps=[Step(action="screenshot")])
    assert absent_inputs(plan, specs, {}) == []


def test_the_answer_speaks_of_what_is_missing_not_of_action_names(
        specs: dict[str, ActionSpec]) -> None:
    plan = _plan(Step(action="read_page"), Step(action="scroll"))
    answer = missing_inputs_answer(plan, specs, {})
    assert answer.startswith("I have no action for that here: the nearest one needs a page,")
    assert "read_page" not in answer and "scroll" not in answer
    assert answer.count("a page") == 1
    assert missing_inputs_answer(plan, specs, {LINK.id: LINK}) == ""
