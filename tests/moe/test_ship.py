"""bench/moe.py ship writes the shipped-experts folder as models/moe/shipped.py reads it (the
contract of issue #23: experts, their hashes, the base's hash, default and why)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.errors import ModelCorrupt


def test_ship_writes_a_manifest_models_moe_shipped_verifies(smollm2: Path,
                                                             tmp_path: Path) -> None:
    from bench.moe import DOMAINS, ship
    from models.moe import base_copy_expert, base_info, write_expert
    from models.moe.shipped import read_shipped, verify_shipped

    info = base_info(smollm2)
    work = tmp_path / "work"
    for name in ["base", *DOMAINS]:
        write_expert(base_copy_expert(info, name, "system" if name == "base" else name),
                     work / "experts" / f"{name}.lamx")
    to = tmp_path / "shipped"
    ship(work, to, smollm2, default=False, why="dense 1/2 vs moe 1/2", rebuild="make it")
    manifest = read_shipped(to)
    assert manifest is not None
    assert [e.name for e in manifest.experts] == ["base", *DOMAINS]
    assert manifest.base_sha256 == info.sha256 and manifest.top_k == 1
    assert (manifest.default, manifest.why, manifest.rebuild) == (False, "dense 1/2 vs moe 1/2",
                                                                  "make it")
    assert len(verify_shipped(manifest, to, base_sha256=info.sha256)) == 5
    # a file that changed after shipping no longer verifies
    (to / "browser.lamx").write_bytes((to / "browser.lamx").read_bytes() + b"x")
    with pytest.raises(ModelCorrupt):
        verify_shipped(manifest, to)
    assert json.loads((to / "manifest.json").read_text())["format"] == 1
