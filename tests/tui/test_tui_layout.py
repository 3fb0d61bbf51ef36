"""The transcript's pure parts: wrapping, cursor motion, coding buckets."""

from __future__ import annotations

from qualcode.model import Coding, Turn
from qualcode.tui.layout import HEADER, TEXT, Layout, wrap_span
from qualcode.tui.motion import Motion, trim_span
from qualcode.tui.spans import CodingIndex, contrast_fg


def test_wrap_breaks_at_spaces_and_newlines():
    text = "aaa bbb ccc\ndd eeeeeeeeeeee"
    spans = wrap_span(text, 0, len(text), 7)
    assert [text[s:e] for s, e in spans] == ["aaa bbb", "ccc", "dd", "eeeeeee", "eeeee"]
    # Every character is on a row or is the space/newline a row broke at.
    covered = set()
    for s, e in spans:
        covered.update(range(s, e))
    assert {i for i in range(len(text)) if i not in covered} == {7, 11, 14}


def test_layout_rows_and_lookup():
    text = "A: hello there world\nB: ok"
    turns = [Turn(1, 1, 0, "A", "participant", 3, 20), Turn(2, 1, 1, "B", "interviewer", 24, 26)]
    lay = Layout(text, turns, 11)
    kinds = [line.kind for line in lay.lines]
    assert kinds == [HEADER, TEXT, TEXT, 2, HEADER, TEXT, 2]
    assert lay.row_of(text.index("world")) == 2
    assert lay.row_of(24) == 5
    assert list(lay.turn_rows(1)) == [4, 5, 6]


def test_motion_words_sentences_turns():
    text = "X: One two. Three four! Y: Five."
    turns = [Turn(1, 1, 0, "X", "participant", 3, 23), Turn(2, 1, 1, "Y", "participant", 27, 32)]
    m = Motion(text, turns)
    assert m.next_word(3) == text.index("two")
    assert m.prev_word(text.index("two")) == 3
    assert m.next_sentence(3) == text.index("Three")
    assert m.sentence_end(3) == text.index(".")
    assert m.right(22) == 27  # crosses into the next turn
    assert m.left(27) == 22
    assert m.next_turn(5) == 27 and m.prev_turn(29) == 27 and m.prev_turn(27) == 3
    assert m.clamp(25) == 22 and m.clamp(0) == 3
    assert trim_span(text, 2, 11) == (3, 11)


def test_coding_index_buckets_by_turn():
    turns = [Turn(i, 1, i, "S", "participant", i * 10, i * 10 + 8) for i in range(3)]
    idx = CodingIndex(turns)
    c = Coding(1, 5, 1, 5, 25, "t")
    assert list(idx.add(c)) == [0, 1, 2]
    assert idx.at(1, 12) == [c] and idx.at(0, 3) == []
    assert list(idx.remove(1)) == [0, 1, 2] and idx.all() == []


def test_contrast():
    assert contrast_fg("#ffffff") == "#000000"
    assert contrast_fg("#101010") == "#ffffff"
