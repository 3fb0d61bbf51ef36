"""The learning curve: how good is auto-tagging after k coded documents?

Why this evaluation rather than K-fold CV alone: an analyst codes a few
interviews by hand and asks the tool to pre-tag the rest. So each point
trains on the first ``k`` coded documents of a seeded random order and
tests on all the others (k = 1 … n-1), repeated over ``repeats`` orders,
and is scored twice: per code at the unit level (``turn``) and per
top-level theme (``theme``: a unit has a theme when it has the theme or any
code under it). Four methods are scored the same way:

- ``model``: the hierarchy-aware tagger (:mod:`qualcode.autotag.tagger`);
- ``previous``: the one-vs-rest logistic model it replaced
  (:mod:`qualcode.autotag.classifier`, default parameters);
- ``commonest``: every unit gets the commonest code of the training units
  (turn level) or the commonest theme (theme level);
- ``keywords``: the codebook's keyword rules (a code's name stands in as
  its keyword when it has none); needs no training.

Scores: micro precision, recall and F1 over every (unit, code) decision;
macro-F1 is the mean F1 of the codes (or themes) a human used in the test
documents; kappa is Cohen's over every (unit, code) yes/no decision.
Points are means over the repeats.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.autotag.calibration import ReliabilityBin, expected_calibration_error, reliability
from qualcode.errors import ValidationError

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project

CURVE_METHODS: tuple[str, ...] = ("model", "previous", "commonest", "keywords")
LEVELS: tuple[str, ...] = ("turn", "theme")
_FIELDS = ("micro_f1", "macro_f1", "precision", "recall", "kappa")


@dataclass(frozen=True, slots=True)
class CurvePoint:
    """Mean scores of one method at one level after ``k`` training documents."""

    k: int
    level: str
    method: str
    micro_f1: float
    macro_f1: float
    precision: float
    recall: float
    kappa: float
    runs: int

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"k": self.k, "level": self.level, "method": self.method, "runs": self.runs}
        out.update({f: round(getattr(self, f), 4) for f in _FIELDS})
        return out


@dataclass(slots=True)
class LearningCurve:
    """Every point of the curve, plus the model's reliability over all test decisions."""

    documents: int
    units: int
    repeats: int
    seed: int
    unit: str
    points: list[CurvePoint]
    reliability: list[ReliabilityBin] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The scripting contract of ``qualcode autotag evaluate --by-document --json``."""
        return {
            "documents": self.documents,
            "units": self.units,
            "repeats": self.repeats,
            "seed": self.seed,
            "unit": self.unit,
            "points": [p.to_json() for p in self.points],
            "reliability": [
                {
                    "lower": b.lower,
                    "upper": b.upper,
                    "n": b.n,
                    "mean_confidence": round(b.mean_confidence, 4),
                    "observed": round(b.observed, 4),
                }
                for b in self.reliability
            ],
            "ece": round(expected_calibration_error(self.reliability), 4),
        }

    def point(self, k: int, level: str, method: str) -> CurvePoint | None:
        return next((p for p in self.points if (p.k, p.level, p.method) == (k, level, method)), None)


def level_scores(Y: "np.ndarray", D: "np.ndarray") -> dict[str, float]:
    """Micro P/R/F1, macro-F1 over columns a human used, and flattened kappa of two 0/1 matrices."""
    import numpy as np

    from qualcode.autotag.evaluate import cohen_kappa

    y, d = np.asarray(Y, dtype=bool), np.asarray(D, dtype=bool)
    tp, fp, fn = (y & d).sum(0), (~y & d).sum(0), (y & ~d).sum(0)
    used = y.any(0)
    f1 = np.where(2 * tp + fp + fn > 0, 2 * tp / np.maximum(2 * tp + fp + fn, 1), 0.0)
    T, P, N = tp.sum(), fp.sum(), fn.sum()
    return {
        "micro_f1": float(2 * T / max(1, 2 * T + P + N)),
        "macro_f1": float(f1[used].mean()) if used.any() else 0.0,
        "precision": float(T / max(1, T + P)),
        "recall": float(T / max(1, T + N)),
        "kappa": float(cohen_kappa(y, d)),
    }


def learning_curve(
    project: "Project",
    *,
    unit: str = "turn",
    repeats: int = 3,
    seed: int = 0,
    methods: Sequence[str] = CURVE_METHODS,
    documents: Sequence[str] | None = None,
    max_k: int | None = None,
    include_interviewer: bool = False,
    on_progress: Callable[[int, int], None] | None = None,
) -> LearningCurve:
    """Train on the first k coded documents of seeded random orders; score the rest.

    Raises:
        ValidationError: fewer than two coded documents, an unknown method or
            a bad repeat count.
    """
    import numpy as np

    from qualcode.autotag.classifier import lemmatise
    from qualcode.autotag.evidence import CodeTree
    from qualcode.autotag.run import training_set

    unknown = [m for m in methods if m not in CURVE_METHODS]
    if unknown:
        raise ValidationError(f"unknown method {', '.join(unknown)}; use {', '.join(CURVE_METHODS)}")
    if repeats < 1:
        raise ValidationError("repeats must be at least 1")
    units, labels = training_set(project, unit, include_interviewer)
    if documents:
        wanted = {project.documents.resolve(d).id for d in documents}
        keep = [i for i, u in enumerate(units) if u.document_id in wanted]
        units, labels = [units[i] for i in keep], [labels[i] for i in keep]
    docs = sorted({u.document_id for u in units})
    if len(docs) < 2:
        raise ValidationError("a learning curve needs at least two coded documents")
    codes = project.codes.all()
    tree = CodeTree.of(codes)
    ids = [c.id for c in codes]
    col = {c: j for j, c in enumerate(ids)}
    themes = [c for c in ids if tree.parent[c] is None]
    tcol = {c: j for j, c in enumerate(themes)}
    theme_of = np.array([tcol[tree.top(c)] for c in ids])
    texts = [u.text for u in units]
    lemmas = lemmatise(texts) if {"model", "previous"} & set(methods) else texts
    Y = _matrix([lab for lab in labels], col, len(units))
    kw = _keyword_matrix(codes, texts, col) if "keywords" in methods else None
    doc_of = np.array([u.document_id for u in units])
    last = min(len(docs) - 1, max_k or len(docs) - 1)
    acc: dict[tuple[int, str, str], list[dict[str, float]]] = {}
    confs: list[Any] = []
    truths: list[Any] = []
    steps, done = repeats * last, 0
    for r in range(repeats):
        order = np.random.default_rng(seed + r).permutation(docs)
        for k in range(1, last + 1):
            tr = np.flatnonzero(np.isin(doc_of, order[:k]))
            te = np.flatnonzero(~np.isin(doc_of, order[:k]))
            ctx = _Context(codes, ids, col, tree, lemmas, texts, labels, Y, kw, doc_of, seed)
            for m in methods:
                D, extra = _predict(m, ctx, tr, te)
                if extra is not None:
                    confs.append(np.ravel(extra[0]))
                    truths.append(np.ravel(extra[1]))
                for level in LEVELS:
                    yt, dt = (
                        (Y[te], D)
                        if level == "turn"
                        else (_themes(Y[te], theme_of, len(themes)), _themes(D, theme_of, len(themes)))
                    )
                    if m == "commonest" and level == "theme":
                        dt = _commonest(_themes(Y[tr], theme_of, len(themes)), len(te))
                    acc.setdefault((k, level, m), []).append(level_scores(yt, dt))
            done += 1
            if on_progress:
                on_progress(done, steps)
    points = [
        CurvePoint(k, level, m, *(float(np.mean([s[f] for s in runs])) for f in _FIELDS), len(runs))
        for (k, level, m), runs in sorted(
            acc.items(), key=lambda kv: (kv[0][0], LEVELS.index(kv[0][1]), CURVE_METHODS.index(kv[0][2]))
        )
    ]
    rel = reliability(np.concatenate(confs), np.concatenate(truths)) if confs else []
    return LearningCurve(len(docs), len(units), repeats, seed, unit, points, rel)


@dataclass(slots=True)
class _Context:
    codes: list[Any]
    ids: list[int]
    col: dict[int, int]
    tree: Any
    lemmas: list[str]
    texts: list[str]
    labels: list[set[int]]
    Y: Any
    kw: Any
    doc_of: Any
    seed: int


def _matrix(labels: Sequence[set[int]], col: dict[int, int], n: int) -> "np.ndarray":
    import numpy as np

    M = np.zeros((n, len(col)), dtype=bool)
    for i, lab in enumerate(labels):
        for c in lab:
            if c in col:
                M[i, col[c]] = True
    return M


def _themes(M: "np.ndarray", theme_of: "np.ndarray", n_themes: int) -> "np.ndarray":
    """A unit has a theme when it has the theme or any code under it."""
    import numpy as np

    out = np.zeros((M.shape[0], n_themes), dtype=bool)
    for j in range(M.shape[1]):
        out[:, theme_of[j]] |= M[:, j]
    return out


def _commonest(train: "np.ndarray", n: int) -> "np.ndarray":
    import numpy as np

    D = np.zeros((n, train.shape[1]), dtype=bool)
    if train.any():
        D[:, int(train.sum(0).argmax())] = True
    return D


def _keyword_matrix(codes: Sequence[Any], texts: Sequence[str], col: dict[int, int]) -> "np.ndarray":
    import numpy as np

    from qualcode.autotag.rules import RuleMatcher

    M = np.zeros((len(texts), len(col)), dtype=bool)
    for h in RuleMatcher(codes, names_as_keywords=True).match(texts):
        M[h.unit, col[h.code_id]] = True
    return M


def _predict(method: str, ctx: _Context, tr: Any, te: Any) -> tuple[Any, Any]:
    """One method's test decisions (and, for the model, its confidences and the expanded truth)."""
    import numpy as np

    if method == "keywords":
        return ctx.kw[te], None
    if method == "commonest":
        return _commonest(ctx.Y[tr], len(te)), None
    lem_tr = [ctx.lemmas[i] for i in tr]
    lab_tr = [ctx.labels[i] for i in tr]
    D = np.zeros((len(te), len(ctx.ids)), dtype=bool)
    if method == "previous":
        from qualcode.autotag.classifier import ModelParams, train

        model = train(lem_tr, lab_tr, ctx.ids, ModelParams(seed=ctx.seed), groups=ctx.doc_of[tr].tolist())
        if model.code_ids:
            hits = model.decisions(model.probabilities([ctx.lemmas[i] for i in te]))
            D[:, [ctx.col[c] for c in model.code_ids]] = hits
        return D, None
    from qualcode.autotag.tagger import TaggerParams, train_tagger

    tagger = train_tagger(lem_tr, lab_tr, ctx.codes, TaggerParams(seed=ctx.seed), groups=ctx.doc_of[tr].tolist())
    lem_te = [ctx.lemmas[i] for i in te]
    for p in tagger.propose(lem_te, [ctx.texts[i] for i in te]):
        D[p.unit, ctx.col[p.code_id]] = True
    extra = None
    if tagger.code_ids:
        conf = tagger.scores(tagger.vectorizer.transform(lem_te))
        expanded = [ctx.tree.expand(ctx.labels[i]) for i in te]
        truth = np.array([[c in lab for c in tagger.code_ids] for lab in expanded], dtype=bool)
        extra = (conf, truth)
    return D, extra
