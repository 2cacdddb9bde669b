"""Fixtures for the model runtime tests. Real models come through the real pull path into a
shared cache: ``$LAM_MODELS_DIR`` or ``~/.cache/lam/test-models``."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from models.llama_backend import LlamaBackend
from models.store import ModelStore


def _cache_dir() -> Path:
    return Path(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models").expanduser()


@pytest.fixture(scope="session")
def model_path() -> Callable[[str], Path]:
    """``model_path(name)``: the verified GGUF, pulled into the shared cache if absent."""
    store = ModelStore(_cache_dir())

    def get(name: str) -> Path:
        return store.pull(name)

    return get


@pytest.fixture(scope="session")
def smol(model_path: Callable[[str], Path]) -> Iterator[LlamaBackend]:
    backend = LlamaBackend(model_path("smollm2-135m"), n_ctx=2048, threads=1)
    yield backend
    backend.close()


@pytest.fixture(scope="session")
def qwen(model_path: Callable[[str], Path]) -> Iterator[LlamaBackend]:
    backend = LlamaBackend(model_path("default"), n_ctx=4096, threads=0)
    yield backend
    backend.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve_llama(model: Path, log: Path, *args: str, start_timeout: float = 60,
                stop_timeout: float = 10) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on loopback serving ``model`` (extra server
    ``args``); yields its base URL once it answers, stops it afterwards."""
    port = _free_port()
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host",
             "127.0.0.1", "--port", str(port), *args], stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + start_timeout
        while True:
            try:
                if httpx.get(f"{url}/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not start:\n{log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def llama_server(model_path: Callable[[str], Path],
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's OpenAI-compatible server on loopback, serving SmolLM2."""
    with serve_llama(model_path("smollm2-135m"),
                     tmp_path_factory.mktemp("server") / "server.log",
                     "--n_ctx", "2048", "--n_threads", "1", "--n_threads_batch", "1") as url:
        yield url
