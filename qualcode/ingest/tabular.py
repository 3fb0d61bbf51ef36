"""Reading CSV and XLSX sheets into header + rows, with row numbers.

Why our own thin reader instead of pandas: errors must name the file and
the row, encodings are detected the same way as for text files, and import
must not pay pandas' start-up cost. The delimiter (``,`` ``;`` tab ``|``) is
sniffed, since survey tools in Europe write ``;``.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.decode import check_xml_parts, decode, open_zip

DELIMITERS = ",;\t|"


@dataclass
class Table:
    """A sheet: column names and ``(row_number, {column: value})`` records."""

    columns: list[str]
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)
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


def read_table(path: Path, data: bytes, encoding: str | None = None) -> Table:
    """Read a ``.csv``/``.tsv``/``.txt`` table or the first sheet of an ``.xlsx``."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data)
    return _read_csv(path, data, encoding)


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


def _read_csv(path: Path, data: bytes, encoding: str | None) -> Table:
    text, used = decode(data, path, encoding)
    delimiter = sniff_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise ImportFormatError(f"cannot read the header row: {exc}", where=f"{path}:1") from None
    columns = _headers(header)
    table = Table(columns, encoding=used)
    last_line = reader.line_num
    try:
        for raw in reader:
            number = last_line + 1
            last_line = reader.line_num
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) > len(columns) and any(c.strip() for c in raw[len(columns) :]):
                raise ImportFormatError(
                    f"row has {len(raw)} fields but the header has {len(columns)}", where=f"{path}:{number}"
                )
            raw = raw + [""] * (len(columns) - len(raw))
            table.rows.append((number, dict(zip(columns, raw))))
    except csv.Error as exc:
        raise ImportFormatError(f"malformed CSV: {exc}", where=f"{path}:{last_line + 1}") from None
    return table


def _read_xlsx(path: Path, data: bytes) -> Table:
    archive = open_zip(data, path, "xlsx")
    check_xml_parts(archive, path, "xlsx")
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for broken files
        raise ImportFormatError(f"broken xlsx file: {exc}", where=str(path)) from None
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise ImportFormatError("the sheet is empty", where=str(path))
        columns = _headers(["" if v is None else str(v) for v in header])
        table = Table(columns, encoding=None)
        for number, values in enumerate(rows, start=2):
            cells = ["" if v is None else _cell(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            cells = cells[: len(columns)] + [""] * (len(columns) - len(cells))
            table.rows.append((number, dict(zip(columns, cells))))
        return table
    finally:
        book.close()


def _cell(value: object) -> str:
    """Excel numbers that are whole (respondent ids) without ``.0``."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
