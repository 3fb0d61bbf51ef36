"""The review queue: accept or reject machine codings, or undo a whole run.

Why a queue sorted by confidence: reviewers confirm the surest proposals
quickly (or in bulk above a cut-off) and spend their attention on the
doubtful ones. Accepting keeps ``origin = auto`` (provenance is never
rewritten); rejecting keeps the row so reruns do not propose it again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from qualcode.store import Project


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A pending machine coding as the review queue shows it."""

    id: int
    run_id: int | None
    code: str
    document: str
    start: int
    end: int
    method: str | None
    rule: str | None
    confidence: float | None
    excerpt: str

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "run": self.run_id,
            "code": self.code,
            "document": self.document,
            "start": self.start,
            "end": self.end,
            "method": self.method,
            "rule": self.rule,
            "confidence": self.confidence,
            "excerpt": self.excerpt,
        }


def review_queue(
    project: "Project",
    *,
    run_id: int | None = None,
    code: str | None = None,
    limit: int | None = None,
    min_confidence: float | None = None,
) -> list[ReviewItem]:
    """Pending machine codings, most confident first.

    ``code`` includes the code's sub-codes, so reviewing a theme reviews
    everything filed under it.
    """
    if run_id is not None:
        project.runs.get(run_id)
    code_ids = [c.id for c in project.codes.descendants(project.codes.resolve(code).id)] if code else None
    paths = {c.id: c.path for c in project.codes.all()}
    rows = project.autotag.pending(run_id=run_id, code_ids=code_ids, limit=limit, min_confidence=min_confidence)
    return [
        ReviewItem(
            r.coding.id,
            r.coding.run_id,
            paths.get(r.coding.code_id, str(r.coding.code_id)),
            r.document,
            r.coding.start,
            r.coding.end,
            r.coding.method,
            r.rule,
            r.coding.confidence,
            " ".join(r.excerpt.split()),
        )
        for r in rows
    ]


def _check_machine(project: "Project", ids: Sequence[int]) -> list[int]:
    ids = list(dict.fromkeys(int(i) for i in ids))
    if not ids:
        raise ValidationError("name at least one coding id")
    origins = project.autotag.origins(ids)
    missing = [i for i in ids if i not in origins]
    if missing:
        raise NotFoundError(f"no coding with id {', '.join(map(str, missing))}")
    manual = [i for i in ids if origins[i] not in ("auto", "suggested")]
    if manual:
        raise ValidationError(
            f"coding {', '.join(map(str, manual))} is a human coding; review only machine (auto or suggested) codings"
        )
    return ids


def accept(project: "Project", ids: Sequence[int]) -> int:
    """Confirm machine codings (origin stays ``auto``); one action."""
    ids = _check_machine(project, ids)
    return project.codings.set_status(ids, "confirmed", summary=f"accept {len(ids)} machine codings")


def reject(project: "Project", ids: Sequence[int]) -> int:
    """Reject machine codings; they stay stored so reruns skip them."""
    ids = _check_machine(project, ids)
    return project.codings.set_status(ids, "rejected", summary=f"reject {len(ids)} machine codings")


def bulk_ids(
    project: "Project", *, run_id: int | None = None, code: str | None = None, min_confidence: float | None = None
) -> list[int]:
    """Ids of pending machine codings matching a bulk review filter."""
    if run_id is None and code is None and min_confidence is None:
        raise ValidationError("a bulk review needs --run, --code or --min-confidence")
    return [item.id for item in review_queue(project, run_id=run_id, code=code, min_confidence=min_confidence)]


def undo_run(project: "Project", run_id: int) -> int:
    """Remove every coding a run wrote, in one undoable action; returns how many.

    Accepted and rejected codings of the run go too: the run is taken back
    as a whole. ``qualcode undo`` (history) can bring it back.
    """
    return project.autotag.delete_run(run_id)
