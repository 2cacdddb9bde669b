"""A backend for any OpenAI-compatible chat endpoint (llama-cpp-python's server, llama.cpp's
llama-server, ...), over httpx with server-sent events."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any, Literal

import httpx

from models.backend import Backend, GenerateOptions, summarize_logprobs
from models.errors import BackendError
from models.types import ChatMessage, Completion, Timings, Usage

__all__ = ["HttpBackend"]


class HttpBackend(Backend):
    """``base_url`` like ``http://127.0.0.1:8000/v1``. `chat()` without ``on_text`` makes one
    non-streaming request (the server reports token usage); streaming gets usage only if the
    server sends it (``prompt_tokens`` None otherwise). ``schema_style`` "json_object" sends
    ``{"type": "json_object", "schema": ...}`` (llama.cpp servers); "json_schema" sends the
    OpenAI ``{"type": "json_schema", "json_schema": {...}}`` form. ``extra_body`` is merged
    into every request (e.g. ``{"repeat_penalty": 1.0}`` for llama.cpp servers)."""

    def __init__(self, base_url: str, *, model: str = "local", api_key: str | None = None,
                 timeout: float = 120.0, logprobs: bool = True,
                 schema_style: Literal["json_object", "json_schema"] = "json_object",
                 extra_body: dict[str, Any] | None = None) -> None:
        super().__init__()
        self.extra_body = dict(extra_body or {})
        self.base_url = base_url.rstrip("/")
        self.name = model
        self.logprobs = logprobs
        self.schema_style = schema_style
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def _body(self, messages: list[ChatMessage], options: GenerateOptions,
              streaming: bool) -> dict[str, Any]:
        body: dict[str, Any] = {
            "model": self.name, "messages": [m.model_dump() for m in messages],
            "max_tokens": options.max_tokens, "temperature": options.temperature,
            "stream": streaming,
        }
        if streaming:
            body["stream_options"] = {"include_usage": True}
        body.update(self.extra_body)
        if options.stop:
            body["stop"] = list(options.stop)
        if options.seed is not None:
            body["seed"] = options.seed
        if self.logprobs:
            body["logprobs"] = True
            body["top_logprobs"] = 1
        if options.grammar is not None:
            body["grammar"] = options.grammar
        elif options.json_schema is not None:
            body["response_format"] = (
                {"type": "json_object", "schema": options.json_schema}
                if self.schema_style == "json_object" else
                {"type": "json_schema",
                 "json_schema": {"name": "output", "schema": options.json_schema,
                                 "strict": True}})
        return body

    def _generate(self, messages: list[ChatMessage], options: GenerateOptions,
                  streaming: bool = True) -> Iterator[str | Completion]:
        url = f"{self.base_url}/chat/completions"
        body = self._body(messages, options, streaming)
        start = time.perf_counter()
        first: float | None = None
        parts: list[str] = []
        logprobs: list[float] = []
        usage: dict[str, Any] = {}
        finish = "stop"
        try:
            with self._client.stream("POST", url, json=body) as resp:
                if resp.status_code >= 400:
                    resp.read()
                    raise BackendError(f"{url} answered {resp.status_code}: {resp.text[:300]}",
                                       hint="check the server log and the model name")
                events = (self._sse(resp) if streaming else iter([json.loads(resp.read())]))
                for event in events:
                    usage = event.get("usage") or usage
                    for choice in event.get("choices") or []:
                        piece = (choice.get("delta") or choice.get("message") or {}).get("content")
                        if piece:
                            if first is None:
                                first = time.perf_counter() - start
                            parts.append(piece)
                            yield piece
                        for item in ((choice.get("logprobs") or {}).get("content") or []):
                            if item.get("logprob") is not None:
                                logprobs.append(float(item["logprob"]))
                        finish = choice.get("finish_reason") or finish
        except httpx.HTTPError as exc:
            raise BackendError(f"cannot reach {url}: {exc}",
                               hint="start the server or fix the URL") from exc
        total = time.perf_counter() - start
        mean, low = summarize_logprobs(logprobs)
        prompt = usage.get("prompt_tokens")
        yield Completion(
            text="".join(parts), finish_reason=finish, model=self.name,
            usage=Usage(prompt_tokens=int(prompt) if prompt is not None else None,
                        completion_tokens=int(usage.get("completion_tokens", len(logprobs)))),
            timings=Timings(first_token=first if first is not None else total, total=total),
            logprob_mean=mean, logprob_min=low)

    @staticmethod
    def _sse(resp: httpx.Response) -> Iterator[dict[str, Any]]:
        for line in resp.iter_lines():
            if not line.startswith("data:"):
                continue
            data = line[5:].strip()
            if data == "[DONE]":
                return
            yield json.loads(data)

    def close(self) -> None:
        self._client.close()
