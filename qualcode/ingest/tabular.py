"""Reading CSV and XLSX sheets into header + rows, with row numbers.

Why our own thin reader instead of pandas: errors must name the file and
the row, encodings are detected the same way as for text files, and import
must not pay pandas' start-up cost. The delimiter (``,`` ``;`` tab ``|``) is
sniffed, since survey tools in Europe write ``;``.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.decode import BOMS, check_text, check_xml_parts, decode, normalise_newlines, open_zip

DELIMITERS = ",;\t|"


class Rows:
    """The data rows of a sheet as ``(row_number, {column: value})``, read afresh on each pass.

    Why not a list: a consultation sheet has up to millions of rows; holding
    each as a dict took about 1 KB per answer. Iterating re-reads the file
    (the CSV through an incremental decoder), so a parser may pass over the
    rows more than once in constant memory.
    """

    def __init__(self, source: "Callable[[], Iterator[tuple[int, dict[str, str]]]]") -> None:
        self._source = source

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        return self._source()

    def __bool__(self) -> bool:
        return next(iter(self), None) is not None


@dataclass
class Table:
    """A sheet: column names and ``(row_number, {column: value})`` records (:class:`Rows`, or a list)."""

    columns: list[str]
    rows: "Rows | list[tuple[int, dict[str, str]]]" = field(default_factory=list)
    encoding: str | None = None

    @property
    def _names(self) -> frozenset[str]:
        return frozenset(self.columns)

    def column(self, name: str | None, where: str, *, required: bool = True) -> str | None:
        """The real column called ``name`` (case-insensitive), or an error listing the columns."""
        if name is None:
            return None
        if name in self._names:
            return name
        for col in self.columns:
            if col.strip().casefold() == name.strip().casefold():
                return col
        if required:
            raise ImportFormatError(f"no column {name!r} (columns: {column_list(self.columns)})", where=where)
        return None

    def guess(self, candidates: tuple[str, ...]) -> str | None:
        """The first column whose name is one of ``candidates`` (case-insensitive)."""
        lowered = {c.strip().casefold(): c for c in self.columns}
        for cand in candidates:
            if cand in lowered:
                return lowered[cand]
        return None


def read_table(path: Path, data: bytes | None = None, encoding: str | None = None) -> Table:
    """Read a ``.csv``/``.tsv``/``.txt`` table or the first sheet of an ``.xlsx``.

    Without ``data`` a CSV is streamed from ``path`` (its rows are read on
    each pass over ``Table.rows``); an xlsx is read from ``data`` or the file.
    """
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, path.read_bytes() if data is None else data)
    if data is not None:
        return _read_csv_bytes(path, data, encoding)
    return _read_csv_file(path, encoding)


def _headers(raw: list[str]) -> list[str]:
    """Unique column names (``a``, ``a.2``, ``a.3`` …), in linear time: a set of
    names taken and, per repeated name, the next suffix to try (a list search
    took 93 s for 4,000 columns named ``a``)."""
    names: list[str] = []
    taken: set[str] = set()
    next_suffix: dict[str, int] = {}
    for i, name in enumerate(raw):
        name = (name or "").strip() or f"column_{i + 1}"
        base = name
        if name in taken:
            n = next_suffix.get(base, 2)
            while name in taken:
                name, n = f"{base}.{n}", n + 1
            next_suffix[base] = n
        taken.add(name)
        names.append(name)
    return names


def column_list(columns: list[str], limit: int = 20) -> str:
    """Columns for an error message, shortened when there are very many."""
    shown = ", ".join(columns[:limit])
    return shown + (f", … ({len(columns)} columns)" if len(columns) > limit else "")


def sniff_delimiter(text: str) -> str:
    first = text.split("\n", 1)[0]
    # csv.Sniffer's regexes are super-linear: 32 KB of one fuzzed line took 4.5 s
    # (a 100 KB file over 40 s), so it sees at most 4 KB.
    sample = "\n".join(text.split("\n", 20)[:20])[:4096]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=DELIMITERS).delimiter
    except csv.Error:
        sniffed = ""
    if sniffed and first.count(sniffed) > 0:
        return sniffed
    counts = {d: first.count(d) for d in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv_bytes(path: Path, data: bytes, encoding: str | None) -> Table:
    """A CSV already in memory (decoded at once)."""
    text, used = decode(data, path, encoding)
    return _csv_table(path, lambda: iter(io.StringIO(text, newline="")), used)


def _read_csv_file(path: Path, encoding: str | None) -> Table:
    """A CSV streamed from its file: the encoding is found in one pass over the
    bytes, then each pass over the rows decodes the file incrementally."""
    codec, used = sniff_encoding(path, encoding)

    def lines() -> Iterator[str]:
        with path.open("r", encoding=codec, newline=None) as handle:  # universal newlines = normalise_newlines
            first = handle.readline()
            yield first[1:] if first.startswith("\ufeff") else first
            yield from handle

    return _csv_table(path, lines, used)


_CHUNK = 1 << 20


def sniff_encoding(path: Path, encoding: str | None = None) -> tuple[str, str]:
    """The codec to stream ``path`` with and the encoding name to report, as :func:`decode` would choose.

    Why a pass of its own: :func:`decode` tries strict UTF-8 on the whole
    file before falling back to Windows-1252 and Latin-1; streaming must know
    the answer before the first row. The bytes are decoded chunk by chunk and
    dropped, so memory stays constant.

    Raises:
        ImportFormatError: empty, binary, or not decodable with a forced or BOM-given encoding.
    """
    where = str(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8192)
    except OSError as exc:
        raise ImportFormatError(f"cannot read: {exc.strerror or exc}", where=where) from None
    if not _has_text(path, head):
        raise ImportFormatError("the file is empty", where=where)
    if encoding:
        try:
            _decodes(path, encoding)
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFormatError(f"cannot decode as {encoding}: {exc}", where=where) from None
        return encoding, encoding
    for bom, codec, name in BOMS:
        if head.startswith(bom):
            try:
                _decodes(path, codec)
            except UnicodeDecodeError as exc:
                raise ImportFormatError(f"invalid {name} text: {exc.reason}", where=where) from None
            _check_head(path, codec)
            return codec, name
    if b"\x00" in head:
        raise ImportFormatError("looks like a binary file, not text", where=where)
    for codec in ("utf-8", "cp1252"):
        try:
            _decodes(path, codec)
        except UnicodeDecodeError:
            continue
        _check_head(path, codec)
        return codec, codec
    _check_head(path, "latin-1")
    return "latin-1", "latin-1"


def _has_text(path: Path, head: bytes) -> bool:
    """Whether the file holds anything but whitespace (``data.strip()``, without reading it whole)."""
    if head.strip():
        return True
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            if chunk.strip():
                return True
    return False


def _decodes(path: Path, codec: str) -> None:
    """Decode the whole file with ``codec``, chunk by chunk (raises UnicodeDecodeError/LookupError)."""
    decoder = codecs.getincrementaldecoder(codec)(errors="strict")
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            decoder.decode(chunk)
    decoder.decode(b"", final=True)


def _check_head(path: Path, codec: str) -> None:
    """:func:`decode`'s binary check on the first 8,192 characters."""
    with path.open("r", encoding=codec, newline=None) as handle:
        sample = handle.read(8192)
    check_text(normalise_newlines(sample), path)


def _csv_table(path: Path, open_lines: "Callable[[], Iterator[str]]", used: str) -> Table:
    """Header, delimiter and a re-readable stream of rows over the lines ``open_lines`` gives."""
    lines = open_lines()
    head = list(islice(lines, 20))
    if hasattr(lines, "close"):
        lines.close()  # type: ignore[union-attr]
    delimiter = sniff_delimiter("".join(head))
    reader = csv.reader(iter(head), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFormatError(f"cannot read the header row: {exc}", where=f"{path}:1") from None
    columns = _headers(header)

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        reader = csv.reader(open_lines(), delimiter=delimiter, strict=True)
        try:
            next(reader)
        except (StopIteration, csv.Error) as exc:  # pragma: no cover - read once above
            raise ImportFormatError(f"cannot read the header row: {exc}", where=f"{path}:1") from None
        width = len(columns)
        last_line = reader.line_num
        try:
            for raw in reader:
                number = last_line + 1
                last_line = reader.line_num
                if not any(cell.strip() for cell in raw):
                    continue
                if len(raw) > width and any(c.strip() for c in raw[width:]):
                    raise ImportFormatError(
                        f"row has {len(raw)} fields but the header has {width}", where=f"{path}:{number}"
                    )
                if len(raw) < width:
                    raw = raw + [""] * (width - len(raw))
                yield number, dict(zip(columns, raw))
        except csv.Error as exc:
            raise ImportFormatError(f"malformed CSV: {exc}", where=f"{path}:{last_line + 1}") from None

    return Table(columns, Rows(rows), encoding=used)


def _read_xlsx(path: Path, data: bytes) -> Table:
    """The first sheet, read through openpyxl's read-only mode (rows streamed on each pass)."""
    archive = open_zip(data, path, "xlsx")
    check_xml_parts(archive, path, "xlsx")
    import openpyxl

    def book():  # noqa: ANN202 - openpyxl workbook
        try:
            return openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
            raise ImportFormatError(f"broken xlsx file: {exc}", where=str(path)) from None

    first = book()
    try:
        header = next(first.worksheets[0].iter_rows(values_only=True), None)
    finally:
        first.close()
    if header is None:
        raise ImportFormatError("the sheet is empty", where=str(path))
    columns = _headers(["" if v is None else str(v) for v in header])

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        opened = book()
        try:
            values_rows = opened.worksheets[0].iter_rows(values_only=True)
            next(values_rows, None)
            for number, values in enumerate(values_rows, start=2):
                cells = ["" if v is None else _cell(v) for v in values]
                if not any(c.strip() for c in cells):
                    continue
                cells = cells[: len(columns)] + [""] * (len(columns) - len(cells))
                yield number, dict(zip(columns, cells))
        finally:
            opened.close()

    return Table(columns, Rows(rows), encoding=None)


def _cell(value: object) -> str:
    """Excel numbers that are whole (respondent ids) without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
