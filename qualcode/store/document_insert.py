"""Rows to insert for a parsed document: the document row, its turn rows, the checks before writing.

Why a module of its own: :mod:`qualcode.store.documents` reads, lists and
stores documents; turning a :class:`~qualcode.model.ParsedDocument` into rows
is pure (no connection) and is shared with the sha256 a merge matches on.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from qualcode.errors import ValidationError
from qualcode.model import DOCUMENT_KINDS, ParsedDocument


def text_sha256(text: str) -> str:
    """The sha256 of a stored text (UTF-8): how two copies of a study recognise the same document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def document_row(parsed: ParsedDocument, pid: dict[str, int], stamp: str) -> dict[str, Any]:
    return {
        "name": parsed.name,
        "kind": parsed.kind,
        "source_path": parsed.source_path,
        "sha256": parsed.sha256,
        "text_sha256": text_sha256(parsed.text),
        "text": parsed.text,
        "words": len(parsed.text.split()),
        "imported_at": stamp,
        "participant_id": pid.get(parsed.participant) if parsed.participant else None,
        "metadata": json.dumps(parsed.metadata, ensure_ascii=False, default=str),
    }


def turn_rows(parsed: ParsedDocument, doc_id: int, pid: dict[str, int]) -> list[dict[str, Any]]:
    """The turn rows of a document; a document without turns gets one covering it all,
    so search, units and participant attribution work the same for survey answers."""
    if not parsed.turns:
        who = pid.get(parsed.participant) if parsed.participant else None
        return [
            {
                "document_id": doc_id,
                "seq": 0,
                "speaker": parsed.participant or "",
                "role": "participant",
                "participant_id": who,
                "start": 0,
                "end": len(parsed.text),
                "time_start": None,
                "time_end": None,
                "text": parsed.text,
            }
        ]
    return [
        {
            "document_id": doc_id,
            "seq": i,
            "speaker": t.speaker,
            "role": t.role,
            "participant_id": pid.get(t.participant) if t.participant else None,
            "start": t.start,
            "end": t.end,
            "time_start": t.time_start,
            "time_end": t.time_end,
            "text": parsed.text[t.start : t.end],
        }
        for i, t in enumerate(parsed.turns)
    ]


def validate_parsed(parsed: ParsedDocument) -> None:
    """Check a parsed document before anything is written.

    Raises:
        ValidationError: empty text, unknown kind, or turns out of order or
            outside the text.
    """
    if not parsed.name.strip():
        raise ValidationError("a document needs a name")
    if parsed.kind not in DOCUMENT_KINDS:
        raise ValidationError(f"unknown document kind {parsed.kind!r}; use one of {', '.join(DOCUMENT_KINDS)}")
    if not parsed.text.strip():
        raise ValidationError("the document has no text")
    last_end = 0
    for i, turn in enumerate(parsed.turns):
        if not (0 <= turn.start <= turn.end <= len(parsed.text)):
            raise ValidationError(f"turn {i + 1} ({turn.start}-{turn.end}) lies outside the text")
        if turn.start < last_end:
            raise ValidationError(f"turn {i + 1} overlaps the previous turn")
        if turn.role not in ("interviewer", "participant"):
            raise ValidationError(f"turn {i + 1} has unknown role {turn.role!r}")
        last_end = turn.end
