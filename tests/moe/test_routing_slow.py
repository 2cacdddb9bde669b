"""A trained-expert MoE routes each domain's requests mostly to its own expert.

Needs the ``train`` extra (torch) and experts trained by ``bench/moe.py train`` in
``$LAM_MOE_WORK`` (default /tmp/lam-moe); skipped otherwise. The requests are fresh ones
(another seed than the training data), run through the real planner pipeline."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.model]

DOMAINS = ("browser", "scheduler", "messaging", "general")


def test_each_domain_goes_mostly_to_its_own_expert(smollm2: Path) -> None:
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    work = Path(os.environ.get("LAM_MOE_WORK", "/tmp/lam-moe"))
    paths = {d: work / "experts" / f"{d}.lamx" for d in DOMAINS}
    if not all(p.is_file() for p in paths.values()):
        pytest.skip(f"no trained experts in {work} (run bench/moe.py train)")
    from assistant.cli.experts_cmd import build_training_set
    from models.moe import read_expert
    from models.moe.train import ffn_inputs, load_base, routing_stats

    experts = [read_expert(paths[d]) for d in DOMAINS]
    layers = sorted({li for e in experts for (li, _) in e.lora})
    base = load_base(smollm2, threads=1)
    feats = {}
    for d in DOMAINS:
        recs = build_training_set(d, 8, seed=99, progress=False)
        feats[d] = ffn_inputs(base, recs, layers)
    rows = np.stack([e.router for e in experts])
    stats = routing_stats(rows, feats, list(DOMAINS))
    print("\ntop-1 expert share per domain (rows: tokens of; columns: expert)")
    for d, row in stats.items():
        print(f"{d:<10} " + " ".join(f"{n}={v:.0%}" for n, v in row.items()))
    for d in DOMAINS:
        assert stats[d][d] > 0.5, (d, stats[d])
