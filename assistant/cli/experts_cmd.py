"""`lam models experts` (list, add, remove, assemble) and `lam models learn`: mixture-of-experts
planners built from domain experts (see docs/moe.md).

`lam models learn` trains on the journal's done plans (`journal_examples`). The generated
per-domain training sets, checked through the planner pipeline, are evaluation-side code:
``bench.evaluation.training`` (used by bench/moe.py and the tests, never by lam).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import click

from assistant.cli.common import echo_json, options_of, runtime_from
from assistant.planner.prompt import to_wire

__all__ = [
    "assemble_shipped_moe",
    "experts_group",
    "held_out_accuracy",
    "journal_examples",
    "learn_command",
    "plugin_experts",
    "split_recent",
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
def _experts_dir(ctx: click.Context | None = None) -> Path:
    from models.moe.registry import default_experts_dir

    return default_experts_dir(options_of(ctx).home if ctx is not None else None)


@click.group("experts")
def experts_group() -> None:
    """Domain experts of the mixture-of-experts planner."""


@experts_group.command("list")
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="experts folder (default: your experts, $LAM_HOME/experts, and the "
                   "experts shipped with lam)")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def list_cmd(ctx: click.Context, directory: Path | None, as_json: bool) -> None:
    """List experts with provenance: where from (shipped with lam, or yours), domain, base
    model hash, data hash, created, file hash. Shipped experts you removed are marked."""
    from models.moe.registry import ExpertStore

    store = ExpertStore(directory or _experts_dir(ctx))
    rows: list[tuple[Any, str]] = [(m, "yours") for m in store.list()]
    if directory is None:
        rows += _shipped_rows(store.root, {m.name for m, _ in rows})
    if as_json:
        click.echo(json.dumps([{**m.as_dict(), "source": src} for m, src in rows], indent=1))
        return
    if not rows:
        click.echo(f"no experts in {store.root}" if directory is not None else
                   f"no experts: none are shipped with this lam, and none of yours in "
                   f"{store.root}")
        return
    click.echo(f"{'name':<14} {'from':<16} {'domain':<10} {'rank':>4} {'base':<12} "
               f"{'data':<12} {'created':<19} file")
    for m, src in rows:
        click.echo(f"{m.name:<14} {src:<16} {m.domain:<10} {m.rank:>4} {m.base_sha256[:12]:<12} "
                   f"{(m.data_sha256 or '-')[:12]:<12} {m.created[:19]:<19} "
                   f"{m.file_sha256[:12]}")


def _shipped_rows(experts_dir: Path, mine: set[str]) -> list[tuple[Any, str]]:
    """The shipped experts (a file of yours with the same name replaces one)."""
    from models.errors import ModelError
    from models.moe.expert import read_expert_meta
    from models.moe.shipped import read_shipped, removed_shipped, shipped_dir

    try:
        manifest = read_shipped()
    except ModelError as exc:
        click.echo(f"shipped experts: {exc.message}", err=True)
        return []
    if manifest is None:
        return []
    removed = removed_shipped(experts_dir)
    rows: list[tuple[Any, str]] = []
    for e in manifest.experts:
        if e.name in mine:
            continue
        try:
            meta = read_expert_meta(shipped_dir() / e.file)
        except ModelError as exc:
            click.echo(f"shipped expert {e.name}: {exc.message} ({manifest.rebuild_hint()})",
                       err=True)
            continue
        rows.append((meta, "shipped, removed" if e.name in removed else "shipped"))
    return rows


@experts_group.command("rm")
@click.argument("name")
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="remove from this folder only (nothing is re-assembled)")
@click.pass_context
def rm_cmd(ctx: click.Context, name: str, directory: Path | None) -> None:
    """Remove an expert. One of yours is deleted; one shipped with lam is recorded as removed
    (in your experts folder) and stays removed. The MoE planner is re-assembled without it."""
    from models.errors import ModelNotFound
    from models.moe.registry import ExpertStore
    from models.moe.shipped import read_shipped, removed_shipped, set_removed

    if directory is not None:
        path = ExpertStore(directory).remove(name)
        click.echo(f"removed {path}")
        return
    runtime = runtime_from(ctx)
    store = ExpertStore(_experts_dir(ctx))
    manifest = read_shipped()
    shipped = {e.name for e in manifest.experts} if manifest else set()
    mine = store.root / f"{name}.lamx"
    if mine.is_file():
        mine.unlink()
        click.echo(f"removed {mine}")
    elif name in shipped:
        if name in removed_shipped(store.root):
            click.echo(f"{name}: already removed")
        else:
            set_removed(store.root, name, True)
            click.echo(f"removed the shipped expert {name} (for you; "
                       f"`lam models experts restore {name}` brings it back)")
    else:
        raise ModelNotFound(f"no expert named {name!r} (yours: {store.root}; shipped: "
                            f"{', '.join(sorted(shipped)) or 'none'})",
                            hint="see `lam models experts list`")
    _reassemble(runtime)


@experts_group.command("restore")
@click.argument("name")
@click.pass_context
def restore_cmd(ctx: click.Context, name: str) -> None:
    """Bring back a shipped expert you removed (the MoE planner is re-assembled with it)."""
    from models.errors import ModelNotFound
    from models.moe.shipped import read_shipped, removed_shipped, set_removed

    runtime = runtime_from(ctx)
    root = _experts_dir(ctx)
    manifest = read_shipped()
    if manifest is None or name not in {e.name for e in manifest.experts}:
        raise ModelNotFound(f"no shipped expert named {name!r}",
                            hint="see `lam models experts list`")
    if name not in removed_shipped(root):
        click.echo(f"{name}: not removed")
    else:
        set_removed(root, name, False)
        click.echo(f"restored the shipped expert {name}")
    _reassemble(runtime)


def _reassemble(runtime: Any) -> None:
    assemble_shipped_moe(runtime)
    if runtime.config.lam.model or runtime.planner_choice().moe:
        click.echo(f"planner: {runtime.planner_choice().line()}")


def assemble_shipped_moe(runtime: Any, *, quiet: bool = False) -> Any:
    """Assemble the MoE from the shipped experts (less those the user removed, plus theirs)
    onto the pulled base when they earned the default (`models.moe.shipped.assemble_planner`),
    with progress on stderr; a skip is one line saying why. Not when the user set
    ``[lam] model`` (their model plans). Returns what was assembled, or None. Bad or missing
    shipped files raise ModelError (its hint: how to rebuild them)."""
    from models.moe.registry import default_experts_dir
    from models.moe.shipped import assemble_planner

    if runtime.model_set_by_user():
        if not quiet:
            click.echo(f"MoE: skipped: [lam] model is set by you "
                       f"({runtime.config.lam.model or 'none'})", err=True)
        return None
    built, line = assemble_planner(
        models_dir=runtime.paths.models_dir, data_dir=runtime.paths.data_dir,
        experts_dir=default_experts_dir(runtime.options.home), n_ctx=runtime.config.lam.context,
        progress=_LayerProgress("MoE: assembling"))
    if built is None or not built.already or not quiet:
        click.echo(f"MoE: {line if built else 'skipped: ' + line}", err=True)
    runtime.planner_choice(refresh=True)  # choose again, with the file as it is now
    return built


class _LayerProgress:
    """``LABEL: layer i/n`` on a terminal (one line, rewritten), every 25% otherwise."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.tty = sys.stderr.isatty()
        self.step = -1

    def __call__(self, done: int, total: int) -> None:
        pct = done * 100 // max(total, 1)
        if self.tty:
            click.echo(f"\r{self.label}: layer {done}/{total} {pct:3d}%", err=True,
                       nl=done == total)
        elif pct // 25 != self.step:
            self.step = pct // 25
            click.echo(f"{self.label}: layer {done}/{total} ({pct}%)", err=True)


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
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None,
              help="experts folder (default: yours and the shipped ones you kept, for BASE)")
@click.option("--top-k", default=2, show_default=True)
@click.option("--qtype", default="fast", show_default=True, callback=_check_qtype,
              help="how expert FFN tensors are stored: fast (types llama.cpp repacks for "
                   "expert matmuls: faster on CPU), exact (copies verbatim, tensors with "
                   "deltas Q8_0) or a GGML type for all, e.g. Q8_0")
def assemble_cmd(base: Path, out: Path, names: tuple[str, ...], directory: Path | None,
                 top_k: int, qtype: str) -> None:
    """Assemble BASE + experts into the MoE GGUF OUT (seconds; nothing is retrained). Without
    --dir: the experts shipped with lam that you kept, and yours, trained on BASE."""
    from models.errors import ModelNotFound
    from models.moe import assemble
    from models.moe.registry import ExpertStore

    store = ExpertStore(directory or _experts_dir())
    paths: list[Path | None]
    if directory is None:
        found = _available_experts(store.root, base, True)
        missing = [n for n in names if n not in found]
        if missing:
            raise ModelNotFound(f"no expert named {', '.join(missing)} for {base.name} "
                                f"(there are: {', '.join(found) or 'none'})",
                                hint="see `lam models experts list`")
        paths = [found[n] for n in names] if names else list(found.values())
    else:
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
@click.option("--base", type=click.Path(exists=True, path_type=Path), default=None,
              help="dense base GGUF (default: the shipped experts' base, else [lam] model)")
@click.option("--name", default="personal", show_default=True)
@click.option("--journal", "journal_path", type=click.Path(exists=True, path_type=Path),
              default=None, help="journal.sqlite (default: this lam home's)")
@click.option("--steps", default=60, show_default=True)
@click.option("--held-out", "held_out", default=0.2, show_default=True,
              type=click.FloatRange(0.05, 0.5),
              help="share of your most recent plans kept out of training to measure on")
@click.option("--dir", "directory", type=click.Path(path_type=Path), default=None)
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@click.pass_context
def learn_command(ctx: click.Context, base: Path | None, name: str, journal_path: Path | None,
                  steps: int, held_out: float, directory: Path | None, as_json: bool) -> None:
    """Train a personal expert from your journal's confirmed and corrected plans, locally
    (opt-in: only when you run this). Your most recent plans (--held-out, 20%) are kept out of
    training; the planner's accuracy on them is printed before and after."""
    import tempfile

    from models.moe.registry import ExpertStore
    from models.moe.train import TrainConfig, load_base, train_expert

    runtime = runtime_from(ctx)
    specs = [runtime.registry.get(n) for n in runtime.registry.names()]
    records = journal_examples(journal_path or runtime.paths.journal_db, specs)
    if len(records) < 2:
        raise click.ClickException(
            f"the journal has {len(records)} done plan(s); learning needs at least 2 (one to "
            "train on, one to measure on)")
    train, held = split_recent(records, held_out)
    base_path = base or _learn_base(runtime)
    store = ExpertStore(directory or _experts_dir(ctx))
    others = _other_experts(store.root, base_path, name, directory is None)
    say = (lambda line: click.echo(line, err=True)) if as_json else click.echo
    say(f"learning {name} from {len(train)} of your plans; measuring on the {len(held)} most "
        f"recent, kept out of training")
    threads = runtime.config.lam.threads
    n_ctx = runtime.config.lam.context
    with tempfile.TemporaryDirectory(prefix="lam-learn-") as tmp:
        before_model = _eval_model(base_path, others, None, Path(tmp) / "before.gguf")
        before = held_out_accuracy(before_model, held, specs, n_ctx=n_ctx, threads=threads)
        say(f"before: {_score(before)} on your {len(held)} most recent requests "
            f"({_model_label(others)})")
        cfg = TrainConfig(steps=steps, checkpoint_dir=store.root / ".work", checkpoint_every=10,
                          threads=threads)
        base_model = load_base(base_path, threads)
        expert = train_expert(base_model, name, "personal", train, cfg,
                              log=lambda line: click.echo(line, err=True))
        expert.router = personal_router(base_model, train, cfg.layers)
        after_model = _eval_model(base_path, others, expert, Path(tmp) / "after.gguf")
        after = held_out_accuracy(after_model, held, specs, n_ctx=n_ctx, threads=threads)
        say(f"after:  {_score(after)} on the same requests (with {name})")
    path = store.add_expert(expert)
    say(f"learned {name} -> {path}")
    if directory is None:
        assemble_shipped_moe(runtime, quiet=True)
        choice = runtime.planner_choice()
        if choice.moe and name in choice.experts:
            say(f"planner: {choice.line()}")
        else:
            say("it plans once an MoE uses it: `lam models experts assemble BASE OUT` "
                "(docs/moe.md)")
    if as_json:
        echo_json({"expert": str(path), "trained_on": len(train),
                   "held_out": [r["request"] for r in held],
                   "before": _figures(before), "after": _figures(after)})


def split_recent(records: list[dict[str, str]], share: float = 0.2,
                 ) -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """(training records, held-out records): ``records`` come newest first (as the journal
    lists them); the newest ``share`` (at least one) is held out."""
    k = min(len(records) - 1, max(1, round(len(records) * share)))
    return records[k:], records[:k]


def held_out_accuracy(model_path: Path, records: list[dict[str, str]], specs: list[Any], *,
                      n_ctx: int = 4096, threads: int = 0) -> list[dict[str, Any]]:
    """Each held-out record planned by the model at ``model_path`` (greedy, the planner's
    output schema): the request, the plan it wrote and whether it is the plan that ran
    (same actions in order, same arguments)."""
    from assistant.planner.prompt import from_wire, plan_schema
    from models.llama_backend import LlamaBackend

    schema = plan_schema(specs, {}, max_steps=6)
    backend = LlamaBackend(model_path, n_ctx=n_ctx, threads=threads)
    out = []
    try:
        for r in records:
            completion = backend.chat([{"role": "system", "content": r["system"]},
                                       {"role": "user", "content": r["user"]}],
                                      schema=schema, max_tokens=192, temperature=0.0)
            try:
                got = from_wire(completion.text)["steps"]
            except ValueError:
                got = None
            out.append({"request": r["request"], "plan": completion.text,
                        "right": got is not None and _same(got, from_wire(r["target"])["steps"])})
    finally:
        backend.close()
    return out


def _same(a: list[dict[str, Any]], b: list[dict[str, Any]]) -> bool:
    def norm(steps: list[dict[str, Any]]) -> list[tuple[str, dict[str, str]]]:
        return [(s["action"], {k: " ".join(str(v).lower().split())
                               for k, v in (s.get("args") or {}).items()}) for s in steps]
    return bool(b) and norm(a) == norm(b)


def _score(cases: list[dict[str, Any]]) -> str:
    right = sum(c["right"] for c in cases)
    return f"{right}/{len(cases)} right ({100 * right / max(len(cases), 1):.0f}%)"


def _figures(cases: list[dict[str, Any]]) -> dict[str, Any]:
    return {"right": sum(c["right"] for c in cases), "total": len(cases), "cases": cases}


def _learn_base(runtime: Any) -> Path:
    """The shipped experts' base when experts are shipped, else the configured model."""
    from models.moe.shipped import read_shipped
    from models.store import ModelStore

    manifest = read_shipped()
    store = ModelStore(runtime.paths.models_dir)
    return store.resolve(manifest.base if manifest else runtime.config.lam.model)


def _available_experts(root: Path, base_path: Path, with_shipped: bool) -> dict[str, Path]:
    """Experts for this base by name, in router order: the shipped ones you kept (with
    ``with_shipped``), then your own (a file of yours replaces a shipped one of its name)."""
    from models.moe.assemble import base_info
    from models.moe.shipped import read_shipped, removed_shipped, shipped_dir, user_experts

    sha = base_info(base_path).sha256
    found: dict[str, Path] = {}
    manifest = read_shipped() if with_shipped else None
    if manifest is not None and manifest.base_sha256 == sha:
        gone = removed_shipped(root)
        found.update({e.name: shipped_dir() / e.file for e in manifest.experts
                      if e.name not in gone})
    found.update(user_experts(root, sha))
    return found


def _other_experts(root: Path, base_path: Path, name: str, with_shipped: bool) -> list[Path]:
    """The experts the personal one joins (same base): the shipped ones you kept and your own,
    less any earlier expert of this name."""
    found = _available_experts(root, base_path, with_shipped)
    found.pop(name, None)
    return list(found.values())


def _model_label(others: list[Path]) -> str:
    return f"the MoE of {len(others)} experts" if len(others) >= 2 else "the dense base"


def _eval_model(base_path: Path, others: list[Path], expert: Any, out: Path) -> Path:
    """The planner to measure: the dense base, or the MoE of ``others`` (+ ``expert``; with a
    rank-0 copy of the base when there is nothing else to pair it with)."""
    from models.moe.assemble import assemble, base_copy_expert, base_info

    parts: list[Any] = list(others)
    if expert is None and len(parts) < 2:
        return base_path
    if expert is not None:
        if not parts:
            parts.append(base_copy_expert(base_info(base_path), "base", "general"))
        parts.append(expert)
    assemble(base_path, parts, out, experts_used=1, expert_qtype="fast")
    return out


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
