"""A modal to change one argument of the plan on show before it runs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

if TYPE_CHECKING:
    from actions.plan import Step

__all__ = ["ArgEdit", "EditArgScreen"]

ArgEdit = tuple[int, str, str]
"""(step index, parameter name, new text)."""


def _shown(value: Any) -> str:
    from actions.plan import is_step_ref

    if is_step_ref(value):
        return f"<output of step {value['$step'] + 1}>"
    return value if isinstance(value, str) else repr(value)


class EditArgScreen(ModalScreen[ArgEdit | None]):
    """Pick an argument (up/down, enter), type its new value, enter; esc cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    DEFAULT_CSS = """
    EditArgScreen { align: center middle; }
    EditArgScreen > Vertical { width: 80%; height: auto; border: thick $primary;
                               background: $surface; padding: 1 2; }
    EditArgScreen OptionList { height: auto; max-height: 12; }
    """

    def __init__(self, steps: list[Step]) -> None:
        super().__init__()
        self.targets: list[tuple[int, str, str]] = [
            (i, name, _shown(value)) for i, step in enumerate(steps)
            for name, value in step.args.items()]
        self.labels = [f"{i + 1}. {steps[i].action} · {name} = {shown}"
                       for i, name, shown in self.targets]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Edit an argument — pick it, then type the new value "
                        "(words like “Bob” or “tomorrow at 9” are resolved again)")
            yield OptionList(*[Option(label, id=str(k)) for k, label in enumerate(self.labels)])
            yield Input(placeholder="new value", id="edit-value")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        options.highlighted = 0 if self.targets else None
        if self.targets:
            self.query_one(Input).value = self.targets[0][2]
        options.focus()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self.query_one(Input).value = self.targets[event.option_index][2]

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        field = self.query_one(Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self.query_one(OptionList).highlighted
        if index is None or not event.value.strip():
            self.dismiss(None)
            return
        step, name, _ = self.targets[index]
        self.dismiss((step, name, event.value.strip()))
