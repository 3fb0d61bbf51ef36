"""TF-IDF rows for the evidence quotes, without importing scikit-learn.

Why not ``TfidfVectorizer``: the evidence table vectorises a few thousand
sampled segments, which takes milliseconds, but importing scikit-learn (and
through it ``scipy.stats`` and pandas' test helpers) takes 2–4 s of every
``export evidence`` and report command. This module computes the very same
matrix as ``TfidfVectorizer(stop_words=…, sublinear_tf=True).fit_transform``
with its defaults (lowercase, ``(?u)\\b\\w\\w+\\b`` tokens, smoothed IDF,
L2 rows), with the same floating-point operations in the same order, so the
quote scores and their ranking are bit for bit those of scikit-learn
(``tests/analysis/test_analysis_tfidf.py`` compares them). The stop-word list
is scikit-learn's own, read from its source file without importing the
package.
"""

from __future__ import annotations

import importlib.util
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"(?u)\b\w\w+\b")


@lru_cache(maxsize=1)
def english_stop_words() -> frozenset[str]:
    """scikit-learn's ``ENGLISH_STOP_WORDS``, read from its module file (importing sklearn costs seconds)."""
    spec = importlib.util.find_spec("sklearn")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        source = Path(folder) / "feature_extraction" / "_stop_words.py"
        if source.is_file():
            namespace: dict[str, Any] = {}
            exec(compile(source.read_text(encoding="utf-8"), str(source), "exec"), namespace)  # noqa: S102
            words = namespace.get("ENGLISH_STOP_WORDS")
            if isinstance(words, frozenset):
                return words
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS  # pragma: no cover - unusual layout

    return frozenset(ENGLISH_STOP_WORDS)  # pragma: no cover


def tfidf_rows(texts: list[str], stop_words: frozenset[str] | set[str]) -> Any:
    """L2-normalised, sublinear TF-IDF rows (a SciPy CSR matrix) of ``texts``; ``None`` without vocabulary.

    Mirrors scikit-learn: terms are numbered in the order first seen, each
    row's entries are kept in that order, then columns are renumbered
    alphabetically (the data order scikit-learn's normalisation and the
    later dot products sum in).
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    first_seen: dict[str, int] = {}
    indptr = [0]
    seen_ids: list[int] = []
    counts: list[float] = []
    for text in texts:
        row: dict[int, int] = {}
        for token in _TOKEN.findall(text.lower()):
            if token in stop_words:
                continue
            j = first_seen.setdefault(token, len(first_seen))
            row[j] = row.get(j, 0) + 1
        for j in sorted(row):
            seen_ids.append(j)
            counts.append(float(row[j]))
        indptr.append(len(seen_ids))
    if not first_seen:
        return None
    alphabetical = np.empty(len(first_seen), dtype=np.int32)
    for new, term in enumerate(sorted(first_seen)):
        alphabetical[first_seen[term]] = new
    indices = alphabetical.take(np.asarray(seen_ids, dtype=np.int32))
    data = np.asarray(counts, dtype=np.float64)
    n_docs = len(texts)
    df = np.bincount(indices, minlength=len(first_seen)).astype(np.float64)
    df += 1.0
    idf = np.full_like(df, fill_value=n_docs + 1, dtype=np.float64)
    idf /= df
    np.log(idf, out=idf)
    idf += 1.0
    np.log(data, data)
    data += 1.0
    data *= idf[indices]
    for i in range(n_docs):
        lo, hi = indptr[i], indptr[i + 1]
        total = 0.0
        for v in data[lo:hi].tolist():
            total += v * v
        if total != 0.0:
            data[lo:hi] /= math.sqrt(total)
    return csr_matrix(
        (data, indices, np.asarray(indptr, dtype=np.int32)), shape=(n_docs, len(first_seen)), dtype=np.float64
    )


__all__ = ["english_stop_words", "tfidf_rows"]
