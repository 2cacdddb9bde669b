"""`lam plan --tools` internals on real public-API schemas (GitHub, Stripe, BFCL dev-half docs):
reading, the compact prompt, the output grammar (compiled by llama.cpp's own converter) and the
planner loop with a scripted model (the e2e tests run the real model)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jsonschema
import pytest

from actions.errors import UserInputError
from assistant.external_tools import read_tools, tool_spec, wire_names
from assistant.tool_calling import (
    NONE,
    ToolPlanKind,
    call_schema,
    openai_message,
    plan_tool_calls,
    tools_prompt,
)

SCHEMAS = Path(__file__).parent / "schemas"


def bfcl_file(tmp_path: Path) -> Path:
    tools: dict[str, dict[str, Any]] = {}
    for case in json.loads((SCHEMAS / "bfcl_dev.json").read_text()):
        tools.update({t["function"]["name"]: t for t in case["tools"]})
    path = tmp_path / "bfcl.json"
    path.write_text(json.dumps(list(tools.values())))
    return path


class Scripted:
    """A planner model that returns the given outputs in turn and records what it was shown;
    asked whether a function fits (a true/false answer), it answers ``fits``."""

    def __init__(self, *outputs: str, fits: str = "true") -> None:
        self.outputs = list(outputs)
        self.fits = fits
        self.seen: list[tuple[str, str, dict[str, Any]]] = []
        self.judged: list[str] = []

    def plan_json(self, system: str, user: str, schema: dict[str, Any],
                  max_tokens: int) -> tuple[str, float | None]:
        if schema == {"type": "boolean"}:
            self.judged.append(user)
            return self.fits, 0.3
        self.seen.append((system, user, schema))
        return self.outputs.pop(0), 0.9


def test_dotted_names_are_read_and_mapped_reversibly(tmp_path: Path) -> None:
    tools = read_tools(str(SCHEMAS / "github.json"))
    assert [(t.name, t.wire) for t in tools] == [("issues.create", "issues_create"),
                                                 ("pulls.list", "pulls_list")]
    assert wire_names(["a.b", "a_b", "a-b"]) == {"a.b": "a_b", "a_b": "a_b_2", "a-b": "a-b"}
    model = Scripted('[{"pulls_list": {"owner": "octocat", "repo": "hello", "state": "closed"}}]')
    plan = plan_tool_calls(model, tools, "closed pull requests of octocat/hello")
    assert plan.kind is ToolPlanKind.CALLS
    assert plan.calls[0].name == "pulls.list"
    assert plan.calls[0].arguments == {"owner": "octocat", "repo": "hello", "state": "closed"}


def test_prompt_shows_descriptions_enums_defaults_and_nested_fields() -> None:
    prompt = tools_prompt(read_tools(str(SCHEMAS / "stripe.json")))
    assert "payment_intents_create: Create a Stripe PaymentIntent" in prompt
    assert "amount (integer, required): Amount intended to be collected" in prompt
    assert 'capture_method ("automatic"|"automatic_async"|"manual", optional, ' \
           'default "automatic_async")' in prompt
    assert 'payment_method_types (array of ("card"|"sepa_debit"|"ideal"|"us_bank_account")' \
        in prompt
    assert "customer (string|null, optional)" in prompt
    # nested object fields, through a $ref, indented under their parent
    assert "\n    address (object, required)" in prompt
    assert "\n      country (string, optional): Two-letter country code" in prompt
    github = tools_prompt(read_tools(str(SCHEMAS / "github.json")))
    assert "labels (array of (string|object), optional)" in github
    assert "\n    name (string, optional)" in github  # the object form of a label


@pytest.mark.parametrize("name", ["github.json", "stripe.json", "bfcl"])
def test_output_grammar_compiles_and_keeps_the_schema(tmp_path: Path, name: str) -> None:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    tools = read_tools(str(bfcl_file(tmp_path) if name == "bfcl" else SCHEMAS / name))
    schema = call_schema(tools)
    assert "root ::=" in json_schema_to_gbnf(json.dumps(schema, sort_keys=True))
    check = jsonschema.Draft202012Validator(schema)
    assert check.is_valid([{NONE: {}}])
    assert not check.is_valid([{NONE: {"reply": "chat"}}])
    assert not check.is_valid([{"made_up": {}}])
    if name == "stripe.json":
        good = [{"payment_intents_create": {
            "amount": 2000, "currency": "eur", "customer": None,
            "payment_method_types": ["card", "ideal"],
            "shipping": {"name": "Ada", "address": {"line1": "1 Main St", "country": "NL"}},
            "metadata": {"order": "6735"}}}]
        assert check.is_valid(good)
        bad_enum = json.loads(json.dumps(good))
        bad_enum[0]["payment_intents_create"]["payment_method_types"] = ["cash"]
        assert not check.is_valid(bad_enum)
        invented = json.loads(json.dumps(good))
        invented[0]["payment_intents_create"]["shipping"]["address"]["planet"] = "Mars"
        assert not check.is_valid(invented)  # nested objects keep their properties
        assert not check.is_valid([{"payment_intents_create": {"amount": "20", "currency": "e"}}])


def test_any_of_and_nullable_values_are_kept_not_forced_to_strings() -> None:
    tools = read_tools(str(SCHEMAS / "github.json"))
    out = ('[{"issues_create": {"owner": "octocat", "repo": "hello", "title": "Crash", '
           '"milestone": null, "labels": ["bug", {"name": "p1", "color": null}]}}]')
    plan = plan_tool_calls(Scripted(out), tools,
                           "file a bug in octocat/hello: Crash, labelled bug and p1")
    assert plan.kind is ToolPlanKind.CALLS, plan.reply
    assert plan.calls[0].arguments["milestone"] is None
    assert plan.calls[0].arguments["labels"][1] == {"name": "p1", "color": None}


def test_schema_break_is_sent_back_then_refused() -> None:
    tools = read_tools(str(SCHEMAS / "stripe.json"))
    bad = '[{"payment_intents_create": {"amount": 0, "currency": "EURO"}}]'
    model = Scripted(bad, bad)
    plan = plan_tool_calls(model, tools, "charge nothing")
    assert plan.kind is ToolPlanKind.INVALID
    assert plan.reply and plan.reply.startswith("payment_intents.create.amount: 0 is less")
    assert "was rejected: payment_intents.create.amount" in model.seen[1][1]
    fixed = Scripted(bad, '[{"payment_intents_create": {"amount": 500, "currency": "eur"}}]')
    assert plan_tool_calls(fixed, tools, "charge 5 euros").kind is ToolPlanKind.CALLS


def test_no_fitting_function_is_the_models_reply() -> None:
    tools = read_tools(str(SCHEMAS / "github.json"))
    model = Scripted(f'[{{"{NONE}": {{}}}}]')
    plan = plan_tool_calls(model, tools, "weather in Oslo")
    assert plan.kind is ToolPlanKind.REPLY and plan.calls == []
    assert plan.reply == "No function fits this request."
    assert openai_message(plan) == {"role": "assistant",
                                    "content": "No function fits this request."}
    system = model.seen[0][0]
    assert f"{NONE}: call this only for small talk or a request that no function" in system


def test_openai_format_has_tool_calls_with_real_names() -> None:
    tools = read_tools(str(SCHEMAS / "github.json"))
    out = ('[{"pulls_list": {"owner": "a", "repo": "b"}}, '
           '{"pulls_list": {"owner": "a", "repo": "c"}}]')
    message = openai_message(plan_tool_calls(Scripted(out), tools, "PRs of a/b and a/c"))
    assert message["content"] is None
    assert [c["function"]["name"] for c in message["tool_calls"]] == ["pulls.list"] * 2
    assert json.loads(message["tool_calls"][1]["function"]["arguments"]) == \
        {"owner": "a", "repo": "c"}
    assert message["tool_calls"][0]["id"] == "call_1"
    assert message["tool_calls"][0]["type"] == "function"


def test_times_in_words_are_read_by_code(tmp_path: Path) -> None:
    path = tmp_path / "cal.json"
    path.write_text(json.dumps([{"name": "calendar.add", "parameters": {
        "type": "object", "properties": {"title": {"type": "string"},
                                         "start": {"type": "string", "format": "date-time"}},
        "required": ["title", "start"]}}]))
    tools = read_tools(str(path))
    now = datetime(2026, 11, 24, 10, 15, tzinfo=ZoneInfo("Europe/Berlin"))
    plan = plan_tool_calls(Scripted('[{"calendar_add": {"title": "dentist", '
                                    '"start": "tomorrow at 9am"}}]'),
                           tools, "dentist tomorrow at 9am", now=now, tz=ZoneInfo("Europe/Berlin"))
    assert plan.calls[0].arguments["start"] == "2026-11-25T09:00:00+01:00"
    assert "format" not in json.dumps(call_schema(tools))  # the grammar lets words through


def test_bad_files_say_where(tmp_path: Path) -> None:
    path = tmp_path / "t.json"
    path.write_text('[\n {"name": "ok.tool"},\n {"name": "bad name!"}\n]')
    with pytest.raises(UserInputError, match=r"t.json:3: tool 'bad name!': a tool name is"):
        read_tools(str(path))
    path.write_text('[{"name": "a"},\n{"name": "a"}]')
    with pytest.raises(UserInputError, match=r"t\.json:2: tool 'a' is declared twice"):
        read_tools(str(path))
    path.write_text('[{"name": "a", "parameters": {"type": "string"}}]')
    with pytest.raises(UserInputError, match="'parameters' must have \"type\": \"object\""):
        read_tools(str(path))


def test_mcp_tool_spec_keeps_its_rules() -> None:
    spec = tool_spec({"name": "read_file", "description": "Read a file",
                      "parameters": {"type": "object", "properties": {"path": {"type": "string"}},
                                     "required": ["path"]}}, "MCP server 'fs': tool 'read_file'")
    assert spec.name == "read_file" and spec.plugin == "tools"
    with pytest.raises(UserInputError, match="a tool name is 1-64 letters"):
        tool_spec({"name": "a.b"}, "MCP server 'fs'")


def test_output_cut_off_is_not_sent_back() -> None:
    tools = read_tools(str(SCHEMAS / "github.json"))
    model = Scripted('[{"pulls_list": {"owner": "a", "repo": "1000000000')
    plan = plan_tool_calls(model, tools, "PRs of a")
    assert plan.kind is ToolPlanKind.INVALID and len(model.seen) == 1
    assert plan.reply and plan.reply.startswith("the model's output is not complete JSON")


def test_calls_written_in_full_before_the_cut_are_kept() -> None:
    tools = read_tools(str(SCHEMAS / "github.json"))
    model = Scripted('[{"pulls_list": {"owner": "octocat", "repo": "hello", "state": "open"}}, '
                     '{"pulls_list": {"owner": "octocat", "repo": "hello", "state": "op',
                     '[]')
    plan = plan_tool_calls(model, tools, "open pull requests of octocat/hello", more=False)
    assert plan.kind is ToolPlanKind.CALLS
    assert [c.arguments for c in plan.calls] == [
        {"owner": "octocat", "repo": "hello", "state": "open"}]


def test_free_strings_are_bounded_by_the_request_in_the_grammar() -> None:
    from llama_cpp.llama_grammar import json_schema_to_gbnf

    tools = read_tools(str(SCHEMAS / "github.json"))
    schema = call_schema(tools, value_chars=80)
    check = jsonschema.Draft202012Validator(schema)
    call = {"owner": "octocat", "repo": "hello", "title": "Crash", "milestone": "1.0." + "0" * 80}
    assert not check.is_valid([{"issues_create": call}])  # the run-on value cannot be written
    call["milestone"] = "v1"
    assert check.is_valid([{"issues_create": call}])
    assert not check.is_valid([{"issues_create": {**call, "labels": ["bug"] * 11}}])
    assert check.is_valid([{"issues_create": {**call, "labels": ["bug", "p1"]}}])
    assert check.is_valid([{"pulls_list": {"owner": "octocat", "repo": "hello",
                                           "state": "closed"}}])  # an enum is not bounded
    assert "root ::=" in json_schema_to_gbnf(json.dumps(schema, sort_keys=True))
    model = Scripted('[{"pulls_list": {"owner": "octocat", "repo": "hello"}}]')
    plan_tool_calls(model, tools, "pull requests of octocat/hello", more=False)
    bounded = json.dumps(model.seen[0][2])
    assert '"maxLength": 64' in bounded  # a short request: the floor


def test_non_ascii_enums_are_shown_as_written(tmp_path: Path) -> None:
    path = tmp_path / "home.json"
    path.write_text(json.dumps([{"name": "ControlAppliance.execute", "parameters": {
        "type": "object", "properties": {"command": {"type": "string", "enum": [
            "다용도실, 통돌이, 중지"], "default": "거실, 에어컨, 실행"}}}}], ensure_ascii=True))
    prompt = tools_prompt(read_tools(str(path)))
    assert 'command ("다용도실, 통돌이, 중지", optional, default "거실, 에어컨, 실행")' in prompt


def test_calls_of_functions_the_model_then_says_do_not_fit_are_no_fit() -> None:
    """The second look: each called function shown on its own with the request; when the
    model says none of them does what it asks, no function fits (a near-miss function is not
    called). One that fits keeps the calls; without ``judge`` (the default) no look."""
    tools = read_tools(str(SCHEMAS / "github.json"))
    out = '[{"pulls_list": {"owner": "a", "repo": "b"}}, {"issues_create": {"owner": "a", ' \
          '"repo": "b", "title": "t"}}]'
    model = Scripted(out, fits="false")
    plan = plan_tool_calls(model, tools, "what is the weather in Oslo", judge=True)
    assert plan.kind is ToolPlanKind.REPLY and not plan.calls
    assert len(model.judged) == 2  # each distinct function asked about
    assert "pulls_list: " in model.judged[0] and "issues_create" not in model.judged[0]
    assert "Request: what is the weather in Oslo" in model.judged[0]
    kept = Scripted(out, fits="true")
    plan = plan_tool_calls(kept, tools, "PRs of a/b, and file an issue there titled t",
                           judge=True)
    assert plan.kind is ToolPlanKind.CALLS and len(plan.calls) == 2
    assert len(kept.judged) == 1  # the first that fits settles it
    unjudged = Scripted(out, fits="false")
    plan = plan_tool_calls(unjudged, tools, "PRs of a/b, and an issue titled t")
    assert plan.kind is ToolPlanKind.CALLS and not unjudged.judged
