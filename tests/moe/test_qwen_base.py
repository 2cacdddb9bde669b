"""A qwen2 base (lam's default Qwen2.5 model) is assembled as a llama-architecture MoE: the
rows of attn_q/attn_k are permuted from NEOX to llama rotary pairing. The permutation is
checked exactly in numpy; the assembled model is checked against the dense one in llama.cpp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.moe import assemble, base_copy_expert, base_info
from models.moe.assemble import neox_to_llama_rows


def _rope_neox(x: np.ndarray, pos: int, base: float = 10000.0) -> np.ndarray:
    d = x.shape[-1]
    half = d // 2
    theta = pos * base ** (-2 * np.arange(half) / d)
    a, b = x[:half], x[half:]
    return np.concatenate([a * np.cos(theta) - b * np.sin(theta),
                           a * np.sin(theta) + b * np.cos(theta)])


def _rope_llama(x: np.ndarray, pos: int, base: float = 10000.0) -> np.ndarray:
    d = x.shape[-1]
    theta = pos * base ** (-2 * np.arange(d // 2) / d)
    a, b = x[0::2], x[1::2]
    out = np.empty_like(x)
    out[0::2] = a * np.cos(theta) - b * np.sin(theta)
    out[1::2] = a * np.sin(theta) + b * np.cos(theta)
    return out


def test_permuted_rows_give_the_same_attention_scores() -> None:
    rng = np.random.default_rng(0)
    heads, head_dim, n_embd = 3, 8, 12
    wq, wk = rng.normal(size=(heads * head_dim, n_embd)), rng.normal(size=(heads * head_dim,
                                                                          n_embd))
    rows = neox_to_llama_rows(heads, head_dim)
    assert sorted(rows.tolist()) == list(range(heads * head_dim))
    x1, x2 = rng.normal(size=n_embd), rng.normal(size=n_embd)
    for h in range(heads):
        s = slice(h * head_dim, (h + 1) * head_dim)
        neox = _rope_neox((wq @ x1)[s], 5) @ _rope_neox((wk @ x2)[s], 2)
        llama = _rope_llama((wq[rows] @ x1)[s], 5) @ _rope_llama((wk[rows] @ x2)[s], 2)
        assert np.isclose(neox, llama)
    # without the permutation the scores differ: the test can fail
    s = slice(0, head_dim)
    assert not np.isclose(_rope_neox((wq @ x1)[s], 5) @ _rope_neox((wk @ x2)[s], 2),
                          _rope_llama((wq @ x1)[s], 5) @ _rope_llama((wk @ x2)[s], 2))


TEXT = (b"def fizzbuzz(n):\n    for i in range(1, n + 1):\n        if i % 15 == 0:\n"
        b"            print('FizzBuzz')\n")


def _agreement(dense: Path, moe: Path) -> float:
    """Share of positions of TEXT where both models' top-1 next token agree."""
    import llama_cpp

    def top_tokens(path: Path) -> np.ndarray:
        llm = llama_cpp.Llama(model_path=str(path), n_ctx=256, n_threads=2, logits_all=True,
                              verbose=False)
        try:
            tokens = llm.tokenize(TEXT)
            llm.eval(tokens)
            return np.asarray(llm.scores[:len(tokens)]).argmax(axis=1)
        finally:
            llm.close()

    return float((top_tokens(dense) == top_tokens(moe)).mean())


@pytest.mark.model
def test_a_qwen2_moe_of_copies_predicts_what_the_dense_model_predicts(qwen05: Path,
                                                                      tmp_path: Path) -> None:
    base = base_info(qwen05)
    assert base.arch == "qwen2"
    report = assemble(qwen05, [base_copy_expert(base, f"c{i}") for i in range(2)],
                      tmp_path / "moe.gguf", experts_used=1)
    agreement = _agreement(qwen05, report.path)
    print(f"top-1 agreement: {agreement:.1%}")
    assert agreement >= 0.95


@pytest.mark.model
def test_a_fast_moe_of_copies_stores_repackable_types_and_still_predicts_like_dense(
        qwen05: Path, tmp_path: Path) -> None:
    """``expert_qtype="fast"``: the Q5_0 gate/up tensors become Q4_0, the K-quant down tensors
    are copied verbatim; 4 bits instead of 5 keep the predictions close to the dense model's."""
    from gguf import GGUFReader

    base = base_info(qwen05)
    report = assemble(qwen05, [base_copy_expert(base, f"c{i}") for i in range(2)],
                      tmp_path / "moe-fast.gguf", experts_used=1, expert_qtype="fast")
    types = {t.name: t.tensor_type.name for t in GGUFReader(str(report.path)).tensors}
    dense_types = {t.name: t.tensor_type.name for t in GGUFReader(str(qwen05)).tensors}
    for layer in range(base.n_layer):
        assert types[f"blk.{layer}.ffn_gate_exps.weight"] == "Q4_0"
        assert types[f"blk.{layer}.ffn_up_exps.weight"] == "Q4_0"
        down = dense_types[f"blk.{layer}.ffn_down.weight"]
        assert types[f"blk.{layer}.ffn_down_exps.weight"] == down
    assert report.exact_copies == base.n_layer and report.requantized == 2 * base.n_layer
    agreement = _agreement(qwen05, report.path)
    print(f"fast layout: top-1 agreement with the dense model {agreement:.1%}")
    assert agreement >= 0.85
