"""CSV/XLSX sources: transcript tables, one transcript per row, or surveys.

Three layouts:

(a) one row per turn, with speaker and text columns, optionally grouped into
    documents by a document column (``--document-column``, or a column named
    ``document``, ``interview``, ``transcript_id`` …). Consecutive rows of the
    same speaker are merged into one turn (joined by a space), because
    exports from PDF split turns at page breaks (the Alaska interviews).
(b) one document per row, its text cell holding a whole transcript, parsed
    for ``Name:`` turns (Anthropic Interviewer).
(c) a survey (``--survey``): see :mod:`qualcode.ingest.formats.survey`.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.build import RawDoc, RawFile, Utterance, merge_consecutive, render, text_turns
from qualcode.ingest.decode import normalise_newlines
from qualcode.ingest.options import ImportOptions
from qualcode.ingest.registry import register
from qualcode.ingest.tabular import Table, read_table

SPEAKER_COLUMNS = ("speaker", "speaker_name", "speaker name", "who")
TEXT_COLUMNS = ("text", "utterance", "content", "transcript", "turn", "message", "dialogue", "answer")
DOCUMENT_COLUMNS = (
    "document",
    "document_id",
    "doc",
    "interview",
    "interview_id",
    "transcript_id",
    "session",
    "meeting",
    "meeting_id",
    "file",
)
ROLE_COLUMNS = ("speaker_type", "speaker_role", "role")
START_COLUMNS = ("time_mark", "time_start", "start_time", "start", "timestamp", "time")
END_COLUMNS = ("time_end", "end_time", "end")
INTERVIEWER_VALUES = frozenset({"er", "interviewer", "int", "i", "moderator", "facilitator", "q"})
PARTICIPANT_VALUES = frozenset({"ee", "interviewee", "participant", "respondent", "p", "r", "a"})


def _role(value: str) -> str | None:
    key = value.strip().casefold()
    if key in INTERVIEWER_VALUES:
        return "interviewer"
    if key in PARTICIPANT_VALUES:
        return "participant"
    return None


@register(".csv", ".tsv", ".xlsx", stream=True)
def parse_table(path: Path, data: bytes | None, options: ImportOptions) -> RawFile:
    """A table: survey rows are streamed; the transcript layouts gather their rows."""
    table = read_table(path, data, options.encoding)
    if options.survey:
        from qualcode.ingest.formats.survey import survey_file

        return survey_file(path, table, options)
    where = str(path)
    text_col = table.column(options.text_column, where) or table.guess(TEXT_COLUMNS)
    if text_col is None:
        raise ImportFormatError(
            f"no text column found; name it with --text-column, or use --survey (columns: {', '.join(table.columns)})",
            where=where,
        )
    if not table.rows:
        raise ImportFormatError("the table has no rows", where=where)
    speaker_col = table.column(options.speaker_column, where) or table.guess(SPEAKER_COLUMNS)
    doc_col = table.column(options.document_column, where) or table.guess(DOCUMENT_COLUMNS)
    if speaker_col is None:
        return _transcript_per_row(path, table, text_col, doc_col)
    return _turn_per_row(path, table, text_col, speaker_col, doc_col)


def _turn_per_row(path: Path, table: Table, text_col: str, speaker_col: str, doc_col: str | None) -> RawFile:
    role_col = table.guess(ROLE_COLUMNS)
    start_col = table.guess(START_COLUMNS)
    end_col = table.guess(END_COLUMNS)
    groups: dict[str, list[Utterance]] = {}
    first_row: dict[str, int] = {}
    for number, row in table.rows:
        key = " ".join(row[doc_col].split()) if doc_col else path.stem
        if doc_col and not key:
            raise ImportFormatError(f"row has an empty {doc_col!r}", where=f"{path}:{number}")
        body = normalise_newlines(row[text_col]).strip()
        if not body:
            continue
        groups.setdefault(key, [])
        first_row.setdefault(key, number)
        groups[key].append(
            Utterance(
                " ".join(row[speaker_col].split()),
                body,
                row[start_col].strip() or None if start_col else None,
                row[end_col].strip() or None if end_col else None,
                _role(row[role_col]) if role_col else None,
            )
        )
    docs: list[RawDoc] = []
    for key, utterances in groups.items():
        merged = merge_consecutive(utterances)
        text, turns = render(merged)
        meta = {"rows": len(utterances), "first_row": first_row[key]}
        docs.append(RawDoc(key, text, turns, key=key if doc_col else None, metadata=meta, aliases=(path.stem,)))
    if not docs:
        raise ImportFormatError(f"every {text_col!r} cell is empty", where=str(path))
    return RawFile(docs, encoding=table.encoding, multi=doc_col is not None)


def _transcript_per_row(path: Path, table: Table, text_col: str, doc_col: str | None) -> RawFile:
    id_col = doc_col or table.guess(("id", "name", "title"))
    docs: list[RawDoc] = []
    seen: set[str] = set()
    for number, row in table.rows:
        text = normalise_newlines(row[text_col]).strip()
        if not text:
            continue
        key = " ".join(row[id_col].split()) if id_col else ""
        key = key or f"{path.stem} · row {number}"
        if key in seen:
            raise ImportFormatError(f"duplicate document id {key!r}", where=f"{path}:{number}")
        seen.add(key)
        docs.append(RawDoc(key, text, text_turns(text), key=key, metadata={"row": number}))
    if not docs:
        raise ImportFormatError(f"every {text_col!r} cell is empty", where=str(path))
    return RawFile(docs, encoding=table.encoding, multi=True)
