"""llama.cpp backend (llama-cpp-python): GGUF with its embedded chat template, JSON-schema or
GBNF constrained decoding, prompt-prefix reuse, per-token log-probabilities.

Prefix reuse: one `Llama` object lives as long as the backend; each generation starts from the
evaluated system message (`models.system_start`: restored, not re-read) and evaluates only the
rest, so a long constant system prompt is evaluated once and an answer never depends on earlier
prompts (`Usage.prompt_evaluated` counts what was evaluated, from llama.cpp's perf counters).
Log-probabilities come from a logits processor that sees the raw logits before the grammar:
no `logits_all` (which would cost n_ctx × n_vocab floats).

Greedy constrained decoding checks the grammar lazily (`_LazyGrammar`): the unconstrained
best token is tested alone, and the grammar is applied to the whole vocabulary only when that
token is not allowed. The result is the same token the full check would pick (the highest
allowed logit), at a fraction of the cost: llama.cpp's grammar sampler otherwise tests every
one of the ~150k vocabulary entries at every step.
"""

from __future__ import annotations

import ctypes
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from models.backend import Backend, GenerateOptions, summarize_logprobs
from models.errors import BackendError
from models.gguf_info import GGUFInfo, read_gguf
from models.memory import MemoryEstimate, check_fits, estimate_memory
from models.prefix_state import PrefixStates
from models.system_start import SystemStart
from models.threads import choose_threads
from models.types import ChatMessage, Completion, Timings, Usage

__all__ = ["LlamaBackend"]


class _LogprobTracker:
    """A llama-cpp-python logits processor recording the log-probability (raw logits, before
    the grammar, like the OpenAI-compatible server reports) of each sampled token: at step
    k+1 the token chosen at step k is the last input id. The final token (end of generation,
    or the last one when max_tokens is hit) is not scored."""

    def __init__(self) -> None:
        self.values: list[float] = []
        self.steps = 0
        self.prompt_tokens = 0
        self._prev: npt.NDArray[np.float32] | None = None
        self._prev_lse = 0.0

    def _record(self, token: int) -> None:
        if self._prev is not None and 0 <= token < self._prev.shape[0]:
            self.values.append(float(self._prev[token]) - self._prev_lse)

    def __call__(self, input_ids: npt.NDArray[np.intc],
                 scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        if self.steps == 0:
            self.prompt_tokens = len(input_ids)
        else:
            self._record(int(input_ids[-1]))
        self.steps += 1
        logits = np.array(scores, dtype=np.float32, copy=True)
        top = float(logits.max())
        self._prev_lse = top + float(np.log(np.exp(logits - top).sum()))
        self._prev = logits
        return scores


_TOKEN_DATA = np.dtype([("id", np.intc), ("logit", np.single), ("p", np.single)], align=True)


class _LazyGrammar:
    """A logits processor enforcing a grammar for greedy decoding: the best token is checked
    on its own and the full vocabulary only when it is rejected. It owns a llama.cpp grammar
    sampler, fed each token the model accepted (the new tail of ``input_ids``)."""

    def __init__(self, llama_cpp: Any, vocab: Any, grammar: Any) -> None:
        self._lib = llama_cpp
        self._sampler = llama_cpp.llama_sampler_init_grammar(
            vocab, grammar._grammar.encode("utf-8"), grammar._root.encode("utf-8"))
        if not self._sampler:
            raise BackendError("llama.cpp could not compile the grammar",
                               hint="simplify the JSON schema or fix the GBNF")
        self._seen: int | None = None
        self._one = np.zeros(1, dtype=_TOKEN_DATA)
        self.full_checks = 0

    def _apply(self, data: npt.NDArray[Any]) -> None:
        lib = self._lib
        array = lib.llama_token_data_array(
            data=data.ctypes.data_as(lib.llama_token_data_p), size=len(data), selected=-1,
            sorted=False)
        lib.llama_sampler_apply(self._sampler, ctypes.byref(array))

    def __call__(self, input_ids: npt.NDArray[np.intc],
                 scores: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
        if self._seen is None:
            self._seen = len(input_ids)
        for token in input_ids[self._seen:]:
            self._lib.llama_sampler_accept(self._sampler, int(token))
        self._seen = len(input_ids)
        best = int(np.argmax(scores))
        self._one[0] = (best, scores[best], 0.0)
        self._apply(self._one)
        if np.isfinite(self._one["logit"][0]):
            return scores
        self.full_checks += 1
        data = np.zeros(len(scores), dtype=_TOKEN_DATA)
        data["id"] = np.arange(len(scores), dtype=np.intc)
        data["logit"] = scores
        self._apply(data)
        return np.asarray(data["logit"], dtype=np.float32)

    def close(self) -> None:
        if self._sampler:
            self._lib.llama_sampler_free(self._sampler)
            self._sampler = None


class LlamaBackend(Backend):
    """A GGUF model in this process. ``threads=0`` chooses from the load at start-up;
    ``experts_per_token`` overrides an MoE model's ``{arch}.expert_used_count``."""

    def __init__(self, model_path: str | os.PathLike[str], *, n_ctx: int = 4096,
                 threads: int = 0, experts_per_token: int | None = None,
                 n_batch: int = 512, flash_attn: bool = True, check_memory: bool = True,
                 ram_cache_bytes: int = 0, name: str | None = None,
                 prefix_dir: str | os.PathLike[str] | None = None,
                 verbose: bool = False) -> None:
        super().__init__()
        self._llm: Any = None
        try:
            import llama_cpp
        except ImportError as exc:  # pragma: no cover - a core dependency
            raise BackendError("llama-cpp-python is not installed",
                               hint="pip install 'llama-cpp-python==0.3.36'") from exc
        self.path = Path(model_path)
        self.name = name or self.path.stem
        self.info: GGUFInfo = read_gguf(self.path)
        self.n_ctx = n_ctx
        self.threads = choose_threads(threads)
        kv_overrides: dict[str, bool | int | float | str] = {}
        if experts_per_token is not None:
            if not self.info.is_moe:
                raise BackendError(f"{self.name} is not a mixture-of-experts model",
                                   hint="experts per token applies to MoE models only")
            if not 1 <= experts_per_token <= self.info.expert_count:
                raise BackendError(
                    f"experts per token must be 1..{self.info.expert_count}, "
                    f"got {experts_per_token}", hint="pick a value within the expert count")
            kv_overrides[f"{self.info.arch}.expert_used_count"] = experts_per_token
        self.experts_per_token = experts_per_token
        self.estimate: MemoryEstimate = estimate_memory(
            self.info, n_ctx, n_ubatch=n_batch, experts_used=experts_per_token)
        if check_memory:
            check_fits(self.estimate, self.name)
        start = time.perf_counter()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(self.path), n_ctx=n_ctx, n_batch=n_batch, n_ubatch=n_batch,
                n_threads=self.threads, n_threads_batch=self.threads, flash_attn=flash_attn,
                kv_overrides=kv_overrides or None, logits_all=False, verbose=verbose)
        except (ValueError, RuntimeError) as exc:
            raise BackendError(f"llama.cpp could not load {self.path}: {exc}",
                               hint="check the file (lam models info NAME) and that this "
                                    "llama.cpp supports its architecture") from exc
        self.load_seconds = time.perf_counter() - start
        self._states = (PrefixStates(Path(prefix_dir), self.path,
                                     f"ctx={n_ctx} batch={n_batch} fa={flash_attn} "
                                     f"kv={sorted(kv_overrides.items())}")
                        if prefix_dir is not None else None)
        self._start = SystemStart(self._llm, self._states)
        self.restored_tokens = 0
        """Prompt tokens whose KV state came from disk (``prefix_dir``) instead of an eval."""
        if ram_cache_bytes:
            self._llm.set_cache(llama_cpp.LlamaRAMCache(capacity_bytes=ram_cache_bytes))
        self._grammars: dict[str, Any] = {}
        self._llama_cpp = llama_cpp
        self.grammar_fallbacks = 0
        """Greedy steps where the best token broke the grammar and the full check ran."""

    # -- helpers ------------------------------------------------------------------------------
    def _grammar(self, options: GenerateOptions) -> Any:
        if options.json_schema is None and options.grammar is None:
            return None
        key = options.grammar or json.dumps(options.json_schema, sort_keys=True)
        if key not in self._grammars:
            cls = self._llama_cpp.LlamaGrammar
            try:
                self._grammars[key] = (cls.from_string(options.grammar, verbose=False)
                                       if options.grammar else
                                       cls.from_json_schema(key, verbose=False))
            except (ValueError, RuntimeError) as exc:
                raise BackendError(f"cannot build a grammar: {exc}",
                                   hint="simplify the JSON schema or fix the GBNF") from exc
        return self._grammars[key]

    def _prompt_evals(self) -> int:
        return int(self._llama_cpp.llama_perf_context(self._llm.ctx).n_p_eval)

    def tokenize(self, text: str) -> list[int]:
        return list(self._llm.tokenize(text.encode(), add_bos=False, special=True))

    # -- generation -----------------------------------------------------------------------------
    def _generate(self, messages: list[ChatMessage], options: GenerateOptions,
                  streaming: bool = True) -> Iterator[str | Completion]:
        if self._llm is None:
            raise BackendError("the backend is closed", hint="load the model again")
        tracker = _LogprobTracker()
        evals_before = self._prompt_evals()
        start = time.perf_counter()
        first: float | None = None
        finish = "stop"
        parts: list[str] = []
        grammar = self._grammar(options)
        prefix = self._start.prefix(messages)
        if prefix is not None:
            self._start.start(prefix, self._states.path_for(messages[0].content)
                              if self._states is not None else None)
            self.restored_tokens = self._start.restored_tokens
        processors: list[Any] = [tracker]
        lazy: _LazyGrammar | None = None
        if grammar is not None and options.temperature == 0.0:
            lazy = _LazyGrammar(self._llama_cpp, self._llm._model.vocab, grammar)
            processors.append(lazy)
            grammar = None
        try:
            stream = self._llm.create_chat_completion(
                messages=[m.model_dump() for m in messages], grammar=grammar,
                max_tokens=options.max_tokens, temperature=options.temperature,
                stop=list(options.stop), seed=options.seed, stream=True,
                logits_processor=self._llama_cpp.LogitsProcessorList(processors))
            for chunk in stream:
                choice: Any = chunk["choices"][0]  # type: ignore[index]
                piece = choice.get("delta", {}).get("content")
                if piece:
                    if first is None:
                        first = time.perf_counter() - start
                    parts.append(piece)
                    yield piece
                if choice.get("finish_reason"):
                    finish = choice["finish_reason"]
        except ValueError as exc:  # e.g. prompt longer than the context
            raise BackendError(str(exc), hint="shorten the prompt or raise [lam] context") \
                from exc
        finally:
            if lazy is not None:
                self.grammar_fallbacks += lazy.full_checks
                lazy.close()
        total = time.perf_counter() - start
        mean, low = summarize_logprobs(tracker.values)
        completion_tokens = max(0, tracker.steps - (1 if finish == "stop" else 0))
        yield Completion(
            text="".join(parts), finish_reason=finish, model=self.name,
            usage=Usage(prompt_tokens=tracker.prompt_tokens,
                        completion_tokens=completion_tokens,
                        prompt_evaluated=self._prompt_evals() - evals_before),
            timings=Timings(load=self.load_seconds,
                            first_token=first if first is not None else total, total=total),
            logprob_mean=mean, logprob_min=low)

    def close(self) -> None:
        llm = getattr(self, "_llm", None)
        if llm is not None:
            llm.close()
            self._llm = None
