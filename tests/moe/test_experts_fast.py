"""Expert files, assembly, plugin discovery and the experts CLI on a tiny GGUF (no torch,
no llama.cpp: fast)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from gguf import GGUFReader

from models.errors import ModelCorrupt, ModelError
from models.moe import (
    Expert,
    assemble,
    average_experts,
    base_copy_expert,
    base_info,
    read_expert,
    read_expert_meta,
    read_manifest,
    write_expert,
)
from models.moe.plugins import discover_plugin_experts
from models.moe.registry import ExpertStore
from tests.models.tiny_gguf import N_EMBD, N_FF, N_LAYER, write_tiny_gguf


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_tiny_gguf(tmp_path / "tiny.gguf")


def _trained(tiny: Path, name: str, domain: str, seed: int) -> Expert:
    base = base_info(tiny)
    e = base_copy_expert(base, name, domain)
    rng = np.random.default_rng(seed)
    e.meta.rank = 2
    e.meta.data_sha256 = "d" * 64
    e.router = rng.standard_normal((N_LAYER, N_EMBD)).astype(np.float32)
    for part, (out_d, in_d) in {"ffn_gate": (N_FF, N_EMBD), "ffn_up": (N_FF, N_EMBD),
                                "ffn_down": (N_EMBD, N_FF)}.items():
        e.lora[(1, part)] = (rng.standard_normal((2, in_d)).astype(np.float32),
                             rng.standard_normal((out_d, 2)).astype(np.float32))
    return e


def test_expert_file_round_trip(tiny: Path, tmp_path: Path) -> None:
    e = _trained(tiny, "web", "browser", 0)
    sha = write_expert(e, tmp_path / "web.lamx")
    back = read_expert(tmp_path / "web.lamx")
    assert back.meta.file_sha256 == sha and back.meta.domain == "browser"
    assert back.meta.base_sha256 == base_info(tiny).sha256
    np.testing.assert_array_equal(back.router, e.router)
    d0, d1 = e.delta(1, "ffn_down"), back.delta(1, "ffn_down")
    assert d0 is not None and d1 is not None
    np.testing.assert_allclose(d1, d0)
    assert read_expert_meta(tmp_path / "web.lamx").name == "web"


def test_average_of_experts_is_the_mean_delta(tiny: Path, tmp_path: Path) -> None:
    runs = [_trained(tiny, "web", "browser", seed) for seed in (0, 1, 2)]
    mean = average_experts(runs)
    assert mean.meta.rank == 6 and mean.meta.domain == "browser"
    for part in ("ffn_gate", "ffn_up", "ffn_down"):
        want = np.mean([r.delta(1, part) for r in runs], axis=0)
        got = mean.delta(1, part)
        assert got is not None
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(mean.router, np.mean([r.router for r in runs], axis=0))
    # it is an ordinary expert file: written, read back, assembled
    write_expert(mean, tmp_path / "mean.lamx")
    back = read_expert(tmp_path / "mean.lamx")
    np.testing.assert_allclose(back.delta(1, "ffn_up"), mean.delta(1, "ffn_up"))  # type: ignore[arg-type]
    write_expert(_trained(tiny, "mail", "messaging", 3), tmp_path / "mail.lamx")
    assemble(tiny, [tmp_path / "mean.lamx", tmp_path / "mail.lamx"], tmp_path / "moe.gguf",
             experts_used=1)
    with pytest.raises(ValueError, match="cannot be averaged"):
        average_experts([runs[0], _trained(tiny, "mail", "messaging", 3)])


def test_assembly_places_experts_and_routers(tiny: Path, tmp_path: Path) -> None:
    experts = [_trained(tiny, "web", "browser", 1), base_copy_expert(base_info(tiny), "gen"),
               _trained(tiny, "mail", "messaging", 2)]
    r = assemble(tiny, experts, tmp_path / "moe.gguf", experts_used=2, expert_qtype="F32")
    assert [m["name"] for m in read_manifest(r.path)] == ["web", "gen", "mail"]
    t = {x.name: x for x in GGUFReader(str(r.path)).tensors}
    src = {x.name: x for x in GGUFReader(str(tiny)).tensors}
    assert "blk.0.ffn_gate.weight" not in t
    gate_inp = np.asarray(t["blk.1.ffn_gate_inp.weight"].data)
    np.testing.assert_array_equal(gate_inp[0], experts[0].router[1])
    np.testing.assert_array_equal(gate_inp[2], experts[2].router[1])
    down = np.asarray(t["blk.1.ffn_down_exps.weight"].data)
    base_down = np.asarray(src["blk.1.ffn_down.weight"].data)
    assert down.shape == (3, N_EMBD, N_FF)
    np.testing.assert_allclose(down[1], base_down)  # the copy is the base
    np.testing.assert_allclose(down[0], base_down + experts[0].delta(1, "ffn_down"),
                               rtol=1e-5, atol=1e-5)
    # layer 0 has no deltas: the base bytes, copied verbatim
    np.testing.assert_array_equal(np.asarray(t["blk.0.ffn_up_exps.weight"].data)[2],
                                  np.asarray(src["blk.0.ffn_up.weight"].data))
    assert r.exact_copies == 3 and r.requantized == 3


def test_assembly_refuses_an_expert_of_another_base(tiny: Path, tmp_path: Path) -> None:
    e = _trained(tiny, "web", "browser", 0)
    e.meta.base_sha256 = "0" * 64
    with pytest.raises(ModelError, match="trained on base"):
        assemble(tiny, [e, base_copy_expert(base_info(tiny), "gen")], tmp_path / "x.gguf")


def test_remove_and_add_back_is_a_reassembly(tiny: Path, tmp_path: Path) -> None:
    store = ExpertStore(tmp_path / "experts")
    for i, (n, d) in enumerate([("web", "browser"), ("sched", "scheduler"),
                                ("mail", "messaging")]):
        store.add_expert(_trained(tiny, n, d, i))
    assert [m.name for m in store.list()] == ["mail", "sched", "web"]
    full = assemble(tiny, [m.path for m in store.list()], tmp_path / "a.gguf")  # type: ignore
    saved = (store.root / "web.lamx").read_bytes()
    store.remove("web")
    minus = assemble(tiny, [m.path for m in store.list()], tmp_path / "b.gguf")  # type: ignore
    assert [m["name"] for m in read_manifest(minus.path)] == ["mail", "sched"]
    (store.root / "web.lamx").write_bytes(saved)
    again = assemble(tiny, [m.path for m in store.list()], tmp_path / "c.gguf")  # type: ignore
    assert again.sha256 == full.sha256


def test_plugin_experts_are_verified(tiny: Path, tmp_path: Path) -> None:
    base = base_info(tiny)
    good, other, broken = (tmp_path / p for p in ("good", "other", "broken"))
    for d in (good, other, broken):
        d.mkdir()
    sha = write_expert(_trained(tiny, "web", "browser", 0), good / "web.lamx")
    (good / "experts.sha256").write_text(f"{sha}  web.lamx\n")
    wrong = _trained(tiny, "x", "browser", 0)
    wrong.meta.base_sha256 = "1" * 64
    write_expert(wrong, other / "x.lamx")
    (broken / "bad.lamx").write_bytes(b"GGUF" + b"\0" * 40)
    tampered = tmp_path / "tampered"
    tampered.mkdir()
    write_expert(_trained(tiny, "t", "browser", 3), tampered / "t.lamx")
    (tampered / "experts.sha256").write_text(f"{'f' * 64}  t.lamx\n")
    experts, problems = discover_plugin_experts(
        {"good": good, "other": other, "broken": broken, "tampered": tampered}, base.sha256)
    assert [e.meta.name for e in experts] == ["web"]
    reasons = {p.plugin: p.reason for p in problems}
    assert set(reasons) == {"other", "broken", "tampered"}
    assert "trained on base" in reasons["other"]
    assert "does not match" in reasons["tampered"]


def test_corrupt_expert_is_a_typed_error(tmp_path: Path, tiny: Path) -> None:
    p = tmp_path / "t.lamx"
    write_expert(_trained(tiny, "w", "browser", 0), p)
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelCorrupt):
        read_expert(p)


def test_experts_list_command(tiny: Path, tmp_path: Path) -> None:
    from assistant.cli.experts_cmd import experts_group

    store = ExpertStore(tmp_path / "ex")
    store.add_expert(_trained(tiny, "web", "browser", 0))
    res = CliRunner().invoke(experts_group, ["list", "--dir", str(store.root)])
    assert res.exit_code == 0, res.output
    assert "web" in res.output and "browser" in res.output
    res = CliRunner().invoke(experts_group, ["list", "--dir", str(store.root), "--json"])
    row = json.loads(res.output)[0]
    assert {"domain", "base_sha256", "data_sha256", "created", "file_sha256"} <= set(row)
    res = CliRunner().invoke(experts_group, ["rm", "web", "--dir", str(store.root)])
    assert res.exit_code == 0 and store.list() == []


def test_experts_assemble_command(tiny: Path, tmp_path: Path) -> None:
    from assistant.cli.experts_cmd import experts_group

    store = ExpertStore(tmp_path / "ex")
    store.add_expert(_trained(tiny, "web", "browser", 0))
    store.add_expert(_trained(tiny, "mail", "messaging", 1))
    out = tmp_path / "moe.gguf"
    res = CliRunner().invoke(experts_group, ["assemble", str(tiny), str(out), "--dir",
                                             str(store.root), "--qtype", "F32"])
    assert res.exit_code == 0, res.output
    assert "2 experts (mail, web)" in res.output
    assert [m["name"] for m in read_manifest(out)] == ["mail", "web"]


def test_experts_assemble_command_stores_experts_fast_by_default(tiny: Path,
                                                                 tmp_path: Path) -> None:
    from assistant.cli.experts_cmd import experts_group

    store = ExpertStore(tmp_path / "ex")
    store.add_expert(_trained(tiny, "web", "browser", 0))
    store.add_expert(_trained(tiny, "mail", "messaging", 1))
    out = tmp_path / "moe.gguf"
    res = CliRunner().invoke(experts_group, ["assemble", str(tiny), str(out), "--dir",
                                             str(store.root)])
    assert res.exit_code == 0, res.output
    assert "top-2, fast (" in res.output
    assert f"assembling: layer {N_LAYER}/{N_LAYER}" in res.output
    res = CliRunner().invoke(experts_group, ["assemble", str(tiny), str(out), "--dir",
                                             str(store.root), "--qtype", "Q9_9"])
    assert res.exit_code == 2
    assert "unknown expert tensor type 'Q9_9'" in res.output and "exact or fast" in res.output


def test_assemble_refuses_an_unknown_tensor_type_before_writing(tiny: Path,
                                                                tmp_path: Path) -> None:
    experts = [_trained(tiny, "web", "browser", 0), _trained(tiny, "mail", "messaging", 1)]
    out = tmp_path / "out" / "moe.gguf"
    with pytest.raises(ModelError, match="unknown expert tensor type 'Q9_9'"):
        assemble(tiny, experts, out, expert_qtype="Q9_9")
    assert not out.parent.exists()
