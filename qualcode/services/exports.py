"""Export dispatch: an analysis table of a kind, computed and written to a file.

Why one place: the CLI's ``export`` commands and the TUI's export dialog
compute the same tables with the same titles and must agree to the unit; a
write failure is one coded error for both (``StorageError``, E006), naming the file.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qualcode.errors import StorageError, as_user_error

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from qualcode.export import ReportContext
    from qualcode.store import Project


@dataclass(frozen=True, slots=True)
class ExportTable:
    """A computed table ready to write: its kind (see ``qualcode.export.KINDS``), frame and title."""

    kind: str
    frame: "pd.DataFrame"
    title: str = ""
    context: "ReportContext | None" = None


TITLES = {
    "frequencies": "Theme frequencies",
    "evidence": "Evidence table",
    "likert": "Likert items",
    "likert_by_code": "Likert items",
}


def _frequencies(project: "Project", **kw: Any) -> "pd.DataFrame":
    from qualcode.analysis import frequencies

    return frequencies(project, **kw)


def _code_ids(project: "Project", codes: Sequence[str] | None) -> list[int] | None:
    """The ids of ``codes`` and their sub-codes (``None``: every code)."""
    if not codes:
        return None
    return sorted({c.id for ref in codes for c in project.codes.descendants(project.codes.resolve(ref).id)})


def _codings(project: "Project", codes: Sequence[str] | None = None, **kw: Any) -> "pd.DataFrame":
    """Every counted coding, only under ``codes`` (and their sub-codes) when given."""
    from qualcode.analysis import coded_segments

    return coded_segments(project, code_ids=_code_ids(project, codes), **kw)


def write_codings(
    project: "Project",
    output: str | Path | IO[str],
    fmt: str | None = None,
    *,
    codes: Sequence[str] | None = None,
    **options: Any,
) -> list[Path]:
    """The codings table written to ``output``: CSV and JSON streamed batch by batch, other formats whole.

    Why streamed: one row per counted coding is 10^6 rows on a large
    consultation; only a batch of them is held at a time. Same bytes as
    :func:`build` then :func:`write` (tests compare them).

    Raises:
        StorageError: the file cannot be written [E006].
    """
    from qualcode.export import format_for
    from qualcode.export.stream import STREAMED, stream_rows

    path_like = output if isinstance(output, (str, Path)) else "-"
    chosen = format_for(path_like, fmt)
    if chosen not in STREAMED:
        return write(build(project, "codings", codes=codes, **options), output, fmt)
    from qualcode.analysis.segments import segments

    found = segments(project, code_ids=_code_ids(project, codes), **options)
    try:
        return stream_rows(found.columns, found.batches, output, chosen)
    except OSError as exc:
        coded = as_user_error(exc, str(output))
        raise coded or StorageError(f"cannot write: {exc.strerror or exc}", where=str(output)) from exc


def _analysis(name: str) -> Callable[..., "pd.DataFrame"]:
    """A table function of :mod:`qualcode.analysis`, imported when it runs."""

    def compute(project: "Project", *args: Any, **kw: Any) -> "pd.DataFrame":
        import qualcode.analysis as analysis

        return getattr(analysis, name)(project, *args, **kw)

    return compute


BUILDERS: dict[str, Callable[..., "pd.DataFrame"]] = {
    "frequencies": _frequencies,
    "codings": _codings,
    "matrix": _analysis("matrix"),
    "cooccurrence": _analysis("cooccurrence"),
    "presence": _analysis("presence"),
    "likert": _analysis("likert"),
    "likert_by_code": _analysis("likert_by_code"),
    "evidence": _analysis("evidence"),
    "memos": _analysis("memos_table"),
    "coverage": _analysis("coverage"),
    "saturation": _analysis("saturation"),
}


def build(
    project: "Project",
    kind: str,
    *args: Any,
    title: str = "",
    context: Callable[["pd.DataFrame"], "ReportContext"] | None = None,
    **options: Any,
) -> ExportTable:
    """Compute the table ``kind`` with :mod:`qualcode.analysis`; ``options`` go to its function.

    ``context`` (evidence reports) turns the frame into the report's context;
    evidence gets a plain one by default.
    """
    frame = BUILDERS[kind](project, *args, **options)
    if context is None and kind == "evidence":
        from qualcode.export import report_context

        return ExportTable(kind, frame, title or TITLES[kind], report_context(project, frame))
    return ExportTable(kind, frame, title or TITLES.get(kind, ""), context(frame) if context else None)


def check_output(output: str | Path, fmt: str | None) -> str:
    """The format of an output, failing before any work on an impossible one (e.g. xlsx to stdout)."""
    from qualcode.export import format_for

    return format_for(output, fmt)


def write(table: ExportTable, output: str | Path | IO[str], fmt: str | None = None) -> list[Path]:
    """Write ``table`` to ``output`` (``-`` for stdout) and return the files written.

    Raises:
        StorageError: the file cannot be written (no such folder, no permission, disk full) [E006].
    """
    from qualcode.export import write_export

    try:
        return write_export(table.kind, table.frame, output, fmt, title=table.title, context=table.context)
    except OSError as exc:
        coded = as_user_error(exc, str(output))
        raise coded or StorageError(f"cannot write: {exc.strerror or exc}", where=str(output)) from exc
