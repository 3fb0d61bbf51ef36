"""From scores to codings: thresholds, the rate ceiling, definitions, vetoes, the deepest level.

Why a separate step: the same fitted scores are decided differently for a
whole run (the ceiling counts units of the run) than they are scored, and
every rule here is one an analyst should be able to read and check:

1. a modelled code is on where its confidence reaches its threshold;
2. a code on more than ``ceiling`` x its training rate of the units keeps
   only its most confident ones, plus any at or above ``high``;
3. a code too thin to model is on where the unit is the most similar of
   its siblings to its definition profile, by at least ``definition_min``
   under a parent that is on, or ``definition_alone`` otherwise;
4. exclude vetoes and ``(use X)`` preferences switch codes off;
5. a code that is on is written only when none of its descendants is: the
   deepest level wins, and a theme written because none of its leaves
   passed carries the leaves' scores in its provenance (a back-off).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple

from qualcode.autotag.evidence import use_instead, veto_hits

if TYPE_CHECKING:
    import numpy as np

    from qualcode.autotag.tagger import Tagger


DEFINITION_CONFIDENCE = 0.5  # the most a definition-only proposal may claim


class Proposal(NamedTuple):
    """One code for one unit, with why: ``rule`` is the model id plus back-off or definition detail."""

    unit: int
    code_id: int
    confidence: float
    rule: str


def ceiling_count(rate: float, n_units: int, ceiling: float) -> int:
    """The most units a code may be predicted on: ``ceiling`` x its training rate, at least one."""
    return max(1, math.ceil(ceiling * rate * n_units))


@dataclass(slots=True)
class Decisions:
    """The decision matrices over ``tagger.profile_ids``: what is written, with which confidence and why."""

    written: "np.ndarray"  # bool (units x codes): on, and no descendant on
    value: "np.ndarray"  # the confidence a coding carries
    score: "np.ndarray"  # confidence for modelled codes, profile similarity for thin ones
    definition: "np.ndarray"  # bool per code: decided from its definition


def decide(tagger: "Tagger", conf: "np.ndarray", sims: "np.ndarray", texts: Sequence[str]) -> list["Proposal"]:
    """Every proposal for the units whose confidences and similarities are given."""
    import numpy as np

    ids = tagger.profile_ids
    if conf.shape[0] == 0 or not ids:
        return []
    d = decide_matrix(tagger, conf, sims, texts)
    col = {c: k for k, c in enumerate(ids)}
    tree = tagger.tree
    names = {c.id: c.name for c in tagger.codes}
    score, definition = d.score, d.definition
    us, js = np.nonzero(d.written)
    vals = d.value[us, js].tolist()
    plain = [not definition[j] and not tree.children[c] for j, c in enumerate(ids)]
    out: list[Proposal] = []
    for u, j, v in zip(us.tolist(), js.tolist(), vals):
        c = ids[j]
        if plain[j]:  # the common case, kept cheap: a leaf (or childless code) decided on its own score
            out.append(Proposal(u, c, v, tagger.model_id))
            continue
        rule = tagger.model_id
        if definition[j]:
            rule += f" definition {score[u, j]:.2f}"
        else:
            ranked = sorted(tree.children[c], key=lambda x: -score[u, col[x]])[:3]
            rule += " backoff " + ", ".join(f"{names[x]}={score[u, col[x]]:.2f}" for x in ranked)
        out.append(Proposal(u, c, v, rule))
    return out


def decide_matrix(tagger: "Tagger", conf: "np.ndarray", sims: "np.ndarray", texts: Sequence[str]) -> Decisions:
    """Steps 1-5 of the module docstring as matrices (no per-coding Python objects)."""
    import numpy as np

    p = tagger.params
    n = conf.shape[0]
    ids = tagger.profile_ids
    col = {c: k for k, c in enumerate(ids)}
    tree = tagger.tree
    definition = np.zeros(len(ids), dtype=bool)
    mcols = [col[c] for c in tagger.code_ids]
    if mcols == list(range(len(ids))):  # every code modelled, same order: no copies
        score = value = conf
    else:
        score = np.zeros((n, len(ids)))  # confidence for modelled codes, profile similarity for thin ones
        value = np.zeros((n, len(ids)))  # the confidence a coding would carry
        score[:, mcols] = conf
        value[:, mcols] = conf
    hit = conf >= np.array([tagger.thresholds[c] for c in tagger.code_ids])[None, :]
    allowed = np.array([ceiling_count(tagger.rates[c], n, p.ceiling) for c in tagger.code_ids], dtype=int)
    for k in np.flatnonzero(hit.sum(0) > allowed):  # only codes over their ceiling need sorting
        hit[:, k] = _cap(hit[:, k], conf[:, k], int(allowed[k]), p.high)
    if mcols == list(range(len(ids))):
        on = hit
    else:
        on = np.zeros((n, len(ids)), dtype=bool)
        on[:, mcols] = hit
    modelled = set(tagger.code_ids)
    prior = 1.0 / len(ids)
    tops = [c for c in ids if tree.parent[c] is None]
    for c in ids:  # depth-first order: a parent is decided before its children
        if c in modelled:
            continue
        j = col[c]
        s = sims[:, j]
        score[:, j] = s
        parent = tree.parent[c]
        siblings = [col[x] for x in (tree.children[parent] if parent is not None else tops)]
        best = s >= sims[:, siblings].max(axis=1)
        parent_on = on[:, col[parent]] if parent is not None else np.zeros(n, dtype=bool)
        hit = best & (s > 0) & (((s >= p.definition_min) & parent_on) | (s >= p.definition_alone))
        value[:, j] = DEFINITION_CONFIDENCE * np.minimum(1.0, s / p.definition_alone)
        on[:, j] = _cap(hit, s, ceiling_count(prior, n, p.ceiling), 2.0)
        definition[j] = True
    for u, c in veto_hits(tagger.codes, texts):
        if c in col:
            on[u, col[c]] = False
    for c in ids:
        for other in use_instead(next(x for x in tagger.codes if x.id == c), tagger.codes):
            if other in col:
                j, o = col[c], col[other]
                on[:, j] &= ~(on[:, o] & (value[:, o] > value[:, j]))
    # The deepest level: a code whose subtree has another code on is implied, not written.
    below = np.zeros_like(on)  # any strict descendant on
    for c in reversed(ids):
        for ch in tree.children[c]:
            below[:, col[c]] |= on[:, col[ch]] | below[:, col[ch]]
    return Decisions(on & ~below, value, score, definition)


def _cap(hit: "np.ndarray", s: "np.ndarray", allowed: int, high: float) -> "np.ndarray":
    """Every hit with ``s >= high``, plus at most ``allowed`` others (the highest ``s``)."""
    import numpy as np

    idx = np.flatnonzero(hit & (s < high))
    if len(idx) <= allowed:
        return hit
    out = hit & (s >= high)
    out[idx[np.argsort(-s[idx], kind="stable")][:allowed]] = True
    return out
