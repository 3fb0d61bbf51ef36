"""PDF files: the text layer, read with pypdf.

Why no OCR: a scanned PDF has no text layer; guessing text from images would
silently put errors into the data, so the user is told to OCR it first.
"""

from __future__ import annotations

import io
import logging
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.ingest.build import RawDoc, RawFile, text_turns
from qualcode.ingest.decode import normalise_newlines
from qualcode.ingest.options import ImportOptions
from qualcode.ingest.registry import register


@register(".pdf")
def parse_pdf(path: Path, data: bytes, options: ImportOptions) -> RawFile:
    """Pages' text joined by blank lines; lines stripped of trailing spaces."""
    if not data.strip():
        raise ImportFormatError("the file is empty", where=str(path))
    if b"%PDF-" not in data[:1024]:
        raise ImportFormatError("not a PDF file", where=str(path))
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportFormatError("the PDF is password-protected", where=str(path))
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportFormatError:
        raise
    except Exception as exc:  # noqa: BLE001 - pypdf raises many kinds for broken files
        raise ImportFormatError(f"broken PDF file: {exc}", where=str(path)) from None
    cleaned = ["\n".join(line.rstrip() for line in normalise_newlines(p).split("\n")).strip() for p in pages]
    text = "\n\n".join(p for p in cleaned if p)
    if not text.strip():
        raise ImportFormatError("the PDF has no text layer (a scanned image?); run OCR on it first", where=str(path))
    return RawFile([RawDoc(path.stem, text, text_turns(text))], encoding=None)
