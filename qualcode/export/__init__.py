"""Writers for analysis tables: csv, xlsx, md, json, docx and html.

``write_table(df or {name: df}, path or "-", format)`` writes plain tables;
``write_export(kind, df, path, format)`` also knows the stable JSON shapes and
the report layouts of frequencies, Likert and evidence tables. Heavy
libraries (pandas, openpyxl, python-docx, matplotlib) load only when a writer
runs.
"""

from __future__ import annotations

from qualcode.export.exports import KINDS, write_export
from qualcode.export.tables import FORMATS, format_for, neutralise, to_text, write_json, write_table

__all__ = ["FORMATS", "KINDS", "format_for", "neutralise", "to_text", "write_export", "write_json", "write_table"]
