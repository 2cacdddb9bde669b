"""Constrained decoding with the default model: 0 schema-invalid outputs in 200 generations
on a schema with enums, nested objects and bounded strings."""

from __future__ import annotations

import itertools
import json
import time

import jsonschema
import pytest

from models.llama_backend import LlamaBackend

SCHEMA = {
    "type": "object",
    "properties": {
        "a": {"type": "string", "enum": ["open", "send", "remind", "search"]},
        "args": {
            "type": "object",
            "properties": {
                "to": {"type": "string", "minLength": 1, "maxLength": 12},
                "when": {"type": "string", "enum": ["now", "today", "tomorrow"]},
            },
            "required": ["to", "when"],
            "additionalProperties": False,
        },
    },
    "required": ["a", "args"],
    "additionalProperties": False,
}
SYSTEM = ("Turn the request into JSON: a = action (open, send, remind, search); args.to = "
          "who or what, short; args.when.")
VERBS = ["open", "mail", "remind me about", "look up", "send", "find", "ping", "schedule"]
OBJECTS = ["bob", "the docs", "rent", "alice", "python", "dentist", "the team", "taxes",
           "mum", "news", "flights", "the report", "gym", "pizza", "jira", "weather",
           "lunch", "carol", "github", "the bank", "hotel", "slides", "dave", "a cab", "music"]
WHEN = ["now", "tomorrow", "today", "later"]


@pytest.mark.model
@pytest.mark.slow
@pytest.mark.timeout(1500)  # ~20 tokens x 200 at 40 tok/s idle; far slower on a busy machine
def test_200_generations_are_schema_valid(qwen: LlamaBackend) -> None:
    requests = [f"{v} {o} {w}" for v, o, w in itertools.islice(
        itertools.product(VERBS, OBJECTS, WHEN), 0, None, 4)][:200]
    assert len(set(requests)) == 200
    invalid: list[tuple[str, str]] = []
    start = time.perf_counter()
    tokens = 0
    for i, text in enumerate(requests):
        c = qwen.chat([{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}],
                      schema=SCHEMA, max_tokens=40, temperature=0.7, seed=i)
        tokens += c.usage.completion_tokens
        try:
            jsonschema.validate(json.loads(c.text), SCHEMA)
        except (ValueError, jsonschema.ValidationError):
            invalid.append((text, c.text))
    elapsed = time.perf_counter() - start
    print(f"\n200 constrained generations: {elapsed:.1f} s, {elapsed / 200:.2f} s each, "
          f"{tokens} tokens, {len(invalid)} invalid")
    assert invalid == []
