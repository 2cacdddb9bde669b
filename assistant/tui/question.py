"""The options of a clarifying question; picking one answers it."""

from __future__ import annotations

from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList

__all__ = ["QuestionOptions"]


class QuestionOptions(OptionList):
    """An `OptionList` of the answers lam offers; hidden when no question is open."""

    BINDINGS = [Binding("escape", "drop", "Drop request")]

    DEFAULT_CSS = """
    QuestionOptions { height: auto; max-height: 10; display: none; margin: 0 1; }
    QuestionOptions.-open { display: block; }
    """

    class Answered(Message):
        """An option was picked; ``text`` is what is passed back to the session."""

        def __init__(self, text: str) -> None:
            super().__init__()
            self.text = text

    class Dropped(Message):
        """The user dropped the question (and its request)."""

    def ask(self, options: list[str]) -> None:
        self.clear_options()
        self.add_options(options)
        self.highlighted = 0 if options else None
        self.set_class(bool(options), "-open")

    def close(self) -> None:
        self.clear_options()
        self.remove_class("-open")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.post_message(self.Answered(str(event.option.prompt)))

    def action_drop(self) -> None:
        self.post_message(self.Dropped())
