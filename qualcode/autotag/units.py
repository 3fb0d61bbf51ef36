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
from qualcode.units import build_segments

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
    the participants, and coding them would inflate every count. Built by
    :func:`qualcode.units.build_segments`, shared with theme suggestion.

    Raises:
        ValidationError: an unknown unit kind.
    """
    if unit not in UNITS:
        raise ValidationError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    return build_segments(project, unit, document_ids=document_ids, include_interviewer=include_interviewer)


def covers(unit_start: int, unit_end: int, span_start: int, span_end: int) -> bool:
    """Whether a coded span counts as coding this unit (see ``OVERLAP_SHARE``)."""
    overlap = min(unit_end, span_end) - max(unit_start, span_start)
    if overlap <= 0:
        return False
    return overlap >= OVERLAP_SHARE * (unit_end - unit_start) or overlap >= OVERLAP_SHARE * (span_end - span_start)


class UnitIndex:
    """Finds the units a span covers, by document and offset (bisect)."""

    def __init__(self, units: Sequence[Segment]) -> None:
        self.units = units
        self._by_doc: dict[int, list[int]] = {}
        for i, u in enumerate(units):
            self._by_doc.setdefault(u.document_id, []).append(i)
        self._starts = {d: [units[i].start for i in idx] for d, idx in self._by_doc.items()}

    def covering(self, document_id: int, start: int, end: int) -> list[int]:
        """Indexes of the units that ``document[start:end]`` covers."""
        idx = self._by_doc.get(document_id)
        if not idx:
            return []
        # Units of a document are sorted by start and do not overlap: only
        # the last one starting at or before ``start`` and those starting
        # before ``end`` can overlap the span.
        starts = self._starts[document_id]
        hi = bisect.bisect_left(starts, end)
        lo = max(0, bisect.bisect_right(starts, start) - 1)
        return [idx[j] for j in range(lo, hi) if covers(self.units[idx[j]].start, self.units[idx[j]].end, start, end)]


def unit_codes(units: Sequence[Segment], spans: Iterable["SpanKey"]) -> list[set[int]]:
    """For each unit, the code ids of the spans that cover it."""
    index = UnitIndex(units)
    out: list[set[int]] = [set() for _ in units]
    for sp in spans:
        for i in index.covering(sp.document_id, sp.start, sp.end):
            out[i].add(sp.code_id)
    return out
