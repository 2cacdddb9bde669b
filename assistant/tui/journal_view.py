"""The journal view: what ran, newest first, step by step."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.widgets import Static

if TYPE_CHECKING:
    from assistant.journal import Journal

__all__ = ["JournalView"]


class JournalView(Static):
    """Renders the last plans of a journal; call `show` after a run."""

    DEFAULT_CSS = "JournalView { padding: 0 1; }"

    def show(self, journal: Journal, limit: int = 15) -> None:
        from assistant.tui.render import journal_text

        rows = [(p, journal.steps(p.id)) for p in journal.plans(limit)]
        self.plan_ids = [p.id for p, _ in rows]
        self.body = journal_text(rows)
        self.update(self.body)

    @property
    def plain(self) -> str:
        from assistant.tui.render import plain

        return plain(getattr(self, "body", ""))
