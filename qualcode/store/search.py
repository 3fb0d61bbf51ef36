"""Full-text search over speaker turns (SQLite FTS5)."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.store.project import Project


@dataclass(frozen=True, slots=True)
class SearchHit:
    """A turn matching a query; ``start``/``end`` are the turn's span."""

    document_id: int
    document: str
    turn_id: int
    speaker: str
    start: int
    end: int
    snippet: str
    rank: float


class Search:
    """``project.search(query)``: ranked turns with highlighted snippets."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def __call__(self, query: str, *, limit: int = 50) -> list[SearchHit]:
        query = query.strip()
        if not query:
            return []
        sql = """
            SELECT t.id AS turn_id, t.document_id, d.name AS document, t.speaker, t.start, t.[end],
                   snippet(turns_fts, 0, '[', ']', '…', 12) AS snippet, turns_fts.rank AS rank
            FROM turns_fts JOIN turns t ON t.rowid = turns_fts.rowid
            JOIN documents d ON d.id = t.document_id
            WHERE turns_fts MATCH ? ORDER BY rank LIMIT ?
        """
        try:
            rows = self.project.query(sql, [query, limit])
        except sqlite3.OperationalError:
            # Not valid FTS5 syntax (e.g. an apostrophe): search it as words.
            quoted = " ".join('"' + w.replace('"', '""') + '"' for w in query.split())
            rows = self.project.query(sql, [quoted, limit])
        return [
            SearchHit(
                r["document_id"],
                r["document"],
                r["turn_id"],
                r["speaker"] or "",
                r["start"],
                r["end"],
                r["snippet"],
                r["rank"],
            )
            for r in rows
        ]
