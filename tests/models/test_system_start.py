"""A generation starts from the same evaluated system message whatever was asked before, so
one prompt gets the same answer, to the last bit of its log-probabilities, in any order."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from models.llama_backend import LlamaBackend

SYSTEM = "You are a planner. " * 40
ASKED = "remind me to water the plants tomorrow"
BEFORE = ["remind me to call the bank on friday at noon and email bob", "open the news",
          "remind me to water"]


@pytest.mark.model
def test_an_answer_does_not_depend_on_earlier_prompts(
        model_path: Callable[[str], Path]) -> None:
    backend = LlamaBackend(model_path("smollm2-135m"), n_ctx=2048, threads=2)

    def ask(request: str) -> tuple[str, float | None]:
        c = backend.chat([{"role": "system", "content": SYSTEM},
                          {"role": "user", "content": request}], max_tokens=40, temperature=0.0)
        return c.text, c.logprob_mean

    try:
        first = ask(ASKED)
        later = []
        for other in BEFORE:  # each shares a different prefix with the asked prompt
            ask(other)
            later.append(ask(ASKED))
    finally:
        backend.close()
    assert first[1] is not None
    assert later == [first] * len(BEFORE)


@pytest.mark.model
def test_only_the_request_is_evaluated_after_the_first_prompt(
        model_path: Callable[[str], Path]) -> None:
    backend = LlamaBackend(model_path("smollm2-135m"), n_ctx=2048, threads=2)
    try:
        cold = backend.chat([{"role": "system", "content": SYSTEM},
                             {"role": "user", "content": "open the news"}], max_tokens=2)
        warm = backend.chat([{"role": "system", "content": SYSTEM},
                             {"role": "user", "content": ASKED}], max_tokens=2)
    finally:
        backend.close()
    assert cold.usage.prompt_evaluated is not None and warm.usage.prompt_evaluated is not None
    assert cold.usage.prompt_evaluated > 150
    assert warm.usage.prompt_evaluated < 25
