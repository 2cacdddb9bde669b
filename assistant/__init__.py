"""lam's application: runtime, planner, verifier, executor, journal, CLI and TUI.

    from assistant import Assistant
    with Assistant(home="/tmp/lam") as lam:
        proposal = lam.plan("remind me to call Alice tomorrow at 9")
        report = lam.run(proposal, confirmed=True)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from assistant.api import Assistant

__all__ = ["Assistant"]


def __getattr__(name: str) -> Any:
    # Lazy, so that `lam --help` (which imports this package) stays fast.
    if name == "Assistant":
        from assistant.api import Assistant

        return Assistant
    raise AttributeError(name)
