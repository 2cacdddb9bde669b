"""The conversation pane: requests, answers, questions back, results and notes."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

__all__ = ["Conversation", "Entry"]

PREFIX = {"request": "you  ", "answer": "lam  ", "question": "lam? ", "result": "done ",
          "error": "err  ", "note": "note ", "step": "step "}


class Entry(Static):
    """One line (or block) of the conversation; ``kind`` is also its CSS class."""

    def __init__(self, kind: str, body: RenderableType) -> None:
        super().__init__(classes=kind)
        self.kind = kind
        self.body = body

    def render(self) -> RenderableType:
        out = Text(PREFIX.get(self.kind, "     "), style="bold")
        if isinstance(self.body, Text):
            return out + self.body
        if isinstance(self.body, str):
            return out + Text(self.body)
        return self.body

    @property
    def plain(self) -> str:
        """The entry as plain text (tests, copy)."""
        body = self.body.plain if isinstance(self.body, Text) else str(self.body)
        return f"{self.kind}: {body}"


class Conversation(VerticalScroll):
    """A scrolling list of `Entry` widgets, newest at the bottom."""

    DEFAULT_CSS = """
    Conversation { height: 1fr; }
    Conversation > Entry { margin-bottom: 1; }
    Conversation > .request { color: $text; text-style: bold; }
    Conversation > .question { color: $warning; }
    Conversation > .error { color: $error; }
    Conversation > .note { color: $text-muted; }
    Conversation > .step { color: $text-muted; margin-bottom: 0; }
    """

    can_focus = False

    def add(self, kind: str, body: RenderableType) -> Entry:
        entry = Entry(kind, body)
        self.mount(entry)
        self.scroll_end(animate=False)
        return entry

    def lines(self) -> list[str]:
        return [e.plain for e in self.query(Entry)]
