"""Pick the codebook format from a file's extension (or an explicit name)."""

from __future__ import annotations

import os
from pathlib import Path

from qualcode.codebook.tree import Codebook
from qualcode.errors import CodebookFormatError

#: Extensions read, by format.
READ_EXTENSIONS = {".yaml": "yaml", ".yml": "yaml", ".csv": "csv", ".qdc": "qdc", ".qdpx": "qdc", ".qde": "qdc"}
WRITE_FORMATS = ("yaml", "csv", "qdc")


def load_codebook(path: str | Path) -> Codebook:
    """Read and validate a codebook file (``.yaml``/``.yml``, ``.csv``, ``.qdc``, ``.qdpx``).

    Raises:
        CodebookFormatError: unknown extension, missing file, or a malformed
            file (``where`` names the file and line or row).
    """
    path = Path(path)
    fmt = READ_EXTENSIONS.get(path.suffix.casefold())
    if fmt is None:
        known = ", ".join(sorted(READ_EXTENSIONS))
        raise CodebookFormatError(
            f"unknown codebook format {path.suffix or '(no extension)'!r}; use one of {known}", where=str(path)
        )
    if not path.is_file():
        raise CodebookFormatError("no such file", where=str(path))
    try:
        return _read(path, fmt)
    except RecursionError:
        raise CodebookFormatError("the file is nested too deeply to read", where=str(path)) from None


def _read(path: Path, fmt: str) -> Codebook:
    if fmt == "yaml":
        from qualcode.codebook.yaml_format import read_yaml

        return read_yaml(path)
    if fmt == "csv":
        from qualcode.codebook.csv_format import read_csv

        return read_csv(path)
    from qualcode.codebook.qdc import read_qdc

    return read_qdc(path)


def format_for(path: str | Path, format: str | None = None) -> str:
    """The write format: ``format`` if given, else from the extension."""
    if format:
        fmt = format.casefold()
        if fmt == "yml":
            fmt = "yaml"
        if fmt not in WRITE_FORMATS:
            raise CodebookFormatError(f"unknown format {format!r}; use one of {', '.join(WRITE_FORMATS)}")
        return fmt
    found = READ_EXTENSIONS.get(Path(path).suffix.casefold())
    if found is None or Path(path).suffix.casefold() in (".qdpx", ".qde"):
        raise CodebookFormatError(
            "cannot tell the format from the extension; use .yaml, .csv or .qdc, or pass --format",
            where=str(path),
        )
    return found


def dump_codebook(codebook: Codebook, format: str) -> bytes:
    """The bytes of ``codebook`` in ``format`` (``yaml``, ``csv`` or ``qdc``)."""
    fmt = format_for("", format)
    if fmt == "yaml":
        from qualcode.codebook.yaml_format import dump_yaml

        return dump_yaml(codebook).encode("utf-8")
    if fmt == "csv":
        from qualcode.codebook.csv_format import dump_csv

        return dump_csv(codebook).encode("utf-8-sig")
    from qualcode.codebook.qdc import dump_qdc

    return dump_qdc(codebook)


def write_codebook(codebook: Codebook, path: str | Path, format: str | None = None) -> str:
    """Write ``codebook`` to ``path`` as YAML, CSV or REFI-QDA ``.qdc``; returns the format used.

    The file is written to a temporary name and renamed, so a failure never
    leaves half a codebook behind.
    """
    path = Path(path)
    fmt = format_for(path, format)
    data = dump_codebook(codebook, fmt)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise CodebookFormatError(f"cannot write file: {exc.strerror}", where=str(path)) from None
    return fmt
