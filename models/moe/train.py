"""Expert training (needs the ``train`` extra: torch, transformers, accelerate).

The dense base is loaded from its GGUF by transformers (which dequantizes it) and frozen. An
expert is a low-rank delta (LoRA, rank ``r``) on ``gate_proj``/``up_proj``/``down_proj`` of the
top ``layers`` layers, trained on one domain's records only: the loss is on the plan tokens,
the input is exactly what the planner shows the model (chat template, system prompt, request).
The system prompt is the same for every record, so its KV cache is computed once with the
base and reused: a step only runs the request and plan tokens.

Router rows are fitted afterwards (`fit_router`): per layer, a one-vs-rest logistic regression
on the base model's FFN inputs — this expert's domain tokens against the other domains' tokens
and the system prompt — so an expert's rows do not depend on which other experts it is
assembled with.

Training is resumable: every ``checkpoint_every`` steps the deltas, optimizer and step are saved
in ``checkpoint_dir``; a run with the same data and config continues from there.
"""

from __future__ import annotations

import copy
import inspect
import json
import math
import os
import random
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np

from models.errors import ModelError
from models.moe.expert import Expert, ExpertMeta, data_hash
from models.moe.routing import CONTEXT, REQUEST_MARK

__all__ = ["CONTEXT", "REQUEST_MARK", "SYSTEM_PROMPT", "LoadedBase", "TrainConfig",
           "fit_router", "fit_routers", "load_base", "routing_stats", "train_expert"]

_HINT = "pip install 'lam-assistant[train]'"


def _torch() -> Any:
    try:
        import torch
        import transformers  # noqa: F401
    except ImportError as exc:
        raise ModelError("expert training needs torch and transformers", hint=_HINT) from exc
    return torch


@dataclass
class TrainConfig:
    rank: int = 8
    layers: int = 12
    """LoRA on the top ``layers`` layers only (the others stay exact copies of the base)."""
    steps: int = 80
    batch: int = 4
    lr: float = 1e-3
    alpha: float = 16.0
    seed: int = 0
    threads: int = 0
    checkpoint_every: int = 20
    checkpoint_dir: Path | None = None
    max_tokens: int = 160
    context_on_base: bool = True
    """The context lines before the request (entities in scope) are computed by the base FFN,
    as the system prompt is: at inference the base expert takes them, so training matches."""


@dataclass
class LoadedBase:
    model: Any
    tokenizer: Any
    path: Path
    sha256: str
    name: str
    n_layer: int
    n_embd: int
    n_ff: int
    prefix_cache: dict[str, Any]


def load_base(gguf_path: str | os.PathLike[str], threads: int = 0) -> LoadedBase:
    """The dense GGUF as a frozen float32 transformers model (+ its tokenizer)."""
    torch = _torch()
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from models._files import sha256_file
    from models.moe.assemble import base_info

    p = Path(gguf_path)
    info = base_info(p)
    if threads:
        torch.set_num_threads(threads)
    tok = AutoTokenizer.from_pretrained(str(p.parent), gguf_file=p.name)
    model = AutoModelForCausalLM.from_pretrained(str(p.parent), gguf_file=p.name,
                                                 dtype=torch.float32)
    model.eval()
    for prm in model.parameters():
        prm.requires_grad_(False)
    return LoadedBase(model=model, tokenizer=tok, path=p, sha256=info.sha256 or sha256_file(p),
                      name=info.name, n_layer=info.n_layer, n_embd=info.n_embd,
                      n_ff=info.n_ff, prefix_cache={})


# -- tokenization ---------------------------------------------------------------------------
def _split_prompt(tok: Any, system: str, user: str) -> tuple[str, str]:
    """(system part, rest up to the assistant turn) exactly as the chat template renders."""
    full = tok.apply_chat_template([{"role": "system", "content": system},
                                    {"role": "user", "content": user}],
                                   tokenize=False, add_generation_prompt=True)
    sys_only = tok.apply_chat_template([{"role": "system", "content": system}], tokenize=False)
    if not full.startswith(sys_only):
        raise ModelError("the chat template does not put the system prompt first")
    return sys_only, full[len(sys_only):]


def _encode(tok: Any, rec: dict[str, str], max_tokens: int) -> tuple[list[int], int, int]:
    """Token ids of (user turn + plan + end), where the plan starts, and how many of the ids
    are context lines before the request (`REQUEST_MARK`)."""
    _, rest = _split_prompt(tok, rec["system"], rec["user"])
    prompt = tok(rest, add_special_tokens=False)["input_ids"]
    end = tok.eos_token or "<|im_end|>"
    target = tok(rec["target"] + end, add_special_tokens=False)["input_ids"]
    ids = (prompt + target)[-max_tokens:]
    start = max(0, len(ids) - len(target))
    at = rest.rfind(REQUEST_MARK)
    context = len(tok(rest[:at], add_special_tokens=False)["input_ids"]) if at > 0 else 0
    cut = len(prompt) + len(target) - len(ids)  # tokens truncated from the front
    return ids, start, min(start, max(0, context - cut))


def _prefix(base: LoadedBase, system: str) -> tuple[Any, int]:
    """The KV cache of the system part (computed once per system prompt, with the base)."""
    torch = _torch()
    if system not in base.prefix_cache:
        sys_text, _ = _split_prompt(base.tokenizer, system, "x")
        ids = base.tokenizer(sys_text, add_special_tokens=False)["input_ids"]
        with torch.no_grad(), _lora_off(base.model):
            out = base.model(input_ids=torch.tensor([ids]), use_cache=True)
        cache = out["cache"] if "cache" in out else out["past_key_values"]
        base.prefix_cache[system] = (cache, len(ids))
    return base.prefix_cache[system]  # type: ignore[no-any-return]


# -- LoRA -----------------------------------------------------------------------------------
class _LoraState:
    enabled = True
    mask: Any = None
    """(batch, tokens, 1) 0/1: where the deltas apply (None: everywhere)."""


def _lora_module(torch: Any, linear: Any, rank: int, alpha: float, gen: Any) -> Any:
    nn = torch.nn

    class Lora(nn.Module):  # type: ignore[misc,name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.base = linear
            self.a = nn.Parameter(torch.randn(rank, linear.in_features, generator=gen) /
                                  math.sqrt(linear.in_features))
            self.b = nn.Parameter(torch.zeros(linear.out_features, rank))
            self.scale = alpha / rank

        def forward(self, x: Any) -> Any:
            y = self.base(x)
            if _LoraState.enabled:
                d = (x @ self.a.t()) @ self.b.t() * self.scale
                y = y + (d if _LoraState.mask is None else d * _LoraState.mask)
            return y

    return Lora()


_PARTS = {"ffn_gate": "gate_proj", "ffn_up": "up_proj", "ffn_down": "down_proj"}


def _layers(model: Any) -> Any:
    return model.model.layers


def _attach(base: LoadedBase, cfg: TrainConfig) -> dict[tuple[int, str], Any]:
    torch = _torch()
    gen = torch.Generator().manual_seed(cfg.seed)
    mods: dict[tuple[int, str], Any] = {}
    layers = _layers(base.model)
    for li in range(base.n_layer - cfg.layers, base.n_layer):
        mlp = layers[li].mlp
        for part, attr in _PARTS.items():
            lin = getattr(mlp, attr)
            lin = getattr(lin, "base", lin)
            mod = _lora_module(torch, lin, cfg.rank, cfg.alpha, gen)
            setattr(mlp, attr, mod)
            mods[(li, part)] = mod
    return mods


def _detach(base: LoadedBase) -> None:
    for layer in _layers(base.model):
        for attr in _PARTS.values():
            mod = getattr(layer.mlp, attr)
            if hasattr(mod, "base"):
                setattr(layer.mlp, attr, mod.base)


class _lora_off:
    def __init__(self, model: Any) -> None:
        self.model = model

    def __enter__(self) -> None:
        self.prev = _LoraState.enabled
        _LoraState.enabled = False

    def __exit__(self, *exc: object) -> None:
        _LoraState.enabled = self.prev


# -- training -------------------------------------------------------------------------------
def _batch(torch: Any, items: list[tuple[list[int], int, int]], pad: int
           ) -> tuple[Any, Any, Any, Any]:
    """Inputs, labels (plan tokens), attention mask, and where the deltas apply (from the
    request on) for items (ids, plan start, context tokens)."""
    n = max(len(ids) for ids, _, _ in items)
    inp = torch.full((len(items), n), pad, dtype=torch.long)
    labels = torch.full((len(items), n), -100, dtype=torch.long)
    mask = torch.zeros((len(items), n), dtype=torch.long)
    lora = torch.zeros((len(items), n, 1))
    for i, (ids, start, n_context) in enumerate(items):
        inp[i, :len(ids)] = torch.tensor(ids)
        mask[i, :len(ids)] = 1
        labels[i, start:len(ids)] = torch.tensor(ids[start:])
        lora[i, n_context:len(ids)] = 1.0
    return inp, labels, mask, lora


def _cache_kwarg(model: Any) -> str:
    """``cache`` (transformers 5.2x) or ``past_key_values`` (earlier 5.x)."""
    params = inspect.signature(model.forward).parameters
    return "cache" if "cache" in params else "past_key_values"


def _forward(base: LoadedBase, system: str, inp: Any, mask: Any) -> Any:
    torch = _torch()
    cache, plen = _prefix(base, system)
    past = copy.deepcopy(cache)
    if inp.shape[0] > 1:
        past.batch_repeat_interleave(inp.shape[0])
    full_mask = torch.cat([torch.ones((inp.shape[0], plen), dtype=torch.long), mask], dim=1)
    pos = torch.arange(plen, plen + inp.shape[1]).unsqueeze(0).expand(inp.shape[0], -1)
    out = base.model.model(input_ids=inp, attention_mask=full_mask, position_ids=pos,
                           use_cache=True, **{_cache_kwarg(base.model.model): past})
    return out.last_hidden_state


def _loss(torch: Any, base: LoadedBase, hidden: Any, labels: Any) -> Any:
    """Cross-entropy on the plan tokens; the LM head only runs at those positions."""
    target = labels[:, 1:]
    keep = target != -100
    logits = base.model.lm_head(hidden[:, :-1][keep])
    return torch.nn.functional.cross_entropy(logits, target[keep])


def train_expert(base: LoadedBase | str | os.PathLike[str], name: str, domain: str,
                 records: Sequence[dict[str, str]], cfg: TrainConfig | None = None,
                 log: Callable[[str], None] | None = None) -> Expert:
    """Train one expert's deltas on ``records`` (dicts with system, user, target). The router
    rows are zero: fit them with `fit_router`."""
    torch = _torch()
    cfg = cfg or TrainConfig()
    log = log or (lambda s: print(s, file=sys.stderr, flush=True))
    if not isinstance(base, LoadedBase):
        base = load_base(base, cfg.threads)
    if not records:
        raise ModelError(f"no training records for {name}")
    systems = {r["system"] for r in records}
    dhash = data_hash([json.dumps(r, sort_keys=True) for r in records])
    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    encoded = []
    for r in records:
        ids, start, n_context = _encode(base.tokenizer, r, cfg.max_tokens)
        encoded.append(((ids, start, n_context if cfg.context_on_base else 0), r["system"]))
    mods = _attach(base, cfg)
    params = [p for m in mods.values() for p in (m.a, m.b)]
    opt = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    start_step = 0
    order: list[int] = []  # the rest of the current pass over the records (checkpointed)
    ckpt = (cfg.checkpoint_dir / f"{name}.pt") if cfg.checkpoint_dir else None
    conf_key = json.dumps({**asdict(cfg), "checkpoint_dir": None, "data": dhash,
                           "base": base.sha256}, sort_keys=True, default=str)
    if ckpt is not None and ckpt.is_file():
        state = torch.load(ckpt, weights_only=False)
        if state.get("conf") == conf_key:
            for key, m in mods.items():
                m.a.data.copy_(state["lora"][f"{key[0]}.{key[1]}.a"])
                m.b.data.copy_(state["lora"][f"{key[0]}.{key[1]}.b"])
            opt.load_state_dict(state["opt"])
            start_step = int(state["step"])
            rng.setstate(state["rng"])
            order = list(state.get("order", []))
            log(f"[{name}] resumed from {ckpt} at step {start_step}")
        else:
            log(f"[{name}] checkpoint {ckpt} is for other data/config: starting over")
    pad = base.tokenizer.pad_token_id or 0
    started = time.perf_counter()
    try:
        for step in range(start_step, cfg.steps):
            lr = cfg.lr * min(1.0, (step + 1) / 5) * (0.5 + 0.5 * math.cos(
                math.pi * step / max(1, cfg.steps)))
            for g in opt.param_groups:
                g["lr"] = lr
            if len(order) < cfg.batch:
                order += rng.sample(range(len(encoded)), len(encoded))
            idx, order = order[:cfg.batch], order[cfg.batch:]
            by_sys: dict[str, list[tuple[list[int], int, int]]] = {}
            for i in idx:
                by_sys.setdefault(encoded[i][1], []).append(encoded[i][0])
            opt.zero_grad()
            total = 0.0
            for system, items in by_sys.items():
                inp, labels, mask, lora_mask = _batch(torch, items, pad)
                _LoraState.mask = lora_mask
                try:
                    hidden = _forward(base, system, inp, mask)
                finally:
                    _LoraState.mask = None
                loss = _loss(torch, base, hidden, labels) * len(items) / len(idx)
                loss.backward()
                total += float(loss.detach())
            opt.step()
            done = step + 1
            rate = (time.perf_counter() - started) / max(1, done - start_step)
            log(f"[{name}] step {done}/{cfg.steps} loss {total:.4f} lr {lr:.2e} "
                f"{rate:.1f} s/step, eta {rate * (cfg.steps - done):.0f} s")
            if ckpt is not None and (done % cfg.checkpoint_every == 0 or done == cfg.steps):
                ckpt.parent.mkdir(parents=True, exist_ok=True)
                tmp = ckpt.with_suffix(".tmp")
                torch.save({"conf": conf_key, "step": done, "opt": opt.state_dict(),
                            "rng": rng.getstate(), "order": list(order),
                            "lora": {f"{k[0]}.{k[1]}.{h}": getattr(m, h).detach().clone()
                                     for k, m in mods.items() for h in ("a", "b")}}, tmp)
                os.replace(tmp, ckpt)
        lora = {key: (m.a.detach().numpy().astype(np.float32).copy(),
                      (m.b.detach() * m.scale).numpy().astype(np.float32).copy())
                for key, m in mods.items()}
    finally:
        _detach(base)
    meta = ExpertMeta(name=name, domain=domain, base_sha256=base.sha256, data_sha256=dhash,
                      created=time.strftime("%Y-%m-%dT%H:%M:%S"), n_layer=base.n_layer,
                      n_embd=base.n_embd, n_ff=base.n_ff, rank=cfg.rank,
                      base_name=base.name, examples=len(records), steps=cfg.steps,
                      note=f"lora top-{cfg.layers} layers, {len(systems)} system prompt(s)"
                           + (", context on the base" if cfg.context_on_base else ""))
    return Expert(meta=meta, router=np.zeros((base.n_layer, base.n_embd), dtype=np.float32),
                  lora=lora)


# -- routers --------------------------------------------------------------------------------
Span = Literal["all", "request", "context"]


def ffn_inputs(base: LoadedBase, records: Sequence[dict[str, str]], layers: Sequence[int],
               *, with_prefix: bool = False, span: Span = "all",
               max_tokens: int = 160) -> dict[int, Any]:
    """The base model's FFN inputs (post-attention RMS norm = llama.cpp's ffn_norm output) at
    ``layers`` for the user-turn and plan tokens of ``records`` (``span``: all of them, only
    the request and plan, or only the context lines before the request) and, with
    ``with_prefix``, for the system prompt tokens: layer -> (tokens, n_embd) float32 array."""
    torch = _torch()
    feats: dict[int, list[Any]] = {li: [] for li in layers}
    hooks = []
    current: dict[str, Any] = {}
    for li in layers:
        def hook(_m: Any, _inp: Any, out: Any, li: int = li) -> None:
            current[f"{li}"] = out.detach()
        hooks.append(_layers(base.model)[li].post_attention_layernorm.register_forward_hook(hook))
    try:
        with torch.no_grad():
            if with_prefix:
                for system in {r["system"] for r in records}:
                    sys_text, _ = _split_prompt(base.tokenizer, system, "x")
                    ids = base.tokenizer(sys_text, add_special_tokens=False)["input_ids"]
                    base.model(input_ids=torch.tensor([ids]))
                    for li in layers:
                        feats[li].append(current[f"{li}"][0].numpy())
            for r in records:
                ids, _, cut = _encode(base.tokenizer, r, max_tokens)
                part = (slice(0, None) if span == "all" else
                        slice(cut, None) if span == "request" else slice(0, cut))
                inp = torch.tensor([ids])
                _forward(base, r["system"], inp, torch.ones_like(inp))
                for li in layers:
                    feats[li].append(current[f"{li}"][0][part].numpy())
    finally:
        for h in hooks:
            h.remove()
    return {li: np.concatenate(v).astype(np.float32) for li, v in feats.items()}


def fit_router(pos: dict[int, Any], neg: dict[int, Any], n_layer: int, n_embd: int, *,
               iters: int = 150, l2: float = 1e-3, target_logit: float = 4.0) -> Any:
    """Router rows (n_layer, n_embd): per layer a logistic regression (no bias) of ``pos``
    against ``neg`` features, rescaled so the median positive logit is ``target_logit``.
    Layers without features keep a zero row."""
    torch = _torch()
    rows = np.zeros((n_layer, n_embd), dtype=np.float32)
    for li, p in pos.items():
        rows[li] = _logreg(torch, p, neg[li], iters, l2, target_logit)
    return rows


def _logreg(torch: Any, p: Any, n: Any, iters: int, l2: float, target_logit: float) -> Any:
    x = torch.tensor(np.concatenate([p, n]))
    y = torch.cat([torch.ones(len(p)), torch.zeros(len(n))])
    wpos = torch.tensor(len(n) / max(1, len(p)))
    w = torch.zeros(x.shape[1], requires_grad=True)
    opt = torch.optim.LBFGS([w], max_iter=iters, line_search_fn="strong_wolfe")
    scale = x.std()
    xs = x / scale

    def closure() -> Any:
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(
            xs @ w, y, pos_weight=wpos) + l2 * (w * w).sum()
        loss.backward()
        return loss

    opt.step(closure)
    with torch.no_grad():
        med = float((xs[: len(p)] @ w).median())
        k = target_logit / med if med > 0 else 1.0
        return (w / scale * k).numpy()


SYSTEM_PROMPT = "system prompt"
"""The routing-statistics row of the system prompt's tokens."""



def fit_routers(base: LoadedBase, experts: dict[str, Expert],
                records: dict[str, Sequence[dict[str, str]]], layers: Sequence[int], *,
                per_domain: int = 20, context_to_base: bool = True) -> dict[str, dict[int, Any]]:
    """Fit every expert's router rows in place: an expert's own domain's request and plan
    tokens (the first ``per_domain`` records of ``records[domain]``) against every other
    domain's, the system prompt's and the context lines' (entities in scope, which every
    domain's prompts carry alike). An expert whose domain is ``system`` (a `base_copy_expert`)
    takes the system prompt and the context lines; without one, the ``general`` expert does.
    With ``context_to_base=False`` (pipeline v1, for experts trained with
    ``TrainConfig.context_on_base=False``) the context lines count as their record's domain's
    tokens and only the system prompt is shared.
    Returns the features used, by domain, `SYSTEM_PROMPT` and `CONTEXT` (for
    `routing_stats`)."""
    picked = {d: list(recs)[:per_domain] for d, recs in records.items()}
    span: Span = "request" if context_to_base else "all"
    feats = {d: ffn_inputs(base, recs, layers, span=span) for d, recs in picked.items()}
    system = ffn_inputs(base, next(iter(picked.values()))[:1], layers, with_prefix=True,
                        span="context")
    context = ffn_inputs(base, [r for recs in picked.values() for r in recs[:5]], layers,
                         span="context")
    shared = ({li: np.concatenate([system[li], context[li]]) for li in layers}
              if context_to_base else system)
    has_base = any(e.meta.domain == "system" for e in experts.values())
    for e in experts.values():
        dom = e.meta.domain
        if dom == "system":
            pos, negs = shared, list(feats.values())
        else:
            if dom not in feats:
                raise ModelError(f"no records of domain {dom!r} to fit expert "
                                 f"{e.meta.name!r}'s router on")
            pos = dict(feats[dom])
            negs = [f for d, f in feats.items() if d != dom]
            if dom == "general" and not has_base:
                pos = {li: np.concatenate([pos[li], shared[li]]) for li in layers}
            else:
                negs.append(shared)
        neg = {li: np.concatenate([n[li] for n in negs]) for li in layers}
        e.router = fit_router(pos, neg, base.n_layer, base.n_embd)
    return {**feats, SYSTEM_PROMPT: system, CONTEXT: context}


def routing_stats(rows: Any, feats_by_domain: dict[str, dict[int, Any]],
                  names: list[str], top_k: int = 2) -> dict[str, dict[str, float]]:
    """Share of each domain's tokens (over layers) whose top-1 expert is each expert."""
    out: dict[str, dict[str, float]] = {}
    for dom, feats in feats_by_domain.items():
        counts = np.zeros(len(names))
        total = 0
        for li, f in feats.items():
            logits = f @ rows[:, li, :].T
            top = logits.argmax(axis=1)
            counts += np.bincount(top, minlength=len(names))
            total += len(top)
        out[dom] = {n: float(c / max(1, total)) for n, c in zip(names, counts, strict=True)}
    return out
