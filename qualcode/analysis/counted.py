"""The frequency table from set-based SQL: same numbers as :func:`qualcode.analysis.counts.frequencies_from`.

Why a second path: :func:`~qualcode.analysis.corpus.load_corpus` reads the
whole project into Python objects, which at 10^5–10^6 survey answers takes
longer than the table is worth and holds gigabytes. Here the counted units
are built and aggregated in SQLite (:mod:`qualcode.store.tables`), and only
the codebook and the per-code counts come back to Python. The Python path
stays the reference: tests compare the two on every fixture.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.attribution import check_coders
from qualcode.analysis.corpus import MISSING, CountOptions, subtrees
from qualcode.errors import ValidationError
from qualcode.model import Code

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.store.tables import CountedUnits


@dataclass(frozen=True, slots=True)
class Group:
    """One group of participants: attribute values and the group's base."""

    attrs: tuple[str, ...]
    values: tuple[str, ...]
    base: int

    @property
    def label(self) -> str:
        return " & ".join(f"{a}={v}" for a, v in zip(self.attrs, self.values))

    def column(self, stat: str) -> str:
        """The DataFrame column holding ``stat`` for this group."""
        return f"{self.label}: {stat}"

    def as_meta(self) -> dict[str, Any]:
        return {"attrs": list(self.attrs), "values": list(self.values), "base": self.base, "label": self.label}


def code_rows(project: "Project", codes_all: list[Code], codes: list[str | int] | None) -> list[Code]:
    """The codes to report: all, or the named ones with their sub-codes, in codebook order."""
    if not codes:
        return list(codes_all)
    tree = subtrees(codes_all)
    keep: set[int] = set()
    for ref in codes:
        keep |= tree[project.codes.resolve(ref).id]
    return [c for c in codes_all if c.id in keep]


def check_attributes(project: "Project", by: list[str] | str | None, *, most: int = 2) -> list[str]:
    """Validate grouping attributes as :func:`qualcode.analysis.corpus.check_by` does, from SQL."""
    if by is None:
        return []
    names = [by] if isinstance(by, str) else list(by)
    if len(names) > most:
        raise ValidationError(f"group by at most {most} attributes, not {len(names)}")
    known = project.tables.attribute_names()
    for name in names:
        if name not in known:
            listed = ", ".join(known) or "none"
            raise ValidationError(f"no participant attribute {name!r}; known attributes: {listed}")
    return names


def _order(values: list[str]) -> list[str]:
    return sorted(values, key=lambda v: (v == MISSING, v.casefold()))


def groups(
    project: "Project", by: list[str], units: "CountedUnits | None" = None
) -> list[tuple[tuple[str, ...], tuple[str, ...], int]]:
    """Marginal groups of each attribute, then crossed groups: ``(attrs, values, base)`` in table order."""
    source = units if units is not None else project.tables
    out = []
    marginal: dict[str, dict[str, int]] = {}
    for a in by:
        base = {k[0]: n for k, n in source.group_bases([a]).items()}
        marginal[a] = {v: base[v] for v in _order(list(base))}
        out += [((a,), (v,), n) for v, n in marginal[a].items()]
    if len(by) == 2:
        a, b = by
        crossed = source.group_bases(by)
        for va in marginal[a]:
            for vb in marginal[b]:
                if (va, vb) in crossed:
                    out.append(((a, b), (va, vb), crossed[(va, vb)]))
    return out


def _percent(part: int, base: int) -> float | None:
    return part / base * 100.0 if base else None


def frequency_frame(
    project: "Project",
    units: "CountedUnits",
    rows: list[Code],
    by: list[str],
    options: CountOptions,
) -> pd.DataFrame:
    """The frequency table (columns and attrs of :func:`~qualcode.analysis.counts.frequencies_from`)."""
    base = units.scope_size()
    if by:
        units.people(by)
    found = [Group(a, v, n) for a, v, n in groups(project, by, units)]
    rolled, own = units.tallies(rollup=True), units.tallies(rollup=False)
    per_group: dict[tuple[str, ...], dict] = {}
    for attrs in dict.fromkeys(g.attrs for g in found):
        per_group[attrs] = units.group_tallies(list(attrs))
    empty = (0, 0, 0)
    out = []
    for code in rows:
        n, docs, people = _triple(rolled.get(code.id)) or empty
        own_n, own_docs, own_people = _triple(own.get(code.id)) or empty
        row: dict[str, Any] = {
            "code_id": code.id,
            "code": code.name,
            "path": code.path,
            "depth": code.depth,
            "description": code.description,
            "codings": n,
            "documents": docs,
            "participants": people,
            "participants_percent": _percent(people, base),
            "participants_base": base,
            "own_codings": own_n,
            "own_documents": own_docs,
            "own_participants": own_people,
            "own_participants_percent": _percent(own_people, base),
        }
        for g in found:
            t = per_group[g.attrs].get((code.id, g.values))
            g_n, g_people = (t.codings, t.participants) if t else (0, 0)
            row[g.column("codings")] = g_n
            row[g.column("participants")] = g_people
            row[g.column("participants_percent")] = _percent(g_people, g.base)
        out.append(row)
    frame = pd.DataFrame(out)
    if frame.empty:
        frame = pd.DataFrame(columns=["code_id", "code", "path", "depth", "codings", "documents", "participants"])
    frame.attrs.update(options.metadata())
    frame.attrs.update({"participants_base": base, "by": list(by), "groups": [g.as_meta() for g in found]})
    return frame


def _triple(t: Any) -> tuple[int, int, int] | None:
    return (t.codings, t.documents, t.participants) if t is not None else None


def frequencies_sql(
    project: "Project",
    by: list[str] | None = None,
    codes: list[str | int] | None = None,
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    coders: list[str] | None = None,
) -> pd.DataFrame:
    """:func:`qualcode.analysis.counts.frequencies`, computed in SQLite."""
    chosen = check_coders(project, coders)
    options = CountOptions(include_interviewer=include_interviewer, include_pending=include_pending, coders=chosen)
    names = check_attributes(project, by)
    rows = code_rows(project, project.codes.all(), codes)
    with project.tables.counted(
        include_interviewer=include_interviewer, include_pending=include_pending, coders=chosen
    ) as units:
        return frequency_frame(project, units, rows, names, options)


def _matrix_columns(project: "Project", cols: str, cells: dict) -> list[tuple[object, str]]:
    """The matrix columns as (key, label), as :func:`qualcode.analysis.tables._column_keys` orders them."""
    if cols == "document":
        return list(project.tables.document_labels())
    if cols == "participant":
        return list(project.tables.scope_labels())
    name = cols[5:]
    base = {k[0]: n for k, n in project.tables.group_bases([name]).items()}
    values = _order(list(base))
    if MISSING not in values and any(key == MISSING for _, key in cells):
        values.append(MISSING)  # codings with no participant, or one lacking the attribute
    return [(v, v) for v in values]


def matrix_sql(
    project: "Project", cols: str, value: str, codes: list[str | int] | None, rollup: bool, options: CountOptions
) -> pd.DataFrame:
    """:func:`qualcode.analysis.tables.matrix` from SQL (``codings``, ``participants``) or batches (``words``)."""
    if cols.startswith("attr:"):
        if cols[5:] not in project.tables.attribute_names():
            raise ValidationError(f"no participant attribute {cols[5:]!r}")
        column, attr = "attr", cols[5:]
    elif cols in ("document", "participant"):
        column, attr = cols, None
    else:
        raise ValidationError(f"matrix columns are document, participant or attr:NAME, not {cols!r}")
    cells: dict[tuple[int, Any], Any]
    if value == "words":
        from qualcode.analysis.matrix_words import word_cells

        cells = word_cells(project, cols, rollup, options)
    else:
        with project.tables.counted(
            include_interviewer=options.include_interviewer, include_pending=options.include_pending
        ) as units:
            cells = units.cells(column, rollup=rollup, attr=attr)
    keys = _matrix_columns(project, cols, cells)
    pick = {
        "codings": lambda t: t.codings,
        "participants": lambda t: t.participants,
        "words": lambda t: t,
    }[value]
    data = {}
    for code in code_rows(project, project.codes.all(), codes):
        data[code.path] = [pick(cells[(code.id, k)]) if (code.id, k) in cells else 0 for k, _ in keys]
    labels = [label for _, label in keys]
    if data:
        import numpy as np

        # One int64 block: from_dict(orient="index") builds a codes × 10^5 documents frame column by column.
        frame = pd.DataFrame(np.array(list(data.values()), dtype="int64"), index=list(data), columns=labels)
    else:
        frame = pd.DataFrame(columns=labels)
    frame.index.name = "code"
    frame.attrs.update(options.metadata())
    return frame


def cooccurrence_rows(project: "Project", options: CountOptions) -> list[dict[str, Any]]:
    """The rows of :func:`qualcode.analysis.tables.cooccurrence` (before sorting), from SQL."""
    from itertools import combinations

    codes = project.codes.all()
    by_code = {c.id: c for c in codes}
    with project.tables.counted(
        include_interviewer=options.include_interviewer, include_pending=options.include_pending, turns=True
    ) as units:
        per_code, pairs = units.cooccurrence()
    rows = []
    for a, b in combinations([c.id for c in codes if c.id in per_code], 2):
        found = pairs.get((min(a, b), max(a, b)))
        if found is None:
            continue
        both, overlapping = found
        rows.append(
            {
                "code_a": by_code[a].name,
                "path_a": by_code[a].path,
                "code_b": by_code[b].name,
                "path_b": by_code[b].path,
                "turns": both,
                "turns_a": per_code[a],
                "turns_b": per_code[b],
                "jaccard": both / (per_code[a] + per_code[b] - both),
                "overlapping": overlapping,
            }
        )
    return rows


def coverage_rows(project: "Project", options: CountOptions, min_participants: int) -> tuple[list[dict[str, Any]], int]:
    """The rows of :func:`qualcode.analysis.tables.coverage` and the participants base, from SQL."""
    with project.tables.counted(
        include_interviewer=options.include_interviewer, include_pending=options.include_pending
    ) as units:
        base = units.scope_size()
        tallies = units.tallies(rollup=True)
        cells = units.cells("participant", rollup=True)
    names = {p.id: p.name for p in project.tables.participants(sorted({pid for _, pid in cells}))}
    people: dict[int, list[str]] = {}
    for code_id, pid in cells:
        people.setdefault(code_id, []).append(names[pid])
    rows = []
    for code in project.codes.all():
        t = tallies.get(code.id)
        n = t.participants if t else 0
        rows.append(
            {
                "code": code.name,
                "path": code.path,
                "depth": code.depth,
                "participants": n,
                "participants_percent": n / base * 100.0 if base else None,
                "documents": t.documents if t else 0,
                "meets_threshold": n >= min_participants,
                "participant_names": ", ".join(sorted(people.get(code.id, []))),
            }
        )
    return rows, base


def presence_sql(project: "Project", unit: str, rollup: bool, options: CountOptions) -> pd.DataFrame:
    """:func:`qualcode.analysis.tables.presence` from SQL: 1 where the code has a counted unit."""
    with project.tables.counted(
        include_interviewer=options.include_interviewer, include_pending=options.include_pending
    ) as units:
        cells = units.cells(unit, rollup=rollup)
    units_ = project.tables.scope_labels() if unit == "participant" else project.tables.document_labels()
    codes = project.codes.all()
    data = {c.path: [int((c.id, uid) in cells) for uid, _ in units_] for c in codes}
    frame = pd.DataFrame(data, index=[name for _, name in units_], columns=[c.path for c in codes])
    frame.index.name = unit
    frame.attrs.update(options.metadata())
    return frame


__all__ = [
    "Group",
    "coverage_rows",
    "check_attributes",
    "code_rows",
    "cooccurrence_rows",
    "frequencies_sql",
    "frequency_frame",
    "groups",
    "matrix_sql",
    "presence_sql",
    "subtrees",
]
