"""Fingerprints of what units of analysis are built from (for the theme-suggestion caches).

Why a fingerprint, not the units: a rerun of ``suggest`` with a new seed or
topic count on the same units should not read every turn into objects,
split it and look its lemmas up just to find out the units did not change.
The digest hashes, in order, exactly the columns ``DocumentStore.turn_texts``
returns (turn ids, documents' names, kinds and participants, offsets,
speakers, roles, participants and the turn texts themselves), read as plain
tuples in batches; units are a pure function of these and the run's unit
settings, so any edit, re-import, removal, undo or role change alters it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.store.project import Project

_TURNS = (
    "SELECT t.id, t.document_id, d.name, d.kind, t.seq, t.start, t.[end], COALESCE(t.speaker, ''),"
    " COALESCE(t.role, 'participant'), t.participant_id, d.participant_id,"
    " COALESCE(t.text, substr(d.text, t.start + 1, t.[end] - t.start))"
    " FROM turns t JOIN documents d ON d.id = t.document_id"
)
_BATCH = 10_000


def turns_digest(project: "Project", document_ids: Sequence[int] | None = None) -> str:
    """sha256 of every turn row units are built from (of the given documents), in document and turn order."""
    digest = hashlib.sha256()
    db = project.db
    if document_ids is None:
        chunks: list[list[int] | None] = [None]
    else:
        ids = sorted(set(document_ids))
        chunks = [ids[at : at + 500] for at in range(0, len(ids), 500)]
        digest.update(repr(ids).encode())
    for chunk in chunks:
        if chunk is None:
            cur = db.execute(_TURNS + " ORDER BY t.document_id, t.seq")
        else:
            marks = ", ".join("?" for _ in chunk)
            cur = db.execute(_TURNS + f" WHERE t.document_id IN ({marks}) ORDER BY t.document_id, t.seq", chunk)
        while batch := cur.fetchmany(_BATCH):
            digest.update(repr(batch).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def participants_digest(project: "Project") -> str:
    """sha256 of every participant's id and attributes (what a ``--where`` filter reads)."""
    digest = hashlib.sha256()
    cur = project.db.execute("SELECT id, attributes FROM participants ORDER BY id")
    while batch := cur.fetchmany(_BATCH):
        digest.update(repr(batch).encode("utf-8", "surrogatepass"))
    return digest.hexdigest()
