"""Likert items: counts, percentages, agree/disagree, and themes × Likert.

Why explicit bases: survey reports are read for their percentages, and the
base decides them. ``n`` is the number of answers on the scale (plus "don't
know" answers only when ``dont_know_in_base``); values outside the scale are
counted as ``invalid`` and blanks as ``missing``, and neither is in the base.
"Agree" is every level above the midpoint of the scale, "disagree" every
level below it (two of five, three of seven, two of four).

Survey answers are read from participant attributes (one participant per
respondent), or from a DataFrame with one row per respondent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.corpus import MISSING, CountOptions, load_corpus
from qualcode.analysis.counts import json_value, percent
from qualcode.errors import ValidationError

if TYPE_CHECKING:
    from qualcode.store import Project

ALL = "(all)"


def respondents(project: "Project", items: list[str]) -> pd.DataFrame:
    """Participants whose attributes hold any of ``items``: one row each, attributes as columns."""
    rows = {}
    for p in project.participants.all():
        if any(item in p.attributes for item in items):
            rows[p.name] = dict(p.attributes)
    frame = pd.DataFrame.from_dict(rows, orient="index")
    frame.index.name = "participant"
    return frame


def scale_split(scale: list[str]) -> tuple[list[str], list[str]]:
    """(disagree levels, agree levels): the levels below and above the midpoint."""
    half = len(scale) // 2
    return list(scale[:half]), list(scale[len(scale) - half :])


def _classify(values: pd.Series, scale: list[str], dont_know: tuple[str, ...]) -> pd.Series:
    """Map each answer to its scale level, ``"dk"``, ``"invalid"`` or ``"missing"``.

    Matching ignores surrounding spaces and case, so "neutral" is "Neutral".
    """
    levels = {s.strip().casefold(): s for s in scale}
    dks = {d.strip().casefold() for d in dont_know}

    def one(value: Any) -> str:
        if value is None or (isinstance(value, float) and pd.isna(value)):
            return "\x00missing"
        text = str(value).strip()
        if not text:
            return "\x00missing"
        key = text.casefold()
        if key in levels:
            return levels[key]
        if key in dks:
            return "\x00dk"
        return "\x00invalid"

    return values.map(one)


def _item_row(
    item: str,
    answers: pd.Series,
    scale: list[str],
    dont_know: tuple[str, ...],
    dk_in_base: bool,
    weights: list[int] | None = None,
) -> dict[str, Any]:
    """One item's row; with ``weights`` each answer stands for that many respondents (distinct answers, counted)."""
    kinds = _classify(answers, scale, dont_know)
    if weights is None:
        weight = pd.Series(1, index=kinds.index, dtype="int64")
    else:
        weight = pd.Series(list(weights), index=kinds.index, dtype="int64")

    def tally(kind: str) -> int:
        return int(weight[(kinds == kind).to_numpy(dtype=bool)].sum())

    counts = {level: tally(level) for level in scale}
    dk = tally("\x00dk")
    n = sum(counts.values()) + (dk if dk_in_base else 0)
    disagree, agree = scale_split(scale)
    row: dict[str, Any] = {"item": item, "n": n}
    for level in scale:
        row[f"{level}: count"] = counts[level]
        row[f"{level}: percent"] = percent(counts[level], n)
    row["dont_know"] = dk
    row["dont_know_percent"] = percent(dk, n) if dk_in_base else None
    row["agree_percent"] = percent(sum(counts[lv] for lv in agree), n)
    row["disagree_percent"] = percent(sum(counts[lv] for lv in disagree), n)
    row["neutral_percent"] = percent(counts[scale[len(scale) // 2]], n) if len(scale) % 2 else None
    row["invalid"] = tally("\x00invalid")
    row["missing"] = tally("\x00missing")
    row["respondents"] = int(weight.sum())
    return row


def likert(
    data: "Project | pd.DataFrame",
    items: list[str],
    scale: list[str],
    dont_know: tuple[str, ...] | list[str] = ("Don't know",),
    dont_know_in_base: bool = False,
    by: str | None = None,
) -> pd.DataFrame:
    """One row per item (and per group of ``by``): n, counts and % per level, agree/disagree %.

    Args:
        data: a project (respondents are participants having any of the
            items as attributes) or a DataFrame with one row per respondent.
        items: the Likert columns.
        scale: the levels, most negative first.
        dont_know: answers that are "don't know" rather than invalid.
        dont_know_in_base: count "don't know" answers in ``n``.
        by: a respondent attribute (column) to split by; rows for each value
            follow the ``(all)`` row of each item.

    Raises:
        ValidationError: fewer than two scale levels, no items, or an item or
            ``by`` column that no respondent has.
    """
    if len(scale) < 2:
        raise ValidationError("a Likert scale needs at least two levels")
    if not items:
        raise ValidationError("name at least one Likert item")
    frame = data if isinstance(data, pd.DataFrame) else respondents(data, items)
    for column in items + ([by] if by else []):
        if column not in frame.columns:
            raise ValidationError(f"no respondent has a {column!r} answer")
    dk = tuple(dont_know)
    rows = []
    for item in items:
        rows.append({"by": by, "group": ALL, **_item_row(item, frame[item], scale, dk, dont_know_in_base)})
        if by:
            groups = frame[by].map(lambda v: MISSING if v is None or pd.isna(v) or not str(v).strip() else str(v))
            for value in sorted(groups.unique(), key=lambda v: (v == MISSING, v.casefold())):
                sub = frame.loc[groups == value, item]
                rows.append({"by": by, "group": value, **_item_row(item, sub, scale, dk, dont_know_in_base)})
    out = pd.DataFrame(rows)
    if not by:
        out = out.drop(columns=["by", "group"])
    disagree, agree = scale_split(scale)
    out.attrs.update(
        {
            "scale": list(scale),
            "agree_levels": agree,
            "disagree_levels": disagree,
            "dont_know": list(dk),
            "dont_know_in_base": dont_know_in_base,
            "by": by,
        }
    )
    return out


def likert_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Likert rows in the stable JSON shape.

    ``[{"item", "n", "levels": {LEVEL: {"count", "percent"}}, "agree_percent",
    "disagree_percent", "neutral_percent", "dont_know", "invalid", "missing",
    ("by", "group")}]``.
    """
    scale = frame.attrs.get("scale", [])
    out = []
    for _, row in frame.iterrows():
        record: dict[str, Any] = {"item": row["item"], "n": json_value(row["n"])}
        record["levels"] = {
            lv: {"count": json_value(row[f"{lv}: count"]), "percent": json_value(row[f"{lv}: percent"])} for lv in scale
        }
        for key in (
            "agree_percent",
            "disagree_percent",
            "neutral_percent",
            "dont_know",
            "dont_know_percent",
            "invalid",
            "missing",
            "respondents",
            "by",
            "group",
        ):
            if key in row:
                record[key] = json_value(row[key])
        record["dont_know_in_base"] = frame.attrs.get("dont_know_in_base", False)
        out.append(record)
    return out


def likert_by_code(
    project: "Project",
    item: str,
    scale: list[str],
    *,
    dont_know: tuple[str, ...] | list[str] = ("Don't know",),
    dont_know_in_base: bool = False,
    include_interviewer: bool = False,
    include_pending: bool = True,
    _reference: bool = False,
) -> pd.DataFrame:
    """Themes × one Likert item, joined through the respondent (participant).

    One row per code (rolled up over sub-codes): the answers to ``item`` of
    the participants coded with it, with the same bases as :func:`likert`.
    The people per code and answer come from SQL (the counted units);
    ``_reference`` computes them from the whole loaded project instead.
    """
    if not _reference:
        return _likert_by_code_sql(
            project,
            item,
            scale,
            tuple(dont_know),
            dont_know_in_base,
            CountOptions(include_interviewer, include_pending),
        )
    corpus = load_corpus(project, include_interviewer=include_interviewer, include_pending=include_pending)
    answers = {p.name: p.attributes.get(item) for p in corpus.participants.values()}
    if not any(v is not None for v in answers.values()):
        raise ValidationError(f"no respondent has a {item!r} answer")
    people: dict[int, set[int]] = {}
    for cc in corpus.codings:
        people.setdefault(cc.code.id, set()).update(cc.participant_ids)
    rows = []
    for code in corpus.codes:
        pids = set().union(*(people.get(cid, set()) for cid in corpus.subtree[code.id]))
        values = pd.Series([answers[corpus.participants[p].name] for p in sorted(pids)], dtype=object)
        row = _item_row(item, values, scale, tuple(dont_know), dont_know_in_base)
        rows.append({"code": code.name, "path": code.path, "participants": len(pids), **row})
    return _by_code_frame(rows, scale, dont_know_in_base, corpus.options)


def _by_code_frame(
    rows: list[dict[str, Any]], scale: list[str], dk_in_base: bool, options: CountOptions
) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    disagree, agree = scale_split(scale)
    frame.attrs.update(
        {
            "scale": list(scale),
            "agree_levels": agree,
            "disagree_levels": disagree,
            "dont_know_in_base": dk_in_base,
            **options.metadata(),
        }
    )
    return frame


def _likert_by_code_sql(
    project: "Project", item: str, scale: list[str], dont_know: tuple[str, ...], dk_in_base: bool, options: CountOptions
) -> pd.DataFrame:
    """:func:`likert_by_code` from the counted units: each distinct answer classified once, weighted by its people."""
    from qualcode.analysis.counted_tables import likert_answers

    if not project.tables.anyone_answered(item):
        raise ValidationError(f"no respondent has a {item!r} answer")
    found = likert_answers(project, item, options)
    rows = []
    for code in project.codes.all():
        pairs = found.get(code.id, [])
        values = pd.Series([v for v, _ in pairs], dtype=object)
        row = _item_row(item, values, scale, dont_know, dk_in_base, weights=[n for _, n in pairs])
        rows.append({"code": code.name, "path": code.path, "participants": row["respondents"], **row})
    return _by_code_frame(rows, scale, dk_in_base, options)


__all__ = ["likert", "likert_by_code", "likert_records", "respondents", "scale_split"]
