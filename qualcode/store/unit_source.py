"""Fingerprints of what units of analysis are built from (for the theme-suggestion caches).

Why a fingerprint, not the units: a rerun of ``suggest`` with a new seed or
topic count on the same units should not read every turn into objects,
split it and look its lemmas up just to find out the units did not change.
The digest hashes, in order, exactly the rows ``DocumentStore.turn_texts``
reads (the same query) (turn ids, documents' names, kinds and participants, offsets,
speakers, roles, participants and the turn texts themselves), read as plain
tuples in batches; units are a pure function of these and the run's unit
settings, so any edit, re-import, removal, undo or role change alters it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

from qualcode.store.document_rows import turn_text_cursors

if TYPE_CHECKING:
    from qualcode.store.project import Project

_BATCH = 10_000


def turns_digest(project: "Project", document_ids: Sequence[int] | None = None) -> str:
    """sha256 of every turn row units are built from (of the given documents), in document and turn order."""
    digest = hashlib.sha256()
    if document_ids is not None:
        digest.update(repr(sorted(set(document_ids))).encode())
    for cur in turn_text_cursors(project.db.conn, document_ids):
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
