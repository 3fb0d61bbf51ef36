"""Coded segments and code frequencies with roll-up and per-group bases.

Why roll-up by *distinct* counts: a theme's participants are the people who
said anything coded with the theme or any of its sub-codes; a person coded
with two sub-codes is still one person. Summing the children would inflate
the "% of participants" that policy reports quote, so documents and
participants are counted as sets over the subtree, codings as a sum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.corpus import MISSING, Corpus, CountedCoding, load_corpus
from qualcode.analysis.counted import Group, frequencies_sql  # set-based; frequencies_from is the reference
from qualcode.analysis.segments import segment_row, segments, segments_table

if TYPE_CHECKING:
    from qualcode.store import Project

STATS = ("codings", "participants", "participants_percent")


def percent(part: int, base: int) -> float | None:
    """``part`` as a percentage of ``base``; ``None`` when the base is empty."""
    return part / base * 100.0 if base else None


def coded_segments(
    project: "Project",
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    coders: list[str] | None = None,
    code_ids: list[int] | None = None,
    _reference: bool = False,
) -> pd.DataFrame:
    """One row per counted coding with its code, document, participant, turn and text.

    Attribute columns are named ``attr:NAME`` so they never clash with the
    fixed columns. Only the codings of ``code_ids`` when given. Read in
    batches (:mod:`qualcode.analysis.segments`); ``_reference`` builds it from
    the whole loaded project instead, as tests do to compare the two.
    """
    if not _reference:
        found = segments(
            project,
            include_interviewer=include_interviewer,
            include_pending=include_pending,
            coders=coders,
            code_ids=code_ids,
        )
        return segments_table(found)
    corpus = load_corpus(
        project, include_interviewer=include_interviewer, include_pending=include_pending, coders=coders
    )
    frame = segments_frame(corpus)
    if code_ids is not None:
        frame = frame[frame["code_id"].isin(code_ids)].reset_index(drop=True)
    return frame


def segments_frame(corpus: Corpus) -> pd.DataFrame:
    """The :func:`coded_segments` table for an already loaded corpus."""
    names = corpus.attribute_names()
    rows = [segment_row(cc, corpus.participants, names) for cc in corpus.codings]
    columns = [
        "coding_id",
        "code_id",
        "code",
        "path",
        "document_id",
        "document",
        "participant_id",
        "participant",
        "participants",
    ]
    columns += [f"attr:{n}" for n in names]
    columns += [
        "turn_id",
        "turn_ids",
        "speaker",
        "speakers",
        "role",
        "start",
        "end",
        "words",
        "status",
        "origin",
        "coder",
        "text",
    ]
    frame = pd.DataFrame(rows, columns=columns)
    for column in ("participant_id", "turn_id"):
        frame[column] = frame[column].astype("Int64")
    frame.attrs.update(corpus.options.metadata())
    return frame


def _tally(
    items: Iterable[CountedCoding], keep: "Callable[[int | None], bool] | None" = None
) -> tuple[int, set[int], set[int]]:
    """Codings, distinct documents and distinct (known) participants.

    With ``keep`` (a test on a participant id, ``None`` for unattributed) a
    coding counts when at least one of its participants passes, and only
    those participants are counted: a focus-group excerpt of two members in
    different groups counts once in each group.
    """
    n, docs, people = 0, set(), set()
    for cc in items:
        mine = [p for p in cc.units() if keep is None or keep(p)]
        if not mine:
            continue
        n += 1
        docs.add(cc.document.id)
        people.update(p for p in mine if p is not None)
    return n, docs, people


def groups_for(corpus: Corpus, by: list[str]) -> list[Group]:
    """Marginal groups of each attribute, then the crossed groups of two attributes."""
    groups = [Group((a,), (v,), n) for a in by for v, n in corpus.group_base(a).items()]
    if len(by) == 2:
        a, b = by
        crossed: dict[tuple[str, str], int] = {}
        for p in corpus.scope:
            key = (corpus.attribute(p.id, a), corpus.attribute(p.id, b))
            crossed[key] = crossed.get(key, 0) + 1
        for va in corpus.group_base(a):
            for vb in corpus.group_base(b):
                if (va, vb) in crossed:
                    groups.append(Group((a, b), (va, vb), crossed[(va, vb)]))
    return groups


def _in_group(corpus: Corpus, pid: int | None, group: Group) -> bool:
    return all(corpus.attribute(pid, a) == v for a, v in zip(group.attrs, group.values))


def frequencies_from(corpus: Corpus, code_rows: list, by: list[str]) -> pd.DataFrame:
    """The frequency table for a loaded corpus (see :func:`frequencies`)."""
    own: dict[int, list[CountedCoding]] = {}
    for cc in corpus.codings:
        own.setdefault(cc.code.id, []).append(cc)
    base = len(corpus.scope)
    groups = groups_for(corpus, by)
    rows = []
    for code in code_rows:
        mine = own.get(code.id, [])
        rolled = [cc for cid in corpus.subtree[code.id] for cc in own.get(cid, [])]
        n, docs, people = _tally(rolled)
        own_n, own_docs, own_people = _tally(mine)
        row: dict[str, Any] = {
            "code_id": code.id,
            "code": code.name,
            "path": code.path,
            "depth": code.depth,
            "description": code.description,
            "codings": n,
            "documents": len(docs),
            "participants": len(people),
            "participants_percent": percent(len(people), base),
            "participants_base": base,
            "own_codings": own_n,
            "own_documents": len(own_docs),
            "own_participants": len(own_people),
            "own_participants_percent": percent(len(own_people), base),
        }
        for group in groups:
            g_n, _, g_people = _tally(rolled, lambda pid, g=group: _in_group(corpus, pid, g))
            row[group.column("codings")] = g_n
            row[group.column("participants")] = len(g_people)
            row[group.column("participants_percent")] = percent(len(g_people), group.base)
        rows.append(row)
    frame = pd.DataFrame(rows)
    if frame.empty:
        frame = pd.DataFrame(columns=["code_id", "code", "path", "depth", "codings", "documents", "participants"])
    frame.attrs.update(corpus.options.metadata())
    frame.attrs.update({"participants_base": base, "by": list(by), "groups": [g.as_meta() for g in groups]})
    return frame


def frequencies(
    project: "Project",
    by: list[str] | None = None,
    codes: list[str | int] | None = None,
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    coders: list[str] | None = None,
) -> pd.DataFrame:
    """One row per code: rolled-up and own codings, documents, participants and % of participants.

    ``codings``/``documents``/``participants`` are rolled up over the code's
    subtree (codings summed, documents and participants distinct); ``own_*``
    are for the code alone. With ``by`` (one or two participant attributes)
    each group gets ``"ATTR=VALUE: codings"``, ``": participants"`` and
    ``": participants_percent"`` columns, the percentage taken over that
    group's participants in scope; two attributes also give crossed groups
    (``"A=x & B=y: …"``). ``DataFrame.attrs`` records the base, the groups
    and which statuses were counted.

    Raises:
        ValidationError: unknown attribute or more than two.
        NotFoundError: a code in ``codes`` does not exist.
    """
    return frequencies_sql(
        project,
        by=by,
        codes=codes,
        include_interviewer=include_interviewer,
        include_pending=include_pending,
        coders=coders,
    )


def json_value(value: Any) -> Any:
    """NaN/None to ``None``, numpy scalars to Python numbers (for JSON)."""
    if value is None:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return value.item() if hasattr(value, "item") else value


def group_block(row: pd.Series, group: dict[str, Any]) -> dict[str, Any]:
    label = group["label"]
    block = {stat: json_value(row.get(f"{label}: {stat}")) for stat in STATS}
    block["participants_base"] = group["base"]
    return block


def frequency_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The frequency table in the stable JSON shape.

    ``[{"code", "path", "codings", "documents", "participants",
    "participants_percent", "by": {ATTR: {VALUE: {"codings", "participants",
    "participants_percent"}}}, ...}]``; crossed groups of two attributes go
    to ``"by_cross": {VALUE_A: {VALUE_B: {...}}}``.
    """
    groups = frame.attrs.get("groups", [])
    keys = (
        "code",
        "path",
        "depth",
        "codings",
        "documents",
        "participants",
        "participants_percent",
        "participants_base",
        "own_codings",
        "own_documents",
        "own_participants",
        "own_participants_percent",
    )
    meta = {k: frame.attrs.get(k) for k in ("include_pending", "include_interviewer")}
    if frame.attrs.get("coders"):
        meta["coders"] = list(frame.attrs["coders"])
    out = []
    for _, row in frame.iterrows():
        record = {k: json_value(row.get(k)) for k in keys if k in row}
        by: dict[str, dict[str, Any]] = {}
        cross: dict[str, dict[str, Any]] = {}
        for group in groups:
            if len(group["attrs"]) == 1:
                by.setdefault(group["attrs"][0], {})[group["values"][0]] = group_block(row, group)
            else:
                cross.setdefault(group["values"][0], {})[group["values"][1]] = group_block(row, group)
        record["by"] = by
        if cross:
            record["by_cross"] = cross
        record.update(meta)
        out.append(record)
    return out


__all__ = [
    "MISSING",
    "Group",
    "coded_segments",
    "frequencies",
    "frequency_records",
    "groups_for",
    "percent",
    "segments_frame",
]
