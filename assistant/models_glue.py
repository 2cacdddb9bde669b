"""Connects the planner to the model runtime: a catalog name (or .gguf path) from the config
becomes a loaded backend, once per runtime and tier; `prepare_planner_models` evaluates and
stores the planner's system prompt ahead of the first request (`lam models prepare`)."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

if TYPE_CHECKING:
    from assistant.runtime import Runtime
    from models.backend import Backend

__all__ = ["BackendPlanner", "ModelLoader", "PreparedModel", "planner_model_factory",
           "prepare_planner_models"]


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
    get it. When ``[lam] endpoint`` (or ``large_endpoint``) serves this model setting, the
    model runs there (`assistant.endpoints`); ``local=True`` loads the local file only."""

    def __init__(self, runtime: Runtime, name: str, *, local: bool = False) -> None:
        self.runtime = runtime
        self.name = name
        self.local = local
        self.model: BackendPlanner | None = None

    def __call__(self) -> BackendPlanner:
        if self.model is None and not self.local:
            from assistant.endpoints import endpoint_backend

            remote = endpoint_backend(
                self.runtime, self.name,
                lambda: ModelLoader(self.runtime, self.name, local=True)().backend)
            if remote is not None:
                self.runtime.on_close(remote.close)
                self.model = BackendPlanner(remote)
        if self.model is None:
            from models.llama_backend import LlamaBackend
            from models.store import ModelStore

            store = ModelStore(self.runtime.paths.models_dir)
            path = self._assembled_moe() or store.resolve(self.name)
            backend = LlamaBackend(path, n_ctx=self.runtime.config.lam.context,
                                   threads=self.runtime.config.lam.threads,
                                   prefix_dir=store.prefix_dir)
            self.runtime.on_close(backend.close)
            self.model = BackendPlanner(backend)
        return self.model

    def _assembled_moe(self) -> Path | None:
        """``moe`` names ``moe.gguf`` in the models folder; without one there, the MoE that
        `lam models prepare` assembled from the shipped experts (``DATA/moe/moe.gguf``)."""
        from models.moe.shipped import planner_paths
        from models.store import MOE_NAME

        if self.name != MOE_NAME or (self.runtime.paths.models_dir / "moe.gguf").is_file():
            return None
        gguf, _ = planner_paths(self.runtime.paths.data_dir)
        return gguf if gguf.is_file() else None

    @property
    def calls(self) -> int:
        return self.model.calls if self.model is not None else 0


def planner_model_factory(runtime: Runtime, name: str) -> ModelLoader:
    return ModelLoader(runtime, name)


class PreparedModel(BaseModel):
    """One planner model made ready for its first request."""

    tier: int
    name: str
    prompt_tokens: int | None
    restored: int
    """Prompt tokens read from the stored state (0: none was stored yet)."""
    evaluated: int | None
    """Prompt tokens evaluated now (and stored for the next process)."""
    seconds: float


def prepare_planner_models(runtime: Runtime,
                           progress: Callable[[str], None] | None = None) -> list[PreparedModel]:
    """Load the configured tier-1 and tier-2 models of ``runtime`` and have each read the
    planner's system prompt for the live action registry once, so that its evaluated state is
    stored next to the models (`models.prefix_state`) and the first request of any later
    process reads only the request. Raises `models.errors.ModelError` for a missing model."""
    from assistant.planner.prompt import request_message, system_prompt

    say = progress or (lambda _: None)
    system = system_prompt(list(runtime.registry))
    user = request_message("prepare", [], [])
    done: list[PreparedModel] = []
    for tier in (1, 2):
        loader = runtime.model_factory(tier)
        if loader is None:
            continue
        name = getattr(loader, "name", f"tier {tier}")
        say(f"tier {tier} {name}: loading")
        started = time.perf_counter()
        backend = getattr(loader(), "backend", None)
        if backend is None or not hasattr(backend, "restored_tokens"):
            continue  # an endpoint or an injected model: no local prompt state to store
        say(f"tier {tier} {name}: reading the planner's system prompt (once; seconds)")
        completion = backend.chat(
            [{"role": "system", "content": system}, {"role": "user", "content": user}],
            max_tokens=1, temperature=0.0)
        item = PreparedModel(tier=tier, name=name,
                             prompt_tokens=completion.usage.prompt_tokens,
                             restored=int(getattr(backend, "restored_tokens", 0)),
                             evaluated=completion.usage.prompt_evaluated,
                             seconds=time.perf_counter() - started)
        done.append(item)
        say(f"tier {tier} {name}: ready ({item.seconds:.1f} s)")
    return done
