"""The same behaviour tests against the llama.cpp backend and the HTTP backend talking to
llama-cpp-python's own OpenAI-compatible server (both serving SmolLM2-135M)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import jsonschema
import pytest

from models.backend import Backend
from models.errors import BackendError
from models.http_backend import HttpBackend
from models.llama_backend import LlamaBackend

pytestmark = pytest.mark.model

SCHEMA = {
    "type": "object",
    "properties": {
        "action": {"type": "string", "enum": ["open", "send", "remind"]},
        "target": {"type": "string", "maxLength": 20},
    },
    "required": ["action", "target"],
    "additionalProperties": False,
}
SAME_SAMPLING = {"repeat_penalty": 1.0}  # the server's default is 1.1, the library's 1.0
ASK = [{"role": "system", "content": "Answer with JSON."},
       {"role": "user", "content": "open the python docs"}]


@pytest.fixture(params=["llama", "http"])
def backend(request: pytest.FixtureRequest, smol: LlamaBackend) -> Iterator[Backend]:
    if request.param == "llama":
        yield smol
    else:
        http = HttpBackend(request.getfixturevalue("llama_server"), extra_body=SAME_SAMPLING)
        yield http
        http.close()


def test_plain_chat_counts_tokens_and_times(backend: Backend) -> None:
    before = backend.calls
    c = backend.chat([{"role": "user", "content": "Say hello."}], max_tokens=8)
    assert c.text.strip()
    assert backend.calls == before + 1
    assert c.usage.prompt_tokens and c.usage.prompt_tokens > 5
    assert 1 <= c.usage.completion_tokens <= 8
    assert 0 < c.timings.first_token <= c.timings.total


def test_schema_constrained_output_is_valid(backend: Backend) -> None:
    c = backend.chat(ASK, schema=SCHEMA, max_tokens=40)
    jsonschema.validate(c.parsed(), SCHEMA)
    assert c.finish_reason == "stop"


def test_gbnf_grammar(backend: Backend) -> None:
    c = backend.chat([{"role": "user", "content": "Is water wet?"}],
                     grammar='root ::= "yes" | "no"', max_tokens=4)
    assert c.text in ("yes", "no")


def test_streaming_pieces_make_the_text(backend: Backend) -> None:
    chunks = list(backend.stream(ASK, schema=SCHEMA, max_tokens=40))
    done = chunks[-1].completion
    assert done is not None
    assert len(chunks) > 3 and "".join(ch.text for ch in chunks[:-1]) == done.text
    jsonschema.validate(json.loads(done.text), SCHEMA)


def test_max_tokens_stops_with_length(backend: Backend) -> None:
    c = backend.chat([{"role": "user", "content": "Write a long story about a dragon."}],
                     max_tokens=3)
    assert c.finish_reason == "length"


def test_logprob_summary_with_grammar(backend: Backend) -> None:
    c = backend.chat(ASK, schema=SCHEMA, max_tokens=40)
    assert c.logprob_mean is not None and c.logprob_min is not None
    assert c.logprob_min <= c.logprob_mean <= 0.0
    assert c.confidence == c.logprob_mean


def test_both_backends_score_the_same_tokens_alike(smol: LlamaBackend,
                                                   llama_server: str) -> None:
    with HttpBackend(llama_server, extra_body=SAME_SAMPLING) as http:
        remote = http.chat(ASK, schema=SCHEMA, max_tokens=40)
    local = smol.chat(ASK, schema=SCHEMA, max_tokens=40)
    assert local.text == remote.text
    assert local.logprob_mean == pytest.approx(remote.logprob_mean, abs=0.35)


def test_unreachable_server_is_a_backend_error() -> None:
    with HttpBackend("http://127.0.0.1:9/v1", timeout=2) as http, \
            pytest.raises(BackendError, match="cannot reach"):
        http.chat(ASK)


def test_prompt_prefix_is_reused(smol: LlamaBackend) -> None:
    system = {"role": "system",
              "content": "You plan actions. " + " ".join(f"tool_{i}: does thing {i}."
                                                         for i in range(60))}
    smol.chat([{"role": "user", "content": "reset the cache"}], max_tokens=1)
    cold = smol.chat([system, {"role": "user", "content": "open the docs"}], max_tokens=4)
    warm = smol.chat([system, {"role": "user", "content": "send a mail"}], max_tokens=4)
    assert cold.usage.prompt_tokens and cold.usage.prompt_tokens > 400
    assert cold.usage.prompt_evaluated is not None and warm.usage.prompt_evaluated is not None
    assert cold.usage.prompt_evaluated > 400
    assert warm.usage.prompt_evaluated < 20
