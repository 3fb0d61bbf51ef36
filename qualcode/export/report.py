"""Reports as Markdown, HTML or DOCX from one simple block model.

Why one model and three renderers: the evidence report (summary, overview
table, counts, quotes with attribution, charts) must read the same in a Word
file for a policy team, an HTML page and a Markdown file in a repository.
Builders produce a :class:`Report`; renderers (:mod:`report_html`,
:mod:`report_docx` and :func:`render_markdown` here) only lay it out. All
HTML text is escaped (quotes are participants' words, not markup).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING

from qualcode.export.tables import markdown_table

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 1
    anchor: str = ""  # HTML id; contents lists link to it


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str
    style: str = ""  # "" or "note" (small, grey: how to read the numbers)


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[str, ...]
    links: tuple[str, ...] = ()  # an anchor per item (HTML and Markdown links), or none


@dataclass(frozen=True, slots=True)
class Table:
    """A plain DataFrame, headers as they are (exports of any analysis table)."""

    frame: "pd.DataFrame"


@dataclass(frozen=True, slots=True)
class Column:
    """A column of a :class:`Grid`: its header, alignment and width in inches (DOCX)."""

    header: str
    align: str = "right"  # "left" or "right"
    width: float = 0.8
    bar: bool = False  # HTML: shade the cell as a bar of its percentage


@dataclass(frozen=True, slots=True)
class GridRow:
    cells: tuple[str, ...]  # formatted text, one per column
    level: int = 0  # indent of the first cell (code depth)
    strong: bool = False  # bold row (a theme, an item's overall row)
    link: str = ""  # anchor the first cell links to (HTML)
    bars: tuple[float | None, ...] = ()  # per cell, the percentage a bar cell shows


@dataclass(frozen=True, slots=True)
class Grid:
    """A formatted table for people: friendly headers, rounded numbers, indented first column."""

    columns: tuple[Column, ...]
    rows: tuple[GridRow, ...]
    caption: str = ""


@dataclass(frozen=True, slots=True)
class QuoteBlock:
    text: str
    source: str
    data: tuple[tuple[str, str], ...] = ()  # machine details kept out of sight (HTML data-* attributes)


@dataclass(frozen=True, slots=True)
class Image:
    path: Path
    caption: str = ""


Block = Heading | Paragraph | Bullets | Table | Grid | QuoteBlock | Image


@dataclass(frozen=True, slots=True)
class Chart:
    """A figure drawn when the report is written to a file, put before block ``position``."""

    name: str
    draw: Callable[[Path], Path | None]
    position: int
    caption: str = ""


@dataclass(slots=True)
class Report:
    """A title, notes, and blocks in reading order; charts to write beside it."""

    title: str
    notes: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)


def table_report(tables: dict[str, "pd.DataFrame"], *, title: str = "", notes: list[str] | None = None) -> Report:
    """Plain tables, one heading each."""
    report = Report(title or "qualcode export", list(notes or []))
    for name, frame in tables.items():
        if len(tables) > 1:
            report.blocks.append(Heading(name, 2))
        report.blocks.append(Table(frame))
    return report


# -- Markdown --------------------------------------------------------------------

def _md(text: str) -> str:
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


def markdown_grid(grid: Grid) -> str:
    """A :class:`Grid` as a Markdown table: themes bold, sub-codes indented with non-breaking spaces."""
    head = "| " + " | ".join(_md(c.header) for c in grid.columns) + " |"
    rule = "|" + "|".join(" ---: " if c.align == "right" else " --- " for c in grid.columns) + "|"
    lines = [head, rule]
    for row in grid.rows:
        cells = [_md(c) for c in row.cells]
        if cells and row.strong:
            cells[0] = f"**{cells[0]}**"
        if cells and row.level:
            cells[0] = "\u00a0\u00a0\u00a0" * row.level + cells[0]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def render_markdown(report: Report) -> str:
    out = [f"# {report.title}", ""]
    out += [f"- {n}" for n in report.notes] + ([""] if report.notes else [])
    for block in report.blocks:
        if isinstance(block, Heading):
            out += ["#" * min(block.level + 1, 6) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += [f"*{block.text}*" if block.style == "note" else block.text, ""]
        elif isinstance(block, Bullets):
            links = block.links or ("",) * len(block.items)
            out += [f"- [{t}](#{a})" if a else f"- {t}" for t, a in zip(block.items, links)] + [""]
        elif isinstance(block, Table):
            out += [markdown_table(block.frame), ""]
        elif isinstance(block, Grid):
            out += [markdown_grid(block), ""] + ([f"*{block.caption}*", ""] if block.caption else [])
        elif isinstance(block, QuoteBlock):
            out += ["> " + block.text.replace("\n", " "), ">", f"> — {block.source}", ""]
        elif isinstance(block, Image):
            out += [f"![{block.caption}]({block.path.name})", ""]
    return "\n".join(out)


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
        from qualcode.export.report_docx import render_docx

        assert path is not None
        render_docx(report, path)
        return [path, *written]
    if fmt == "md":
        text = render_markdown(report)
    else:
        from qualcode.export.report_html import render_html

        text = render_html(report)
    if path is not None:
        path.write_text(text, encoding="utf-8")
        return [path, *written]
    out = target if not isinstance(target, (str, Path)) else None
    if out is None:
        import sys

        out = sys.stdout
    out.write(text if text.endswith("\n") else text + "\n")
    return written


def to_string(report: Report, fmt: str) -> str:
    buffer = io.StringIO()
    write_report(report, buffer, fmt)
    return buffer.getvalue()
