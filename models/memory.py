"""Memory needed to run a GGUF model, estimated from its header alone.

peak RSS ≈ runtime + weights + repacked weights + KV cache + compute, where (bytes):

- weights: every tensor's size from its quantization type (mmapped; all pages get touched);
- repacked: on x86-64 with AVX2 and on aarch64, llama.cpp copies Q4_0/Q4_K/IQ4_NL matrices
  (not ``token_embd``) into an interleaved layout at load: the copy is extra resident memory;
- KV cache: n_ctx × Σ_layers n_head_kv × (head_dim_k + head_dim_v) × 2 (f16);
- compute (flash attention on, one logits row, as `LlamaBackend` runs): the live activations
  of one ubatch, n_ubatch × 4 × (12·n_embd + 2·n_ff_active), plus 32 × n_vocab;
- runtime: interpreter, libllama, numpy, pydantic, gguf (60 MiB) + tokenizer tables (370 × n_vocab).

The compute and runtime coefficients were fitted on SmolLM2-135M, Qwen2.5-Coder-0.5B and -1.5B
with llama-cpp-python 0.3.36 (`bench/memory.py` compares prediction and measurement).
"""

from __future__ import annotations

import os
import platform
from pathlib import Path

from pydantic import BaseModel

from models.errors import ModelTooLarge
from models.gguf_info import GGUFInfo

__all__ = ["MemoryEstimate", "available_memory", "check_fits", "cpu_repacks",
           "estimate_memory", "format_bytes"]

MiB = 1 << 20
RUNTIME_BASE = 60 * MiB
RUNTIME_PER_VOCAB = 370
COMPUTE_PER_VOCAB = 32
REPACK_TYPES = frozenset({"Q4_0", "Q4_K", "IQ4_NL"})


class MemoryEstimate(BaseModel):
    """Predicted peak resident memory (bytes) to run a model at ``n_ctx``."""

    n_ctx: int
    n_ubatch: int
    experts_used: int | None
    params_total: int
    params_active: int
    weights: int
    repacked: int
    kv_cache: int
    compute: int
    runtime: int

    @property
    def total(self) -> int:
        return self.weights + self.repacked + self.kv_cache + self.compute + self.runtime

    def lines(self) -> list[str]:
        return [
            f"weights     {format_bytes(self.weights)}",
            f"repacked    {format_bytes(self.repacked)}",
            f"KV cache    {format_bytes(self.kv_cache)}  (n_ctx {self.n_ctx}, f16)",
            f"compute     {format_bytes(self.compute)}  (n_ubatch {self.n_ubatch})",
            f"runtime     {format_bytes(self.runtime)}",
            f"total       {format_bytes(self.total)}",
        ]


def format_bytes(n: int) -> str:
    return f"{n / MiB:,.0f} MiB" if n < 10 * 1024 * MiB else f"{n / (1024 * MiB):,.1f} GiB"


def cpu_repacks() -> bool:
    """Whether this CPU makes llama.cpp repack Q4 weights (x86-64 with AVX2, or aarch64)."""
    machine = platform.machine().lower()
    if machine in ("aarch64", "arm64"):
        return True
    if machine not in ("x86_64", "amd64"):
        return False
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return False
    return " avx2" in text


def estimate_memory(info: GGUFInfo, n_ctx: int, *, n_ubatch: int = 512,
                    experts_used: int | None = None, repack: bool | None = None) -> MemoryEstimate:
    """Predict peak RSS for ``info`` at context ``n_ctx`` (see the module docstring)."""
    repack = cpu_repacks() if repack is None else repack
    repacked = sum(t.n_bytes for t in info.tensors
                   if repack and t.qtype in REPACK_TYPES and len(t.shape) >= 2
                   and not t.name.startswith("token_embd"))
    if info.is_moe:
        k = info.expert_used_count if experts_used is None else experts_used
        n_ff_active = (info.expert_ff or info.n_ff) * k
    else:
        n_ff_active = info.n_ff
    ubatch = min(n_ubatch, n_ctx)
    compute = ubatch * 4 * (12 * info.n_embd + 2 * n_ff_active) + COMPUTE_PER_VOCAB * info.n_vocab
    return MemoryEstimate(
        n_ctx=n_ctx, n_ubatch=ubatch, experts_used=experts_used if info.is_moe else None,
        params_total=info.params_total, params_active=info.params_active(experts_used),
        weights=info.weight_bytes, repacked=repacked,
        kv_cache=n_ctx * info.kv_bytes_per_token, compute=compute,
        runtime=RUNTIME_BASE + RUNTIME_PER_VOCAB * info.n_vocab)


def available_memory() -> int:
    """MemAvailable from /proc/meminfo (bytes); falls back to physical pages."""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")


def check_fits(estimate: MemoryEstimate, name: str, available: int | None = None) -> None:
    """Raise ModelTooLarge (with the numbers) if the estimate exceeds available memory."""
    avail = available_memory() if available is None else available
    if estimate.total > avail:
        raise ModelTooLarge(
            f"{name} needs about {format_bytes(estimate.total)} at n_ctx {estimate.n_ctx} "
            f"but only {format_bytes(avail)} is available "
            f"(weights {format_bytes(estimate.weights + estimate.repacked)}, "
            f"KV {format_bytes(estimate.kv_cache)}, compute {format_bytes(estimate.compute)}, "
            f"runtime {format_bytes(estimate.runtime)})",
            needed=estimate.total, available=avail,
            hint="use a smaller model or context (`lam models list`; [lam] context in "
                 "config), or free memory")
