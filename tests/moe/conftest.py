"""Fixtures for MoE tests: the SmolLM2-135M base from the shared test-model cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The dense SmolLM2-135M GGUF (verified by the store; pulled if missing)."""
    from models.errors import ModelNotFound
    from models.store import ModelStore

    root = Path(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models").expanduser()
    store = ModelStore(root)
    try:
        return store.resolve("smollm2-135m")
    except ModelNotFound:
        store.pull("smollm2-135m")
        return store.resolve("smollm2-135m")


@pytest.fixture(scope="session")
def qwen05() -> Path:
    """The dense Qwen2.5-Coder-0.5B GGUF (lam's default model; a qwen2-architecture base)."""
    from models.errors import ModelNotFound
    from models.store import ModelStore

    root = Path(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models").expanduser()
    store = ModelStore(root)
    try:
        return store.resolve("qwen2.5-coder-0.5b")
    except ModelNotFound:
        store.pull("qwen2.5-coder-0.5b")
        return store.resolve("qwen2.5-coder-0.5b")
