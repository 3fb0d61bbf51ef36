"""Documents and their speaker turns."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import DOCUMENT_KINDS, Document, ParsedDocument, Turn
from qualcode.store.base import now

if TYPE_CHECKING:
    from qualcode.store.action import Action
    from qualcode.store.project import Project


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


def text_sha256(text: str) -> str:
    """The sha256 of a stored text (UTF-8): how two copies of a study recognise the same document."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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

    def summaries(self) -> list[dict[str, Any]]:
        """Name, kind, words, turns and codings per document (cheap, no text)."""
        return self.project.query(
            """
            SELECT d.id, d.name, d.kind, d.words,
                   (SELECT count(*) FROM turns t WHERE t.document_id = d.id) AS turns,
                   (SELECT count(*) FROM codings c WHERE c.document_id = d.id
                      AND c.status != 'rejected') AS codings,
                   length(d.text) AS chars, d.participant_id, d.source_path, d.imported_at
            FROM documents d ORDER BY d.name COLLATE NOCASE
            """
        )

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
        validate_parsed(parsed)
        existing = self.find(parsed.name)
        if existing and parsed.sha256 and existing.sha256 == parsed.sha256 and not replace:
            return existing, "skipped"
        if existing and not replace:
            raise ValidationError(
                f"a different document called {parsed.name!r} exists; use --replace to replace it"
            )
        status = "replaced" if existing else "imported"
        with self.project.action("import", f"import {parsed.name}") as act:
            if existing:
                self._delete(act, existing.id)
            people = self.project.participants
            pid_by_name: dict[str, int] = {}
            names = set(parsed.participants)
            names.update(t.participant for t in parsed.turns if t.participant)
            if parsed.participant:
                names.add(parsed.participant)
            for name in sorted(names):
                pid_by_name[name] = people.ensure(name, parsed.participants.get(name)).id
            doc_id = act.insert(
                "documents",
                {
                    "name": parsed.name,
                    "kind": parsed.kind,
                    "source_path": parsed.source_path,
                    "sha256": parsed.sha256,
                    "text_sha256": text_sha256(parsed.text),
                    "text": parsed.text,
                    "words": len(parsed.text.split()),
                    "imported_at": now(),
                    "participant_id": pid_by_name.get(parsed.participant) if parsed.participant else None,
                    "metadata": json.dumps(parsed.metadata, ensure_ascii=False, default=str),
                },
            )
            turns = parsed.turns or []
            rows = [
                {
                    "document_id": doc_id,
                    "seq": i,
                    "speaker": t.speaker,
                    "role": t.role,
                    "participant_id": pid_by_name.get(t.participant) if t.participant else None,
                    "start": t.start,
                    "end": t.end,
                    "time_start": t.time_start,
                    "time_end": t.time_end,
                    "text": parsed.text[t.start : t.end],
                }
                for i, t in enumerate(turns)
            ]
            if not rows:
                # Every document has at least one turn, so search, units and
                # participant attribution work the same for survey answers.
                rows = [
                    {
                        "document_id": doc_id,
                        "seq": 0,
                        "speaker": parsed.participant or "",
                        "role": "participant",
                        "participant_id": pid_by_name.get(parsed.participant) if parsed.participant else None,
                        "start": 0,
                        "end": len(parsed.text),
                        "time_start": None,
                        "time_end": None,
                        "text": parsed.text,
                    }
                ]
            act.insert_many("turns", rows)
        return self.get(doc_id), status

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

    def map_speaker(
        self, ref: str | int, speaker: str, participant: str | None, role: str | None = None
    ) -> int:
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
        from qualcode.store.codings import delete_codings

        coding_ids = [
            r["id"] for r in self.project.query("SELECT id FROM codings WHERE document_id = ?", [doc_id])
        ]
        delete_codings(act, coding_ids)
        act.delete_where(
            "memos", "target = 'turn' AND target_id IN (SELECT id FROM turns WHERE document_id = ?)", [doc_id]
        )
        act.delete_where("memos", "target = 'document' AND target_id = ?", [doc_id])
        act.delete_where("suggestion_segments", "document_id = ?", [doc_id])
        act.delete_where("turns", "document_id = ?", [doc_id])
        act.delete("documents", doc_id)
