"""Connects the planner to the model runtime: a catalog name (or .gguf path) from the config
becomes a loaded backend, once per runtime and tier."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.runtime import Runtime
    from models.backend import Backend

__all__ = ["BackendPlanner", "ModelLoader", "planner_model_factory"]


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


class ModelLoader:
    """Loads the model named in the config on first call (once), with the configured threads
    and context; a missing or corrupt file raises a `models.errors.ModelError` that says how to
    get it."""

    def __init__(self, runtime: Runtime, name: str) -> None:
        self.runtime = runtime
        self.name = name
        self.model: BackendPlanner | None = None

    def __call__(self) -> BackendPlanner:
        if self.model is None:
            from models.llama_backend import LlamaBackend
            from models.store import ModelStore

            path = ModelStore(self.runtime.paths.models_dir).resolve(self.name)
            backend = LlamaBackend(path, n_ctx=self.runtime.config.lam.context,
                                   threads=self.runtime.config.lam.threads,
                                   prefix_dir=self.runtime.paths.prefix_states_dir)
            self.runtime.on_close(backend.close)
            self.model = BackendPlanner(backend)
        return self.model

    @property
    def calls(self) -> int:
        return self.model.calls if self.model is not None else 0


def planner_model_factory(runtime: Runtime, name: str) -> ModelLoader:
    return ModelLoader(runtime, name)
