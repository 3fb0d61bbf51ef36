"""The document view: read a transcript and code it from the keyboard.

Why the screen, not the transcript widget, talks to the store: the widget
only knows offsets, colours and the cursor; this screen turns "apply code 3
here" into one ``project.codings`` call, then tells the widget which coding
appeared or vanished so only the affected rows are redrawn.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from qualcode.errors import NotFoundError
from qualcode.model import Code, Coding
from qualcode.tui.messages import DataChanged
from qualcode.tui.modals.memo import MemoModal
from qualcode.tui.modals.picker import CodePicker, Pick
from qualcode.tui.motion import trim_span
from qualcode.tui.screens.base import QScreen
from qualcode.tui.widgets.transcript import TranscriptView


class DocumentScreen(QScreen):
    """One document, its codings, and the coding keys."""

    screen_name = "document"
    BINDINGS = [
        Binding("c", "pick_code", "Code…", id="doc.pick"),
        Binding("full_stop", "repeat_code", "Repeat code", id="doc.repeat"),
        Binding("x", "remove_coding", "Uncode", id="doc.remove"),
        Binding("delete", "remove_coding", "Uncode", show=False, id="doc.remove_alt"),
        Binding("r", "recode", "Recode", id="doc.recode"),
        Binding("m", "memo", "Memo", id="doc.memo"),
        Binding("n", "next_coding(1)", "Next coding", show=False, id="doc.next_coding"),
        Binding("N", "next_coding(-1)", "Previous coding", show=False, id="doc.prev_coding"),
        Binding("escape", "app.back", "Back", show=False, id="doc.back"),
    ]

    def __init__(self, document_id: int, *, offset: int | None = None, select: tuple[int, int] | None = None) -> None:
        super().__init__()
        self.document_id = document_id
        self.start_offset = offset
        self.start_select = select

    # -- building ----------------------------------------------------------------
    def compose(self) -> ComposeResult:
        project = self.project
        doc = project.documents.get(self.document_id)
        self.document = doc
        turns = project.documents.turns(doc.id)
        self.title = doc.name
        yield Header()
        yield TranscriptView(
            doc,
            turns,
            project.codings.for_document(doc.id),
            project.codes.all(),
            memo_turns=self._memo_turns(),
            id="transcript",
        )
        yield Static(id="status")
        yield Footer()

    def on_mount(self) -> None:
        view = self.view
        view.focus()
        clashes = sorted(k for k in view.code_keys if k in _reserved_letters(self))
        if clashes:
            self.notify(f"code key(s) {', '.join(clashes)} shadow app keys in the document view", severity="warning")
        self.jump(offset=self.start_offset, select=self.start_select)

    @property
    def view(self) -> TranscriptView:
        return self.query_one(TranscriptView)

    def _memo_turns(self) -> set[int]:
        return {m.target_id for m in self.project.memos.all() if m.target == "turn" and m.target_id}

    def reload(self) -> None:
        project = self.project
        try:
            project.documents.get(self.document_id)
        except NotFoundError:
            self.notify("this document no longer exists", severity="warning")
            self.dismiss_later()
            return
        view = self.view
        view.set_codes(project.codes.all())
        view.set_codings(project.codings.for_document(self.document_id), self._memo_turns())
        self._status()

    def dismiss_later(self) -> None:
        self.call_later(self.app.pop_screen)

    def jump(self, *, offset: int | None = None, select: tuple[int, int] | None = None) -> None:
        """Move the cursor to an offset, or select a span, centred in view."""
        view = self.view
        if select:
            view.select(*select)
            view.move_to(view.position, extend=True, centre=True)
        elif offset is not None:
            view.move_to(offset, centre=True)
        self._status()

    # -- status line ---------------------------------------------------------------
    def on_transcript_view_cursor_moved(self, message: TranscriptView.CursorMoved) -> None:
        self._status()

    def _status(self) -> None:
        view = self.view
        turn = view.current_turn()
        parts = [f"turn {turn.seq + 1}/{len(view.turns)} · {turn.speaker or '—'}"]
        sel = view.selection
        if sel:
            parts.append(f"selected {sel[1] - sel[0]} chars")
        else:
            parts.append(f"@{view.position}")
        here = [view.codes[c.code_id].name for c in view.codings_at_cursor() if c.code_id in view.codes]
        if here:
            parts.append("here: " + ", ".join(here))
        last = self.qapp.last_code_id
        if last is not None and last in view.codes:
            parts.append(f"last: {view.codes[last].name}")
        parts.append(f"coder: {self.qapp.coder}")
        self.query_one("#status", Static).update("  ·  ".join(parts))

    # -- coding ----------------------------------------------------------------------
    def target_span(self) -> tuple[int, int]:
        """The selection, or the whole turn under the cursor, without edge spaces."""
        view = self.view
        span = view.selection
        if span is None:
            turn = view.current_turn()
            span = (turn.start, turn.end)
        return trim_span(view.text, *span)

    def apply_code(self, code: Code) -> list[Coding] | None:
        """Apply ``code`` to the target span as the app's coder."""
        start, end = self.target_span()
        project = self.project
        made = self.attempt(project.codings.apply, self.document_id, start, end, [code.id], coder=self.qapp.coder)
        if made is None:
            return None
        view = self.view
        for coding in made:
            view.coding_added(coding)
        view.clear_selection()
        self.qapp.last_code_id = code.id
        self.post_message(DataChanged(self))
        self._status()
        return made

    def on_transcript_view_code_key_pressed(self, message: TranscriptView.CodeKeyPressed) -> None:
        code = self.view.code_keys.get(message.key)
        if code is not None:
            self.apply_code(code)

    def _colours(self) -> dict[int, str]:
        return dict(self.view.colours)

    def action_pick_code(self) -> None:
        codes = self.project.codes.all()
        self.app.push_screen(CodePicker(codes, colours=self._colours()), self._picked)

    def _resolve_pick(self, pick: Pick | None) -> Code | None:
        if pick is None:
            return None
        project = self.project
        if pick.create:
            if pick.parent_id is not None:
                code = self.attempt(project.codes.add, pick.create, pick.parent_id)
            else:
                made = self.attempt(project.codes.ensure_path, pick.create)
                code = made[0] if made is not None else None
            if code is None:
                return None
            self.notify(f"Created code {code.path}")
            self.view.set_codes(project.codes.all())
            return code
        return self.attempt(project.codes.get, pick.code_id)

    def _picked(self, pick: Pick | None) -> None:
        code = self._resolve_pick(pick)
        if code is not None:
            self.apply_code(code)

    def action_repeat_code(self) -> None:
        last = self.qapp.last_code_id
        code = self.view.codes.get(last) if last is not None else None
        if code is None:
            self.notify("no code applied yet: press a code key or c", severity="warning")
            return
        self.apply_code(code)

    def _coding_here(self) -> Coding | None:
        here = self.view.codings_at_cursor()
        if not here:
            self.notify("no coding under the cursor", severity="warning")
            return None
        return here[0]

    def action_remove_coding(self) -> None:
        coding = self._coding_here()
        if coding is None:
            return
        removed = self.attempt(self.project.codings.remove, coding.id)
        if removed is not None:
            self.view.coding_removed(coding.id)
            name = self.view.codes.get(coding.code_id)
            self.notify(f"Removed {name.name if name else 'coding'}", timeout=2)
            self.post_message(DataChanged(self))
            self._status()

    def action_recode(self) -> None:
        coding = self._coding_here()
        if coding is None:
            return

        def done(pick: Pick | None) -> None:
            code = self._resolve_pick(pick)
            if code is None:
                return
            new = self.attempt(self.project.codings.recode, coding.id, code.id)
            if new is not None:
                self.view.coding_added(new)
                self.post_message(DataChanged(self))
                self._status()

        codes = self.project.codes.all()
        self.app.push_screen(CodePicker(codes, title="Recode as", colours=self._colours()), done)

    def action_memo(self) -> None:
        """Memo on the coding under the cursor, else on the turn."""
        project = self.project
        here = self.view.codings_at_cursor()
        if here:
            target, target_id = "coding", here[0].id
            code = self.view.codes.get(here[0].code_id)
            title = f"Memo on coding {code.name if code else ''}"
        else:
            turn = self.view.current_turn()
            target, target_id = "turn", turn.id
            title = f"Memo on turn {turn.seq + 1} ({turn.speaker or '—'})"
        existing = project.memos.for_target(target, target_id)

        def done(text: str | None) -> None:
            if text is None:
                return
            if existing:
                if text.strip():
                    ok = self.attempt(project.memos.edit, existing[0].id, text)
                else:
                    ok = self.attempt(project.memos.remove, existing[0].id)
            else:
                ok = self.attempt(project.memos.add, target, target_id, text, author=self.qapp.coder)
            if ok is not None:
                self.notify("Memo saved", timeout=2)
                self.post_message(DataChanged())
                self.reload()

        self.app.push_screen(MemoModal(title, existing[0].text if existing else ""), done)

    def action_next_coding(self, step: int) -> None:
        """Jump to the next (or previous) coding of the code here, or of the last code."""
        view = self.view
        here = view.codings_at_cursor()
        code_id = here[0].code_id if here else self.qapp.last_code_id
        if code_id is None:
            self.notify("no code here and none applied yet", severity="warning")
            return
        same = [c for c in view.index.all() if c.code_id == code_id]
        pos = view.position
        found = (
            [c for c in same if c.start > pos]
            if step > 0
            else [c for c in same if c.start < pos and not (c.start <= pos < c.end)]
        )
        name = view.codes[code_id].name if code_id in view.codes else "this code"
        if not found:
            self.notify(f"no {'later' if step > 0 else 'earlier'} coding of {name} here", timeout=2)
            return
        target = found[0] if step > 0 else found[-1]
        view.move_to(target.start, centre=True)


def _reserved_letters(screen: DocumentScreen) -> set[str]:
    """Printable keys bound by the document view (a code key there shadows them)."""
    from qualcode.tui.widgets.transcript import TranscriptView as TV

    keys = {b.key for b in [*DocumentScreen.BINDINGS, *TV.BINDINGS] if hasattr(b, "key")}
    return {k for k in keys if len(k) == 1}
