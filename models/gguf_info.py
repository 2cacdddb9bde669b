"""What a GGUF file says about its model: architecture, shapes, quantization, MoE layout."""

from __future__ import annotations

import os
from collections import defaultdict
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from models._gguf import ArrayInfo, read_header

__all__ = ["GGUFInfo", "QuantSummary", "TensorInfo", "is_expert_tensor", "read_gguf"]


def is_expert_tensor(name: str) -> bool:
    """Routed-expert weights (``blk.N.ffn_{gate,up,down}_exps`` and their biases/scales).
    Shared experts (``_shexp``) and the router (``ffn_gate_inp``) run for every token."""
    return "_exps" in name


class TensorInfo(BaseModel):
    name: str
    shape: tuple[int, ...]
    qtype: str
    n_elements: int
    n_bytes: int
    expert: bool


class QuantSummary(BaseModel):
    qtype: str
    tensors: int
    params: int
    n_bytes: int

    @property
    def bytes_per_weight(self) -> float:
        return self.n_bytes / self.params if self.params else 0.0


class GGUFInfo(BaseModel):
    """Model facts read from a GGUF header (no tensor data is read)."""

    path: Path
    file_size: int
    arch: str
    name: str
    n_layer: int
    n_ctx_train: int
    n_embd: int
    n_ff: int
    n_head: int
    n_head_kv: list[int]
    head_dim_k: int
    head_dim_v: int
    n_vocab: int
    expert_count: int = 0
    expert_used_count: int = 0
    expert_ff: int = 0
    tensors: list[TensorInfo]

    @property
    def is_moe(self) -> bool:
        return self.expert_count > 1

    @property
    def params_total(self) -> int:
        return sum(t.n_elements for t in self.tensors)

    @property
    def params_expert(self) -> int:
        return sum(t.n_elements for t in self.tensors if t.expert)

    def params_active(self, experts_used: int | None = None) -> int:
        """Parameters that run for one token: everything but the routed experts, plus
        ``experts_used`` (default: the file's expert_used_count) of ``expert_count``."""
        if not self.is_moe:
            return self.params_total
        k = self.expert_used_count if experts_used is None else experts_used
        return self.params_total - self.params_expert + self.params_expert * k // self.expert_count

    @property
    def weight_bytes(self) -> int:
        return sum(t.n_bytes for t in self.tensors)

    @property
    def kv_bytes_per_token(self) -> int:
        """f16 K and V bytes one token adds to the KV cache, over all layers."""
        return sum(h * (self.head_dim_k + self.head_dim_v) * 2 for h in self.n_head_kv)

    def quant_summary(self) -> list[QuantSummary]:
        acc: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
        for t in self.tensors:
            row = acc[t.qtype]
            row[0] += 1
            row[1] += t.n_elements
            row[2] += t.n_bytes
        return sorted((QuantSummary(qtype=q, tensors=a, params=b, n_bytes=c)
                       for q, (a, b, c) in acc.items()), key=lambda s: -s.n_bytes)


def _int(kv: dict[str, Any], key: str, default: int = 0) -> int:
    value = kv.get(key, default)
    if isinstance(value, ArrayInfo):
        values = [v for v in (value.values or []) if v]
        return int(max(values)) if values else default
    return int(value)


def _per_layer(kv: dict[str, Any], key: str, n_layer: int, default: int) -> list[int]:
    value = kv.get(key, default)
    if isinstance(value, ArrayInfo) and value.values is not None:
        return [int(v) for v in value.values][:n_layer]
    return [int(value)] * n_layer


def read_gguf(path: str | os.PathLike[str]) -> GGUFInfo:
    """Read a GGUF header. Raises ModelCorrupt if it is not a readable GGUF file."""
    p = Path(path)
    kv, raw = read_header(p)
    arch = str(kv.get("general.architecture", "llama"))

    def key(k: str) -> str:
        return f"{arch}.{k}"

    n_layer = _int(kv, key("block_count"))
    n_embd = _int(kv, key("embedding_length"))
    n_head = _int(kv, key("attention.head_count"), 1)
    head_dim = n_embd // n_head if n_head else 0
    tokens = kv.get("tokenizer.ggml.tokens")
    n_vocab = tokens.length if isinstance(tokens, ArrayInfo) else _int(kv, key("vocab_size"))
    tensors = [TensorInfo(name=t.name, shape=t.shape, qtype=t.type_name,
                          n_elements=t.n_elements, n_bytes=t.n_bytes,
                          expert=is_expert_tensor(t.name)) for t in raw]
    return GGUFInfo(
        path=p, file_size=p.stat().st_size, arch=arch, name=str(kv.get("general.name", "")),
        n_layer=n_layer, n_ctx_train=_int(kv, key("context_length")), n_embd=n_embd,
        n_ff=_int(kv, key("feed_forward_length")), n_head=n_head,
        n_head_kv=_per_layer(kv, key("attention.head_count_kv"), n_layer, n_head),
        head_dim_k=_int(kv, key("attention.key_length"), head_dim),
        head_dim_v=_int(kv, key("attention.value_length"), head_dim),
        n_vocab=n_vocab,
        expert_count=_int(kv, key("expert_count")),
        expert_used_count=_int(kv, key("expert_used_count")),
        expert_ff=_int(kv, key("expert_feed_forward_length")),
        tensors=tensors)
