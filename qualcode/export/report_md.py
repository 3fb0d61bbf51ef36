"""Reports rendered as Markdown."""

from __future__ import annotations

from qualcode.export.blocks import Bullets, Grid, Heading, Image, Paragraph, QuoteBlock, Report, Table
from qualcode.export.tables import markdown_table


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
