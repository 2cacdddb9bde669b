"""Fixtures for MoE tests: the dense bases (SmolLM2-135M, Qwen2.5-Coder-0.5B) from the shared
test-model cache."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def _pulled(name: str) -> Path:
    """A catalog model from the shared test-model cache (verified by the store; pulled if
    missing)."""
    from models.errors import ModelNotFound
    from models.store import ModelStore

    root = Path(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models").expanduser()
    store = ModelStore(root)
    try:
        return store.resolve(name)
    except ModelNotFound:
        store.pull(name)
        return store.resolve(name)


@pytest.fixture(scope="session")
def smollm2() -> Path:
    """The dense SmolLM2-135M GGUF."""
    return _pulled("smollm2-135m")


@pytest.fixture(scope="session")
def qwen05() -> Path:
    """The dense Qwen2.5-Coder-0.5B GGUF (lam's default model; a qwen2-architecture base)."""
    return _pulled("qwen2.5-coder-0.5b")
