"""Writing a long table row by row (CSV, JSON): the same bytes as :mod:`qualcode.export.tables`, in constant memory.

Why: the codings table has one row per counted coding (10^6 and more on a
consultation). Built as a DataFrame and then written it costs gigabytes;
streamed from batches of rows only one batch is held. Cells go through the
same neutralising as :func:`~qualcode.export.tables.write_csv` and the
records are indented as :func:`~qualcode.export.tables.write_json` indents
a list, so a streamed file equals the one written from the whole table.
Rows hold plain Python values (str, int, None): no pandas scalars, no floats.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from qualcode.export.tables import _DANGER, _open, neutralise

STREAMED = ("csv", "json")


def stream_rows(
    columns: list[str], batches: Iterable[list[dict[str, Any]]], target: str | Path | IO[str], fmt: str
) -> list[Path]:
    """Write ``batches`` of row dicts (keys: ``columns``) as ``fmt`` (csv or json); the files written."""
    with _open(target) as out:
        if fmt == "csv":
            _csv(columns, batches, out)
        elif fmt == "json":
            _json(columns, batches, out)
        else:  # pragma: no cover - callers check STREAMED
            raise ValueError(f"cannot stream {fmt}")
    return [] if not isinstance(target, (str, Path)) or str(target) == "-" else [Path(target)]


def _csv(columns: list[str], batches: Iterable[list[dict[str, Any]]], out: IO[str]) -> None:
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in columns])

    def cell(v: Any) -> Any:  # write_csv's cell, with the common types first (millions of calls)
        if v is None:
            return ""
        if type(v) is str:
            return "'" + v if v.startswith(_DANGER) else v
        return v if type(v) is int else neutralise(str(v) if isinstance(v, (list, dict)) else v)

    for rows in batches:
        writer.writerows([cell(row[c]) for c in columns] for row in rows)


def _json(columns: list[str], batches: Iterable[list[dict[str, Any]]], out: IO[str]) -> None:
    first = True
    for rows in batches:
        for row in rows:
            record = {c: row[c] for c in columns}
            text = json.dumps(record, ensure_ascii=False, indent=2, default=str)
            out.write(("[\n" if first else ",\n") + "\n".join("  " + line for line in text.split("\n")))
            first = False
    out.write("[]\n" if first else "\n]\n")


__all__ = ["STREAMED", "stream_rows"]
