"""The attribution rule: which codings count, and for whom. Defined once, used by every table.

Why overlap and not "the turn holding the start": coders routinely select the
interviewer's question together with the answer, so a coding often *starts*
in an interviewer turn. Attributing by the start dropped those codings (about
a third on a real study). The rule now:

* A coding belongs to the **participant turns it overlaps** by at least one
  non-space character of the utterance (:mod:`qualcode.store.attribution`).
  It counts once for each distinct participant of those turns: a coding over
  three turns of one person counts once for that person; one over a
  focus-group exchange of two members counts for each of them.
* A coding overlapping **no participant turn** lies wholly in interviewer
  turns (``interviewer-only``) or outside every turn (``outside turns``, e.g.
  a header). It is left out unless ``include_interviewer``; then it counts for
  its interviewer turns' participant, else the document's participant.
* ``rejected`` codings never count; ``pending`` ones unless
  ``include_pending`` is false (``pending excluded``).
* A turn without a participant falls back to the document's participant.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.errors import ValidationError
from qualcode.model import Coding, Turn

if TYPE_CHECKING:
    from qualcode.store import Project

PARTICIPANT = "participant"
INTERVIEWER_ONLY = "interviewer-only"
OUTSIDE = "outside turns"
REJECTED = "rejected"
PENDING_EXCLUDED = "pending excluded"
REASONS = (REJECTED, PENDING_EXCLUDED, INTERVIEWER_ONLY, OUTSIDE)


@dataclass(frozen=True, slots=True)
class Attribution:
    """One coding under the rule: where it lies, whom it is for, and whether it counts.

    ``turns`` are the turns it is attributed to (its participant turns, or
    its interviewer turns when it has none); ``participant_ids`` the distinct
    people of those turns in text order; ``reason`` is ``None`` when it counts.
    """

    coding: Coding
    overlapped: tuple[Turn, ...]
    turns: tuple[Turn, ...]
    participant_ids: tuple[int, ...]
    where: str
    counted: bool
    reason: str | None


def attribute(
    coding: Coding,
    overlapped: tuple[Turn, ...],
    document_participant_id: int | None,
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
) -> Attribution:
    """Apply the rule (module docstring) to one coding and the turns it overlaps."""
    mine = tuple(t for t in overlapped if t.role != "interviewer")
    if mine:
        where, turns = PARTICIPANT, mine
    elif overlapped:
        where, turns = INTERVIEWER_ONLY, overlapped
    else:
        where, turns = OUTSIDE, ()
    people: dict[int, None] = {}
    for t in turns:
        pid = t.participant_id if t.participant_id is not None else document_participant_id
        if pid is not None:
            people[pid] = None
    if not turns and document_participant_id is not None:
        people[document_participant_id] = None
    if coding.status == "rejected":
        reason: str | None = REJECTED
    elif coding.status == "pending" and not include_pending:
        reason = PENDING_EXCLUDED
    elif where != PARTICIPANT and not include_interviewer:
        reason = where
    else:
        reason = None
    return Attribution(coding, overlapped, turns, tuple(people), where, reason is None, reason)


def attributions(
    project: "Project",
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    code_ids: Iterable[int] | None = None,
    coders: Iterable[str] | None = None,
    counted_only: bool = False,
    coding_ids: Iterable[int] | None = None,
) -> Iterator[Attribution]:
    """Every coding of the project (or of ``code_ids``/``coders``) under the rule, in id order.

    With ``counted_only`` the store is asked only for the statuses that can
    count, so rejected codings are never read.
    """
    statuses = None
    if counted_only:
        statuses = ["confirmed", "pending"] if include_pending else ["confirmed"]
    rows = project.attribution.overlaps(code_ids=code_ids, coders=coders, statuses=statuses, coding_ids=coding_ids)
    for row in rows:
        found = attribute(
            row.coding,
            row.turns,
            row.document_participant_id,
            include_interviewer=include_interviewer,
            include_pending=include_pending,
        )
        if found.counted or not counted_only:
            yield found


def check_coders(project: "Project", coders: Iterable[str] | None) -> tuple[str, ...] | None:
    """The distinct coder names asked for, each known to have codings.

    Raises:
        ValidationError: a coder with no codings (the message lists the coders).
    """
    if not coders:
        return None
    chosen = tuple(dict.fromkeys(c.strip() for c in coders if c.strip()))
    known = project.attribution.coders()
    unknown = [c for c in chosen if c not in known]
    if unknown:
        raise ValidationError(f"no codings by coder {', '.join(unknown)}; coders: {', '.join(known) or 'none'}")
    return chosen or None


def clipped_spans(start: int, end: int, turns: tuple[Turn, ...]) -> list[tuple[int, int]]:
    """The parts of ``[start, end)`` inside ``turns`` (the whole span when there are none)."""
    if not turns:
        return [(start, end)]
    return [(max(start, t.start), min(end, t.end)) for t in turns if min(end, t.end) > max(start, t.start)]


__all__ = [
    "Attribution",
    "INTERVIEWER_ONLY",
    "OUTSIDE",
    "PARTICIPANT",
    "PENDING_EXCLUDED",
    "REASONS",
    "REJECTED",
    "attribute",
    "attributions",
    "check_coders",
    "clipped_spans",
]
