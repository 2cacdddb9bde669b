"""Routing as llama.cpp computes it: which expert each token goes to, layer by layer, in an
assembled MoE GGUF. An eval callback reads every layer's router logits (``ffn_moe_logits-L``)
while the model evaluates a prompt, so the statistics describe the real model, with the
experts of the earlier layers already applied, not an estimate from the dense base.

Layers whose router row is zero for every expert (layers the experts do not touch) give every
expert the same logit; they are left out of the statistics.
"""

from __future__ import annotations

import ctypes
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.errors import BackendError

__all__ = ["CONTEXT", "REQUEST_MARK", "RoutingProbe", "format_shares", "routing_shares"]

REQUEST_MARK = "Request: "
"""Where the request starts in the planner's user message (``request_message``): the lines
before it (entities in scope, resolved references) are context every domain's prompts carry
alike, routed like the system prompt."""
CONTEXT = "context"
"""The statistics row of the context lines' tokens."""

_LOGITS = b"ffn_moe_logits-"
_GGML_TYPE_F32 = 0


class _Ggml:
    """The few ggml functions the callback needs, from llama-cpp-python's own libggml."""

    def __init__(self, llama_cpp: Any) -> None:
        lib = Path(llama_cpp.__file__).parent / "lib" / "libggml-base.so"
        g = ctypes.CDLL(str(lib))
        g.ggml_get_name.restype = ctypes.c_char_p
        g.ggml_get_name.argtypes = [ctypes.c_void_p]
        g.ggml_nelements.restype = ctypes.c_int64
        g.ggml_nelements.argtypes = [ctypes.c_void_p]
        g.ggml_nbytes.restype = ctypes.c_size_t
        g.ggml_nbytes.argtypes = [ctypes.c_void_p]
        g.ggml_is_contiguous.restype = ctypes.c_bool
        g.ggml_is_contiguous.argtypes = [ctypes.c_void_p]
        g.ggml_backend_tensor_get.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t,
                                              ctypes.c_size_t]
        self.lib = g

    def read_f32(self, t: int) -> tuple[npt.NDArray[np.float32], int]:
        """The tensor's data as float32, and its ne[0] (rows are ne[0] long)."""
        g = self.lib
        if ctypes.c_int.from_address(t).value != _GGML_TYPE_F32 or not g.ggml_is_contiguous(t):
            raise BackendError("router logits are not a contiguous f32 tensor in this llama.cpp",
                               hint="routing statistics need llama-cpp-python 0.3.36")
        n = int(g.ggml_nelements(t))
        # struct ggml_tensor { enum ggml_type type; ggml_backend_buffer * buffer; int64 ne[4] }
        ne0 = int(ctypes.c_int64.from_address(t + 16).value)
        if ne0 <= 0 or n % ne0:
            raise BackendError("unexpected ggml_tensor layout in this llama.cpp",
                               hint="routing statistics need llama-cpp-python 0.3.36")
        out = np.empty(n, dtype=np.float32)
        g.ggml_backend_tensor_get(t, out.ctypes.data, 0, g.ggml_nbytes(t))
        return out, ne0


class RoutingProbe:
    """An MoE GGUF loaded with an eval callback that records each layer's router logits.

    ``route(system, user, answer)`` evaluates the chat exactly as the planner renders it and
    returns, per routed layer, the top-1 expert of every token after the system part."""

    def __init__(self, model_path: str | os.PathLike[str], *, n_ctx: int = 4096,
                 threads: int = 2, verbose: bool = False) -> None:
        import llama_cpp
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        from models.gguf_info import read_gguf

        self.path = Path(model_path)
        info = read_gguf(self.path)
        if not info.is_moe:
            raise BackendError(f"{self.path.name} is not a mixture-of-experts model",
                               hint="assemble one: lam models experts assemble BASE OUT")
        self.expert_count = int(info.expert_count)
        self._L = llama_cpp
        self._g = _Ggml(llama_cpp)
        self._rows: dict[int, list[npt.NDArray[np.float32]]] = {}
        self._error: BackendError | None = None
        self._cb = llama_cpp.ggml_backend_sched_eval_callback(self._on_tensor)
        from llama_cpp._logger import set_verbose

        set_verbose(verbose)  # what llama_cpp.Llama(verbose=...) does
        llama_cpp.llama_backend_init()
        self._model = llama_cpp.llama_model_load_from_file(
            str(self.path).encode(), llama_cpp.llama_model_default_params())
        if not self._model:
            raise BackendError(f"llama.cpp could not load {self.path}",
                               hint="check the file: lam models info PATH")
        cp = llama_cpp.llama_context_default_params()
        cp.n_ctx = n_ctx
        cp.n_batch = cp.n_ubatch = 512
        cp.n_threads = cp.n_threads_batch = threads
        cp.cb_eval = self._cb
        self._ctx = llama_cpp.llama_init_from_model(self._model, cp)
        if not self._ctx:
            llama_cpp.llama_model_free(self._model)
            raise BackendError(f"llama.cpp could not make a context for {self.path}")
        self._vocab = llama_cpp.llama_model_get_vocab(self._model)
        template = llama_cpp.llama_model_chat_template(self._model, None)
        if not template:
            self.close()
            raise BackendError(f"{self.path.name} has no chat template")

        def text(tok: int) -> str:
            return bytes(llama_cpp.llama_vocab_get_text(self._vocab, tok)).decode()

        eos, bos = (text(llama_cpp.llama_vocab_eos(self._vocab)),
                    text(llama_cpp.llama_vocab_bos(self._vocab)))
        self._fmt = {gen: Jinja2ChatFormatter(template.decode(), eos_token=eos, bos_token=bos,
                                              add_generation_prompt=gen)
                     for gen in (False, True)}
        self._prefix: tuple[str, int] | None = None

    # -- the callback -------------------------------------------------------------------------
    def _on_tensor(self, t: int, ask: bool, _user: int) -> bool:
        name = self._g.lib.ggml_get_name(t) or b""
        if not name.startswith(_LOGITS):
            return not ask
        if ask:
            return True
        try:  # an exception must not cross into C: it is raised after the decode
            data, ne0 = self._g.read_f32(t)
            if ne0 != self.expert_count:
                raise BackendError(f"router logits have {ne0} rows for {self.expert_count} "
                                   "experts", hint="routing statistics need llama-cpp-python "
                                                   "0.3.36")
            self._rows.setdefault(int(name[len(_LOGITS):]), []).append(data.reshape(-1, ne0))
        except BackendError as exc:
            self._error = exc
        return True

    # -- evaluation ---------------------------------------------------------------------------
    def _render(self, messages: list[Any], add_generation_prompt: bool) -> str:
        r = self._fmt[add_generation_prompt](messages=messages)
        return str(r.prompt)

    def _tokens(self, text: str) -> list[int]:
        data = text.encode()
        buf = (self._L.llama_token * (len(data) + 8))()
        n = self._L.llama_tokenize(self._vocab, data, len(data), buf, len(buf), False, True)
        if n < 0:
            raise BackendError("the text does not tokenize")
        return list(buf[:n])

    def _decode(self, tokens: Sequence[int], start: int) -> None:
        L = self._L
        for off in range(0, len(tokens), 512):
            part = tokens[off:off + 512]
            batch = L.llama_batch_init(len(part), 0, 1)
            try:
                for i, tok in enumerate(part):
                    batch.token[i] = tok
                    batch.pos[i] = start + off + i
                    batch.n_seq_id[i] = 1
                    batch.seq_id[i][0] = 0
                    batch.logits[i] = True  # every token reaches the last layer's router
                batch.n_tokens = len(part)
                rc = L.llama_decode(self._ctx, batch)
                if self._error is not None:
                    raise self._error
                if rc != 0:
                    raise BackendError("llama.cpp could not evaluate the prompt",
                                       hint="shorten it or raise n_ctx")
            finally:
                L.llama_batch_free(batch)

    def route(self, system: str, user: str, answer: str = ""
              ) -> tuple[dict[int, npt.NDArray[np.intp]], int]:
        """Top-1 expert per token after the system part, for every routed layer; and how many
        of those tokens are context lines (before `REQUEST_MARK`)."""
        sys_text = self._render([{"role": "system", "content": system}], False)
        full = self._render([{"role": "system", "content": system},
                             {"role": "user", "content": user}], True) + answer
        if not full.startswith(sys_text):
            raise BackendError("the chat template does not put the system prompt first")
        mem = self._L.llama_get_memory(self._ctx)
        if self._prefix is None or self._prefix[0] != sys_text:
            self._L.llama_memory_clear(mem, True)
            n_sys = len(self._tokens(sys_text))
            self._decode(self._tokens(sys_text), 0)
            self._prefix = (sys_text, n_sys)
        n_sys = self._prefix[1]
        self._L.llama_memory_seq_rm(mem, 0, n_sys, -1)
        rest_text = full[len(sys_text):]
        rest = self._tokens(rest_text)
        at = rest_text.rfind(REQUEST_MARK)
        n_context = len(self._tokens(rest_text[:at])) if at > 0 else 0
        self._rows.clear()
        self._decode(rest, n_sys)
        out: dict[int, npt.NDArray[np.intp]] = {}
        for layer, parts in self._rows.items():
            logits = np.concatenate(parts)
            if np.ptp(logits, axis=1).max() == 0.0:
                continue  # an unrouted layer: every expert has the same logit
            out[layer] = logits.argmax(axis=1)
        return out, n_context

    def close(self) -> None:
        L = self._L
        if getattr(self, "_ctx", None):
            L.llama_free(self._ctx)
            self._ctx = None
        if getattr(self, "_model", None):
            L.llama_model_free(self._model)
            self._model = None

    def __enter__(self) -> RoutingProbe:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def routing_shares(probe: RoutingProbe, records: Mapping[str, Sequence[Mapping[str, str]]],
                   names: Sequence[str]) -> dict[str, dict[str, float]]:
    """Per domain, the share of its request and plan tokens (over the routed layers) whose
    top-1 expert is each of ``names`` (the model's experts, in order); and a `CONTEXT` row for
    the context lines of all records. ``records`` are training-record dicts (system, user,
    target)."""
    if len(names) != probe.expert_count:
        raise BackendError(f"{len(names)} names for {probe.expert_count} experts")
    counts = {d: np.zeros(len(names)) for d in [*records, CONTEXT]}
    for domain, recs in records.items():
        for r in recs:
            routes, n_context = probe.route(r["system"], r["user"], r.get("target", ""))
            for top in routes.values():
                counts[domain] += np.bincount(top[n_context:], minlength=len(names))
                counts[CONTEXT] += np.bincount(top[:n_context], minlength=len(names))
    return {d: {n: float(x / max(1.0, float(c.sum()))) for n, x in zip(names, c, strict=True)}
            for d, c in counts.items()}


def format_shares(shares: Mapping[str, Mapping[str, float]], title: str) -> str:
    """Shares as a table: one row per domain, one column per expert."""
    names = list(next(iter(shares.values())))
    lines = [title, f"{'tokens of':<14}" + "".join(f"{n:>11}" for n in names)]
    lines += [f"{dom:<14}" + "".join(f"{row[n]:>11.1%}" for n in names)
              for dom, row in shares.items()]
    return "\n".join(lines)
