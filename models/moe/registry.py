"""Where experts live: ``*.lamx`` files in a folder (default ``$LAM_HOME/experts``)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from models.errors import ModelNotFound
from models.moe.expert import Expert, ExpertMeta, read_expert, read_expert_meta, write_expert

__all__ = ["EXPERT_SUFFIX", "ExpertStore", "default_experts_dir"]

EXPERT_SUFFIX = ".lamx"


def default_experts_dir(home: str | os.PathLike[str] | None = None) -> Path:
    """``HOME/experts`` for a lam home (``home``, else ``$LAM_HOME``), else the platform's
    user data folder's ``experts``."""
    home = home or os.environ.get("LAM_HOME")
    if home:
        return Path(home).expanduser() / "experts"
    import platformdirs

    return Path(platformdirs.user_data_dir("lam")) / "experts"


class ExpertStore:
    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).expanduser()

    def path(self, name: str) -> Path:
        p = self.root / f"{name}{EXPERT_SUFFIX}"
        if not p.is_file():
            raise ModelNotFound(f"no expert named {name!r} in {self.root}",
                                hint="see `lam models experts list`")
        return p

    def list(self) -> list[ExpertMeta]:
        if not self.root.is_dir():
            return []
        return [read_expert_meta(p) for p in sorted(self.root.glob(f"*{EXPERT_SUFFIX}"))]

    def load(self, name: str) -> Expert:
        return read_expert(self.path(name))

    def add_expert(self, expert: Expert) -> Path:
        dst = self.root / f"{expert.meta.name}{EXPERT_SUFFIX}"
        write_expert(expert, dst)
        return dst

    def add_file(self, path: str | os.PathLike[str]) -> Path:
        """Copy a verified expert file into the store (shape-checked on read)."""
        meta = read_expert(path).meta
        dst = self.root / f"{meta.name}{EXPERT_SUFFIX}"
        self.root.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dst)
        return dst

    def remove(self, name: str) -> Path:
        p = self.path(name)
        p.unlink()
        return p
