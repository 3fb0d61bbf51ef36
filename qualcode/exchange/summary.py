"""What an export or an import did: counts and warnings, with a stable ``--json`` shape."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class ExchangeSummary:
    """The result of :func:`~qualcode.exchange.export_qdpx` or :func:`~qualcode.exchange.import_qdpx`.

    For an export the counts are what the file holds; for an import they are
    what was *added* to the project (a document, code, coding or memo already
    there is not counted again, so importing the same file twice adds 0 the
    second time). ``participants`` counts cases written, or participants
    created or updated from cases. ``warnings`` says what was left out and why.
    """

    file: str
    documents: int = 0
    codes: int = 0
    codings: int = 0
    memos: int = 0
    participants: int = 0
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The stable ``--json`` shape."""
        return {
            "file": self.file,
            "documents": self.documents,
            "codes": self.codes,
            "codings": self.codings,
            "memos": self.memos,
            "participants": self.participants,
            "warnings": list(self.warnings),
        }
