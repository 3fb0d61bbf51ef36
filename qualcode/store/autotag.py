"""SQL the auto-tagger and its review queue need beyond the generic stores.

Why a separate repository: listing pending machine codings by confidence,
finding a run's codings, reading accepted theme memberships and deleting a
whole run are queries only the auto-tagger asks. Keeping them here keeps all
SQL in ``qualcode.store`` (the layering rule) without growing
``codings.py``. The lead attaches it as ``project.autotag``; until then use
``AutotagStore(project)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError
from qualcode.model import Coding
from qualcode.store.codings import coding_from_row, delete_codings

if TYPE_CHECKING:
    from qualcode.store.project import Project

_COLS = (
    "c.id, c.code_id, c.document_id, c.start, c.[end], c.coder, c.origin, c.status, c.method, c.rule,"
    " c.confidence, c.run_id, c.created_at"
)


@dataclass(frozen=True, slots=True)
class SpanKey:
    """A code on a span of a document (no coder, no origin)."""

    code_id: int
    document_id: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class PendingCoding:
    """A machine coding with the fields the review queue shows."""

    coding: Coding
    rule: str | None
    code_path_id: int
    document: str
    excerpt: str


@dataclass(frozen=True, slots=True)
class ThemeMembership:
    """A member span of an accepted theme suggestion that is mapped to a code."""

    code_id: int
    run_id: int
    topic: int
    document_id: int
    start: int
    end: int
    probability: float | None


class AutotagStore:
    """Queries for auto-tagging runs, their review and their removal."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    # -- reading ------------------------------------------------------------
    def human_spans(self) -> list[SpanKey]:
        """Confirmed manual codings: the ground truth and the never-touch set."""
        rows = self.project.query(
            "SELECT code_id, document_id, start, [end] FROM codings"
            " WHERE origin = 'manual' AND status = 'confirmed' ORDER BY document_id, start"
        )
        return [SpanKey(r["code_id"], r["document_id"], r["start"], r["end"]) for r in rows]

    def machine_keys(self) -> set[SpanKey]:
        """Every machine (auto) coding, whatever its status.

        Rejected ones are included on purpose: a rerun must not propose
        again what a reviewer already turned down.
        """
        rows = self.project.query("SELECT code_id, document_id, start, [end] FROM codings WHERE origin = 'auto'")
        return {SpanKey(r["code_id"], r["document_id"], r["start"], r["end"]) for r in rows}

    def pending(
        self,
        *,
        run_id: int | None = None,
        code_ids: list[int] | None = None,
        limit: int | None = None,
        min_confidence: float | None = None,
        excerpt_chars: int = 200,
    ) -> list[PendingCoding]:
        """Pending machine codings, highest confidence first."""
        clauses = ["c.origin IN ('auto', 'suggested')", "c.status = 'pending'"]
        params: list[Any] = []
        if run_id is not None:
            clauses.append("c.run_id = ?")
            params.append(run_id)
        if code_ids:
            clauses.append(f"c.code_id IN ({', '.join('?' for _ in code_ids)})")
            params.extend(code_ids)
        if min_confidence is not None:
            clauses.append("COALESCE(c.confidence, 0) >= ?")
            params.append(min_confidence)
        sql = (
            f"SELECT {_COLS}, d.name AS document,"
            f" substr(d.text, c.start + 1, min(c.[end] - c.start, {int(excerpt_chars)})) AS excerpt"
            f" FROM codings c JOIN documents d ON d.id = c.document_id WHERE {' AND '.join(clauses)}"
            " ORDER BY COALESCE(c.confidence, 0) DESC, c.id"
        )
        if limit is not None:
            sql += " LIMIT ?"
            params.append(int(limit))
        return [
            PendingCoding(coding_from_row(r), r["rule"], r["code_id"], r["document"], r["excerpt"] or "")
            for r in self.project.query(sql, params)
        ]

    def run_coding_ids(self, run_id: int, *, status: str | None = None) -> list[int]:
        """Ids of the codings a run wrote (optionally of one status)."""
        sql = "SELECT id FROM codings WHERE run_id = ? AND origin = 'auto'"
        params: list[Any] = [run_id]
        if status:
            sql += " AND status = ?"
            params.append(status)
        return [r["id"] for r in self.project.query(sql + " ORDER BY id", params)]

    def origins(self, coding_ids: list[int]) -> dict[int, str]:
        """``{id: origin}`` for the given codings (missing ids are absent)."""
        out: dict[int, str] = {}
        for i in range(0, len(coding_ids), 500):
            chunk = coding_ids[i : i + 500]
            for r in self.project.query(
                f"SELECT id, origin FROM codings WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
            ):
                out[r["id"]] = r["origin"]
        return out

    def accepted_theme_memberships(self) -> list[ThemeMembership]:
        """Member spans of theme suggestions accepted as (mapped to) a code."""
        rows = self.project.query(
            "SELECT s.code_id, s.run_id, s.topic, m.document_id, m.start, m.[end], m.probability"
            " FROM suggestions s JOIN suggestion_segments m ON m.run_id = s.run_id AND m.topic = s.topic"
            " WHERE s.code_id IS NOT NULL AND COALESCE(s.status, '') != 'rejected'"
            " ORDER BY m.document_id, m.start"
        )
        return [
            ThemeMembership(
                r["code_id"], r["run_id"], r["topic"], r["document_id"], r["start"], r["end"], r["probability"]
            )
            for r in rows
        ]

    # -- writing ------------------------------------------------------------
    def delete_run(self, run_id: int) -> int:
        """Delete every coding a run wrote (and their memos) in one undoable action.

        Returns the number of codings removed. The run row is marked
        ``undone`` in the same action, so ``undo`` of this action brings both
        back.

        Raises:
            NotFoundError: no such run.
        """
        run = self.project.row("runs", run_id)
        if run is None:
            raise NotFoundError(f"no run with id {run_id}")
        ids = self.run_coding_ids(run_id)
        with self.project.action("autotag-undo", f"remove run {run_id} ({len(ids)} codings)") as act:
            act.run_id = run_id
            delete_codings(act, ids)
            act.update("runs", run_id, {"status": "undone"})
        return len(ids)
