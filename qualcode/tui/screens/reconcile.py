"""Reconcile: step through two coders' disagreements, code by code, keeping one answer each.

Why one key per decision, saved at once: a reconciliation meeting decides
dozens of units; ``a``/``b``/``o``/``n`` keep A's, B's, both or neither as the
consensus coder's coding and move on. Each decision is one undoable action
that also records the progress in the project
(:mod:`qualcode.services.reconcile`), so quitting keeps it, reopening the
screen resumes at the first undecided unit, and ``ctrl+z`` takes one back.
The screen reopens the last session; with none, it takes the only two human
coders (into ``consensus``) or asks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Header, Label, Static

from qualcode.tui.messages import DataChanged
from qualcode.tui.screens.base import QScreen

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.services.reconcile import ReconcileItem, ReconcileState
    from qualcode.store.reconcile import ReconcileSession

CHOICE_WORDS = {"a": "A's", "b": "B's", "both": "both", "neither": "neither"}


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


class ReconcileScreen(QScreen):
    """The remaining disagreements, with both coders' spans of the highlighted one in its unit."""

    screen_name = "reconcile"
    DEFAULT_CSS = """
    #reconcile { height: 1fr; }
    #reconcile-table { height: 1fr; }
    #reconcile-context-box { height: 1fr; border-top: solid $primary-darken-2; padding: 0 1; }
    """
    BINDINGS = [
        Binding("a", "decide('a')", "Keep A's", id="reconcile.a"),
        Binding("b", "decide('b')", "Keep B's", id="reconcile.b"),
        Binding("o", "decide('both')", "Keep both", id="reconcile.both"),
        Binding("n", "decide('neither')", "Neither", id="reconcile.neither"),
        Binding("escape", "app.back", "Back", show=False, id="reconcile.back"),
    ]

    def __init__(self, session: "ReconcileSession | None" = None) -> None:
        super().__init__()
        self.session = session
        self.state: ReconcileState | None = None
        self.items: list[ReconcileItem] = []
        self.last = ""

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(id="reconcile"):
            yield Label("", id="reconcile-title", classes="section")
            yield DataTable(id="reconcile-table", cursor_type="row", zebra_stripes=True)
            with VerticalScroll(id="reconcile-context-box"):
                yield Static("", id="reconcile-context")
        yield Footer()

    def on_mount(self) -> None:
        self.title = "Reconcile"
        self.query_one("#reconcile-table", DataTable).add_columns("Code", "Document", "Span", "Applied by", "Text")
        session = self.session or self._guess()
        if session is None:
            self._ask()
        else:
            self.start(session)

    # -- choosing the session ----------------------------------------------------------
    def _guess(self) -> "ReconcileSession | None":
        from qualcode.store.reconcile import ReconcileSession

        project = self.project
        latest = project.reconcile.latest()
        if latest is not None:
            return latest
        coders = sorted({c.coder for c in project.codings.all() if c.origin == "manual" and c.status != "rejected"})
        return ReconcileSession(coders[0], coders[1], "consensus") if len(coders) == 2 else None

    def _ask(self) -> None:
        from qualcode.store.reconcile import ReconcileSession
        from qualcode.tui.modals.prompt import PromptModal

        def check(value: str) -> str | None:
            return None if len(value.split()) == 3 else "three names: coder A, coder B, consensus coder"

        def done(value: str | None) -> None:
            if value:
                a, b, into = value.split()
                self.start(ReconcileSession(a, b, into))

        self.app.push_screen(
            PromptModal(
                "Reconcile which coders, into whom? (A B CONSENSUS)", placeholder="alice bob consensus", validate=check
            ),
            done,
        )

    def start(self, session: "ReconcileSession") -> None:
        """Open (or resume) the session; starting one copies the agreed codings to the consensus coder."""
        from qualcode.services.reconcile import open_session

        state = self.attempt(
            open_session, self.project, session.coder_a, session.coder_b, session.consensus, session.unit
        )
        if state is None:
            return
        self.session, self.state = session, state
        if state.seeded:
            self.post_message(DataChanged(self))
        self.reload()
        self.query_one("#reconcile-table", DataTable).focus()

    # -- reading -----------------------------------------------------------------------
    def reload(self) -> None:
        from qualcode.services.reconcile import refresh

        if self.state is None:
            return
        refresh(self.project, self.state)
        self.items = self.state.remaining
        table = self.query_one("#reconcile-table", DataTable)
        row = table.cursor_row
        table.clear()
        for it in self.items:
            table.add_row(
                _clip(it.code.split(" > ")[-1], 24),
                _clip(it.document, 24),
                f"{it.start}-{it.end}",
                ", ".join(it.applied_by),
                _clip(it.text, 60),
            )
        if self.items:
            table.move_cursor(row=max(0, min(row, len(self.items) - 1)))
        s, total = self.state.session, len(self.state.items)
        done = total - len(self.items)
        head = f"A = {s.coder_a} · B = {s.coder_b} → {s.consensus} · {done}/{total} decided"
        if self.items:
            head += " · a keep A's · b keep B's · o both · n neither"
        else:
            head += " · every disagreement is decided"
        self.query_one("#reconcile-title", Label).update(head + (f" · last: {self.last}" if self.last else ""))
        self._show()

    @property
    def current(self) -> "ReconcileItem | None":
        table = self.query_one("#reconcile-table", DataTable)
        if not self.items or not (0 <= table.cursor_row < len(self.items)):
            return None
        return self.items[table.cursor_row]

    def _show(self) -> None:
        pane = self.query_one("#reconcile-context", Static)
        item, state = self.current, self.state
        if item is None or state is None:
            pane.update("")
            return
        text = self.project.documents.get(item.document_id).text
        spans = [c for c in (*item.a, *item.b)]
        lo = min([item.start, *(c.start for c in spans)])
        hi = max([item.end, *(c.end for c in spans)])
        out = Text()
        out.append(f"{item.code}", style="bold")
        out.append(f"  · {item.document} {item.start}-{item.end}\n", style="dim")
        for label, who, mine in (("A", state.session.coder_a, item.a), ("B", state.session.coder_b, item.b)):
            out.append(f"\n{label} {who}: ", style="bold")
            out.append(
                f"{len(mine)} coding{'s' if len(mine) != 1 else ''}\n" if mine else "did not code it\n", style="dim"
            )
            cuts = sorted({lo, hi, *(x for c in mine for x in (max(lo, c.start), min(hi, c.end)))})
            for s, e in zip(cuts, cuts[1:]):
                inside = any(c.start <= s and e <= c.end for c in mine)
                out.append(text[s:e], style="bold reverse" if inside else "")
            out.append("\n")
        pane.update(out)

    @on(DataTable.RowHighlighted, "#reconcile-table")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._show()

    # -- decisions ---------------------------------------------------------------------
    def action_decide(self, choice: str) -> None:
        from qualcode.services.reconcile import decide

        item, state = self.current, self.state
        if item is None or state is None:
            self.notify("Nothing to decide here.", severity="warning")
            return
        if self.attempt(decide, self.project, state, [item], choice) is None:
            return
        self.last = f"{item.code.split(' > ')[-1]} in {item.document}: kept {CHOICE_WORDS[choice]}"
        self.post_message(DataChanged(self))
        self.reload()
