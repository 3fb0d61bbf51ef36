"""Home: the documents and the participants, with filter-as-you-type.

Why the filter box keeps focus: a coder opening the day's transcript types a
fragment of its name (or participant, or kind) and presses enter; arrows move
the highlighted row without leaving the box.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Input, Label, ProgressBar
from textual.worker import Worker, WorkerState

from qualcode.tui.latest import LatestJob
from qualcode.tui.messages import OpenDocument
from qualcode.tui.screens.base import QScreen

if TYPE_CHECKING:
    from qualcode.store.documents import DocumentSummary

PAGE = 500  # rows shown in each table; the filter finds the others
THREADED_FILTER = 20_000  # above this many documents the filter query runs in a worker
COUNT_CAP = 10_000  # the header counts matches exactly up to this many ("10,000+" beyond)


@dataclass(frozen=True, slots=True)
class DocRow:
    """One row of the documents table."""

    id: int
    name: str
    kind: str
    participants: str
    words: int
    codings: int


class HomeScreen(QScreen):
    """Documents table, participants table, filter input, import progress."""

    screen_name = "home"
    BINDINGS = [
        Binding("down", "row(1)", "Next document", show=False, id="home.down"),
        Binding("up", "row(-1)", "Previous document", show=False, id="home.up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[DocRow] = []
        self.total = 0
        self.shown_query: str | None = None
        """The filter the documents table shows (``None`` before the first page)."""
        self.counted_query: str | None = None
        self._search: LatestJob | None = None

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
        """Fill both tables from paged SQL queries (the first ``PAGE`` rows).

        Why paged: a consultation project holds 10^6 answers; filling a
        DataTable with every row took minutes. Filtering runs in SQL too.
        """
        project = self.project
        self.total = project.documents.count()
        self._filter(self.query_one("#filter", Input).value)
        if not self.total:
            self.notify("No documents yet: import some with ctrl+o (or `qualcode import`).", timeout=6)
        elif self.total > PAGE:
            self.notify(f"{self.total:,} documents: the first {PAGE} are listed; type to filter.", timeout=6)
        table = self.query_one("#participants", DataTable)
        table.clear()
        for s in project.participants.summaries(limit=PAGE):
            p = s.participant
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(p.attributes.items()))
            table.add_row(p.name, attrs or "—", str(s.documents), key=str(p.id))

    def _show_rows(self, query: str, found: list["DocumentSummary"]) -> bool:
        """Show a page of rows if it is the current filter's (else drop it: the filter moved on)."""
        if query != self.query_one("#filter", Input).value:
            return False
        table = self.query_one("#documents", DataTable)
        table.clear()
        self.rows = [DocRow(s.id, s.name, s.kind, s.participants, s.words, s.codings) for s in found]
        for r in self.rows:
            table.add_row(r.name, r.kind, r.participants or "—", f"{r.words:,}", str(r.codings), key=str(r.id))
        self.shown_query = query
        return True

    def _show_count(self, query: str, count: int) -> None:
        """Say under the filter how many documents it matches (``10,000+`` past the cap)."""
        box = self.query_one("#filter", Input)
        if query != box.value:
            return
        many = f"{COUNT_CAP:,}+" if count > COUNT_CAP else f"{count:,}"
        box.border_subtitle = f"{many} of {self.total:,} documents match" if query else ""
        self.counted_query = query

    @property
    def search(self) -> LatestJob:
        """The filter's worker-side reads (made on first use: the app's project is known by then)."""
        if self._search is None:
            self._search = LatestJob(self.project.path)
        return self._search

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter(event.value)

    def _filter(self, query: str) -> None:
        """List the filter's first page: at once on a small project, else in a worker (stale pages dropped)."""
        big = self.total > THREADED_FILTER
        number = self.search.start() if big else 0
        if not big or not query:  # the unfiltered first page is one index range: no worker needed
            documents = self.project.documents
            if self._show_rows(query, documents.summaries(query=query, limit=PAGE)):
                self._show_count(query, documents.matching(query, COUNT_CAP) if query else 0)
            return
        self._fill_later(number, query)

    @work(thread=True, exclusive=True, group="home-filter", name="Filter", exit_on_error=False)
    def _fill_later(self, number: int, query: str) -> tuple[int, str, list["DocumentSummary"] | None]:
        """The filter's first page, off the UI thread, on a connection a newer keystroke interrupts."""
        return number, query, self.search.run(number, lambda p: p.documents.summaries(query=query, limit=PAGE))

    @work(thread=True, exclusive=True, group="home-count", name="Count", exit_on_error=False)
    def _count_later(self, number: int, query: str) -> tuple[int, str, int | None]:
        """How many match, after the page is shown (it may read up to ``COUNT_CAP`` candidates)."""
        return number, query, self.search.run(number, lambda p: p.documents.matching(query, COUNT_CAP))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            super().on_worker_state_changed(event)
        if event.state != WorkerState.SUCCESS or event.worker.group not in ("home-filter", "home-count"):
            return
        number, query, result = event.worker.result
        if result is None or not self.search.current(number):
            return  # superseded by a newer keystroke
        if event.worker.group == "home-count":
            self._show_count(query, result)
        elif self._show_rows(query, result):
            self._count_later(number, query)

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
