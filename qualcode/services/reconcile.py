"""Use case: reconcile two coders into a consensus coder, disagreement by disagreement.

Why it works this way: after agreement is measured, a team discusses every
place where the coders differ and keeps one answer. The agenda is exactly
what ``qualcode agreement disagreements`` lists (the public
:func:`qualcode.analysis.agreement.disagreements`, called per code, so the
unit rules live in one place). The consensus coder (``--into NAME``) is an
ordinary coder afterwards, for counts, agreement and exports.

- **Start** (once per session, one undoable action): the consensus coder gets
  every coding of A that lies in no disagreement unit of its code (where both
  applied a code to a unit, A's spans stand for both), and B's codings in
  documents A did not code at all. B's codings elsewhere outside the
  disagreements (say in interviewer turns, which are not units unless
  ``include_interviewer``) are not copied.
- **Each decision** (one undoable action each): for one disagreement unit and
  code, keep A's codings of that code overlapping the unit, B's, both or
  neither, copied whole as ``manual`` confirmed codings of the consensus
  coder; the decision is stored in the project in the same action, so quitting
  keeps progress and undo takes back both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import ValidationError
from qualcode.model import Coding
from qualcode.store.reconcile import CHOICES, ReconcileSession

if TYPE_CHECKING:
    from qualcode.store import Project

__all__ = ["CHOICES", "ReconcileItem", "ReconcileSession", "ReconcileState", "decide", "open_session"]


@dataclass(frozen=True, slots=True)
class ReconcileItem:
    """One disagreement to decide: a unit of a document on which A and B differ about a code."""

    code_id: int
    code: str
    document_id: int
    document: str
    start: int
    end: int
    text: str
    applied_by: tuple[str, ...]
    a: tuple[Coding, ...]
    b: tuple[Coding, ...]

    @property
    def key(self) -> tuple[int, int, int, int]:
        return (self.code_id, self.document_id, self.start, self.end)

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "document": self.document,
            "document_id": self.document_id,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "applied_by": list(self.applied_by),
            "a_spans": [[c.start, c.end] for c in self.a],
            "b_spans": [[c.start, c.end] for c in self.b],
        }


@dataclass
class ReconcileState:
    """A session with its agenda: every disagreement, and which are decided."""

    session: ReconcileSession
    items: list[ReconcileItem]
    decided: set[tuple[int, int, int, int]]
    seeded: int = 0

    @property
    def remaining(self) -> list[ReconcileItem]:
        return [i for i in self.items if i.key not in self.decided]

    def to_json(self, project: "Project", added: int = 0) -> dict[str, Any]:
        remaining = self.remaining
        s = self.session
        return {
            "coders": [s.coder_a, s.coder_b],
            "into": s.consensus,
            "unit": s.unit,
            "total": len(self.items),
            "decided": len(self.items) - len(remaining),
            "remaining": len(remaining),
            "seeded": self.seeded,
            "added": added,
            "consensus_codings": consensus_count(project, s.consensus),
            "items": [i.to_json() for i in remaining],
        }


def consensus_count(project: "Project", coder: str) -> int:
    """The consensus coder's codings (not rejected)."""
    return sum(1 for c in project.codings.all() if c.coder == coder and c.status != "rejected")


def _agenda(project: "Project", session: ReconcileSession) -> list[ReconcileItem]:
    """Every disagreement between A and B, code by code (codebook order), in document order."""
    from qualcode.analysis.disagreement_listing import disagreements

    coders = [session.coder_a, session.coder_b]
    mine: dict[tuple[str, int], list[Coding]] = {}
    for c in project.codings.all():
        if c.coder in coders and c.origin == "manual" and c.status != "rejected":
            mine.setdefault((c.coder, c.code_id), []).append(c)
    items: list[ReconcileItem] = []
    for code in project.codes.all():
        if (session.coder_a, code.id) not in mine and (session.coder_b, code.id) not in mine:
            continue
        found = disagreements(project, code.id, coders, session.unit)
        for d in found.items:
            a, b = (_overlapping(mine.get((who, code.id), []), d.document_id, d.start, d.end) for who in coders)
            items.append(
                ReconcileItem(
                    code.id, code.path, d.document_id, d.document, d.start, d.end, d.text, tuple(d.applied_by), a, b
                )
            )
    return items


def _overlapping(codings: list[Coding], document_id: int, start: int, end: int) -> tuple[Coding, ...]:
    return tuple(c for c in codings if c.document_id == document_id and c.start < end and c.end > start)


def _seed(project: "Project", session: ReconcileSession, items: list[ReconcileItem]) -> int:
    """Give the consensus coder what A and B agree on (see the module docstring); returns codings added."""
    disputed = {c.id for i in items for c in (*i.a, *i.b)}
    ours = [
        c
        for c in project.codings.all()
        if c.coder in (session.coder_a, session.coder_b) and c.origin == "manual" and c.status != "rejected"
    ]
    a_docs = {c.document_id for c in ours if c.coder == session.coder_a}
    keep = [c for c in ours if c.id not in disputed and (c.coder == session.coder_a or c.document_id not in a_docs)]
    with project.action(
        "reconcile-start", f"reconcile {session.coder_a} and {session.coder_b} into {session.consensus}"
    ) as act:
        project.reconcile.record(act, session, "seed")
        return _copy(project, keep, session.consensus)


def _copy(project: "Project", codings: list[Coding], coder: str) -> int:
    from qualcode.store import NewCoding

    done = project.codings.add_many(
        [NewCoding(c.code_id, c.document_id, c.start, c.end, coder=coder) for c in codings], action="reconcile"
    )
    return len(done.added)


def open_session(project: "Project", coder_a: str, coder_b: str, into: str, unit: str = "turn") -> ReconcileState:
    """Start (or resume) reconciling ``coder_a`` and ``coder_b`` into ``into``.

    Raises:
        ValidationError: the consensus coder is one of the two, the two are
            the same, or an agreement error (unknown coder or unit, nothing
            coded by both).
    """
    into = into.strip()
    if not into:
        raise ValidationError("name the consensus coder: --into NAME")
    if coder_a == coder_b:
        raise ValidationError("reconcile two different coders")
    if into in (coder_a, coder_b):
        raise ValidationError(f"the consensus coder must be a new name, not {into!r}")
    known = {c.coder for c in project.codings.all(origin="manual") if c.status != "rejected"}
    missing = [c for c in (coder_a, coder_b) if c not in known]
    if missing:
        raise ValidationError(f"no codings by coder {', '.join(missing)}; coders: {', '.join(sorted(known)) or 'none'}")
    session = ReconcileSession(coder_a, coder_b, into, unit)
    items = _agenda(project, session)
    done = project.reconcile.decisions(session)
    seeded = 0
    if not any(d.choice == "seed" for d in done):
        seeded = _seed(project, session, items)
    decided = {(d.code_id, d.document_id, d.start, d.end) for d in done if d.choice != "seed"}
    return ReconcileState(session, items, decided, seeded)  # type: ignore[arg-type]


def refresh(project: "Project", state: ReconcileState) -> None:
    """Re-read which items are decided (after an undo or redo elsewhere)."""
    done = project.reconcile.decisions(state.session)
    state.decided = {
        (d.code_id, d.document_id, d.start, d.end)
        for d in done  # type: ignore[misc]
        if d.choice != "seed"
    }


def decide(project: "Project", state: ReconcileState, items: list[ReconcileItem], choice: str) -> int:
    """Keep A's, B's, both or neither for ``items`` (one undoable action); returns codings added."""
    if choice not in CHOICES:
        raise ValidationError(f"unknown choice {choice!r}; use one of {', '.join(CHOICES)}")
    items = [i for i in items if i.key not in state.decided]
    if not items:
        return 0
    s = state.session
    label = items[0].code if len(items) == 1 else f"{len(items)} disagreements"
    with project.action("reconcile", f"reconcile {label}: keep {choice}") as act:
        chosen: list[Coding] = []
        for item in items:
            project.reconcile.record(act, s, choice, item.code_id, item.document_id, item.start, item.end)
            chosen += {"a": item.a, "b": item.b, "both": item.a + item.b}.get(choice, ())
        added = _copy(project, chosen, s.consensus) if chosen else 0
    state.decided.update(i.key for i in items)
    return added
