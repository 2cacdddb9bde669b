"""``[lam] endpoint``: errors that name the problem (connection refused, timeout, 401, model
missing), the fallback to a pulled local model, and `lam doctor`'s check — against real HTTP
servers on loopback (a scripted one for the failures, llama_cpp.server for the real thing)."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from assistant.models_glue import ModelLoader
from assistant.runtime import Runtime, RuntimeOptions
from models.errors import BackendError
from models.http_backend import HttpBackend
from models.llama_backend import LlamaBackend
from models.loader import FallbackBackend, connect_endpoint
from tests.e2e.conftest import installed_lam


class Scripted:
    """An HTTP server on loopback answering every request with one scripted reply."""

    def __init__(self, status: int = 200, body: object = None, delay: float = 0.0) -> None:
        self.status, self.body, self.delay = status, body, delay
        self.paths: list[str] = []
        script = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self) -> None:
                script.paths.append(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                time.sleep(script.delay)
                data = json.dumps(script.body).encode()
                self.send_response(script.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = _answer

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def scripted() -> Iterator[Callable[..., Scripted]]:
    made: list[Scripted] = []

    def make(**kwargs: object) -> Scripted:
        made.append(Scripted(**kwargs))  # type: ignore[arg-type]
        return made[-1]

    yield make
    for s in made:
        s.close()


def refused_url() -> str:
    from tests.mcp.conftest import free_port

    return f"http://127.0.0.1:{free_port()}/v1"


def test_connection_refused_is_named() -> None:
    with pytest.raises(BackendError) as err:
        connect_endpoint(refused_url(), model="m")
    assert "connection refused" in err.value.message
    assert "llama_cpp.server" in (err.value.hint or "")


def test_timeout_is_named(scripted: Callable[..., Scripted]) -> None:
    slow = scripted(body={"data": []}, delay=3)
    with pytest.raises(BackendError) as err:
        connect_endpoint(slow.url, model="m", timeout=1)
    assert "timed out after 1 s" in err.value.message
    assert "endpoint_timeout" in (err.value.hint or "")


def test_401_is_named(scripted: Callable[..., Scripted]) -> None:
    locked = scripted(status=401, body={"error": "invalid api key"})
    with pytest.raises(BackendError) as err:
        connect_endpoint(locked.url, model="m", api_key="wrong")
    assert "401" in err.value.message and "invalid api key" in err.value.message
    assert "api_key_env" in (err.value.hint or "")


def test_missing_model_is_named(scripted: Callable[..., Scripted]) -> None:
    other = scripted(body={"data": [{"id": "llama3", "owned_by": "library"}]})
    with pytest.raises(BackendError) as err:
        connect_endpoint(other.url, model="qwen2.5-coder-0.5b")
    assert "model 'qwen2.5-coder-0.5b' missing" in err.value.message
    assert "llama3" in err.value.message and "endpoint_model" in (err.value.hint or "")


def test_404_on_chat_names_the_model(scripted: Callable[..., Scripted]) -> None:
    server = scripted(status=404, body={"error": "model 'x' not found, try pulling it first"})
    backend = HttpBackend(server.url, model="x", logprobs=False)
    with pytest.raises(BackendError) as err:
        backend.chat([{"role": "user", "content": "hi"}])
    assert "model 'x' missing" in err.value.message


def _home(tmp_path: Path, lam: str) -> Path:
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "plugins.toml").write_text(f"[lam]\n{lam}\nlarge_model = \"\"\n")
    return home


@pytest.mark.model
def test_no_endpoint_loads_the_local_model(tmp_path: Path, model_path: Callable[[str], Path],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MODELS_DIR", str(model_path("default").parent))
    runtime = Runtime(RuntimeOptions(home=str(_home(tmp_path, ""))))
    loader = ModelLoader(runtime, runtime.config.lam.model)
    try:
        assert isinstance(loader().backend, LlamaBackend)
    finally:
        runtime.close()


@pytest.mark.model
def test_moe_names_the_assembled_planner_when_the_models_folder_has_none(
        tmp_path: Path, model_path: Callable[[str], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """`--model moe` (bench/bfcl.py, lam's config) loads what `lam models prepare` assembled
    in the data folder when the models folder holds no moe.gguf of its own."""
    monkeypatch.setenv("LAM_MODELS_DIR", str(tmp_path / "models"))
    runtime = Runtime(RuntimeOptions(home=str(_home(tmp_path, ""))))
    assembled = runtime.paths.data_dir / "moe" / "moe.gguf"
    assembled.parent.mkdir(parents=True)
    assembled.symlink_to(model_path("smollm2-135m"))
    try:
        backend = ModelLoader(runtime, "moe", local=True)().backend
        assert isinstance(backend, LlamaBackend) and backend.path == assembled
    finally:
        runtime.close()


@pytest.mark.model
def test_refused_endpoint_falls_back_to_the_pulled_local_model(
        tmp_path: Path, model_path: Callable[[str], Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MODELS_DIR", str(model_path("default").parent))
    runtime = Runtime(RuntimeOptions(home=str(_home(tmp_path,
                                                    f'endpoint = "{refused_url()}"'))))
    try:
        planner = ModelLoader(runtime, runtime.config.lam.model)()
        assert isinstance(planner.backend, LlamaBackend)
        assert any("connection refused" in n and "local model qwen2.5-coder-0.5b" in n
                   for n in runtime.notifications), runtime.notifications
    finally:
        runtime.close()


def test_refused_endpoint_without_a_local_model_says_both(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    monkeypatch.setenv("LAM_MODELS_DIR", str(tmp_path / "empty-models"))
    runtime = Runtime(RuntimeOptions(home=str(_home(tmp_path,
                                                    f'endpoint = "{refused_url()}"'))))
    try:
        with pytest.raises(BackendError) as err:
            ModelLoader(runtime, runtime.config.lam.model)()
        assert "tier 1 endpoint" in err.value.message
        assert "connection refused" in err.value.message
        assert "no local model to fall back to" in err.value.message
    finally:
        runtime.close()


def test_unset_api_key_env_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                    scripted: Callable[..., Scripted]) -> None:
    monkeypatch.setenv("LAM_MODELS_DIR", str(tmp_path / "empty-models"))
    monkeypatch.delenv("LAM_TEST_KEY", raising=False)
    server = scripted(body={"data": []})
    runtime = Runtime(RuntimeOptions(home=str(_home(
        tmp_path, f'endpoint = "{server.url}"\napi_key_env = "LAM_TEST_KEY"'))))
    try:
        with pytest.raises(BackendError) as err:
            ModelLoader(runtime, runtime.config.lam.model)()
        assert "LAM_TEST_KEY, which is not set" in err.value.message
    finally:
        runtime.close()


def test_a_failure_mid_session_hands_over_to_the_local_backend(
        scripted: Callable[..., Scripted]) -> None:
    from models.fake import FakeBackend

    server = scripted(status=503, body={"error": "loading model"})
    notes: list[str] = []
    local = FakeBackend(["local answer"])
    backend = FallbackBackend(HttpBackend(server.url, model="m", logprobs=False),
                              lambda: local, notes.append)
    assert backend.chat([{"role": "user", "content": "hi"}]).text == "local answer"
    assert notes and "503" in notes[0] and "planning on the local model" in notes[0]


def test_invalid_endpoint_setting_is_a_config_error(tmp_path: Path) -> None:
    home = _home(tmp_path, 'endpoint = "127.0.0.1:8080"')
    proc = subprocess.run([installed_lam(), "doctor"], capture_output=True, text=True,
                          env={**os.environ, "LAM_HOME": str(home)}, timeout=120)
    text = proc.stdout + proc.stderr
    assert "endpoint" in text and "http://" in text, text


def test_doctor_checks_the_endpoint(tmp_path: Path, scripted: Callable[..., Scripted],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    server = scripted(body={"data": [{"id": "served-model", "owned_by": "me"}]})
    env = {**os.environ, "LAM_MODELS_DIR": str(tmp_path / "empty-models")}
    home = _home(tmp_path, f'endpoint = "{server.url}"\nendpoint_model = "served-model"')
    proc = subprocess.run([installed_lam(), "--home", str(home), "doctor"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert f"[ok  ] model endpoint     {server.url} serves served-model" in proc.stdout, \
        proc.stdout + proc.stderr
    (home / "config" / "plugins.toml").write_text(
        f'[lam]\nendpoint = "{refused_url()}"\nlarge_model = ""\n')
    proc = subprocess.run([installed_lam(), "--home", str(home), "doctor"], capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert "[FAIL] model endpoint" in proc.stdout and "connection refused" in proc.stdout, \
        proc.stdout
