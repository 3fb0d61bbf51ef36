"""How one row of the transcript looks: speaker line, coded text, margin.

Split from the widget so the look (colours, overlap marks, the code margin)
can change without touching cursor and scrolling logic. The mixin reads the
widget's state (``text``, ``index``, ``codes``, ``colours``, ``layout``,
``selection``, cursor) and returns Rich segments for one row.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.segment import Segment
from rich.style import Style

from qualcode.model import Turn
from qualcode.tui.spans import contrast_fg, speaker_colour

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.tui.layout import Layout
    from qualcode.tui.spans import CodingIndex

INDENT = 2
SELECTION = Style(bgcolor="#2f5fb3", color="#ffffff")
CURSOR = Style(reverse=True, bold=True)
DIM = Style(dim=True)
MARGIN_RULE = Style(color="#5f5f5f")

_CTRL = {ord("\t"): " ", ord("\r"): " ", ord("\n"): " "}


class RowPainter:
    """Segments for header, text and margin cells of a row."""

    text: str
    index: "CodingIndex"
    codes: dict[int, Any]
    colours: dict[int, str]
    memo_turns: set[int]
    show_timestamps: bool
    _cursor: int

    if TYPE_CHECKING:  # pragma: no cover

        @property
        def layout(self) -> "Layout": ...
        @property
        def selection(self) -> tuple[int, int] | None: ...
        def _margin_width(self) -> int: ...

    def _header(self, turn: Turn, ti: int, dim: bool) -> list[Segment]:
        colour = speaker_colour(turn.speaker or "?")
        name = Style(color=colour, bold=True, dim=dim)
        segs = [Segment("▍", Style(color=colour)), Segment(turn.speaker or "(no speaker)", name)]
        if dim:
            segs.append(Segment(" (interviewer)", DIM))
        if self.show_timestamps and turn.time_start:
            stamp = turn.time_start + (f"–{turn.time_end}" if turn.time_end else "")
            segs.append(Segment(f"  [{stamp}]", DIM))
        if turn.id in self.memo_turns:
            segs.append(Segment("  ✎ memo", Style(color="#ffd75f")))
        n = len(self.index.in_turn(ti))
        if n:
            segs.append(Segment(f"  · {n} coding{'s' if n != 1 else ''}", DIM))
        return segs

    def _text_segments(self, start: int, end: int, ti: int, dim: bool, row: int) -> list[Segment]:
        text = self.text
        base = DIM if dim else Style()
        codings = [c for c in self.index.in_turn(ti) if c.start < end and c.end > start]
        sel = self.selection
        cur = self._cursor
        points = {start, end}
        for c in codings:
            points.update((max(start, c.start), min(end, c.end)))
        if sel:
            points.update((max(start, min(end, sel[0])), max(start, min(end, sel[1]))))
        if start <= cur < end:
            points.update((cur, cur + 1))
        bounds = sorted(p for p in points if start <= p <= end)
        segs: list[Segment] = []
        for a, b in zip(bounds, bounds[1:]):
            if a >= b:
                continue
            style = base
            covering = [c for c in codings if c.start <= a < c.end]
            if covering:
                inner = min(covering, key=lambda c: (c.end - c.start, c.id))
                colour = self.colours.get(inner.code_id, "#4e79a7")
                style = style + Style(bgcolor=colour, color=contrast_fg(colour))
                if len(covering) > 1:
                    style = style + Style(underline=True, bold=True)
            if sel and sel[0] <= a < sel[1]:
                style = style + SELECTION
            if a == cur:
                style = style + CURSOR
            segs.append(Segment(text[a:b].translate(_CTRL), style))
        if cur == end and self.layout.row_of(cur) == row:
            segs.append(Segment(" ", CURSOR))
        return segs

    def _margin(self, ti: int, text_row: int, row: int) -> list[Segment]:
        width = self._margin_width()
        segs = [Segment(" │", MARGIN_RULE)]
        if text_row < 0:
            return segs
        seen: list[int] = []
        for c in self.index.in_turn(ti):
            if c.code_id not in seen:
                seen.append(c.code_id)
        if text_row >= len(seen):
            return segs
        rows = self.layout.turn_rows(ti)
        last_text_row = len(rows) - 3
        if text_row == last_text_row and len(seen) > text_row + 1:
            return segs + [Segment(f" +{len(seen) - text_row} more", DIM)]
        code = self.codes.get(seen[text_row])
        colour = self.colours.get(seen[text_row], "#888888")
        name = code.name if code else f"#{seen[text_row]}"
        key = f"{code.key} " if code and code.key else ""
        label = f" {key}{name}"[: width - 2]
        return segs + [Segment(" ■", Style(color=colour)), Segment(label)]
