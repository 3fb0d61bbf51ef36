"""The wrapped-line layout of a transcript, computed without Textual.

Why a separate, pure module: the document view must stay fast on a
1,000,000-character transcript, so it never builds a widget per turn. It
renders only the visible rows (Textual's Line API) from this precomputed
table of visual lines. Wrapping works a *line* at a time with ``str.find`` /
``str.rfind`` (not a word at a time), so laying out a million characters
costs a few milliseconds and is redone only when the width changes.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

from qualcode.model import Turn

HEADER = 0  # the speaker line of a turn
TEXT = 1  # a wrapped line of a turn's utterance
BLANK = 2  # the spacer after a turn


@dataclass(frozen=True, slots=True)
class VLine:
    """One row of the view: its kind, turn index and document span.

    ``row`` is the row's position inside its turn's text (0 for the first
    text line), which the margin uses to list one code per row.
    """

    kind: int
    turn: int
    start: int
    end: int
    row: int = 0


def wrap_span(text: str, start: int, end: int, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of ``text[start:end]`` into ``(start, end)`` spans.

    Breaks at newlines and at the last space that fits; a word longer than
    the width is cut. Spans exclude the newline or space they break at, so
    that character belongs to no row (the cursor shows it past the row end).
    """
    width = max(1, width)
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        limit = min(end, pos + width)
        nl = text.find("\n", pos, limit + 1 if limit < end else limit)
        if nl != -1:
            out.append((pos, nl))
            pos = nl + 1
            continue
        if end - pos <= width:
            out.append((pos, end))
            break
        sp = text.rfind(" ", pos + 1, pos + width + 1)
        if sp == -1:
            out.append((pos, pos + width))
            pos += width
        else:
            out.append((pos, sp))
            pos = sp + 1
    if not out:
        out.append((start, start))
    return out


class Layout:
    """Visual lines of a document at one text width.

    Attributes:
        lines: every row, in display order.
        turn_first: index of each turn's header row.
    """

    def __init__(self, text: str, turns: Sequence[Turn], width: int) -> None:
        self.width = width
        self.lines: list[VLine] = []
        self.turn_first: list[int] = []
        self._text_starts: list[int] = []  # doc start of each TEXT row
        self._text_rows: list[int] = []  # row index of each TEXT row
        lines = self.lines
        for ti, turn in enumerate(turns):
            self.turn_first.append(len(lines))
            lines.append(VLine(HEADER, ti, turn.start, turn.start))
            for r, (s, e) in enumerate(wrap_span(text, turn.start, turn.end, width)):
                self._text_starts.append(s)
                self._text_rows.append(len(lines))
                lines.append(VLine(TEXT, ti, s, e, r))
            lines.append(VLine(BLANK, ti, turn.end, turn.end))

    def __len__(self) -> int:
        return len(self.lines)

    def row_of(self, offset: int) -> int:
        """The row showing document ``offset`` (the last row starting at or before it)."""
        i = bisect_right(self._text_starts, offset) - 1
        return self._text_rows[max(0, i)]

    def turn_rows(self, turn: int) -> range:
        """Every row (header to spacer) of a turn, to refresh after a change."""
        first = self.turn_first[turn]
        last = self.turn_first[turn + 1] if turn + 1 < len(self.turn_first) else len(self.lines)
        return range(first, last)
