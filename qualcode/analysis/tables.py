"""Cross-tables over the counted codings: matrix, co-occurrence, presence,
coverage and saturation.

Why from one snapshot: the attribution rule (overlap with participant
turns, see :mod:`qualcode.analysis.attribution`) is applied once by
:mod:`qualcode.analysis.corpus`; every table below is computed from that
snapshot so they agree with the frequency table to the unit. A coding that
counts for two participants (a focus-group exchange) is in both of their
columns.
"""

from __future__ import annotations

from itertools import combinations
from typing import TYPE_CHECKING

import pandas as pd

from qualcode.analysis.corpus import MISSING, Corpus, CountedCoding, CountOptions, load_corpus
from qualcode.analysis.counted import cooccurrence_rows, coverage_rows, matrix_sql, presence_sql
from qualcode.errors import ValidationError
from qualcode.model import Code
from qualcode.text import count_words

if TYPE_CHECKING:
    from qualcode.store import Project

VALUES = ("codings", "participants", "words")


Unit = tuple[CountedCoding, "int | None"]
"""A counted coding and one participant it counts for (``None``: unattributed)."""


def _merged_words(items: list[Unit]) -> int:
    """Words in the union of the coded spans inside the attributed turns, so overlaps count once."""
    total = 0
    by_doc: dict[int, list[tuple[int, int]]] = {}
    texts: dict[int, str] = {}
    for cc, pid in items:
        by_doc.setdefault(cc.document.id, []).extend(cc.spans(pid))
        texts[cc.document.id] = cc.document.text
    for did, spans in by_doc.items():
        spans.sort()
        cur_s, cur_e = spans[0]
        for s, e in spans[1:]:
            if s <= cur_e:
                cur_e = max(cur_e, e)
            else:
                total += count_words(texts[did][cur_s:cur_e])
                cur_s, cur_e = s, e
        total += count_words(texts[did][cur_s:cur_e])
    return total


def _cell(items: list[Unit], value: str) -> int:
    if value == "codings":
        return len({cc.coding.id for cc, _ in items})
    if value == "participants":
        return len({pid for _, pid in items if pid is not None})
    return _merged_words(items) if items else 0


def _column_keys(corpus: Corpus, cols: str) -> tuple[list[tuple[object, str]], object]:
    """The matrix columns as (key, label) and a function giving a coding's key."""
    if cols == "document":
        return [(d.id, d.name) for d in corpus.documents], lambda cc, pid: cc.document.id
    if cols == "participant":
        return [(p.id, p.name) for p in corpus.scope], lambda cc, pid: pid
    if cols.startswith("attr:"):
        name = cols[5:]
        if name not in corpus.attribute_names():
            raise ValidationError(f"no participant attribute {name!r}")
        values = list(corpus.group_base(name))
        if MISSING not in values and any(
            corpus.attribute(pid, name) == MISSING for cc in corpus.codings for pid in cc.units()
        ):
            values.append(MISSING)  # codings with no participant, or one lacking the attribute
        return [(v, v) for v in values], lambda cc, pid: corpus.attribute(pid, name)
    raise ValidationError(f"matrix columns are document, participant or attr:NAME, not {cols!r}")


def _rolled(corpus: Corpus, rollup: bool) -> dict[int, list[CountedCoding]]:
    own: dict[int, list[CountedCoding]] = {}
    for cc in corpus.codings:
        own.setdefault(cc.code.id, []).append(cc)
    if not rollup:
        return own
    return {c.id: [cc for cid in corpus.subtree[c.id] for cc in own.get(cid, [])] for c in corpus.codes}


def matrix(
    project: "Project",
    rows: str = "code",
    cols: str = "document",
    value: str = "codings",
    *,
    codes: list[str | int] | None = None,
    rollup: bool = True,
    include_interviewer: bool = False,
    include_pending: bool = True,
    _reference: bool = False,
) -> pd.DataFrame:
    """Codes × documents, participants or groups of an attribute (``attr:NAME``).

    ``value`` is ``codings`` (count), ``participants`` (distinct people) or
    ``words`` (words in the union of coded spans, so overlaps count once).
    Rows are rolled up over sub-codes unless ``rollup`` is false. Index: the
    code path.
    """
    if rows != "code":
        raise ValidationError(f"matrix rows can only be 'code', not {rows!r}")
    if value not in VALUES:
        raise ValidationError(f"matrix value is one of {', '.join(VALUES)}, not {value!r}")
    if not _reference:  # set-based (words: batch by batch); the Python path below is the reference
        frame = matrix_sql(project, cols, value, codes, rollup, CountOptions(include_interviewer, include_pending))
        frame.attrs.update({"rows": rows, "cols": cols, "value": value, "rollup": rollup})
        return frame
    corpus = load_corpus(project, include_interviewer=include_interviewer, include_pending=include_pending)
    keys, key_of = _column_keys(corpus, cols)
    per_code = _rolled(corpus, rollup)
    data = {}
    for code in corpus.code_rows(codes, project):
        items = per_code.get(code.id, [])
        buckets: dict[object, list[Unit]] = {}
        for cc in items:
            for pid in cc.units():
                buckets.setdefault(key_of(cc, pid), []).append((cc, pid))  # type: ignore[operator]
        data[code.path] = [_cell(buckets.get(k, []), value) for k, _ in keys]
    labels = [label for _, label in keys]
    frame = pd.DataFrame.from_dict(data, orient="index", columns=labels) if data else pd.DataFrame(columns=labels)
    frame.index.name = "code"
    frame.attrs.update(corpus.options.metadata())
    frame.attrs.update({"rows": rows, "cols": cols, "value": value, "rollup": rollup})
    return frame


def _turn_sets(corpus: Corpus) -> dict[int, set[int]]:
    """Own code id → ids of the turns it occurs in (every turn a coding is attributed to)."""
    turns: dict[int, set[int]] = {}
    for cc in corpus.codings:
        for t in cc.turns:
            turns.setdefault(cc.code.id, set()).add(t.id)
    return turns


def cooccurrence(
    project: "Project",
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    _reference: bool = False,
) -> pd.DataFrame:
    """Pairs of codes occurring in the same turn: turns with both, and Jaccard.

    For codes A and B with turn sets T(A), T(B) (a coding belongs to every
    participant turn it overlaps): ``turns`` = |T(A) ∩ T(B)|, ``jaccard`` =
    |T(A) ∩ T(B)| / |T(A) ∪ T(B)|, and ``overlapping`` = pairs of an A and a B
    coding in a shared turn whose spans actually overlap. Codes are counted
    as applied (no roll-up, so a theme never trivially co-occurs with its
    own sub-codes). Only pairs sharing a turn are listed, most frequent first.
    """
    options = CountOptions(include_interviewer, include_pending)
    if not _reference:  # set-based; the Python loop below is the reference
        return _cooccurrence_frame(cooccurrence_rows(project, options), options)
    corpus = load_corpus(project, include_interviewer=include_interviewer, include_pending=include_pending)
    sets = _turn_sets(corpus)
    by_code = {c.id: c for c in corpus.codes}
    rows = []
    for a, b in combinations([c.id for c in corpus.codes if c.id in sets], 2):
        both = sets[a] & sets[b]
        if not both:
            continue
        rows.append(
            {
                "code_a": by_code[a].name,
                "path_a": by_code[a].path,
                "code_b": by_code[b].name,
                "path_b": by_code[b].path,
                "turns": len(both),
                "turns_a": len(sets[a]),
                "turns_b": len(sets[b]),
                "jaccard": len(both) / len(sets[a] | sets[b]),
                "overlapping": _overlaps(corpus, a, b, both),
            }
        )
    return _cooccurrence_frame(rows, corpus.options)


def _cooccurrence_frame(rows: list[dict], options: CountOptions) -> pd.DataFrame:
    columns = ["code_a", "path_a", "code_b", "path_b", "turns", "turns_a", "turns_b", "jaccard", "overlapping"]
    frame = pd.DataFrame(rows, columns=columns)
    if not frame.empty:
        frame = frame.sort_values(["turns", "jaccard"], ascending=False, kind="stable").reset_index(drop=True)
    frame.attrs.update(options.metadata())
    return frame


def _overlaps(corpus: Corpus, a: int, b: int, turns: set[int]) -> int:
    spans_a = [cc.coding for cc in corpus.codings if cc.code.id == a and any(t.id in turns for t in cc.turns)]
    spans_b = [cc.coding for cc in corpus.codings if cc.code.id == b and any(t.id in turns for t in cc.turns)]
    return sum(
        1 for x in spans_a for y in spans_b if x.document_id == y.document_id and x.start < y.end and y.start < x.end
    )


def presence(
    project: "Project",
    unit: str = "participant",
    *,
    rollup: bool = True,
    include_interviewer: bool = False,
    include_pending: bool = True,
    _reference: bool = False,
) -> pd.DataFrame:
    """0/1 per unit (participant in scope, or document) × code path.

    Every participant in scope (or every document) gets a row, uncoded ones
    all zeros, so column sums are the participant (document) counts of the
    frequency table.
    """
    if unit not in ("participant", "document"):
        raise ValidationError(f"presence unit is participant or document, not {unit!r}")
    if not _reference:
        frame = presence_sql(project, unit, rollup, CountOptions(include_interviewer, include_pending))
        frame.attrs.update({"unit": unit, "rollup": rollup})
        return frame
    corpus = load_corpus(project, include_interviewer=include_interviewer, include_pending=include_pending)
    per_code = _rolled(corpus, rollup)
    units = (
        [(p.id, p.name) for p in corpus.scope] if unit == "participant" else [(d.id, d.name) for d in corpus.documents]
    )
    data = {}
    for code in corpus.codes:
        items = per_code.get(code.id, [])
        seen = (
            {pid for cc in items for pid in cc.participant_ids}
            if unit == "participant"
            else {cc.document.id for cc in items}
        )
        data[code.path] = [int(uid in seen) for uid, _ in units]
    frame = pd.DataFrame(data, index=[name for _, name in units], columns=[c.path for c in corpus.codes])
    frame.index.name = unit
    frame.attrs.update(corpus.options.metadata())
    frame.attrs.update({"unit": unit, "rollup": rollup})
    return frame


def coverage(
    project: "Project",
    min_participants: int = 1,
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    _reference: bool = False,
) -> pd.DataFrame:
    """Which codes are supported by at least ``min_participants`` participants.

    One row per code (rolled up): participants, % of participants, documents,
    ``meets_threshold`` and the participants' names, for the common rule
    "report a theme only when N or more participants raised it".
    """
    if min_participants < 0:
        raise ValidationError("min_participants cannot be negative")
    if not _reference:  # set-based; the Python loop below is the reference
        options = CountOptions(include_interviewer, include_pending)
        rows, base = coverage_rows(project, options, min_participants)
        return _coverage_frame(rows, options, min_participants, base)
    corpus = load_corpus(project, include_interviewer=include_interviewer, include_pending=include_pending)
    per_code = _rolled(corpus, True)
    base = len(corpus.scope)
    rows = []
    for code in corpus.codes:
        people = {pid for cc in per_code.get(code.id, []) for pid in cc.participant_ids}
        docs = {cc.document.id for cc in per_code.get(code.id, [])}
        names = sorted(corpus.participants[p].name for p in people)
        rows.append(
            {
                "code": code.name,
                "path": code.path,
                "depth": code.depth,
                "participants": len(people),
                "participants_percent": len(people) / base * 100.0 if base else None,
                "documents": len(docs),
                "meets_threshold": len(people) >= min_participants,
                "participant_names": ", ".join(names),
            }
        )
    return _coverage_frame(rows, corpus.options, min_participants, base)


def _coverage_frame(rows: list[dict], options: CountOptions, min_participants: int, base: int) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows,
        columns=[
            "code",
            "path",
            "depth",
            "participants",
            "participants_percent",
            "documents",
            "meets_threshold",
            "participant_names",
        ],
    )
    frame.attrs.update(options.metadata())
    frame.attrs.update({"min_participants": min_participants, "participants_base": base})
    return frame


def saturation(
    project: "Project", *, include_interviewer: bool = False, include_pending: bool = True, _reference: bool = False
) -> pd.DataFrame:
    """New codes per successive document, in import order (codes as applied).

    The classic saturation curve: when later documents add no new codes the
    codebook has stopped growing.
    """
    columns = ["seq", "document", "codes", "new_codes", "cumulative_codes", "new_code_paths"]
    if not _reference:  # set-based; the Python loop below is the reference
        from qualcode.analysis.counted_tables import saturation_rows

        options = CountOptions(include_interviewer, include_pending)
        frame = pd.DataFrame(saturation_rows(project, options), columns=columns)
        frame.attrs.update(options.metadata())
        return frame
    corpus = load_corpus(project, include_interviewer=include_interviewer, include_pending=include_pending)
    by_doc: dict[int, list[Code]] = {}
    for cc in corpus.codings:
        by_doc.setdefault(cc.document.id, []).append(cc.code)
    seen: set[int] = set()
    rows = []
    for seq, doc in enumerate(corpus.documents, 1):
        here = {c.id: c for c in by_doc.get(doc.id, [])}
        new = [c for cid, c in here.items() if cid not in seen]
        seen |= set(here)
        rows.append(
            {
                "seq": seq,
                "document": doc.name,
                "codes": len(here),
                "new_codes": len(new),
                "cumulative_codes": len(seen),
                "new_code_paths": "; ".join(sorted(c.path for c in new)),
            }
        )
    frame = pd.DataFrame(rows, columns=columns)
    frame.attrs.update(corpus.options.metadata())
    return frame


__all__ = ["MISSING", "cooccurrence", "coverage", "matrix", "presence", "saturation"]
