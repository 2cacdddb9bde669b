"""How an assembled MoE stores its experts' FFN tensors, and ggml's own quantizers to do it.

Two layouts (``assemble(expert_qtype=...)``), or one GGML type name for every FFN tensor:

- ``exact``: a tensor no expert changes is the base's bytes copied verbatim (an MoE of copies
  computes what the dense model computes); a tensor with deltas is re-quantized to Q8_0 (a
  float base type stays float).
- ``fast``: each FFN tensor gets a type llama.cpp's CPU backend repacks for expert matmuls
  (``mul_mat_id``): the base's type when it already is one (Q4_0, IQ4_NL, Q4_K, Q5_K, Q6_K,
  Q2_K, MXFP4; float types also stay), otherwise Q4_0. Copies of a repackable tensor stay
  verbatim. Fewer bits for the Q5_0 gate/up tensors of lam's default base, measured faster and
  at least as accurate on the golden test split (docs/moe.md).

Quantizing uses ``ggml_quantize_chunk`` from the libggml-base that llama-cpp-python ships, so
every type llama.cpp can load can be written (gguf-py implements only a few), bit for bit as
llama.cpp's own quantizer writes it.
"""

from __future__ import annotations

import ctypes
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import ModelError

__all__ = ["EXPERT_LAYOUTS", "REPACKED_FOR_EXPERTS", "GgmlQuantizer", "check_expert_qtype",
           "expert_tensor_type"]

EXPERT_LAYOUTS = ("exact", "fast")
# quantized types ggml-cpu has repacked kernels for (its repack.cpp; llama-cpp-python 0.3.36).
# Measured on expert tensors here: Q4_0 and IQ4_NL (gate/up/down), Q4_K and Q6_K (down).
REPACKED_FOR_EXPERTS = ("Q4_0", "IQ4_NL", "Q4_K", "Q5_K", "Q6_K", "Q2_K", "MXFP4")
_FLOAT = ("F32", "F16", "BF16")


def check_expert_qtype(expert_qtype: str | None) -> str:
    """``exact`` (also for None), ``fast`` or a GGML type name in upper case; ModelError for
    anything else."""
    from gguf import GGMLQuantizationType as Q

    choice = (expert_qtype or "exact").strip()
    if choice.lower() in EXPERT_LAYOUTS:
        return choice.lower()
    try:
        return Q[choice.upper()].name
    except KeyError:
        raise ModelError(f"unknown expert tensor type {choice!r}",
                         hint=f"use {' or '.join(EXPERT_LAYOUTS)}, or a GGML type such as "
                              "Q8_0, Q4_0, Q4_K") from None


def expert_tensor_type(expert_qtype: str | None, base_type: str, has_delta: bool) -> str:
    """The GGML type name an expert FFN tensor is stored as. ``expert_qtype``: None or
    ``exact``, ``fast``, or a type name (e.g. ``Q8_0``) for every FFN tensor."""
    choice = check_expert_qtype(expert_qtype)
    if choice == "exact":
        return base_type if not has_delta or base_type in _FLOAT else "Q8_0"
    if choice == "fast":
        return base_type if base_type in REPACKED_FOR_EXPERTS + _FLOAT else "Q4_0"
    return choice


class GgmlQuantizer:
    """Quantize float32 rows with llama.cpp's ggml (``ggml_quantize_chunk``)."""

    def __init__(self) -> None:
        self._lib = self._load()

    @staticmethod
    def _load() -> Any:
        try:
            import llama_cpp
        except ImportError as exc:
            raise ModelError("llama-cpp-python is not installed: cannot quantize experts",
                             hint="pip install llama-cpp-python (scripts/install.sh)") from exc
        lib_dir = Path(llama_cpp.__file__).parent / "lib"
        names = ["libggml-base.so", "libggml-base.dylib", "ggml-base.dll"]
        for name in names:
            if (lib_dir / name).is_file():
                lib = ctypes.CDLL(str(lib_dir / name))
                break
        else:
            raise ModelError(f"no ggml library in {lib_dir} (looked for {', '.join(names)})",
                             hint="reinstall llama-cpp-python (scripts/install.sh)")
        lib.ggml_quantize_chunk.restype = ctypes.c_size_t
        lib.ggml_quantize_chunk.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p,
                                            ctypes.c_int64, ctypes.c_int64, ctypes.c_int64,
                                            ctypes.c_void_p]
        lib.ggml_quantize_init.argtypes = [ctypes.c_int]
        lib.ggml_quantize_init.restype = None
        lib.ggml_quantize_requires_imatrix.argtypes = [ctypes.c_int]
        lib.ggml_quantize_requires_imatrix.restype = ctypes.c_bool
        return lib

    def quantize(self, x: np.ndarray, qtype: str) -> np.ndarray:
        """``x`` (..., n_per_row) float32 -> uint8 (..., bytes per row), as llama.cpp writes it."""
        from gguf import GGML_QUANT_SIZES
        from gguf import GGMLQuantizationType as Q

        t = Q[qtype]
        block, size = GGML_QUANT_SIZES[t]
        x = np.ascontiguousarray(x, dtype=np.float32)
        n_per_row = x.shape[-1]
        if n_per_row % block:
            raise ModelError(f"rows of {n_per_row} values cannot be stored as {qtype} "
                             f"(blocks of {block})", hint="choose another expert tensor type")
        if self._lib.ggml_quantize_requires_imatrix(int(t)):
            raise ModelError(f"{qtype} needs an importance matrix, which assembly does not have",
                             hint="choose another expert tensor type, e.g. Q4_0 or IQ4_NL")
        out = np.empty((*x.shape[:-1], n_per_row // block * size), dtype=np.uint8)
        self._lib.ggml_quantize_init(int(t))
        written = self._lib.ggml_quantize_chunk(int(t), x.ctypes.data, out.ctypes.data, 0,
                                                x.size // n_per_row, n_per_row, None)
        if written != out.nbytes:
            raise ModelError(f"ggml wrote {written} bytes for {qtype}, expected {out.nbytes}")
        return out
