"""A modal with a text box over an option list: type to filter, enter chooses.

Why a base class: the code picker and project search behave the same way
(arrow keys move, enter or a click chooses, escape cancels); only what a
keystroke lists differs. Subclasses implement :meth:`refill` and keep the
chosen values in ``self.choices`` in the same order as the options shown.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from textual.screen import ModalScreen
from textual.widgets import Input, OptionList

T = TypeVar("T")


class TypeaheadModal(ModalScreen[T | None], Generic[T]):
    """Shared keys and choosing for type-to-filter modals."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.choices: list[T] = []

    def refill(self, text: str) -> None:  # pragma: no cover - abstract
        """List what matches ``text`` (update the OptionList and ``self.choices``)."""
        raise NotImplementedError

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refill(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.choose(self.query_one(OptionList).highlighted)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.choose(event.option_index)

    def choose(self, index: int | None) -> None:
        if index is not None and 0 <= index < len(self.choices):
            self.dismiss(self.choices[index])

    def action_cursor(self, step: int) -> None:
        options = self.query_one(OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_cancel(self) -> None:
        self.dismiss(None)
