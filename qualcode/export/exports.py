"""Which writer and which shape for each analysis table.

Why a dispatcher: the JSON of frequencies, Likert and evidence tables has a
stable nested shape that scripts rely on (see README, "JSON shapes"), spreadsheets
want flat sheets, and documents want a readable report with charts. The CLI
(and the TUI) call :func:`write_export` with the table's kind and get the
right one for every format.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qualcode.export.builders import (
    evidence_report,
    frequencies_report,
    likert_report,
    plain_report,
    scope_notes,
)
from qualcode.export.context import ReportContext
from qualcode.export.report import write_report, write_table
from qualcode.export.tables import format_for, records_of, write_json

if TYPE_CHECKING:
    import pandas as pd

KINDS = (
    "frequencies",
    "matrix",
    "cooccurrence",
    "presence",
    "likert",
    "likert_by_code",
    "evidence",
    "codings",
    "memos",
    "coverage",
    "saturation",
)


def _json_payload(kind: str, frame: "pd.DataFrame") -> Any:
    if kind == "frequencies":
        from qualcode.analysis.counts import frequency_records

        return frequency_records(frame)
    if kind == "likert":
        from qualcode.analysis.survey import likert_records

        return likert_records(frame)
    if kind == "evidence":
        from qualcode.analysis.evidence_quotes import evidence_records

        return evidence_records(frame)
    return records_of(frame)


def write_export(
    kind: str,
    frame: "pd.DataFrame",
    target: str | Path | IO[str],
    fmt: str | None = None,
    *,
    title: str = "",
    context: ReportContext | None = None,
) -> list[Path]:
    """Write an analysis table of ``kind`` (see :data:`KINDS`) in ``fmt`` (default: from the extension).

    ``context`` (evidence only, see :func:`qualcode.export.report_context`)
    adds totals, turn numbers and an optional survey section to md/html/docx
    reports (and a ``likert`` sheet to xlsx). Returns the files written (for
    ``-``, stdout, none).
    """
    path_like = target if isinstance(target, (str, Path)) else "-"
    fmt = format_for(path_like, fmt)
    notes = scope_notes(frame.attrs)
    title = title or kind.replace("_", " ").capitalize()
    if fmt == "json":
        write_json(_json_payload(kind, frame), target)
        return [] if str(path_like) == "-" else [Path(path_like)]
    if kind == "evidence" and fmt in ("csv", "xlsx"):
        from qualcode.analysis.evidence_quotes import evidence_table, quotes_frame

        tables: Any = (
            evidence_table(frame)
            if fmt == "csv"
            else {"evidence": evidence_table(frame), "quotes": quotes_frame(frame)}
        )
        if fmt == "xlsx" and context is not None and context.survey is not None:
            tables["likert"] = context.survey
        return write_table(tables, target, fmt, notes=notes)
    if fmt in ("md", "html", "docx"):
        if kind == "evidence":
            return write_report(evidence_report(frame, title, context), target, fmt)
        builders = {"frequencies": frequencies_report, "likert": likert_report}
        report = builders[kind](frame, title) if kind in builders else plain_report(frame, title, notes)
        return write_report(report, target, fmt)
    return write_table({kind: frame}, target, fmt, title=title, notes=notes)
