"""The foundation: an MoE assembled from copies of the base FFN computes exactly what the
dense base computes (real llama.cpp, greedy decoding)."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.llama_backend import LlamaBackend
from models.moe import assemble, base_copy_expert, base_info, read_manifest

pytestmark = [pytest.mark.model]

PROMPTS = [
    "Write a haiku about the sea.",
    "remind me to call the plumber tomorrow at 9",
    "List three prime numbers and explain why they are prime.",
]


def _greedy(path: Path, prompts: list[str]) -> list[str]:
    backend = LlamaBackend(path, n_ctx=512, threads=1)
    try:
        return [backend.chat([{"role": "user", "content": p}], max_tokens=40,
                             temperature=0.0).text for p in prompts]
    finally:
        backend.close()


def test_copied_experts_reproduce_the_dense_model(smollm2: Path, tmp_path: Path) -> None:
    base = base_info(smollm2)
    experts = [base_copy_expert(base, f"copy{i}") for i in range(4)]
    report = assemble(smollm2, experts, tmp_path / "moe.gguf", experts_used=2)
    assert report.exact_copies == 3 * base.n_layer and report.requantized == 0
    backend = LlamaBackend(report.path, n_ctx=256, threads=1)
    assert backend.info.is_moe and backend.info.expert_count == 4
    assert backend.info.expert_used_count == 2
    backend.close()
    assert [e["name"] for e in read_manifest(report.path)] == [f"copy{i}" for i in range(4)]
    dense = _greedy(smollm2, PROMPTS)
    moe = _greedy(report.path, PROMPTS)
    print("\n".join(f"dense: {d!r}\nmoe:   {m!r}" for d, m in zip(dense, moe, strict=True)))
    assert all(dense), dense
    assert moe == dense
