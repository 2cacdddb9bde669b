"""Writing tiny GGUF files with the `gguf` package for tests (random tensors)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from gguf import GGUFWriter

N_EMBD, N_FF, N_LAYER, N_HEAD, N_HEAD_KV, N_VOCAB = 16, 32, 2, 4, 2, 64


def write_tiny_gguf(path: Path, *, experts: int = 0, used: int = 0, n_ff_exp: int = 8) -> Path:
    """A llama-arch GGUF; with ``experts`` it has Mixtral-layout expert tensors."""
    rng = np.random.default_rng(0)
    w = GGUFWriter(str(path), "llama")
    w.add_block_count(N_LAYER)
    w.add_context_length(256)
    w.add_embedding_length(N_EMBD)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_token_list([f"t{i}".encode() for i in range(N_VOCAB)])
    if experts:
        w.add_expert_count(experts)
        w.add_expert_used_count(used)
        w.add_expert_feed_forward_length(n_ff_exp)

    def t(name: str, *shape: int, dtype: type = np.float32) -> None:
        w.add_tensor(name, rng.standard_normal(shape).astype(dtype))

    t("token_embd.weight", N_VOCAB, N_EMBD)
    t("output_norm.weight", N_EMBD)
    t("output.weight", N_VOCAB, N_EMBD, dtype=np.float16)
    kv_dim = N_EMBD // N_HEAD * N_HEAD_KV
    for i in range(N_LAYER):
        t(f"blk.{i}.attn_norm.weight", N_EMBD)
        t(f"blk.{i}.attn_q.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.attn_k.weight", kv_dim, N_EMBD)
        t(f"blk.{i}.attn_v.weight", kv_dim, N_EMBD)
        t(f"blk.{i}.attn_output.weight", N_EMBD, N_EMBD)
        t(f"blk.{i}.ffn_norm.weight", N_EMBD)
        if experts:
            t(f"blk.{i}.ffn_gate_inp.weight", experts, N_EMBD)
            t(f"blk.{i}.ffn_gate_exps.weight", experts, n_ff_exp, N_EMBD)
            t(f"blk.{i}.ffn_up_exps.weight", experts, n_ff_exp, N_EMBD)
            t(f"blk.{i}.ffn_down_exps.weight", experts, N_EMBD, n_ff_exp)
        else:
            t(f"blk.{i}.ffn_gate.weight", N_FF, N_EMBD)
            t(f"blk.{i}.ffn_up.weight", N_FF, N_EMBD)
            t(f"blk.{i}.ffn_down.weight", N_EMBD, N_FF)
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    return path
