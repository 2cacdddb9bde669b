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

__all__ = ["HttpBackend", "explain_status", "explain_transport"]

_LLAMA_CPP_OWNERS = {"me", "llamacpp"}
"""``owned_by`` of the models llama-cpp-python's server and llama.cpp's llama-server list."""


def explain_transport(url: str, exc: httpx.HTTPError, timeout: float) -> BackendError:
    """A `BackendError` naming what went wrong reaching ``url``."""
    if isinstance(exc, httpx.TimeoutException):
        return BackendError(f"cannot reach {url}: timed out after {timeout:g} s",
                            hint="the server is busy or the model is slow: raise [lam] "
                                 "endpoint_timeout, or check the server")
    if isinstance(exc, httpx.ConnectError):
        return BackendError(f"cannot reach {url}: connection refused (no server listening "
                            "there)",
                            hint="start the server (e.g. python -m llama_cpp.server --model "
                                 "FILE.gguf) or fix [lam] endpoint")
    return BackendError(f"cannot reach {url}: {type(exc).__name__}: {exc}",
                        hint="check the server and [lam] endpoint")


def explain_status(url: str, status: int, body: str, model: str) -> BackendError:
    """A `BackendError` for an HTTP error answer: 401/403 (key), 404 (model or path)."""
    text = " ".join(body.split())[:300]
    if status in (401, 403):
        return BackendError(f"{url} answered {status} (unauthorized): {text or 'no details'}",
                            hint="set [lam] api_key_env to the name of an environment "
                                 "variable holding the server's API key, and export it")
    if status == 404 and "model" in text.lower():
        return BackendError(f"{url}: model {model!r} missing on the server ({text})",
                            hint="set [lam] endpoint_model to a model the server has "
                                 "(GET /v1/models lists them) or load it there")
    if status == 404:
        return BackendError(f"{url} answered 404 (not found)",
                            hint="[lam] endpoint should end in /v1, e.g. "
                                 "http://127.0.0.1:8080/v1")
    return BackendError(f"{url} answered {status}: {text or 'no details'}",
                        hint="check the server log and the model name")


class _NoLogprobs(Exception):
    """The server refused a request because it cannot report log-probabilities."""


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
        self.timeout = timeout
        self._logprobs_answered = False
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers)

    def models(self, timeout: float = 10.0) -> list[str] | None:
        """The model ids the server lists (``GET /models``); None when it lists none. Raises
        `BackendError` for a refused connection, a timeout, or 401/403."""
        url = f"{self.base_url}/models"
        try:
            resp = self._client.get(url, timeout=timeout)
        except httpx.HTTPError as exc:
            raise explain_transport(url, exc, timeout) from exc
        if resp.status_code in (401, 403) or resp.status_code >= 500:
            raise explain_status(url, resp.status_code, resp.text, self.name)
        if resp.status_code >= 400:
            return None
        try:
            data = [item for item in resp.json().get("data") or []
                    if isinstance(item, dict) and "id" in item]
        except (ValueError, AttributeError):
            return None
        if any(item.get("owned_by") in _LLAMA_CPP_OWNERS for item in data):
            self.use_llama_cpp_style()
        return [str(item["id"]) for item in data]

    def use_llama_cpp_style(self) -> None:
        """Talk to a llama.cpp server (llama-cpp-python's or llama-server): the schema goes in
        ``{"type": "json_object", "schema": ...}``, which it compiles to a grammar, and
        ``repeat_penalty`` is 1.0 as in lam's local backend (the server's default is 1.1)."""
        self.schema_style = "json_object"
        self.extra_body.setdefault("repeat_penalty", 1.0)

    def check(self, timeout: float = 10.0) -> str:
        """Reach the server and check it serves ``model``; a one-line summary, or
        `BackendError` saying what is wrong."""
        ids = self.models(timeout)
        if ids is None:
            return f"{self.base_url} answers (it does not list its models)"
        if ids and self.name not in ids:
            raise BackendError(
                f"{self.base_url}: model {self.name!r} missing on the server (it serves: "
                f"{', '.join(ids[:8])})",
                hint="set [lam] endpoint_model to one of those, or load the model there")
        return f"{self.base_url} serves {self.name}"

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
            # keys sorted, as the local backend builds its grammar: the same property order
            schema = json.loads(json.dumps(options.json_schema, sort_keys=True))
            body["response_format"] = (
                {"type": "json_object", "schema": schema}
                if self.schema_style == "json_object" else
                {"type": "json_schema",
                 "json_schema": {"name": "output", "schema": schema, "strict": True}})
        return body

    def _generate(self, messages: list[ChatMessage], options: GenerateOptions,
                  streaming: bool = True) -> Iterator[str | Completion]:
        items: list[str | Completion] | None = None
        if self.logprobs and not self._logprobs_answered:
            # the first request is collected, so that it can be retried without logprobs
            try:
                items = list(self._request(messages, options, streaming))
                self._logprobs_answered = True
            except _NoLogprobs:
                self.logprobs = False  # e.g. llama-cpp-python's server without logits_all
        if items is None:
            yield from self._request(messages, options, streaming)
        else:
            yield from items

    def _request(self, messages: list[ChatMessage], options: GenerateOptions,
                 streaming: bool) -> Iterator[str | Completion]:
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
                    if self.logprobs and "logprobs" in resp.text:
                        raise _NoLogprobs(resp.text)
                    raise explain_status(url, resp.status_code, resp.text, self.name)
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
            raise explain_transport(url, exc, self.timeout) from exc
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
