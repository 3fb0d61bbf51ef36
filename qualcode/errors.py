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
