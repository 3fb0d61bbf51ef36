"""The HTML renderer of :class:`~qualcode.export.report.Report`.

Why one self-contained page: a policy team forwards the file by email, so the
CSS is inline and charts are embedded as data URIs. Every piece of text is
escaped; quotes carry their offsets as ``data-*`` attributes (for tools)
rather than in the visible attribution (for people).
"""

from __future__ import annotations

import base64
import html

from qualcode.export.blocks import (
    Bullets,
    Grid,
    Heading,
    Image,
    Paragraph,
    QuoteBlock,
    Report,
    Table,
)
from qualcode.export.tables import display, rows_of

_CSS = """
body{font-family:"Segoe UI",Helvetica,Arial,sans-serif;color:#222;max-width:62em;margin:2em auto;padding:0 1em;
 line-height:1.5}
h1{font-size:1.9em;border-bottom:2px solid #1f4e79;padding-bottom:.2em;color:#1f4e79}
h2{color:#1f4e79;margin-top:1.8em}h3{color:#2e5c8a}h4{color:#444}
table{border-collapse:collapse;margin:1em 0;font-size:.92em}
th,td{padding:.3em .6em;border-bottom:1px solid #ddd;vertical-align:top}
th{background:#e8eef5;text-align:left;border-bottom:2px solid #1f4e79}
th.num,td.num{text-align:right;white-space:nowrap}
tbody tr:nth-child(even){background:#f6f8fa}
tr.strong td{font-weight:600}
td.bar{background-repeat:no-repeat;background-size:100% 100%}
td a{color:inherit;text-decoration:none}td a:hover{text-decoration:underline}
caption{caption-side:bottom;text-align:left;color:#666;font-size:.9em;padding-top:.4em}
blockquote{margin:1em 0 1.2em 1.5em;padding:.1em 1em;border-left:4px solid #9aa9b8;color:#444;font-style:italic}
blockquote p{margin:.4em 0}
blockquote footer{font-style:normal;font-size:.88em;color:#666}
p.note{font-size:.9em;color:#555}
figure{margin:1.5em 0}figure img{max-width:100%}figcaption{color:#555;font-size:.9em}
ul.contents{columns:2;column-gap:2em}
"""


def _cell_style(percent: float | None) -> str:
    if percent is None:
        return ""
    width = max(0.0, min(100.0, float(percent)))
    return f' style="background-image:linear-gradient(to right,#cfe0f1 {width:.1f}%,transparent {width:.1f}%)"'


def html_grid(grid: Grid) -> str:
    """A :class:`Grid` as an HTML table: right-aligned numbers, indented codes, bar-shaded % cells."""
    head = "".join(
        f'<th class="{"num" if c.align == "right" else "text"}" scope="col">{html.escape(c.header)}</th>'
        for c in grid.columns
    )
    body = []
    for row in grid.rows:
        cells = []
        for i, (text, column) in enumerate(zip(row.cells, grid.columns)):
            classes = ["num"] if column.align == "right" else []
            bar = row.bars[i] if i < len(row.bars) else None
            style = ""
            if column.bar and bar is not None:
                classes.append("bar")
                style = _cell_style(bar)
            content = html.escape(text)
            if i == 0:
                if row.link:
                    content = f'<a href="#{html.escape(row.link)}">{content}</a>'
                if row.level:
                    style = f' style="padding-left:{0.6 + 1.2 * row.level:.1f}em"'
            cls = f' class="{" ".join(classes)}"' if classes else ""
            cells.append(f"<td{cls}{style}>{content}</td>")
        strong = ' class="strong"' if row.strong else ""
        body.append(f"<tr{strong}>" + "".join(cells) + "</tr>")
    caption = f"<caption>{html.escape(grid.caption)}</caption>" if grid.caption else ""
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def html_table(frame) -> str:  # noqa: ANN001 - a pandas DataFrame, imported lazily
    """A plain DataFrame as an HTML table (headers as they are; numbers right-aligned)."""
    header, rows = rows_of(frame)
    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows) for i in range(len(header))
    ]
    num = ' class="num"'
    head = "".join(f"<th{num if n else ''}>{html.escape(h)}</th>" for h, n in zip(header, numeric))
    body = "".join(
        "<tr>"
        + "".join(f"<td{num if n else ''}>{html.escape(display(v, h))}</td>" for v, h, n in zip(row, header, numeric))
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _quote(block: QuoteBlock) -> str:
    data = "".join(f' data-{html.escape(k)}="{html.escape(v)}"' for k, v in block.data)
    return (
        f"<blockquote{data}><p>{html.escape(block.text)}</p><footer>— {html.escape(block.source)}</footer></blockquote>"
    )


def render_html(report: Report) -> str:
    title = html.escape(report.title)
    parts = [
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{title}</h1>",
    ]
    if report.notes:
        parts.append("<ul>" + "".join(f"<li>{html.escape(n)}</li>" for n in report.notes) + "</ul>")
    for block in report.blocks:
        if isinstance(block, Heading):
            level = min(block.level + 1, 6)
            anchor = f' id="{html.escape(block.anchor)}"' if block.anchor else ""
            parts.append(f"<h{level}{anchor}>{html.escape(block.text)}</h{level}>")
        elif isinstance(block, Paragraph):
            cls = f' class="{html.escape(block.style)}"' if block.style else ""
            parts.append(f"<p{cls}>{html.escape(block.text)}</p>")
        elif isinstance(block, Bullets):
            links = block.links or ("",) * len(block.items)
            items = "".join(
                f'<li><a href="#{html.escape(a)}">{html.escape(t)}</a></li>' if a else f"<li>{html.escape(t)}</li>"
                for t, a in zip(block.items, links)
            )
            parts.append(f'<ul class="{"contents" if block.links else "plain"}">{items}</ul>')
        elif isinstance(block, Table):
            parts.append(html_table(block.frame))
        elif isinstance(block, Grid):
            parts.append(html_grid(block))
        elif isinstance(block, QuoteBlock):
            parts.append(_quote(block))
        elif isinstance(block, Image):
            data = base64.b64encode(block.path.read_bytes()).decode("ascii")
            caption = html.escape(block.caption)
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{caption}">'
                f"<figcaption>{caption}</figcaption></figure>"
            )
    parts.append("</body></html>")
    return "\n".join(parts)
