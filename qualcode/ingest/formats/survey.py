"""Survey sheets: each respondent's free-text answer is one codeable document.

Why every row becomes a participant: the closed questions (Likert items,
org size, sector) are the grouping variables of the analysis, and a
respondent who left the free text empty still counts in the sample.

Why a stream: a consultation has up to millions of rows. Answers are
yielded one row at a time as the sheet is read, so the import holds a chunk
of answers, not the survey. Only respondents whose id occurs on several rows
(found by a first pass that keeps an 8-byte hash per row) are held back
until the end, because their attributes merge over all their rows.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.build import RawDoc, RawFile, RawPerson
from qualcode.ingest.decode import normalise_newlines
from qualcode.ingest.options import ImportOptions
from qualcode.ingest.tabular import Table
from qualcode.ingest.turns import RawTurn


def survey_file(path: Path, table: Table, options: ImportOptions) -> RawFile:
    """Documents (kind ``survey``) per non-empty answer; participants per row.

    Document names are the respondent id, suffixed `` · COLUMN`` only when
    several text columns are imported. A respondent id repeated with the
    same answer is kept once, its differing attribute values joined by
    ``; ``; a repeated id with a different answer gets `` (row N)`` added.
    ``documents`` is a generator: rows are read as it is consumed (a
    respondent without any answer is yielded as a :class:`RawPerson`).
    """
    where = str(path)
    if not options.id_column:
        raise ImportFormatError("a survey import needs --id-column", where=where)
    if not options.text_columns:
        raise ImportFormatError("a survey import needs at least one --text-column", where=where)
    id_col = table.column(options.id_column, where)
    text_cols = [table.column(c, where) for c in options.text_columns]
    assert id_col is not None
    skip = {id_col, *text_cols}
    attr_cols = [c for c in table.columns if c not in skip]
    cols = [c for c in text_cols if c is not None]
    return RawFile(_answers(path, table, id_col, cols, attr_cols), encoding=table.encoding, multi=True)


def _respondent(path: Path, number: int, row: dict[str, str], id_col: str) -> str:
    rid = " ".join(row[id_col].split())
    if not rid:
        raise ImportFormatError(f"row has an empty {id_col!r}", where=f"{path}:{number}")
    return rid


def _repeated(path: Path, table: Table, id_col: str) -> frozenset[int]:
    """Hashes of the respondent ids found on more than one row (usually none).

    One pass over the sheet keeping 8 bytes per row; a hash collision only
    makes a respondent take the held-back path, which gives the same result.
    """
    from array import array

    import numpy as np

    hashes = array("q")
    for number, row in table.rows:
        hashes.append(hash(_respondent(path, number, row, id_col)))
    if len(hashes) < 2:
        return frozenset()
    ordered = np.sort(np.frombuffer(hashes, dtype=np.int64))
    del hashes
    same = ordered[1:][ordered[1:] == ordered[:-1]]
    return frozenset(int(h) for h in np.unique(same))


def _merge(known: dict[str, str], attrs: dict[str, str]) -> None:
    """A repeated respondent's attributes: blanks filled, differing values joined by ``; ``."""
    for k, v in attrs.items():
        if k not in known or not known[k]:
            known[k] = v
        elif not v:
            continue
        elif v not in known[k].split("; "):
            known[k] = f"{known[k]}; {v}"


def _row_docs(number: int, row: dict[str, str], rid: str, text_cols: list[str]) -> Iterator[RawDoc]:
    for col in text_cols:
        answer = normalise_newlines(row[col]).strip()
        if not answer:
            continue
        name = f"{rid} · {col}" if len(text_cols) > 1 else rid
        yield RawDoc(
            name,
            answer,
            [RawTurn(rid, 0, len(answer), role="participant")],
            key=name,
            kind="survey",
            participant=rid,
            metadata={"row": number, "column": col, "respondent": rid},
        )


def _answers(
    path: Path, table: Table, id_col: str, text_cols: list[str], attr_cols: list[str]
) -> Iterator[RawDoc | RawPerson]:
    repeated = _repeated(path, table, id_col)
    held_people: dict[str, dict[str, str]] = {}  # repeated respondents: merged attributes
    held_docs: dict[str, RawDoc] = {}  # and their answers, yielded once every row is read
    for number, row in table.rows:
        rid = _respondent(path, number, row, id_col)
        # Blank cells are kept as "" so an unanswered item reads as missing.
        # Values are interned: closed questions repeat a few answers over
        # every row, and a consultation has up to millions of rows.
        attrs = {c: sys.intern(row[c].strip()) for c in attr_cols}
        if hash(rid) in repeated:
            _merge(held_people.setdefault(rid, {}), attrs)
            for doc in _row_docs(number, row, rid, text_cols):
                if doc.name in held_docs:
                    if held_docs[doc.name].text == doc.text:
                        continue
                    doc.name = doc.key = f"{doc.name} (row {number})"
                held_docs[doc.name] = doc
            continue
        answered = False
        for doc in _row_docs(number, row, rid, text_cols):
            doc.attributes = {rid: attrs}
            answered = True
            yield doc
        if not answered:
            yield RawPerson(rid, attrs)
    with_docs = set()
    for doc in held_docs.values():
        doc.attributes = {rid: held_people[rid]} if (rid := doc.participant or "") else {}
        with_docs.add(rid)
        yield doc
    for rid, attrs in held_people.items():
        if rid not in with_docs:
            yield RawPerson(rid, attrs)
