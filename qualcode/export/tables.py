"""Writing DataFrames as CSV, XLSX, JSON and Markdown.

Why neutralise cells: exported tables carry participants' own words and
attribute values, and a spreadsheet program runs any cell that starts with
``=``, ``+``, ``-`` or ``@`` (or a tab/CR before one) as a formula — CSV/
formula injection. Every such text cell (and header) is prefixed with a
single quote in CSV and XLSX, as OWASP recommends; numbers are untouched.
"""

from __future__ import annotations

import contextlib
import csv
import json
import math
import re
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qualcode.errors import ValidationError
from qualcode.outputs import atomic_path, atomic_text

if TYPE_CHECKING:
    import pandas as pd

FORMATS = ("csv", "xlsx", "md", "json", "docx", "html")
TEXT_FORMATS = ("csv", "md", "json", "html")
_EXT = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".md": "md",
    ".markdown": "md",
    ".json": "json",
    ".docx": "docx",
    ".html": "html",
    ".htm": "html",
}
_DANGER = ("=", "+", "-", "@", "\t", "\r")

Tables = "pd.DataFrame | Mapping[str, pd.DataFrame]"


def format_for(target: str | Path, fmt: str | None) -> str:
    """The output format: ``fmt`` if given, else from the file extension (stdout: csv).

    Raises:
        ValidationError: unknown format or extension, or a binary format to stdout.
    """
    if fmt:
        fmt = fmt.lower().lstrip(".")
        if fmt not in FORMATS:
            raise ValidationError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    elif str(target) == "-":
        fmt = "csv"
    else:
        fmt = _EXT.get(Path(target).suffix.lower())
        if fmt is None:
            raise ValidationError(f"cannot tell the format of {target}; pass --format ({', '.join(FORMATS)})")
    if str(target) == "-" and fmt not in TEXT_FORMATS:
        raise ValidationError(f"{fmt} cannot be written to stdout; give a file with -o")
    return fmt


def neutralise(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a single quote."""
    if isinstance(value, str) and value.startswith(_DANGER):
        return "'" + value
    return value


# Characters an XLSX file cannot hold (openpyxl raises IllegalCharacterError on them).
_XLSX_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def xlsx_cell(value: Any) -> Any:
    """A cell value a workbook can hold: formulas neutralised, control characters replaced by U+FFFD."""
    value = neutralise(value)
    if isinstance(value, str) and _XLSX_ILLEGAL.search(value):
        return _XLSX_ILLEGAL.sub("\ufffd", value)
    return value


def is_missing(value: Any) -> bool:
    """None, NaN or pandas' NA (a scalar check; containers are never missing)."""
    if value is None:
        return True
    import pandas as pd

    try:
        found = pd.isna(value)
    except (TypeError, ValueError):
        return False
    return found is True or (getattr(found, "shape", None) == () and bool(found))


def plain(value: Any) -> Any:
    """A cell as a plain Python value: None for missing, numpy scalars unwrapped."""
    if type(value) is str or type(value) is int:  # the common cells, never missing (millions in a wide matrix)
        return value
    if isinstance(value, (list, tuple, dict, set)):
        return value
    if is_missing(value):
        return None
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and math.isinf(value):
        return None
    return value


def as_tables(data: Any) -> dict[str, "pd.DataFrame"]:
    """One DataFrame or a mapping of named ones, as a dict."""
    if isinstance(data, Mapping):
        return dict(data)
    return {"table": data}


def _with_index(frame: "pd.DataFrame") -> "pd.DataFrame":
    """Move a meaningful (named) index into the first column."""
    if frame.index.name is not None:
        return frame.reset_index()
    return frame


def rows_of(frame: "pd.DataFrame") -> tuple[list[str], list[list[Any]]]:
    """Header and plain-valued rows (index included when it is named)."""
    frame = _with_index(frame)
    header = [str(c) for c in frame.columns]
    # One object array, not itertuples: itertuples takes each column with iloc (and copies the attrs), which
    # for a codes × 10^5 documents matrix is most of the export's time.
    rows = [[plain(v) for v in row] for row in frame.to_numpy(dtype=object).tolist()]
    return header, rows


@contextlib.contextmanager
def _open(target: str | Path | IO[str]) -> Iterator[IO[str]]:
    """stdout for ``-``, the stream as given, or a file written atomically (see :mod:`qualcode.outputs`)."""
    if isinstance(target, (str, Path)):
        if str(target) == "-":
            yield sys.stdout
            return
        with atomic_text(target, newline="") as out:
            yield out
        return
    yield target


def write_csv(frame: "pd.DataFrame", target: str | Path | IO[str]) -> None:
    """CSV (UTF-8, comma, header), formula-looking text neutralised."""
    header, rows = rows_of(frame)
    with _open(target) as out:
        # RFC 4180 line ends: a field holding a bare CR is then quoted, not split.
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([neutralise(h) for h in header])
        for row in rows:
            writer.writerow(
                [neutralise("" if v is None else (str(v) if isinstance(v, (list, dict)) else v)) for v in row]
            )


def records_of(frame: "pd.DataFrame") -> list[dict[str, Any]]:
    """JSON-ready records of a table (index included when it is named)."""
    header, rows = rows_of(frame)
    return [dict(zip(header, row)) for row in rows]


def write_json(data: Any, target: str | Path | IO[str]) -> None:
    """One JSON document (UTF-8, indented)."""
    with _open(target) as out:
        out.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
        out.write("\n")


def _sheet_title(name: str, used: set[str]) -> str:
    clean = "".join("_" if ch in "[]:*?/\\" or ord(ch) < 32 else ch for ch in name).strip("'") or "table"
    title, n = clean[:31], 2
    while title.casefold() in used:
        suffix = f" ({n})"
        title, n = clean[: 31 - len(suffix)] + suffix, n + 1
    used.add(title.casefold())
    return title


def write_xlsx(data: Any, path: str | Path, *, notes: list[str] | None = None) -> None:
    """A workbook with one sheet per table: bold frozen header, fitted column widths.

    Written in openpyxl's write-only mode: each row goes to the file as it is
    appended instead of living as a cell object until the save, which for
    the codings table (one row per counted coding) cost gigabytes.
    """
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    used: set[str] = set()
    for name, frame in as_tables(data).items():
        sheet = book.create_sheet(_sheet_title(name, used))
        header, rows = rows_of(frame)
        for i, col in enumerate(header, 1):
            width = max([len(str(col))] + [len(str(r[i - 1])) if r[i - 1] is not None else 0 for r in rows])
            sheet.column_dimensions[get_column_letter(i)].width = min(max(width + 2, 8), 60)
        sheet.freeze_panes = "A2"
        bold = Font(bold=True)
        top = []
        for h in header:
            cell = WriteOnlyCell(sheet, value=xlsx_cell(h))
            cell.font = bold
            top.append(cell)
        sheet.append(top)
        formats = {
            i: ("0.0" if col.endswith("percent") else "0.000")
            for i, col in enumerate(header)
            if col.endswith("percent") or col == "jaccard"
        }
        for row in rows:
            values = [xlsx_cell(str(v) if isinstance(v, (list, dict, tuple)) else v) for v in row]
            for i, fmt in formats.items():
                cell = WriteOnlyCell(sheet, value=values[i])
                cell.number_format = fmt
                values[i] = cell
            sheet.append(values)
    if notes:
        about = book.create_sheet(_sheet_title("about", used))
        about.column_dimensions["A"].width = min(max(len(n) for n in notes) + 2, 100)
        for note in notes:
            about.append([xlsx_cell(note)])
    try:
        with atomic_path(path) as tmp:
            book.save(str(tmp))
    except BaseException:
        for sheet in book.worksheets:  # a failed save leaves the write-only sheets' row writers open
            with contextlib.suppress(Exception):
                sheet.close()
        raise


def display(value: Any, column: str = "") -> str:
    """A cell as people read it: percentages to 0.1, other fractions to 3 places."""
    if value is None:
        return ""
    if isinstance(value, float):
        if column.endswith("percent"):
            return f"{value:.1f}"
        return str(int(value)) if value.is_integer() else f"{value:.3f}".rstrip("0")
    return str(value)


def md_escape(text: str) -> str:
    """Markdown text with HTML neutralised: ``<script>`` in a quote must not run in a renderer."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_cell(value: Any, column: str = "") -> str:
    """A Markdown table cell: HTML escaped, pipes escaped, line breaks kept as ``<br>``."""
    text = md_escape(display(value, column))
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def markdown_table(frame: "pd.DataFrame") -> str:
    header, rows = rows_of(frame)
    lines = ["| " + " | ".join(md_cell(h) for h in header) + " |", "|" + "|".join(" --- " for _ in header) + "|"]
    lines += ["| " + " | ".join(md_cell(v, h) for v, h in zip(row, header)) + " |" for row in rows]
    return "\n".join(lines)
