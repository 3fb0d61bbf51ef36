"""Plain typed records shared by every layer of qualcode.

Why a separate module: the store, the importers, the analysis code and the
TUI all exchange the same nouns (documents, turns, codes, codings, memos).
Keeping them as small frozen dataclasses with no I/O means every layer can
depend on them without pulling SQLite, spaCy or Textual along, and it keeps
untyped dict rows (a QualCoder/Taguette habit) out of the code base.

Offsets are Python ``str`` code-point offsets into ``Document.text``, end
exclusive, everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

DocumentKind = Literal["interview", "focus_group", "survey", "other"]
Role = Literal["interviewer", "participant"]
Origin = Literal["manual", "auto", "suggested"]
Status = Literal["confirmed", "pending", "rejected"]
MemoTarget = Literal["project", "document", "code", "coding", "turn"]

DOCUMENT_KINDS: tuple[str, ...] = ("interview", "focus_group", "survey", "other")
ORIGINS: tuple[str, ...] = ("manual", "auto", "suggested")
PATH_SEP = " > "


@dataclass(frozen=True, slots=True)
class Participant:
    """A person (or a survey respondent) whose words are analysed.

    Attributes carry the grouping variables of a study, e.g.
    ``{"org_size": "SME", "sector": "software"}``.
    """

    id: int
    name: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn of a document: ``text[start:end]``."""

    id: int
    document_id: int
    seq: int
    speaker: str
    role: Role
    start: int
    end: int
    participant_id: int | None = None
    time_start: str | None = None
    time_end: str | None = None


@dataclass(frozen=True, slots=True)
class Document:
    """A codeable text: a transcript, a survey answer, a memo-like note."""

    id: int
    name: str
    kind: str
    text: str
    source_path: str | None = None
    sha256: str | None = None
    imported_at: str | None = None
    participant_id: int | None = None
    metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Segment:
    """A unit of analysis (a turn, a sentence or a paragraph window).

    Segments are computed, not stored: the themes and auto-tagging pipelines
    build them from documents and turns.
    """

    document_id: int
    start: int
    end: int
    text: str
    speaker: str | None = None
    role: Role = "participant"
    participant_id: int | None = None
    turn_id: int | None = None


@dataclass(frozen=True, slots=True)
class Code:
    """A node of the codebook tree; themes are codes with children."""

    id: int
    name: str
    parent_id: int | None = None
    path: str = ""
    description: str = ""
    include: str = ""
    exclude: str = ""
    examples: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    colour: str | None = None
    key: str | None = None

    @property
    def depth(self) -> int:
        """Depth in the tree, 0 for a top-level theme."""
        return self.path.count(PATH_SEP)


@dataclass(frozen=True, slots=True)
class Coding:
    """A code applied to ``document.text[start:end]``.

    ``origin`` separates the analyst's own work (``manual``) from machine
    proposals (``auto`` from the auto-tagger, ``suggested`` from an accepted
    theme); machine codings start ``pending`` until reviewed.
    """

    id: int
    code_id: int
    document_id: int
    start: int
    end: int
    coder: str
    origin: str = "manual"
    status: str = "confirmed"
    method: str | None = None
    confidence: float | None = None
    run_id: int | None = None
    created_at: str | None = None
    rule: str | None = None


@dataclass(frozen=True, slots=True)
class Memo:
    """A free-text note attached to the project, a document, code, coding or turn."""

    id: int
    target: str
    target_id: int | None
    text: str
    author: str
    created_at: str | None = None


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the audit log; undoable entries carry their row changes."""

    id: int
    action: str
    summary: str
    actor: str
    created_at: str
    state: str


@dataclass(frozen=True, slots=True)
class Run:
    """A recorded machine run (theme suggestion or auto-tagging)."""

    id: int
    kind: str
    params: dict[str, Any]
    created_at: str
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ThemeSuggestion:
    """A topic proposed by a theme-suggestion run."""

    run_id: int
    topic: int
    label: str
    keywords: tuple[str, ...]
    size: int
    status: str = "open"
    closest_code: str | None = None
    similarity: float | None = None
    data: dict[str, Any] = field(default_factory=dict)


def join_path(parts: list[str] | tuple[str, ...]) -> str:
    """Join code names into a path such as ``Burden > Bid cost``."""
    return PATH_SEP.join(parts)


def split_path(path: str) -> list[str]:
    """Split a code path; accepts ``>`` with or without surrounding spaces."""
    return [part.strip() for part in path.split(">") if part.strip()]


@dataclass(slots=True)
class ParsedTurn:
    """A speaker turn as an importer found it, before it is stored.

    ``start``/``end`` delimit the utterance (without the speaker label) in
    ``ParsedDocument.text``.
    """

    speaker: str
    start: int
    end: int
    role: str = "participant"
    participant: str | None = None
    time_start: str | None = None
    time_end: str | None = None


@dataclass(slots=True)
class ParsedDocument:
    """The result of parsing one source: text, turns and who is speaking.

    Importers build these; the store validates and saves them in one
    transaction, so a source either lands whole or not at all.
    """

    name: str
    kind: str
    text: str
    turns: list[ParsedTurn] = field(default_factory=list)
    source_path: str | None = None
    sha256: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    participant: str | None = None
    participants: dict[str, dict[str, str]] = field(default_factory=dict)
