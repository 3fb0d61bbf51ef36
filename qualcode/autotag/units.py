"""Units of auto-tagging: participant turns or their sentences.

Why units rather than free spans: a machine coding is a proposal a person
reviews; whole turns or sentences are the spans an analyst would have coded
by hand, and they make "the same unit and code" well defined, which is what
idempotent reruns, the human-coding guard and evaluation all rely on.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from qualcode.errors import ValidationError
from qualcode.model import Segment

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.store.autotag import SpanKey

UNITS: tuple[str, ...] = ("turn", "sentence")

# A coding "covers" a unit when their overlap is at least this share of the
# unit or of the coding (so a coded sentence marks its turn, and a coded
# turn marks each of its sentences).
OVERLAP_SHARE = 0.5


def build_units(
    project: "Project",
    unit: str = "turn",
    *,
    document_ids: Iterable[int] | None = None,
    include_interviewer: bool = False,
) -> list[Segment]:
    """Every unit of the chosen documents, in document and text order.

    Interviewer turns are left out by default: questions are not data about
    the participants, and coding them would inflate every count.

    Raises:
        ValidationError: an unknown unit kind.
    """
    if unit not in UNITS:
        raise ValidationError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    wanted = set(document_ids) if document_ids is not None else None
    texts = {
        r["id"]: r["text"]
        for r in project.query("SELECT id, text FROM documents")
        if wanted is None or r["id"] in wanted
    }
    turns = [
        t
        for t in project.documents.all_turns()
        if t.document_id in texts and (include_interviewer or t.role != "interviewer") and t.end > t.start
    ]
    turns = [t for t in turns if texts[t.document_id][t.start : t.end].strip()]
    if unit == "turn":
        return [
            Segment(t.document_id, t.start, t.end, texts[t.document_id][t.start : t.end], t.speaker, t.role,
                    t.participant_id, t.id)
            for t in turns
        ]
    from qualcode.text import sentence_spans_many

    turn_texts = [texts[t.document_id][t.start : t.end] for t in turns]
    out: list[Segment] = []
    for t, spans in zip(turns, sentence_spans_many(turn_texts)):
        doc_text = texts[t.document_id]
        for s, e in spans:
            out.append(
                Segment(t.document_id, t.start + s, t.start + e, doc_text[t.start + s : t.start + e], t.speaker,
                        t.role, t.participant_id, t.id)
            )
    return out


def covers(unit_start: int, unit_end: int, span_start: int, span_end: int) -> bool:
    """Whether a coded span counts as coding this unit (see ``OVERLAP_SHARE``)."""
    overlap = min(unit_end, span_end) - max(unit_start, span_start)
    if overlap <= 0:
        return False
    return overlap >= OVERLAP_SHARE * (unit_end - unit_start) or overlap >= OVERLAP_SHARE * (span_end - span_start)


def unit_codes(units: Sequence[Segment], spans: Iterable["SpanKey"]) -> list[set[int]]:
    """For each unit, the code ids of the spans that cover it."""
    by_doc: dict[int, list[int]] = {}
    for i, u in enumerate(units):
        by_doc.setdefault(u.document_id, []).append(i)
    starts: dict[int, list[int]] = {d: [units[i].start for i in idx] for d, idx in by_doc.items()}
    out: list[set[int]] = [set() for _ in units]
    for sp in spans:
        idx = by_doc.get(sp.document_id)
        if not idx:
            continue
        # Units are sorted by start and do not overlap: only those starting
        # before the span's end can overlap it.
        hi = bisect.bisect_left(starts[sp.document_id], sp.end)
        lo = max(0, bisect.bisect_right(starts[sp.document_id], sp.start) - 1)
        for j in range(lo, hi):
            u = units[idx[j]]
            if covers(u.start, u.end, sp.start, sp.end):
                out[idx[j]].add(sp.code_id)
    return out
