"""Pick one of a short list of labelled values (a run, a merge target…).

Why a separate modal from the code picker: these lists are short and made
by the screen (runs, suggestions), with no fuzzy search or "create" entry.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Generic, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

T = TypeVar("T")


class ChoiceModal(ModalScreen[T | None], Generic[T]):
    """An option list; enter returns the chosen value, escape ``None``."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="choice.cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str | Text, T]], *, highlight: int = 0) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.start = highlight

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog choice"):
            yield Label(self.title_text, classes="dialog-title")
            yield OptionList(*[Option(label) for label, _ in self.choices], id="choice-options")
            yield Label("enter: choose · ↑↓: move · escape: cancel", classes="hint")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.choices:
            options.highlighted = max(0, min(self.start, len(self.choices) - 1))
        options.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index][1])

    def action_cancel(self) -> None:
        self.dismiss(None)
