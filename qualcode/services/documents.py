"""Document and participant rows, as both front ends list them.

Why one place: the documents table (CLI ``documents``, the TUI's home screen)
and the participants table (CLI ``participants``, the home screen) join
documents, turns and participants the same way; doing it twice had let the
two drift. Each row is a frozen dataclass, so callers read fields, not keys
of a SQL row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store import Project


@dataclass(frozen=True, slots=True)
class DocumentRow:
    """One document with its counts and the people who speak in it."""

    id: int
    name: str
    kind: str
    words: int
    turns: int
    codings: int
    participant: str | None
    """The participant the document belongs to (a survey answer, a diary), if any."""
    participants: tuple[str, ...]
    """Everyone in the document: its own participant and every speaking one, sorted."""
    source_path: str | None = None
    imported_at: str | None = None
    encoding: str | None = None

    def matches(self, query: str) -> bool:
        """Whether a filter fragment occurs in the name, the kind or a participant's name."""
        q = query.casefold()
        return (
            q in self.name.casefold() or q in self.kind.casefold() or any(q in p.casefold() for p in self.participants)
        )

    def to_json(self) -> dict[str, Any]:
        """The stable ``qualcode documents --json`` shape."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "words": self.words,
            "turns": self.turns,
            "codings": self.codings,
            "participant": self.participant,
            "source_path": self.source_path,
            "imported_at": self.imported_at,
            "encoding": self.encoding,
        }


@dataclass(frozen=True, slots=True)
class ParticipantRow:
    """One participant, their attributes and the documents they are in."""

    id: int
    name: str
    attributes: dict[str, Any] = field(default_factory=dict)
    documents: tuple[str, ...] = ()

    def to_json(self) -> dict[str, Any]:
        """The stable ``qualcode participants --json`` shape."""
        return {
            "id": self.id,
            "name": self.name,
            "attributes": dict(self.attributes),
            "documents": list(self.documents),
        }


def _field(summary: Any, name: str) -> Any:
    """A summary field whether the store hands back a row dict or a dataclass."""
    return summary.get(name) if isinstance(summary, dict) else getattr(summary, name, None)


def _people_by_document(project: "Project") -> dict[int, set[int]]:
    """Participant ids per document: its own participant and every speaking one."""
    by_doc: dict[int, set[int]] = {}
    for turn in project.documents.all_turns():
        if turn.participant_id is not None:
            by_doc.setdefault(turn.document_id, set()).add(turn.participant_id)
    return by_doc


def document_rows(project: "Project", *, encodings: bool = False) -> list[DocumentRow]:
    """Every document (ordered by name, case-insensitively) with its counts and participants.

    ``encodings`` also reads each document's detected encoding, which lives
    with the text (the CLI lists it; the home screen need not pay for it).
    """
    names = {p.id: p.name for p in project.participants.all()}
    by_doc = _people_by_document(project)
    found = {d.id: d.metadata.get("encoding") for d in project.documents.all()} if encodings else {}
    rows = []
    for s in project.documents.summaries():
        doc_id, own = int(_field(s, "id")), _field(s, "participant_id")
        ids = by_doc.get(doc_id, set()) | ({own} if own is not None else set())
        rows.append(
            DocumentRow(
                id=doc_id,
                name=_field(s, "name"),
                kind=_field(s, "kind"),
                words=int(_field(s, "words") or 0),
                turns=int(_field(s, "turns") or 0),
                codings=int(_field(s, "codings") or 0),
                participant=names.get(own) if own else None,
                participants=tuple(sorted(names[i] for i in ids if i in names)),
                source_path=_field(s, "source_path"),
                imported_at=_field(s, "imported_at"),
                encoding=found.get(doc_id),
            )
        )
    return rows


def participant_rows(project: "Project") -> list[ParticipantRow]:
    """Every participant with their attributes and the documents they own or speak in."""
    where: dict[str, set[str]] = {}
    for row in document_rows(project):
        for name in row.participants:
            where.setdefault(name, set()).add(row.name)
    return [
        ParticipantRow(p.id, p.name, dict(p.attributes), tuple(sorted(where.get(p.name, set()))))
        for p in project.participants.all()
    ]
