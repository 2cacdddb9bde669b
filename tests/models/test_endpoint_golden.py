"""A remote planning model plans like the local one: the golden dev cases planned on the test
model loaded locally, then on the same model served by ``python -m llama_cpp.server`` on
loopback through ``[lam] endpoint``; at least 95% of the plans are the same."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from bench.evaluation.golden import GoldenRunner, load_cases
from tests.models.conftest import serve_llama

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(3600)]

MODEL = "qwen2.5-coder-0.5b"


@pytest.fixture(scope="module")
def served(model_path: Callable[[str], Path],
           tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The test model behind llama-cpp-python's OpenAI-compatible server, on loopback, with
    the context lam gives its local model."""
    with serve_llama(model_path(MODEL), tmp_path_factory.mktemp("server") / "server.log",
                     "--model_alias", MODEL, "--n_ctx", "4096", start_timeout=120,
                     stop_timeout=20) as url:
        yield url


def plans(endpoint: str | None) -> tuple[dict[str, Any], int]:
    """Case id -> (kind, steps, question) for every dev case; and the model calls made."""
    cases = [c for c in load_cases() if c.split == "dev"]
    runner = GoldenRunner(large_model="none")
    loader = runner._shared_loader()
    assert loader is not None and runner._model_runtime is not None
    if endpoint:
        settings = runner._model_runtime.config.lam
        settings.endpoint = endpoint
        settings.endpoint_timeout = 1800  # a loaded machine, not a slow server, is measured
    out = {r.id: (r.kind, r.steps, r.question) for r in runner.run(cases)}
    backend = loader().backend  # type: ignore[attr-defined]
    if endpoint:
        assert type(backend).__name__ == "FallbackBackend" and backend.local is None, \
            "the endpoint was not used all the way"
    return out, runner.model_calls


def test_endpoint_plans_like_the_local_model(served: str) -> None:
    os.environ.setdefault("LAM_MODELS_DIR", str(Path("~/.cache/lam/test-models").expanduser()))
    local, local_calls = plans(None)
    remote, remote_calls = plans(served)
    assert local_calls > 0 and remote_calls > 0
    differ = sorted(k for k in local if local[k] != remote.get(k))
    same = len(local) - len(differ)
    report = "\n".join(f"{k}:\n  local  {local[k]}\n  remote {remote.get(k)}" for k in differ)
    print(f"same plan on {same}/{len(local)} dev cases ({local_calls} local model calls, "
          f"{remote_calls} remote)\n{report}")
    assert same >= 0.95 * len(local), report
