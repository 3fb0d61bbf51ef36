"""Every excerpt of a code, with who said it; enter opens it in context."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import DataTable, Footer, Header, Label

from qualcode.model import Turn
from qualcode.tui.messages import OpenDocument
from qualcode.tui.modals.picker import CodePicker, Pick
from qualcode.tui.screens.base import QScreen


@dataclass(frozen=True, slots=True)
class Excerpt:
    """One coded span with its document, speaker and participant attributes."""

    coding_id: int
    document_id: int
    document: str
    start: int
    end: int
    speaker: str
    participant: str
    attributes: str
    text: str


class ExcerptsScreen(QScreen):
    """A table of a code's excerpts (sub-codes included)."""

    screen_name = "excerpts"
    BINDINGS = [
        Binding("c", "choose_code", "Choose code", id="excerpts.code"),
        Binding("escape", "app.back", "Back", show=False, id="excerpts.back"),
    ]

    def __init__(self, code_id: int | None = None) -> None:
        super().__init__()
        self.code_id = code_id
        self.excerpts: list[Excerpt] = []

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="excerpts"):
            yield Label("", id="excerpts-title", classes="section")
            yield DataTable(id="excerpt-table", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Excerpts"
        table = self.query_one(DataTable)
        table.add_columns("Document", "Speaker", "Participant", "Attributes", "Excerpt")
        if self.code_id is None:
            codes = self.project.codes.all()
            self.code_id = self.qapp.last_code_id or (codes[0].id if codes else None)
        self.reload()
        table.focus()

    def reload(self) -> None:
        project = self.project
        table = self.query_one(DataTable)
        table.clear()
        self.excerpts = []
        title = self.query_one("#excerpts-title", Label)
        if self.code_id is None:
            title.update("No codes yet.")
            return
        code = self.attempt(project.codes.get, self.code_id)
        if code is None:
            title.update("That code no longer exists; press c to choose another.")
            return
        ids = {c.id for c in project.codes.descendants(code.id)}
        codings = [c for cid in ids for c in project.codings.for_code(cid)]
        codings.sort(key=lambda c: (c.document_id, c.start, c.end))
        people = {p.id: p for p in project.participants.all()}
        docs: dict[int, tuple[str, str, list[Turn], int | None]] = {}
        for coding in codings:
            if coding.document_id not in docs:
                d = project.documents.get(coding.document_id)
                docs[coding.document_id] = (d.name, d.text, project.documents.turns(d.id), d.participant_id)
            name, text, turns, doc_pid = docs[coding.document_id]
            i = max(0, bisect_right([t.start for t in turns], coding.start) - 1)
            turn = turns[i] if turns else None
            pid = (turn.participant_id if turn else None) or doc_pid
            person = people.get(pid) if pid else None
            attrs = ", ".join(f"{k}={v}" for k, v in sorted(person.attributes.items())) if person else ""
            snippet = " ".join(text[coding.start : coding.end].split())
            self.excerpts.append(
                Excerpt(
                    coding.id,
                    coding.document_id,
                    name,
                    coding.start,
                    coding.end,
                    turn.speaker if turn else "",
                    person.name if person else "",
                    attrs,
                    snippet,
                )
            )
        for ex in self.excerpts:
            short = ex.text if len(ex.text) <= 90 else ex.text[:89] + "…"
            table.add_row(
                ex.document,
                ex.speaker or "—",
                ex.participant or "—",
                ex.attributes or "—",
                short,
                key=str(ex.coding_id),
            )
        title.update(
            f"{code.path}: {len(self.excerpts)} excerpt{'s' if len(self.excerpts) != 1 else ''}"
            " (enter: open in context · c: another code)"
        )

    @on(DataTable.RowSelected)
    def _open(self, event: DataTable.RowSelected) -> None:
        wanted = int(str(event.row_key.value))
        for ex in self.excerpts:
            if ex.coding_id == wanted:
                self.post_message(OpenDocument(ex.document_id, select=(ex.start, ex.end)))
                return

    def action_choose_code(self) -> None:
        def done(pick: Pick | None) -> None:
            if pick is not None and pick.code_id is not None:
                self.code_id = pick.code_id
                self.reload()

        self.app.push_screen(CodePicker(self.project.codes.all(), title="Excerpts of…", allow_create=False), done)
