"""Report layouts of the frequency, evidence and Likert tables.

Why these layouts: a policy team reads an evidence report top-down — a short
summary (who was heard, how things were counted, which themes), an overview
table and chart, then one section per theme with the sentence they will
quote ("Raised by 7 of 22 SME participants (31.8%) …") and a few attributed
quotes. Builders only decide *what* is said; :mod:`report` and its renderers
decide how it looks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from qualcode.export.blocks import (
    Bullets,
    Chart,
    Column,
    Grid,
    GridRow,
    Heading,
    Paragraph,
    QuoteBlock,
    Report,
    Table,
)
from qualcode.export.context import ReportContext
from qualcode.export.labels import (
    GroupInfo,
    capitalise,
    count,
    counts_sentence,
    group_sentences,
    groups_of,
    humanise,
    item_label,
    join_words,
    n_pct,
    pct,
    quote_attributes,
    quote_source,
    share_phrase,
    slug,
)

if TYPE_CHECKING:
    import pandas as pd

PORTRAIT_IN = 7.0  # usable width of a portrait page in the DOCX (inches)
LANDSCAPE_IN = 9.5
NUMBERS_IN = 2.9  # Codings, Documents, Participants, % of participants
GROUP_IN = 0.86  # "100 (100.0%)" in 9 pt


def scope_notes(attrs: dict[str, Any], *, group_bases: bool = True) -> list[str]:
    """Plain sentences saying what was counted and over which base."""
    notes = []
    if "include_pending" in attrs:
        statuses = " and ".join(attrs.get("statuses_counted", []))
        who = "included" if attrs.get("include_interviewer") else "left out"
        notes.append(
            f"Codings counted: {statuses} (rejected codings never count), each for the participant turns "
            f"it overlaps; codings lying wholly in interviewer turns or outside turns {who}."
        )
        if attrs.get("coders"):
            notes.append("Only the codings of " + ", ".join(attrs["coders"]) + ".")
    if attrs.get("participants_base") is not None:
        notes.append(
            f"“% of participants” is over the {attrs['participants_base']} participants in scope "
            "(anyone with a participant turn or a document of their own); a theme counts a person once "
            "however many of its codes they raised."
        )
    groups = groups_of(attrs)
    if groups and group_bases:
        notes.append("Group bases (participants in scope): " + "; ".join(f"{g.name} {g.base}" for g in groups) + ".")
    if attrs.get("scale"):
        notes.append(
            "Scale: " + ", ".join(attrs["scale"]) + f"; agree = {', '.join(attrs['agree_levels'])}; "
            f"disagree = {', '.join(attrs['disagree_levels'])}."
        )
        dk = "in" if attrs.get("dont_know_in_base") else "left out of"
        notes.append(f"n = answers on the scale; don't know {dk} the base; invalid and missing answers never in it.")
    if attrs.get("pseudonymised"):
        notes.append("Participant names are replaced by pseudonyms (P01, P02 …).")
    return notes


def _group_header(group: GroupInfo) -> str:
    name = f"No {group.about}" if "(missing)" in group.values else capitalise(group.name)
    return f"{name} n (%)"


def overview_groups(frame: "pd.DataFrame") -> list[GroupInfo]:
    """The group columns of the overview: every single-attribute group, if they fit a landscape page."""
    groups = groups_of(frame.attrs, single_only=True)
    if NUMBERS_IN + GROUP_IN * len(groups) + 2.2 > LANDSCAPE_IN and groups:
        groups = [g for g in groups if g.attrs == groups[0].attrs]
    return groups


def overview_grid(frame: "pd.DataFrame", anchors: dict[Any, str] | None = None) -> Grid:
    """Codes indented by depth (themes bold), totals, % of participants and ``n (%)`` per group."""
    groups = overview_groups(frame)
    numbers = NUMBERS_IN + GROUP_IN * len(groups)
    first = max(2.2, PORTRAIT_IN - numbers) if numbers + 2.2 <= PORTRAIT_IN else max(2.6, LANDSCAPE_IN - numbers)
    columns = [
        Column("Theme / code", "left", first),
        Column("Codings", width=0.6),
        Column("Documents", width=0.74),
        Column("Participants", width=0.78),
        Column("% of participants", width=0.78, bar=True),
    ]
    columns += [Column(_group_header(g), width=GROUP_IN, bar=True) for g in groups]
    top = int(frame["depth"].min()) if len(frame) else 0
    rows = []
    for _, row in frame.iterrows():
        depth = int(row["depth"]) - top
        cells = [
            str(row["code"]),
            count(row["codings"]),
            count(row["documents"]),
            count(row["participants"]),
            pct(row["participants_percent"]),
        ]
        bars: list[float | None] = [None] * 4 + [_num(row["participants_percent"])]
        for g in groups:
            cells.append(n_pct(row[f"{g.label}: participants"], row[f"{g.label}: participants_percent"]))
            bars.append(_num(row[f"{g.label}: participants_percent"]))
        rows.append(
            GridRow(
                tuple(cells),
                level=depth,
                strong=depth == 0,
                bars=tuple(bars),
                link=(anchors or {}).get(row["code_id"], ""),
            )
        )
    caption = "Codes are counted with their sub-codes (a person is counted once per theme)."
    if groups:
        caption += " Group columns: participants in the group who raised the code (% of the group)."
    return Grid(tuple(columns), tuple(rows), caption)


def _num(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number == number else None


def _chart_caption(frame: "pd.DataFrame") -> str:
    groups = groups_of(frame.attrs, single_only=True)
    split = f", by {groups[0].about}" if groups else ""
    return f"Figure: share of participants raising each theme and code{split}."


def frequencies_report(frame: "pd.DataFrame", title: str = "Theme frequencies") -> Report:
    from qualcode.export.charts import frequency_chart

    report = Report(title, scope_notes(frame.attrs), [overview_grid(frame)])
    report.charts.append(Chart("frequency", lambda p: frequency_chart(frame, p), 1, _chart_caption(frame)))
    return report


def _summary(frame: "pd.DataFrame", context: ReportContext, themes: list[tuple[str, str, str]]) -> list[Any]:
    attrs = frame.attrs
    base = attrs.get("participants_base", 0)
    codes = len(frame)
    codings = (
        context.codings
        if context.codings is not None
        else int(frame.loc[frame["depth"] == frame["depth"].min(), "codings"].sum())
        if codes
        else 0
    )
    docs = f" across {context.documents} documents" if context.documents is not None else ""
    blocks: list[Any] = [
        Heading("Summary", 1, "summary"),
        Paragraph(
            f"This report sets out the evidence for {len(themes)} theme{'s' if len(themes) != 1 else ''} "
            f"({codes} codes in all) from {base} participants{docs}: {codings} codings were counted."
        ),
    ]
    by_attr: dict[tuple[str, ...], list[GroupInfo]] = {}
    for g in groups_of(attrs, single_only=True):
        by_attr.setdefault(g.attrs, []).append(g)
    for members in by_attr.values():
        parts = [f"{g.name if '(missing)' not in g.values else 'no ' + g.about} ({g.base})" for g in members]
        blocks.append(Paragraph(f"Participants are compared by {members[0].about}: {join_words(parts)}."))
    blocks.append(Paragraph("How the numbers were counted:"))
    blocks.append(Bullets(tuple(scope_notes(attrs, group_bases=False))))
    blocks.append(Paragraph("Themes in this report:"))
    blocks.append(
        Bullets(tuple(f"{name} — {share}" for name, share, _ in themes), tuple(anchor for *_, anchor in themes))
    )
    return blocks


def _quotes(row: "pd.Series", shown: list[str], context: ReportContext) -> list[QuoteBlock]:
    blocks = []
    for q in row["quotes"]:
        data = (
            ("document", q.document),
            ("participant", q.participant or ""),
            ("start", str(q.start)),
            ("end", str(q.end)),
            ("coding-id", str(q.coding_id or "")),
            ("code", q.code_path),
        )
        blocks.append(QuoteBlock(q.text, quote_source(q, shown, context.turn_numbers.get(q.turn_id)), data))
    return blocks


def evidence_report(
    frame: "pd.DataFrame", title: str = "Evidence table", context: ReportContext | None = None
) -> Report:
    """Summary, overview table and chart, then per theme: definition, who raised it, quotes."""
    from qualcode.export.charts import frequency_chart

    context = context or ReportContext()
    attrs = frame.attrs
    base = attrs.get("participants_base", 0)
    used: set[str] = {"summary", "overview", "themes", "survey"}
    anchors = {row["code_id"]: slug(str(row["code"]), used) for _, row in frame.iterrows()}
    top = int(frame["depth"].min()) if len(frame) else 0
    themes = [
        (
            str(r["code"]),
            share_phrase(r["participants"], base, r["participants_percent"], "participants"),
            anchors[r["code_id"]],
        )
        for _, r in frame.iterrows()
        if int(r["depth"]) == top
    ]
    report = Report(title, [], _summary(frame, context, themes))
    report.blocks += [Heading("Overview", 1, "overview"), overview_grid(frame, anchors)]
    report.charts.append(
        Chart("frequency", lambda p: frequency_chart(frame, p), len(report.blocks), _chart_caption(frame))
    )
    report.blocks.append(Heading("Themes", 1, "themes"))
    groups = groups_of(attrs)
    all_quotes = [q for qs in frame["quotes"] for q in qs] if "quotes" in frame else []
    shown = (
        list(context.quote_attributes)
        if context.quote_attributes is not None
        else quote_attributes(all_quotes, list(attrs.get("by") or []), exclude=context.survey_items)
    )
    for _, row in frame.iterrows():
        depth = int(row["depth"]) - top
        report.blocks.append(Heading(str(row["code"]), min(2 + depth, 4), anchors[row["code_id"]]))
        if row.get("definition"):
            report.blocks.append(Paragraph(f"Definition: {row['definition']}"))
        report.blocks.append(Paragraph(counts_sentence(row, base)))
        for sentence in group_sentences(row, groups):
            report.blocks.append(Paragraph(sentence))
        report.blocks += _quotes(row, shown, context)
    if context.survey is not None:
        append_survey(report, context.survey)
    return report


def likert_grid(frame: "pd.DataFrame") -> Grid:
    """Items (bold) with their groups indented: n, % per level, total agree and disagree %, don't know."""
    scale = list(frame.attrs.get("scale", []))
    grouped = "group" in frame
    numbers = [Column("n", width=0.45)] + [Column(level, width=0.72) for level in scale]
    numbers += [
        Column("Total agree", width=0.72, bar=True),
        Column("Total disagree", width=0.72),
        Column("Don't know (n)", width=0.6),
    ]
    rest = sum(c.width for c in numbers)
    first = max(2.2, PORTRAIT_IN - rest) if rest + 2.2 <= PORTRAIT_IN else max(2.2, LANDSCAPE_IN - rest)
    columns = [Column("Statement / group" if grouped else "Statement", "left", first), *numbers]
    rows = []
    for _, r in frame.iterrows():
        overall = not grouped or r["group"] == "(all)"
        label = item_label(r["item"]) if overall else str(r["group"])
        cells = [label, count(r["n"])] + [pct(r[f"{lv}: percent"]) for lv in scale]
        cells += [pct(r["agree_percent"]), pct(r["disagree_percent"]), count(r["dont_know"])]
        bars = [None] * (2 + len(scale)) + [_num(r["agree_percent"])]
        rows.append(GridRow(tuple(cells), level=0 if overall else 1, strong=overall and grouped, bars=tuple(bars)))
    caption = "Percent of the n answers on the scale (total agree = " + ", ".join(frame.attrs.get("agree_levels", []))
    caption += "; total disagree = " + ", ".join(frame.attrs.get("disagree_levels", [])) + ")."
    if grouped:
        caption += f" Each statement's first row is everyone; the rows below split by {humanise(frame.attrs['by'])}."
    return Grid(tuple(columns), tuple(rows), caption)


def append_survey(report: Report, frame: "pd.DataFrame", heading: str = "Survey", *, notes: bool = True) -> None:
    """A survey section: notes, the Likert table and the diverging chart after it."""
    from qualcode.export.charts import likert_chart

    if heading:
        report.blocks.append(Heading(heading, 1, "survey"))
    if notes:
        report.blocks += [Paragraph(n, "note") for n in scope_notes(frame.attrs)]
    report.blocks.append(likert_grid(frame))
    report.charts.append(
        Chart(
            "likert",
            lambda p: likert_chart(frame, p),
            len(report.blocks),
            "Figure: answers to each statement, disagree left of zero, agree right.",
        )
    )


def likert_report(frame: "pd.DataFrame", title: str = "Likert items") -> Report:
    report = Report(title, scope_notes(frame.attrs))
    append_survey(report, frame, heading="", notes=False)
    return report


def plain_report(frame: "pd.DataFrame", title: str, notes: list[str]) -> Report:
    """Any other table: its columns as they are."""
    return Report(title, notes, [Table(frame)])
