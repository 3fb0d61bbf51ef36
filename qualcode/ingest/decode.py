"""Bytes to text: encoding detection, newline normalisation, sanity checks.

Why by hand rather than a charset guesser: interview files come from a few
sources only (Word, Excel, transcription services, survey tools). A BOM
settles UTF-8/UTF-16; otherwise strict UTF-8 is almost never wrong when it
succeeds, and Windows-1252 then Latin-1 cover the rest (Latin-1 never
fails, so nothing is ever undecodable, only reported).
"""

from __future__ import annotations

import codecs
import io
import zipfile
from pathlib import Path

from qualcode.errors import ImportFormatError
from qualcode.limits import MAX_ENTRIES, MAX_OFFICE_BYTES, RATIO_FLOOR
from qualcode.limits import MAX_RATIO as _SHARED_RATIO

BOMS: tuple[tuple[bytes, str, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig", "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16", "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "utf-16"),
)
# The shared caps of qualcode.limits (kept under these names for callers).
MAX_UNZIPPED = MAX_OFFICE_BYTES  # a docx/xlsx expanding beyond this is refused
MAX_RATIO = _SHARED_RATIO  # compression ratio above which a member counts as a zip bomb


def normalise_newlines(text: str) -> str:
    """CRLF and lone CR to LF, and a leading BOM removed, before any offset."""
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str]:
    """Decode a text file and normalise newlines.

    Returns:
        The text and the name of the encoding used.

    Raises:
        ImportFormatError: the file is empty, looks binary, or cannot be
            decoded with a forced ``encoding``.
    """
    if not data.strip():
        raise ImportFormatError("the file is empty", where=str(path))
    if encoding:
        try:
            return normalise_newlines(data.decode(encoding)), encoding
        except (UnicodeDecodeError, LookupError) as exc:
            raise ImportFormatError(f"cannot decode as {encoding}: {exc}", where=str(path)) from None
    for bom, codec, name in BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise ImportFormatError(f"invalid {name} text: {exc.reason}", where=str(path)) from None
            return check_text(normalise_newlines(text), path), name
    if b"\x00" in data[:8192]:
        raise ImportFormatError("looks like a binary file, not text", where=str(path))
    for codec in ("utf-8", "cp1252"):
        try:
            return check_text(normalise_newlines(data.decode(codec)), path), codec
        except UnicodeDecodeError:
            continue
    return check_text(normalise_newlines(data.decode("latin-1")), path), "latin-1"


def check_text(text: str, path: Path) -> str:
    """Refuse text that is mostly control characters (a binary file); looks at the first 8,192 characters."""
    sample = text[:8192]
    if not sample.strip():
        raise ImportFormatError("the file is empty", where=str(path))
    controls = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\n\t\f\v")
    if controls > max(8, len(sample) // 20):
        raise ImportFormatError("looks like a binary file, not text", where=str(path))
    return text


def open_zip(data: bytes, path: Path, what: str) -> zipfile.ZipFile:
    """Open an Office file (a zip) after checking it is not a zip bomb.

    Raises:
        ImportFormatError: not a zip, or it would expand too far.
    """
    if not data:
        raise ImportFormatError("the file is empty", where=str(path))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise ImportFormatError(f"not a valid {what} file (not a zip archive)", where=str(path)) from None
    if len(infos) > MAX_ENTRIES:
        raise ImportFormatError(f"the {what} file lists {len(infos)} parts (more than {MAX_ENTRIES})", where=str(path))
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if total > MAX_UNZIPPED or (info.file_size > RATIO_FLOOR and ratio > MAX_RATIO):
            raise ImportFormatError(
                f"refusing a {what} file that expands to more than it should (zip bomb?)", where=str(path)
            )
    return archive


def check_xml_parts(archive: zipfile.ZipFile, path: Path, what: str) -> None:
    """Parse every XML part with defusedxml to refuse entity attacks early.

    Why: python-docx and openpyxl use lxml; DTDs and entity declarations
    have no place in an Office file, so any part declaring them is refused
    before those libraries see it.
    """
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException

    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        try:
            safe_et.fromstring(archive.read(info), forbid_dtd=True)
        except DefusedXmlException:
            raise ImportFormatError(
                f"refusing a {what} file whose XML declares a DTD or entities ({info.filename})", where=str(path)
            ) from None
        except Exception as exc:  # noqa: BLE001 - any parse failure means a broken file
            raise ImportFormatError(
                f"broken {what} file: bad XML in {info.filename} ({exc})", where=str(path)
            ) from None
