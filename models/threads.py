"""Choosing the number of CPU threads for generation."""

from __future__ import annotations

import os

__all__ = ["choose_threads"]


def choose_threads(setting: int = 0, *, cpus: int | None = None,
                   load: float | None = None) -> int:
    """``setting`` > 0 is used as is. 0 means: the CPUs this process may use minus the ones
    already busy (1-minute load average, rounded), at least 1. On a 2-core machine with one
    core busy, 1 thread decodes ~3x faster than 2 (MODELS.md)."""
    if setting > 0:
        return setting
    if cpus is None:
        try:
            cpus = len(os.sched_getaffinity(0))
        except AttributeError:  # pragma: no cover - non-Linux
            cpus = os.cpu_count() or 1
    if load is None:
        try:
            load = os.getloadavg()[0]
        except OSError:  # pragma: no cover
            load = 0.0
    return max(1, cpus - int(load + 0.5))
