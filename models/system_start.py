"""Every generation starts from the same evaluated system prompt, so an answer depends only on
its own prompt, never on what the process was asked before.

llama-cpp-python reuses whatever prefix of the new prompt is already in the KV cache. That is
fast, but the numbers are not the same as a fresh evaluation: where the reused part ends (the
previous request shared its first words, or not) and which cache cells the tail lands in change
the logits slightly, and at a close call greedy decoding picks another token. Measured with
qwen2.5-coder-0.5b: one prompt gave two different completions depending on the request asked
before it, so a planner's output for a request changed with the order of earlier requests.

Here the context is put back to one canonical state before each generation: the KV cache and
tokens right after the system message, evaluated in a fresh context (or read from the state
file a fresh context wrote, `models.prefix_state`) and kept in memory as llama.cpp state bytes.
Only the rest of the prompt (the request) is evaluated, always starting at that token, into the
same cells. A prompt without a system message, or a model whose chat template is unknown,
falls back to llama-cpp-python's own prefix reuse.
"""

from __future__ import annotations

import ctypes
import hashlib
from collections import OrderedDict
from pathlib import Path
from typing import Any

from models.prefix_state import PrefixStates
from models.types import ChatMessage

__all__ = ["SystemStart"]

KEEP_IN_MEMORY = 2
"""System prompts whose evaluated state is kept in memory (the planner's, and one more such as
the tool judge's); each is a few tens of MB for the small planner models."""


class SystemStart:
    """Canonical starting states of one `llama_cpp.Llama`, one per system prompt."""

    def __init__(self, llm: Any, states: PrefixStates | None) -> None:
        self._llm = llm
        self._states = states
        self._formatters: dict[bool, Any] | None = None
        self._formatters_read = False
        self._system_tokens: dict[str, list[int]] = {}
        self._snapshots: OrderedDict[str, bytearray] = OrderedDict()
        self.restored_tokens = 0
        """Tokens of the last new system prompt read from its state file (0: evaluated)."""

    def prefix(self, messages: list[ChatMessage]) -> list[int] | None:
        """The prompt tokens up to the end of the system message (as the chat handler will
        tokenize them), or None when there is no system message or no known template."""
        if not messages or messages[0].role != "system":
            return None
        if not self._formatters_read:  # read on first use: loading a model builds nothing more
            self._formatters, self._formatters_read = _formatters(self._llm), True
        if self._formatters is None:
            return None
        system = messages[0].content
        if system not in self._system_tokens:
            self._system_tokens[system] = self._tokens(
                self._formatters[False](messages=[messages[0].model_dump()]))
        full = self._tokens(self._formatters[True](messages=[m.model_dump() for m in messages]))
        head = self._system_tokens[system]
        n = 0
        for a, b in zip(head, full, strict=False):
            if a != b:
                break
            n += 1
        return full[:n] if 0 < n < len(full) else None

    def start(self, prefix: list[int], state_file: Path | None) -> None:
        """Put the context in the canonical state after ``prefix``: from memory, else from
        ``state_file``, else by evaluating it (and writing ``state_file``)."""
        key = hashlib.sha256(str(prefix).encode()).hexdigest()
        snapshot = self._snapshots.get(key)
        if snapshot is not None:
            self._snapshots.move_to_end(key)
            self._restore(snapshot, prefix)
            return
        llm = self._llm
        llm.reset()
        llm._ctx.kv_cache_clear()
        self.restored_tokens = 0
        if state_file is not None:
            n = PrefixStates.load(llm, state_file)
            if n and list(llm.input_ids[:n]) == prefix and n == len(prefix):
                self.restored_tokens = n
            elif n:  # a state of other tokens under this name: not ours to trust
                llm.reset()
                llm._ctx.kv_cache_clear()
                state_file.unlink(missing_ok=True)
        if not self.restored_tokens:
            llm.eval(prefix)
            if state_file is not None and self._states is not None:
                self._states.save(llm, state_file)
        self._snapshots[key] = self._capture()
        while len(self._snapshots) > KEEP_IN_MEMORY:
            self._snapshots.popitem(last=False)

    # -- llama.cpp state bytes --------------------------------------------------------------------
    def _capture(self) -> bytearray:
        import llama_cpp

        ctx = self._llm.ctx
        size = llama_cpp.llama_state_get_size(ctx)
        data = bytearray(int(size))  # written in place and kept: no second copy at the peak
        n = llama_cpp.llama_state_get_data(ctx, (ctypes.c_uint8 * len(data)).from_buffer(data),
                                           size)
        del data[int(n):]
        return data

    def _restore(self, snapshot: bytearray, prefix: list[int]) -> None:
        import llama_cpp

        llm = self._llm
        buf = (ctypes.c_uint8 * len(snapshot)).from_buffer(snapshot)
        if llama_cpp.llama_state_set_data(llm.ctx, buf, len(snapshot)) != len(snapshot):
            llm.reset()  # cannot happen for bytes this context wrote; evaluate instead
            llm._ctx.kv_cache_clear()
            llm.eval(prefix)
            return
        llm.input_ids[:len(prefix)] = prefix
        llm.n_tokens = len(prefix)
        llm._requires_eval = True

    def _tokens(self, formatted: Any) -> list[int]:
        return list(self._llm.tokenize(formatted.prompt.encode("utf-8"),
                                       add_bos=not formatted.added_special, special=True))


def _formatters(llm: Any) -> dict[bool, Any] | None:
    """The chat formatters llama-cpp-python builds from the GGUF's template (with and without
    the generation prompt), or None when the model runs another chat format."""
    from llama_cpp.llama_chat_format import Jinja2ChatFormatter

    template = llm.metadata.get("tokenizer.chat_template")
    if not template or llm.chat_format != "chat_template.default" or llm.chat_handler:
        return None

    def text(token: int) -> str:
        return str(llm._model.token_get_text(token)) if token != -1 else ""

    eos, bos = text(llm.token_eos()), text(llm.token_bos())
    return {gen: Jinja2ChatFormatter(template=template, eos_token=eos, bos_token=bos,
                                     stop_token_ids=[llm.token_eos()],
                                     add_generation_prompt=gen)
            for gen in (False, True)}
