"""Why a number is what it is: the audit listing behind one row of the tables screen.

Why a modal fed by a worker: the listing is ``qualcode export frequencies
--explain CODE`` (:func:`qualcode.analysis.explain`), the same rule the table
used, so what the analyst reads here adds up to the row. It reads every
coding of the code's subtree, so it runs on a thread with its own connection.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label
from textual.worker import Worker, WorkerState

from qualcode.tui.workers import failure_text, own_project, report_failure

if TYPE_CHECKING:
    from qualcode.analysis.audit import Explanation


class ExplainModal(ModalScreen[None]):
    """Every coding of a code (and sub-codes): document, span, speakers, participants, counted or why not."""

    DEFAULT_CSS = """
    ExplainModal .dialog.explain { width: 95%; height: 85%; }
    ExplainModal .dialog.explain DataTable { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "close", "Close", id="explain.close")]

    def __init__(
        self, project_path: Path, code_id: int, *, include_interviewer: bool = False, include_pending: bool = True
    ) -> None:
        super().__init__()
        self.project_path = project_path
        self.code_id = code_id
        self.options = {"include_interviewer": include_interviewer, "include_pending": include_pending}
        self.found: Explanation | None = None

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog explain"):
            yield Label("Explaining…", id="explain-title", classes="dialog-title")
            yield DataTable(id="explain-table", cursor_type="row", zebra_stripes=True)
            yield Label("", id="explain-totals")
            yield Label("escape: close", classes="hint")

    def on_mount(self) -> None:
        table = self.query_one("#explain-table", DataTable)
        table.add_columns("#", "document", "span", "code", "speakers", "participants", "counted", "text")
        table.focus()
        self._load()

    @work(thread=True, exclusive=True, group="explain", name="Explain", exit_on_error=False)
    def _load(self) -> "Explanation":
        from qualcode.analysis import explain

        with own_project(self.project_path) as project:
            return explain(project, self.code_id, **self.options)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.query_one("#explain-title", Label).update(f"Cannot explain: {failure_text(event.worker.error)}")
            report_failure(self, event.worker)
        elif event.state == WorkerState.SUCCESS:
            self._show(event.worker.result)

    def _show(self, found: "Explanation") -> None:
        self.found = found
        self.query_one("#explain-title", Label).update(f"Why the numbers of {found.path}")
        table = self.query_one("#explain-table", DataTable)
        for item in found.items:
            text = item.text if len(item.text) <= 70 else item.text[:69] + "…"
            table.add_row(
                str(item.coding_id),
                item.document,
                f"{item.start}-{item.end}",
                item.code,
                ", ".join(item.speakers) or "-",
                ", ".join(item.participants) or "-",
                "yes" if item.counted else f"no: {item.reason}",
                text,
            )
        totals = found.totals()
        left = ", ".join(f"{n} {r}" for r, n in totals["not_counted"].items()) or "none"
        self.query_one("#explain-totals", Label).update(
            f"{totals['codings']} codings counted in {totals['documents']} documents for "
            f"{totals['participants']} participants · left out: {left}"
        )

    def action_close(self) -> None:
        self.dismiss(None)
