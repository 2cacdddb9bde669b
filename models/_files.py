"""File helpers: hashing, GGUF magic, verification sidecars, atomic writes, a pull lock."""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path

from pydantic import BaseModel

__all__ = ["Sidecar", "atomic_write_text", "file_lock", "has_gguf_magic", "read_sidecar",
           "sha256_file", "sidecar_path", "write_sidecar"]

GGUF_MAGIC = b"GGUF"
CHUNK = 8 << 20


def has_gguf_magic(path: Path) -> bool:
    try:
        with path.open("rb") as f:
            return f.read(4) == GGUF_MAGIC
    except OSError:
        return False


def sha256_file(path: Path, progress: Callable[[int], None] | None = None) -> str:
    """Hex SHA-256 of a file; ``progress(bytes_done)`` after each chunk."""
    h = hashlib.sha256()
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
            done += len(chunk)
            if progress is not None:
                progress(done)
    return h.hexdigest()


class Sidecar(BaseModel):
    """What was verified about a model file, so it is re-hashed only when it changes."""

    size: int
    mtime_ns: int
    sha256: str
    source: str = ""
    verified: bool = True

    def matches(self, path: Path) -> bool:
        try:
            st = path.stat()
        except OSError:
            return False
        return st.st_size == self.size and st.st_mtime_ns == self.mtime_ns


def sidecar_path(path: Path) -> Path:
    return path.with_name(path.name + ".lam.json")


def read_sidecar(path: Path) -> Sidecar | None:
    try:
        return Sidecar.model_validate_json(sidecar_path(path).read_text())
    except (OSError, ValueError):
        return None


def write_sidecar(path: Path, sha256: str, *, source: str = "", verified: bool = True) -> None:
    st = path.stat()
    car = Sidecar(size=st.st_size, mtime_ns=st.st_mtime_ns, sha256=sha256, source=source,
                  verified=verified)
    atomic_write_text(sidecar_path(path), car.model_dump_json())


def atomic_write_text(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text)
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, object]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@contextlib.contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive advisory lock (released when the process dies, even by SIGKILL)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)
