"""Reports as Markdown, HTML or DOCX from one simple block model.

Why one model and three renderers: the evidence report (headings, counts,
quotes with attribution, charts) must read the same in a Word file for a
policy team, an HTML page and a Markdown file in a repository. Builders
produce a :class:`Report`; renderers only lay it out. All HTML text is
escaped (quotes are participants' words, not markup).
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qualcode.export.tables import display, markdown_table, rows_of

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    level: int = 1


@dataclass(frozen=True, slots=True)
class Paragraph:
    text: str


@dataclass(frozen=True, slots=True)
class Table:
    frame: "pd.DataFrame"


@dataclass(frozen=True, slots=True)
class QuoteBlock:
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Image:
    path: Path
    caption: str = ""


Block = Heading | Paragraph | Table | QuoteBlock | Image


@dataclass(slots=True)
class Report:
    """A title, notes, and blocks in reading order; charts to write beside it."""

    title: str
    notes: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)
    # (name, draw(path) -> Path | None, index of the block to put the image before)
    charts: list[tuple[str, Any, int]] = field(default_factory=list)


def table_report(tables: dict[str, "pd.DataFrame"], *, title: str = "", notes: list[str] | None = None) -> Report:
    """Plain tables, one heading each."""
    report = Report(title or "qualcode export", list(notes or []))
    for name, frame in tables.items():
        if len(tables) > 1:
            report.blocks.append(Heading(name, 2))
        report.blocks.append(Table(frame))
    return report


# -- renderers -------------------------------------------------------------------

def render_markdown(report: Report) -> str:
    out = [f"# {report.title}", ""]
    out += [f"- {n}" for n in report.notes] + ([""] if report.notes else [])
    for block in report.blocks:
        if isinstance(block, Heading):
            out += ["#" * (block.level + 1) + " " + block.text, ""]
        elif isinstance(block, Paragraph):
            out += [block.text, ""]
        elif isinstance(block, Table):
            out += [markdown_table(block.frame), ""]
        elif isinstance(block, QuoteBlock):
            out += ["> " + block.text.replace("\n", " "), ">", f"> — {block.source}", ""]
        elif isinstance(block, Image):
            out += [f"![{block.caption}]({block.path.name})", ""]
    return "\n".join(out)


def _html_table(frame: "pd.DataFrame") -> str:
    header, rows = rows_of(frame)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(display(v, h))}</td>" for v, h in zip(row, header)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


_CSS = (
    "body{font-family:sans-serif;max-width:60em;margin:2em auto;line-height:1.4}"
    "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:left}"
    "th{background:#f0f0f0}blockquote{border-left:4px solid #888;margin:1em 0;padding:.2em 1em;color:#333}"
    ".source{font-size:.9em;color:#555}img{max-width:100%}"
)


def render_html(report: Report) -> str:
    parts = [f"<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{html.escape(report.title)}"
             f"</title><style>{_CSS}</style></head><body>", f"<h1>{html.escape(report.title)}</h1>"]
    if report.notes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes) + "</ul>")
    for block in report.blocks:
        if isinstance(block, Heading):
            level = min(block.level + 1, 6)
            parts.append(f"<h{level}>{html.escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            parts.append(f"<p>{html.escape(block.text)}</p>")
        elif isinstance(block, Table):
            parts.append(_html_table(block.frame))
        elif isinstance(block, QuoteBlock):
            parts.append(f"<blockquote><p>{html.escape(block.text)}</p>"
                         f"<p class=\"source\">— {html.escape(block.source)}</p></blockquote>")
        elif isinstance(block, Image):
            data = base64.b64encode(block.path.read_bytes()).decode("ascii")
            parts.append(f"<figure><img src=\"data:image/png;base64,{data}\" alt=\"{html.escape(block.caption)}\">"
                         f"<figcaption>{html.escape(block.caption)}</figcaption></figure>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _docx_text(value: Any) -> str:
    """python-docx refuses control characters; drop them."""
    return "".join(ch for ch in str(value) if ch in "\t\n" or ord(ch) >= 32)


def render_docx(report: Report, path: Path) -> None:
    from docx import Document
    from docx.shared import Inches

    doc = Document()
    doc.add_heading(_docx_text(report.title), 0)
    for note in report.notes:
        doc.add_paragraph(_docx_text(note), style="List Bullet")
    for block in report.blocks:
        if isinstance(block, Heading):
            doc.add_heading(_docx_text(block.text), min(block.level, 9))
        elif isinstance(block, Paragraph):
            doc.add_paragraph(_docx_text(block.text))
        elif isinstance(block, Table):
            header, rows = rows_of(block.frame)
            table = doc.add_table(rows=1, cols=len(header))
            table.style = "Table Grid"
            for cell, name in zip(table.rows[0].cells, header):
                cell.text = _docx_text(name)
            for row in rows:
                cells = table.add_row().cells
                for cell, value, name in zip(cells, row, header):
                    cell.text = _docx_text(display(value, name))
        elif isinstance(block, QuoteBlock):
            doc.add_paragraph(_docx_text(block.text), style="Intense Quote")
            doc.add_paragraph(_docx_text("— " + block.source))
        elif isinstance(block, Image):
            doc.add_picture(str(block.path), width=Inches(6))
            if block.caption:
                doc.add_paragraph(_docx_text(block.caption))
    doc.save(str(path))


def _draw_charts(report: Report, target: Path | None) -> list[Path]:
    """Draw the report's charts as PNGs beside ``target`` (or nowhere for stdout)."""
    written = []
    if target is None:
        return written
    for name, draw, position in sorted(report.charts, key=lambda c: -c[2]):
        png = target.with_name(f"{target.stem}_{name}.png")
        made = draw(png)
        if made is not None:
            written.append(made)
            report.blocks.insert(position, Image(made, name.replace("_", " ")))
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
    text = render_markdown(report) if fmt == "md" else render_html(report)
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
