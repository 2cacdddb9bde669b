"""The request input, with history recall on up/down."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

__all__ = ["HistoryInput"]


class HistoryInput(Input):
    """An `Input` that remembers what was submitted; up/down walk through it."""

    BINDINGS = [
        Binding("up", "history(-1)", "Previous", show=False),
        Binding("down", "history(1)", "Next", show=False),
    ]

    def __init__(self, **kwargs: object) -> None:
        # Focus comes back to the input while lam works (status updates); selecting its text
        # then would let the next keystroke replace what the user is typing.
        kwargs.setdefault("select_on_focus", False)
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.history: list[str] = []
        self._pos = 0
        self._draft = ""

    def remember(self, text: str) -> None:
        if text and (not self.history or self.history[-1] != text):
            self.history.append(text)
        self._pos = len(self.history)
        self._draft = ""

    def action_history(self, delta: int) -> None:
        if not self.history:
            return
        if self._pos == len(self.history):
            self._draft = self.value
        self._pos = max(0, min(len(self.history), self._pos + delta))
        self.value = self._draft if self._pos == len(self.history) else self.history[self._pos]
        self.cursor_position = len(self.value)

    async def action_submit(self) -> None:
        """Submit, then clear at once in the widget's own queue, so that keys typed right
        after Enter are never wiped by a late handler (the app may be busy)."""
        text = self.value
        await super().action_submit()
        if text.strip():
            self.remember(text.strip())
            self.value = ""
