"""Survey sheets: each respondent's free-text answer is one codeable document.

Why every row becomes a participant: the closed questions (Likert items,
org size, sector) are the grouping variables of the analysis, and a
respondent who left the free text empty still counts in the sample.
"""

from __future__ import annotations

import sys
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.build import RawDoc, RawFile
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
    people: dict[str, dict[str, str]] = {}
    docs: dict[str, RawDoc] = {}
    for number, row in table.rows:
        rid = " ".join(row[id_col].split())
        if not rid:
            raise ImportFormatError(f"row has an empty {id_col!r}", where=f"{path}:{number}")
        # Blank cells are kept as "" so an unanswered item reads as missing.
        # Values are interned: closed questions repeat a few answers over
        # every row, and a consultation has up to millions of rows.
        attrs = {c: sys.intern(row[c].strip()) for c in table.columns if c not in skip}
        known = people.setdefault(rid, {})
        for k, v in attrs.items():
            if k not in known or not known[k]:
                known[k] = v
            elif not v:
                continue
            elif v not in known[k].split("; "):
                known[k] = f"{known[k]}; {v}"
        for col in text_cols:
            assert col is not None
            answer = normalise_newlines(row[col]).strip()
            if not answer:
                continue
            name = f"{rid} · {col}" if len(text_cols) > 1 else rid
            if name in docs:
                if docs[name].text == answer:
                    continue
                name = f"{name} (row {number})"
            docs[name] = RawDoc(
                name,
                answer,
                [RawTurn(rid, 0, len(answer), role="participant")],
                key=name,
                kind="survey",
                participant=rid,
                metadata={"row": number, "column": col, "respondent": rid},
            )
    for doc in docs.values():
        doc.attributes = {doc.participant or "": people.get(doc.participant or "", {})}
    return RawFile(list(docs.values()), encoding=table.encoding, participants=people, multi=True)
