"""Loading a backend: a catalog name or a path (with the memory check), or an OpenAI-compatible
endpoint (checked first, with a fallback to a local model)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator

from models.backend import Backend, GenerateOptions
from models.errors import BackendError
from models.gguf_info import GGUFInfo, read_gguf
from models.http_backend import HttpBackend
from models.llama_backend import LlamaBackend
from models.memory import MemoryEstimate, estimate_memory
from models.store import ModelStore
from models.types import ChatMessage, Completion

__all__ = ["FallbackBackend", "connect_endpoint", "inspect_model", "load_llama"]


def load_llama(name_or_path: str | os.PathLike[str], *, store: ModelStore,
               n_ctx: int = 4096, threads: int = 0, experts_per_token: int | None = None,
               check_memory: bool = True) -> LlamaBackend:
    """Resolve (verify) the model, refuse it if it will not fit (ModelTooLarge), load it."""
    path = store.resolve(name_or_path)
    name = str(name_or_path) if os.sep in str(name_or_path) else store_name(store, name_or_path)
    return LlamaBackend(path, n_ctx=n_ctx, threads=threads,
                        experts_per_token=experts_per_token, check_memory=check_memory,
                        name=name)


def store_name(store: ModelStore, name: str | os.PathLike[str]) -> str:
    text = os.fspath(name)
    if text.endswith(".gguf"):
        return text
    return store.entry(text).name


def inspect_model(name_or_path: str | os.PathLike[str], *, store: ModelStore,
                  n_ctx: int = 4096, experts_per_token: int | None = None
                  ) -> tuple[GGUFInfo, MemoryEstimate]:
    """Header facts and memory estimate of a pulled model (no weights are loaded)."""
    info = read_gguf(store.resolve(name_or_path))
    return info, estimate_memory(info, n_ctx, experts_used=experts_per_token)


def connect_endpoint(base_url: str, *, model: str, api_key: str | None = None,
                     timeout: float = 120.0, check_timeout: float = 10.0) -> HttpBackend:
    """An `HttpBackend` for an OpenAI-compatible server, checked first: it answers, the key is
    accepted, and it serves ``model``. Raises `BackendError` naming the problem."""
    backend = HttpBackend(base_url, model=model, api_key=api_key, timeout=timeout,
                          schema_style="json_schema")
    try:
        backend.check(min(check_timeout, timeout))
    except BackendError:
        backend.close()
        raise
    return backend


class FallbackBackend(Backend):
    """Generates through ``primary`` (an endpoint) until it fails; then, when ``fallback``
    gives a local backend, says why through ``notify`` once and uses that from then on. Without
    a fallback the endpoint's error is raised (it names the problem)."""

    def __init__(self, primary: Backend, fallback: Callable[[], Backend | None],
                 notify: Callable[[str], None]) -> None:
        super().__init__()
        self.primary = primary
        self.name = primary.name
        self._fallback = fallback
        self._notify = notify
        self.local: Backend | None = None

    def _generate(self, messages: list[ChatMessage], options: GenerateOptions,
                  streaming: bool) -> Iterator[str | Completion]:
        if self.local is None:
            try:
                # collected, so that a failure half-way hands over cleanly
                items = list(self.primary._generate(messages, options, streaming))
            except BackendError as exc:
                local = self._fallback()
                if local is None:
                    raise
                self._notify(f"{exc.message}; planning on the local model {local.name} "
                             "instead")
                self.local = local
                self.name = local.name
            else:
                yield from items
                return
        assert self.local is not None
        yield from self.local._generate(messages, options, streaming)

    def close(self) -> None:
        self.primary.close()
        if self.local is not None:
            self.local.close()
