"""The expert file: one domain expert for one base model, as a small GGUF file.

An expert is a set of low-rank deltas over the base model's FFN (``W_e = W_base + B @ A`` for
``ffn_gate``, ``ffn_up`` and ``ffn_down`` of every layer; rank 0 = an exact copy of the base FFN)
plus its router rows (one ``n_embd`` vector per layer: the logit of "this token is mine"). Its
provenance travels with it: domain, base model SHA-256, training-data SHA-256, creation time.
See docs/moe.md for the format.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from models._files import sha256_file
from models.errors import ModelCorrupt

__all__ = [
    "EXPERT_ARCH",
    "FFN_PARTS",
    "FORMAT_VERSION",
    "Expert",
    "ExpertMeta",
    "average_experts",
    "read_expert",
    "read_expert_meta",
    "write_expert",
]

EXPERT_ARCH = "lam-expert"
FORMAT_VERSION = 1
FFN_PARTS = ("ffn_gate", "ffn_up", "ffn_down")
_K = "lam.expert."

F32 = npt.NDArray[np.float32]


@dataclass
class ExpertMeta:
    """What an expert file says about itself (header only)."""

    name: str
    domain: str
    base_sha256: str
    data_sha256: str
    created: str
    n_layer: int
    n_embd: int
    n_ff: int
    rank: int
    base_name: str = ""
    examples: int = 0
    steps: int = 0
    note: str = ""
    path: Path | None = None
    file_sha256: str = ""

    def as_dict(self) -> dict[str, object]:
        return {k: (str(v) if isinstance(v, Path) else v) for k, v in self.__dict__.items()}


@dataclass
class Expert:
    """An expert in memory. ``router[l]`` is the layer-l router row; ``lora[(l, part)]`` is
    ``(A, B)`` with ``A: (rank, in)``, ``B: (out, rank)`` in torch (out, in) orientation."""

    meta: ExpertMeta
    router: F32
    lora: dict[tuple[int, str], tuple[F32, F32]] = field(default_factory=dict)

    def delta(self, layer: int, part: str) -> F32 | None:
        ab = self.lora.get((layer, part))
        if ab is None:
            return None
        a, b = ab
        return (b.astype(np.float32) @ a.astype(np.float32)).astype(np.float32)


def average_experts(experts: list[Expert], name: str | None = None) -> Expert:
    """The mean of experts of one domain trained on the same base (e.g. with different seeds):
    every delta is ``mean_i B_i @ A_i``, stored exactly as a LoRA of rank ``sum r_i`` (the A
    halves stacked, the B halves side by side and scaled by 1/n). The router rows are the mean
    of theirs (identical when fitted on the same records). Averaging independently trained
    experts lowers the seed-to-seed variance of what one training run learns."""
    if not experts:
        raise ValueError("no experts to average")
    first = experts[0].meta
    for e in experts[1:]:
        m = e.meta
        if (m.domain, m.base_sha256, m.n_layer, m.n_embd, m.n_ff) != \
                (first.domain, first.base_sha256, first.n_layer, first.n_embd, first.n_ff):
            raise ValueError(f"expert {m.name!r} ({m.domain}, base {m.base_sha256[:12]}) "
                             f"cannot be averaged with {first.name!r} ({first.domain}, base "
                             f"{first.base_sha256[:12]})")
    n = len(experts)
    keys = sorted({k for e in experts for k in e.lora})
    lora: dict[tuple[int, str], tuple[F32, F32]] = {}
    for key in keys:
        pairs = [e.lora[key] for e in experts if key in e.lora]
        a = np.concatenate([p[0] for p in pairs], axis=0).astype(np.float32)
        b = (np.concatenate([p[1] for p in pairs], axis=1) / n).astype(np.float32)
        lora[key] = (a, b)
    ranks = {a.shape[0] for a, _ in lora.values()}
    if len(ranks) > 1:
        raise ValueError("experts to average must change the same layers")
    meta = ExpertMeta(
        name=name or first.name, domain=first.domain, base_sha256=first.base_sha256,
        data_sha256=first.data_sha256, created=first.created, n_layer=first.n_layer,
        n_embd=first.n_embd, n_ff=first.n_ff, rank=ranks.pop() if ranks else 0,
        base_name=first.base_name, examples=first.examples,
        steps=sum(e.meta.steps for e in experts),
        note=f"mean of {n} experts: " + ", ".join(e.meta.file_sha256[:12] or e.meta.name
                                                   for e in experts))
    router = np.mean([e.router for e in experts], axis=0).astype(np.float32)
    return Expert(meta=meta, router=router, lora=lora)


_STR_FIELDS = ("name", "domain", "base_sha256", "data_sha256", "created", "base_name", "note")
_REQUIRED = ("name", "domain", "base_sha256", "created")
_INT_FIELDS = ("n_layer", "n_embd", "n_ff", "rank", "examples", "steps")


def write_expert(expert: Expert, path: str | os.PathLike[str]) -> str:
    """Write ``expert`` atomically; returns the file's SHA-256."""
    import gguf

    m = expert.meta
    if expert.router.shape != (m.n_layer, m.n_embd):
        raise ValueError(f"router is {expert.router.shape}, expected {(m.n_layer, m.n_embd)}")
    dst = Path(path)
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(dst.name + ".tmp")
    w = gguf.GGUFWriter(str(tmp), EXPERT_ARCH)
    w.add_uint32(_K + "format_version", FORMAT_VERSION)
    for k in _STR_FIELDS:
        w.add_string(_K + k, str(getattr(m, k)))
    for k in _INT_FIELDS:
        w.add_uint32(_K + k, int(getattr(m, k)))
    for layer in range(m.n_layer):
        w.add_tensor(f"blk.{layer}.router", np.ascontiguousarray(expert.router[layer],
                                                                 dtype=np.float32))
    for (layer, part), (a, b) in sorted(expert.lora.items()):
        w.add_tensor(f"blk.{layer}.{part}.lora_a", np.ascontiguousarray(a, dtype=np.float32))
        w.add_tensor(f"blk.{layer}.{part}.lora_b", np.ascontiguousarray(b, dtype=np.float32))
    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()
    os.replace(tmp, dst)
    return sha256_file(dst)


def _meta_from_fields(fields: dict[str, object], path: Path) -> ExpertMeta:
    def get(key: str) -> object:
        if _K + key not in fields:
            raise ModelCorrupt(f"{path}: not a lam expert file (no {_K}{key})",
                               hint="expert files are written by `lam models learn` or "
                                    "models.moe.write_expert")
        return fields[_K + key]

    if str(fields.get("general.architecture")) != EXPERT_ARCH:
        raise ModelCorrupt(f"{path}: not a lam expert file (architecture "
                           f"{fields.get('general.architecture')!r})",
                           hint="an expert file has general.architecture = lam-expert")
    version = int(get("format_version"))  # type: ignore[call-overload]
    if version != FORMAT_VERSION:
        raise ModelCorrupt(f"{path}: expert format {version}, this lam reads {FORMAT_VERSION}",
                           hint="upgrade lam or re-train the expert")
    # GGUFWriter does not write empty strings: optional text fields default to ""
    kw: dict[str, object] = {k: str(get(k)) if k in _REQUIRED else str(fields.get(_K + k, ""))
                             for k in _STR_FIELDS}
    kw.update({k: int(get(k)) for k in _INT_FIELDS})  # type: ignore[call-overload]
    return ExpertMeta(path=path, **kw)  # type: ignore[arg-type]


def read_expert_meta(path: str | os.PathLike[str], *, with_hash: bool = True) -> ExpertMeta:
    """The header of an expert file (fast: no tensor data is read)."""
    from models._gguf import read_header

    p = Path(path)
    kv, _ = read_header(p)
    meta = _meta_from_fields(kv, p)
    if with_hash:
        meta.file_sha256 = sha256_file(p)
    return meta


def read_expert(path: str | os.PathLike[str]) -> Expert:
    """Read and shape-check an expert file. Raises ModelCorrupt on any inconsistency."""
    from gguf import GGUFReader

    p = Path(path)
    try:
        reader = GGUFReader(str(p))
    except (ValueError, OSError) as exc:
        raise ModelCorrupt(f"{p}: cannot read the expert file ({exc})",
                           hint="the file is truncated or not a lam expert") from exc
    fields = {name: f.contents() for name, f in reader.fields.items()
              if not name.startswith("GGUF.")}
    meta = _meta_from_fields(fields, p)
    meta.file_sha256 = sha256_file(p)
    router = np.zeros((meta.n_layer, meta.n_embd), dtype=np.float32)
    seen_router: set[int] = set()
    halves: dict[tuple[int, str, str], F32] = {}
    for t in reader.tensors:
        parts = t.name.split(".")
        data = np.asarray(t.data, dtype=np.float32)
        if len(parts) == 3 and parts[0] == "blk" and parts[2] == "router":
            layer = int(parts[1])
            if not 0 <= layer < meta.n_layer or data.shape != (meta.n_embd,):
                raise ModelCorrupt(f"{p}: bad router tensor {t.name} {data.shape}")
            router[layer] = data
            seen_router.add(layer)
        elif len(parts) == 4 and parts[0] == "blk" and parts[2] in FFN_PARTS \
                and parts[3] in ("lora_a", "lora_b"):
            halves[(int(parts[1]), parts[2], parts[3])] = data
        else:
            raise ModelCorrupt(f"{p}: unexpected tensor {t.name}")
    if len(seen_router) != meta.n_layer:
        raise ModelCorrupt(f"{p}: router rows for {len(seen_router)} of {meta.n_layer} layers")
    lora: dict[tuple[int, str], tuple[F32, F32]] = {}
    for (layer, part, half), data in halves.items():
        if half != "lora_a":
            continue
        b = halves.get((layer, part, "lora_b"))
        if b is None:
            raise ModelCorrupt(f"{p}: blk.{layer}.{part}.lora_a has no lora_b")
        out_dim, in_dim = ((meta.n_embd, meta.n_ff) if part == "ffn_down"
                           else (meta.n_ff, meta.n_embd))
        if data.shape != (meta.rank, in_dim) or b.shape != (out_dim, meta.rank) \
                or not 0 <= layer < meta.n_layer:
            raise ModelCorrupt(f"{p}: blk.{layer}.{part} deltas are {data.shape}/{b.shape}, "
                               f"expected {(meta.rank, in_dim)}/{(out_dim, meta.rank)}")
        lora[(layer, part)] = (data, b)
    return Expert(meta=meta, router=router, lora=lora)


def data_hash(lines: list[str]) -> str:
    """SHA-256 of training examples (one canonical JSON line each), order-independent."""
    h = hashlib.sha256()
    for line in sorted(lines):
        h.update(line.encode())
        h.update(b"\n")
    return h.hexdigest()
