"""Cursor motion over a transcript: characters, words, sentences, turns.

Why pure functions: the document view delegates every key to these, so the
rules (a cursor lives inside a turn's utterance, a word is ``\\w+``, a
sentence ends at ``.!?``) are unit-testable without a terminal, and they
look only at a small window of text so a million-character document costs
the same as a short one.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from qualcode.model import Turn

_WORD = re.compile(r"\w+")
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
WINDOW = 4000


class Motion:
    """Cursor arithmetic for one document's text and turns."""

    def __init__(self, text: str, turns: Sequence[Turn]) -> None:
        self.text = text
        self.turns = [t for t in turns if t.end > t.start] or list(turns)
        self.starts = [t.start for t in self.turns]

    # -- turns --------------------------------------------------------------
    def turn_index(self, offset: int) -> int:
        """Index (in ``self.turns``) of the turn at or before ``offset``."""
        return max(0, bisect_right(self.starts, offset) - 1)

    def clamp(self, offset: int) -> int:
        """The nearest valid cursor position (a character inside a turn)."""
        if not self.turns:
            return 0
        t = self.turns[self.turn_index(offset)]
        if offset < t.start:
            return t.start
        if offset >= t.end:
            return max(t.start, t.end - 1)
        return offset

    def turn_span(self, offset: int) -> tuple[int, int]:
        t = self.turns[self.turn_index(offset)]
        return t.start, t.end

    def next_turn(self, offset: int) -> int:
        i = self.turn_index(offset)
        return self.turns[min(i + 1, len(self.turns) - 1)].start

    def prev_turn(self, offset: int) -> int:
        i = self.turn_index(offset)
        t = self.turns[i]
        if offset > t.start:
            return t.start
        return self.turns[max(0, i - 1)].start

    # -- characters -----------------------------------------------------------
    def right(self, offset: int) -> int:
        i = self.turn_index(offset)
        t = self.turns[i]
        if offset + 1 < t.end:
            return offset + 1
        return self.turns[i + 1].start if i + 1 < len(self.turns) else offset

    def left(self, offset: int) -> int:
        i = self.turn_index(offset)
        t = self.turns[i]
        if offset > t.start:
            return offset - 1
        return max(self.turns[i - 1].start, self.turns[i - 1].end - 1) if i > 0 else offset

    # -- words ------------------------------------------------------------------
    def next_word(self, offset: int) -> int:
        """Start of the next word (crossing into the next turn if needed)."""
        s, e = self.turn_span(offset)
        m = _WORD.search(self.text, offset, min(e, offset + WINDOW))
        if m and m.start() == offset:
            m = _WORD.search(self.text, m.end(), min(e, offset + WINDOW))
        if m:
            return m.start()
        nxt = self.next_turn(offset)
        return nxt if nxt > offset else self.clamp(e)

    def prev_word(self, offset: int) -> int:
        s, _ = self.turn_span(offset)
        lo = max(s, offset - WINDOW)
        starts = [m.start() for m in _WORD.finditer(self.text, lo, offset)]
        if starts:
            return starts[-1]
        return self.left(s) if s > 0 and offset == s else s

    def word_end(self, offset: int) -> int:
        """Last character of the word at or after ``offset`` (for extending)."""
        s, e = self.turn_span(offset)
        m = _WORD.search(self.text, offset + 1 if offset + 1 < e else offset, min(e, offset + WINDOW))
        return m.end() - 1 if m else max(s, e - 1)

    # -- sentences ------------------------------------------------------------------
    def _sentence_starts(self, offset: int) -> tuple[list[int], int]:
        s, e = self.turn_span(offset)
        lo = max(s, offset - WINDOW)
        hi = min(e, offset + WINDOW)
        starts = [lo] + [m.end() for m in _SENT_END.finditer(self.text, lo, hi) if m.end() < e]
        return starts, e

    def next_sentence(self, offset: int) -> int:
        starts, e = self._sentence_starts(offset)
        later = [p for p in starts if p > offset]
        if later:
            return later[0]
        nxt = self.next_turn(offset)
        return nxt if nxt > offset else self.clamp(e)

    def prev_sentence(self, offset: int) -> int:
        starts, _ = self._sentence_starts(offset)
        earlier = [p for p in starts if p < offset]
        if earlier:
            return earlier[-1]
        return self.prev_turn(offset)

    def sentence_end(self, offset: int) -> int:
        """Last non-space character of the sentence containing ``offset``."""
        starts, e = self._sentence_starts(offset)
        later = [p for p in starts if p > offset]
        end = later[0] if later else e
        while end - 1 > offset and self.text[end - 1].isspace():
            end -= 1
        return max(offset, end - 1)


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop leading and trailing whitespace from a span (a coding never
    starts or ends with a space; an all-space span is returned as is)."""
    s, e = start, end
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if s < e else (start, end)
