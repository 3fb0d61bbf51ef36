"""Word ``.docx`` files, read with python-docx.

Why the extra checks: a ``.docx`` is a zip of XML parts, so a hostile one can
be a zip bomb or declare XML entities. The archive is checked for size and
every XML part parsed with defusedxml before python-docx opens it.
"""

from __future__ import annotations

import io
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.build import RawDoc, RawFile, text_turns
from qualcode.ingest.decode import check_xml_parts, normalise_newlines, open_zip
from qualcode.ingest.options import ImportOptions
from qualcode.ingest.registry import register


@register(".docx")
def parse_docx(path: Path, data: bytes, options: ImportOptions) -> RawFile:
    """Paragraphs (and table rows) in body order, separated by blank lines.

    A two-cell table row ``Speaker | text`` becomes ``Speaker: text`` so
    transcripts laid out as tables parse like typed ones.
    """
    archive = open_zip(data, path, "docx")
    if "word/document.xml" not in archive.namelist():
        raise ImportFormatError("not a Word document (no word/document.xml)", where=str(path))
    check_xml_parts(archive, path, "docx")
    import docx
    from docx.table import Table

    try:
        document = docx.Document(io.BytesIO(data))
        blocks: list[str] = []
        for item in document.iter_inner_content():
            if isinstance(item, Table):
                for row in item.rows:
                    cells = [c.text.strip() for c in row.cells]
                    cells = [c for i, c in enumerate(cells) if c and c not in cells[:i]]
                    if len(cells) == 2 and len(cells[0]) <= 40 and "\n" not in cells[0]:
                        blocks.append(f"{cells[0].rstrip(':')}: {cells[1]}")
                    elif cells:
                        blocks.append("\t".join(cells))
            else:
                para = item.text.strip()
                if para:
                    blocks.append(para)
    except ImportFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - python-docx raises many kinds for broken files
        raise ImportFormatError(f"broken docx file: {exc}", where=str(path)) from None
    text = normalise_newlines("\n\n".join(blocks))
    if not text.strip():
        raise ImportFormatError("the document has no text", where=str(path))
    return RawFile([RawDoc(path.stem, text, text_turns(text))], encoding=None)
