"""A one-line text prompt (rename, colour, coder, import path…)."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptModal(ModalScreen[str | None]):
    """Ask for one value; enter accepts, escape cancels.

    ``validate`` returns an error message (shown under the input) or ``None``;
    the modal stays open until the value is valid, so callers get clean input.
    """

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="modal.cancel")]

    def __init__(
        self,
        title: str,
        value: str = "",
        *,
        placeholder: str = "",
        validate: Callable[[str], str | None] | None = None,
    ) -> None:
        super().__init__()
        self.title_text = title
        self.value = value
        self.placeholder = placeholder
        self.validate_fn = validate

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Input(self.value, placeholder=self.placeholder, id="prompt-input")
            yield Label("", id="prompt-error", classes="error")
            yield Label("enter: OK · escape: cancel", classes="hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        value = event.value.strip()
        if self.validate_fn:
            problem = self.validate_fn(value)
            if problem:
                self.query_one("#prompt-error", Label).update(problem)
                return
        self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
