"""Which codings touch which turn, and which colour each code shows in.

Why: rendering a row must not scan every coding of the document. Codings are
bucketed by the turns they overlap, so a row looks only at its own turn's
few codings, and applying or removing one coding touches only the buckets
(and so the rows) of the turns it spans.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence

from qualcode.model import Code, Coding, Turn

# Readable on dark and light backgrounds as a *background* with a chosen
# foreground; used for codes without a colour of their own.
PALETTE: tuple[str, ...] = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
SPEAKER_PALETTE: tuple[str, ...] = (
    "#5fafff",
    "#ffaf5f",
    "#87d787",
    "#d787d7",
    "#ffd75f",
    "#5fd7d7",
    "#ff8787",
    "#afafff",
)


def code_colour(code: Code, codes: Sequence[Code]) -> str:
    """The code's own colour, else its top-level theme's, else a palette slot."""
    if code.colour:
        return code.colour
    by_id = {c.id: c for c in codes}
    parent = by_id.get(code.parent_id) if code.parent_id else None
    while parent is not None:
        if parent.colour:
            return parent.colour
        parent = by_id.get(parent.parent_id) if parent.parent_id else None
    return PALETTE[code.id % len(PALETTE)]


def speaker_colour(name: str) -> str:
    """A stable colour per speaker name (independent of hash seeding)."""
    return SPEAKER_PALETTE[sum(map(ord, name)) % len(SPEAKER_PALETTE)]


def contrast_fg(hex_colour: str) -> str:
    """Black or white text, whichever reads better on ``hex_colour``."""
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(ch * 2 for ch in h)
    try:
        r, g, b = (int(h[i : i + 2], 16) for i in (0, 2, 4))
    except ValueError:
        return "#ffffff"
    return "#000000" if (0.299 * r + 0.587 * g + 0.114 * b) > 150 else "#ffffff"


class CodingIndex:
    """Codings of one document bucketed by turn index."""

    def __init__(self, turns: Sequence[Turn], codings: Iterable[Coding] = ()) -> None:
        self.starts = [t.start for t in turns]
        self.by_turn: dict[int, list[Coding]] = {}
        self.by_id: dict[int, Coding] = {}
        for c in codings:
            self.add(c)

    def turns_of(self, start: int, end: int) -> range:
        first = max(0, bisect_right(self.starts, start) - 1)
        last = max(first, bisect_right(self.starts, max(start, end - 1)) - 1)
        return range(first, last + 1)

    def add(self, coding: Coding) -> range:
        """Index a coding; returns the turns whose rows must be redrawn."""
        self.remove(coding.id)
        self.by_id[coding.id] = coding
        span = self.turns_of(coding.start, coding.end)
        for t in span:
            bucket = self.by_turn.setdefault(t, [])
            bucket.append(coding)
            bucket.sort(key=lambda c: (c.start, c.end, c.id))
        return span

    def remove(self, coding_id: int) -> range:
        old = self.by_id.pop(coding_id, None)
        if old is None:
            return range(0)
        span = self.turns_of(old.start, old.end)
        for t in span:
            self.by_turn[t] = [c for c in self.by_turn.get(t, []) if c.id != coding_id]
        return span

    def in_turn(self, turn: int) -> list[Coding]:
        return self.by_turn.get(turn, [])

    def at(self, turn: int, offset: int) -> list[Coding]:
        """Codings covering ``offset``, innermost (shortest) first."""
        found = [c for c in self.in_turn(turn) if c.start <= offset < c.end]
        return sorted(found, key=lambda c: (c.end - c.start, c.id))

    def all(self) -> list[Coding]:
        return sorted(self.by_id.values(), key=lambda c: (c.start, c.end, c.id))
