"""The evaluated system prompt is kept on disk between processes: a fresh backend restores it
and evaluates only the request, with the same text as a backend that evaluated it live."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from models.llama_backend import LlamaBackend

SYSTEM = ("You plan actions. Answer with one short line naming the action: open_link, "
          "set_reminder or send_email. " * 12)
FIRST = "open the second link"
SECOND = "remind me to call Bob at 5pm"


def _ask(backend: LlamaBackend, request: str) -> tuple[str, int]:
    c = backend.chat([{"role": "system", "content": SYSTEM}, {"role": "user", "content": request}],
                     max_tokens=12, temperature=0.0)
    return c.text, c.usage.prompt_evaluated


@pytest.mark.model
def test_a_fresh_backend_evaluates_only_the_request(model_path: Callable[[str], Path],
                                                     tmp_path: Path) -> None:
    path = model_path("smollm2-135m")
    states = tmp_path / "prefix"
    first = LlamaBackend(path, n_ctx=1024, threads=2, prefix_dir=states)
    try:
        _, evaluated_cold = _ask(first, FIRST)
        live_second = _ask(first, SECOND)[0]  # the same process: prefix reused in memory
    finally:
        first.close()
    assert len(list(states.glob("*.state"))) == 1
    fresh = LlamaBackend(path, n_ctx=1024, threads=2, prefix_dir=states)
    try:
        text, evaluated = _ask(fresh, SECOND)
    finally:
        fresh.close()
    assert fresh.restored_tokens > 0.8 * evaluated_cold
    assert evaluated < 0.2 * evaluated_cold
    assert text == live_second


@pytest.mark.model
def test_a_state_file_that_does_not_load_is_dropped(model_path: Callable[[str], Path],
                                                    tmp_path: Path) -> None:
    path = model_path("smollm2-135m")
    states = tmp_path / "prefix"
    reference = LlamaBackend(path, n_ctx=1024, threads=2)
    try:
        expected, evaluated_cold = _ask(reference, FIRST)
    finally:
        reference.close()
    seeded = LlamaBackend(path, n_ctx=1024, threads=2, prefix_dir=states)
    try:
        _ask(seeded, FIRST)
    finally:
        seeded.close()
    (state,) = states.glob("*.state")
    state.write_bytes(b"not a llama.cpp state file")
    backend = LlamaBackend(path, n_ctx=1024, threads=2, prefix_dir=states)
    try:
        text, evaluated = _ask(backend, FIRST)
    finally:
        backend.close()
    assert backend.restored_tokens == 0 and evaluated == evaluated_cold
    assert text == expected
    assert state.stat().st_size > 1000  # evaluated again, and saved again
