"""The command palette provider: lam's commands and the loaded plugins' actions."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from assistant.tui.app import LamApp

__all__ = ["LamCommands"]


class LamCommands(Provider):
    """Slash commands (/undo, /journal, ...) and one entry per action (fills the input)."""

    def _commands(self) -> list[tuple[str, str, Callable[[], object]]]:
        app: LamApp = self.app  # type: ignore[assignment]
        out: list[tuple[str, str, Callable[[], object]]] = [
            (f"/{name}", help_text, partial(app.run_command, f"/{name}"))
            for name, help_text in app.COMMAND_HELP.items() if name != "save"]
        out.append(("/save", "Save the last plan that ran as an automation (type a name)",
                    lambda: app.prefill("/save ")))
        for spec in app.action_specs():
            example = spec.templates[0] if spec.templates else spec.name
            out.append((f"action: {spec.name}",
                        f"[{spec.effect.badge}] {spec.description} — e.g. “{example}”",
                        partial(app.prefill, example)))
        return out

    async def discover(self) -> Hits:
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
