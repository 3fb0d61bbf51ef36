"""One set of size caps for every zip and XML reader (REFI-QDA, codebooks, Office files).

Why shared: ``refi import`` refused a 1.1 GiB ``project.qde`` that
``codebook load`` of the same ``.qdpx`` read whole (2.25 GB of memory). Every
reader of untrusted archives now asks this module: the same entry count,
per-entry and total caps, and the same zip-bomb ratio, never trusting the
sizes the archive declares (reads stop at the cap).
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from qualcode.errors import QualcodeError

#: The most entries an archive may list (NVivo projects hold thousands of sources, not millions).
MAX_ENTRIES = 100_000
#: The most entries a REFI-QDA project (``.qdpx``) may list. qualcode's own export writes a few entries
#: for a consultation (short texts inline) but one per document with ``--sources files``, and reads that
#: back up to this many. The zip's directory costs about 0.5 KB per entry, so this bounds a hostile
#: archive's directory at about 2.5 GB.
MAX_PROJECT_ENTRIES = 5_000_000
#: The largest XML document read whole: a ``.qdc`` codebook, the codebook of a ``.qdpx``.
MAX_XML_BYTES = 256 << 20
#: The largest ``project.qde`` read. It is parsed as a stream (memory does not grow with it), so the cap
#: only bounds the time a hostile file can take; 10^6 survey answers with two codings each are about 1.5 GB.
MAX_QDE_BYTES = 64 << 30
#: The largest single source file read from a project archive.
MAX_SOURCE_BYTES = 512 << 20
#: The most an Office file (docx, xlsx) may expand to, all parts together.
MAX_OFFICE_BYTES = 200 << 20
#: An entry this many times smaller than its content is a zip bomb (above :data:`RATIO_FLOOR`).
MAX_RATIO = 200
RATIO_FLOOR = 10 << 20


def check_entries(
    infos: list[zipfile.ZipInfo],
    where: str,
    error: type[QualcodeError],
    total_limit: int | None = None,
    max_entries: int = MAX_ENTRIES,
) -> None:
    """Refuse an archive with too many entries, too much in all, or a bomb-like entry."""
    if len(infos) > max_entries:
        raise error(f"the archive lists {len(infos)} entries (more than {max_entries})", where=where)
    total = 0
    for info in infos:
        total += info.file_size
        if total_limit is not None and total > total_limit:
            raise error(f"the archive expands to more than {total_limit >> 20} MiB (zip bomb?)", where=where)
        if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise error(
                f"{info.filename} expands more than {MAX_RATIO} times: refused as a possible zip bomb", where=where
            )


def read_entry(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str, error: type[QualcodeError]
) -> bytes:
    """One entry's bytes, refusing more than ``limit`` (whatever the zip declares), a
    bomb-like ratio, or a corrupt stream (a broken deflate stream is an error, not a traceback)."""
    import zlib

    if info.file_size > limit:
        raise error(f"entry is {info.file_size} bytes, more than the {limit} allowed", where=where)
    if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
        raise error(f"entry expands more than {MAX_RATIO} times: refused as a possible zip bomb", where=where)
    try:
        with archive.open(info) as handle:
            data = handle.read(limit + 1)
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as exc:
        raise error(f"cannot read entry (damaged archive): {exc}", where=where) from None
    if len(data) > limit:  # the declared size lied
        raise error(f"entry holds more than the {limit} bytes allowed", where=where)
    return data


class CappedStream:
    """A zip entry read as a stream, refusing more than ``limit`` bytes or a zip-bomb ratio as it goes.

    Why: a streamed ``project.qde`` is never read whole, so the cap and the
    ratio are checked on the bytes actually produced, whatever the zip
    declares. A damaged deflate stream raises ``error`` too.
    """

    def __init__(
        self, archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int, where: str, error: type[QualcodeError]
    ) -> None:
        if info.file_size > limit:
            raise error(f"entry is {info.file_size} bytes, more than the {limit} allowed", where=where)
        self.info, self.limit, self.where, self.error = info, limit, where, error
        self.read_bytes = 0
        self._handle = archive.open(info)

    def read(self, size: int = -1) -> bytes:
        import zlib

        want = 1 << 20 if size is None or size < 0 else size
        try:
            data = self._handle.read(want)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError) as e:
            raise self.error(f"cannot read entry (damaged archive): {e}", where=self.where) from None
        self.read_bytes += len(data)
        if self.read_bytes > self.limit:
            raise self.error(f"entry holds more than the {self.limit} bytes allowed", where=self.where)
        if self.read_bytes > RATIO_FLOOR and self.read_bytes > MAX_RATIO * max(self.info.compress_size, 1):
            raise self.error(
                f"entry expands more than {MAX_RATIO} times: refused as a possible zip bomb", where=self.where
            )
        return data

    def close(self) -> None:
        self._handle.close()

    def __enter__(self) -> "CappedStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def check_file_size(path: Path, limit: int, error: type[QualcodeError]) -> None:
    """Refuse a plain file (e.g. a ``.qdc``) larger than ``limit`` before reading it."""
    try:
        size = path.stat().st_size
    except OSError:
        return
    if size > limit:
        raise error(f"the file is {size >> 20} MiB, more than the {limit >> 20} MiB allowed", where=str(path))
