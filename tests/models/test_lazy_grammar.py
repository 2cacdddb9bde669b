"""Greedy constrained decoding checks the grammar lazily; the text must be exactly what
llama.cpp's own full grammar sampler produces, including when the model's favourite token
breaks the grammar (the fallback must run)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from models.llama_backend import LlamaBackend

SCHEMA = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": ["open_page", "send_note", "set_alarm"]},
        "when": {"type": "string", "enum": ["now", "tomorrow"]},
        "who": {"type": "string", "maxLength": 8},
    },
    "required": ["action", "when", "who"],
    "additionalProperties": False,
}
# The prompt asks for values the schema forbids, so the unconstrained favourite token is often
# not allowed and the full check has to run.
SYSTEM = ('Answer with JSON {"action": VERB, "when": TIME, "who": FULL NAME}; use the words '
          "of the request: any verb, any time.")
REQUESTS = ["remind Alexandra Johnson next week", "email Bartholomew on friday",
            "browse the python docs in an hour", "call mum at noon", "ping Carol later today",
            "schedule lunch with Dave on Monday"]


@pytest.mark.model
@pytest.mark.parametrize("request_text", REQUESTS)
def test_lazy_grammar_matches_the_full_grammar(smol: LlamaBackend, request_text: str) -> None:
    messages = [{"role": "system", "content": SYSTEM}, {"role": "user", "content": request_text}]
    lazy = smol.chat(messages, schema=SCHEMA, max_tokens=60, temperature=0.0)
    jsonschema.validate(json.loads(lazy.text), SCHEMA)
    import llama_cpp

    grammar = llama_cpp.LlamaGrammar.from_json_schema(json.dumps(SCHEMA), verbose=False)
    full = smol._llm.create_chat_completion(messages=messages, grammar=grammar, max_tokens=60,
                                            temperature=0.0)
    assert lazy.text == full["choices"][0]["message"]["content"]


@pytest.mark.model
def test_the_full_check_runs_when_the_best_token_is_forbidden(smol: LlamaBackend) -> None:
    before = smol.grammar_fallbacks
    for text in REQUESTS:
        smol.chat([{"role": "system", "content": SYSTEM}, {"role": "user", "content": text}],
                  schema=SCHEMA, max_tokens=60, temperature=0.0)
    assert smol.grammar_fallbacks > before
