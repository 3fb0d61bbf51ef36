"""Format parsers; importing this package registers every one of them."""

from qualcode.ingest.formats import jsonfile, pdf, plaintext, subtitles, tables, word

__all__ = ["jsonfile", "pdf", "plaintext", "subtitles", "tables", "word"]
