"""``qualcode code --batch FILE.csv``: apply many codings from a table, all or none.

Why a separate module: batch coding is how existing human coding (from a
spreadsheet, another tool, or a script) enters a project, so it must
validate every row first and name the file and row of the first problem;
only then is anything written, in one transaction.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain, islice
from pathlib import Path

from qualcode.errors import ImportFormatError, QualcodeError
from qualcode.ingest.tabular import sniff_encoding
from qualcode.model import Code
from qualcode.store import NewCoding, Project
from qualcode.store.base import now
from qualcode.store.documents import DocumentExtent

REQUIRED = ("document", "code")
CHUNK = 5000
"""Rows resolved and inserted at a time (what a batch holds in memory)."""


@dataclass(frozen=True, slots=True)
class BatchResult:
    """What a batch did."""

    rows: int
    added: int
    duplicates: int
    codes_created: int
    memos: int


def read_rows(path: Path) -> list[dict[str, str]]:
    """Read the batch CSV (``,`` ``;`` or tab separated)."""
    return list(iter_rows(path))


def iter_rows(path: Path) -> Iterator[dict[str, str]]:
    """The batch CSV's rows one at a time (keys lower-cased, values stripped).

    The file is streamed through an incremental decoder (its encoding found
    first, as for imports), never read whole: a batch of 2×10^6 codings is
    about 60 MB of text.

    Raises:
        ImportFormatError: unreadable or empty file, missing columns, or a
            row with more fields than the header (named by line).
    """
    where = str(path)
    codec, _ = sniff_encoding(Path(path))
    with Path(path).open("r", encoding=codec, newline=None) as handle:
        header = handle.readline()
        if header.startswith("\ufeff"):
            header = header[1:]
        delimiter = max(",;\t", key=header.rstrip("\n").count)
        reader = csv.reader(chain([header], handle), delimiter=delimiter)
        try:
            fields = [f.strip().lower() for f in next(reader, [])]
            missing = [c for c in REQUIRED if c not in fields]
            if missing:
                raise ImportFormatError(f"missing column(s): {', '.join(missing)}", where=where)
            width = len(fields)
            for row in reader:
                if not row:  # a blank line
                    continue
                if len(row) > width:
                    raise ImportFormatError(
                        "more fields than the header has (a quote with an unescaped '\"'?)",
                        where=f"{where}:{reader.line_num}",
                    )
                if len(row) < width:
                    row += [""] * (width - len(row))
                yield dict(zip(fields, map(str.strip, row)))
        except csv.Error as exc:  # e.g. a cell longer than the csv module's 131,072-character limit
            raise ImportFormatError(f"malformed CSV: {exc}", where=f"{where}:{reader.line_num}") from None


def locate_quote(text: str, quote: str) -> tuple[int, int]:
    """Offsets of the first occurrence of ``quote`` in ``text``.

    Whitespace runs may differ (a quote copied from a report, a transcript
    wrapped differently); case must match.

    Raises:
        ImportFormatError: the quote does not occur in the text.
    """
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    words = quote.split()
    if words:
        pattern = r"\s+".join(re.escape(w) for w in words)
        m = re.search(pattern, text)
        if m:
            return m.start(), m.end()
    raise ImportFormatError(f"quote not found in the document: {quote[:60]!r}")


def apply_batch(project: Project, path: Path, *, coder: str | None = None, create_codes: bool = False) -> BatchResult:
    """Validate every row, then apply them all in one transaction.

    Empty ``start`` and ``end`` code the whole document, or, with a ``quote``
    (or ``text``) column, the first place that quote occurs. ``code`` is a path
    or unique name. An optional ``coder`` column overrides ``coder``; an
    optional ``memo`` column attaches a memo to the coding.

    Rows are read, resolved and inserted 5,000 at a time inside the one
    action (a bad row rolls back all of them), so memory does not grow with
    the file: documents are looked up per chunk (exact names in bulk,
    without texts; a text is read only for a quote), codes are cached.

    Raises:
        ImportFormatError: a row is invalid; the message names file and row
            (row 2 is the first data row, as a spreadsheet shows it).
    """
    created = added = memos = n_rows = 0
    codes: dict[str, Code] = {}
    stamp = now()  # one time for the whole batch, as one insert gave
    name = Path(path).name
    rows = iter_rows(Path(path))
    with project.action("code-batch", f"code --batch {name}") as act:
        while chunk := list(islice(rows, CHUNK)):
            items, memo_texts, made = _resolve_chunk(project, path, chunk, n_rows, codes, coder, create_codes, stamp)
            created += made
            done = project.codings.add_many(items, summary=f"code --batch {name}")
            added += len(done.added)
            for cid, text in zip(done.ids, memo_texts):
                if text:
                    project.memos.add("coding", cid, text, author=coder)
                    memos += 1
            n_rows += len(chunk)
        act.summary = f"code --batch {name}: {added} codings"
    return BatchResult(n_rows, added, n_rows - added, created, memos)


def _resolve_chunk(
    project: Project,
    path: Path,
    chunk: list[dict[str, str]],
    before: int,
    codes: dict[str, Code],
    coder: str | None,
    create_codes: bool,
    stamp: str,
) -> tuple[list[NewCoding], list[str], int]:
    """The codings of one chunk of rows (``before`` rows came earlier), their memos and codes created.

    Raises:
        ImportFormatError: naming the file and row of the first bad row.
    """
    docs = project.documents.extents([r["document"] for r in chunk])
    texts: dict[int, str] = {}
    items: list[NewCoding] = []
    memo_texts: list[str] = []
    created = 0
    for n, row in enumerate(chunk, start=before + 2):
        where = f"{path}:{n}"
        try:
            doc = docs.get(row["document"])
            if doc is None:
                found = project.documents.resolve(row["document"])
                doc = docs[row["document"]] = DocumentExtent(found.id, found.name, len(found.text))
                texts[found.id] = found.text
            start, end = _span(project, row, doc, texts)
            if not row["code"]:
                raise ImportFormatError("empty code")
            code = codes.get(row["code"])
            if code is None:
                try:
                    code = project.codes.resolve(row["code"])
                except QualcodeError:
                    if not create_codes:
                        raise
                    code, made = project.codes.ensure_path(row["code"])
                    created += int(made)
                codes[row["code"]] = code
        except QualcodeError as exc:
            raise ImportFormatError(exc.message, where=where) from None
        items.append(NewCoding(code.id, doc.id, start, end, coder=row.get("coder") or coder, created_at=stamp))
        memo_texts.append(row.get("memo", ""))
    return items, memo_texts, created


def _span(project: Project, row: dict[str, str], doc: DocumentExtent, texts: dict[int, str]) -> tuple[int, int]:
    """The row's span: ``start``/``end``, the first place of its quote, or the whole document."""
    start_s, end_s = row.get("start", ""), row.get("end", "")
    quote = row.get("quote") or row.get("text") or ""
    if start_s == "" and end_s == "" and quote:
        if doc.id not in texts:
            texts[doc.id] = project.documents.get(doc.id).text
        start, end = locate_quote(texts[doc.id], quote)
    elif start_s == "" and end_s == "":
        start, end = 0, doc.length
    else:
        try:
            start, end = int(start_s), int(end_s)
        except ValueError:
            raise ImportFormatError(f"start/end must be integers, not {start_s!r}/{end_s!r}") from None
    if not (0 <= start < end <= doc.length):
        raise ImportFormatError(f"span {start}-{end} is outside {doc.name} (0-{doc.length})")
    return start, end
