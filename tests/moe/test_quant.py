"""Expert tensor storage: the layout rules and ggml's own quantizers (through ctypes)."""

from __future__ import annotations

import numpy as np
import pytest

from models.errors import ModelError
from models.moe.quant import GgmlQuantizer, expert_tensor_type


def test_exact_layout_copies_untouched_tensors_and_stores_deltas_as_q8_0() -> None:
    assert expert_tensor_type(None, "Q5_0", has_delta=False) == "Q5_0"
    assert expert_tensor_type("exact", "Q5_0", has_delta=True) == "Q8_0"
    assert expert_tensor_type("exact", "F16", has_delta=True) == "F16"


def test_fast_layout_keeps_repacked_types_and_turns_the_others_into_q4_0() -> None:
    for kept in ("Q4_0", "IQ4_NL", "Q4_K", "Q6_K", "F16"):
        assert expert_tensor_type("fast", kept, has_delta=True) == kept
    for other in ("Q5_0", "Q4_1", "Q8_0"):
        assert expert_tensor_type("fast", other, has_delta=False) == "Q4_0"


def test_a_type_name_applies_to_every_tensor_and_a_bad_one_says_what_to_use() -> None:
    assert expert_tensor_type("q8_0", "Q4_K", has_delta=False) == "Q8_0"
    with pytest.raises(ModelError) as err:
        expert_tensor_type("Q9_9", "Q5_0", has_delta=False)
    assert "exact or fast" in (err.value.hint or "")


@pytest.mark.parametrize("qtype", ["Q8_0", "Q4_0"])
def test_ggml_quantizer_writes_the_bytes_gguf_py_writes(qtype: str) -> None:
    import gguf
    from gguf import GGMLQuantizationType as Q

    x = np.random.default_rng(1).normal(size=(6, 256)).astype(np.float32)
    ours = GgmlQuantizer().quantize(x, qtype)
    assert np.array_equal(ours, gguf.quants.quantize(x, Q[qtype]))


@pytest.mark.parametrize("qtype,bound", [("Q4_K", 0.12), ("Q6_K", 0.03), ("IQ4_NL", 0.12)])
def test_ggml_quantizer_writes_types_gguf_py_cannot(qtype: str, bound: float) -> None:
    import gguf
    from gguf import GGMLQuantizationType as Q

    x = np.random.default_rng(2).normal(size=(4, 512)).astype(np.float32)
    with pytest.raises(NotImplementedError):
        gguf.quants.quantize(x, Q[qtype])
    q = GgmlQuantizer().quantize(x, qtype)
    back = gguf.quants.dequantize(q, Q[qtype])
    err = float(np.abs(back - x).mean())
    print(f"{qtype}: mean abs error {err:.4f}")
    assert back.shape == x.shape and err < bound


def test_rows_that_do_not_fill_whole_blocks_are_refused() -> None:
    x = np.zeros((2, 896), dtype=np.float32)  # Qwen2.5-0.5B's n_embd: not a multiple of 256
    with pytest.raises(ModelError, match="Q4_K"):
        GgmlQuantizer().quantize(x, "Q4_K")
