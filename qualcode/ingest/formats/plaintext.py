"""Plain-text and Markdown transcripts.

The stored text is the file's text (BOM removed, newlines normalised), so
offsets line up with what the researcher sees in their editor.
"""

from __future__ import annotations

from pathlib import Path

from qualcode.ingest.build import RawDoc, RawFile, text_turns
from qualcode.ingest.decode import decode
from qualcode.ingest.options import ImportOptions
from qualcode.ingest.registry import register


@register(".txt", ".md", ".markdown", ".text")
def parse_text(path: Path, data: bytes, options: ImportOptions) -> RawFile:
    """One document; speaker turns if it is a transcript, else paragraphs."""
    text, encoding = decode(data, path, options.encoding)
    return RawFile([RawDoc(path.stem, text, text_turns(text))], encoding=encoding)
