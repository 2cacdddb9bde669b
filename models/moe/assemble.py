"""Assembly: a dense GGUF base + any set of experts -> one mixture-of-experts GGUF.

The output uses llama.cpp's Mixtral layout for the ``llama`` architecture (``blk.N.ffn_gate_inp`` =
the experts' router rows stacked, ``blk.N.ffn_{gate,up,down}_exps`` = the experts' FFNs
stacked, ``{arch}.expert_count`` / ``{arch}.expert_used_count``); every other tensor and key is
copied from the base. An expert without a delta for a tensor is the base tensor's bytes copied
verbatim, so an MoE of copies computes exactly what the dense model computes. Experts with
deltas are dequantized, summed and re-quantized (Q8_0 by default). ``expert_qtype="fast"``
stores every FFN tensor in a type llama.cpp repacks for expert matmuls instead (faster on CPU;
see `models.moe.quant`).

A ``qwen2`` base (Qwen2.5) is written as ``llama``: the same network but for the rotary
embedding's pairing (NEOX: dimension i with i + d/2; llama: 2i with 2i+1), so the rows of each
head of ``attn_q``/``attn_k`` (weights and biases) are permuted to match, on the quantized
bytes (a row is whole blocks). Logits then differ from the dense qwen2 model by float noise only
(max 0.42 on a 0.5B model, where the same model with another batch size differs by 0.36).
llama.cpp's own ``qwen2moe`` layout is not used: it adds a shared expert, does not renormalise
the top-k weights, and produced NaN logits with copied experts in llama-cpp-python 0.3.36.

Adding or removing an expert is a re-assembly (seconds): nothing is retrained.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models._files import sha256_file
from models.errors import ModelCorrupt, ModelError
from models.moe.expert import FFN_PARTS, Expert, ExpertMeta, read_expert
from models.moe.quant import GgmlQuantizer, check_expert_qtype, expert_tensor_type

__all__ = ["SUPPORTED_ARCHS", "AssemblyReport", "BaseInfo", "assemble", "base_copy_expert",
           "base_info", "check_expert", "quantize_file", "read_manifest"]

SUPPORTED_ARCHS = ("llama", "qwen2")
_ROTARY_ROWS = re.compile(r"^blk\.\d+\.attn_(q|k)\.(weight|bias)$")
_FFN = re.compile(r"^blk\.(\d+)\.(ffn_gate|ffn_up|ffn_down)\.weight$")


@dataclass
class BaseInfo:
    path: Path
    arch: str
    name: str
    n_layer: int
    n_embd: int
    n_ff: int
    sha256: str


@dataclass
class AssemblyReport:
    path: Path
    experts: list[ExpertMeta]
    experts_used: int
    seconds: float
    size: int
    sha256: str
    exact_copies: int
    requantized: int


def _reader(path: Path) -> Any:
    from gguf import GGUFReader

    try:
        return GGUFReader(str(path))
    except (ValueError, OSError) as exc:
        raise ModelCorrupt(f"{path}: cannot read GGUF ({exc})") from exc


def _field(reader: Any, key: str, default: Any = None) -> Any:
    f = reader.fields.get(key)
    return default if f is None else f.contents()


def _base_info(reader: Any, path: Path, sha: str | None = None) -> BaseInfo:
    arch = str(_field(reader, "general.architecture", ""))
    if arch not in SUPPORTED_ARCHS:
        raise ModelError(f"{path}: architecture {arch!r} cannot take lam experts",
                         hint=f"use a dense base of architecture {', '.join(SUPPORTED_ARCHS)}")
    if _field(reader, f"{arch}.expert_count", 0):
        raise ModelError(f"{path} is already a mixture-of-experts model",
                         hint="assemble from the dense base model")
    return BaseInfo(path=path, arch=arch, name=str(_field(reader, "general.name", path.stem)),
                    n_layer=int(_field(reader, f"{arch}.block_count")),
                    n_embd=int(_field(reader, f"{arch}.embedding_length")),
                    n_ff=int(_field(reader, f"{arch}.feed_forward_length")),
                    sha256=sha or sha256_file(path))


def base_info(path: str | os.PathLike[str]) -> BaseInfo:
    p = Path(path)
    return _base_info(_reader(p), p)


def base_copy_expert(base: BaseInfo, name: str, domain: str = "copy") -> Expert:
    """A rank-0 expert: an exact copy of the base FFN, with a zero router row."""
    meta = ExpertMeta(name=name, domain=domain, base_sha256=base.sha256, data_sha256="",
                      created=time.strftime("%Y-%m-%dT%H:%M:%S"), n_layer=base.n_layer,
                      n_embd=base.n_embd, n_ff=base.n_ff, rank=0, base_name=base.name,
                      note="copy of the base FFN")
    return Expert(meta=meta, router=np.zeros((base.n_layer, base.n_embd), dtype=np.float32))


def check_expert(expert: Expert, base: BaseInfo) -> None:
    """Raise ModelError unless ``expert`` was made for ``base`` (hash and shapes)."""
    m = expert.meta
    where = m.path or m.name
    if m.base_sha256 != base.sha256:
        raise ModelError(f"expert {m.name} ({where}) was trained on base {m.base_sha256[:12]}, "
                         f"not on {base.path.name} ({base.sha256[:12]})",
                         hint="re-train the expert on this base or assemble on its base")
    if (m.n_layer, m.n_embd, m.n_ff) != (base.n_layer, base.n_embd, base.n_ff):
        raise ModelError(f"expert {m.name} has shape layers={m.n_layer} embd={m.n_embd} "
                         f"ff={m.n_ff}, base has {base.n_layer}/{base.n_embd}/{base.n_ff}")


def _copy_fields(reader: Any, writer: Any, arch: str = "llama") -> None:
    """Copy every key; a ``qwen2.*`` key becomes ``llama.*``."""
    from gguf import GGUFValueType

    for name, f in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        vtype = f.types[0]
        sub = f.types[-1] if vtype == GGUFValueType.ARRAY else None
        if arch != "llama" and name.startswith(arch + "."):
            name = "llama" + name[len(arch):]
        writer.add_key_value(name, f.contents(), vtype, sub_type=sub)


def neox_to_llama_rows(n_heads: int, head_dim: int) -> np.ndarray:
    """Row order that turns a NEOX-rotary projection into a llama-rotary one: within each head,
    new row 2i is old row i and new row 2i+1 is old row i + head_dim/2."""
    half = head_dim // 2
    within = np.stack([np.arange(half), np.arange(half) + half], axis=1).reshape(-1)
    return (np.arange(n_heads)[:, None] * head_dim + within[None, :]).reshape(-1)


def _rotary_rows(reader: Any, arch: str) -> dict[str, np.ndarray]:
    """For a qwen2 base: the row order of attn_q and attn_k (see the module note)."""
    if arch != "qwen2":
        return {}
    n_head = int(_field(reader, f"{arch}.attention.head_count"))
    n_kv = int(_field(reader, f"{arch}.attention.head_count_kv", n_head))
    head_dim = int(_field(reader, f"{arch}.embedding_length")) // n_head
    return {"q": neox_to_llama_rows(n_head, head_dim), "k": neox_to_llama_rows(n_kv, head_dim)}


def assemble(base_path: str | os.PathLike[str], experts: Sequence[Expert | str | os.PathLike[str]],
             out_path: str | os.PathLike[str], *, experts_used: int = 2,
             expert_qtype: str | None = None, router_scale: float = 1.0,
             progress: Callable[[int, int], None] | None = None,
             base_sha256: str | None = None, hash_output: bool = True) -> AssemblyReport:
    """Write an MoE GGUF made of ``base_path`` and ``experts`` (in order: expert i is row i of
    every router). ``expert_qtype``: how expert FFN tensors are stored, ``exact`` (default),
    ``fast`` or a GGML type name (see `models.moe.quant`). ``progress(layers done, layers)`` is
    called after each layer. ``base_sha256``: the base's hash when the caller has verified it
    (the model store does), so the base is not hashed again. ``hash_output=False``: the
    report's ``sha256`` is "" (the output is not read back)."""
    import gguf
    from gguf import GGMLQuantizationType as Q

    start = time.perf_counter()
    check_expert_qtype(expert_qtype)
    base_p = Path(base_path)
    reader = _reader(base_p)
    info = _base_info(reader, base_p, base_sha256)
    loaded = [e if isinstance(e, Expert) else read_expert(e) for e in experts]
    if len(loaded) < 2:
        raise ModelError("an MoE needs at least two experts", hint="add another expert")
    names = [e.meta.name for e in loaded]
    if len(set(names)) != len(names):
        raise ModelError(f"expert names repeat: {names}", hint="give each expert its own name")
    for e in loaded:
        check_expert(e, info)
    if not 1 <= experts_used <= len(loaded):
        raise ModelError(f"experts_used must be 1..{len(loaded)}, got {experts_used}")
    n_exp = len(loaded)
    arch = "llama"

    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    writer = gguf.GGUFWriter(str(tmp), arch)
    _copy_fields(reader, writer, info.arch)
    rows = _rotary_rows(reader, info.arch)
    writer.add_uint32(f"{arch}.expert_count", n_exp)
    writer.add_uint32(f"{arch}.expert_used_count", experts_used)
    writer.add_string("lam.moe.manifest", json.dumps(
        [{"name": e.meta.name, "domain": e.meta.domain, "sha256": e.meta.file_sha256,
          "rank": e.meta.rank} for e in loaded]))
    writer.add_string("lam.moe.base_sha256", info.sha256)

    ffn: dict[tuple[int, str], Any] = {}
    for t in reader.tensors:
        m = _FFN.match(t.name)
        if m:
            ffn[(int(m.group(1)), m.group(2))] = t
            continue
        data = np.asarray(t.data)
        rotary = _ROTARY_ROWS.match(t.name)
        if rotary and rows:
            data = np.ascontiguousarray(data[rows[rotary.group(1)]])
        writer.add_tensor(t.name, data, raw_dtype=t.tensor_type)
    exact = requant = 0
    quantizer: GgmlQuantizer | None = None
    for layer in range(info.n_layer):
        router = np.stack([e.router[layer] for e in loaded]).astype(np.float32) * router_scale
        writer.add_tensor(f"blk.{layer}.ffn_gate_inp.weight", router)
        for part in FFN_PARTS:
            t = ffn.get((layer, part))
            if t is None:
                raise ModelCorrupt(f"{base_p}: no blk.{layer}.{part}.weight")
            deltas = [e.delta(layer, part) for e in loaded]
            name = f"blk.{layer}.{part}_exps.weight"
            base_type = Q(t.tensor_type)
            target = Q[expert_tensor_type(expert_qtype, base_type.name,
                                          any(d is not None for d in deltas))]
            raw = np.asarray(t.data)
            if target == base_type and all(d is None for d in deltas):
                writer.add_tensor(name, np.ascontiguousarray(np.stack([raw] * n_exp)),
                                  raw_dtype=base_type)
                exact += 1
                continue
            dense = gguf.quants.dequantize(raw, base_type).astype(np.float32)
            if target in (Q.F32, Q.F16, Q.BF16):
                stacked = np.stack([dense if d is None else dense + d for d in deltas])
                if target == Q.BF16:
                    writer.add_tensor(name, gguf.quants.quantize(stacked, Q.BF16),
                                      raw_dtype=Q.BF16)
                else:
                    writer.add_tensor(name, stacked.astype(
                        np.float32 if target == Q.F32 else np.float16))
            else:
                quantizer = quantizer or GgmlQuantizer()
                # the base itself is quantized once, for every expert without a delta here
                plain = raw if target == base_type else None
                parts = []
                for d in deltas:
                    if d is None:
                        if plain is None:
                            plain = quantizer.quantize(dense, target.name)
                        parts.append(plain)
                    else:
                        parts.append(quantizer.quantize(dense + d, target.name))
                writer.add_tensor(name, np.ascontiguousarray(np.stack(parts)), raw_dtype=target)
            requant += 1
        if progress is not None:
            progress(layer + 1, info.n_layer)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(tmp, out)
    return AssemblyReport(path=out, experts=[e.meta for e in loaded], experts_used=experts_used,
                          seconds=time.perf_counter() - start, size=out.stat().st_size,
                          sha256=sha256_file(out) if hash_output else "",
                          exact_copies=exact, requantized=requant)


def quantize_file(src: str | os.PathLike[str], dst: str | os.PathLike[str],
                  ftype: str = "Q8_0", *, threads: int = 0) -> Path:
    """Re-quantize a whole GGUF with llama.cpp (``llama_model_quantize``)."""
    import ctypes

    import llama_cpp

    code = getattr(llama_cpp, f"LLAMA_FTYPE_MOSTLY_{ftype.upper()}", None)
    if code is None:
        raise ModelError(f"unknown quantization {ftype!r}", hint="e.g. Q8_0, Q4_K_M, Q4_0")
    params = llama_cpp.llama_model_quantize_default_params()
    params.ftype = code
    params.nthread = threads
    params.allow_requantize = True
    rc = llama_cpp.llama_model_quantize(str(src).encode(), str(dst).encode(),
                                        ctypes.byref(params))
    if rc != 0:
        raise ModelError(f"llama.cpp could not quantize {src} to {ftype} (code {rc})")
    return Path(dst)


def read_manifest(path: str | os.PathLike[str]) -> list[dict[str, Any]]:
    """The experts an assembled MoE GGUF records (``lam.moe.manifest``: name, domain, sha256,
    rank, in router order); [] for a GGUF lam did not assemble."""
    from models._gguf import read_header

    kv, _ = read_header(Path(path))
    raw = kv.get("lam.moe.manifest")
    return list(json.loads(raw)) if isinstance(raw, str) else []
