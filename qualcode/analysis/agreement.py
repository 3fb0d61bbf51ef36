"""Intercoder agreement: Cohen's kappa, Krippendorff's alpha, % agreement, disagreements.

Why: a team that double-codes must show how far its coders agree, code by
code, and then talk through the places where they differ (NVivo's coding
comparison, ATLAS.ti's ICA, MAXQDA's intercoder agreement). The rules:

* **Coders** are the ``coder`` field of codings. Only human codings count
  (origin ``manual``, not rejected); ``include_machine`` adds *confirmed*
  machine codings under their own coder (``autotag`` becomes a coder).
* **Units**: ``turn`` (participant turns; interviewer turns only with
  ``include_interviewer``), ``sentence`` (the sentences of those turns, from
  :func:`qualcode.text.sentence_spans_many`) or ``character`` (every
  character of those turns, NVivo's "by characters"; counts are characters).
* A coder **applied** code C to unit U when one of their codings of C
  overlaps U by at least one non-space character (the attribution rule of
  the tables; a question+answer coding applies to the answer's turn). With ``rollup`` the rows are themes
  (top-level codes, or the named codes) and a unit has the theme when it has
  any code of the theme's subtree.
* **Scope**: a document counts only when at least two of the compared coders
  coded it (with two coders: both), so a document one coder never opened is
  not read as agreement on absence. A coder who did not code an in-scope
  document is *missing* there: alpha skips them, kappa uses the units both
  coders of a pair decided. ``all_documents`` takes every document and every
  coder everywhere (not coding = absence).
* **Statistics** per code, on binary presence per unit: counts (``both`` =
  every present coder applied it, ``only[c]`` = c applied it and some other
  present coder did not, ``neither``), % agreement (units on which all present
  coders agree), Cohen's kappa (more than two coders: Light's kappa, the mean
  of the pairwise Cohen's kappas) and Krippendorff's alpha (nominal, missing
  data allowed). Kappa and alpha are undefined (``None``) when every decision
  is the same, e.g. a code nobody used; the row then carries a ``note``.
* **Overall**: mean kappa over the codes where it is defined; pooled kappa and
  pooled alpha over all unit × code decisions.

Kappa and alpha are small closed formulas, implemented here in numpy and
tested against ``sklearn.metrics.cohen_kappa_score`` and the ``krippendorff``
package, so the runtime needs neither sklearn's import time nor an extra
dependency. Character units are evaluated on "atoms" (maximal runs of
characters with identical decisions) weighted by their length: exact, and
fast on long transcripts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import TYPE_CHECKING

import numpy as np

from qualcode.analysis.reliability import (
    _alpha_binary,
    cohen_kappa_table,
    krippendorff_alpha_nominal,  # noqa: F401 - re-exported
)
from qualcode.errors import ValidationError
from qualcode.model import Code, Coding, Document

if TYPE_CHECKING:
    from qualcode.store import Project

UNITS: tuple[str, ...] = ("turn", "sentence", "character")


from qualcode.analysis.agreement_results import (  # noqa: E402 - re-exported
    AgreementResult,
    CodeAgreement,
    OverallAgreement,
)


# -- loading -------------------------------------------------------------------
@dataclass(slots=True)
class _DocUnits:
    """One in-scope document: its units, their weights and every decision."""

    document: Document
    present: list[int]  # indices into the compared coders
    spans: np.ndarray  # units × 2 (start, end)
    weights: np.ndarray  # 1 per unit, or its length for characters
    decisions: np.ndarray  # present coders × rows × units, bool


def _counts(c: Coding, include_machine: bool) -> bool:
    if c.origin == "manual":
        return c.status != "rejected"
    return include_machine and c.status == "confirmed"


def _choose_coders(wanted: Sequence[str] | None, known: list[str]) -> tuple[str, ...]:
    if wanted:
        chosen = tuple(dict.fromkeys(w.strip() for w in wanted if w.strip()))
        unknown = [c for c in chosen if c not in known]
        if unknown:
            raise ValidationError(f"no codings by coder {', '.join(unknown)}; coders: {', '.join(known) or 'none'}")
    else:
        chosen = tuple(known)
    if len(chosen) < 2:
        raise ValidationError(
            "agreement compares at least two coders; "
            f"{'coders found: ' + ', '.join(known) if known else 'no coder has coded anything'}"
        )
    return chosen


def _rows(project: "Project", codes: Sequence[str | int] | None, rollup: bool) -> list[tuple[Code, frozenset[int]]]:
    """The compared codes and the code ids each one stands for (its subtree with roll-up)."""
    everything = project.codes.all()
    children: dict[int | None, list[int]] = {}
    for c in everything:
        children.setdefault(c.parent_id, []).append(c.id)

    def subtree(cid: int) -> frozenset[int]:
        out = {cid}
        for child in children.get(cid, []):
            out |= subtree(child)
        return frozenset(out)

    if codes:
        named = [project.codes.resolve(ref).id for ref in codes]
        keep = set(named) if rollup else set().union(*(subtree(i) for i in named))
        chosen = [c for c in everything if c.id in keep]
    else:
        chosen = [c for c in everything if c.parent_id is None] if rollup else everything
    if not chosen:
        raise ValidationError("the codebook is empty: nothing to compare")
    return [(c, subtree(c.id) if rollup else frozenset([c.id])) for c in chosen]


def _unit_spans(
    project: "Project", docs: list[Document], unit: str, include_interviewer: bool, codings: dict[int, list[Coding]]
) -> list[np.ndarray]:
    """Per document, the units as (start, end) rows."""
    turns = [
        [
            (t.start, t.end)
            for t in project.documents.turns(d.id)
            if t.end > t.start and (include_interviewer or t.role == "participant")
        ]
        for d in docs
    ]
    if unit == "turn":
        return [np.array(ts, dtype=np.int64).reshape(-1, 2) for ts in turns]
    if unit == "sentence":
        from qualcode.text import sentence_spans_many

        texts = [d.text[s:e] for d, ts in zip(docs, turns) for s, e in ts]
        sents = iter(sentence_spans_many(texts))
        out = []
        for ts in turns:
            spans = [(s + a, s + b) for s, _ in ts for a, b in next(sents)]
            out.append(np.array(spans, dtype=np.int64).reshape(-1, 2))
        return out
    out = []
    for d, ts in zip(docs, turns):  # character: atoms between every coding boundary
        cuts = np.unique([x for c in codings.get(d.id, []) for x in (c.start, c.end)]).astype(np.int64)
        spans = []
        for s, e in ts:
            bounds = [s, *cuts[(cuts > s) & (cuts < e)].tolist(), e]
            spans += list(zip(bounds[:-1], bounds[1:]))
        out.append(np.array(spans, dtype=np.int64).reshape(-1, 2))
    return out


def _load(
    project: "Project",
    coders: Sequence[str] | None,
    unit: str,
    codes: Sequence[str | int] | None,
    rollup: bool,
    include_machine: bool,
    all_documents: bool,
    include_interviewer: bool,
) -> tuple[tuple[str, ...], list[tuple[Code, frozenset[int]]], list[_DocUnits]]:
    if unit not in UNITS:
        raise ValidationError(f"unknown unit {unit!r}; use one of {', '.join(UNITS)}")
    counted = [c for c in project.codings.all() if _counts(c, include_machine)]
    chosen = _choose_coders(coders, sorted({c.coder for c in counted}))
    index = {name: i for i, name in enumerate(chosen)}
    rows = _rows(project, codes, rollup)
    by_doc: dict[int, list[Coding]] = {}
    for c in counted:
        if c.coder in index:
            by_doc.setdefault(c.document_id, []).append(c)
    if all_documents:
        docs = project.documents.all()
        present = {d.id: list(range(len(chosen))) for d in docs}
    else:
        present = {did: sorted({index[c.coder] for c in cs}) for did, cs in by_doc.items()}
        present = {did: p for did, p in present.items() if len(p) >= 2}
        docs = [project.documents.get(did) for did in sorted(present)]
    if not docs:
        raise ValidationError(
            f"no document was coded by at least two of {', '.join(chosen)}; "
            "code the same documents, or use --all-documents"
        )
    code_index = {cid: j for j, cid in enumerate(sorted({cid for _, ids in rows for cid in ids}))}
    membership = np.zeros((len(rows), len(code_index)), dtype=bool)
    for r, (_, ids) in enumerate(rows):
        membership[r, [code_index[i] for i in ids]] = True
    out = []
    for doc, spans in zip(docs, _unit_spans(project, docs, unit, include_interviewer, by_doc)):
        who = present[doc.id]
        per_code = np.zeros((len(who), len(code_index), len(spans)), dtype=bool)
        slot = {ci: k for k, ci in enumerate(who)}
        cores = _cores(doc.text, spans) if unit != "character" else spans
        for c in by_doc.get(doc.id, []):
            if c.code_id in code_index:
                hit = (cores[:, 0] < c.end) & (cores[:, 1] > c.start)
                per_code[slot[index[c.coder]], code_index[c.code_id]] |= hit
        decisions = np.matmul(membership.astype(np.float32), per_code.astype(np.float32)) > 0
        weights = (spans[:, 1] - spans[:, 0]) if unit == "character" else np.ones(len(spans), dtype=np.int64)
        out.append(_DocUnits(doc, who, spans, weights, decisions))
    return chosen, rows, out


def _cores(text: str, spans: np.ndarray) -> np.ndarray:
    """Units without their leading and trailing white space.

    A coder applied a code to a unit when the coding overlaps it by at least
    one non-space character: the attribution rule of the frequency tables
    (:mod:`qualcode.analysis.attribution`), so a coding that ends on the
    line break before the next turn does not touch that turn.
    """
    out = spans.copy()
    for i, (s, e) in enumerate(spans.tolist()):
        piece = text[s:e]
        out[i, 0] = s + (len(piece) - len(piece.lstrip()))
        out[i, 1] = max(out[i, 0], e - (len(piece) - len(piece.rstrip())))
    return out


# -- agreement -----------------------------------------------------------------
def agreement(
    project: "Project",
    coders: Sequence[str] | None = None,
    unit: str = "turn",
    codes: Sequence[str | int] | None = None,
    rollup: bool = False,
    include_machine: bool = False,
    *,
    all_documents: bool = False,
    include_interviewer: bool = False,
) -> AgreementResult:
    """Per-code and overall agreement between coders (see the module docstring for the rules).

    Raises:
        ValidationError: fewer than two coders, an unknown coder or unit, or
            no document coded by two of the coders.
    """
    if unit == "turn":
        return _turn_agreement(project, coders, codes, rollup, include_machine, all_documents, include_interviewer)
    return _python_agreement(
        project,
        coders,
        unit,
        codes,
        rollup,
        include_machine,
        all_documents=all_documents,
        include_interviewer=include_interviewer,
    )


def _python_agreement(
    project: "Project",
    coders: Sequence[str] | None = None,
    unit: str = "turn",
    codes: Sequence[str | int] | None = None,
    rollup: bool = False,
    include_machine: bool = False,
    *,
    all_documents: bool = False,
    include_interviewer: bool = False,
) -> AgreementResult:
    """Agreement from per-document decision arrays (sentence and character units; the reference for turns)."""
    chosen, rows, docs = _load(
        project, coders, unit, codes, rollup, include_machine, all_documents, include_interviewer
    )
    if not any(len(du.spans) for du in docs):
        raise ValidationError(
            f"the {len(docs)} documents in scope have no {unit} units to compare; "
            "interviewer turns count only with --include-interviewer"
        )
    k, n_rows = len(chosen), len(rows)
    t = _Tables(k, n_rows)
    for du in docs:
        w = du.weights.astype(float)
        m = len(du.present)
        t.units += int(w.sum())
        yes = du.decisions.sum(axis=0)  # rows × units
        for v in range(m + 1):
            t.hist[:, m, v] += ((yes == v) * w).sum(axis=1)
        t.both += ((yes == m) * w).sum(axis=1)
        t.neither += ((yes == 0) * w).sum(axis=1)
        for s, ci in enumerate(du.present):
            t.only[ci] += ((du.decisions[s] & (yes < m)) * w).sum(axis=1)
        for (s, ci), (u, cj) in combinations(enumerate(du.present), 2):
            a, b = du.decisions[s], du.decisions[u]
            for q, cell in enumerate((a & b, a & ~b, ~a & b, ~a & ~b)):
                t.pairs[ci, cj, q] += (cell * w).sum(axis=1)
    return _result(chosen, unit, rows, t, tuple(d.document.name for d in docs), rollup, include_machine, all_documents)


@dataclass(slots=True)
class _Tables:
    """The sums every statistic is computed from (weighted unit counts)."""

    k: int
    n_rows: int
    hist: np.ndarray = field(init=False)  # [row, present coders, yes votes]
    only: np.ndarray = field(init=False)
    pairs: np.ndarray = field(init=False)  # [i, j, both/only i/only j/neither, row]
    both: np.ndarray = field(init=False)
    neither: np.ndarray = field(init=False)
    units: int = 0

    def __post_init__(self) -> None:
        k, n = self.k, self.n_rows
        self.hist, self.only = np.zeros((n, k + 1, k + 1)), np.zeros((k, n))
        self.pairs, self.both, self.neither = np.zeros((k, k, 4, n)), np.zeros(n), np.zeros(n)


def _turn_agreement(
    project: "Project",
    coders: Sequence[str] | None,
    codes: Sequence[str | int] | None,
    rollup: bool,
    include_machine: bool,
    all_documents: bool,
    include_interviewer: bool,
) -> AgreementResult:
    """Turn units from the pattern counts SQLite aggregates (:mod:`qualcode.store.decisions`)."""
    from qualcode.store.decisions import counted_coders, turn_decisions

    chosen = _choose_coders(coders, counted_coders(project, include_machine))
    rows = _rows(project, codes, rollup)
    found = turn_decisions(
        project,
        chosen,
        [sorted(ids) for _, ids in rows],
        include_machine=include_machine,
        include_interviewer=include_interviewer,
        all_documents=all_documents,
    )
    if not found.documents:
        raise ValidationError(
            f"no document was coded by at least two of {', '.join(chosen)}; "
            "code the same documents, or use --all-documents"
        )
    if not found.units:
        raise ValidationError(
            f"the {len(found.documents)} documents in scope have no turn units to compare; "
            "interviewer turns count only with --include-interviewer"
        )
    t = _Tables(len(chosen), len(rows))
    t.units = sum(found.units.values())
    seen: dict[tuple[int, int], int] = {}
    for (r, present, yes), n in found.applied.items():
        seen[(r, present)] = seen.get((r, present), 0) + n
        _add(t, r, present, yes, n)
    for r in range(len(rows)):
        for present, n in found.units.items():
            if n - seen.get((r, present), 0):
                _add(t, r, present, 0, n - seen.get((r, present), 0))
    return _result(
        chosen, "turn", rows, t, tuple(name for _, name in found.documents), rollup, include_machine, all_documents
    )


def _add(t: _Tables, r: int, present: int, yes: int, n: int) -> None:
    """``n`` units of row ``r`` where the coders of mask ``present`` were present and those of ``yes`` applied it."""
    who = [i for i in range(t.k) if present >> i & 1]
    m, v = len(who), bin(yes).count("1")
    t.hist[r, m, v] += n
    if v == m:
        t.both[r] += n
    if v == 0:
        t.neither[r] += n
    for i in who:
        if yes >> i & 1 and v < m:
            t.only[i, r] += n
    for i, j in combinations(who, 2):
        a, b = bool(yes >> i & 1), bool(yes >> j & 1)
        t.pairs[i, j, (0 if b else 1) if a else (2 if b else 3), r] += n


def _result(
    chosen: tuple[str, ...],
    unit: str,
    rows: list[tuple[Code, frozenset[int]]],
    t: _Tables,
    documents: tuple[str, ...],
    rollup: bool,
    include_machine: bool,
    all_documents: bool,
) -> AgreementResult:
    """Per-code and overall statistics from the sums."""
    k = len(chosen)
    hist, only, pairs, both, neither, units = t.hist, t.only, t.pairs, t.both, t.neither, t.units

    def kappa(table: np.ndarray) -> float | None:  # table: k × k × 4 (summed over rows or one row)
        values = [cohen_kappa_table(*table[i, j]) for i, j in combinations(range(k), 2) if table[i, j].sum() > 0]
        defined = [v for v in values if v is not None]
        return float(np.mean(defined)) if defined else None

    results = []
    for r, (code, _) in enumerate(rows):
        n = int(hist[r].sum())
        kap, alpha = kappa(pairs[..., r]), _alpha_binary(hist[r])
        note = None
        if kap is None or alpha is None:
            if both[r] + only[:, r].sum() == 0:
                note = "nobody applied it in the units compared: kappa and alpha undefined"
            elif neither[r] + only[:, r].sum() == 0:
                note = "every coder applied it to every unit: kappa and alpha undefined"
            else:
                note = "too few decisions to compute kappa or alpha"
        results.append(
            CodeAgreement(
                code.id,
                code.name,
                code.path,
                n,
                int(both[r]),
                {c: int(only[i, r]) for i, c in enumerate(chosen)},
                int(neither[r]),
                (both[r] + neither[r]) / n * 100 if n else None,
                kap,
                alpha,
                note,
            )
        )
    defined = [c.kappa for c in results if c.kappa is not None]
    decided = sum(c.units for c in results)
    overall = OverallAgreement(
        float(np.mean(defined)) if defined else None,
        kappa(pairs.sum(axis=-1)),
        _alpha_binary(hist.sum(axis=0)),
        float((both.sum() + neither.sum()) / decided * 100) if decided else None,
        len(defined),
    )
    return AgreementResult(
        chosen,
        unit,
        results,
        overall,
        documents,
        units,
        "cohen" if k == 2 else "light",
        rollup,
        include_machine,
        all_documents,
    )
