"""`assistant.fan_out`: a request that lists values gets one call per value when the model
wrote fewer calls, or ran the listed numbers together; pairs, ranges and calls that already
cover the list are left alone. The last test runs it inside `plan_tool_calls`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assistant.external_tools import read_tools
from assistant.fan_out import fan_out, listed_values
from assistant.tool_calling import ToolPlanKind, plan_tool_calls


def test_lists_of_numbers_money_and_names_are_read() -> None:
    assert listed_values("square roots of 16,25 and 81.") == [["16", "25", "81"]]
    assert listed_values("budgets of $3,500, $12,000 and $40,000 a year") == [
        ["$3,500", "$12,000", "$40,000"]]
    assert listed_values("the forecast for Lyon, Porto and Graz") == [["Lyon", "Porto", "Graz"]]
    assert listed_values("songs by Blur and Sum 41") == [["Blur", "Sum 41"]]


def test_ranges_and_pairs_are_no_list() -> None:
    assert listed_values("integrate x^2 between 2 and 6") == []
    assert listed_values("hotels in Lyon, France and Porto, Portugal") == []


def test_one_call_for_the_first_value_becomes_one_call_per_value() -> None:
    calls = [("weather", {"city": "Lyon", "unit": "celsius"})]
    assert fan_out("the forecast for Lyon, Porto and Graz", calls) == [
        ("weather", {"city": "Lyon", "unit": "celsius"}),
        ("weather", {"city": "Porto", "unit": "celsius"}),
        ("weather", {"city": "Graz", "unit": "celsius"})]


def test_numbers_run_together_are_split() -> None:
    calls = [("sqrt", {"x": 1625}), ("sqrt", {"x": 81})]
    assert fan_out("square roots of 16,25 and 81.", calls) == [
        ("sqrt", {"x": 16}), ("sqrt", {"x": 25}), ("sqrt", {"x": 81})]


def test_money_keeps_its_type() -> None:
    assert fan_out("tax on $3,500, $12,000 and $40,000", [("tax", {"income": 3500.0})]) == [
        ("tax", {"income": 3500.0}), ("tax", {"income": 12000.0}), ("tax", {"income": 40000.0})]


def test_calls_that_cover_the_list_are_unchanged() -> None:
    both = [("play", {"artist": "Blur", "minutes": 10}), ("play", {"artist": "Sum 41",
                                                                 "minutes": 5})]
    assert fan_out("songs by Blur and Sum 41, for 10 and 5 minutes", both) == both
    pair = [("hypot", {"a": 6, "b": 8})]
    assert fan_out("hypotenuse of 6,8 and 9,12", pair) == pair
    summed = [("sum", {"values": [2, 4, 7]})]
    assert fan_out("add 2, 4 and 7", summed) == summed


def _tools(tmp_path: Path) -> Path:
    path = tmp_path / "tools.json"
    path.write_text(json.dumps([{"type": "function", "function": {
        "name": "math.sqrt", "description": "Square root of a number.",
        "parameters": {"type": "object", "properties": {
            "x": {"type": "integer", "minimum": 0}}, "required": ["x"]}}}]))
    return path


class _One:
    def __init__(self, output: str) -> None:
        self.output = output

    def plan_json(self, system: str, user: str, schema: dict[str, Any],
                  max_tokens: int) -> tuple[str, float | None]:
        return self.output, 0.9


def test_plan_tool_calls_fans_out_and_keeps_schema_checks(tmp_path: Path) -> None:
    tools = read_tools(str(_tools(tmp_path)))
    plan = plan_tool_calls(_One('[{"math_sqrt": {"x": 1625}}]'), tools,
                           "square roots of 16,25 and 81")
    assert plan.kind is ToolPlanKind.CALLS
    assert [(c.name, c.arguments) for c in plan.calls] == [
        ("math.sqrt", {"x": 16}), ("math.sqrt", {"x": 25}), ("math.sqrt", {"x": 81})]
    # a value the schema refuses (a negative number) keeps the model's own calls
    plan = plan_tool_calls(_One('[{"math_sqrt": {"x": 4}}]'), tools, "roots of 4 and -9")
    assert [(c.name, c.arguments) for c in plan.calls] == [("math.sqrt", {"x": 4})]


def test_the_second_halves_of_pairs_are_no_list() -> None:
    """"Lyon from Paris, and Nice from Marseille": Paris and Nice each end a pair; a list
    with a pair word after it but none before ("from Oslo, Bergen and Tromsø to Rome") is
    one."""
    request = "how far is Lyon from Paris, and Nice from Marseille?"
    assert listed_values(request) == []
    calls = [("geo.distance", {"origin": "Paris", "destination": "Lyon"})]
    assert fan_out(request, calls) == calls
    assert listed_values("trains from Oslo, Bergen and Tromsø to Rome") == [
        ["Oslo", "Bergen", "Tromsø"]]
