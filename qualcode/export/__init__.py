"""Writers for analysis tables: csv, xlsx, md, json, docx and html.

``write_table(df or {name: df}, path or "-", format)`` writes plain tables;
``write_export(kind, df, path, format, context=...)`` also knows the stable
JSON shapes and the report layouts of frequencies, Likert and evidence
tables; ``report_context(project, frame)`` gathers what an evidence report
needs from the project (totals, turn numbers, an optional survey section).
Heavy libraries (pandas, openpyxl, python-docx, matplotlib) load only when a
writer runs.
"""

from __future__ import annotations

from qualcode.export.context import ReportContext, report_context
from qualcode.export.exports import KINDS, write_export
from qualcode.export.report import to_text, write_table
from qualcode.export.tables import FORMATS, format_for, neutralise, write_json

__all__ = [
    "FORMATS",
    "KINDS",
    "ReportContext",
    "format_for",
    "neutralise",
    "report_context",
    "to_text",
    "write_export",
    "write_json",
    "write_table",
]
