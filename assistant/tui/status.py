"""The status line: a spinner with what lam is doing (tier being tried), and a progress bar
while a model is pulled."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, LoadingIndicator, ProgressBar

__all__ = ["StatusLine"]


class StatusLine(Horizontal):
    """Hidden when idle; ``busy(text)`` shows the spinner, ``progress(...)`` the bar."""

    DEFAULT_CSS = """
    StatusLine { height: 1; display: none; }
    StatusLine.-busy { display: block; }
    StatusLine LoadingIndicator { width: 8; height: 1; min-height: 1; }
    StatusLine Label { width: auto; margin-right: 2; }
    StatusLine ProgressBar { display: none; }
    StatusLine.-progress ProgressBar { display: block; }
    """

    def compose(self) -> ComposeResult:
        yield LoadingIndicator()
        yield Label("", id="status-text")
        yield ProgressBar(total=100, show_eta=False, id="status-progress")

    @property
    def text(self) -> str:
        return str(self.query_one("#status-text", Label).content)

    def busy(self, text: str) -> None:
        self.query_one("#status-text", Label).update(text)
        self.add_class("-busy")

    def progress(self, text: str, fraction: float) -> None:
        self.busy(text)
        self.add_class("-progress")
        self.query_one(ProgressBar).update(progress=round(fraction * 100, 1))

    def idle(self) -> None:
        self.remove_class("-busy", "-progress")
