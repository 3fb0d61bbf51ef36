"""Saturation and themes × Likert from set-based SQL: the numbers of the whole-project Python path.

Why: :func:`qualcode.analysis.tables.saturation` and
:func:`qualcode.analysis.survey.likert_by_code` read every document, turn
and coding into Python (:func:`~qualcode.analysis.corpus.load_corpus`) only
to count codes per document and people per code. Here the counted units
(:mod:`qualcode.store.tables`) answer those counts with ``GROUP BY``; the
Python functions stay the reference (``_reference=True``) that tests compare
with on every fixture.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.analysis.corpus import CountOptions

if TYPE_CHECKING:
    from qualcode.store import Project


def saturation_rows(project: "Project", options: CountOptions) -> list[dict[str, Any]]:
    """The rows of :func:`qualcode.analysis.tables.saturation`: one per document, in import order."""
    with project.tables.counted(
        include_interviewer=options.include_interviewer, include_pending=options.include_pending
    ) as units:
        per_doc, first = units.saturation()
    paths = {c.id: c.path for c in project.codes.all()}
    rows = []
    seen = 0
    for seq, (doc_id, name) in enumerate(project.tables.document_labels(), 1):
        new = first.get(doc_id, [])
        seen += len(new)
        rows.append(
            {
                "seq": seq,
                "document": name,
                "codes": per_doc.get(doc_id, 0),
                "new_codes": len(new),
                "cumulative_codes": seen,
                "new_code_paths": "; ".join(sorted(paths[c] for c in new)),
            }
        )
    return rows


def likert_answers(project: "Project", item: str, options: CountOptions) -> dict[int, list[tuple[Any, int]]]:
    """Per code (rolled up over sub-codes): the ``item`` answers of its counted participants, as (value, people)."""
    with project.tables.counted(
        include_interviewer=options.include_interviewer, include_pending=options.include_pending
    ) as units:
        found = units.answers(item)
    out: dict[int, list[tuple[Any, int]]] = {}
    for root, value, n in found:
        out.setdefault(root, []).append((value, n))
    return out


__all__ = ["likert_answers", "saturation_rows"]
