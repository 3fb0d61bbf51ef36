"""The export dialog: which table, which format, where.

Why the path follows the choices until edited: the common case is "the
frequencies as xlsx next to the project"; the default path is rebuilt from
kind and format so the extension always matches, until the analyst types
their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select

EXPORT_KINDS = ("frequencies", "evidence", "codings")
EXPORT_FORMATS = ("csv", "xlsx", "md", "json", "docx", "html")


@dataclass(frozen=True, slots=True)
class ExportChoice:
    """What to export, in which format, to which file."""

    kind: str
    fmt: str
    path: Path


class ExportModal(ModalScreen[ExportChoice | None]):
    """Kind and format selects and a path; enter (or ctrl+s) exports."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
        Binding("ctrl+s", "export", "Export", id="export.ok"),
    ]

    def __init__(
        self, folder: Path, stem: str, *, kind: str = "frequencies", fmt: str = "xlsx", note: str = ""
    ) -> None:
        super().__init__()
        self.folder, self.stem = folder, stem
        self.kind, self.fmt = kind, fmt
        self.note = note
        self.edited = False

    def default_path(self) -> Path:
        return self.folder / f"{self.stem}_{self.kind}.{self.fmt}"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form"):
            yield Label("Export", classes="dialog-title")
            with Horizontal(classes="field"):
                yield Label("Table", classes="field-label")
                yield Select([(k, k) for k in EXPORT_KINDS], value=self.kind, allow_blank=False, id="export-kind")
            with Horizontal(classes="field"):
                yield Label("Format", classes="field-label")
                yield Select([(f, f) for f in EXPORT_FORMATS], value=self.fmt, allow_blank=False, id="export-format")
            with Horizontal(classes="field"):
                yield Label("File", classes="field-label")
                yield Input(str(self.default_path()), id="export-path")
            if self.note:
                yield Label(self.note, classes="hint")
            yield Label("", id="export-error", classes="error")
            with Horizontal(classes="buttons"):
                yield Button("Export (ctrl+s)", variant="primary", id="export")
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#export-kind", Select).focus()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "export-kind":
            self.kind = str(event.value)
        elif event.select.id == "export-format":
            self.fmt = str(event.value)
        if not self.edited:
            box = self.query_one("#export-path", Input)
            with box.prevent(Input.Changed):
                box.value = str(self.default_path())

    def on_input_changed(self, event: Input.Changed) -> None:
        self.edited = event.value != str(self.default_path())

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_export()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export":
            self.action_export()
        else:
            self.action_cancel()

    def action_export(self) -> None:
        raw = self.query_one("#export-path", Input).value.strip()
        error = self.query_one("#export-error", Label)
        if not raw:
            error.update("give a file to write")
            return
        path = Path(raw).expanduser()
        if not path.is_absolute():
            path = self.folder / path
        if not path.parent.is_dir():
            error.update(f"no such folder: {path.parent}")
            return
        self.dismiss(ExportChoice(self.kind, self.fmt, path))

    def action_cancel(self) -> None:
        self.dismiss(None)
