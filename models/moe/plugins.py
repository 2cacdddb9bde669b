"""Experts shipped by plugins: a plugin may put ``*.lamx`` expert files in its package folder,
next to its actions (or in an ``experts/`` subfolder). lam includes them when the plugin is
enabled, after checking each file: it parses as a lam expert (format version, every tensor's
shape), it was trained on the base model being assembled (SHA-256), and, when the plugin
declares it, the file's own SHA-256 matches (``experts.sha256``: lines ``HASH  FILENAME``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from models.errors import ModelError
from models.moe.expert import Expert, read_expert

__all__ = ["PluginExpertProblem", "discover_plugin_experts", "verify_expert_file"]

SUFFIX = ".lamx"
MANIFEST = "experts.sha256"


@dataclass
class PluginExpertProblem:
    plugin: str
    path: Path
    reason: str

    def __str__(self) -> str:
        return f"{self.plugin}: {self.path.name}: {self.reason}"


def _manifest(folder: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for f in (folder / MANIFEST, folder / "experts" / MANIFEST):
        if f.is_file():
            for line in f.read_text().splitlines():
                parts = line.split()
                if len(parts) == 2:
                    out[parts[1]] = parts[0].lower()
    return out


def verify_expert_file(path: str | os.PathLike[str], base_sha256: str,
                       expected_sha256: str | None = None) -> Expert:
    """Read ``path`` (shape-checked) and check its base and file hashes. Raises ModelError."""
    expert = read_expert(path)
    if expected_sha256 and expert.meta.file_sha256 != expected_sha256:
        raise ModelError(f"{path}: SHA-256 {expert.meta.file_sha256} does not match the "
                         f"declared {expected_sha256}", hint="reinstall the plugin")
    if expert.meta.base_sha256 != base_sha256:
        raise ModelError(f"{path}: trained on base {expert.meta.base_sha256[:12]}, not on "
                         f"{base_sha256[:12]}", hint="use the base model the plugin names")
    return expert


def discover_plugin_experts(plugin_dirs: dict[str, Path], base_sha256: str,
                            ) -> tuple[list[Expert], list[PluginExpertProblem]]:
    """Verified experts of the given (enabled) plugins, by plugin name -> package folder.
    A bad file is reported as a problem, never raised: a broken plugin does not stop lam."""
    experts: list[Expert] = []
    problems: list[PluginExpertProblem] = []
    for plugin, folder in sorted(plugin_dirs.items()):
        declared = _manifest(folder)
        files = sorted([*folder.glob(f"*{SUFFIX}"), *(folder / "experts").glob(f"*{SUFFIX}")])
        for f in files:
            try:
                e = verify_expert_file(f, base_sha256, declared.get(f.name))
            except ModelError as exc:
                problems.append(PluginExpertProblem(plugin, f, exc.message))
                continue
            e.meta.note = (e.meta.note + f"; from plugin {plugin}").lstrip("; ")
            experts.append(e)
    return experts, problems
