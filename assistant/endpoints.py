"""Planning models on another machine: ``[lam] endpoint`` (tier 1) and ``large_endpoint``
(tier 2) name an OpenAI-compatible server (llama.cpp's server, vLLM, Ollama). The endpoint is
checked before use; when it cannot serve, the error names the problem (connection refused,
timeout, 401, model missing) and lam plans on the local model if one is pulled."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel

from assistant.config import LamSettings

if TYPE_CHECKING:
    from assistant.runtime import Runtime
    from models.backend import Backend

__all__ = ["Endpoint", "EndpointCheck", "check_endpoint", "endpoint_backend", "endpoints"]


class Endpoint(BaseModel):
    """One configured endpoint and the model name it is asked for."""

    tier: int
    url: str
    model: str
    local_name: str
    """The ``model``/``large_model`` setting: the local fallback."""
    api_key_env: str = ""
    timeout: float = 120.0

    @property
    def setting(self) -> str:
        return "endpoint" if self.tier == 1 else "large_endpoint"

    def api_key(self) -> str | None:
        """The key from ``api_key_env``; `BackendError` when that variable is not set."""
        from models.errors import BackendError

        if not self.api_key_env:
            return None
        key = os.environ.get(self.api_key_env)
        if not key:
            raise BackendError(f"[lam] api_key_env names {self.api_key_env}, which is not set",
                               hint=f"export {self.api_key_env}=YOUR-KEY (or remove "
                                    "api_key_env)")
        return key


class EndpointCheck(BaseModel):
    """What `lam doctor` reports for one endpoint."""

    name: str
    level: Literal["ok", "warn", "fail"]
    detail: str
    fix: str = ""


def endpoints(settings: LamSettings) -> list[Endpoint]:
    """The configured endpoints, tier 1 first."""
    out = []
    for tier, url, model, name in (
            (1, settings.endpoint, settings.endpoint_model, settings.model),
            (2, settings.large_endpoint, settings.large_endpoint_model, settings.large_model)):
        if url:
            out.append(Endpoint(tier=tier, url=url, model=model or name, local_name=name,
                                api_key_env=settings.api_key_env,
                                timeout=settings.endpoint_timeout))
    return out


def _endpoint_for(settings: LamSettings, name: str) -> Endpoint | None:
    for ep in endpoints(settings):
        if ep.local_name == name:
            return ep
    return None


def _say(runtime: Runtime, text: str) -> None:
    runtime.notify(text)
    print(f"lam: {text}", file=sys.stderr)


def endpoint_backend(runtime: Runtime, name: str,
                     load_local: Callable[[], Backend]) -> Backend | None:
    """The backend for the model setting ``name`` when an endpoint serves it (None when no
    endpoint is configured for it). An endpoint that cannot serve falls back to the local
    model when it is pulled; otherwise its error (a `BackendError`) is raised."""
    from models.errors import BackendError, ModelError
    from models.loader import FallbackBackend, connect_endpoint

    ep = _endpoint_for(runtime.config.lam, name)
    if ep is None:
        return None

    def fallback() -> Backend | None:
        if not ep.local_name:
            return None
        try:
            return load_local()
        except ModelError:
            return None

    try:
        remote = connect_endpoint(ep.url, model=ep.model, api_key=ep.api_key(),
                                  timeout=ep.timeout)
    except BackendError as exc:
        local = fallback()
        if local is None:
            raise BackendError(
                f"tier {ep.tier} endpoint: {exc.message}; no local model to fall back to",
                hint=exc.hint or f"fix [lam] {ep.setting}") from exc
        _say(runtime, f"tier {ep.tier} endpoint: {exc.message}; planning on the local "
                      f"model {ep.local_name} instead")
        return local
    return FallbackBackend(remote, fallback,
                           lambda text: _say(runtime, f"tier {ep.tier} endpoint: {text}"))


def check_endpoint(runtime: Runtime, tier: int) -> EndpointCheck | None:
    """`lam doctor`: reach the tier's endpoint and check its key and model (None when the tier
    has no endpoint). A failing endpoint is a warning when the local model is pulled (lam falls
    back to it), else a failure."""
    from models.errors import BackendError
    from models.loader import connect_endpoint
    from models.store import ModelStore

    ep = next((e for e in endpoints(runtime.config.lam) if e.tier == tier), None)
    if ep is None:
        return None
    try:
        backend = connect_endpoint(ep.url, model=ep.model, api_key=ep.api_key(),
                                   timeout=ep.timeout)
    except BackendError as exc:
        try:
            ModelStore(runtime.paths.models_dir).resolve(ep.local_name)
            return EndpointCheck(name=ep.setting, level="warn",
                                 detail=f"{exc.message} (lam plans on the local model "
                                        f"{ep.local_name} meanwhile)",
                                 fix=exc.hint or f"fix [lam] {ep.setting}")
        except Exception:
            return EndpointCheck(name=ep.setting, level="fail", detail=exc.message,
                                 fix=exc.hint or f"fix [lam] {ep.setting}")
    backend.close()
    return EndpointCheck(name=ep.setting, level="ok", detail=f"{ep.url} serves {ep.model}")
