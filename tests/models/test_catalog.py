from __future__ import annotations

import re

import pytest

from models.catalog import CATALOG, HubSource, PypiSource, find_entry
from models.errors import ModelNotFound


def test_names_and_aliases_are_unique() -> None:
    keys = [k for e in CATALOG for k in (e.name, *e.aliases)]
    assert len(keys) == len(set(keys))


def test_default_is_qwen_coder_05b_with_pinned_hash() -> None:
    entry = find_entry("default")
    assert entry.name == "qwen2.5-coder-0.5b"
    assert entry.sha256 == "1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32"
    assert find_entry("Qwen2.5-Coder-0.5B") is entry


def test_pypi_parts_add_up_to_the_gguf_size() -> None:
    for entry in CATALOG:
        if entry.pypi is not None:
            assert entry.pypi.size == entry.size
            assert all(re.fullmatch(r"[0-9a-f]{64}", p.wheel_sha256 or "")
                       for p in entry.pypi.parts)
            assert re.fullmatch(r"[0-9a-f]{64}", entry.sha256 or "")


def test_moe_entries_are_hub_only_and_honest_about_hashes() -> None:
    moe = [e for e in CATALOG if e.moe]
    assert {e.name for e in moe} >= {"qwen3-30b-a3b", "gpt-oss-20b", "olmoe-1b-7b",
                                     "granite-3.1-3b-a800m", "lfm2-8b-a1b"}
    for e in moe:
        assert e.sha256 is None and e.size is None
        assert all(isinstance(s, HubSource) and s.sha256 is None for s in e.sources)
        assert "not verified" in e.notes
    assert not any(isinstance(s, PypiSource) for e in moe for s in e.sources)


def test_hub_url() -> None:
    hub = find_entry("gpt-oss-20b").hub
    assert hub is not None
    assert hub.url == ("https://huggingface.co/ggml-org/gpt-oss-20b-GGUF/resolve/main/"
                       "gpt-oss-20b-mxfp4.gguf")


def test_unknown_name_says_what_exists() -> None:
    with pytest.raises(ModelNotFound) as err:
        find_entry("gpt-5")
    assert err.value.hint and "qwen2.5-coder-0.5b" in err.value.hint
