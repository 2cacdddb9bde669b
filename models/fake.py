"""A scripted backend for fast unit tests elsewhere: returns queued responses in order and
records every request. Implements the same `Backend` interface as the real ones."""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

from models.backend import Backend, GenerateOptions
from models.errors import BackendError
from models.types import ChatMessage, Completion, Timings, Usage

__all__ = ["FakeBackend", "FakeRequest"]

Response = str | dict[str, Any] | list[Any] | Completion | Exception


class FakeRequest:
    """What a FakeBackend was asked."""

    def __init__(self, messages: list[ChatMessage], options: GenerateOptions) -> None:
        self.messages = messages
        self.options = options

    @property
    def last_user(self) -> str:
        return next((m.content for m in reversed(self.messages) if m.role == "user"), "")


class FakeBackend(Backend):
    """``FakeBackend(["text", {"json": 1}, Completion(...), ValueError()])``: each call pops
    the next response (dicts/lists are JSON-encoded; exceptions are raised). ``default`` is
    returned when the queue is empty; without it an empty queue raises BackendError."""

    def __init__(self, responses: Iterable[Response] = (), *, default: Response | None = None,
                 logprob: float = -0.1, name: str = "fake") -> None:
        super().__init__()
        self.queue: deque[Response] = deque(responses)
        self.default = default
        self.logprob = logprob
        self.name = name
        self.requests: list[FakeRequest] = []

    def push(self, *responses: Response) -> None:
        self.queue.extend(responses)

    def _generate(self, messages: list[ChatMessage], options: GenerateOptions,
                  streaming: bool = True) -> Iterator[str | Completion]:
        self.requests.append(FakeRequest(messages, options))
        if self.queue:
            item = self.queue.popleft()
        elif self.default is not None:
            item = self.default
        else:
            raise BackendError(f"FakeBackend has no response queued for call {self.calls}",
                               hint="push() a response for every call the test makes")
        if isinstance(item, Exception):
            raise item
        if isinstance(item, Completion):
            yield item.text
            yield item
            return
        text = item if isinstance(item, str) else json.dumps(item)
        words = text.split(" ")
        for i, word in enumerate(words):
            yield word if i == 0 else " " + word
        n = len(words)
        yield Completion(
            text=text, model=self.name,
            usage=Usage(prompt_tokens=sum(len(m.content.split()) for m in messages),
                        completion_tokens=n, prompt_evaluated=0),
            timings=Timings(), logprob_mean=self.logprob, logprob_min=self.logprob)
