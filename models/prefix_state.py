"""A model's evaluated prompt prefix (the KV cache of the planner's long system prompt) kept on
disk between processes. A fresh `lam do` otherwise spends seconds re-reading the same system
prompt (~7 s for the 0.5B model, ~15 s for the 1.5B one on 2 cores) before it can plan.

The first time a process evaluates a system message, the context's state right after it (KV
cache + its tokens, `models.system_start`) is saved with llama.cpp's own
``llama_state_save_file``; the next process with the same model file, context settings,
llama.cpp build (version and compiled CPU features) and system message loads it instead of
evaluating the system message, and evaluates only the request.
A file that does not load is deleted and the prompt is evaluated as usual.

The files live next to the models (``ModelStore.prefix_dir``), so every lam home using the same
models shares them; `lam models prepare` writes them ahead of the first request. A state that
cannot be written (a read-only models folder, a full disk) only costs the next process the
prompt evaluation.
"""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import os
from pathlib import Path
from typing import Any

__all__ = ["PrefixStates"]

KEEP = 8
"""At most this many state files are kept (the least recently used go first): two planner
models times a few plugin configurations."""


class PrefixStates:
    """State files under ``directory`` for one loaded model."""

    def __init__(self, directory: Path, model_path: Path, settings: str) -> None:
        self.directory = directory
        st = model_path.stat()
        self._model = f"{model_path.resolve()}|{st.st_size}|{st.st_mtime_ns}|{settings}"

    def path_for(self, system: str) -> Path:
        import llama_cpp

        build = llama_cpp.llama_print_system_info().decode(errors="replace")
        key = hashlib.sha256("\n".join(
            [self._model, str(llama_cpp.__version__), build, system]).encode()).hexdigest()[:32]
        return self.directory / f"{key}.state"

    @staticmethod
    def load(llm: Any, path: Path) -> int:
        """Load ``path`` into the fresh context of ``llm``; the number of tokens restored
        (0: none, and a file that would not load is removed)."""
        import llama_cpp

        if not path.is_file():
            return 0
        capacity = llm.n_ctx()
        tokens = (llama_cpp.llama_token * capacity)()
        count = ctypes.c_size_t(0)
        ok = llama_cpp.llama_state_load_file(llm.ctx, str(path).encode(), tokens, capacity,
                                             ctypes.byref(count))
        n = int(count.value)
        if not ok or n <= 0 or n > capacity:
            llm._ctx.kv_cache_clear()
            path.unlink(missing_ok=True)
            return 0
        llm.input_ids[:n] = tokens[:n]
        llm.n_tokens = n
        llm._requires_eval = True  # the logits are not those of a live decode
        with contextlib.suppress(OSError):  # pruned meanwhile, or a read-only folder
            os.utime(path)
        return n

    def save(self, llm: Any, path: Path) -> bool:
        """Save the context of ``llm`` (its KV cache and tokens) to ``path``, atomically."""
        import llama_cpp

        n = int(llm.n_tokens)
        if n <= 0:
            return False
        tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
        tokens = (llama_cpp.llama_token * n)(*[int(t) for t in llm.input_ids[:n]])
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            if not llama_cpp.llama_state_save_file(llm.ctx, str(tmp).encode(), tokens, n):
                tmp.unlink(missing_ok=True)
                return False
            os.replace(tmp, path)
            self._prune()
        except OSError:
            tmp.unlink(missing_ok=True)
            return False
        return True

    def _prune(self) -> None:
        def mtime(p: Path) -> float:
            try:
                return p.stat().st_mtime
            except FileNotFoundError:  # pruned by another process meanwhile
                return 0.0

        files = sorted(self.directory.glob("*.state"), key=mtime, reverse=True)
        for old in files[KEEP:]:
            old.unlink(missing_ok=True)
