"""GGUF reading and MoE arithmetic on tiny files written here with GGUFWriter."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from gguf import GGUFReader

from models.errors import BackendError, ModelCorrupt, ModelTooLarge
from models.gguf_info import read_gguf
from models.llama_backend import LlamaBackend
from models.memory import check_fits, estimate_memory

from .tiny_gguf import N_EMBD, N_FF, N_HEAD, N_HEAD_KV, N_LAYER, N_VOCAB, write_tiny_gguf

E, K, FF_EXP = 8, 2, 8


@pytest.fixture
def moe_file(tmp_path: Path) -> Path:
    return write_tiny_gguf(tmp_path / "moe.gguf", experts=E, used=K, n_ff_exp=FF_EXP)


def test_fast_reader_agrees_with_gguf_reader(moe_file: Path) -> None:
    ours = read_gguf(moe_file)
    ref = GGUFReader(str(moe_file))
    assert [(t.name, t.n_elements, t.n_bytes, t.qtype) for t in ours.tensors] == [
        (t.name, int(t.n_elements), int(t.n_bytes), t.tensor_type.name) for t in ref.tensors]
    assert ours.arch == ref.fields["general.architecture"].contents() == "llama"
    assert ours.expert_count == ref.fields["llama.expert_count"].contents() == E


def test_moe_params_total_and_active(moe_file: Path) -> None:
    info = read_gguf(moe_file)
    assert info.is_moe and (info.expert_count, info.expert_used_count) == (E, K)
    assert info.expert_ff == FF_EXP and info.n_vocab == N_VOCAB
    per_expert_layer = 3 * E * FF_EXP * N_EMBD
    assert info.params_expert == N_LAYER * per_expert_layer
    assert sorted({t.name.split(".")[2] for t in info.tensors if t.expert}) == [
        "ffn_down_exps", "ffn_gate_exps", "ffn_up_exps"]
    kv_dim = N_EMBD // N_HEAD * N_HEAD_KV
    dense = (2 * N_VOCAB * N_EMBD + N_EMBD
             + N_LAYER * (2 * N_EMBD + 2 * N_EMBD * N_EMBD + 2 * kv_dim * N_EMBD
                          + E * N_EMBD))  # router runs for every token
    assert info.params_total == dense + info.params_expert
    assert info.params_active() == dense + N_LAYER * 3 * K * FF_EXP * N_EMBD
    assert info.params_active(1) == dense + N_LAYER * 3 * 1 * FF_EXP * N_EMBD
    assert info.params_active(E) == info.params_total


def test_bytes_per_weight_by_quant_type(moe_file: Path) -> None:
    info = read_gguf(moe_file)
    by_type = {q.qtype: q for q in info.quant_summary()}
    assert by_type["F32"].bytes_per_weight == 4.0 and by_type["F16"].bytes_per_weight == 2.0
    assert by_type["F16"].params == N_VOCAB * N_EMBD
    assert info.weight_bytes == sum(q.n_bytes for q in by_type.values())


def test_memory_estimate_terms(moe_file: Path) -> None:
    info = read_gguf(moe_file)
    est = estimate_memory(info, 1024, n_ubatch=64, repack=False)
    head_dim = N_EMBD // N_HEAD
    assert est.kv_cache == N_LAYER * 1024 * (N_HEAD_KV * head_dim) * 2 * 2
    assert est.weights == info.weight_bytes and est.repacked == 0
    assert est.compute == 64 * 4 * (12 * N_EMBD + 2 * FF_EXP * K) + 32 * N_VOCAB
    fewer = estimate_memory(info, 1024, n_ubatch=64, experts_used=1, repack=False)
    assert fewer.compute < est.compute and fewer.params_active < est.params_active
    assert estimate_memory(info, 2048, repack=False).kv_cache == 2 * est.kv_cache
    dense = read_gguf(write_tiny_gguf(moe_file.with_name("dense.gguf")))
    assert not dense.is_moe and dense.params_active(1) == dense.params_total
    assert estimate_memory(dense, 1024, n_ubatch=64).compute == (
        64 * 4 * (12 * N_EMBD + 2 * N_FF) + 32 * N_VOCAB)


def test_too_large_is_refused_with_numbers(moe_file: Path) -> None:
    est = estimate_memory(read_gguf(moe_file), 1024)
    with pytest.raises(ModelTooLarge) as err:
        check_fits(est, "tiny", available=est.total - 1)
    assert err.value.needed == est.total and "available" in str(err.value)
    assert err.value.hint
    check_fits(est, "tiny", available=est.total)


def test_experts_per_token_reaches_llama_cpp_as_kv_override(
        moe_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import llama_cpp

    seen: dict[str, Any] = {}

    class Recorder:
        def __init__(self, **kwargs: Any) -> None:
            seen.update(kwargs)

    monkeypatch.setattr(llama_cpp, "Llama", Recorder)
    backend = LlamaBackend(moe_file, n_ctx=256, threads=1, experts_per_token=1)
    assert seen["kv_overrides"] == {"llama.expert_used_count": 1}
    assert backend.estimate.params_active == read_gguf(moe_file).params_active(1)
    with pytest.raises(BackendError, match=r"1\.\.8"):
        LlamaBackend(moe_file, n_ctx=256, threads=1, experts_per_token=9)
    dense = write_tiny_gguf(moe_file.with_name("dense.gguf"))
    with pytest.raises(BackendError, match="not a mixture-of-experts"):
        LlamaBackend(dense, n_ctx=256, threads=1, experts_per_token=2)


def test_truncated_file_is_corrupt(moe_file: Path) -> None:
    data = moe_file.read_bytes()
    moe_file.write_bytes(data[:200])
    with pytest.raises(ModelCorrupt):
        read_gguf(moe_file)
