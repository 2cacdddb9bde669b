"""`RoutingProbe` reads llama.cpp's router logits: on an MoE of exact base copies whose only
router rows are +v and -v in one layer, that layer alone is reported, every token goes to one
of those two experts, and swapping the rows swaps every token's expert."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from models.errors import BackendError
from models.moe import assemble, base_copy_expert, base_info
from models.moe.routing import CONTEXT, RoutingProbe, routing_shares

pytestmark = [pytest.mark.model]

SYSTEM = "You plan actions."
USER = 'In scope:\nlink-1 "Home"\nlink-2 "Pricing"\nRequest: open the second link'
ANSWER = '[{"open_link": {"link": "link-2"}}]'


def _moe(smollm2: Path, out: Path, sign: float) -> Path:
    info = base_info(smollm2)
    experts = [base_copy_expert(info, f"e{i}") for i in range(3)]
    v = np.random.default_rng(0).standard_normal(info.n_embd).astype(np.float32)
    experts[1].router[3] = sign * v
    experts[2].router[3] = -sign * v
    return assemble(smollm2, experts, out, experts_used=1).path


def test_probe_reads_each_layers_router(smollm2: Path, tmp_path: Path) -> None:
    routes = {}
    for sign in (1.0, -1.0):
        with RoutingProbe(_moe(smollm2, tmp_path / f"moe{sign}.gguf", sign), n_ctx=1024) as p:
            routes[sign], n_context = p.route(SYSTEM, USER, ANSWER)
            shares = routing_shares(p, {"browser": [{"system": SYSTEM, "user": USER,
                                                     "target": ANSWER}]}, ["e0", "e1", "e2"])
        assert set(routes[sign]) == {3}  # the layers without router rows are left out
        assert 0 < n_context < len(routes[sign][3])
        assert set(routes[sign][3].tolist()) == {1, 2}
        assert shares["browser"]["e0"] == 0.0 and shares[CONTEXT]["e0"] == 0.0
        assert abs(sum(shares["browser"].values()) - 1.0) < 1e-9
    np.testing.assert_array_equal(routes[1.0][3], 3 - routes[-1.0][3])


def test_probe_refuses_a_dense_model(smollm2: Path) -> None:
    with pytest.raises(BackendError, match="not a mixture-of-experts"):
        RoutingProbe(smollm2)
