"""The words matrix (``export matrix --value words``) from the counted codings a batch at a time.

Why not SQL: a cell is the words in the union of the coded spans (clipped
to the attributed turns) per document, counted by
:func:`qualcode.text.count_words`, which is Python. Why batches: the
codings come in document order (:func:`qualcode.analysis.segments.counted_batches`),
so each document's spans are merged and counted when the next document
starts, and only one batch of codings and one document's spans are held,
never the whole project (:func:`~qualcode.analysis.corpus.load_corpus`).
The numbers are those of :func:`qualcode.analysis.tables.matrix` on the
loaded project, which stays the reference (tests compare the two).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from qualcode.analysis.corpus import MISSING, CountedCoding, CountOptions, subtrees
from qualcode.analysis.segments import BATCH, counted_batches
from qualcode.text import count_words

if TYPE_CHECKING:
    from qualcode.model import Participant
    from qualcode.store import Project

Key = Callable[[CountedCoding, "int | None", "dict[int, Participant]"], Any]


def _key_of(cols: str) -> Key:
    """A unit's column key: its document id, participant id, or value of the attribute (``attr:NAME``)."""
    if cols == "document":
        return lambda cc, pid, people: cc.document.id
    if cols == "participant":
        return lambda cc, pid, people: pid
    name = cols[5:]

    def value(cc: CountedCoding, pid: int | None, people: dict[int, "Participant"]) -> str:
        if pid is None or pid not in people:
            return MISSING
        found = people[pid].attributes.get(name, "")
        return found if found.strip() else MISSING

    return value


def word_cells(
    project: "Project", cols: str, rollup: bool, options: CountOptions, batch: int = BATCH
) -> dict[tuple[int, Any], int]:
    """Per code (its subtree with ``rollup``) and column key: words in the union of its coded spans."""
    codes = project.codes.all()
    tree = subtrees(codes)
    roots = {c.id: [r for r, members in tree.items() if c.id in members] if rollup else [c.id] for c in codes}
    key_of = _key_of(cols)
    cells: dict[tuple[int, Any], int] = {}
    spans: dict[tuple[int, Any], list[tuple[int, int]]] = {}
    text, current = "", None
    for found, people in counted_batches(project, options, size=batch):
        for cc in found:
            if cc.document.id != current:
                _flush(spans, text, cells)
                text, current = cc.document.text, cc.document.id
            for pid in cc.units():
                key = key_of(cc, pid, people)
                parts = cc.spans(pid)
                for root in roots[cc.code.id]:
                    spans.setdefault((root, key), []).extend(parts)
    _flush(spans, text, cells)
    return cells


def _flush(spans: dict[tuple[int, Any], list[tuple[int, int]]], text: str, cells: dict[tuple[int, Any], int]) -> None:
    """Add one document's merged spans per cell to ``cells`` (as ``tables._merged_words`` merges them)."""
    for cell, found in spans.items():
        found.sort()
        total = 0
        cur_s, cur_e = found[0]
        for s, e in found[1:]:
            if s <= cur_e:
                cur_e = max(cur_e, e)
            else:
                total += count_words(text[cur_s:cur_e])
                cur_s, cur_e = s, e
        total += count_words(text[cur_s:cur_e])
        cells[cell] = cells.get(cell, 0) + total
    spans.clear()


__all__ = ["word_cells"]
