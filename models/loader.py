"""Loading a backend from a catalog name or a path, with the memory check."""

from __future__ import annotations

import os

from models.gguf_info import GGUFInfo, read_gguf
from models.llama_backend import LlamaBackend
from models.memory import MemoryEstimate, estimate_memory
from models.store import ModelStore

__all__ = ["inspect_model", "load_llama"]


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
