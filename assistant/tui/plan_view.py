"""The plan pane: the proposed plan before it runs, with y / e / n to confirm, edit, reject."""

from __future__ import annotations

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Static

__all__ = ["PlanView"]

EMPTY = Text("No plan yet. Type a request below; its plan shows here before anything runs.",
             style="dim")


class PlanView(Static, can_focus=True):
    """Shows a rendered proposal; while ``awaiting`` it takes y / e / n."""

    BINDINGS = [
        Binding("y", "confirm", "Run plan"),
        Binding("e", "edit", "Edit argument"),
        Binding("n,escape", "reject", "Reject"),
    ]

    DEFAULT_CSS = """
    PlanView { height: auto; min-height: 3; padding: 0 1; }
    PlanView:focus { background: $boost; }
    """

    class Confirmed(Message):
        """The user confirmed the plan on show."""

    class Rejected(Message):
        """The user rejected the plan on show."""

    class EditRequested(Message):
        """The user wants to change an argument of the plan on show."""

    def __init__(self, **kwargs: str) -> None:
        super().__init__(EMPTY, **kwargs)  # type: ignore[arg-type]
        self.awaiting = False
        self.runnable = False
        self.body: RenderableType = EMPTY

    @property
    def plain(self) -> str:
        """The plan on show as plain text."""
        from assistant.tui.render import plain

        return plain(self.body)

    def show(self, body: RenderableType, *, awaiting: bool, runnable: bool) -> None:
        self.body = body
        self.update(body)
        self.awaiting = awaiting
        self.runnable = runnable
        self.refresh_bindings()

    def clear(self) -> None:
        self.show(EMPTY, awaiting=False, runnable=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "confirm":
            return self.awaiting and self.runnable
        if action in ("edit", "reject"):
            return self.awaiting
        return True

    def action_confirm(self) -> None:
        self.post_message(self.Confirmed())

    def action_reject(self) -> None:
        self.post_message(self.Rejected())

    def action_edit(self) -> None:
        self.post_message(self.EditRequested())
