"""The CSV codebook format: our own ``path`` layout and Taguette's export.

Why two layouts: spreadsheets are where many teams draft codebooks, and a
``path`` column (``Theme > Code``) carries any depth in one cell, parents
implied; Taguette exports a flat ``tag,description,number of highlights``
table that people want to bring along as is. Taguette tag names are taken
whole, even when they contain ``/``.

Columns (case-insensitive; unknown ones are ignored): ``path`` *or*
``tag``/``name``/``code``; optional ``description``, ``include``,
``exclude``, ``examples`` (one per line inside the cell), ``keywords``
(``;``-separated), ``colour``/``color``, ``key``. Errors name the row as a
spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from qualcode.codebook.tree import (
    Codebook,
    CodebookNode,
    check_colour,
    check_key,
    check_name,
    check_tree,
)
from qualcode.errors import CodebookFormatError
from qualcode.model import PATH_SEP, split_path
from qualcode.outputs import neutralise_formula, restore_formula, write_text_atomic

_ALIASES = {
    "path": "path",
    "code path": "path",
    "tag": "name",
    "name": "name",
    "code": "name",
    "description": "description",
    "include": "include",
    "exclude": "exclude",
    "examples": "examples",
    "keywords": "keywords",
    "colour": "colour",
    "color": "colour",
    "key": "key",
    "shortcut": "key",
}
WRITE_COLUMNS = ("path", "description", "include", "exclude", "examples", "keywords", "colour", "key")


def decode(data: bytes) -> str:
    """UTF-8 (a BOM is fine), else Windows-1252, the two encodings spreadsheets write."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="strict")


def _delimiter(header_line: str) -> str:
    counts = {d: header_line.count(d) for d in (",", ";", "\t")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_csv(path: str | Path, text: str | None = None) -> Codebook:
    """Read and validate a CSV codebook (delimiter ``,``, ``;`` or tab, detected).

    Raises:
        CodebookFormatError: with ``where="file:row N"``.
    """
    source = str(path)
    if text is None:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise CodebookFormatError(f"cannot read file: {exc.strerror}", where=source) from None
        try:
            text = decode(data)
        except UnicodeDecodeError:
            raise CodebookFormatError("cannot decode the file (not UTF-8 or Windows-1252)", where=source) from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise CodebookFormatError("the codebook file is empty", where=f"{source}:row 1")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text.splitlines()[0]))
    try:
        rows = list(reader)
    except csv.Error as exc:
        raise CodebookFormatError(f"malformed CSV: {exc}", where=f"{source}:row {reader.line_num}") from None
    header = [_ALIASES.get(h.strip().casefold(), "") for h in rows[0]]
    if "path" not in header and "name" not in header:
        raise CodebookFormatError(
            "no code column: expected 'path' (Theme > Code) or Taguette's 'tag' (or 'name')",
            where=f"{source}:row 1",
        )
    columns = {h: i for i, h in reversed(list(enumerate(header))) if h}
    by_path = "path" in columns
    book = Codebook(name=Path(path).stem)
    explicit: dict[str, str] = {}  # folded path -> where first defined
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        where = f"{source}:row {number}"

        def cell(name: str, row: list[str] = row) -> str:
            i = columns.get(name)
            return restore_formula(row[i].strip()) if i is not None and i < len(row) else ""

        if by_path:
            raw = cell("path")
            if not raw:
                raise CodebookFormatError("code has no path", where=where)
            parts = [check_name(p, where) for p in split_path(raw)]
            if not parts:
                raise CodebookFormatError(f"code path {raw!r} has no names", where=where)
        else:
            parts = [check_name(cell("name"), where)]
        key = PATH_SEP.join(parts).casefold()
        if key in explicit:
            raise CodebookFormatError(
                f"code {PATH_SEP.join(parts)!r} appears twice (first at {explicit[key]})", where=where
            )
        explicit[key] = where
        node = _place(book, parts, where)
        node.where = where
        node.fields_set = frozenset(c for c in columns if c not in ("path", "name"))
        node.description = cell("description")
        node.include = cell("include")
        node.exclude = cell("exclude")
        if "examples" in columns:
            node.examples = [e.strip() for e in cell("examples").splitlines() if e.strip()]
        if "keywords" in columns:
            node.keywords = [k.strip() for k in cell("keywords").split(";") if k.strip()]
        node.colour = check_colour(cell("colour"), where)
        node.key = check_key(cell("key"), where)
    check_tree(book)
    return book


def _place(book: Codebook, parts: list[str], where: str) -> CodebookNode:
    """The node at ``parts``, creating implied parents (which set no fields)."""
    level = book.nodes
    node: CodebookNode | None = None
    for part in parts:
        node = next((n for n in level if n.name.casefold() == part.casefold()), None)
        if node is None:
            node = CodebookNode(name=part, where=where, fields_set=frozenset())
            level.append(node)
        level = node.children
    assert node is not None
    return node


def dump_csv(codebook: Codebook) -> str:
    """CSV text with one row per code (parents included), in tree order."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(WRITE_COLUMNS)
    for path, node in codebook.walk():
        for kw in node.keywords:
            if ";" in kw:
                raise CodebookFormatError(
                    f"keyword {kw!r} of {path!r} contains ';', which CSV uses to separate keywords"
                )
        cells = [
            path,
            node.description,
            node.include,
            node.exclude,
            "\n".join(e.replace("\n", " ") for e in node.examples),
            "; ".join(node.keywords),
            node.colour or "",
            node.key or "",
        ]
        # A spreadsheet runs '=…' cells: neutralised here, restored by read_csv.
        writer.writerow([neutralise_formula(c) for c in cells])
    return out.getvalue()


def write_csv(codebook: Codebook, path: str | Path) -> None:
    """Write a codebook as CSV, UTF-8 with a BOM so Excel reads accents right."""
    write_text_atomic(path, dump_csv(codebook), encoding="utf-8-sig", newline="")
