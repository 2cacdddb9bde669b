"""The live action registry: every action of every loaded plugin, by name."""

from __future__ import annotations

from collections.abc import Iterator

from actions.spec import ActionSpec

__all__ = ["ActionRegistry"]


class ActionRegistry:
    def __init__(self) -> None:
        self._specs: dict[str, ActionSpec] = {}

    def add(self, spec: ActionSpec) -> None:
        self._specs[spec.name] = spec

    def owner(self, name: str) -> str | None:
        spec = self._specs.get(name)
        return spec.plugin if spec else None

    def get(self, name: str) -> ActionSpec | None:
        return self._specs.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._specs

    def __iter__(self) -> Iterator[ActionSpec]:
        return iter(sorted(self._specs.values(), key=lambda s: (s.plugin, s.name)))

    def __len__(self) -> int:
        return len(self._specs)

    def names(self) -> list[str]:
        return sorted(self._specs)
