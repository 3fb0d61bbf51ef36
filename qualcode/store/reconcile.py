"""Reconciliation progress: which disagreements between two coders a consensus coder has decided.

Why in the project file: a reconciliation meeting spans days; progress saved
row by row inside the same action as the consensus codings means quitting
keeps every decision, reopening resumes at the first undecided one, and undo
takes back a decision together with the codings it added.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.store.base import now

if TYPE_CHECKING:
    from qualcode.store.action import Action
    from qualcode.store.project import Project

CHOICES = ("a", "b", "both", "neither")


@dataclass(frozen=True, slots=True)
class ReconcileSession:
    """Two compared coders, the consensus coder and the unit of the disagreements."""

    coder_a: str
    coder_b: str
    consensus: str
    unit: str = "turn"


@dataclass(frozen=True, slots=True)
class ReconcileDecision:
    """One decided disagreement: the code, the unit's span and what was kept."""

    id: int
    code_id: int | None
    document_id: int | None
    start: int | None
    end: int | None
    choice: str
    created_at: str | None


def _decision(r: dict[str, Any]) -> ReconcileDecision:
    return ReconcileDecision(
        r["id"], r["code_id"], r["document_id"], r["start"], r["end"], r["choice"], r["created_at"]
    )


class ReconcileStore:
    """Read and record reconciliation decisions (writes join the caller's action)."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def decisions(self, session: ReconcileSession) -> list[ReconcileDecision]:
        """Every decision of ``session`` (the ``seed`` row included), oldest first."""
        rows = self.project.query(
            "SELECT * FROM reconcile_decisions WHERE consensus = ? AND coder_a = ? AND coder_b = ? AND unit = ?"
            " ORDER BY id",
            [session.consensus, session.coder_a, session.coder_b, session.unit],
        )
        return [_decision(r) for r in rows]

    def latest(self) -> ReconcileSession | None:
        """The session of the most recent decision: what the TUI resumes."""
        rows = self.project.query("SELECT * FROM reconcile_decisions ORDER BY id DESC LIMIT 1")
        if not rows:
            return None
        r = rows[0]
        return ReconcileSession(r["coder_a"], r["coder_b"], r["consensus"], r["unit"])

    def record(
        self,
        act: "Action",
        session: ReconcileSession,
        choice: str,
        code_id: int | None = None,
        document_id: int | None = None,
        start: int | None = None,
        end: int | None = None,
    ) -> int:
        """Log one decision inside ``act`` (so undo removes it with its codings)."""
        return act.insert(
            "reconcile_decisions",
            {
                "coder_a": session.coder_a,
                "coder_b": session.coder_b,
                "consensus": session.consensus,
                "unit": session.unit,
                "code_id": code_id,
                "document_id": document_id,
                "start": start,
                "end": end,
                "choice": choice,
                "created_at": now(),
            },
        )
