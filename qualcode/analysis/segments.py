"""The coded-segments table (``export codings``) in batches: rows streamed, not the whole project in memory.

Why batches: :func:`qualcode.analysis.counts.coded_segments` used to build
its rows from :func:`~qualcode.analysis.corpus.load_corpus`, which holds
every document, turn and coding of the project (0.8 GB and 16 s at 10^5
survey answers). The table is one row per counted coding, so here the
codings are read in table order (document, start, end, id) a batch at a
time; each batch goes through the same attribution rule
(:func:`qualcode.analysis.attribution.attributions`) with only its own
documents and people. The rows are those of
:func:`~qualcode.analysis.counts.segments_frame`, which stays the reference
(tests compare the two).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.analysis.attribution import attributions, check_coders
from qualcode.analysis.corpus import CountedCoding, CountOptions
from qualcode.text import count_words

if TYPE_CHECKING:
    import pandas as pd

    from qualcode.model import Participant
    from qualcode.store import Project

BATCH = 5000

_FIRST = ["coding_id", "code_id", "code", "path", "document_id", "document", "participant_id", "participant"]
_LAST = ["turn_id", "turn_ids", "speaker", "speakers", "role", "start", "end", "words", "status", "origin"]


@dataclass(frozen=True, slots=True)
class Segments:
    """The table's columns, its metadata (``DataFrame.attrs``) and its rows, batch by batch (lazily)."""

    columns: list[str]
    attrs: dict[str, Any]
    batches: Iterator[list[dict[str, Any]]]


def columns_for(attribute_names: list[str]) -> list[str]:
    """The table's columns: fixed ones, ``attr:NAME`` per attribute, then turn and coding details."""
    return [*_FIRST, "participants", *[f"attr:{n}" for n in attribute_names], *_LAST, "coder", "text"]


def segments(
    project: "Project",
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    coders: list[str] | None = None,
    code_ids: list[int] | None = None,
    batch: int = BATCH,
) -> Segments:
    """The coded segments (only codes ``code_ids`` when given), as :class:`Segments`."""
    chosen = check_coders(project, coders)
    options = CountOptions(include_interviewer=include_interviewer, include_pending=include_pending, coders=chosen)
    names = project.tables.attribute_names()
    return Segments(columns_for(names), options.metadata(), _batches(project, options, names, code_ids, batch))


def counted_batches(
    project: "Project", options: CountOptions, code_ids: list[int] | None = None, size: int = BATCH
) -> Iterator[tuple[list[CountedCoding], dict[int, "Participant"]]]:
    """The counted codings in table order (document, start, end, id), a batch at a time, with their people.

    Each batch holds only its own documents (with text) and participants.
    """
    codes = {c.id: c for c in project.codes.all()}
    ordered = project.tables.coding_ids_in_order(
        options.statuses(), coders=options.coders, code_ids=code_ids, batch=size
    )
    for ids in ordered:
        found = {
            f.coding.id: f
            for f in attributions(
                project,
                include_interviewer=options.include_interviewer,
                include_pending=options.include_pending,
                coders=options.coders,
                coding_ids=ids,
                counted_only=True,
            )
        }
        if not found:
            continue
        docs = {d.id: d for d in project.tables.documents([f.coding.document_id for f in found.values()])}
        people = {p.id: p for p in project.tables.participants([p for f in found.values() for p in f.participant_ids])}
        batch = [
            CountedCoding(f.coding, codes[f.coding.code_id], docs[f.coding.document_id], f.turns, f.participant_ids)
            for f in (found.get(cid) for cid in ids)
            if f is not None
        ]
        yield batch, people


def _batches(
    project: "Project", options: CountOptions, names: list[str], code_ids: list[int] | None, size: int
) -> Iterator[list[dict[str, Any]]]:
    for batch, people in counted_batches(project, options, code_ids, size):
        yield [segment_row(cc, people, names) for cc in batch]


def segment_row(cc: CountedCoding, people: dict[int, Any], names: list[str]) -> dict[str, Any]:
    """One row of the coded-segments table (the streamed path and the reference path build it alike)."""
    person = people.get(cc.participant_id) if cc.participant_id is not None else None
    text = cc.text
    row: dict[str, Any] = {
        "coding_id": cc.coding.id,
        "code_id": cc.code.id,
        "code": cc.code.name,
        "path": cc.code.path,
        "document_id": cc.document.id,
        "document": cc.document.name,
        "participant_id": cc.participant_id,
        "participant": person.name if person else None,
        "participants": "; ".join(people[p].name for p in cc.participant_ids if p in people),
    }
    for name in names:
        row[f"attr:{name}"] = person.attributes.get(name) if person else None
    row.update(
        {
            "turn_id": cc.turn.id if cc.turn else None,
            "turn_ids": "; ".join(str(t.id) for t in cc.turns),
            "speaker": cc.turn.speaker if cc.turn else None,
            "speakers": "; ".join(dict.fromkeys(t.speaker for t in cc.turns)),
            "role": cc.turn.role if cc.turn else None,
            "start": cc.coding.start,
            "end": cc.coding.end,
            "words": count_words(text),
            "status": cc.coding.status,
            "origin": cc.coding.origin,
            "coder": cc.coding.coder,
            "text": text,
        }
    )
    return row


def segments_table(found: Segments) -> "pd.DataFrame":
    """All the batches as one DataFrame (the shape of :func:`~qualcode.analysis.counts.segments_frame`)."""
    import pandas as pd

    frame = pd.DataFrame([row for rows in found.batches for row in rows], columns=found.columns)
    for column in ("participant_id", "turn_id"):
        frame[column] = frame[column].astype("Int64")
    frame.attrs.update(found.attrs)
    return frame


__all__ = ["BATCH", "Segments", "columns_for", "counted_batches", "segments", "segments_table"]
