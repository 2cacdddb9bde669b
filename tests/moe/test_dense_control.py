"""bench/moe.py's dense control: the dense base stored as the MoE's `fast` layout stores its
FFN tensors, so a speed-up from storage alone is not credited to the mixture."""

from __future__ import annotations

from pathlib import Path

import numpy as np


def test_dense_control_has_the_moe_storage_and_nothing_else_changed(
        qwen05: Path, tmp_path: Path) -> None:
    import gguf
    import llama_cpp

    from bench.moe import dense_control

    out = dense_control(qwen05, tmp_path / "dense-fast.gguf", "fast")
    base = {t.name: t for t in gguf.GGUFReader(str(qwen05)).tensors}
    ctl = {t.name: t for t in gguf.GGUFReader(str(out)).tensors}
    assert set(ctl) == set(base)
    changed = 0
    for name, t in ctl.items():
        typ = gguf.GGMLQuantizationType(t.tensor_type).name
        was = gguf.GGMLQuantizationType(base[name].tensor_type).name
        if ".ffn_gate." in name or ".ffn_up." in name:
            assert typ == "Q4_0"  # Q5_0 in the base: not repacked for expert matmuls
            changed += was != typ
        else:
            assert typ == was  # ffn_down is Q4_K/Q6_K (repacked) and stays
            assert np.array_equal(np.asarray(t.data), np.asarray(base[name].data)), name
    assert changed == 48
    llm = llama_cpp.Llama(str(out), n_ctx=64, verbose=False, logits_all=False)
    try:
        llm.eval(llm.tokenize(b"remind me to water the plants"))
        assert np.isfinite(np.asarray(llm.scores[llm.n_tokens - 1])).all()
    finally:
        llm.close()
