"""Trained experts on SmolLM2-135M (torch: the ``train`` extra, installed by the test command).

One expert per domain is trained on that domain's generated, verifier-accepted records only;
the routers are fitted; the assembled MoE is loaded by llama.cpp, and its routing is read from
llama.cpp itself (router logits, layer by layer) on held-out requests: each domain's request
and plan tokens go mostly to that domain's expert, the prompt's shared context to the base.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pytest

from models.moe import Expert, assemble, base_copy_expert, base_info, read_manifest

pytestmark = [pytest.mark.model, pytest.mark.slow, pytest.mark.timeout(1800)]

DOMAINS = ("browser", "scheduler", "messaging", "general")
HELD_OUT = 6


@dataclass
class Trained:
    experts: dict[str, Expert]
    logs: dict[str, list[str]]
    cfg: object
    base: object
    held_out: dict[str, list[dict[str, str]]]
    train: dict[str, list[dict[str, str]]]


def _losses(log: list[str]) -> list[float]:
    return [float(line.split(" loss ")[1].split()[0]) for line in log if " loss " in line]


@pytest.fixture(scope="module")
def trained(smollm2: Path, tmp_path_factory: pytest.TempPathFactory) -> Trained:
    from bench.evaluation.training import build_training_set
    from models.moe.train import TrainConfig, fit_routers, load_base, train_expert

    started = time.perf_counter()
    train = {d: build_training_set(d, 40, seed=0, progress=False) for d in DOMAINS}
    seen = {r["request"] for recs in train.values() for r in recs}
    held = {d: [r for r in build_training_set(d, 30, seed=11, progress=False)
                if r["request"] not in seen][:HELD_OUT] for d in DOMAINS}
    for d in DOMAINS:
        assert len(train[d]) >= 10 and len(held[d]) == HELD_OUT, (d, len(train[d]))
        assert {r["domain"] for r in train[d]} == {d}
    print(f"\ndata: {time.perf_counter() - started:.0f} s")
    base = load_base(smollm2, threads=2)
    print(f"base loaded: {time.perf_counter() - started:.0f} s")
    cfg = TrainConfig(steps=12, batch=4, layers=6, rank=4, lr=3e-3, checkpoint_every=6,
                      checkpoint_dir=tmp_path_factory.mktemp("ckpt"))
    experts: dict[str, Expert] = {}
    logs: dict[str, list[str]] = {}
    for d in DOMAINS:
        logs[d] = []
        experts[d] = train_expert(base, d, d, train[d], cfg, log=logs[d].append)
        print(f"{d} trained: {time.perf_counter() - started:.0f} s; {logs[d][-1]}")
    experts["base"] = base_copy_expert(base_info(smollm2), "base", "system")
    layers = list(range(base.n_layer - cfg.layers, base.n_layer))
    fit_routers(base, experts, train, layers)
    print(f"routers fitted: {time.perf_counter() - started:.0f} s")
    return Trained(experts=experts, logs=logs, cfg=cfg, base=base, held_out=held, train=train)


def test_each_expert_lowers_its_domain_loss(trained: Trained) -> None:
    for d in DOMAINS:
        losses = _losses(trained.logs[d])
        assert len(losses) == 12, trained.logs[d]
        first, last = np.mean(losses[:3]), np.mean(losses[-3:])
        print(f"{d}: loss {first:.3f} -> {last:.3f}")
        assert last < 0.7 * first, (d, losses)
        e = trained.experts[d]
        assert e.meta.examples == len(trained.train[d]) and e.meta.domain == d
        touched = {li for li, _ in e.lora}
        assert touched == set(range(e.meta.n_layer - 6, e.meta.n_layer))
        assert any(np.abs(e.delta(li, "ffn_down")).max() > 0 for li in touched)  # type: ignore[arg-type]


def test_interrupted_training_resumes_to_the_same_expert(trained: Trained, smollm2: Path,
                                                         tmp_path: Path) -> None:
    from models.moe.train import TrainConfig, train_expert

    cfg = replace(trained.cfg, checkpoint_dir=tmp_path)  # type: ignore[type-var]
    assert isinstance(cfg, TrainConfig)
    records = trained.train["scheduler"]

    def stop_after_checkpoint(line: str) -> None:
        if "step 8/" in line:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        train_expert(trained.base, "sched", "scheduler", records, cfg,  # type: ignore[arg-type]
                     log=stop_after_checkpoint)
    log: list[str] = []
    resumed = train_expert(trained.base, "sched", "scheduler", records, cfg,  # type: ignore[arg-type]
                           log=log.append)
    assert any("resumed from" in line and "at step 6" in line for line in log), log
    assert len(_losses(log)) == 6
    whole = trained.experts["scheduler"]
    for key, (a, b) in whole.lora.items():
        np.testing.assert_allclose(resumed.lora[key][0], a, rtol=1e-4, atol=1e-6)
        np.testing.assert_allclose(resumed.lora[key][1], b, rtol=1e-4, atol=1e-6)


def test_llama_cpp_routes_each_domain_to_its_own_expert(trained: Trained, smollm2: Path,
                                                        tmp_path: Path) -> None:
    from models.moe.routing import CONTEXT, RoutingProbe, format_shares, routing_shares

    order = ["base", *DOMAINS]
    report = assemble(smollm2, [trained.experts[n] for n in order], tmp_path / "moe.gguf",
                      experts_used=1)
    names = [e["name"] for e in read_manifest(report.path)]
    assert names == order
    with RoutingProbe(report.path, n_ctx=4096) as probe:
        shares = routing_shares(probe, trained.held_out, names)
    print("\n" + format_shares(shares, "routing in llama.cpp, held-out requests (share of "
                                       "tokens whose top-1 expert is ...):"))
    for d in DOMAINS:
        own = shares[d][d]
        assert own > 0.5 and own == max(shares[d].values()), (d, shares[d])
    assert shares[CONTEXT]["base"] > 0.5, shares[CONTEXT]

    # opt-out: without the browser expert the other domains keep their own experts
    minus = assemble(smollm2, [trained.experts[n] for n in order if n != "browser"],
                     tmp_path / "moe-minus-browser.gguf", experts_used=1)
    kept = [e["name"] for e in read_manifest(minus.path)]
    with RoutingProbe(minus.path, n_ctx=4096) as probe:
        after = routing_shares(probe, {d: trained.held_out[d] for d in DOMAINS
                                       if d != "browser"}, kept)
    print(format_shares(after, "without the browser expert:"))
    for d in ("scheduler", "messaging", "general"):
        assert abs(after[d][d] - shares[d][d]) < 0.1, (d, shares[d], after[d])


def test_lam_models_learn_trains_a_removable_personal_expert(
        smollm2: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The journal's done plans become a personal expert, trained here; it is listed with its
    provenance, assembles with the base, and is removed like any other expert."""
    from click.testing import CliRunner

    from actions.plan import Plan, Step
    from assistant.cli.main import cli
    from assistant.journal import Journal
    from models.moe import read_expert

    monkeypatch.setenv("LAM_HOME", str(tmp_path / "home"))
    journal = Journal(tmp_path / "journal.sqlite")
    for what, hour in [("water the ferns", 8), ("call the plumber", 9), ("pay rent", 10)]:
        plan = Plan(request=f"remind me to {what} tomorrow at {hour}", steps=[Step(
            action="set_reminder", args={"text": what, "when": f"tomorrow at {hour}"})])
        journal.end_plan(journal.begin_plan(plan, "cli"), "done")
    journal.close()
    experts = tmp_path / "experts"
    runner = CliRunner()
    r = runner.invoke(cli, ["models", "learn", "--base", str(smollm2), "--journal",
                            str(tmp_path / "journal.sqlite"), "--steps", "3",
                            "--dir", str(experts)], catch_exceptions=False)
    print(r.output)
    assert r.exit_code == 0 and "learning personal from 2 of your plans" in r.output
    assert "learned personal ->" in r.output
    listed = runner.invoke(cli, ["models", "experts", "list", "--dir", str(experts), "--json"])
    rows = json.loads(listed.output)
    assert [(m["name"], m["domain"], m["examples"]) for m in rows] == [("personal", "personal", 2)]
    assert rows[0]["base_sha256"] == base_info(smollm2).sha256
    e = read_expert(experts / "personal.lamx")
    assert e.lora and np.abs(e.router).max() > 0
    moe = assemble(smollm2, [base_copy_expert(base_info(smollm2), "base", "system"), e],
                   tmp_path / "moe.gguf", experts_used=1)
    assert [m["name"] for m in read_manifest(moe.path)] == ["base", "personal"]
    r = runner.invoke(cli, ["models", "experts", "rm", "personal", "--dir", str(experts)])
    assert r.exit_code == 0 and not (experts / "personal.lamx").exists()
