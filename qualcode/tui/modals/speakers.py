"""Speakers you can see and fix, in the TUI: the ``qualcode speakers`` listing with rename, role and merge.

Why a modal reached from the palette: it is a short, occasional repair
("Particpant" is "Participant", "TOMAS" is "Tomas"), not a place to work in.
Each fix calls :mod:`qualcode.services.speakers` (one undoable action, so
ctrl+z reverts it) and tells the app that the data changed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label

from qualcode.tui.messages import DataChanged
from qualcode.tui.modals.choice import ChoiceModal
from qualcode.tui.modals.prompt import PromptModal

if TYPE_CHECKING:
    from qualcode.services.speakers import SpeakerInfo


class SpeakersModal(ModalScreen[None]):
    """Speaker labels per document; r rename, o switch role, m merge the participant into another."""

    DEFAULT_CSS = """
    SpeakersModal .dialog.speakers { width: 95%; height: 85%; }
    SpeakersModal .dialog.speakers DataTable { height: 1fr; }
    """
    BINDINGS = [
        Binding("r", "rename", "Rename label", id="speakers.rename"),
        Binding("o", "role", "Switch role", id="speakers.role"),
        Binding("m", "merge", "Merge participant…", id="speakers.merge"),
        Binding("ctrl+z", "undo", "Undo", id="speakers.undo"),
        Binding("escape", "close", "Close", id="speakers.close"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[SpeakerInfo] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog speakers"):
            yield Label(
                "Speakers (a label used once or twice that looks like a frequent one is flagged)",
                classes="dialog-title",
            )
            yield DataTable(id="speakers-table", cursor_type="row", zebra_stripes=True)
            yield Label(
                "r: rename label · o: switch role · m: merge participant into… · ctrl+z: undo · escape: close",
                classes="hint",
            )

    def on_mount(self) -> None:
        table = self.query_one("#speakers-table", DataTable)
        table.add_columns("document", "speaker", "turns", "role", "participant", "similar to")
        self.reload()
        table.focus()

    @property
    def project(self) -> Any:
        return self.app.project  # type: ignore[attr-defined]

    def reload(self) -> None:
        from qualcode.services.speakers import list_speakers

        table = self.query_one("#speakers-table", DataTable)
        row = table.cursor_row
        self.rows = list_speakers(self.project)
        table.clear()
        for r in self.rows:
            table.add_row(
                r.document,
                r.speaker or "-",
                str(r.turns),
                r.role,
                r.participant or "-",
                f"{r.similar_to} ?" if r.similar_to else "",
            )
        if self.rows:
            table.move_cursor(row=max(0, min(row, len(self.rows) - 1)))

    def selected(self) -> "SpeakerInfo | None":
        row = self.query_one("#speakers-table", DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def _apply(self, fn: Any, *args: Any) -> None:
        change = self.app.attempt(fn, self.project, *args)  # type: ignore[attr-defined]
        if change is not None:
            self.notify(change.summary, timeout=3)
            self.post_message(DataChanged(self))
            self.reload()

    def action_rename(self) -> None:
        from qualcode.services.speakers import rename_speaker

        label = self.selected()
        if label is None:
            return

        def done(value: str | None) -> None:
            if value and value != label.speaker:
                self._apply(rename_speaker, label.speaker, value, label.document)

        self.app.push_screen(
            PromptModal(f"Rename speaker {label.speaker!r} in {label.document} to", label.similar_to or label.speaker),
            done,
        )

    def action_role(self) -> None:
        from qualcode.services.speakers import set_speaker_role

        label = self.selected()
        if label is not None:
            other = "participant" if label.role == "interviewer" else "interviewer"
            self._apply(set_speaker_role, label.speaker, other, label.document)

    def action_merge(self) -> None:
        from qualcode.services.speakers import merge_participants

        label = self.selected()
        if label is None or not label.participant:
            self.notify("This label has no participant to merge.", severity="warning")
            return
        others = [p.name for p in self.project.participants.all() if p.name != label.participant]

        def done(target: str | None) -> None:
            if target:
                self._apply(merge_participants, target, label.participant)

        self.app.push_screen(
            ChoiceModal(f"Merge participant {label.participant!r} into", [(name, name) for name in others]), done
        )

    def action_undo(self) -> None:
        self.app.action_undo()  # type: ignore[attr-defined]
        self.reload()

    def action_close(self) -> None:
        self.dismiss(None)
