"""The experts' generated training requests (`models.moe.data`): varied, free of held-out
evaluation text, and with the values the plan copies left exactly as the request says them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench.evaluation.training import held_out_grams, held_out_overlap
from models.moe.data import DOMAINS, generate


@pytest.mark.parametrize("domain", DOMAINS)
def test_each_domain_has_hundreds_of_distinct_requests(domain: str) -> None:
    # the old browser grammar ran out at 346 distinct requests
    assert len(generate(domain, 600)) == 600


def test_generated_requests_carry_no_held_out_names_or_objects() -> None:
    """Only generic phrasing may meet a held-out request by chance ("on friday at 10am to"),
    and rarely: the data pipeline drops those (`build_training_set(held=...)`)."""
    grams = held_out_grams()
    assert grams
    hits = []
    total = 0
    for d in DOMAINS:
        for ex in generate(d, 1500):
            total += 1
            hit = held_out_overlap(ex.request, grams)
            if hit:
                hits.append(hit)
    assert len(hits) < total * 0.02, sorted(set(hits))[:20]  # the old grammar: 3.8%


def test_the_overlap_check_finds_a_held_out_run() -> None:
    grams = held_out_grams()
    g, name = next(iter(grams.items()))
    text = "well " + " ".join(g) + " then"
    assert held_out_overlap(text, grams) == f"'{' '.join(g)}' from {name}"
    assert held_out_overlap("", grams) is None


ENTITY_REF = re.compile(r"^(contact:|link\d|field\d|email:|job-)")


def _values(args: dict[str, object]) -> list[str]:
    return [v for k, v in args.items() if isinstance(v, str) and k != "direction"
            and not ENTITY_REF.match(v)]


@pytest.mark.parametrize("domain", ["browser", "scheduler", "messaging"])
def test_values_the_plan_copies_stand_verbatim_in_the_request(domain: str) -> None:
    # typos and chatty wrappers change the words around the values, never the values
    examples = generate(domain, 800)
    for ex in examples:
        for step in ex.target["steps"]:
            for v in _values(step["args"]):
                assert v in ex.request, (ex.request, step)
    assert len({ex.request.split()[0].lower() for ex in examples}) > 15


def test_bench_data_leaves_out_dev_cases_that_share_held_out_text(tmp_path: Path) -> None:
    """`bench/moe.py data --dev`: a golden dev case sharing a run of words with a held-out
    request (here: the blind split) is not a training record."""
    import json

    from bench.evaluation.training import golden_dev_records
    from bench.moe import main

    main(["data", "--n", "0", "--dev", "--domains", "messaging", "--work", str(tmp_path)])
    recs = [json.loads(line) for line in (tmp_path / "data_messaging.jsonl").read_text()
            .splitlines()]
    grams = held_out_grams()
    assert recs and all(held_out_overlap(r["request"], grams) is None for r in recs)
    dev = golden_dev_records("messaging")
    assert len(recs) < len(dev)  # at least one dev case met blind text and was left out
