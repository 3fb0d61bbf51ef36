"""The hierarchy-aware auto-tagging model (the default ``model`` method).

Why this design, against what the previous model (``classifier.py``, kept
as ``--model previous``) got wrong after a few coded interviews:

- **One multi-label fit.** A ridge regression of every code's 0/1 column
  on TF-IDF features is a single ``Ridge.fit`` (iterative solver, one pass
  per column over the same sparse matrix), not a grid of liblinear fits per
  code; inner cross-validation refits it three times. Training on 10^4
  short answers takes seconds (``benchmarks/bench_autotag.py``).
- **The hierarchy.** A code's column is 1 where the code *or any of its
  descendants* was coded, so a theme has the examples its leaves lack.
  Decisions are made at the deepest level that has support: a leaf with at
  least ``min_examples`` examples gets its own threshold; when a theme
  passes and none of its leaves does, the coding goes on the theme, with
  the leaves' scores in the provenance (``rule``).
- **The codebook as evidence.** Each code's name, description, include
  notes, examples and keywords are added as training rows (weight
  ``codebook_weight``) and form a definition profile; a code with too few
  examples can be proposed when a unit is similar enough to its profile,
  at a confidence of at most ``DEFINITION_CONFIDENCE``. Exclude notes veto
  (see :mod:`qualcode.autotag.evidence`).
- **Thresholds, ceiling, abstention.** Per-code thresholds maximise F1 on
  out-of-fold (OOF) predictions grouped by document; a code may not be
  predicted on more than ``ceiling`` times its training rate of units
  unless its confidence is at least ``high``; a unit with no code above its
  threshold gets nothing.
- **Calibration.** One Platt sigmoid over all OOF (unit, code) scores maps
  a ridge score to a probability (monotone, so it changes no decision);
  ``autotag evaluate`` shows the reliability curve.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.autotag.decide import DEFINITION_CONFIDENCE, Proposal, ceiling_count, decide
from qualcode.autotag.evidence import CodeTree, definition_texts, use_instead

if TYPE_CHECKING:
    import numpy as np

    from qualcode.model import Code

CHAR_MAX = 3000  # training units up to which character n-grams are added (see _vectorizer)
DUAL_MAX = 3000  # training rows up to which the ridge kernel (n x n) is factorised directly


@dataclass(frozen=True, slots=True)
class TaggerParams:
    """Everything that changes what the tagger predicts (and so its id)."""

    min_examples: int = 5  # (expanded) positive units a code needs for its own threshold
    alpha: float = 3.0  # ridge regularisation
    cv_folds: int = 3
    seed: int = 0
    threshold: float | None = None  # a fixed (calibrated) threshold for every code instead of tuned ones
    codebook_weight: float = 0.5  # weight of a codebook text relative to a coded unit
    ceiling: float = 2.0  # a code's predicted rate may be at most this multiple of its training rate
    high: float = 0.9  # ... unless its confidence reaches this
    definition_min: float = 0.12  # profile similarity to propose a thin code under its predicted parent
    definition_alone: float = 0.3  # ... or with no parent predicted
    char_ngrams: bool | None = None  # None: only up to CHAR_MAX training units (they cost 6x, gain nothing there)


@dataclass(slots=True)
class Tagger:
    """A fitted hierarchy-aware tagger."""

    model_id: str
    params: TaggerParams
    codes: list["Code"]
    code_ids: list[int]  # modelled codes (columns of the ridge)
    thresholds: dict[int, float]
    rates: dict[int, float]
    skipped: dict[int, int] = field(default_factory=dict)  # codes without enough examples -> count
    vectorizer: Any = None
    regressor: Any = None
    profiles: Any = None  # (codes x features) l2-normalised definition profiles
    profile_ids: list[int] = field(default_factory=list)
    calibration: tuple[float, float] = (1.0, 0.0)

    @property
    def tree(self) -> CodeTree:
        return CodeTree.of(self.codes)

    def scores(self, X: Any) -> "np.ndarray":
        """Calibrated confidences (units x modelled codes) for a vectorised matrix."""
        import numpy as np
        from scipy.special import expit

        if not self.code_ids:
            return np.zeros((X.shape[0], 0))
        raw = np.asarray(self.regressor.predict(X)).reshape(X.shape[0], -1)
        a, b = self.calibration
        raw *= a
        raw += b
        return expit(raw, out=raw)

    def similarities(self, X: Any) -> "np.ndarray":
        """Cosine similarity of each unit to the definition profiles that decisions use.

        Only codes too thin to model, and their siblings, are compared (the
        other columns stay 0): when every code is modelled this costs nothing.
        """
        import numpy as np
        from sklearn.preprocessing import normalize

        out = np.zeros((X.shape[0], len(self.profile_ids)))
        if self.profiles is None:
            return out
        tree, modelled = self.tree, set(self.code_ids)
        tops = [c for c in self.profile_ids if tree.parent[c] is None]
        need: set[int] = set()
        for c in self.profile_ids:
            if c not in modelled:
                p = tree.parent[c]
                need.update(tree.children[p] if p is not None else tops)
        if need:
            cols = [j for j, c in enumerate(self.profile_ids) if c in need]
            out[:, cols] = (normalize(X) @ self.profiles[cols].T).toarray()
        return out

    def propose(self, lemma_texts: Sequence[str], raw_texts: Sequence[str] | None = None) -> list[Proposal]:
        """Decide codes for units: thresholds, ceiling, definitions, deepest level, vetoes."""
        X = self.vectorizer.transform(list(lemma_texts))
        return decide(self, self.scores(X), self.similarities(X), raw_texts if raw_texts is not None else lemma_texts)


def tagger_id(
    lemma_texts: Sequence[str], labels: Sequence[set[int]], codes: Sequence["Code"], params: TaggerParams
) -> str:
    """A content hash of training data, codebook and parameters, recorded on each coding."""
    h = hashlib.sha256(b"tagger")
    h.update(json.dumps(asdict(params), sort_keys=True).encode())
    for c in codes:
        h.update(json.dumps([c.id, c.parent_id, definition_texts(c), c.exclude, list(c.keywords)]).encode())
    for text, lab in zip(lemma_texts, labels):
        h.update(text.encode() + b"\x1f" + ",".join(str(c) for c in sorted(lab)).encode() + b"\x1e")
    return "model:" + h.hexdigest()[:12]


def _vectorizer(params: TaggerParams, n_units: int) -> Any:
    """Word 1-2-grams, plus character 3-5-grams for small training sets (short answers share stems).

    Why not always: on 10^4 BANKING77 segments they made training 6x slower
    for the same micro-F1 (0.976 both, ``benchmarks/bench_autotag.py``).
    """
    from qualcode.autotag.classifier import ModelParams, _vectorizer

    chars = params.char_ngrams if params.char_ngrams is not None else n_units <= CHAR_MAX
    return _vectorizer(ModelParams(char_ngrams=chars))


def _fit(X: Any, Y: "np.ndarray", B: Any, YB: "np.ndarray", params: TaggerParams) -> "_Linear":
    """One multi-output ridge fit on coded units plus (down-weighted) codebook rows.

    Solved in the dual, ``(Xw Xw' + alpha I) A = Yw`` and ``W = Xw' A`` with
    ``Xw = sqrt(w) X``, because there are fewer rows than TF-IDF features:
    up to ``DUAL_MAX`` rows by one Cholesky factorisation shared by every
    code; beyond that by conjugate gradients run on all codes' columns at
    once (each iteration is one sparse x dense product, not one per code).
    The intercept is a constant feature (lightly penalised).
    """
    import numpy as np
    import scipy.sparse as sp

    Xa = sp.vstack([X, B]).tocsr() if B is not None and B.shape[0] else X
    Ya = np.vstack([Y, YB]) if B is not None and B.shape[0] else Y
    w = np.concatenate([np.ones(X.shape[0]), np.full(Ya.shape[0] - X.shape[0], params.codebook_weight)])
    Xa = sp.hstack([Xa, sp.csr_matrix(np.ones((Xa.shape[0], 1)))]).tocsr()
    root = np.sqrt(w)
    Xw = sp.diags(root) @ Xa
    Yw = Ya.astype(float) * root[:, None]
    if Xw.shape[0] <= DUAL_MAX:
        from scipy.linalg import cho_factor, cho_solve

        K = (Xw @ Xw.T).toarray()
        K[np.diag_indices_from(K)] += params.alpha
        A = cho_solve(cho_factor(K, overwrite_a=True), Yw)
    else:
        A = _block_cg(Xw, Yw, params.alpha)
    W = np.asarray((Xw.T @ A).T)
    return _Linear(W[:, :-1], W[:, -1])


def _block_cg(Xw: Any, Yw: "np.ndarray", alpha: float, tol: float = 1e-4, max_iter: int = 300) -> "np.ndarray":
    """Conjugate gradients for ``(Xw Xw' + alpha I) A = Yw``, every column at once."""
    import numpy as np

    A = np.zeros_like(Yw)
    R = Yw.copy()
    P = R.copy()
    rs = (R * R).sum(0)
    stop = (tol * np.linalg.norm(Yw, axis=0)) ** 2
    for _ in range(max_iter):
        live = rs > stop
        if not live.any():
            break
        AP = np.asarray(Xw @ (Xw.T @ P)) + alpha * P
        step = np.where(live, rs / np.maximum((P * AP).sum(0), 1e-300), 0.0)
        A += P * step
        R -= AP * step
        new = (R * R).sum(0)
        P = R + P * np.where(live, new / np.maximum(rs, 1e-300), 0.0)
        rs = new
    return A


class _Linear:
    """Fitted coefficients: ``predict`` is ``X W' + b``, what scikit-learn's linear models do."""

    def __init__(self, coef: "np.ndarray", intercept: "np.ndarray") -> None:
        self.coef_ = coef
        self.intercept_ = intercept

    def predict(self, X: Any) -> "np.ndarray":
        import numpy as np

        return np.asarray(X @ self.coef_.T) + self.intercept_[None, :]


def _platt(oof: "np.ndarray", Y: "np.ndarray") -> tuple[float, float]:
    """One sigmoid over all OOF scores; identity-like fallback when it cannot be fitted."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    y = np.asarray(Y).ravel()
    if y.min() == y.max():
        return (4.0, -2.0)
    lr = LogisticRegression(C=1e4, max_iter=1000).fit(np.asarray(oof).reshape(-1, 1), y)
    a, b = float(lr.coef_[0, 0]), float(lr.intercept_[0])
    return (a, b) if a > 0 else (4.0, -2.0)


def train_tagger(
    lemma_texts: Sequence[str],
    labels: Sequence[set[int]],
    codes: Sequence["Code"],
    params: TaggerParams = TaggerParams(),
    *,
    groups: Sequence[Any] | None = None,
) -> Tagger:
    """Fit the tagger on coded units (lemmatised) and the codebook's own texts.

    Args:
        lemma_texts: one lemmatised text per training unit.
        labels: the code ids a human gave each unit (empty: a negative).
        codes: the candidate codes (their tree, definitions and exclusions count).
        params: hyper-parameters.
        groups: the document of each unit, so inner folds keep documents whole.
    """
    import numpy as np
    import scipy.sparse as sp
    from sklearn.preprocessing import normalize

    from qualcode.autotag.classifier import best_threshold, inner_splits, lemmatise

    codes = list(codes)
    tree = CodeTree.of(codes)
    mid = tagger_id(lemma_texts, labels, codes, params)
    expanded = [tree.expand(lab) for lab in labels]
    n = len(expanded)
    support = {c.id: sum(1 for lab in expanded if c.id in lab) for c in codes}
    keep = [c.id for c in codes if params.min_examples <= support[c.id] < n]
    skipped = {c.id: support[c.id] for c in codes if c.id not in keep}
    book_rows = [(t, c.id) for c in codes for t in definition_texts(c)]
    book_texts = lemmatise([t for t, _ in book_rows]) if book_rows else []
    vec = _vectorizer(params, n)
    all_texts = list(lemma_texts) + book_texts
    if not any(t.strip() for t in all_texts):
        return Tagger(mid, params, codes, [], {}, {}, skipped)
    vec.fit(all_texts)
    X = vec.transform(list(lemma_texts)) if n else None
    B = vec.transform(book_texts) if book_texts else None
    # Definition profiles: the codebook rows and coded units of a code and of its descendants.
    prof_ids = [c.id for c in codes]
    col_of = {cid: k for k, cid in enumerate(prof_ids)}
    ri, ci, vals = [], [], []
    for r, (_, cid) in enumerate(book_rows):
        for a in [cid, *tree.ancestors(cid)]:
            ri.append(col_of[a]), ci.append(r), vals.append(params.codebook_weight)
    for i, lab in enumerate(expanded):
        for cid in lab:
            ri.append(col_of[cid]), ci.append(len(book_rows) + i), vals.append(1.0)
    M = sp.csr_matrix((vals, (ri, ci)), shape=(len(prof_ids), len(book_rows) + n))
    rows = [m for m in (B, X) if m is not None]
    profiles = normalize(M @ normalize(sp.vstack(rows).tocsr())) if rows else None
    tagger = Tagger(
        mid, params, codes, keep, {}, {c: support[c] / max(n, 1) for c in keep}, skipped, vec, None, profiles, prof_ids
    )
    if not keep:
        return tagger
    Y = np.array([[1 if c in lab else 0 for c in keep] for lab in expanded], dtype=np.int8)
    book_labels = [tree.expand({cid}) for _, cid in book_rows]
    YB = np.array([[1 if c in lab else 0 for c in keep] for lab in book_labels], dtype=np.int8)
    YB = YB.reshape(len(book_rows), len(keep))
    # Two coded documents: two folds, one document each, rather than folds that split documents (thresholds and
    # calibration then see a new document's wording, as a run's predictions will).
    n_groups = len(set(groups)) if groups is not None else 0
    folds = min(params.cv_folds, n_groups) if n_groups == 2 else min(params.cv_folds, n)
    oof = None
    if folds >= 2:
        oof = np.zeros(Y.shape)
        for tr, te in inner_splits(n, folds, params.seed, groups):
            oof[te] = np.asarray(_fit(X[tr], Y[tr], B, YB, params).predict(X[te])).reshape(len(te), -1)
    tagger.calibration = _platt(oof, Y) if oof is not None else (4.0, -2.0)
    tagger.regressor = _fit(X, Y, B, YB, params)
    if params.threshold is not None:
        tagger.thresholds = {c: float(params.threshold) for c in keep}
    elif oof is not None:
        from scipy.special import expit

        a, b = tagger.calibration
        conf = expit(a * oof + b)
        tagger.thresholds = {c: best_threshold(Y[:, k], conf[:, k]) for k, c in enumerate(keep)}
    else:
        tagger.thresholds = {c: 0.5 for c in keep}
    return tagger


__all__ = [
    "DEFINITION_CONFIDENCE",
    "Proposal",
    "Tagger",
    "TaggerParams",
    "ceiling_count",
    "train_tagger",
    "use_instead",
]
