"""`lam models experts` (list, add, remove, assemble) and `lam models learn`: mixture-of-experts
planners built from domain experts (see docs/moe.md).

`lam models learn` trains on the journal's done plans (`journal_examples`). The generated
per-domain training sets, checked through the planner pipeline, are evaluation-side code:
``bench.evaluation.training`` (used by bench/moe.py and the tests, never by lam).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from assistant.planner.prompt import to_wire

__all__ = [
    "experts_group",
    "journal_examples",
    "learn_command",
    "plugin_experts",
]


# -- training data from the journal ----------------------------------------------------------
def journal_examples(journal_path: str | os.PathLike[str],
                     specs: list[Any]) -> list[dict[str, str]]:
    """Training records from the journal's plans with status "done" (confirmed, possibly
    corrected by the user before running): the request and the plan as it ran."""
    from assistant.journal import Journal
    from assistant.planner.prompt import request_message, system_prompt

    system = system_prompt(specs)
    journal = Journal(Path(journal_path))
    out = []
    try:
        for row in _done_plans(journal):
            steps = [{"action": s.action, "args": _raw_args(s)} for s in row.plan.steps]
            if not steps:
                continue
            out.append({"system": system, "user": request_message(row.request, [], []),
                        "target": to_wire({"steps": steps}), "domain": "personal",
                        "request": row.request})
    finally:
        close = getattr(journal, "close", None)
        if close:
            close()
    return out


def _raw_args(step: Any) -> dict[str, Any]:
    """The arguments as the model should write them: the slot text a value was normalized
    from ("tomorrow at 9"), else the value."""
    out = {}
    for k, v in step.args.items():
        src = step.sources.get(k)
        text = getattr(src, "text", None)
        out[k] = text if isinstance(text, str) and text and isinstance(v, str) else v
    return out


def _done_plans(journal: Any) -> Iterable[Any]:
    return [r for r in journal.plans(limit=100_000) if r.status == "done"]


# -- plugin-shipped experts ------------------------------------------------------------------
def plugin_experts(plugin_dirs: dict[str, Path],
                   base_sha256: str) -> tuple[list[Any], list[Any]]:
    """Experts shipped by enabled plugins (``*.lamx`` files in the plugin's package folder,
    next to its actions): (verified experts, problems). See `models.moe.plugins`."""
    from models.moe.plugins import discover_plugin_experts

    return discover_plugin_experts(plugin_dirs, base_sha256)


# -- commands ---------------------------------------------------------------------------------
def _experts_dir() -> Path:
    from models.moe.registry import default_experts_dir

    return default_experts_dir()


@click.group("experts")
def experts_group() -> None:
    """Domain experts of the mixture-of-experts planner."""


@experts_group.command("list")
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="experts folder (default: $LAM_HOME/experts)")
@click.option("--json", "as_json", is_flag=True)
def list_cmd(directory: Path | None, as_json: bool) -> None:
    """List experts with provenance: domain, base model hash, data hash, created, file hash."""
    from models.moe.registry import ExpertStore

    store = ExpertStore(directory or _experts_dir())
    rows = store.list()
    if as_json:
        click.echo(json.dumps([m.as_dict() for m in rows], indent=1))
        return
    if not rows:
        click.echo(f"no experts in {store.root}")
        return
    click.echo(f"{'name':<14} {'domain':<10} {'rank':>4} {'base':<12} {'data':<12} "
               f"{'created':<19} file")
    for m in rows:
        click.echo(f"{m.name:<14} {m.domain:<10} {m.rank:>4} {m.base_sha256[:12]:<12} "
                   f"{(m.data_sha256 or '-')[:12]:<12} {m.created[:19]:<19} "
                   f"{m.file_sha256[:12]}")


@experts_group.command("rm")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None)
def rm_cmd(name: str, directory: Path | None) -> None:
    """Remove an expert (re-assemble the MoE afterwards)."""
    from models.moe.registry import ExpertStore

    path = ExpertStore(directory or _experts_dir()).remove(name)
    click.echo(f"removed {path}")


def _check_qtype(ctx: click.Context, param: click.Parameter, value: str) -> str:
    from models.errors import ModelError
    from models.moe.quant import check_expert_qtype

    try:
        return check_expert_qtype(value)
    except ModelError as exc:
        raise click.BadParameter(f"{exc.message} ({exc.hint})") from None


@experts_group.command("assemble")
@click.argument("base", type=click.Path(exists=True, path_type=Path))
@click.argument("out", type=click.Path(path_type=Path))
@click.option("--expert", "names", multiple=True, help="expert name (default: all)")
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None)
@click.option("--top-k", default=2, show_default=True)
@click.option("--qtype", default="fast", show_default=True, callback=_check_qtype,
              help="how expert FFN tensors are stored: fast (types llama.cpp repacks for "
                   "expert matmuls: faster on CPU), exact (copies verbatim, tensors with "
                   "deltas Q8_0) or a GGML type for all, e.g. Q8_0")
def assemble_cmd(base: Path, out: Path, names: tuple[str, ...], directory: Path | None,
                 top_k: int, qtype: str) -> None:
    """Assemble BASE + experts into the MoE GGUF OUT (seconds; nothing is retrained)."""
    from models.moe import assemble
    from models.moe.registry import ExpertStore

    store = ExpertStore(directory or _experts_dir())
    paths = [store.path(n) for n in names] if names else [m.path for m in store.list()]
    def progress(done: int, total: int) -> None:
        click.echo(f"\rassembling: layer {done}/{total}", nl=done == total, err=True)

    report = assemble(base, [p for p in paths if p is not None], out, experts_used=top_k,
                      expert_qtype=qtype, progress=progress)
    click.echo(f"{report.path}: {len(report.experts)} experts "
               f"({', '.join(m.name for m in report.experts)}), top-{report.experts_used}, "
               f"{qtype} ({report.exact_copies} tensors copied, {report.requantized} "
               f"re-quantized), "
               f"{report.size / 2**20:.0f} MiB, sha256 {report.sha256}, "
               f"{report.seconds:.1f} s")


@click.command("learn")
@click.option("--base", type=click.Path(exists=True, path_type=Path), required=True,
              help="dense base GGUF (the one the other experts were trained on)")
@click.option("--name", default="personal", show_default=True)
@click.option("--journal", "journal_path", type=click.Path(exists=True, path_type=Path),
              default=None, help="journal.sqlite (default: this lam home's)")
@click.option("--steps", default=60, show_default=True)
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None)
def learn_command(base: Path, name: str, journal_path: Path | None, steps: int,
                  directory: Path | None) -> None:
    """Train a personal expert from the journal's confirmed and corrected plans, locally."""
    from assistant.runtime import Runtime
    from models.moe.registry import ExpertStore
    from models.moe.train import TrainConfig, load_base, train_expert

    rt = Runtime()
    try:
        specs = [rt.registry.get(n) for n in rt.registry.names()]
        jp = journal_path or rt.paths.journal_db
        records = journal_examples(jp, specs)
    finally:
        rt.close()
    if not records:
        raise click.ClickException("the journal has no done plans to learn from")
    store = ExpertStore(directory or _experts_dir())
    cfg = TrainConfig(steps=steps, checkpoint_dir=store.root / ".work", checkpoint_every=10)
    base_model = load_base(base)
    expert = train_expert(base_model, name, "personal", records, cfg)
    expert.router = personal_router(base_model, records, cfg.layers)
    path = store.add_expert(expert)
    click.echo(f"learned {name} from {len(records)} plans -> {path}")
    click.echo("re-assemble to use it: lam models experts assemble BASE OUT")


def personal_router(base_model: Any, records: list[dict[str, str]], layers: int) -> Any:
    """Router rows of a personal expert: its requests and plans against generated requests of
    every domain, the system prompt and the context lines."""
    import numpy as np

    from assistant.planner.prompt import request_message
    from models.moe.data import DOMAINS, generate
    from models.moe.train import ffn_inputs, fit_router

    system = records[0]["system"]
    neg_recs = [{"system": system, "user": request_message(ex.request, [], []),
                 "target": to_wire(ex.target)}
                for d in DOMAINS for ex in generate(d, 8, seed=7)]
    top = list(range(base_model.n_layer - layers, base_model.n_layer))
    pos = ffn_inputs(base_model, records[:40], top, span="request")
    neg = ffn_inputs(base_model, neg_recs, top, with_prefix=True)
    rows = fit_router(pos, neg, base_model.n_layer, base_model.n_embd)
    return np.asarray(rows, dtype=np.float32)
