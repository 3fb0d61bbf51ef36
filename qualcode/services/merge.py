"""Use case: bring another coder's copy of the study into this project (``qualcode merge``).

Why a service: the CLI and the TUI both merge; this is the one place that
checks the file and returns the :class:`~qualcode.exchange.merge.MergeSummary`
(with its stable ``--json`` shape) and a one-line description of it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError
from qualcode.exchange.merge import MergeSummary, merge_project

if TYPE_CHECKING:
    from qualcode.store import Project

__all__ = ["MergeSummary", "describe", "merge"]


def merge(project: "Project", other: str | Path, *, coder: str | None = None) -> MergeSummary:
    """Merge the project file or ``.qdpx`` at ``other`` into ``project`` (one undoable action).

    Raises:
        NotFoundError: ``other`` does not exist.
        ProjectError, ImportFormatError, ValidationError: see :func:`merge_project`.
    """
    path = Path(other)
    if not path.is_file():
        raise NotFoundError("no such file", where=str(path))
    return merge_project(project, path, coder=coder)


def describe(summary: MergeSummary) -> str:
    """One line for the terminal or the status bar."""
    return (
        f"merged {summary.file}: {summary.documents_matched} documents matched, {summary.documents_added} added, "
        f"{summary.codes_added} codes added, {summary.codings_added} codings added "
        f"({summary.codings_skipped} already here), {summary.memos_added} memos, "
        f"{summary.participants_added} participants added, {len(summary.conflicts)} conflicts"
    )
