"""Write or edit a memo in a multi-line editor."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, TextArea


class MemoModal(ModalScreen[str | None]):
    """A TextArea; ctrl+s saves, escape cancels (returns ``None``)."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="memo.save"),
        Binding("escape", "cancel", "Cancel", id="memo.cancel"),
    ]

    def __init__(self, title: str, text: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog memo"):
            yield Label(self.title_text, classes="dialog-title")
            yield TextArea(self.text, id="memo-text", soft_wrap=True)
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)
