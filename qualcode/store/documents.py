"""Documents and their speaker turns."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import DOCUMENT_KINDS, Document, ParsedDocument, Turn
from qualcode.store.base import now
from qualcode.store.document_insert import document_row, text_sha256, turn_rows, validate_parsed  # noqa: F401 - re-exported
from qualcode.store.document_rows import (  # noqa: F401 - re-exported
    DocumentExtent,
    DocumentHeader,
    DocumentSummary,
    TurnText,
    _document,
    _turn,
    turn_text_cursors,
)
from qualcode.store.document_search import DocumentSearch
from qualcode.store.fts import bulk_index

if TYPE_CHECKING:
    from qualcode.store.action import Action
    from qualcode.store.project import Project


@dataclass(frozen=True, slots=True)
class StoredDocuments:
    """What :meth:`DocumentStore.store_many` did: a status per document and the codings replacing removed."""

    statuses: list[str]
    codings_removed: int


CHUNK = 5000
"""Documents stored per ``executemany`` by :meth:`DocumentStore.add_many` (what an import holds at once)."""


_SUMMARY_SQL = """
SELECT d.id, d.name, d.kind, COALESCE(d.words, 0),
       (SELECT count(*) FROM turns t WHERE t.document_id = d.id),
       (SELECT count(*) FROM codings c WHERE c.document_id = d.id AND c.status != 'rejected'),
       length(d.text), d.participant_id,
       (SELECT p.name FROM participants p WHERE p.id = d.participant_id),
       {names},
       d.source_path, d.imported_at,
       CASE WHEN json_valid(d.metadata) THEN json_extract(d.metadata, '$.encoding') END
FROM documents d"""
_NAMES_SQL = """COALESCE((SELECT group_concat(name, ', ') FROM (
           SELECT DISTINCT p.name AS name FROM participants p
           WHERE p.id = d.participant_id
              OR p.id IN (SELECT t.participant_id FROM turns t WHERE t.document_id = d.id)
           ORDER BY p.name)), '')"""


class DocumentStore:
    """Add, list, read and remove documents."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    # -- reading --------------------------------------------------------
    def all(self) -> list[Document]:
        rows = self.project.query("SELECT * FROM documents ORDER BY name COLLATE NOCASE")
        return [_document(r) for r in rows]

    def headers(self) -> list[DocumentHeader]:
        """Id, name, kind, sha256 and text sha256 of every document, without reading texts."""
        rows = self.project.query(
            "SELECT id, name, kind, sha256, text_sha256 FROM documents ORDER BY name COLLATE NOCASE"
        )
        return [DocumentHeader(r["id"], r["name"], r["kind"], r["sha256"], r["text_sha256"]) for r in rows]

    def summaries(
        self,
        *,
        query: str = "",
        limit: int | None = None,
        offset: int = 0,
        after: tuple[str, int] | None = None,
        names: bool = True,
    ) -> list["DocumentSummary"]:
        """Name, kind, words, turns, codings and participants per document, without texts.

        Computed in SQL and paged (``limit``/``offset`` in name order), so a
        listing of 10^6 survey answers neither loads every text nor every
        turn into Python. ``query`` keeps documents whose name, kind or
        participant names contain it (case-insensitive, as ``LIKE``), best
        first: a name match, earliest in the name, then the rest; found
        through the trigram name index (:mod:`qualcode.store.document_search`),
        so a page costs about the same at 10^6 documents as at 10^3.
        ``after`` = (name, id) of the last row of the previous page (without
        ``query``): the next page is found through the name index instead of
        skipping ``offset`` rows. ``names=False`` leaves ``participants``
        empty (the costliest column).
        """
        columns = _SUMMARY_SQL.format(names=_NAMES_SQL if names else "''")
        if query:
            wanted = None if limit is None else limit + offset
            ids = DocumentSearch(self.project).first_ids(query, wanted)[offset:]
            rows = {
                r[0]: r
                for r in self.project.db.execute(
                    columns + " WHERE d.id IN (SELECT value FROM json_each(?))", [json.dumps(ids)]
                )
            }
            return [DocumentSummary(*rows[i]) for i in ids if i in rows]
        where, params = "", []
        if after is not None:
            # The first condition lets SQLite seek in the name index (an OR alone made it scan from the start).
            where = " WHERE d.name >= ? COLLATE NOCASE AND (d.name > ? COLLATE NOCASE OR d.id > ?)"
            params += [after[0], after[0], after[1]]
        page = " LIMIT ? OFFSET ?" if limit is not None else ""
        rows = self.project.db.execute(
            columns + where + " ORDER BY d.name COLLATE NOCASE, d.id" + page,
            [*params, *([limit, offset] if limit is not None else [])],
        )
        return [DocumentSummary(*r) for r in rows]

    def matching(self, query: str, cap: int = 10_000) -> int:
        """How many documents ``summaries(query=query)`` would list, exactly up to ``cap`` (else ``cap + 1``)."""
        return DocumentSearch(self.project).count(query, cap)

    def count(self) -> int:
        """How many documents the project holds."""
        return int(self.project.db.execute("SELECT count(*) FROM documents").fetchone()[0])

    def iter_summaries(self, chunk: int = 2000, *, names: bool = True) -> Iterator["DocumentSummary"]:
        """Every document's summary in name order, ``chunk`` at a time (constant memory)."""
        after: tuple[str, int] | None = None
        while True:
            page = self.summaries(limit=chunk, after=after, names=names)
            yield from page
            if len(page) < chunk:
                return
            after = (page[-1].name, page[-1].id)

    def extents(self, names: Sequence[str]) -> dict[str, "DocumentExtent"]:
        """Id and text length of the documents called exactly one of ``names`` (500 a query).

        Why: batch coding names one document per row; reading each text to
        check a span made 10^6 rows cost 10^6 queries and every text in memory.
        """
        found: dict[str, DocumentExtent] = {}
        unique = list(dict.fromkeys(names))
        for at in range(0, len(unique), 500):
            chunk = unique[at : at + 500]
            for r in self.project.db.execute(
                f"SELECT id, name, length(text) FROM documents WHERE name IN ({', '.join('?' for _ in chunk)})", chunk
            ):
                found[r[1]] = DocumentExtent(r[0], r[1], r[2])
        return found

    def get(self, document_id: int) -> Document:
        row = self.project.row("documents", document_id)
        if row is None:
            raise NotFoundError(f"no document with id {document_id}")
        return _document(row)

    def find(self, name: str) -> Document | None:
        rows = self.project.query("SELECT * FROM documents WHERE name = ?", [name])
        return _document(rows[0]) if rows else None

    def resolve(self, ref: str | int) -> Document:
        """A document by name, by id (``#12`` or ``12``), or a unique name prefix."""
        if isinstance(ref, int):
            return self.get(ref)
        found = self.find(ref)
        if found:
            return found
        text = ref.lstrip("#")
        if text.isdigit():
            row = self.project.row("documents", int(text))
            if row:
                return _document(row)
        rows = self.project.query(
            "SELECT * FROM documents WHERE name LIKE ? ESCAPE '\\' ORDER BY name",
            [ref.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"],
        )
        if len(rows) == 1:
            return _document(rows[0])
        if len(rows) > 1:
            names = ", ".join(r["name"] for r in rows[:5])
            raise NotFoundError(f"{ref!r} matches several documents: {names}")
        raise NotFoundError(f"no document called {ref!r}")

    def by_sha256(self, sha: str) -> Document | None:
        rows = self.project.query("SELECT * FROM documents WHERE sha256 = ? LIMIT 1", [sha])
        return _document(rows[0]) if rows else None

    def turns(self, document_id: int) -> list[Turn]:
        rows = self.project.query(
            "SELECT id, document_id, seq, speaker, role, start, [end], participant_id,"
            " time_start, time_end FROM turns WHERE document_id = ? ORDER BY seq",
            [document_id],
        )
        return [_turn(r) for r in rows]

    def all_turns(self) -> list[Turn]:
        rows = self.project.query(
            "SELECT id, document_id, seq, speaker, role, start, [end], participant_id,"
            " time_start, time_end FROM turns ORDER BY document_id, seq"
        )
        return [_turn(r) for r in rows]

    def turn_texts(self, document_ids: Sequence[int] | None = None) -> list[TurnText]:
        """Every turn with its stored text, in document and turn order, in one query.

        Why: units of analysis are turns or pieces of turns; reading each
        turn's own text (stored at import) avoids loading every whole document.
        """
        return [TurnText(*r) for cur in turn_text_cursors(self.project.db.conn, document_ids) for r in cur]

    def turn(self, turn_id: int) -> Turn | None:
        """One turn by id, or ``None``."""
        rows = self.project.query(
            "SELECT id, document_id, seq, speaker, role, start, [end], participant_id,"
            " time_start, time_end FROM turns WHERE id = ?",
            [turn_id],
        )
        return _turn(rows[0]) if rows else None

    def turn_at(self, document_id: int, offset: int) -> Turn | None:
        """The turn containing ``offset`` (or starting there)."""
        rows = self.project.query(
            "SELECT id, document_id, seq, speaker, role, start, [end], participant_id,"
            " time_start, time_end FROM turns WHERE document_id = ? AND start <= ?"
            " ORDER BY start DESC LIMIT 1",
            [document_id, offset],
        )
        if rows and offset < max(rows[0]["end"], rows[0]["start"] + 1):
            return _turn(rows[0])
        return None

    # -- writing ------------------------------------------------------------
    def add(self, parsed: ParsedDocument, *, replace: bool = False) -> tuple[Document, str]:
        """Store a parsed document with its turns and participants, atomically.

        Returns:
            The stored document and ``"imported"``, ``"replaced"`` or
            ``"skipped"`` (an identical file, by sha256, is already there).

        Raises:
            ValidationError: the parsed document is inconsistent, or a
                different document already has this name and ``replace`` is
                false.
        """
        status = self.add_many([parsed], replace=replace, summary=f"import {parsed.name}")[0]
        found = self.find(parsed.name)
        assert found is not None
        return found, status

    def add_many(self, parsed: Iterable[ParsedDocument | tuple[str, dict[str, str]]], **kwargs: Any) -> list[str]:
        """:meth:`store_many`, returning only the status per document."""
        return self.store_many(parsed, **kwargs).statuses

    def store_many(
        self,
        parsed: Iterable[ParsedDocument | tuple[str, dict[str, str]]],
        *,
        replace: bool = False,
        participants: dict[str, dict[str, str]] | None = None,
        summary: str = "import documents",
        chunk: int | None = None,
    ) -> "StoredDocuments":
        """Store many parsed documents (one file's worth) in one action, in bulk.

        Why bulk: a survey file holds one document per answer; a query, a
        participant look-up and a logged insert per answer do not scale to
        10^6 answers. Documents, turns and participants go in with
        ``executemany``, ``chunk`` documents at a time (``parsed`` may be a
        generator, so they need not all be in memory), logged as id ranges.
        ``parsed`` may also hold ``(name, attributes)`` pairs: people to
        ensure at that point without a document (survey respondents with no
        answer). ``participants`` are extra people to ensure after the
        documents. Same results as :meth:`add` called for each in order; one
        transaction, so all or nothing.

        Returns:
            ``"imported"``, ``"replaced"`` or ``"skipped"`` per document, and
            the counted codings the replaced documents took with them.

        Raises:
            ValidationError: as :meth:`add`; nothing is written then.
        """
        statuses: list[str] = []
        removed = [0]
        chunk = chunk or CHUNK
        with self.project.action("import", summary) as act:
            batch: list[ParsedDocument | tuple[str, dict[str, str]]] = []
            for doc in parsed:
                batch.append(doc)
                if len(batch) >= chunk:
                    statuses += self._add_chunk(act, batch, replace, removed)
                    batch = []
            statuses += self._add_chunk(act, batch, replace, removed)
            extra = list((participants or {}).items())
            for at in range(0, len(extra), chunk):
                self.project.participants.ensure_many(extra[at : at + chunk])
        return StoredDocuments(statuses, removed[0])

    def _add_chunk(
        self,
        act: "Action",
        entries: list[ParsedDocument | tuple[str, dict[str, str]]],
        replace: bool,
        removed: list[int],
    ) -> list[str]:
        """Validate and store one chunk; earlier chunks are already in the table (so they count as existing)."""
        parsed = [d for d in entries if isinstance(d, ParsedDocument)]
        for doc in parsed:
            validate_parsed(doc)
        stored = self._by_names([d.name for d in parsed])
        statuses: list[str] = []
        keep: dict[str, int] = {}  # name -> index in parsed of the version to insert
        for i, doc in enumerate(parsed):
            prior = stored.get(doc.name)
            earlier = keep.get(doc.name)
            sha = parsed[earlier].sha256 if earlier is not None else (prior[1] if prior else None)
            if (prior or earlier is not None) and doc.sha256 and sha == doc.sha256 and not replace:
                statuses.append("skipped")
                continue
            if (prior or earlier is not None) and not replace:
                raise ValidationError(f"a different document called {doc.name!r} exists; use --replace to replace it")
            statuses.append("replaced" if prior or earlier is not None else "imported")
            keep[doc.name] = i
        chosen = {id(parsed[i]) for i in keep.values()}
        todo = [d for d in parsed if id(d) in chosen]
        removed[0] += self._delete_many(act, [stored[d.name][0] for d in todo if d.name in stored])
        pairs: list[tuple[str, dict[str, str] | None]] = []
        for entry in entries:
            if not isinstance(entry, ParsedDocument):
                pairs.append(entry)
                continue
            if id(entry) not in chosen:
                continue
            names = set(entry.participants)
            names.update(t.participant for t in entry.turns if t.participant)
            if entry.participant:
                names.add(entry.participant)
            pairs.extend((n, entry.participants.get(n)) for n in sorted(names))
        pid = self.project.participants.ensure_many(pairs) if pairs else {}
        if not todo:
            return statuses
        stamp = now()
        doc_ids = act.insert_many("documents", (document_row(d, pid, stamp) for d in todo))
        with bulk_index(act.conn, "turns") as index:
            ids = act.insert_many(
                "turns", (row for d, doc_id in zip(todo, doc_ids) for row in turn_rows(d, doc_id, pid))
            )
            if ids:
                index("id BETWEEN ? AND ?", [ids[0], ids[-1]])
        return statuses

    def _by_names(self, names: Sequence[str]) -> dict[str, tuple[int, str | None]]:
        """Stored documents among ``names``: name → (id, sha256)."""
        found: dict[str, tuple[int, str | None]] = {}
        unique = list(dict.fromkeys(names))
        for at in range(0, len(unique), 500):
            chunk = unique[at : at + 500]
            rows = self.project.query(
                f"SELECT id, name, sha256 FROM documents WHERE name IN ({', '.join('?' for _ in chunk)})", chunk
            )
            found.update((r["name"], (r["id"], r["sha256"])) for r in rows)
        return found

    def remove(self, ref: str | int) -> Document:
        """Delete a document with its turns, codings and memos (undoable)."""
        doc = self.resolve(ref)
        with self.project.action("remove-document", f"remove {doc.name}") as act:
            self._delete(act, doc.id)
        return doc

    def set_kind(self, ref: str | int, kind: str) -> Document:
        if kind not in DOCUMENT_KINDS:
            raise ValidationError(f"unknown document kind {kind!r}")
        doc = self.resolve(ref)
        with self.project.action("document-kind", f"{doc.name}: kind {kind}") as act:
            act.update("documents", doc.id, {"kind": kind})
        return self.get(doc.id)

    def set_participant(self, ref: str | int, participant: str | None) -> Document:
        """Attribute a whole document (e.g. a survey answer) to a participant."""
        doc = self.resolve(ref)
        with self.project.action("document-participant", f"{doc.name}: participant") as act:
            pid = self.project.participants.ensure(participant).id if participant else None
            act.update("documents", doc.id, {"participant_id": pid})
        return self.get(doc.id)

    def map_speaker(self, ref: str | int, speaker: str, participant: str | None, role: str | None = None) -> int:
        """Attribute every turn of ``speaker`` in a document to a participant.

        Returns the number of turns changed.
        """
        doc = self.resolve(ref)
        with self.project.action("map-speaker", f"{doc.name}: {speaker} -> {participant}") as act:
            pid = self.project.participants.ensure(participant).id if participant else None
            turns = [t for t in self.turns(doc.id) if t.speaker == speaker]
            for t in turns:
                values: dict[str, Any] = {"participant_id": pid}
                if role:
                    values["role"] = role
                act.update("turns", t.id, values)
        return len(turns)

    def _delete(self, act: "Action", doc_id: int) -> None:
        self._delete_many(act, [doc_id])

    def _delete_many(self, act: "Action", doc_ids: Sequence[int]) -> int:
        """Delete documents with their codings, memos, suggestion segments and turns, 500 at a time.

        Returns the counted (not rejected) codings removed with them.
        """
        from qualcode.store.codings import delete_codings

        counted = 0
        for at in range(0, len(doc_ids), 500):
            chunk = list(doc_ids[at : at + 500])
            marks = ", ".join("?" for _ in chunk)
            counted += act.conn.execute(
                f"SELECT count(*) FROM codings WHERE document_id IN ({marks}) AND status != 'rejected'", chunk
            ).fetchone()[0]
            coding_ids = [
                r[0] for r in act.conn.execute(f"SELECT id FROM codings WHERE document_id IN ({marks})", chunk)
            ]
            delete_codings(act, coding_ids)
            act.delete_where(
                "memos",
                f"target = 'turn' AND target_id IN (SELECT id FROM turns WHERE document_id IN ({marks}))",
                chunk,
            )
            act.delete_where("memos", f"target = 'document' AND target_id IN ({marks})", chunk)
            act.delete_where("suggestion_segments", f"document_id IN ({marks})", chunk)
            act.delete_where("turns", f"document_id IN ({marks})", chunk)
            act.delete_many("documents", chunk)
        return counted
