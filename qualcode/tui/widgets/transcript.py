"""The transcript: a Line-API ``ScrollView`` that paints only visible rows.

Why the Line API: a transcript can run to a million characters. A widget per
turn would take seconds to mount; here :class:`~qualcode.tui.layout.Layout`
precomputes the wrapped rows once per width, ``render_line`` builds a
:class:`Strip` for a visible row on demand, and strips are cached per row so
moving the cursor or applying a code redraws only the rows that changed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence

from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from qualcode.model import Code, Coding, Document, Turn
from qualcode.tui.layout import BLANK, HEADER, TEXT, Layout
from qualcode.tui.motion import Motion
from qualcode.tui.spans import CodingIndex, code_colour
from qualcode.tui.widgets.rows import INDENT, RowPainter

SCROLL_OFF = 4  # like vim's scrolloff: context kept above/below the cursor


class TranscriptView(RowPainter, ScrollView, can_focus=True):
    """Shows one document; owns the cursor, the selection and the codings' look."""

    DEFAULT_CSS = """
    TranscriptView { height: 1fr; background: $surface; }
    """

    BINDINGS = [
        Binding("left", "move('left')", "Left", show=False, id="cursor.left"),
        Binding("right", "move('right')", "Right", show=False, id="cursor.right"),
        Binding("up", "move('up')", "Up", show=False, id="cursor.up"),
        Binding("down", "move('down')", "Down", show=False, id="cursor.down"),
        Binding("ctrl+right", "move('word_next')", "Next word", show=False, id="cursor.word_next"),
        Binding("ctrl+left", "move('word_prev')", "Previous word", show=False, id="cursor.word_prev"),
        Binding(")", "move('sentence_next')", "Next sentence", show=False, id="cursor.sentence_next"),
        Binding("(", "move('sentence_prev')", "Previous sentence", show=False, id="cursor.sentence_prev"),
        Binding("]", "move('turn_next')", "Next turn", id="cursor.turn_next"),
        Binding("[", "move('turn_prev')", "Previous turn", show=False, id="cursor.turn_prev"),
        Binding("pagedown", "move('page_down')", "Page down", show=False, id="cursor.page_down"),
        Binding("pageup", "move('page_up')", "Page up", show=False, id="cursor.page_up"),
        Binding("home", "move('line_start')", "Line start", show=False, id="cursor.line_start"),
        Binding("end", "move('line_end')", "Line end", show=False, id="cursor.line_end"),
        Binding("ctrl+home", "move('doc_start')", "Document start", show=False, id="cursor.doc_start"),
        Binding("ctrl+end", "move('doc_end')", "Document end", show=False, id="cursor.doc_end"),
        Binding("shift+left", "move('left', True)", "Extend left", show=False, id="select.left"),
        Binding("shift+right", "move('right', True)", "Extend right", show=False, id="select.right"),
        Binding("shift+up", "move('up', True)", "Extend up", show=False, id="select.up"),
        Binding("shift+down", "move('down', True)", "Extend down", show=False, id="select.down"),
        Binding("ctrl+shift+right", "move('word_end', True)", "Extend by word", show=False, id="select.word_next"),
        Binding("ctrl+shift+left", "move('word_prev', True)", "Extend back by word", show=False, id="select.word_prev"),
        Binding("shift+home", "move('line_start', True)", "Extend to line start", show=False, id="select.line_start"),
        Binding("shift+end", "move('line_end', True)", "Extend to line end", show=False, id="select.line_end"),
        Binding("w", "move('word_end', True)", "Extend word", show=False, id="select.word"),
        Binding("s", "move('sentence_end', True)", "Extend sentence", show=False, id="select.sentence"),
        Binding("t", "select_turn", "Select turn", show=False, id="select.turn"),
        Binding("space", "toggle_mark", "Mark", show=False, id="select.mark"),
        Binding("escape", "clear_selection", "Clear selection", show=False, id="select.clear"),
        Binding("T", "toggle_timestamps", "Timestamps", show=False, id="view.timestamps"),
    ]

    class CursorMoved(Message):
        """The cursor or selection changed (the screen updates its status line)."""

        def __init__(self, view: "TranscriptView") -> None:
            self.view = view
            super().__init__()

    class CodeKeyPressed(Message):
        """A codebook shortcut key was pressed in the transcript."""

        def __init__(self, key: str) -> None:
            self.key = key
            super().__init__()

    def __init__(
        self,
        document: Document,
        turns: Sequence[Turn],
        codings: Iterable[Coding] = (),
        codes: Sequence[Code] = (),
        *,
        memo_turns: Iterable[int] = (),
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.document = document
        self.text = document.text
        self.turns = list(turns)
        self.motion = Motion(self.text, self.turns)
        self.index = CodingIndex(self.turns, codings)
        self.memo_turns = set(memo_turns)
        self.show_timestamps = False
        self.anchor: int | None = None
        self._cursor = self.motion.clamp(0)
        self._sticky_col: int | None = None
        self._layout: Layout | None = None
        self._cache: dict[int, Strip] = {}
        self._dragging = False
        self.first_paint: float | None = None
        self.last_paint: float = 0.0  # when a row was last (re)built: benchmarks wait on it
        self.code_keys: dict[str, Code] = {}
        self.set_codes(codes)

    # -- public API ------------------------------------------------------------
    @property
    def position(self) -> int:
        return self._cursor

    @property
    def selection(self) -> tuple[int, int] | None:
        """The selected span ``(start, end)``, end exclusive, or ``None``."""
        if self.anchor is None:
            return None
        lo, hi = sorted((self.anchor, self._cursor))
        return lo, min(hi + 1, len(self.text))

    def current_turn(self) -> Turn:
        return self.turns[self.index.turns_of(self._cursor, self._cursor + 1)[0]]

    def set_codes(self, codes: Sequence[Code]) -> None:
        """New codebook (colours, names, keys): every row may look different."""
        self.codes = {c.id: c for c in codes}
        self.colours = {c.id: code_colour(c, codes) for c in codes}
        self.code_keys = {c.key: c for c in codes if c.key}
        self.invalidate()

    def set_codings(self, codings: Iterable[Coding], memo_turns: Iterable[int] | None = None) -> None:
        self.index = CodingIndex(self.turns, codings)
        if memo_turns is not None:
            self.memo_turns = set(memo_turns)
        self.invalidate()

    def coding_added(self, coding: Coding) -> None:
        self._refresh_turns(self.index.add(coding))

    def coding_removed(self, coding_id: int) -> None:
        self._refresh_turns(self.index.remove(coding_id))

    def codings_at_cursor(self) -> list[Coding]:
        turn = self.index.turns_of(self._cursor, self._cursor + 1)[0]
        return self.index.at(turn, self._cursor)

    def move_to(self, offset: int, *, extend: bool = False, centre: bool = False) -> None:
        """Put the cursor at ``offset`` (clamped into a turn), keeping it visible."""
        before = self._rows_of_selection()
        if extend and self.anchor is None:
            self.anchor = self._cursor
        elif not extend:
            self.anchor = None
        self._cursor = self.motion.clamp(offset)
        self._refresh_rows(before | self._rows_of_selection())
        self._scroll_to_cursor(centre=centre)
        self.post_message(self.CursorMoved(self))

    def select(self, start: int, end: int) -> None:
        """Select ``text[start:end]`` (used by tests and by jumps to a coding)."""
        self.move_to(start)
        self.move_to(max(start, end - 1), extend=True)

    def clear_selection(self) -> None:
        if self.anchor is not None:
            rows = self._rows_of_selection()
            self.anchor = None
            self._refresh_rows(rows)
            self.post_message(self.CursorMoved(self))

    def invalidate(self) -> None:
        self._cache.clear()
        self.refresh()

    # -- actions -------------------------------------------------------------------
    def action_move(self, how: str, extend: bool = False) -> None:
        m, cur = self.motion, self._cursor
        keep_col = how in ("up", "down", "page_up", "page_down")
        target = {
            "left": m.left,
            "right": m.right,
            "word_next": m.next_word,
            "word_prev": m.prev_word,
            "word_end": m.word_end,
            "sentence_next": m.next_sentence,
            "sentence_prev": m.prev_sentence,
            "sentence_end": m.sentence_end,
            "turn_next": m.next_turn,
            "turn_prev": m.prev_turn,
        }.get(how)
        if target is not None:
            new = target(cur)
        elif how in ("up", "down", "page_up", "page_down"):
            step = max(1, self.scrollable_content_region.height - 2) if how.startswith("page") else 1
            new = self._vertical(-step if how in ("up", "page_up") else step)
        elif how in ("line_start", "line_end"):
            line = self.layout.lines[self.layout.row_of(cur)]
            new = line.start if how == "line_start" else max(line.start, line.end - 1)
        elif how == "doc_start":
            new = m.clamp(0)
        else:
            new = m.clamp(len(self.text))
        sticky = self._sticky_col
        self.move_to(new, extend=extend)
        self._sticky_col = sticky if keep_col else None

    def action_select_turn(self) -> None:
        s, e = self.motion.turn_span(self._cursor)
        self.select(s, e)

    def action_toggle_mark(self) -> None:
        if self.anchor is None:
            self.move_to(self._cursor, extend=True)
        else:
            self.clear_selection()

    def action_clear_selection(self) -> None:
        self.clear_selection()

    def action_toggle_timestamps(self) -> None:
        self.show_timestamps = not self.show_timestamps
        self.invalidate()

    # -- events -------------------------------------------------------------------
    def on_key(self, event: events.Key) -> None:
        char = event.character
        if char and char in self.code_keys and event.key not in ("space", "escape"):
            event.stop()
            event.prevent_default()
            self.post_message(self.CodeKeyPressed(char))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        offset = self._offset_at(event.x, event.y)
        if offset is None:
            return
        self._dragging = True
        self.capture_mouse()
        self.move_to(offset)

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._dragging:
            offset = self._offset_at(event.x, event.y)
            if offset is not None and offset != self._cursor:
                self.move_to(offset, extend=True)

    def on_mouse_up(self, event: events.MouseUp) -> None:
        if self._dragging:
            self._dragging = False
            self.release_mouse()

    def on_resize(self, event: events.Resize) -> None:
        if self._layout is not None and self._layout.width != self._text_width():
            self._layout = None
            self._cache.clear()
        self._update_virtual_size()

    def on_mount(self) -> None:
        self._update_virtual_size()

    # -- layout ----------------------------------------------------------------------
    def _margin_width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width or 80
        return max(10, min(28, width // 4))

    def _text_width(self) -> int:
        width = self.scrollable_content_region.width or self.size.width or 80
        return max(10, width - INDENT - self._margin_width() - 2)

    @property
    def layout(self) -> Layout:
        width = self._text_width()
        if self._layout is None or self._layout.width != width:
            self._layout = Layout(self.text, self.turns, width)
            self._cache.clear()
        return self._layout

    def _update_virtual_size(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.layout))

    def _offset_at(self, x: int, y: int) -> int | None:
        row = int(self.scroll_offset.y) + y
        lines = self.layout.lines
        if not (0 <= row < len(lines)):
            return None
        line = lines[row]
        if line.kind != TEXT:
            return self.motion.clamp(self.turns[line.turn].start)
        col = max(0, x - INDENT)
        return self.motion.clamp(min(line.start + col, max(line.start, line.end - 1)))

    def _vertical(self, step: int) -> int:
        lay = self.layout
        row = lay.row_of(self._cursor)
        line = lay.lines[row]
        col = self._sticky_col if self._sticky_col is not None else self._cursor - line.start
        self._sticky_col = col
        target = row + step
        direction = 1 if step > 0 else -1
        target = max(0, min(len(lay) - 1, target))
        while 0 <= target < len(lay) and lay.lines[target].kind != TEXT:
            target += direction
        if not (0 <= target < len(lay)):
            return self._cursor
        new = lay.lines[target]
        return min(new.start + col, max(new.start, new.end - 1))

    def _rows_of_selection(self) -> set[int]:
        lay = self.layout
        cur = lay.row_of(self._cursor)
        if self.anchor is None:
            return {cur}
        other = lay.row_of(self.anchor)
        lo, hi = min(cur, other), max(cur, other)
        if hi - lo > 500:
            return {-1}
        return set(range(lo, hi + 1))

    def _refresh_rows(self, rows: Iterable[int]) -> None:
        rows = set(rows)
        if -1 in rows:
            self.invalidate()
            return
        for r in rows:
            self._cache.pop(r, None)
            self.refresh_line(r)

    def _refresh_turns(self, turns: range) -> None:
        lay = self.layout
        rows: set[int] = set()
        for t in turns:
            rows.update(lay.turn_rows(t))
        if len(rows) > 2000:
            self.invalidate()
        else:
            self._refresh_rows(rows)

    def _scroll_to_cursor(self, *, centre: bool = False) -> None:
        row = self.layout.row_of(self._cursor)
        height = self.scrollable_content_region.height or 1
        top = int(self.scroll_offset.y)
        keep = min(SCROLL_OFF, max(0, (height - 1) // 2))  # rows kept visible around the cursor
        if centre:
            self.scroll_to(y=max(0, row - height // 2), animate=False, immediate=True)
        elif row < top + keep:
            self.scroll_to(y=max(0, row - keep), animate=False, immediate=True)
        elif row > top + height - 1 - keep:
            self.scroll_to(y=row - height + 1 + keep, animate=False, immediate=True)

    # -- painting ------------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        if self.first_paint is None:
            self.first_paint = time.perf_counter()
        row = int(self.scroll_offset.y) + y
        strip = self._cache.get(row)
        if strip is None:
            strip = self._render_row(row)
            self._cache[row] = strip
            self.last_paint = time.perf_counter()
        return strip

    def _render_row(self, row: int) -> Strip:
        width = self.scrollable_content_region.width
        lay = self.layout
        if not (0 <= row < len(lay)):
            return Strip.blank(width)
        line = lay.lines[row]
        turn = self.turns[line.turn]
        dim = turn.role == "interviewer"
        segs: list[Segment]
        if line.kind == HEADER:
            segs = self._header(turn, line.turn, dim)
        elif line.kind == BLANK:
            segs = []
        else:
            segs = [Segment(" " * INDENT)] + self._text_segments(line.start, line.end, line.turn, dim, row)
        text_cells = INDENT + lay.width
        strip = Strip(segs).adjust_cell_length(text_cells)
        if line.kind in (TEXT, BLANK):
            margin = self._margin(line.turn, line.row if line.kind == TEXT else -1, row)
            strip = Strip.join([strip, Strip(margin)])
        return strip.adjust_cell_length(width)
