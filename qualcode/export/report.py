"""Reports as Markdown, HTML or DOCX from one simple block model.

Why one model and three renderers: the evidence report (summary, overview
table, counts, quotes with attribution, charts) must read the same in a Word
file for a policy team, an HTML page and a Markdown file in a repository.
Builders produce a :class:`Report`; renderers (:mod:`report_html`,
:mod:`report_docx`, :mod:`report_md`) only lay it out; this module
dispatches a format to its writer (tables and reports alike). All
HTML text is escaped (quotes are participants' words, not markup).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import IO, Any

from qualcode.errors import ValidationError
from qualcode.export.blocks import Image, Report, table_report
from qualcode.export.report_docx import render_docx
from qualcode.export.report_html import render_html
from qualcode.export.report_md import render_markdown
from qualcode.export.tables import as_tables, format_for, records_of, write_csv, write_json, write_xlsx
from qualcode.outputs import write_text_atomic

# -- writing ---------------------------------------------------------------------


def _draw_charts(report: Report, target: Path | None) -> list[Path]:
    """Draw the report's charts as PNGs beside ``target`` (or nowhere for stdout)."""
    written: list[Path] = []
    if target is None:
        return written
    for chart in sorted(report.charts, key=lambda c: -c.position):
        png = target.with_name(f"{target.stem}_{chart.name}.png")
        made = chart.draw(png)
        if made is not None:
            written.append(made)
            report.blocks.insert(chart.position, Image(made, chart.caption or chart.name.replace("_", " ")))
    return written[::-1]


def write_report(report: Report, target: str | Path | IO[str], fmt: str) -> list[Path]:
    """Render ``report`` as md, html or docx; charts go beside the file as PNGs.

    Returns the files written (the report and its PNGs).
    """
    to_file = isinstance(target, (str, Path)) and str(target) != "-"
    path = Path(target) if to_file else None  # type: ignore[arg-type]
    written = _draw_charts(report, path)
    if fmt == "docx":
        assert path is not None
        render_docx(report, path)
        return [path, *written]
    if fmt == "md":
        text = render_markdown(report)
    else:
        text = render_html(report)
    if path is not None:
        write_text_atomic(path, text)
        return [path, *written]
    out = target if not isinstance(target, (str, Path)) else None
    if out is None:
        out = sys.stdout
    out.write(text if text.endswith("\n") else text + "\n")
    return written


def to_string(report: Report, fmt: str) -> str:
    buffer = io.StringIO()
    write_report(report, buffer, fmt)
    return buffer.getvalue()


def write_table(
    data: Any,
    target: str | Path | IO[str],
    fmt: str | None = None,
    *,
    title: str = "",
    notes: list[str] | None = None,
) -> list[Path]:
    """Write one table (or named tables) as csv, xlsx, md, json, docx or html.

    CSV with several tables writes ``STEM_NAME.csv`` files beside ``target``.
    Returns the files written (empty for stdout).
    """
    tables = as_tables(data)
    path_like = target if isinstance(target, (str, Path)) else "-"
    fmt = format_for(path_like, fmt) if fmt or isinstance(target, (str, Path)) else "csv"
    if fmt == "csv":
        if len(tables) == 1:
            write_csv(next(iter(tables.values())), target)
            return [] if path_like == "-" else [Path(path_like)]
        if path_like == "-":
            raise ValidationError("several tables cannot go to stdout as CSV; give a file or use xlsx/json")
        base = Path(path_like)
        written = []
        for name, frame in tables.items():
            out = base.with_name(f"{base.stem}_{name}.csv")
            write_csv(frame, out)
            written.append(out)
        return written
    if fmt == "json":
        payload: Any = (
            records_of(next(iter(tables.values())))
            if len(tables) == 1
            else {name: records_of(frame) for name, frame in tables.items()}
        )
        write_json(payload, target)
        return [] if path_like == "-" else [Path(path_like)]
    if fmt == "xlsx":
        write_xlsx(tables, path_like, notes=notes)
        return [Path(path_like)]
    return write_report(table_report(tables, title=title, notes=notes or []), target, fmt)


def to_text(data: Any, fmt: str) -> str:
    """A table rendered to a string (csv, md or json), e.g. for tests and the TUI."""
    buffer = io.StringIO()
    write_table(data, buffer, fmt)
    return buffer.getvalue()
