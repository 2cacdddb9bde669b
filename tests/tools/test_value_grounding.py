"""Copy-constrained arguments (`assistant.value_grounding`): a value the request gives, in any
of the forms a call takes it, is kept; one the model made up is found, and `lam plan --tools`
asks for it instead of calling."""

from __future__ import annotations

import json
from typing import Any

from assistant.external_tools import Tool
from assistant.tool_calling import ToolPlanKind, plan_tool_calls
from assistant.value_grounding import (
    invented,
    named_flags,
    rates_as_fractions,
    request_numbers,
    unused_values,
    without_invented,
)

LOAN = {"type": "object", "required": ["principal", "rate", "years"], "properties": {
    "principal": {"type": "number"}, "rate": {"type": "number"},
    "years": {"type": "integer"},
    "currency": {"type": "string", "enum": ["USD", "EUR"]},
    "note": {"type": "string", "description": "free text for the ledger"},
}}
SHIP = {"type": "object", "required": ["city", "parcels"], "properties": {
    "city": {"type": "string"}, "state": {"type": "string"},
    "parcels": {"type": "array", "items": {"type": "object", "required": ["weight_kg"],
                                           "properties": {"weight_kg": {"type": "number"}}}},
    "express": {"type": "boolean"},
}}


def test_numbers_are_read_in_the_forms_a_call_takes_them() -> None:
    numbers = request_numbers("borrow $12,500 at 3.5% for a dozen years, or five k")
    assert {12500.0, 12.0, 500.0, 3.5, 0.035, 1.0, 5.0, 5000.0} <= numbers
    assert 13.0 not in numbers


def test_values_the_request_gives_are_not_invented() -> None:
    request = "what do I pay back on 20,000 euros at 4 percent over six years?"
    given = {"principal": 20000, "rate": 0.04, "years": 6, "currency": "EUR"}
    assert invented(LOAN, "", given, request) == []
    assert invented(LOAN, "", {**given, "rate": 4}, request) == []
    # a loss written as a negative number, and zero for "nothing down"
    assert invented(LOAN, "", {**given, "principal": -20000, "years": 0}, request) == []


def test_made_up_values_are_found_and_optional_ones_dropped() -> None:
    request = "how many days until my birthday?"
    made_up = {"principal": 1000, "rate": 0.05, "years": 1, "note": "birthday savings plan"}
    assert invented(LOAN, "", made_up, request) == ["principal", "rate", "years"]
    assert invented(LOAN, "", made_up, "a loan for a birthday") == ["principal", "rate"]
    request = "loan of 900 at 2% for 3 years"
    assert without_invented(LOAN, "", {"principal": 900, "rate": 2, "years": 3,
                                       "note": "mortgage refinance quote"}, request) \
        == {"principal": 900, "rate": 2, "years": 3}


def test_text_by_its_words_codes_and_nested_values() -> None:
    request = "ship two parcels of 3 and 4.5 kg to Springfield by express"
    args: dict[str, Any] = {"city": "Springfield, IL", "state": "IL", "express": True,
                            "parcels": [{"weight_kg": 3}, {"weight_kg": 4.5}]}
    assert invented(SHIP, "", args, request) == []
    assert invented(SHIP, "", {**args, "parcels": [{"weight_kg": 7}]}, request) == ["parcels"]
    assert invented(SHIP, "", {**args, "city": "Shelbyville"}, request) == ["city"]
    # a request in another script: a value may be its translation
    assert invented(SHIP, "", {**args, "city": "Tokyo"}, "東京に小包を3kgと4.5kg送って") == []


def test_a_made_up_required_value_is_asked_for_not_called() -> None:
    class Scripted:
        def plan_json(self, system: str, user: str, schema: dict[str, Any],
                      max_tokens: int) -> tuple[str, float | None]:
            return '[{"loan_payment": {"principal": 5000, "rate": 0.05, "years": 10}}]', 0.9

    tool = Tool(name="loan.payment", wire="loan_payment", parameters=LOAN)
    plan = plan_tool_calls(Scripted(), [tool], "what's the capital of Peru?")
    assert plan.kind is ToolPlanKind.QUESTION and not plan.calls
    assert plan.reply == ("loan.payment needs principal, rate, years: the request does not "
                          "say them (the model wrote principal 5000, rate 0.05, years 10). "
                          "What should they be?")
    plan = plan_tool_calls(Scripted(), [tool], "repay 5000 at 5% over 10 years")
    assert plan.kind is ToolPlanKind.CALLS and plan.calls[0].arguments["years"] == 10


def test_values_no_call_takes_are_found() -> None:
    request = 'Cube volumes for sides 3 and 4, and one more for "the big box" in Leeds'
    assert unused_values(request, [{"side": 3}]) == ["4", "the big box", "Leeds"]
    assert unused_values(request, [{"side": 3}, {"side": 4, "label": "The big box"},
                                   {"side": 1, "city": "leeds"}]) == []


class Continuing:
    """A model that writes one call, then, with its calls fixed by the grammar, the next."""

    def __init__(self, *nexts: dict[str, Any]) -> None:
        self.nexts = list(nexts)
        self.schemas: list[dict[str, Any]] = []

    def plan_json(self, system: str, user: str, schema: dict[str, Any],
                  max_tokens: int) -> tuple[str, float | None]:
        self.schemas.append(schema)
        fixed = [item["const"] for item in schema.get("prefixItems", [])]
        return json.dumps([*fixed, self.nexts.pop(0)]), 0.9


def test_a_call_is_added_for_values_no_call_takes() -> None:
    tool = Tool(name="geo.distance", wire="geo_distance", parameters={
        "type": "object", "required": ["origin", "destination"],
        "properties": {"origin": {"type": "string"}, "destination": {"type": "string"}}})
    request = "distance from Paris to Lyon, and also from Marseille to Nice"
    first = {"geo_distance": {"origin": "Paris", "destination": "Lyon"}}
    model = Continuing(first, {"geo_distance": {"origin": "Marseille", "destination": "Nice"}})
    plan = plan_tool_calls(model, [tool], request)
    assert [c.arguments["destination"] for c in plan.calls] == ["Lyon", "Nice"]
    assert model.schemas[1]["prefixItems"] == [{"const": first}]
    assert model.schemas[1]["minItems"] == model.schemas[1]["maxItems"] == 2
    # a next call that takes none of the values left (a repeat) is not kept
    model = Continuing(first, first)
    assert len(plan_tool_calls(model, [tool], request).calls) == 1
    assert len(model.schemas) == 2


def test_a_rate_written_as_a_percentage_is_a_fraction_unless_described_as_one() -> None:
    params = {"type": "object", "properties": {
        "rate": {"type": "number", "description": "yearly interest"},
        "growth_pct": {"type": "number", "description": "growth as a percentage"},
        "years": {"type": "number"}, "share": {"type": "integer", "description": "rate"}}}
    request = "grow 900 at 3.5% interest with 7% growth for 4 years, share 7%"
    args = {"rate": 3.5, "growth_pct": 0.07, "years": 4, "share": 7}
    assert rates_as_fractions(params, args, request) == {
        "rate": 0.035, "growth_pct": 7, "years": 4, "share": 7}
    assert rates_as_fractions(params, {"rate": 0.035}, request) == {"rate": 0.035}
    assert rates_as_fractions(params, {"rate": 3.5}, "grow 900 at 3.5 interest") == {"rate": 3.5}


def test_a_boolean_option_the_request_names_is_on_unless_its_clause_denies_it() -> None:
    params = {"type": "object", "properties": {
        "include_sunrise": {"type": "boolean"}, "hourlyDetail": {"type": "boolean"},
        "has_parking": {"type": "boolean"}, "pets_allowed": {"type": "boolean"},
        "city": {"type": "string"}}}
    request = ("forecast for Oslo including sunrise with hourly detail; a place without "
               "parking, and I don't mind whether pets are allowed")
    assert named_flags(params, {"city": "Oslo", "has_parking": True}, request) == {
        "city": "Oslo", "include_sunrise": True, "hourlyDetail": True, "has_parking": False}
    assert named_flags(params, {"include_sunrise": False}, "forecast for Oslo") == {
        "include_sunrise": False}


def test_dates_written_as_digits_are_the_requests() -> None:
    params = {"type": "object", "required": ["day", "at"],
              "properties": {"day": {"type": "string"}, "at": {"type": "string"}}}
    request = "book it for May 3rd 2027 at half past six in the evening"
    assert invented(params, "", {"day": "2027-05-03", "at": "18:30"}, request) == []
    assert unused_values(request, [{"day": "2027-05-03"}]) == []


def test_a_schemas_prose_gives_digits_not_words() -> None:
    params = {"type": "object", "required": ["times", "seed"], "properties": {
        "times": {"type": "integer", "description": "how many times a cell divides"},
        "seed": {"type": "integer", "description": "seed, for example 42"}}}
    assert invented(params, "Split a cell.", {"times": 1, "seed": 42}, "where to eat?") \
        == ["times"]
    assert invented(params, "", {"times": 1, "seed": 42}, "divide it once") == []
    assert 1.0 not in request_numbers("the prime factors of 100")  # 100 is no rate
