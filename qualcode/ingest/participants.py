"""The participants sheet: who is speaking, and their attributes.

Why a sheet: transcripts name speakers by first name or by role
(``Interviewee``); the study's grouping variables (org size, sector) live in
a spreadsheet the researcher already keeps. One row per participant, with
optional ``document`` and ``speaker`` columns saying where they speak.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import ImportFormatError

RESERVED = ("participant", "document", "speaker")


@dataclass(frozen=True)
class ParticipantRow:
    """One row of the participants sheet."""

    participant: str
    document: str | None = None
    speaker: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class ParticipantMap:
    """Lookups built from the participants sheet.

    Matching is case-insensitive and ignores surrounding spaces; a document
    matches by its name or by its source file name without extension.
    """

    rows: list[ParticipantRow] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._by_doc_speaker: dict[tuple[str, str], str] = {}
        self._by_speaker: dict[str, str] = {}
        self._by_doc: dict[str, str] = {}
        self.attributes: dict[str, dict[str, str]] = {}
        for row in self.rows:
            self.attributes.setdefault(row.participant, {}).update(row.attributes)
            if row.document and row.speaker:
                self._by_doc_speaker[(_k(row.document), _k(row.speaker))] = row.participant
            elif row.speaker:
                self._by_speaker[_k(row.speaker)] = row.participant
            elif row.document:
                self._by_doc[_k(row.document)] = row.participant

    def for_speaker(self, documents: tuple[str, ...], speaker: str) -> str | None:
        """The participant mapped to ``speaker`` in one of the document's names."""
        if speaker:
            for doc in documents:
                found = self._by_doc_speaker.get((_k(doc), _k(speaker)))
                if found:
                    return found
            return self._by_speaker.get(_k(speaker))
        return None

    def for_document(self, documents: tuple[str, ...]) -> str | None:
        """The participant a whole document is attributed to."""
        for doc in documents:
            found = self._by_doc.get(_k(doc))
            if found:
                return found
        return None


def _k(value: str) -> str:
    return " ".join(value.split()).casefold()


def load_participants_file(path: str | Path) -> ParticipantMap:
    """Read a participants CSV/XLSX (columns ``participant`` [, ``document``, ``speaker``], attributes…).

    Raises:
        ImportFormatError: unreadable file, no ``participant`` column, or a
            row without a participant (named with its row number).
    """
    from qualcode.ingest.tabular import column_list, read_table

    path = Path(path)
    if not path.is_file():
        raise ImportFormatError("participants file not found", where=str(path))
    table = read_table(path, path.read_bytes())
    lower = {c.strip().lower(): c for c in table.columns}
    if "participant" not in lower:
        raise ImportFormatError(
            f"the participants file needs a 'participant' column (found: {column_list(table.columns)})",
            where=str(path),
        )
    rows: list[ParticipantRow] = []
    for number, record in table.rows:
        values = {c.strip(): (v or "").strip() for c, v in record.items()}
        name = values.get(lower["participant"].strip(), "")
        if not name:
            if any(values.values()):
                raise ImportFormatError("row has no participant", where=f"{path}:{number}")
            continue
        attrs = {k: v for k, v in values.items() if k.lower() not in RESERVED and v}
        doc = values.get(lower["document"].strip()) if "document" in lower else None
        speaker = values.get(lower["speaker"].strip()) if "speaker" in lower else None
        rows.append(ParticipantRow(name, doc or None, speaker or None, attrs))
    return ParticipantMap(rows)
