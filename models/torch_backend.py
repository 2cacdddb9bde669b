"""transformers/torch backend (optional extra ``lam-assistant[train]``): for training-side
experiments, not for serving. Imported lazily; no JSON-schema constraint (raise if asked)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from models.backend import Backend, GenerateOptions, summarize_logprobs
from models.errors import BackendError
from models.types import ChatMessage, Completion, Timings, Usage

__all__ = ["TransformersBackend", "require_torch"]

INSTALL_HINT = "pip install 'lam-assistant[train]'"


def require_torch() -> tuple[Any, Any]:
    """(torch, transformers), or BackendError (an ImportError too) saying what to install."""
    try:
        import torch
        import transformers
    except ImportError as exc:
        raise _MissingExtra(f"the transformers backend needs torch and transformers ({exc})",
                            hint=INSTALL_HINT) from exc
    return torch, transformers


class _MissingExtra(BackendError, ImportError):
    """Both a BackendError and an ImportError, so either kind of handler catches it."""


class TransformersBackend(Backend):
    """A Hugging Face model directory (or a dir + ``gguf_file``) run with torch on CPU."""

    def __init__(self, model_dir: str, *, gguf_file: str | None = None, threads: int = 0,
                 name: str | None = None) -> None:
        super().__init__()
        torch, transformers = require_torch()
        if threads:
            torch.set_num_threads(threads)
        start = time.perf_counter()
        kwargs: dict[str, Any] = {"gguf_file": gguf_file} if gguf_file else {}
        self._tok = transformers.AutoTokenizer.from_pretrained(model_dir, **kwargs)
        self._model = transformers.AutoModelForCausalLM.from_pretrained(model_dir, **kwargs)
        self._model.eval()
        self._torch = torch
        self.load_seconds = time.perf_counter() - start
        self.name = name or model_dir

    def _generate(self, messages: list[ChatMessage], options: GenerateOptions,
                  streaming: bool = True) -> Iterator[str | Completion]:
        if options.json_schema is not None or options.grammar is not None:
            raise BackendError("the transformers backend does not constrain output",
                               hint="use the llama.cpp backend for schema-constrained output")
        torch = self._torch
        start = time.perf_counter()
        ids = self._tok.apply_chat_template([m.model_dump() for m in messages],
                                            add_generation_prompt=True, return_tensors="pt")
        with torch.no_grad():
            out = self._model.generate(
                ids, max_new_tokens=options.max_tokens, do_sample=options.temperature > 0,
                temperature=options.temperature or None, output_scores=True,
                return_dict_in_generate=True)
        new = out.sequences[0, ids.shape[1]:]
        logprobs = [float(torch.log_softmax(score[0], dim=-1)[tok])
                    for score, tok in zip(out.scores, new, strict=False)]
        text = self._tok.decode(new, skip_special_tokens=True)
        total = time.perf_counter() - start
        yield text
        mean, low = summarize_logprobs(logprobs)
        yield Completion(
            text=text, model=self.name,
            finish_reason="length" if len(new) >= options.max_tokens else "stop",
            usage=Usage(prompt_tokens=int(ids.shape[1]), completion_tokens=len(new)),
            timings=Timings(load=self.load_seconds, first_token=total, total=total),
            logprob_mean=mean, logprob_min=low)
