"""The DOCX renderer of :class:`~qualcode.export.report.Report` (python-docx).

Why so much formatting code: a policy team pastes tables and quotes from the
Word file straight into its own report, so the file must already look like
one — a plain sans-serif font, tables with fixed column widths (a wide first
column, narrow right-aligned numbers), a header row repeated on each page,
light zebra rows, and a proper quotation style instead of Word's loud
"Intense Quote". Tables too wide for a portrait page get a landscape section.
"""

from __future__ import annotations

import struct
from pathlib import Path
from typing import Any

from qualcode.export.blocks import Bullets, Grid, Heading, Image, Paragraph, QuoteBlock, Report, Table
from qualcode.export.tables import display, rows_of
from qualcode.outputs import atomic_path

FONT = "Arial"  # Word has it; LibreOffice maps it to Liberation Sans (same metrics)
MARGIN_IN = 0.75
CELL_MARGIN_TWIPS = "72"  # 0.05 in each side: narrow numeric columns keep their headers whole
TABLE_PT = 9
HEADER_PT = 8  # header words ("Participants") stay whole in narrow numeric columns
ACCENT = "1F4E79"
ZEBRA = "F2F5F9"
HEADER_FILL = "E8EEF5"
QUOTE_STYLE = "Evidence Quote"
SOURCE_STYLE = "Quote Source"
NOTE_STYLE = "Report Note"


def _text(value: Any) -> str:
    """python-docx refuses control characters; drop them."""
    return "".join(ch for ch in str(value) if ch in "\t\n" or ord(ch) >= 32)


def _el(tag: str, **attrs: str) -> Any:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    element = OxmlElement(tag)
    for key, value in attrs.items():
        element.set(qn(f"w:{key}"), value)
    return element


# Child order of the OOXML elements we add to (Word rejects out-of-order children).
_ORDER = {
    "tblPr": [
        "tblStyle",
        "tblpPr",
        "tblOverlap",
        "bidiVisual",
        "tblStyleRowBandSize",
        "tblStyleColBandSize",
        "tblW",
        "jc",
        "tblCellSpacing",
        "tblInd",
        "tblBorders",
        "shd",
        "tblLayout",
        "tblCellMar",
        "tblLook",
    ],
    "pPr": [
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
        "sectPr",
        "pPrChange",
    ],
}


def _insert(parent: Any, child: Any) -> None:
    """Put ``child`` in ``parent`` where the schema wants it, replacing one of the same tag."""
    from docx.oxml.ns import qn

    local = child.tag.split("}")[-1]
    order = _ORDER[parent.tag.split("}")[-1]]
    for old in parent.findall(qn(f"w:{local}")):
        parent.remove(old)
    later = set(order[order.index(local) + 1 :])
    for i, existing in enumerate(parent):
        if existing.tag.split("}")[-1] in later:
            parent.insert(i, child)
            return
    parent.append(child)


def _set_font(style: Any, name: str) -> None:
    """Set a style's font everywhere Word looks (theme fonts would otherwise win)."""
    from docx.oxml.ns import qn

    style.font.name = name
    rpr = style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = _el("w:rFonts")
        rpr.append(fonts)
    for attr in ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme"):
        fonts.attrib.pop(qn(f"w:{attr}"), None)
    for attr in ("ascii", "hAnsi", "eastAsia", "cs"):
        fonts.set(qn(f"w:{attr}"), name)


def _setup_styles(doc: Any) -> None:
    from docx.enum.style import WD_STYLE_TYPE
    from docx.shared import Inches, Pt, RGBColor

    styles = doc.styles
    normal = styles["Normal"]
    _set_font(normal, FONT)
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(6)
    for name in ("Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        _set_font(styles[name], FONT)
        styles[name].font.color.rgb = RGBColor.from_string(ACCENT if name != "Heading 4" else "404040")
    styles["Title"].font.size = Pt(24)
    quote = styles.add_style(QUOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    quote.base_style = normal
    quote.font.italic, quote.font.bold = True, False
    quote.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    fmt = quote.paragraph_format
    fmt.left_indent, fmt.right_indent = Inches(0.45), Inches(0.3)
    fmt.space_before, fmt.space_after, fmt.keep_with_next = Pt(8), Pt(2), True
    borders = _el("w:pBdr")
    borders.append(_el("w:left", val="single", sz="18", space="10", color="9AA9B8"))
    _insert(quote.element.get_or_add_pPr(), borders)
    source = styles.add_style(SOURCE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    source.base_style = normal
    source.font.size, source.font.color.rgb = Pt(8.5), RGBColor(0x66, 0x66, 0x66)
    source.paragraph_format.left_indent = Inches(0.45)
    source.paragraph_format.space_after = Pt(10)
    note = styles.add_style(NOTE_STYLE, WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = normal
    note.font.size, note.font.color.rgb = Pt(9), RGBColor(0x55, 0x55, 0x55)


def _usable_width(section: Any) -> float:
    return (section.page_width - section.left_margin - section.right_margin) / 914400


def _new_section(doc: Any, landscape: bool) -> None:
    from docx.enum.section import WD_ORIENT, WD_SECTION

    section = doc.add_section(WD_SECTION.NEW_PAGE)
    wide = section.page_width > section.page_height
    if wide != landscape:
        section.page_width, section.page_height = section.page_height, section.page_width
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT


def _table_look(table: Any, widths: list[float]) -> None:
    """Fixed layout, given widths, horizontal rules only, header repeated, rows kept whole."""
    from docx.shared import Inches

    table.autofit = False
    tbl_pr = table._tbl.tblPr
    _insert(tbl_pr, _el("w:tblLayout", type="fixed"))
    borders = _el("w:tblBorders")
    borders.append(_el("w:top", val="single", sz="8", space="0", color=ACCENT))
    borders.append(_el("w:bottom", val="single", sz="8", space="0", color=ACCENT))
    borders.append(_el("w:insideH", val="single", sz="4", space="0", color="D9D9D9"))
    _insert(tbl_pr, borders)
    margins = _el("w:tblCellMar")
    for side in ("left", "right"):
        margins.append(_el(f"w:{side}", w=CELL_MARGIN_TWIPS, type="dxa"))
    _insert(tbl_pr, margins)
    for i, width in enumerate(widths):
        table.columns[i].width = Inches(width)
    for r, row in enumerate(table.rows):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(_el("w:cantSplit", val="true"))
        if r == 0:
            tr_pr.append(_el("w:tblHeader", val="true"))
        for i, cell in enumerate(row.cells):
            cell.width = Inches(widths[i])
            fill = HEADER_FILL if r == 0 else (ZEBRA if r % 2 == 0 else "")
            if fill:
                cell._tc.get_or_add_tcPr().append(_el("w:shd", val="clear", color="auto", fill=fill))


def _fill_cell(
    cell: Any, text: str, *, right: bool, bold: bool = False, indent: float = 0.0, size: float = TABLE_PT
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Inches, Pt

    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.space_before = Pt(0)
    if right:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if indent:
        paragraph.paragraph_format.left_indent = Inches(indent)
    run = paragraph.add_run(_text(text))
    run.font.size = Pt(size)
    run.bold = bold or None


def _grid(doc: Any, grid: Grid) -> None:
    widths = [c.width for c in grid.columns]
    table = doc.add_table(rows=1 + len(grid.rows), cols=len(grid.columns))
    for cell, column in zip(table.rows[0].cells, grid.columns):
        _fill_cell(cell, column.header, right=column.align == "right", bold=True, size=HEADER_PT)
    for row, cells in zip(grid.rows, table.rows[1:]):
        for i, (cell, text, column) in enumerate(zip(cells.cells, row.cells, grid.columns)):
            _fill_cell(
                cell, text, right=column.align == "right", bold=row.strong, indent=0.16 * row.level if i == 0 else 0.0
            )
    _table_look(table, widths)
    if grid.caption:
        doc.add_paragraph(_text(grid.caption), style=NOTE_STYLE)


def _plain_table(doc: Any, frame: Any, usable: float) -> None:
    header, rows = rows_of(frame)
    numeric = [
        bool(rows) and all(isinstance(r[i], (int, float)) or r[i] is None for r in rows) for i in range(len(header))
    ]
    table = doc.add_table(rows=1 + len(rows), cols=len(header))
    for cell, name, num in zip(table.rows[0].cells, header, numeric):
        _fill_cell(cell, name, right=num, bold=True, size=HEADER_PT)
    for values, cells in zip(rows, table.rows[1:]):
        for cell, value, name, num in zip(cells.cells, values, header, numeric):
            _fill_cell(cell, display(value, name), right=num)
    weights = [0.7 if n else 1.6 for n in numeric]
    total = sum(weights) or 1.0
    _table_look(table, [usable * w / total for w in weights])


def _png_size(path: Path) -> tuple[int, int]:
    with open(path, "rb") as fh:
        head = fh.read(24)
    return struct.unpack(">II", head[16:24]) if head[:8] == b"\x89PNG\r\n\x1a\n" else (4, 3)


def _picture(doc: Any, block: Image, usable: float, height: float) -> None:
    from docx.shared import Inches

    w, h = _png_size(block.path)
    width = min(usable, height * w / h if h else usable)
    doc.add_picture(str(block.path), width=Inches(width))
    if block.caption:
        doc.add_paragraph(_text(block.caption), style=NOTE_STYLE)


def _landscape_spans(report: Report, usable: float) -> dict[int, int]:
    """Start → end block index of each Grid too wide for portrait (with its heading and notes)."""
    spans = {}
    for i, block in enumerate(report.blocks):
        if isinstance(block, Grid) and sum(c.width for c in block.columns) > usable + 0.05:
            start = i  # take the table's heading and notes along, so they are not left on the page before
            while start and isinstance(report.blocks[start - 1], Paragraph) and report.blocks[start - 1].style:
                start -= 1
            if start and isinstance(report.blocks[start - 1], Heading):
                start -= 1
            spans[start] = i
    return spans


def render_docx(report: Report, path: Path) -> None:
    from docx import Document
    from docx.shared import Inches

    doc = Document()
    _setup_styles(doc)
    section = doc.sections[0]
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Inches(MARGIN_IN))
    usable = _usable_width(section)
    page_height = (section.page_height - section.top_margin - section.bottom_margin) / 914400
    spans = _landscape_spans(report, usable)
    end_landscape = -1
    if 0 in spans:  # the report opens with a wide table: start landscape rather than leave a page short
        from docx.enum.section import WD_ORIENT

        section.page_width, section.page_height = section.page_height, section.page_width
        section.orientation = WD_ORIENT.LANDSCAPE
        end_landscape = spans.pop(0)
    doc.add_heading(_text(report.title), 0)
    for note in report.notes:
        doc.add_paragraph(_text(note), style="List Bullet")
    for i, block in enumerate(report.blocks):
        if i in spans:
            _new_section(doc, landscape=True)
            end_landscape = spans[i]
        width = _usable_width(doc.sections[-1])
        if isinstance(block, Heading):
            doc.add_heading(_text(block.text), min(block.level, 9))
        elif isinstance(block, Paragraph):
            doc.add_paragraph(_text(block.text), style=NOTE_STYLE if block.style == "note" else None)
        elif isinstance(block, Bullets):
            for item in block.items:
                doc.add_paragraph(_text(item), style="List Bullet")
        elif isinstance(block, Table):
            _plain_table(doc, block.frame, width)
        elif isinstance(block, Grid):
            _grid(doc, block)
        elif isinstance(block, QuoteBlock):
            doc.add_paragraph(_text(block.text), style=QUOTE_STYLE)
            doc.add_paragraph(_text("— " + block.source), style=SOURCE_STYLE)
        elif isinstance(block, Image):
            _picture(doc, block, width, page_height - 0.8)
        if i == end_landscape:
            _new_section(doc, landscape=False)
            end_landscape = -1
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
