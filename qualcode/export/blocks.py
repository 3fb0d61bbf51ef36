"""The block model every report is built from (Markdown, HTML and DOCX alike).

Builders produce a :class:`Report`; renderers only lay it out. This module
imports no renderer, so renderers and the dispatch in :mod:`report` sit above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

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
