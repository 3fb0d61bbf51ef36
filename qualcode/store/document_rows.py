"""The row types of :mod:`qualcode.store.documents`: documents, turns and listings as dataclasses.

Kept apart from the repository so the SQL module stays about SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from qualcode.model import Document, Turn


def _document(row: dict[str, Any]) -> Document:
    return Document(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        text=row["text"],
        source_path=row["source_path"],
        sha256=row["sha256"],
        imported_at=row["imported_at"],
        participant_id=row["participant_id"],
        metadata=json.loads(row["metadata"] or "{}"),
    )


def _turn(row: dict[str, Any]) -> Turn:
    return Turn(
        id=row["id"],
        document_id=row["document_id"],
        seq=row["seq"],
        speaker=row["speaker"] or "",
        role=row["role"] or "participant",
        start=row["start"],
        end=row["end"],
        participant_id=row["participant_id"],
        time_start=row["time_start"],
        time_end=row["time_end"],
    )


@dataclass(frozen=True, slots=True)
class DocumentHeader:
    """A document without its text: cheap to list for thousands of documents."""

    id: int
    name: str
    kind: str
    sha256: str | None
    text_sha256: str | None = None


@dataclass(frozen=True, slots=True)
class DocumentSummary:
    """One row of a document listing: counts and names, no text."""

    id: int
    name: str
    kind: str
    words: int
    turns: int
    codings: int
    chars: int
    participant_id: int | None
    participant: str | None
    participants: str
    source_path: str | None
    imported_at: str | None
    encoding: str | None


@dataclass(frozen=True, slots=True)
class TurnText:
    """A turn with its text and its document's name, kind and participant (units of analysis)."""

    id: int
    document_id: int
    document: str
    kind: str
    seq: int
    start: int
    end: int
    speaker: str
    role: str
    participant_id: int | None
    document_participant_id: int | None
    text: str


_TURN_TEXT_SQL = (
    "SELECT t.id, t.document_id, d.name, d.kind, t.seq, t.start, t.[end], COALESCE(t.speaker, ''),"
    " COALESCE(t.role, 'participant'), t.participant_id, d.participant_id,"
    " COALESCE(t.text, substr(d.text, t.start + 1, t.[end] - t.start))"
    " FROM turns t JOIN documents d ON d.id = t.document_id"
)


def turn_text_cursors(conn: sqlite3.Connection, document_ids: Sequence[int] | None) -> Iterator[sqlite3.Cursor]:
    """Cursors over the :class:`TurnText` rows (all, or of ``document_ids`` 500 at a time), in document and turn order.

    One query for the units of analysis and for the fingerprint the theme
    caches take of them, so the two cannot drift apart.
    """
    if document_ids is None:
        yield conn.execute(_TURN_TEXT_SQL + " ORDER BY t.document_id, t.seq")
        return
    ids = sorted(set(document_ids))
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        yield conn.execute(_TURN_TEXT_SQL + f" WHERE t.document_id IN ({marks}) ORDER BY t.document_id, t.seq", chunk)


@dataclass(frozen=True, slots=True)
class DocumentExtent:
    """A document's id, name and text length: enough to check a span without the text."""

    id: int
    name: str
    length: int
