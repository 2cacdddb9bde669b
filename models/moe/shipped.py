"""Shipped experts: the expert files that come with lam (``models/moe/shipped/``), checked by
hash, assembled onto the pulled base, and whether the MoE they make is the default planner.

The folder holds one ``NAME.lamx`` per expert and ``manifest.json``::

    {"format": 1, "base": "qwen2.5-coder-0.5b", "base_sha256": "...", "top_k": 1,
     "qtype": "fast", "experts": [{"name": "browser", "domain": "browser",
     "file": "browser.lamx", "sha256": "..."}, ...],
     "default": false, "why": "<the measured figures that decided default>",
     "rebuild": "<the command that rebuilds the files>"}

``$LAM_SHIPPED_EXPERTS`` names another folder (tests; pinned artifacts unpacked elsewhere).

The MoE a user gets is the shipped experts less the ones the user removed (recorded in
``removed.json`` in the user's experts folder, never in the package folder) plus the user's
own experts for the same base (``lam models learn``: ``$LAM_HOME/experts``; a file there with
a shipped expert's name replaces it). It is assembled into the user's data folder
(``moe/moe.gguf``, with ``moe/moe.json`` recording what went in) by `assemble_planner` —
`lam models prepare`, `lam models experts rm|restore` and `lam models learn` call it — and
`choose_planner` picks it as the tier-1 model when the manifest says ``default: true``, the
memory estimate fits and ``[lam] model`` is unset. Choosing never assembles: a
MoE that is not assembled yet leaves the dense model in place, with the reason.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from models._files import atomic_write_text, file_lock, sha256_file
from models.errors import ModelCorrupt, ModelError, ModelNotFound
from models.memory import MemoryEstimate, available_memory, estimate_memory, format_bytes

__all__ = ["MANIFEST", "MOE_LABEL", "SHIPPED_ENV", "AssembledPlanner", "MoEParts",
           "PlannerChoice", "ShippedExpert", "ShippedManifest", "assemble_planner",
           "choose_planner", "moe_parts", "planned_estimate", "planner_paths", "read_shipped",
           "removed_shipped", "set_removed", "shipped_dir", "user_experts", "verify_shipped"]

SHIPPED_ENV = "LAM_SHIPPED_EXPERTS"
MANIFEST = "manifest.json"
REMOVED = "removed.json"
MOE_LABEL = "moe"
"""How `lam doctor` and `lam models prepare` name the assembled shipped MoE."""


class ShippedExpert(BaseModel):
    name: str
    domain: str
    file: str
    sha256: str


class ShippedManifest(BaseModel):
    format: int = 1
    base: str
    base_sha256: str
    top_k: int = 1
    qtype: str = "fast"
    experts: list[ShippedExpert]
    default: bool = False
    why: str = ""
    rebuild: str = ""

    def rebuild_hint(self) -> str:
        how = self.rebuild or "retrain them (docs/moe.md) or reinstall lam"
        return f"rebuild the shipped experts: {how}"


def shipped_dir() -> Path:
    """``$LAM_SHIPPED_EXPERTS``, else the ``shipped`` folder next to this module."""
    env = os.environ.get(SHIPPED_ENV)
    return Path(env).expanduser() if env else Path(__file__).resolve().parent / "shipped"


def read_shipped(folder: Path | None = None) -> ShippedManifest | None:
    """The manifest of ``folder`` (default `shipped_dir`); None when no experts are shipped
    (no manifest). A manifest that does not parse raises ModelCorrupt."""
    folder = folder or shipped_dir()
    path = folder / MANIFEST
    if not path.is_file():
        return None
    try:
        manifest = ShippedManifest.model_validate_json(path.read_text(encoding="utf-8"))
    except (ValidationError, ValueError, OSError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise ModelCorrupt(f"{path}: not a shipped-experts manifest ({first})",
                           hint="reinstall lam (git checkout models/moe/shipped)") from None
    if manifest.format != 1:
        raise ModelCorrupt(f"{path}: manifest format {manifest.format}, this lam reads 1",
                           hint="upgrade lam")
    return manifest


def verify_shipped(manifest: ShippedManifest, folder: Path | None = None,
                   base_sha256: str | None = None) -> list[Path]:
    """The shipped expert files, each checked: present, its SHA-256 as the manifest says, and
    trained on the manifest's base (and on ``base_sha256``, the pulled base, when given).
    Raises ModelNotFound / ModelCorrupt whose hint says how to rebuild them."""
    from models.moe.expert import read_expert_meta

    folder = folder or shipped_dir()
    hint = manifest.rebuild_hint()
    if base_sha256 is not None and base_sha256 != manifest.base_sha256:
        raise ModelCorrupt(
            f"the shipped experts were trained on {manifest.base} with SHA-256 "
            f"{manifest.base_sha256[:12]}…, but the pulled {manifest.base} has "
            f"{base_sha256[:12]}…", hint=hint)
    paths = []
    for e in manifest.experts:
        path = folder / e.file
        if not path.is_file():
            raise ModelNotFound(f"shipped expert {e.name}: {path} is missing", hint=hint)
        digest = sha256_file(path)
        if digest != e.sha256:
            raise ModelCorrupt(f"shipped expert {e.name}: {path} has SHA-256 {digest[:12]}…, "
                               f"the manifest says {e.sha256[:12]}… (damaged, or a Git LFS "
                               f"pointer instead of the file)", hint=hint)
        try:
            meta = read_expert_meta(path, with_hash=False)
        except ModelError as exc:
            raise ModelCorrupt(f"shipped expert {e.name}: {exc.message}", hint=hint) from None
        if meta.base_sha256 != manifest.base_sha256:
            raise ModelCorrupt(f"shipped expert {e.name}: {path} was trained on base "
                               f"{meta.base_sha256[:12]}…, the manifest says "
                               f"{manifest.base_sha256[:12]}…", hint=hint)
        paths.append(path)
    return paths


# -- the user's removals -----------------------------------------------------------------------
def removed_shipped(experts_dir: Path) -> set[str]:
    """Names of shipped experts the user removed (``removed.json`` in their experts folder)."""
    path = experts_dir / REMOVED
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    names = data.get("removed", []) if isinstance(data, dict) else []
    return {str(n) for n in names}


def set_removed(experts_dir: Path, name: str, removed: bool) -> None:
    names = removed_shipped(experts_dir)
    names = names | {name} if removed else names - {name}
    experts_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_text(experts_dir / REMOVED, json.dumps({"removed": sorted(names)}, indent=1))


# -- what the user's MoE is made of -------------------------------------------------------------
@dataclass
class MoEParts:
    """The experts of the user's MoE, in router order, and where they come from."""

    manifest: ShippedManifest
    folder: Path
    base_path: Path
    base_sha256: str
    experts: list[tuple[str, Path, str]] = field(default_factory=list)
    """(name, file, "shipped" or "yours")."""
    removed: list[str] = field(default_factory=list)

    @property
    def names(self) -> list[str]:
        return [n for n, _, _ in self.experts]

    def key(self) -> str:
        """What the assembled file depends on: base, experts (declared hashes for shipped
        files; file hashes for the user's), top-k and layout."""
        declared = {e.name: e.sha256 for e in self.manifest.experts}
        parts = [self.base_sha256, str(self.manifest.top_k), self.manifest.qtype]
        for name, path, source in self.experts:
            parts.append(f"{name}={declared[name] if source == 'shipped' else sha256_file(path)}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def user_experts(experts_dir: Path, base_sha256: str) -> dict[str, Path]:
    """The user's own expert files in ``experts_dir`` made for this base, by name (unreadable
    files are skipped: `lam models experts list` reports them)."""
    from models.moe.expert import read_expert_meta

    found: dict[str, Path] = {}
    for p in sorted(experts_dir.glob("*.lamx")) if experts_dir.is_dir() else []:
        try:
            meta = read_expert_meta(p, with_hash=False)
        except ModelError:
            continue
        if meta.base_sha256 == base_sha256:
            found[meta.name] = p
    return found


def moe_parts(manifest: ShippedManifest, *, models_dir: Path, experts_dir: Path,
              folder: Path | None = None) -> MoEParts:
    """The shipped experts less the removed ones, plus the user's experts for the same base.
    Raises ModelNotFound when the base is not pulled (its hint: the pull command)."""
    from models.store import ModelStore

    folder = folder or shipped_dir()
    store = ModelStore(models_dir)
    base_path = store.resolve(manifest.base)
    base_sha = store.verify(store.entry(manifest.base))
    removed = removed_shipped(experts_dir)
    mine = user_experts(experts_dir, base_sha)
    parts = MoEParts(manifest=manifest, folder=folder, base_path=base_path, base_sha256=base_sha,
                     removed=sorted(removed & {e.name for e in manifest.experts}))
    for e in manifest.experts:
        if e.name in mine:
            parts.experts.append((e.name, mine.pop(e.name), "yours"))
        elif e.name not in removed:
            parts.experts.append((e.name, folder / e.file, "shipped"))
    parts.experts += [(n, p, "yours") for n, p in mine.items()]
    return parts


def planner_paths(data_dir: Path) -> tuple[Path, Path]:
    """The user's assembled MoE and its record: ``DATA/moe/moe.gguf``, ``DATA/moe/moe.json``."""
    return data_dir / "moe" / "moe.gguf", data_dir / "moe" / "moe.json"


def _assembled_key(data_dir: Path) -> str | None:
    gguf, record = planner_paths(data_dir)
    try:
        data = json.loads(record.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return str(data.get("key")) if gguf.is_file() and isinstance(data, dict) else None


def planned_estimate(base_path: Path, n_experts: int, top_k: int, qtype: str,
                     n_ctx: int) -> MemoryEstimate:
    """`estimate_memory` of the MoE that assembling ``n_experts`` onto ``base_path`` writes
    (from the base's header: every FFN tensor stacked ``n_experts`` times in the type the
    layout gives a tensor with deltas, plus the F32 routers), before it exists."""
    from gguf import GGML_QUANT_SIZES
    from gguf import GGMLQuantizationType as Q

    from models.gguf_info import TensorInfo, read_gguf
    from models.moe.quant import expert_tensor_type

    info = read_gguf(base_path)
    tensors = []
    for t in info.tensors:
        parts = t.name.split(".")
        if len(parts) == 4 and parts[2] in ("ffn_gate", "ffn_up", "ffn_down") \
                and parts[3] == "weight":
            qt = expert_tensor_type(qtype, t.qtype, True)
            block, size = GGML_QUANT_SIZES[Q[qt]]
            tensors.append(TensorInfo(
                name=f"blk.{parts[1]}.{parts[2]}_exps.weight", shape=(*t.shape, n_experts),
                qtype=qt, n_elements=t.n_elements * n_experts,
                n_bytes=t.n_elements // block * size * n_experts, expert=True))
            if parts[2] == "ffn_gate":
                tensors.append(TensorInfo(
                    name=f"blk.{parts[1]}.ffn_gate_inp.weight", shape=(info.n_embd, n_experts),
                    qtype="F32", n_elements=info.n_embd * n_experts,
                    n_bytes=4 * info.n_embd * n_experts, expert=False))
        else:
            tensors.append(t)
    moe = info.model_copy(update={"tensors": tensors, "expert_count": n_experts,
                                  "expert_used_count": top_k, "expert_ff": info.n_ff})
    return estimate_memory(moe, n_ctx)


# -- the choice -------------------------------------------------------------------------------
@dataclass
class PlannerChoice:
    """The tier-1 model lam plans with, and why (one line, for `lam doctor`)."""

    model: str
    """What the model loader resolves: the configured name, or the assembled MoE's path."""
    label: str
    """What to call it: the configured name, or ``moe``."""
    moe: bool
    why: str
    experts: list[str] = field(default_factory=list)
    problem: ModelError | None = None
    """A shipped-experts problem (bad or missing file, base hash): its hint says how to fix."""

    def line(self) -> str:
        return f"{self.label} ({self.why})"


def _fits(estimate: MemoryEstimate, available: int | None) -> tuple[bool, str]:
    avail = available_memory() if available is None else available
    return estimate.total <= avail, (f"needs about {format_bytes(estimate.total)}, "
                                     f"{format_bytes(avail)} available")


def choose_planner(configured: str, *, explicit: bool, models_dir: Path, data_dir: Path,
                   experts_dir: Path, n_ctx: int, folder: Path | None = None,
                   verify: bool = False, available: int | None = None) -> PlannerChoice:
    """The MoE of the shipped experts when the manifest says ``default: true``, it is
    assembled for the current set of experts and its memory estimate fits; else the configured
    (dense) model. A model the user set (``explicit``) always wins. ``verify`` re-hashes the
    shipped files (`lam doctor`); otherwise an assembled MoE for the same declared hashes is
    trusted (it was verified when it was assembled)."""
    def dense(why: str, problem: ModelError | None = None) -> PlannerChoice:
        return PlannerChoice(model=configured, label=configured, moe=False,
                             why=f"dense; {why}" if configured else why, problem=problem)

    if explicit:
        return PlannerChoice(model=configured, label=configured, moe=False,
                             why="set by you: [lam] model")
    try:
        manifest = read_shipped(folder)
    except ModelError as exc:
        return dense(f"the shipped experts cannot be read: {exc.message}", exc)
    if manifest is None:
        return dense("no experts are shipped with this lam")
    if not manifest.default:
        return dense(f"the MoE did not earn the default: {manifest.why or 'not measured'}")
    try:
        parts = moe_parts(manifest, models_dir=models_dir, experts_dir=experts_dir,
                          folder=folder)
        if verify:
            verify_shipped(manifest, parts.folder, parts.base_sha256)
    except ModelNotFound as exc:
        if "not pulled" in exc.message:
            return dense(f"the MoE's base {manifest.base} is not pulled "
                         f"(`lam models pull {manifest.base}`)")
        return dense(f"the MoE is off: {exc.message}", exc)
    except ModelError as exc:
        return dense(f"the MoE is off: {exc.message}", exc)
    except OSError as exc:
        return dense(f"the MoE is off: {exc}")
    if len(parts.experts) < 2:
        return dense(f"the MoE needs two experts, {len(parts.experts)} left"
                     + (f" (you removed {', '.join(parts.removed)})" if parts.removed else ""))
    gguf, _ = planner_paths(data_dir)
    if _assembled_key(data_dir) != parts.key():
        return dense("the MoE is not assembled for your experts yet "
                     "(`lam models prepare` assembles it)")
    from models.gguf_info import read_gguf

    fits, numbers = _fits(estimate_memory(read_gguf(gguf), n_ctx), available)
    if not fits:
        return dense(f"the MoE does not fit in memory: {numbers}")
    removed = f"; without {', '.join(parts.removed)} (removed by you)" if parts.removed else ""
    return PlannerChoice(model=str(gguf), label=MOE_LABEL, moe=True,
                         why=f"shipped experts earned the default: {manifest.why}{removed}",
                         experts=parts.names)


# -- assembly ---------------------------------------------------------------------------------
@dataclass
class AssembledPlanner:
    path: Path
    experts: list[str]
    seconds: float
    already: bool
    """True when the file for these experts was there already."""


def assemble_planner(*, models_dir: Path, data_dir: Path, experts_dir: Path, n_ctx: int,
                     folder: Path | None = None, available: int | None = None,
                     progress: Callable[[int, int], None] | None = None,
                     ) -> tuple[AssembledPlanner | None, str]:
    """Assemble the user's MoE (shipped experts less removed plus theirs) onto the pulled base
    when experts are shipped with ``default: true``, the base is pulled and the memory estimate
    fits. Returns (what was assembled or None, one line saying what happened or why not).
    Bad or missing shipped files raise ModelError whose hint says how to rebuild them; with
    fewer than two experts left, the stale assembled file is removed."""
    manifest = read_shipped(folder)
    if manifest is None:
        return None, "no experts are shipped with this lam: the dense model plans"
    if not manifest.default:
        return None, (f"the MoE did not earn the default ({manifest.why or 'not measured'}): "
                      "the dense model plans")
    try:
        parts = moe_parts(manifest, models_dir=models_dir, experts_dir=experts_dir,
                          folder=folder)
    except ModelNotFound as exc:
        if "not pulled" not in exc.message:
            raise
        return None, (f"the MoE's base {manifest.base} is not pulled "
                      f"(`lam models pull {manifest.base}`)")
    gguf, record = planner_paths(data_dir)
    if len(parts.experts) < 2:
        for p in (gguf, record):
            p.unlink(missing_ok=True)
        return None, (f"the MoE needs two experts, {len(parts.experts)} left: the dense model "
                      "plans")
    est = planned_estimate(parts.base_path, len(parts.experts), manifest.top_k, manifest.qtype,
                           n_ctx)
    fits, numbers = _fits(est, available)
    if not fits:
        return None, f"the MoE does not fit in memory ({numbers}): the dense model plans"
    key = parts.key()
    gguf.parent.mkdir(parents=True, exist_ok=True)
    with file_lock(gguf.parent / ".lock"):  # one assembly at a time per data folder
        if _assembled_key(data_dir) == key:
            return AssembledPlanner(gguf, parts.names, 0.0, True), \
                f"already assembled ({len(parts.experts)} experts: {', '.join(parts.names)})"
        shipped = {e.name for e in manifest.experts}
        verify_shipped(manifest, parts.folder, parts.base_sha256)
        from models.moe.assemble import assemble

        report = assemble(parts.base_path, [p for _, p, _ in parts.experts], gguf,
                          experts_used=min(manifest.top_k, len(parts.experts)),
                          expert_qtype=manifest.qtype, progress=progress,
                          base_sha256=parts.base_sha256, hash_output=False)
        atomic_write_text(record, json.dumps({
            "key": key, "base": manifest.base, "base_sha256": parts.base_sha256,
            "experts": [{"name": n, "source": s, "shipped": n in shipped}
                        for n, _, s in parts.experts],
            "removed": parts.removed}, indent=1))
    return AssembledPlanner(gguf, parts.names, report.seconds, False), (
        f"assembled {len(parts.experts)} experts ({', '.join(parts.names)}) in "
        f"{report.seconds:.1f} s, {report.size / 2**20:.0f} MiB")
