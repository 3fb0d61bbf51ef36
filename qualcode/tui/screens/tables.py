"""Tables: code frequencies, compared across a participant attribute, and export.

Why the numbers come straight from ``qualcode.analysis.frequencies``: the
table on screen, the CLI export and the report must agree to the unit, so
the screen only formats the DataFrame (indent by depth, ``n (%)`` per group)
and never counts. Exports run in a worker with its own connection because a
docx report or a large codings table can take seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, Select
from textual.worker import Worker, WorkerState

from qualcode.tui.latest import LatestJob
from qualcode.tui.modals.export import ExportChoice, ExportModal
from qualcode.tui.screens.base import QScreen
from qualcode.tui.widgets.barchart import PALETTE, Bar, BarChart
from qualcode.tui.workers import own_project

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

NONE = "-"


@dataclass(frozen=True, slots=True)
class Counted:
    """A finished count: its request number, the attribute names, the group it is split by, the table."""

    number: int
    attributes: list[str]
    by: str | None
    frame: "pd.DataFrame"


@dataclass(frozen=True, slots=True)
class GroupCol:
    """A group of the comparison: its value, its base and its frame columns."""

    label: str
    value: str
    base: int

    def col(self, stat: str) -> str:
        return f"{self.label}: {stat}"


def n_pct(n: Any, pct: Any) -> str:
    """``3 (17.6%)``; ``–`` for a group without participants (no base)."""
    if pct is None or pct != pct:  # None or NaN
        return f"{int(n)} (–)"
    return f"{int(n)} ({float(pct):.1f}%)"


class TablesScreen(QScreen):
    """The frequency table, a bar chart under it, and the export dialog."""

    screen_name = "tables"
    # The table, not the first focusable widget (the Select): a key pressed while the Select was still
    # mounting reached it and crashed Textual's Select (seen with keys sent right after f7).
    AUTO_FOCUS = "#freq-table"
    BINDINGS = [
        Binding("g", "cycle_group", "Compare by next", id="tables.group"),
        Binding("b", "toggle_chart", "Chart: code/themes", id="tables.chart"),
        Binding("e", "export", "Export…", id="tables.export"),
        Binding("x", "explain", "Explain counts", show=False, id="tables.explain"),
        Binding("escape", "app.back", "Back", show=False, id="tables.back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.frame: pd.DataFrame | None = None
        self.groups: list[GroupCol] = []
        self.chart_mode = "code"
        self.attributes: list[str] = []
        self.exporting = False
        self._jobs: LatestJob | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="tables"):
            with Horizontal(id="tables-bar"):
                yield Label("Compare by", classes="field-label")
                yield Select([("none", NONE)], value=NONE, allow_blank=False, id="tables-by")
                yield Label("", id="tables-note", classes="hint")
            yield DataTable(id="freq-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="freq-chart-box"):
                yield BarChart(id="freq-chart")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Tables"
        self.reload()
        self.query_one("#freq-table", DataTable).focus()

    @property
    def by(self) -> str | None:
        value = self.query_one("#tables-by", Select).value
        return None if value in (NONE, Select.NULL, None) else str(value)

    # -- reading -------------------------------------------------------------------
    @property
    def jobs(self) -> LatestJob:
        """The counting reads: a newer one (another group, an edit) interrupts the one running."""
        if self._jobs is None:
            self._jobs = LatestJob(self.project.path)
        return self._jobs

    def reload(self) -> None:
        self._compute()

    def _compute(self) -> None:
        """Count in a worker; the screen shows "Counting…" (and the previous table) meanwhile.

        Why everything in the worker, the attribute names too: on a 10^6-answer
        project reading them takes half a second and the table 10 s or more;
        the screen paints at once and keys keep working.
        """
        self.query_one("#tables-note", Label).update("Counting…")
        self._frequencies(self.jobs.start(), self.by)

    @work(thread=True, exclusive=True, group="frequencies", name="Frequencies", exit_on_error=False)
    def _frequencies(self, number: int, by: str | None) -> "Counted | None":
        """Count on this thread's own connection, off the UI thread (a large project takes a while)."""
        from qualcode.analysis import frequencies

        def count(project: Any) -> Counted:
            names = project.participants.attribute_names()
            group = by if by in names else None
            return Counted(number, names, group, frequencies(project, by=[group] if group else None))

        return self.jobs.run(number, count)

    def _set_attributes(self, names: list[str]) -> None:
        """Offer the attributes participants have now (keeping the choice while it exists)."""
        if names == self.attributes:
            return
        select = self.query_one("#tables-by", Select)
        current = self.by
        self.attributes = list(names)
        with select.prevent(Select.Changed):
            select.set_options([("none", NONE)] + [(n, n) for n in names])
            select.value = current if current in names else NONE

    def _show(self, frame: "pd.DataFrame | None") -> None:
        self.frame = frame
        self.groups = []
        if frame is not None:
            self.groups = [
                GroupCol(g["label"], " & ".join(g["values"]), int(g["base"])) for g in frame.attrs.get("groups", [])
            ]
        self._fill()

    def _fill(self) -> None:
        table = self.query_one("#freq-table", DataTable)
        row = table.cursor_row
        table.clear(columns=True)
        table.add_column("Code", key="code")
        table.add_column("Codings", key="codings")
        table.add_column("Participants", key="participants")
        table.add_column("%", key="pct")
        for g in self.groups:
            table.add_column(f"{g.value} (n={g.base})", key=g.label)
        frame = self.frame
        note = self.query_one("#tables-note", Label)
        if frame is None or frame.empty:
            note.update("No codes yet.")
            self._chart()
            return
        for rec in frame.to_dict("records"):
            cells = [
                "  " * int(rec["depth"]) + str(rec["code"]),
                str(int(rec["codings"])),
                str(int(rec["participants"])),
                _pct(rec.get("participants_percent")),
            ]
            cells += [n_pct(rec[g.col("participants")], rec[g.col("participants_percent")]) for g in self.groups]
            table.add_row(*cells, key=str(rec["code_id"]))
        base = frame.attrs.get("participants_base", "?")
        counted = "confirmed + pending" if frame.attrs.get("include_pending", True) else "confirmed"
        note.update(
            f"% of {base} participants with codeable text · groups: participants (% of group) · "
            f"{counted} codings, rolled up over sub-codes"
        )
        table.move_cursor(row=max(0, min(row, len(frame) - 1)))
        self._chart()

    def record(self, row: int | None = None) -> dict[str, Any] | None:
        """The frequency record of a table row (default: the cursor's)."""
        if self.frame is None or self.frame.empty:
            return None
        row = self.query_one("#freq-table", DataTable).cursor_row if row is None else row
        if not 0 <= row < len(self.frame):
            return None
        return self.frame.iloc[row].to_dict()

    def _chart(self) -> None:
        chart = self.query_one("#freq-chart", BarChart)
        frame = self.frame
        if frame is None or frame.empty:
            chart.set_bars("", [])
            return
        legend = "  ".join(f"{g.value}" for g in self.groups)
        if self.chart_mode == "code":
            rec = self.record()
            if rec is None:
                chart.set_bars("", [])
                return
            bars = [
                Bar(
                    "all participants",
                    _num(rec.get("participants_percent")),
                    n_pct(rec["participants"], rec.get("participants_percent")),
                    "#bab0ac",
                )
            ]
            bars += [
                Bar(
                    f"{self.by}={g.value} (n={g.base})",
                    _num(rec[g.col("participants_percent")]),
                    n_pct(rec[g.col("participants")], rec[g.col("participants_percent")]),
                    PALETTE[i % len(PALETTE)],
                )
                for i, g in enumerate(self.groups)
            ]
            chart.set_bars(f"% of participants — {rec['path']}   (b: all themes)", bars)
            return
        bars = []
        for rec in frame[frame["depth"] == 0].to_dict("records"):
            bars.append(
                Bar(
                    str(rec["code"]),
                    _num(rec.get("participants_percent")),
                    n_pct(rec["participants"], rec.get("participants_percent")),
                    "#bab0ac",
                )
            )
            for i, g in enumerate(self.groups):
                bars.append(
                    Bar(
                        f"  {g.value}",
                        _num(rec[g.col("participants_percent")]),
                        n_pct(rec[g.col("participants")], rec[g.col("participants_percent")]),
                        PALETTE[i % len(PALETTE)],
                    )
                )
        title = "% of participants — all themes" + (f"  (grey: all · {legend})" if self.groups else "")
        chart.set_bars(title + "   (b: highlighted code)", bars)

    @on(DataTable.RowHighlighted, "#freq-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if self.chart_mode == "code":
            self._chart()

    @on(Select.Changed, "#tables-by")
    def _group_changed(self, event: Select.Changed) -> None:
        self._compute()

    def action_cycle_group(self) -> None:
        values = [NONE, *self.attributes]
        current = self.by or NONE
        self.query_one("#tables-by", Select).value = values[(values.index(current) + 1) % len(values)]

    def action_toggle_chart(self) -> None:
        self.chart_mode = "themes" if self.chart_mode == "code" else "code"
        self._chart()

    def action_explain(self) -> None:
        """Open the audit listing (``export frequencies --explain``) for the highlighted code."""
        from qualcode.tui.modals.explain import ExplainModal

        rec = self.record()
        if rec is not None:
            self.app.push_screen(ExplainModal(Path(self.project.path), int(rec["code_id"])))

    # -- export ----------------------------------------------------------------------
    def action_export(self) -> None:
        if self.exporting:
            self.notify("An export is already running.", severity="warning")
            return
        path = self.project.path
        by = self.by

        def done(choice: ExportChoice | None) -> None:
            if choice is not None:
                self.exporting = True
                self.notify(f"Exporting {choice.kind} to {choice.path}…", timeout=2)
                self._export(choice, by)

        note = f"frequencies and evidence are split by {by}" if by else "no comparison group (g to choose one)"
        self.app.push_screen(ExportModal(Path(path).resolve().parent, Path(path).stem, note=note), done)

    @work(thread=True, exclusive=True, group="export", name="Export", exit_on_error=False)
    def _export(self, choice: ExportChoice, by: str | None) -> list[Path]:
        """Compute the table and write it on this thread's own connection."""
        with own_project(self.project.path) as project:
            return export_table(project, choice, by)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group == "frequencies":
            got = worker.result
            if event.state == WorkerState.SUCCESS and got is not None and self.jobs.current(got.number):
                self._set_attributes(got.attributes)
                if got.by == self.by:  # else the choice moved on: its own count is on its way
                    self._show(got.frame)
            elif event.state == WorkerState.ERROR:
                self._show(None)
        elif worker.group == "export" and worker.is_finished:
            self.exporting = False
            if event.state == WorkerState.SUCCESS:
                self.notify("wrote " + ", ".join(str(p) for p in worker.result or []), title="Export")


def export_table(project: Any, choice: ExportChoice, by: str | None) -> list[Path]:
    """Compute ``choice.kind`` and write it through the export service, as the CLI does."""
    from qualcode.services import exports

    options: dict[str, Any] = {} if choice.kind == "codings" else {"by": [by] if by else None}
    return exports.write(exports.build(project, choice.kind, **options), choice.path, choice.fmt)


def _num(value: Any) -> float | None:
    return None if value is None or value != value else float(value)


def _pct(value: Any) -> str:
    v = _num(value)
    return "–" if v is None else f"{v:.1f}%"
