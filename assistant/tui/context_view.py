"""The context pane: what lam currently sees (page links and fields, listed emails, jobs,
contacts), with the ids a request can refer to."""

from __future__ import annotations

from textual.widgets import Static

from actions.entities import Entity
from assistant.tui.render import context_text, plain

__all__ = ["ContextView"]


class ContextView(Static):
    """Renders the session's entity table; call `show` after anything that changes it."""

    DEFAULT_CSS = "ContextView { padding: 0 1; }"

    def show(self, entities: list[Entity]) -> None:
        self.entities = list(entities)
        self.update(context_text(self.entities))

    @property
    def plain(self) -> str:
        return plain(context_text(getattr(self, "entities", [])))

    def on_mount(self) -> None:
        if not hasattr(self, "entities"):
            self.show([])
