"""Home: the documents and the participants, with filter-as-you-type.

Why the filter box keeps focus: a coder opening the day's transcript types a
fragment of its name (or participant, or kind) and presses enter; arrows move
the highlighted row without leaving the box.
"""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar

from qualcode.services.documents import DocumentRow, document_rows, participant_rows
from qualcode.tui.messages import OpenDocument
from qualcode.tui.screens.base import QScreen


class HomeScreen(QScreen):
    """Documents table, participants table, filter input, import progress."""

    screen_name = "home"
    BINDINGS = [
        Binding("down", "row(1)", "Next document", show=False, id="home.down"),
        Binding("up", "row(-1)", "Previous document", show=False, id="home.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocumentRow] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="home"):
            yield Input(placeholder="Filter documents by name, kind or participant… (enter opens)", id="filter")
            yield DataTable(id="documents", cursor_type="row", zebra_stripes=True)
            yield Label("Participants", classes="section")
            yield DataTable(id="participants", cursor_type="row", zebra_stripes=True)
            yield ProgressBar(id="import-progress", show_eta=False)
        yield Footer()

    def on_mount(self) -> None:
        docs = self.query_one("#documents", DataTable)
        docs.add_columns("Document", "Kind", "Participant(s)", "Words", "Codings")
        people = self.query_one("#participants", DataTable)
        people.add_columns("Participant", "Attributes", "Documents")
        self.query_one("#import-progress", ProgressBar).display = False
        self.query_one("#filter", Input).focus()
        self.watch(self.app, "import_progress", self.show_progress)
        self.reload()

    def reload(self) -> None:
        project = self.project
        self.rows = document_rows(project)
        self._fill(self.query_one("#filter", Input).value)
        if not self.rows:
            self.notify("No documents yet: import some with ctrl+o (or `qualcode import`).", timeout=6)
        table = self.query_one("#participants", DataTable)
        table.clear()
        for p in participant_rows(project):
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(p.attributes.items()))
            table.add_row(p.name, attrs or "—", str(len(p.documents)), key=str(p.id))

    def _fill(self, query: str) -> None:
        table = self.query_one("#documents", DataTable)
        table.clear()
        q = query.casefold()
        shown = [r for r in self.rows if not query or r.matches(query)]
        if q:
            # Best first: a name match, earliest in the name, before a kind or participant match.
            shown.sort(key=lambda r: (q not in r.name.casefold(), r.name.casefold().find(q), r.name.casefold()))
        for r in shown:
            people = ", ".join(r.participants)
            table.add_row(r.name, r.kind, people or "—", f"{r.words:,}", str(r.codings), key=str(r.id))

    @on(Input.Changed, "#filter")
    def _filter(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#filter")
    def _open_highlighted(self, event: Input.Submitted) -> None:
        event.stop()
        table = self.query_one("#documents", DataTable)
        if table.row_count:
            key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key
            self.post_message(OpenDocument(int(str(key.value))))

    @on(DataTable.RowSelected, "#documents")
    def _open_selected(self, event: DataTable.RowSelected) -> None:
        self.post_message(OpenDocument(int(str(event.row_key.value))))

    def action_row(self, step: int) -> None:
        table = self.query_one("#documents", DataTable)
        if self.focused is not table and table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + step)))

    def show_progress(self, progress: tuple[int, int] | None) -> None:
        """Show the app's import progress, files done of total (``None`` hides the bar)."""
        bar = self.query_one("#import-progress", ProgressBar)
        bar.display = progress is not None
        if progress is not None:
            bar.update(total=progress[1], progress=progress[0])
