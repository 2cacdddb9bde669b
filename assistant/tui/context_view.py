"""The context pane: what lam currently sees (page links and fields, listed emails, jobs,
contacts), with the ids a request can refer to."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.widgets import Static

if TYPE_CHECKING:
    from actions.entities import Entity

__all__ = ["ContextView"]


class ContextView(Static):
    """Renders the session's entity table; call `show` after anything that changes it."""

    DEFAULT_CSS = "ContextView { padding: 0 1; }"

    def show(self, entities: list[Entity]) -> None:
        from assistant.tui.render import context_text

        self.entities = list(entities)
        self.update(context_text(self.entities))

    @property
    def plain(self) -> str:
        from assistant.tui.render import context_text, plain

        return plain(context_text(getattr(self, "entities", [])))

    def on_mount(self) -> None:
        if not hasattr(self, "entities"):
            self.update(Text("Nothing yet: lam is starting.", style="dim"))
