"""Options and results of an import, shared by every format.

Why a module of its own: the format parsers, the import driver and the CLI
all need these records, and keeping them apart from the driver avoids import
cycles between the registry and the parsers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

ImportStatus = Literal["imported", "skipped", "replaced", "error"]


@dataclass
class ImportOptions:
    """What the user told ``qualcode import`` about the files.

    Attributes:
        kind: document kind for every document; ``None`` guesses it.
        interviewers: speaker labels to mark as interviewer (on top of the
            defaults such as ``Interviewer`` or ``Q``).
        participants_file: CSV/XLSX mapping speakers or documents to
            participants with attributes.
        replace: replace documents of the same name instead of skipping
            identical ones or refusing different ones.
        survey: read a CSV/XLSX as a survey (one document per answer).
        id_column: survey respondent id column.
        text_columns: survey free-text columns.
        speaker_column: transcript-table speaker column (guessed if absent).
        text_column: transcript-table text column (guessed if absent).
        document_column: column that groups transcript rows into documents.
        encoding: force a text encoding instead of detecting it.
        exclude: file-name patterns (``fnmatch``, e.g. ``*.csv``) skipped
            when walking folders; files named explicitly are always taken.
    """

    kind: str | None = None
    interviewers: tuple[str, ...] = ()
    participants_file: str | Path | None = None
    replace: bool = False
    survey: bool = False
    id_column: str | None = None
    text_columns: tuple[str, ...] = ()
    speaker_column: str | None = None
    text_column: str | None = None
    document_column: str | None = None
    encoding: str | None = None
    exclude: tuple[str, ...] = ()


@dataclass
class ImportResult:
    """What happened to one source file (one line of ``qualcode import``)."""

    file: str
    status: ImportStatus
    document: str | None = None
    documents: list[str] = field(default_factory=list)
    error: str | None = None
    encoding: str | None = None
    turns: int = 0
    #: NUL and other C0 control characters replaced (one for one) in the text.
    controls_replaced: int = 0
    #: Documents with two speaker labels or more: the only ones whose labels can look like each other's
    #: misspelling (a survey answer has one), so the import's label check reads only these. Not in ``--json``.
    several_speakers: list[str] = field(default_factory=list)
    #: Counted codings of the documents this file replaced (removed with them). Not in ``to_dict``: the CLI adds it.
    codings_removed: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape."""
        return {
            "file": self.file,
            "status": self.status,
            "document": self.document,
            "documents": list(self.documents),
            "error": self.error,
            "encoding": self.encoding,
            "turns": self.turns,
            "controls_replaced": self.controls_replaced,
        }
