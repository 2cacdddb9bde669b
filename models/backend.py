"""The one interface every backend implements: chat messages in, text (optionally constrained
by a JSON schema or a GBNF grammar) out, with token counts, timings and log-probabilities."""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from models.types import ChatMessage, Completion, as_messages

__all__ = ["Backend", "Chunk", "GenerateOptions", "Messages", "summarize_logprobs"]

Messages = list[ChatMessage] | list[dict[str, str]]


class GenerateOptions(BaseModel):
    """How to generate. ``schema`` (a JSON schema) or ``grammar`` (GBNF) constrains output."""

    model_config = ConfigDict(frozen=True)

    max_tokens: int = Field(256, ge=1)
    temperature: float = Field(0.0, ge=0.0)
    json_schema: dict[str, Any] | None = None
    grammar: str | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = 0


class Chunk(BaseModel):
    """A streamed piece of text; the last chunk has ``completion`` set and empty text."""

    text: str = ""
    completion: Completion | None = None


def summarize_logprobs(values: list[float]) -> tuple[float | None, float | None]:
    """(mean, min) of token log-probabilities, (None, None) if there are none."""
    if not values:
        return None, None
    return sum(values) / len(values), min(values)


class Backend(ABC):
    """Base class: subclasses implement `_generate`; `calls` counts chat/stream calls."""

    name: str = ""
    load_seconds: float = 0.0

    def __init__(self) -> None:
        self.calls = 0
        self._lock = threading.Lock()

    @abstractmethod
    def _generate(self, messages: list[ChatMessage], options: GenerateOptions,
                  streaming: bool) -> Iterator[str | Completion]:
        """Yield text pieces, then exactly one Completion. ``streaming`` is False when the
        caller only wants the result (a backend may then make one non-streaming request)."""

    def stream(self, messages: Messages, *, schema: dict[str, Any] | None = None,
               grammar: str | None = None, max_tokens: int = 256, temperature: float = 0.0,
               stop: list[str] | tuple[str, ...] = (), seed: int | None = 0,
               _streaming: bool = True) -> Iterator[Chunk]:
        """Generate, yielding text chunks and finally a chunk carrying the Completion."""
        options = GenerateOptions(max_tokens=max_tokens, temperature=temperature,
                                  json_schema=schema, grammar=grammar, stop=tuple(stop),
                                  seed=seed)
        msgs = as_messages(messages)
        with self._lock:
            self.calls += 1
            for item in self._generate(msgs, options, _streaming):
                if isinstance(item, Completion):
                    yield Chunk(completion=item)
                else:
                    yield Chunk(text=item)

    def chat(self, messages: Messages, *, schema: dict[str, Any] | None = None,
             grammar: str | None = None, max_tokens: int = 256, temperature: float = 0.0,
             stop: list[str] | tuple[str, ...] = (), seed: int | None = 0,
             on_text: Callable[[str], None] | None = None) -> Completion:
        """Generate one reply. ``on_text`` receives pieces of text as they are produced."""
        result: Completion | None = None
        for chunk in self.stream(messages, schema=schema, grammar=grammar,
                                 max_tokens=max_tokens, temperature=temperature, stop=stop,
                                 seed=seed, _streaming=on_text is not None):
            if chunk.completion is not None:
                result = chunk.completion
            elif on_text is not None and chunk.text:
                on_text(chunk.text)
        assert result is not None, "backend produced no completion"
        return result

    def close(self) -> None:
        """Release the model (idempotent)."""
        return None

    def __enter__(self) -> Backend:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
