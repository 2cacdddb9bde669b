"""Connects the planner to the model runtime: a catalog name (or .gguf path) from the config
becomes a loaded backend, once per runtime and tier."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.runtime import Runtime
    from models.backend import Backend

__all__ = ["BackendPlanner", "planner_model_factory"]


class BackendPlanner:
    """Adapts a `models.backend.Backend` to the planner's `PlannerModel` protocol."""

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    @property
    def calls(self) -> int:
        return self.backend.calls

    def plan_json(self, system: str, user: str, schema: dict[str, Any],
                  max_tokens: int) -> tuple[str, float | None]:
        completion = self.backend.chat(
            [{"role": "system", "content": system}, {"role": "user", "content": user}],
            schema=schema, max_tokens=max_tokens, temperature=0.0)
        mean = completion.logprob_mean
        return completion.text, (math.exp(mean) if mean is not None else None)


def planner_model_factory(runtime: Runtime, name: str) -> Callable[[], BackendPlanner]:
    """A loader that resolves ``name`` in the model store and loads it with the configured
    threads and context (raising a `models.errors.ModelError` that says how to get it)."""
    cache: list[BackendPlanner] = []

    def load() -> BackendPlanner:
        if not cache:
            from models.llama_backend import LlamaBackend
            from models.store import ModelStore

            path = ModelStore(runtime.paths.models_dir).resolve(name)
            backend = LlamaBackend(path, n_ctx=runtime.config.lam.context,
                                   threads=runtime.config.lam.threads)
            runtime.on_close(backend.close)
            cache.append(BackendPlanner(backend))
        return cache[0]

    return load
