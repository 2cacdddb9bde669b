"""Where lam keeps its files. One object, passed around; tests build their own."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Paths", "shipped_config_path"]


@dataclass(frozen=True)
class Paths:
    config_dir: Path
    data_dir: Path

    @classmethod
    def from_env(cls, home: str | os.PathLike[str] | None = None) -> Paths:
        """``home`` (or ``$LAM_HOME``) puts everything under one folder; otherwise the
        platform's config and data directories are used."""
        base = home or os.environ.get("LAM_HOME")
        if base:
            root = Path(base).expanduser()
            return cls(config_dir=root / "config", data_dir=root / "data")
        import platformdirs

        return cls(config_dir=Path(platformdirs.user_config_dir("lam")),
                   data_dir=Path(platformdirs.user_data_dir("lam")))

    @property
    def user_config(self) -> Path:
        return self.config_dir / "plugins.toml"

    @property
    def models_dir(self) -> Path:
        return self.data_dir / "models"

    @property
    def prefix_states_dir(self) -> Path:
        """Evaluated system prompts of the planner models (safe to delete)."""
        return self.data_dir / "cache" / "prefix"

    @property
    def journal_db(self) -> Path:
        return self.data_dir / "journal.sqlite"

    def plugin_dir(self, name: str) -> Path:
        return self.data_dir / "plugins" / name

    def ensure(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.config_dir.mkdir(parents=True, exist_ok=True)


def shipped_config_path() -> Path:
    """The plugins.toml shipped with lam (repository root, or the copy inside the wheel)."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / "plugins.toml", here / "_data" / "plugins.toml"):
        if candidate.is_file():
            return candidate
    return here / "_data" / "plugins.toml"
