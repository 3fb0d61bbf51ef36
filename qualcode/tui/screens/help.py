"""Help: every key binding of every screen, with its id, plus the code keys.

Generated from the ``BINDINGS`` lists themselves, so it cannot drift from
what the keys really do.
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label


def binding_rows(app_bindings: Iterable[BindingType]) -> list[tuple[str, str, str, str]]:
    """(context, key, description, id) for every binding: the app's own (passed in) and each screen's."""
    from qualcode.tui.modals.memo import MemoModal
    from qualcode.tui.modals.picker import CodePicker
    from qualcode.tui.screens.codebook import CodebookScreen
    from qualcode.tui.screens.document import DocumentScreen
    from qualcode.tui.screens.excerpts import ExcerptsScreen
    from qualcode.tui.screens.home import HomeScreen
    from qualcode.tui.screens.review import ReviewScreen
    from qualcode.tui.screens.tables import TablesScreen
    from qualcode.tui.screens.themes import ThemesScreen
    from qualcode.tui.widgets.transcript import TranscriptView

    groups: list[tuple[str, Iterable[BindingType]]] = [
        ("everywhere", app_bindings),
        ("documents", HomeScreen.BINDINGS),
        ("document", DocumentScreen.BINDINGS),
        ("document", TranscriptView.BINDINGS),
        ("codebook", CodebookScreen.BINDINGS),
        ("excerpts", ExcerptsScreen.BINDINGS),
        ("themes", ThemesScreen.BINDINGS),
        ("review", ReviewScreen.BINDINGS),
        ("tables", TablesScreen.BINDINGS),
        ("code picker", CodePicker.BINDINGS),
        ("memo", MemoModal.BINDINGS),
    ]
    rows = []
    for context, bindings in groups:
        for b in bindings:
            if isinstance(b, Binding):
                rows.append((context, b.key_display or b.key, b.description, b.id or ""))
    rows.append(("everywhere", "ctrl+p", "Command palette (every action by name)", "app.palette"))
    return rows


class HelpScreen(ModalScreen[None]):
    """A searchable-by-eye table of keys; escape, q or F1 closes it."""

    BINDINGS = [
        Binding("escape", "close", "Close", id="help.close"),
        Binding("f1", "close", "Close", show=False, id="help.close_f1"),
        Binding("q", "close", "Close", show=False, id="help.close_q"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog help"):
            yield Label("Keys  (escape closes; ctrl+p finds any action by name)", classes="dialog-title")
            yield DataTable(id="help-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("Where", "Key", "Action", "Id")
        for row in binding_rows(type(self.app).BINDINGS):
            table.add_row(*row)
        codes = self.app.project.codes.all()
        for code in codes:
            if code.key:
                table.add_row("document", code.key, f"Apply code {code.path}", f"code.{code.id}")
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
