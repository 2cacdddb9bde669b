"""`lam plan --tools` as a user runs it: the installed `lam`, the real default model, real
public-API schemas (BFCL dev-half function docs, GitHub- and Stripe-style tools written from
their public API references). Commands are the ones docs/tools.md shows."""

from __future__ import annotations

import json
import os
from pathlib import Path

import jsonschema
import pytest

from tests.e2e.conftest import E2E

SCHEMAS = Path(__file__).resolve().parent.parent / "tools" / "schemas"
MODEL = Path(os.environ.get("LAM_MODELS_DIR", "~/.cache/lam/test-models")).expanduser() / \
    "qwen2.5-coder-0.5b.gguf"

pytestmark = pytest.mark.skipif(not MODEL.exists(), reason="needs the default model "
                                "(lam models pull qwen2.5-coder-0.5b)")


def bfcl_tools(e2e: E2E, case_id: str) -> tuple[Path, str]:
    case = next(c for c in json.loads((SCHEMAS / "bfcl_dev.json").read_text())
                if c["id"] == case_id)
    path = e2e.workdir / "tools.json"
    path.write_text(json.dumps(case["tools"]))
    return path, case["question"]


def test_dotted_tool_name_in_openai_format(e2e: E2E) -> None:
    tools, question = bfcl_tools(e2e, "simple_python_1")  # math.factorial
    proc = e2e.lam("plan", "--tools", str(tools), "--format", "openai", question, check=True)
    message = json.loads(proc.stdout)
    assert message["role"] == "assistant" and message["content"] is None
    call = message["tool_calls"][0]
    assert call["type"] == "function" and call["id"] == "call_1"
    assert call["function"]["name"] == "math.factorial"
    assert json.loads(call["function"]["arguments"]) == {"number": 5}
    text = e2e.lam("plan", "--tools", str(tools), question, check=True)
    assert text.stdout.strip() == 'math.factorial({"number": 5})'


def test_relevance_is_the_models_call_not_word_overlap(e2e: E2E) -> None:
    tools = e2e.workdir / "weather.json"
    tools.write_text(json.dumps([{"name": "get_weather",
                                  "description": "Current conditions for a city.",
                                  "parameters": {"type": "object", "properties": {
                                      "city": {"type": "string",
                                               "description": "City name, e.g. Paris"}},
                                      "required": ["city"]}}]))
    # no word of the request is in the tool's name or description
    proc = e2e.lam("plan", "--tools", str(tools), "--json", "how cold is Oslo?", check=True)
    assert json.loads(proc.stdout) == [{"name": "get_weather", "arguments": {"city": "Oslo"}}]


def test_nested_schema_call_is_valid(e2e: E2E) -> None:
    stripe = SCHEMAS / "stripe.json"
    proc = e2e.lam("plan", "--tools", str(stripe), "--json",
                   "charge customer cus_9s6XKzkNRiz8i3 2000 cents in eur by card", check=True)
    calls = json.loads(proc.stdout)
    assert [c["name"] for c in calls] == ["payment_intents.create"]
    args = calls[0]["arguments"]
    assert args["currency"] == "eur" and args["customer"] == "cus_9s6XKzkNRiz8i3"
    assert args["amount"] == 2000
    schema = json.loads(stripe.read_text())["tools"][0]["parameters"]
    jsonschema.validate(args, schema)


def test_made_up_values_are_asked_for_not_called(e2e: E2E) -> None:
    """docs/tools.md, "Values come from the request": a request no tool can do gets no call
    with invented numbers (a question, exit 7, or "no function fits", exit 0)."""
    tools = e2e.workdir / "loan.json"
    tools.write_text(json.dumps([{"name": "loan.payment",
                                  "description": "Monthly payment of a fixed-rate loan.",
                                  "parameters": {"type": "object", "properties": {
                                      "principal": {"type": "number"},
                                      "rate": {"type": "number",
                                               "description": "yearly rate, 0.05 for 5%"},
                                      "years": {"type": "integer"}},
                                      "required": ["principal", "rate", "years"]}}]))
    for request in ("what's the capital of Peru?", "how tall is the eiffel tower"):
        proc = e2e.lam("plan", "--tools", str(tools), "--json", request)
        assert proc.returncode in (0, 7), proc.stderr
        assert json.loads(proc.stdout) == []
    proc = e2e.lam("plan", "--tools", str(tools), "--json",
                   "monthly payment on 250000 at 4% over 30 years", check=True)
    assert json.loads(proc.stdout) == [{"name": "loan.payment", "arguments": {
        "principal": 250000, "rate": 0.04, "years": 30}}]


def test_no_fitting_tool_is_an_empty_list(e2e: E2E) -> None:
    proc = e2e.lam("plan", "--tools", str(SCHEMAS / "github.json"), "--format", "json",
                   "tell me a joke")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []
    proc = e2e.lam("plan", "--tools", str(SCHEMAS / "github.json"), "--format", "openai",
                   "tell me a joke", check=True)
    message = json.loads(proc.stdout)
    assert "tool_calls" not in message and message["content"]


def test_bad_tools_file_and_format_misuse_exit_2(e2e: E2E) -> None:
    tools = e2e.workdir / "tools.json"
    tools.write_text('[\n  {"name": "geometry.area", "parameters": {"type": "object"}},\n'
                     '  {"name": "geometry area"}\n]')
    proc = e2e.lam("plan", "--tools", str(tools), "area of a circle")
    assert proc.returncode == 2
    assert f"{tools}:3: tool 'geometry area': a tool name is" in proc.stderr
    proc = e2e.lam("plan", "--format", "openai", "remind me to stretch in 1 hour")
    assert proc.returncode == 2 and "--format openai needs --tools FILE" in proc.stderr
