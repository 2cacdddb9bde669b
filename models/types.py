"""Public value types of the model runtime (pydantic)."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ChatMessage", "Completion", "Timings", "Usage", "as_messages"]

Role = Literal["system", "user", "assistant"]


class ChatMessage(BaseModel):
    """One chat turn."""

    model_config = ConfigDict(frozen=True)

    role: Role
    content: str


class Usage(BaseModel):
    """Token counts of one completion. `prompt_evaluated` counts prompt tokens actually run
    through the model (prompt tokens minus the reused cached prefix). None = not reported
    (e.g. a streaming HTTP server that sends no usage)."""

    prompt_tokens: int | None = 0
    completion_tokens: int = 0
    prompt_evaluated: int | None = None


class Timings(BaseModel):
    """Seconds. `load` is the backend's model load time (same for every completion)."""

    load: float = 0.0
    first_token: float = 0.0
    total: float = 0.0


class Completion(BaseModel):
    """What a backend returns for one chat call."""

    text: str
    usage: Usage = Field(default_factory=Usage)
    timings: Timings = Field(default_factory=Timings)
    logprob_mean: float | None = None
    logprob_min: float | None = None
    finish_reason: str = "stop"
    model: str = ""

    @property
    def confidence(self) -> float | None:
        """Mean log-probability of the generated tokens (0 = certain, more negative = less)."""
        return self.logprob_mean

    def parsed(self) -> Any:
        """The text parsed as JSON (raises ValueError if it is not JSON)."""
        return json.loads(self.text)


def as_messages(messages: list[ChatMessage] | list[dict[str, str]]) -> list[ChatMessage]:
    """Accept `ChatMessage`s or plain ``{"role", "content"}`` dicts."""
    return [m if isinstance(m, ChatMessage) else ChatMessage.model_validate(m) for m in messages]
