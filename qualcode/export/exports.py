"""Which writer and which shape for each analysis table.

Why a dispatcher: the JSON of frequencies, Likert and evidence tables has a
stable nested shape that scripts rely on (see docs/export.md), spreadsheets
want flat sheets, and documents want a readable report with charts. The CLI
(and the TUI) call :func:`write_export` with the table's kind and get the
right one for every format.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from qualcode.export.report import Heading, Paragraph, QuoteBlock, Report, Table, table_report, write_report
from qualcode.export.tables import format_for, records_of, write_json, write_table

if TYPE_CHECKING:
    import pandas as pd

KINDS = ("frequencies", "matrix", "cooccurrence", "presence", "likert", "likert_by_code", "evidence", "codings",
         "memos", "coverage", "saturation")
_SUMMARY = ["path", "codings", "documents", "participants", "participants_percent"]


def scope_notes(attrs: dict[str, Any]) -> list[str]:
    """Plain sentences saying what was counted and over which base."""
    notes = []
    if "include_pending" in attrs:
        statuses = " and ".join(attrs.get("statuses_counted", []))
        who = "included" if attrs.get("include_interviewer") else "excluded"
        notes.append(f"Counted codings: {statuses} (rejected never count); interviewer turns {who}.")
    if attrs.get("participants_base") is not None:
        notes.append(f"% of participants is over the {attrs['participants_base']} participants in scope "
                     "(with a participant turn or a document of their own).")
    bases = [f"{g['label']}: {g['base']}" for g in attrs.get("groups", [])]
    if bases:
        notes.append("Group bases (participants in scope): " + "; ".join(bases) + ".")
    if attrs.get("scale"):
        notes.append("Scale: " + ", ".join(attrs["scale"]) + f"; agree = {', '.join(attrs['agree_levels'])}; "
                     f"disagree = {', '.join(attrs['disagree_levels'])}.")
        dk = "in" if attrs.get("dont_know_in_base") else "left out of"
        notes.append(f"n = answers on the scale; don't know {dk} the base; invalid and missing answers never in it.")
    if attrs.get("pseudonymised"):
        notes.append("Participant names are replaced by pseudonyms (P01, P02 …).")
    return notes


def summary_table(frame: "pd.DataFrame") -> "pd.DataFrame":
    """The frequency columns people read: path, totals, % and per-group % of participants."""
    cols = [c for c in _SUMMARY if c in frame]
    cols += [f"{g['label']}: participants_percent" for g in frame.attrs.get("groups", [])]
    return frame[[c for c in cols if c in frame]]


def frequencies_report(frame: "pd.DataFrame", title: str = "Theme frequencies") -> Report:
    from qualcode.export.charts import frequency_chart

    report = Report(title, scope_notes(frame.attrs), [Table(summary_table(frame))])
    report.charts.append(("frequency", lambda p: frequency_chart(frame, p), 1))
    return report


def _counts_line(row: "pd.Series", base: int) -> str:
    pct = row["participants_percent"]
    share = f" ({pct:.1f}%)" if pct == pct and pct is not None else ""
    return (f"{row['codings']} codings in {row['documents']} documents; "
            f"{row['participants']} of {base} participants{share}.")


def _group_table(row: "pd.Series", groups: list[dict[str, Any]]) -> "pd.DataFrame":
    import pandas as pd

    return pd.DataFrame([
        {"group": g["label"], "base": g["base"], "codings": row[f"{g['label']}: codings"],
         "participants": row[f"{g['label']}: participants"],
         "participants_percent": row[f"{g['label']}: participants_percent"]}
        for g in groups
    ])


def evidence_report(frame: "pd.DataFrame", title: str = "Evidence table") -> Report:
    """Overview table and chart, then per theme: definition, counts, groups, quotes."""
    from qualcode.export.charts import frequency_chart

    report = Report(title, scope_notes(frame.attrs), [Heading("Overview", 1), Table(summary_table(frame))])
    report.charts.append(("frequency", lambda p: frequency_chart(frame, p), 2))
    groups = frame.attrs.get("groups", [])
    base = frame.attrs.get("participants_base", 0)
    for _, row in frame.iterrows():
        report.blocks.append(Heading(str(row["path"]), 2 if row["depth"] == 0 else 3))
        if row.get("definition"):
            report.blocks.append(Paragraph(f"Definition: {row['definition']}"))
        report.blocks.append(Paragraph(_counts_line(row, base)))
        if groups:
            report.blocks.append(Table(_group_table(row, groups)))
        for quote in row["quotes"]:
            report.blocks.append(QuoteBlock(quote.text, quote.attribution()))
    return report


def likert_report(frame: "pd.DataFrame", title: str = "Likert items") -> Report:
    from qualcode.export.charts import likert_chart

    report = Report(title, scope_notes(frame.attrs), [Table(frame)])
    report.charts.append(("likert", lambda p: likert_chart(frame, p), 0))
    return report


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
    kind: str, frame: "pd.DataFrame", target: str | Path | IO[str], fmt: str | None = None, *, title: str = ""
) -> list[Path]:
    """Write an analysis table of ``kind`` (see :data:`KINDS`) in ``fmt`` (default: from the extension).

    Returns the files written (for ``-``, stdout, none).
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

        tables: Any = evidence_table(frame) if fmt == "csv" else {
            "evidence": evidence_table(frame), "quotes": quotes_frame(frame)}
        return write_table(tables, target, fmt, notes=notes)
    if fmt in ("md", "html", "docx"):
        builders = {"frequencies": frequencies_report, "evidence": evidence_report, "likert": likert_report}
        if kind in builders:
            return write_report(builders[kind](frame, title), target, fmt)
        return write_report(table_report({kind: frame}, title=title, notes=notes), target, fmt)
    return write_table({kind: frame}, target, fmt, title=title, notes=notes)
