"""Error types with stable codes, in the manner of spaCy's ``Errors``.

Why codes: scripts and the issue tracker can refer to ``E104`` long after a
message's wording changes, and users can search for them. Every error a user
can cause derives from :class:`QualcodeError`; the CLI prints its message and
exits 1 instead of showing a traceback.
"""

from __future__ import annotations


class QualcodeError(Exception):
    """Base class for errors the user can fix (bad input, unknown names)."""

    code = "E000"

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(self.__str__())

    def __str__(self) -> str:
        prefix = f"{self.where}: " if self.where else ""
        return f"{prefix}{self.message} [{self.code}]"


class ProjectError(QualcodeError):
    """The project file cannot be opened or is not a qualcode project."""

    code = "E001"


class NotFoundError(QualcodeError):
    """A document, code, coding, memo or run named by the user does not exist."""

    code = "E002"


class AmbiguousNameError(QualcodeError):
    """A code name matches several codes; the user must give its path."""

    code = "E003"


class ValidationError(QualcodeError):
    """A value is out of range or inconsistent (offsets, names, kinds)."""

    code = "E004"


class ImportFormatError(QualcodeError):
    """A source file cannot be imported (binary, empty, undecodable, broken)."""

    code = "E101"


class CodebookFormatError(QualcodeError):
    """A codebook file is malformed; ``where`` names the file and line."""

    code = "E201"


class NothingToUndoError(QualcodeError):
    """Undo or redo was asked for with an empty history."""

    code = "E301"


class DependencyError(QualcodeError):
    """An optional dependency (e.g. BERTopic, a neural model) is unavailable."""

    code = "E401"


class ProjectBusyError(QualcodeError):
    """Another process held the project's write lock for longer than the wait limit."""

    code = "E005"


class StorageError(QualcodeError):
    """The project or an output file cannot be written: read-only, disk full, I/O error."""

    code = "E006"


class InputLimitError(QualcodeError):
    """An input is too large, too deep or malformed beyond what can be read safely."""

    code = "E102"


def as_user_error(exc: BaseException, where: str | None = None) -> QualcodeError | None:
    """The coded error for a failure caused by the input or the machine, or ``None``.

    Why: parsers and the standard library raise their own exceptions for
    hostile or broken input (a corrupt deflate stream, a 200,000-character CSV
    cell, YAML nested 10,000 deep, an id beyond 64 bits) and for the machine's
    state (read-only file, full disk). Each is something the user can act on,
    so every command turns it into one ``Error: … [Ennn]`` line, not a traceback.
    """
    import csv
    import errno
    import sqlite3
    import zipfile
    import zlib

    if isinstance(exc, QualcodeError):
        return exc
    text = str(exc)
    low = text.lower()
    if isinstance(exc, sqlite3.Error):
        if "readonly" in low or "read-only" in low:
            return StorageError("the project is read-only (check the file's permissions)", where=where)
        if "disk is full" in low or "disk full" in low:
            return StorageError("the disk is full; free some space and try again", where=where)
        if "disk i/o" in low:
            return StorageError("disk I/O error while writing the project", where=where)
        if "locked" in low or "busy" in low:
            return ProjectBusyError("the project is locked by another process; try again", where=where)
        if "unable to open" in low:
            return StorageError("cannot open the project file (check the folder's permissions)", where=where)
        return None
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return StorageError("the disk is full; free some space and try again", where=exc.filename or where)
    if isinstance(exc, OSError) and exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return StorageError(f"cannot write: {exc.strerror}", where=exc.filename or where)
    if isinstance(exc, (zlib.error, zipfile.BadZipFile, EOFError)):
        return ImportFormatError(f"corrupt compressed data ({text or type(exc).__name__})", where=where)
    if isinstance(exc, UnicodeError):
        return ImportFormatError(f"not valid text in the expected encoding ({text[:120]})", where=where)
    if isinstance(exc, RecursionError):
        return InputLimitError("the input is nested too deeply to read", where=where)
    if isinstance(exc, csv.Error) and "field limit" in low:
        return InputLimitError(f"a CSV cell is too long ({text})", where=where)
    if isinstance(exc, OverflowError):
        return InputLimitError("a number is too large (ids and offsets must fit in 64 bits)", where=where)
    if isinstance(exc, MemoryError):
        return InputLimitError("the input is too large to read in memory", where=where)
    return None
