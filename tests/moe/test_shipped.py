"""Shipped experts as users meet them (issue #23 parts 2 and 4): found and checked by hash,
assembled by `lam models prepare`, chosen as the planner only when the manifest says so and the
memory estimate fits, named by `lam doctor`, removed (and restored) per user with the MoE
re-assembled and loaded by real llama.cpp without the removed expert.

The experts here are made in tmp folders (rank-0 copies of SmolLM2-135M, or of a tiny GGUF),
never the files in models/moe/shipped/.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from models.errors import ModelCorrupt, ModelNotFound
from models.moe import base_copy_expert, base_info, read_manifest, write_expert
from models.moe.shipped import (
    assemble_planner,
    choose_planner,
    planner_paths,
    read_shipped,
    removed_shipped,
    set_removed,
    verify_shipped,
)
from tests.models.tiny_gguf import write_tiny_gguf

NAMES = ("base", "browser", "scheduler", "messaging", "general")
WHY = "blind 61/72 vs dense 57/72, every domain at least equal"
REBUILD = "python bench/moe.py train --out models/moe/shipped"


def make_shipped(folder: Path, base: Path, *, base_name: str = "smollm2-135m",
                 default: bool = True, names: tuple[str, ...] = NAMES) -> Path:
    """Rank-0 experts of ``base`` (distinct router rows) and their manifest in ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    info = base_info(base)
    rng = np.random.default_rng(0)
    rows = []
    for name in names:
        e = base_copy_expert(info, name, "general" if name == "base" else name)
        e.router = rng.standard_normal(e.router.shape).astype(np.float32) * 0.01
        sha = write_expert(e, folder / f"{name}.lamx")
        rows.append({"name": name, "domain": e.meta.domain, "file": f"{name}.lamx",
                     "sha256": sha})
    (folder / "manifest.json").write_text(json.dumps({
        "format": 1, "base": base_name, "base_sha256": info.sha256, "top_k": 1,
        "qtype": "fast", "experts": rows, "default": default, "why": WHY,
        "rebuild": REBUILD}))
    return folder


def models_dir(dest: Path, source: Path, *names: str) -> Path:
    """A models folder with the named catalog models linked from the test-model cache."""
    dest.mkdir(parents=True, exist_ok=True)
    for name in names:
        for suffix in (".gguf", ".gguf.lam.json"):
            (dest / f"{name}{suffix}").symlink_to((source / f"{name}{suffix}").resolve())
    return dest


# -- the manifest and the hash checks (tiny GGUF: no store, no llama.cpp) ------------------------
def test_shipped_files_are_checked_by_hash_and_say_how_to_rebuild(tmp_path: Path) -> None:
    tiny = write_tiny_gguf(tmp_path / "tiny.gguf")
    folder = make_shipped(tmp_path / "shipped", tiny, base_name="tiny")
    manifest = read_shipped(folder)
    assert manifest is not None and manifest.default and manifest.rebuild == REBUILD
    assert [p.name for p in verify_shipped(manifest, folder)] == [f"{n}.lamx" for n in NAMES]
    assert read_shipped(tmp_path / "nothing-shipped") is None

    # the pulled base is not the one the experts were trained on
    with pytest.raises(ModelCorrupt, match="trained on tiny") as err:
        verify_shipped(manifest, folder, base_sha256="0" * 64)
    assert REBUILD in (err.value.hint or "")

    # a damaged file (one byte changed), then a missing one
    data = bytearray((folder / "browser.lamx").read_bytes())
    data[-1] ^= 1
    (folder / "browser.lamx").write_bytes(bytes(data))
    with pytest.raises(ModelCorrupt, match=r"shipped expert browser: .* SHA-256") as err:
        verify_shipped(manifest, folder)
    assert REBUILD in (err.value.hint or "")
    (folder / "browser.lamx").unlink()
    with pytest.raises(ModelNotFound, match=r"browser\.lamx is missing") as missing:
        verify_shipped(manifest, folder)
    assert REBUILD in (missing.value.hint or "")

    (folder / "manifest.json").write_text("{not json")
    with pytest.raises(ModelCorrupt, match="not a shipped-experts manifest"):
        read_shipped(folder)


def test_a_removed_shipped_expert_is_recorded_in_the_users_folder(tmp_path: Path) -> None:
    experts = tmp_path / "home" / "experts"
    assert removed_shipped(experts) == set()
    set_removed(experts, "browser", True)
    set_removed(experts, "general", True)
    set_removed(experts, "general", False)
    assert removed_shipped(experts) == {"browser"}
    assert json.loads((experts / "removed.json").read_text()) == {"removed": ["browser"]}


# -- the choice of planner and the assembly (SmolLM2 base; no model is loaded) --------------------
@pytest.fixture
def world(tmp_path: Path, smollm2: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    models = models_dir(tmp_path / "models", smollm2.parent, "smollm2-135m")
    monkeypatch.setenv("LAM_MODELS_DIR", str(models))  # the store reads it before its root
    return {"shipped": make_shipped(tmp_path / "shipped", smollm2), "models": models,
            "data": tmp_path / "home" / "data", "experts": tmp_path / "home" / "experts"}


def _choose(w: dict[str, Path], **kw: object) -> object:
    args: dict[str, object] = {"explicit": False, "models_dir": w["models"],
                               "data_dir": w["data"], "experts_dir": w["experts"],
                               "n_ctx": 2048, "folder": w["shipped"], **kw}
    return choose_planner("qwen2.5-coder-0.5b", **args)  # type: ignore[arg-type]


def _assemble(w: dict[str, Path], **kw: object) -> tuple[object, str]:
    args: dict[str, object] = {"models_dir": w["models"], "data_dir": w["data"],
                               "experts_dir": w["experts"], "n_ctx": 2048,
                               "folder": w["shipped"], **kw}
    return assemble_planner(**args)  # type: ignore[arg-type]


def test_the_moe_is_the_planner_once_assembled_and_when_it_fits(world: dict[str, Path]) -> None:
    before = _choose(world)
    assert not before.moe and "not assembled" in before.why  # type: ignore[attr-defined]
    # too little memory: nothing is assembled, the dense model plans
    built, line = _assemble(world, available=1)
    assert built is None and "does not fit in memory" in line
    steps: list[tuple[int, int]] = []
    built, line = _assemble(world, progress=lambda d, t: steps.append((d, t)))
    assert built is not None and not built.already, line  # type: ignore[attr-defined]
    assert line.startswith("assembled 5 experts (base, browser, scheduler, messaging, general)")
    assert steps[-1] == (30, 30)  # progress per layer
    gguf, record = planner_paths(world["data"])
    assert [m["name"] for m in read_manifest(gguf)] == list(NAMES)
    assert json.loads(record.read_text())["removed"] == []
    again, line = _assemble(world)
    assert again is not None and again.already and line.startswith("already assembled")  # type: ignore[attr-defined]

    choice = _choose(world)
    assert choice.moe and choice.model == str(gguf)  # type: ignore[attr-defined]
    assert choice.line() == f"moe (shipped experts earned the default: {WHY})"  # type: ignore[attr-defined]
    # the user's own [lam] model always wins; too little memory keeps the dense model
    mine = _choose(world, explicit=True)
    assert not mine.moe and mine.line() == "qwen2.5-coder-0.5b (set by you: [lam] model)"  # type: ignore[attr-defined]
    small = _choose(world, available=1)
    assert not small.moe and "does not fit in memory" in small.why  # type: ignore[attr-defined]

    # a removed expert changes what is assembled; the stale file is not chosen meanwhile
    set_removed(world["experts"], "browser", True)
    stale = _choose(world)
    assert not stale.moe and "not assembled for your experts" in stale.why  # type: ignore[attr-defined]
    _assemble(world)
    choice = _choose(world)
    assert choice.moe and "browser" not in choice.experts  # type: ignore[attr-defined]
    assert choice.why.endswith("without browser (removed by you)")  # type: ignore[attr-defined]
    assert "browser" not in [m["name"] for m in read_manifest(gguf)]


def test_the_dense_model_plans_when_the_moe_did_not_earn_the_default(
        tmp_path: Path, smollm2: Path) -> None:
    w = {"shipped": make_shipped(tmp_path / "shipped", smollm2, default=False),
         "models": smollm2.parent, "data": tmp_path / "data", "experts": tmp_path / "experts"}
    built, line = _assemble(w)
    assert built is None and line.startswith(f"the MoE did not earn the default ({WHY})")
    choice = _choose(w)
    assert choice.line() == (f"qwen2.5-coder-0.5b (dense; the MoE did not earn the default: "  # type: ignore[attr-defined]
                             f"{WHY})")
    # no experts shipped at all
    choice = _choose(w, folder=tmp_path / "none")
    assert choice.line() == "qwen2.5-coder-0.5b (dense; no experts are shipped with this lam)"  # type: ignore[attr-defined]


def test_a_missing_base_or_a_damaged_file_keeps_the_dense_model(
        world: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "empty-models"
    empty.mkdir()
    monkeypatch.setenv("LAM_MODELS_DIR", str(empty))
    built, line = _assemble(world, models_dir=empty)
    assert built is None and line == ("the MoE's base smollm2-135m is not pulled "
                                      "(`lam models pull smollm2-135m`)")
    assert "is not pulled" in _choose(world, models_dir=empty).why  # type: ignore[attr-defined]
    monkeypatch.setenv("LAM_MODELS_DIR", str(world["models"]))

    (world["shipped"] / "scheduler.lamx").write_bytes(b"version https://git-lfs.github.com\n")
    with pytest.raises(ModelCorrupt, match="shipped expert scheduler") as err:
        _assemble(world)
    assert REBUILD in (err.value.hint or "")
    assert not planner_paths(world["data"])[0].exists()
    choice = _choose(world, verify=True)
    assert not choice.moe and choice.problem is not None  # type: ignore[attr-defined]
    assert REBUILD in (choice.problem.hint or "")  # type: ignore[attr-defined]


# -- as users meet it: lam models prepare, lam doctor, lam models experts rm ----------------------
def _lam(home: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    lam = shutil.which("lam")
    assert lam, "the lam command is not installed"
    full = {**os.environ, "LAM_HOME": str(home), **env}
    full.pop("LAM_DEBUG", None)
    return subprocess.run([lam, *args], env=full, capture_output=True, text=True, timeout=600)


@pytest.mark.model
@pytest.mark.slow
def test_prepare_assembles_doctor_names_it_and_rm_reassembles_without_the_expert(
        tmp_path: Path, smollm2: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.runtime import Runtime, RuntimeOptions

    shipped = make_shipped(tmp_path / "shipped", smollm2)
    shipped_files = {p.name: p.read_bytes() for p in shipped.iterdir()}
    models = models_dir(tmp_path / "models", smollm2.parent, "smollm2-135m",
                        "qwen2.5-coder-0.5b")
    home = tmp_path / "home"
    (home / "config").mkdir(parents=True)
    (home / "config" / "plugins.toml").write_text('[lam]\nlarge_model = ""\n')
    env = {"LAM_MODELS_DIR": str(models), "LAM_SHIPPED_EXPERTS": str(shipped)}

    proc = _lam(home, env, "models", "prepare")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MoE: assembling: layer 30/30 (100%)" in proc.stderr
    assert "MoE: assembled 5 experts (base, browser, scheduler, messaging, general)" \
        in proc.stderr
    assert f"planner: moe (shipped experts earned the default: {WHY})" in proc.stdout
    gguf = home / "data" / "moe" / "moe.gguf"
    assert "browser" in [m["name"] for m in read_manifest(gguf)]

    proc = _lam(home, env, "doctor")
    model = next(line for line in proc.stdout.splitlines() if "] model " in line)
    assert model.startswith("[ok  ]") and model.endswith(
        f"moe (shipped experts earned the default: {WHY})"), proc.stdout

    proc = _lam(home, env, "models", "experts", "rm", "browser")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "removed the shipped expert browser" in proc.stdout
    assert "MoE: assembled 4 experts (base, scheduler, messaging, general)" in proc.stderr
    assert "without browser (removed by you)" in proc.stdout
    assert removed_shipped(home / "experts") == {"browser"}
    assert {p.name: p.read_bytes() for p in shipped.iterdir()} == shipped_files

    # the next plan's model: real llama.cpp loads the MoE, whose manifest has no browser
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    rt = Runtime(RuntimeOptions(home=str(home)))
    try:
        loader = rt.model_factory(1)
        assert loader is not None
        backend = loader().backend
        loaded = json.loads(backend._llm.metadata["lam.moe.manifest"])
        assert [m["name"] for m in loaded] == ["base", "scheduler", "messaging", "general"]
        assert backend.info.expert_count == 4
    finally:
        rt.close()

    proc = _lam(home, env, "models", "experts", "list")
    rows = {line.split()[0]: line for line in proc.stdout.splitlines()[1:]}
    assert "shipped, removed" in rows["browser"] and "shipped " in rows["general"]
    proc = _lam(home, env, "models", "experts", "restore", "browser")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MoE: assembled 5 experts" in proc.stderr
    assert [m["name"] for m in read_manifest(gguf)] == list(NAMES)

    # the user's own [lam] model wins: nothing is assembled, doctor says why
    (home / "config" / "plugins.toml").write_text(
        '[lam]\nmodel = "qwen2.5-coder-0.5b"\nlarge_model = ""\n')
    proc = _lam(home, env, "doctor")
    model = next(line for line in proc.stdout.splitlines() if "] model " in line)
    assert model.endswith("qwen2.5-coder-0.5b (set by you: [lam] model)"), proc.stdout


def test_doctor_says_why_the_dense_model_plans_and_warns_about_a_damaged_file(
        tmp_path: Path, smollm2: Path) -> None:
    shipped = make_shipped(tmp_path / "shipped", smollm2, default=False)
    models = models_dir(tmp_path / "models", smollm2.parent, "smollm2-135m",
                        "qwen2.5-coder-0.5b")
    env = {"LAM_MODELS_DIR": str(models), "LAM_SHIPPED_EXPERTS": str(shipped)}
    proc = _lam(tmp_path / "home", env, "doctor")
    model = next(line for line in proc.stdout.splitlines() if "] model " in line)
    assert model.endswith(
        f"qwen2.5-coder-0.5b (dense; the MoE did not earn the default: {WHY})"), proc.stdout

    manifest = json.loads((shipped / "manifest.json").read_text())
    (shipped / "manifest.json").write_text(json.dumps({**manifest, "default": True}))
    (shipped / "general.lamx").unlink()
    proc = _lam(tmp_path / "home", env, "doctor")
    lines = proc.stdout.splitlines()
    warn = next(i for i, line in enumerate(lines) if "] shipped experts" in line)
    assert lines[warn].startswith("[warn]") and "general.lamx is missing" in lines[warn]
    assert f"fix: rebuild the shipped experts: {REBUILD}" in lines[warn + 1]
    model = next(line for line in lines if "] model " in line)
    assert "(dense; the MoE is off: shipped expert general:" in model

    # lam models prepare says so too, prepares the dense model, and fails at the end
    # (the dense default is not in this models folder: that fails too, after the MoE line)
    small = models_dir(tmp_path / "small", smollm2.parent, "smollm2-135m")
    proc = _lam(tmp_path / "home", {**env, "LAM_MODELS_DIR": str(small)}, "models", "prepare")
    assert "MoE: not assembled: shipped expert general" in proc.stderr
    assert f"fix: rebuild the shipped experts: {REBUILD}" in proc.stderr
    assert proc.returncode != 0


def test_assemble_without_dir_takes_the_shipped_experts_you_kept_and_yours(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from assistant.cli.experts_cmd import experts_group

    tiny = write_tiny_gguf(tmp_path / "tiny.gguf")
    shipped = make_shipped(tmp_path / "shipped", tiny, base_name="tiny")
    home = tmp_path / "home"
    monkeypatch.setenv("LAM_HOME", str(home))
    monkeypatch.setenv("LAM_SHIPPED_EXPERTS", str(shipped))
    set_removed(home / "experts", "browser", True)
    mine = base_copy_expert(base_info(tiny), "personal", "personal")
    write_expert(mine, home / "experts" / "personal.lamx")
    out = tmp_path / "moe.gguf"
    res = CliRunner().invoke(experts_group, ["assemble", str(tiny), str(out), "--top-k", "1"])
    assert res.exit_code == 0, res.output
    assert [m["name"] for m in read_manifest(out)] == [
        "base", "scheduler", "messaging", "general", "personal"]
    res = CliRunner().invoke(experts_group, ["assemble", str(tiny), str(out), "--expert",
                                             "browser", "--expert", "general"])
    assert res.exit_code != 0 and "no expert named browser" in str(res.exception)
