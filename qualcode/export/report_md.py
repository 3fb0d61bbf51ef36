"""Reports rendered as Markdown."""

from __future__ import annotations

from qualcode.export.blocks import Bullets, Grid, Heading, Image, Paragraph, QuoteBlock, Report, Table
from qualcode.export.tables import markdown_table, md_escape


def _md(text: str) -> str:
    return md_escape(text).replace("\\", "\\\\").replace("|", "\\|").replace("\r\n", "<br>").replace("\n", "<br>")


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
    # Every text from the project (quotes, names, memos) is HTML-escaped: a
    # Markdown renderer would otherwise run a participant's "<script>".
    esc = md_escape
    out = [f"# {esc(report.title)}", ""]
    out += [f"- {esc(n)}" for n in report.notes] + ([""] if report.notes else [])
    for block in report.blocks:
        if isinstance(block, Heading):
            out += ["#" * min(block.level + 1, 6) + " " + esc(block.text), ""]
        elif isinstance(block, Paragraph):
            out += [f"*{esc(block.text)}*" if block.style == "note" else esc(block.text), ""]
        elif isinstance(block, Bullets):
            links = block.links or ("",) * len(block.items)
            out += [f"- [{esc(t)}](#{a})" if a else f"- {esc(t)}" for t, a in zip(block.items, links)] + [""]
        elif isinstance(block, Table):
            out += [markdown_table(block.frame), ""]
        elif isinstance(block, Grid):
            out += [markdown_grid(block), ""] + ([f"*{esc(block.caption)}*", ""] if block.caption else [])
        elif isinstance(block, QuoteBlock):
            out += ["> " + esc(block.text).replace("\n", " "), ">", f"> — {esc(block.source)}", ""]
        elif isinstance(block, Image):
            out += [f"![{esc(block.caption)}]({block.path.name})", ""]
    return "\n".join(out)
