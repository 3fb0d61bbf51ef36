"""Reading a ``.qdpx`` archive safely: the zip, its ``project.qde`` and its sources.

Why a module of its own: a ``.qdpx`` comes from another program, often from
another person, so it is untrusted input. Nothing is extracted to disk (so a
``../`` entry name cannot write anywhere); a source entry is read into memory
and ``project.qde`` is read as a stream, each with a hard size cap that does
not trust the sizes the zip declares (a zip bomb stops at the cap or at the
ratio check); internal source names must be flat file names, as
REFI-QDA section 8.3 says; and the XML is parsed with entity expansion, DTD
loading and network access off (defusedxml vets it first). Every failure is an
:class:`~qualcode.errors.ImportFormatError` naming the file (and XML line).
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from qualcode.errors import ImportFormatError
from qualcode.limits import (
    MAX_ENTRIES,
    MAX_PROJECT_ENTRIES,
    MAX_QDE_BYTES,
    MAX_RATIO,
    MAX_SOURCE_BYTES,
    CappedStream,
    check_entries,
    read_entry,
)

__all__ = [
    "MAX_ENTRIES",
    "MAX_PROJECT_ENTRIES",
    "MAX_QDE_BYTES",
    "MAX_RATIO",
    "MAX_SOURCE_BYTES",
    "QdpxArchive",
    "decode_text",
    "parse_xml",
]


class QdpxArchive:
    """An open ``.qdpx`` (zip) file, read-only, entries looked up case-insensitively.

    Use as a context manager. ``where`` is the path shown in error messages.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.where = str(self.path)
        if not self.path.is_file():
            raise ImportFormatError("no such file" if not self.path.exists() else "not a file", where=self.where)
        try:
            self._zip = zipfile.ZipFile(self.path)
        except zipfile.BadZipFile:
            raise ImportFormatError(
                "not a .qdpx archive (not a zip file, or a damaged one)", where=self.where
            ) from None
        except OSError as exc:
            raise ImportFormatError(f"cannot read: {exc.strerror or exc}", where=self.where) from None
        infos = self._zip.infolist()
        try:
            check_entries(infos, self.where, ImportFormatError, max_entries=MAX_PROJECT_ENTRIES)
        except ImportFormatError:
            self._zip.close()
            raise
        self._by_name: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            if not info.is_dir():
                self._by_name.setdefault(info.filename.replace("\\", "/").casefold(), info)

    def __enter__(self) -> "QdpxArchive":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._zip.close()

    def qde_name(self) -> str:
        """The archive name of the project XML: ``project.qde`` at the root, any case.

        Raises:
            ImportFormatError: there is none.
        """
        info = self._by_name.get("project.qde")
        if info is None:
            roots = sorted(n for n in self._by_name if "/" not in n and n.endswith(".qde"))
            if len(roots) != 1:
                raise ImportFormatError("no project.qde inside the .qdpx archive", where=self.where)
            info = self._by_name[roots[0]]
        return info.filename

    def read(self, name: str, limit: int) -> bytes:
        """One entry's bytes, refusing more than ``limit`` bytes or a zip bomb."""
        info = self._by_name.get(name.casefold())
        if info is None:
            raise ImportFormatError(f"{name} is missing from the archive", where=self.where)
        return read_entry(self._zip, info, limit, f"{self.where}/{info.filename}", ImportFormatError)

    def stream(self, name: str, limit: int | None = None) -> CappedStream:
        """One entry as a stream (``project.qde``), refusing more than ``limit`` bytes or a zip-bomb ratio as it is read.

        ``limit`` defaults to :data:`qualcode.limits.MAX_QDE_BYTES`, read when called.
        """
        from qualcode import limits

        info = self._by_name.get(name.casefold())
        if info is None:
            raise ImportFormatError(f"{name} is missing from the archive", where=self.where)
        cap = limits.MAX_QDE_BYTES if limit is None else limit
        try:
            return CappedStream(self._zip, info, cap, f"{self.where}/{info.filename}", ImportFormatError)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
            raise ImportFormatError(f"cannot read entry (damaged archive): {exc}", where=self.where) from None

    def has(self, name: str) -> bool:
        return name.casefold() in self._by_name

    def source_name(self, url: str) -> str | None:
        """The archive entry an ``internal://NAME`` URL points at (``sources/NAME``, any case).

        Returns ``None`` for ``relative://`` and ``absolute://`` (external
        files are never opened: an import reads the archive only).

        Raises:
            ImportFormatError: the internal name is not a flat file name.
        """
        if not url.casefold().startswith("internal://"):
            return None
        name = url[len("internal://") :]
        if not name or "/" in name or "\\" in name or name in (".", "..") or "\x00" in name:
            raise ImportFormatError(f"internal source name {name!r} is not a plain file name", where=self.where)
        return f"sources/{name}"


def parse_xml(data: bytes, where: str) -> Any:
    """Parse untrusted XML: no entities, no DTD, no network.

    Raises:
        ImportFormatError: entity declarations (refused), or a syntax error
            (named with its line).
    """
    import defusedxml.ElementTree as safe_et
    from defusedxml import DefusedXmlException
    from lxml import etree

    try:
        safe_et.fromstring(data)
    except DefusedXmlException as exc:
        raise ImportFormatError(f"unsafe XML refused ({exc.__class__.__name__})", where=where) from None
    except Exception:  # noqa: BLE001 - syntax errors are reported below, with a line number
        pass
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImportFormatError(f"invalid XML: {exc.msg}", where=f"{where}:{exc.lineno or 1}") from None


def decode_text(data: bytes, where: str) -> str:
    """A source's text: UTF-8 as REFI-QDA 9.1.2 requires (a BOM is dropped).

    Offsets count code points from the first character after the BOM.

    Raises:
        ImportFormatError: the bytes are not UTF-8.
    """
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ImportFormatError(f"text is not UTF-8 (byte {exc.start})", where=where) from None
