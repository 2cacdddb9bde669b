"""The mixture-of-experts planner: train domain experts on a dense base (``--base``: SmolLM2-135M
or the default Qwen2.5-Coder-0.5B), fit their routers,
assemble, and compare with the dense default on the golden set (accuracy overall and per
domain, p50 latency, memory), side by side. Figures only — never pass/fail.

    export LAM_MODELS_DIR=~/.cache/lam/test-models
    python bench/moe.py data --n 110                 # verified training records per domain
    python bench/moe.py train --steps 25             # one expert per domain + routers
    python bench/moe.py assemble                     # -> $WORK/moe.gguf (and moe-minus-X)
    python bench/moe.py route                        # routing as llama.cpp computes it
    python bench/moe.py soup --from W1 W2            # average experts trained with other seeds
    python bench/moe.py bench --split blind          # MoE vs dense default vs dense control
    python bench/moe.py control                      # the dense control: base, MoE's storage
    python bench/moe.py ship --why "..."             # experts + manifest -> models/moe/shipped
    python bench/moe.py speed --models A B           # prompt / generation ms per token
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DOMAINS = ("browser", "scheduler", "messaging", "general")
MODELS_DIR = Path(os.environ.get("LAM_MODELS_DIR") or "~/.cache/lam/test-models").expanduser()
BASE = MODELS_DIR / "smollm2-135m.gguf"


def _base(args: argparse.Namespace) -> Path:
    return _model_path(args.base)


def _model_path(name: str) -> Path:
    """A file, ``moe`` (moe.gguf in the models folder) or a catalog name there."""
    p = Path(name)
    return p if p.suffix == ".gguf" else MODELS_DIR / f"{name}.gguf"


def _records(work: Path, domain: str) -> list[dict[str, str]]:
    return [json.loads(line) for line in (work / f"data_{domain}.jsonl").read_text().splitlines()]


def cmd_data(args: argparse.Namespace) -> None:
    from bench.evaluation.training import (
        build_training_set,
        golden_dev_records,
        held_out_grams,
        held_out_overlap,
    )

    held = held_out_grams(args.held)
    for d in args.domains:
        t = time.perf_counter()
        recs = build_training_set(d, args.n, held=held)
        if args.dev:
            # dev cases are ours to train on, but one may still share a run of words with a
            # held-out request (a BFCL test question, a blind case): left out like the rest
            recs += [r for r in golden_dev_records(d)
                     if held_out_overlap(r["request"], held) is None]
        with (args.work / f"data_{d}.jsonl").open("w") as f:
            for r in recs:
                f.write(json.dumps(r) + "\n")
        print(f"{d}: {len(recs)} verified records ({time.perf_counter() - t:.0f} s)")


def cmd_train(args: argparse.Namespace) -> None:
    import numpy as np

    from models.moe import write_expert
    from models.moe.routing import format_shares
    from models.moe.train import (
        TrainConfig,
        fit_routers,
        load_base,
        routing_stats,
        train_expert,
    )

    base = load_base(_base(args), threads=args.threads)
    cfg = TrainConfig(steps=args.steps, batch=args.batch, layers=args.layers, rank=args.rank,
                      lr=args.lr, seed=args.seed, checkpoint_every=5,
                      checkpoint_dir=args.work / "ckpt", context_on_base=args.pipeline == "v2")
    experts = {}
    for d in args.domains:
        out = args.work / "experts" / f"{d}.lamx"
        if out.is_file() and not args.retrain:
            from models.moe import read_expert

            experts[d] = read_expert(out)
            print(f"{d}: kept {out}")
            continue
        experts[d] = train_expert(base, d, d, _records(args.work, d), cfg)
        experts[d].meta.file_sha256 = write_expert(experts[d], out)
        write_expert(experts[d], out)
    if args.base_expert:
        # a rank-0 copy of the base FFN takes the system prompt, exactly as in training
        from models.moe import base_copy_expert, base_info

        experts["base"] = base_copy_expert(base_info(_base(args)), "base", "system")
    layers = list(range(base.n_layer - cfg.layers, base.n_layer))
    feats = fit_routers(base, experts, {d: _records(args.work, d) for d in DOMAINS}, layers,
                        per_domain=args.router_records, context_to_base=args.pipeline == "v2")
    for d, e in experts.items():
        write_expert(e, args.work / "experts" / f"{d}.lamx")
    names = list(experts)
    rows = np.stack([experts[n].router for n in names])
    print(format_shares(routing_stats(rows, feats, names),
                        "routing estimated on the dense base's FFN inputs (share of tokens whose "
                        "top-1 expert is ..., over the expert layers):"))


def cmd_assemble(args: argparse.Namespace) -> None:
    from models.moe import assemble

    names = [*(["base"] if (args.work / "experts" / "base.lamx").is_file() else []), *DOMAINS]
    paths = {d: args.work / "experts" / f"{d}.lamx" for d in names}
    sets = {"moe": names}
    if args.without:
        sets[f"moe-minus-{args.without}"] = [d for d in names if d != args.without]
    for label, doms in sets.items():
        r = assemble(_base(args), [paths[d] for d in doms], args.work / f"{label}.gguf",
                     experts_used=args.top_k, expert_qtype=args.qtype)
        print(f"{label}: {', '.join(doms)} top-{args.top_k} {args.qtype}: "
              f"{r.size / 2**20:.0f} MiB, "
              f"{r.seconds:.1f} s, {r.exact_copies} exact / {r.requantized} re-quantized "
              f"tensors, sha256 {r.sha256[:16]}")


def cmd_soup(args: argparse.Namespace) -> None:
    """Each domain's expert averaged over the runs in ``--from`` (same data and pipeline, other
    seeds) into ``--work``; the base expert is taken from the first run."""
    import shutil

    from models.moe import average_experts, read_expert, write_expert

    runs = [Path(w) / "experts" for w in args.runs]
    (args.work / "experts").mkdir(parents=True, exist_ok=True)
    for d in DOMAINS:
        mean = average_experts([read_expert(r / f"{d}.lamx") for r in runs], name=d)
        write_expert(mean, args.work / "experts" / f"{d}.lamx")
        print(f"{d}: mean of {len(runs)} experts, rank {mean.meta.rank}")
    if (runs[0] / "base.lamx").is_file():
        shutil.copy(runs[0] / "base.lamx", args.work / "experts" / "base.lamx")


SHIPPED = Path(__file__).resolve().parent.parent / "models" / "moe" / "shipped"
REBUILD = ("export LAM_MODELS_DIR=~/.cache/lam/test-models; W='--work /tmp/lam-moe-ship --base "
           "qwen2.5-coder-0.5b'; python bench/bfcl.py --export-held /tmp/bfcl-held.txt && "
           "python bench/moe.py data --n 500 --dev --held /tmp/bfcl-held.txt $W && "
           "python bench/moe.py train --steps {steps} --layers 8 --threads 2 $W && "
           "python bench/moe.py assemble --top-k 1 $W && "
           "python bench/moe.py ship --top-k 1 --steps {steps} $W")


def ship(work: Path, to: Path, base: Path, *, default: bool, why: str, rebuild: str,
         top_k: int = 1, qtype: str = "fast") -> dict[str, object]:
    """Copy ``work``'s experts (the base expert first, then each domain's) into ``to`` and
    write its ``manifest.json`` (models/moe/shipped.py reads it): each file's SHA-256, the
    base's, and whether the MoE is the default planner with the figures that decided it."""
    import shutil

    from models._files import sha256_file
    from models.moe.expert import read_expert_meta

    base_sha = sha256_file(base)
    to.mkdir(parents=True, exist_ok=True)
    experts = []
    for name in ["base", *DOMAINS]:
        src = work / "experts" / f"{name}.lamx"
        meta = read_expert_meta(src, with_hash=False)
        if meta.base_sha256 != base_sha:
            raise SystemExit(f"{src} was trained on base {meta.base_sha256[:12]}, not {base}")
        shutil.copyfile(src, to / src.name)
        experts.append({"name": name, "domain": meta.domain, "file": src.name,
                        "sha256": sha256_file(to / src.name)})
    manifest: dict[str, object] = {
        "format": 1, "base": base.stem, "base_sha256": base_sha, "top_k": top_k, "qtype": qtype,
        "experts": experts, "default": default, "why": why, "rebuild": rebuild}
    (to / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def cmd_ship(args: argparse.Namespace) -> None:
    m = ship(args.work, args.to, _base(args), default=args.default, why=args.why,
             rebuild=REBUILD.format(steps=args.steps), top_k=args.top_k, qtype=args.qtype)
    print(f"{args.to}: {len(m['experts'])} experts, default {m['default']}")  # type: ignore


def cmd_route(args: argparse.Namespace) -> None:
    """Routing as llama.cpp computes it in each assembled model, on records the routers were
    not fitted on (each domain's records after the first ``--router-records``)."""
    from models.moe import read_manifest
    from models.moe.routing import RoutingProbe, format_shares, routing_shares

    held = {d: _records(args.work, d)[args.router_records:][-args.held_out:] for d in DOMAINS}
    for path in args.models or [args.work / "moe.gguf"]:
        names = [e["name"] for e in read_manifest(path)]
        t = time.perf_counter()
        with RoutingProbe(path, threads=args.threads) as probe:
            shares = routing_shares(probe, held, names)
        print(format_shares(shares, f"{Path(path).name}: routing in llama.cpp, "
                                    f"{args.held_out} held-out records per domain "
                                    f"({time.perf_counter() - t:.0f} s)"))


def _golden(model: str, split: str, threads: int, out: Path) -> dict[str, object]:
    """bench/golden.py in a fresh process (peak RSS measured by the OS)."""
    cmd = [sys.executable, str(Path(__file__).parent / "golden.py"), "--split", split,
           "--model", model, "--threads", str(threads), "--json"]
    t = time.perf_counter()
    proc = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], capture_output=True, text=True)
    report = json.loads(proc.stdout)
    report["peak_rss_mb"] = int(proc.stderr.strip().splitlines()[-1]) // 1024
    report["wall"] = time.perf_counter() - t
    out.write_text(json.dumps(report, indent=1))
    return report


def cmd_speed(args: argparse.Namespace) -> None:
    """llama.cpp's speed per token for each model, with the planner's settings (n_batch 512,
    flash attention): a 300-token prompt, an 80-token tail after it (what a request adds to
    the cached system prompt) and 60 tokens decoded one by one. Best of three."""
    from models.llama_backend import LlamaBackend

    models = args.models or ["qwen2.5-coder-0.5b", "moe"]
    print(f"{'model':<28}{'prompt 300':>14}{'tail 80':>12}{'decode':>12}   ms per token")
    for name in models:
        backend = LlamaBackend(_model_path(name), n_ctx=1024, threads=args.threads,
                               check_memory=False)
        llm = backend._llm
        text = "You are a planner. Choose the actions for the user's request. " * 40
        tokens = llm.tokenize(text.encode())[:400]
        best = [float("inf")] * 3
        for _ in range(3):
            llm.reset()
            spans = []
            for chunk in (tokens[:300], tokens[300:380]):
                t = time.perf_counter()
                llm.eval(chunk)
                spans.append((time.perf_counter() - t) / len(chunk))
            t = time.perf_counter()
            for tok in tokens[380:] + tokens[:40]:
                llm.eval([tok])
            spans.append((time.perf_counter() - t) / 60)
            best = [min(b, x * 1000) for b, x in zip(best, spans, strict=True)]
        backend.close()
        p = Path(name)
        label = f"{p.parent.name}/{p.stem}" if p.suffix == ".gguf" else name
        print(f"{label[-27:]:<28}{best[0]:>14.2f}{best[1]:>12.2f}{best[2]:>12.2f}")


def dense_control(base: Path, out: Path, qtype: str = "fast") -> Path:
    """The dense base with each FFN tensor stored as an MoE's expert tensors are in the
    ``qtype`` layout (``fast``: the Q5_0 gate/up of Qwen2.5-Coder-0.5B become Q4_0, the
    repackable Q4_K/Q6_K down tensors stay): the same model, the same storage as the MoE, no
    mixture. A speed-up from storage alone shows in this control, not only in the MoE."""
    import re

    import gguf
    import numpy as np
    from gguf import GGMLQuantizationType as Q

    from models.moe.quant import GgmlQuantizer, expert_tensor_type

    reader = gguf.GGUFReader(str(base))
    arch = str(reader.fields["general.architecture"].contents())
    writer = gguf.GGUFWriter(str(out) + ".tmp", arch)
    for name, f in reader.fields.items():
        if name.startswith("GGUF.") or name == "general.architecture":
            continue
        vtype = f.types[0]
        sub = f.types[-1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(name, f.contents(), vtype, sub_type=sub)
    writer.add_string("lam.control", f"dense base, FFN tensors stored as the {qtype} layout")
    quant = GgmlQuantizer()
    ffn = re.compile(r"blk\.\d+\.ffn_(gate|up|down)\.weight$")
    for t in reader.tensors:
        raw = np.asarray(t.data)
        src = Q(t.tensor_type)
        dst = Q[expert_tensor_type(qtype, src.name, False)] if ffn.match(t.name) else src
        if dst != src:
            dense = gguf.quants.dequantize(raw, src).astype(np.float32)
            raw = quant.quantize(dense, dst.name)
        writer.add_tensor(t.name, np.ascontiguousarray(raw), raw_dtype=dst)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    os.replace(str(out) + ".tmp", out)
    return out


def cmd_control(args: argparse.Namespace) -> None:
    out = dense_control(_base(args), args.work / f"dense-{args.qtype}.gguf", args.qtype)
    print(f"{out}: {out.stat().st_size / 2**20:.0f} MiB")


def cmd_bench(args: argparse.Namespace) -> None:
    """Each model on the golden ``--split`` in a fresh process, side by side. Without
    ``--models``: the dense default, the MoE of ``--work``, and the dense control in the MoE's
    storage (``$WORK/dense-fast.gguf``, built if missing)."""
    if args.models is None:
        control = args.work / f"dense-{args.qtype}.gguf"
        if not control.is_file():
            dense_control(_base(args), control, args.qtype)
        models = ["qwen2.5-coder-0.5b", str(args.work / "moe.gguf"), str(control)]
    else:
        models = args.models
    reports = {}
    for m in models:
        label = Path(m).stem if m.endswith(".gguf") else m
        reports[label] = _golden(m, args.split, args.threads,
                                 args.work / f"golden_{label}_{args.split}.json")
    print_side_by_side(reports)


def print_side_by_side(reports: dict[str, dict]) -> None:  # type: ignore[type-arg]
    labels = list(reports)
    print(f"{'':<22}" + "".join(f"{lab[:20]:>22}" for lab in labels))

    def row(name: str, fn) -> None:  # type: ignore[no-untyped-def]
        print(f"{name:<22}" + "".join(f"{fn(reports[lab]):>22}" for lab in labels))

    def acc(b: dict) -> str:  # type: ignore[type-arg]
        return f"{b['right']}/{b['n']} {b['accuracy']:.1%}"

    row("overall", lambda r: acc(r["total"]))
    for d in DOMAINS:
        row(f"  {d}", lambda r, d=d: acc(r["by_domain"][d]) if d in r["by_domain"] else "-")
    row("tier 1 (model)", lambda r: acc(r["by_tier"].get("tier 1", {"right": 0, "n": 0,
                                                                    "accuracy": 0.0})))
    row("tier 1 p50 s", lambda r: f"{r['latency'].get('tier 1', {}).get('p50', 0):.2f}")
    row("tier 0 p50 s", lambda r: f"{r['latency'].get('tier 0', {}).get('p50', 0):.2f}")
    row("model calls", lambda r: str(r.get("model_calls", "?")))
    row("wall s", lambda r: f"{r.get('wall', 0):.0f}")
    row("peak RSS MB", lambda r: str(r.get("peak_rss_mb", "?")))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("command", choices=["data", "train", "assemble", "route", "soup", "bench",
                                        "speed", "control", "ship"])
    ap.add_argument("--work", type=Path, default=Path("/tmp/lam-moe"))
    ap.add_argument("--domains", nargs="+", default=list(DOMAINS))
    ap.add_argument("--base", default="qwen2.5-coder-0.5b",
                    help="dense base in LAM_MODELS_DIR (smollm2-135m or qwen2.5-coder-0.5b)")
    ap.add_argument("--n", type=int, default=110)
    ap.add_argument("--steps", type=int, default=25)
    ap.add_argument("--batch", type=int, default=4)
    ap.add_argument("--layers", type=int, default=8)
    ap.add_argument("--rank", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0,
                    help="train: the LoRA initialisation and batch order (data is unchanged)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--router-records", type=int, default=20)
    ap.add_argument("--held-out", type=int, default=12,
                    help="route: records per domain (from the end of its data)")
    ap.add_argument("--retrain", action="store_true")
    ap.add_argument("--no-base-expert", dest="base_expert", action="store_false",
                    help="train: no rank-0 base expert for the system prompt (the general "
                         "expert takes it)")
    ap.add_argument("--dev", action="store_true",
                    help="data: add the golden dev split's literal cases (never the test split)")
    ap.add_argument("--held", nargs="*", default=[],
                    help="data: files of held-out requests, one a line (e.g. bench/bfcl.py "
                         "--export-held); a generated request sharing a run of words with them "
                         "or with the golden non-dev splits is dropped")
    ap.add_argument("--to", type=Path, default=SHIPPED,
                    help="ship: the folder to write (default models/moe/shipped)")
    ap.add_argument("--default", action="store_true",
                    help="ship: the MoE earned the default planner (issue #23 part 3)")
    ap.add_argument("--why", default="not measured yet",
                    help="ship: the measured figures that decided --default")
    ap.add_argument("--without", default=None, help="also assemble without this expert")
    ap.add_argument("--top-k", type=int, default=2)
    ap.add_argument("--qtype", default="fast",
                    help="expert tensor storage: fast (4-bit types llama.cpp repacks for "
                         "expert matmuls), exact (copies verbatim, deltas Q8_0) or a GGML type")
    ap.add_argument("--split", default="test")
    ap.add_argument("--models", nargs="*", default=None)
    ap.add_argument("--pipeline", choices=["v1", "v2"], default="v1",
                    help="train: v2 computes the context lines (entities in scope) with the "
                         "base FFN and routes them to the base expert; v1 trains the domain "
                         "experts on them and routes them with their record's domain (the "
                         "default here: 4 of 4 seeds beat the dense default, docs/moe.md)")
    ap.add_argument("--from", dest="runs", nargs="+", default=[],
                    help="soup: work folders of runs to average")
    args = ap.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    {"data": cmd_data, "train": cmd_train, "assemble": cmd_assemble, "route": cmd_route,
     "soup": cmd_soup, "bench": cmd_bench, "speed": cmd_speed,
     "control": cmd_control, "ship": cmd_ship}[args.command](args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
