"""Counts you can audit: every coding of a code (and its sub-codes), counted or why not.

Why: a number in a policy report must be reproducible by hand. The listing
applies the same rule as the tables (:func:`qualcode.analysis.attribution.attribute`),
so its totals are the frequency table's ``codings``, ``documents`` and
``participants`` for the code's row, and each left-out coding says why.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.analysis.attribution import REASONS, attributions, check_coders

if TYPE_CHECKING:
    from qualcode.store import Project


@dataclass(frozen=True, slots=True)
class ExplainedCoding:
    """One coding of the code's subtree under the attribution rule."""

    coding_id: int
    code: str
    path: str
    document: str
    start: int
    end: int
    speakers: tuple[str, ...]
    participants: tuple[str, ...]
    status: str
    origin: str
    coder: str
    where: str
    counted: bool
    reason: str | None
    text: str

    def to_json(self) -> dict[str, Any]:
        return {
            "coding_id": self.coding_id,
            "code": self.code,
            "path": self.path,
            "document": self.document,
            "start": self.start,
            "end": self.end,
            "speakers": list(self.speakers),
            "participants": list(self.participants),
            "status": self.status,
            "origin": self.origin,
            "coder": self.coder,
            "where": self.where,
            "counted": self.counted,
            "reason": self.reason,
            "text": self.text,
        }


@dataclass(frozen=True, slots=True)
class Explanation:
    """The listing for one code and the totals it adds up to."""

    code: str
    path: str
    include_interviewer: bool
    include_pending: bool
    coders: tuple[str, ...] | None
    items: list[ExplainedCoding] = field(default_factory=list)

    @property
    def counted(self) -> list[ExplainedCoding]:
        return [i for i in self.items if i.counted]

    def totals(self) -> dict[str, Any]:
        """``codings``/``documents``/``participants`` counted, and left-out codings per reason."""
        counted = self.counted
        left = {r: sum(1 for i in self.items if i.reason == r) for r in REASONS}
        return {
            "codings": len(counted),
            "documents": len({i.document for i in counted}),
            "participants": len({p for i in counted for p in i.participants}),
            "not_counted": {r: n for r, n in left.items() if n},
            "listed": len(self.items),
        }

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "path": self.path,
            "include_interviewer": self.include_interviewer,
            "include_pending": self.include_pending,
            "coders": list(self.coders) if self.coders else None,
            "totals": self.totals(),
            "codings": [i.to_json() for i in self.items],
        }


def explain(
    project: "Project",
    code: str | int,
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    coders: list[str] | None = None,
) -> Explanation:
    """Every coding of ``code`` and its sub-codes, in document order, counted or with the reason it is not.

    Raises:
        NotFoundError: no such code.
    """
    target = project.codes.resolve(code)
    subtree = project.codes.descendants(target.id)
    by_id = {c.id: c for c in subtree}
    chosen = check_coders(project, coders)
    items: list[ExplainedCoding] = []
    batch: list = []
    for found in attributions(
        project,
        include_interviewer=include_interviewer,
        include_pending=include_pending,
        code_ids=list(by_id),
        coders=chosen,
    ):
        batch.append(found)
        if len(batch) >= _BATCH:
            items += _explained(project, batch, by_id)
            batch = []
    items += _explained(project, batch, by_id)
    items.sort(key=lambda i: (i.document.casefold(), i.start, i.end, i.coding_id))
    return Explanation(target.name, target.path, include_interviewer, include_pending, chosen, items)


_BATCH = 5000


def _explained(project: "Project", batch: list, by_id: dict) -> list[ExplainedCoding]:
    """One batch of attributed codings as listing items.

    Why batches: only the documents and people of these codings are read (not
    the whole project), and never more than a batch's documents at once.
    """
    if not batch:
        return []
    docs = {d.id: d for d in project.tables.documents([f.coding.document_id for f in batch])}
    people = {p.id: p.name for p in project.tables.participants([p for f in batch for p in f.participant_ids])}
    items = []
    for found in batch:
        c, doc = found.coding, docs[found.coding.document_id]
        shown = found.turns or found.overlapped
        items.append(
            ExplainedCoding(
                c.id,
                by_id[c.code_id].name,
                by_id[c.code_id].path,
                doc.name,
                c.start,
                c.end,
                tuple(dict.fromkeys(t.speaker for t in shown)),
                tuple(people[p] for p in found.participant_ids if p in people),
                c.status,
                c.origin,
                c.coder,
                found.where,
                found.counted,
                found.reason,
                " ".join(doc.text[c.start : c.end].split()),
            )
        )
    return items


__all__ = ["ExplainedCoding", "Explanation", "explain"]
