"""The row types of :mod:`qualcode.store.documents`: documents, turns and listings as dataclasses.

Kept apart from the repository so the SQL module stays about SQL.
"""

from __future__ import annotations

import json
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


@dataclass(frozen=True, slots=True)
class DocumentExtent:
    """A document's id, name and text length: enough to check a span without the text."""

    id: int
    name: str
    length: int
