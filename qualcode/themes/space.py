"""The default embedding space (TF-IDF over lemmas → truncated SVD), fitted once and cached in the project.

Why a space object of plain arrays: a rerun must embed code descriptions and
candidate keywords in exactly the space the units were embedded in, without
fitting it again. Vocabulary, idf and SVD components are all that takes, and
they are stored as bytes next to the unit vectors (never pickled: a project
file may come from someone else). Both the fitted and the cached path build
the same :class:`TfidfSpace` and use float32-rounded vectors, so a cached
run reproduces a cold one exactly.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project

#: Bump when the way a space is fitted changes, so old cache entries are never read.
SPACE_VERSION = 1
NGRAMS = (1, 2)


def _min_df(n_docs: int) -> int:
    return 2 if n_docs >= 50 else 1


@dataclass(slots=True)
class TfidfSpace:
    """What embeds new lemma strings in a fitted space."""

    vocabulary: list[str]
    idf: "np.ndarray"
    components: "np.ndarray"  # dims × terms, float32
    _vectorizer: Any = None
    _projection: Any = None  # terms × dims, float64 (built once)

    def vectorizer(self) -> Any:
        """A TF-IDF vectorizer with this vocabulary and idf (built once)."""
        if self._vectorizer is None:
            from sklearn.feature_extraction.text import TfidfVectorizer

            from qualcode.themes.units import stop_words

            vec = TfidfVectorizer(
                ngram_range=NGRAMS, sublinear_tf=True, stop_words=stop_words(), vocabulary=self.vocabulary
            )
            vec.idf_ = self.idf
            self._vectorizer = vec
        return self._vectorizer

    def transform(self, lemma_texts: Sequence[str]) -> "np.ndarray":
        """L2-normalised vectors of further texts (code descriptions, keywords)."""
        import numpy as np

        if self._projection is None:
            self._projection = np.ascontiguousarray(self.components.T, dtype=np.float64)
        vectors = np.asarray(self.vectorizer().transform(list(lemma_texts)) @ self._projection, dtype=np.float64)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)  # sklearn's normalize, without its per-call checks


def space_key(lemmas: Sequence[str], dims: int) -> str:
    """Cache key: the units' lemma strings (in order) and every setting the space depends on."""
    from importlib.metadata import version

    from qualcode.themes.units import stop_words

    settings = {
        "version": SPACE_VERSION,
        "embedder": "tfidf-svd",
        "dims": dims,
        "ngrams": list(NGRAMS),
        "min_df": _min_df(len(lemmas)),
        "stop_words": hashlib.sha1("\n".join(stop_words()).encode()).hexdigest(),
        "scikit-learn": version("scikit-learn"),
    }
    digest = hashlib.sha256(json.dumps(settings, sort_keys=True).encode())
    digest.update(f"\n{len(lemmas)}\n".encode())
    for lemma in lemmas:
        digest.update(lemma.encode("utf-8"))
        digest.update(b"\n")
    return "tfidf-svd/" + digest.hexdigest()


def units_space_key(units_key: str, dims: int) -> str:
    """Cache key of the space of a run's units, from their cheap digest (``unit_cache.units_key``).

    The units (hence their lemma strings and ``min_df``) are a pure function
    of that digest, so the key need not hash the lemma strings themselves.
    """
    from importlib.metadata import version

    settings = {
        "version": SPACE_VERSION,
        "embedder": "tfidf-svd",
        "dims": dims,
        "ngrams": list(NGRAMS),
        "scikit-learn": version("scikit-learn"),
        "units": units_key,
    }
    return "tfidf-svd-units/" + hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()


def fit_space(lemmas: Sequence[str], dims: int, random_state: int) -> tuple[TfidfSpace, "np.ndarray"]:
    """Fit TF-IDF (uni+bigrams, sublinear tf, stop words out) and truncated SVD; vectors L2-normalised, float32."""
    import numpy as np
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    from qualcode.themes.units import stop_words

    vectorizer = TfidfVectorizer(
        ngram_range=NGRAMS, min_df=_min_df(len(lemmas)), sublinear_tf=True, stop_words=stop_words()
    )
    matrix = vectorizer.fit_transform(lemmas)
    n_comp = max(1, min(dims, matrix.shape[1] - 1, matrix.shape[0] - 1))
    svd = TruncatedSVD(n_components=n_comp, random_state=random_state)
    vectors = normalize(svd.fit_transform(matrix)).astype(np.float32)
    space = TfidfSpace(
        vocabulary=[str(t) for t in vectorizer.get_feature_names_out()],
        idf=np.asarray(vectorizer.idf_, dtype=np.float64),
        components=np.asarray(svd.components_, dtype=np.float32),
    )
    return space, vectors


def save_space(
    project: "Project", key: str, space: TfidfSpace, vectors: "np.ndarray", extra: dict[str, bytes] | None = None
) -> None:
    """Store a fitted space under ``key`` (replacing older entries beyond the cache's size), with ``extra`` parts."""
    from qualcode.store.space_cache import SpaceCache

    meta = {
        "rows": int(vectors.shape[0]),
        "dims": int(vectors.shape[1]),
        "terms": len(space.vocabulary),
        "version": SPACE_VERSION,
    }
    parts = {
        "vectors": vectors.astype("<f4").tobytes(),
        "idf": space.idf.astype("<f8").tobytes(),
        "components": space.components.astype("<f4").tobytes(),
        "vocabulary": "\n".join(space.vocabulary).encode("utf-8"),
        **(extra or {}),
    }
    SpaceCache(project).put(key, meta, parts)


def load_space(project: "Project | None", key: str) -> tuple[TfidfSpace, "np.ndarray"] | None:
    """The space cached under ``key``, or ``None`` (absent, or stored by another version)."""
    found = load_space_parts(project, key)
    return None if found is None else found[:2]  # type: ignore[return-value]


def load_space_parts(project: "Project | None", key: str) -> tuple[TfidfSpace, "np.ndarray", dict[str, bytes]] | None:
    """:func:`load_space` and every stored part (units stored with the space among them)."""
    if project is None:
        return None
    import numpy as np

    from qualcode.store.space_cache import SpaceCache

    found = SpaceCache(project).get(key)
    if found is None or found.meta.get("version") != SPACE_VERSION:
        return None
    rows, dims, terms = int(found.meta["rows"]), int(found.meta["dims"]), int(found.meta["terms"])
    vocabulary = found.parts["vocabulary"].decode("utf-8").split("\n") if terms else []
    vectors = np.frombuffer(found.parts["vectors"], dtype="<f4").reshape(rows, dims)
    components = np.frombuffer(found.parts["components"], dtype="<f4").reshape(dims, terms)
    idf = np.frombuffer(found.parts["idf"], dtype="<f8")
    if len(vocabulary) != terms or len(idf) != terms:
        return None
    return TfidfSpace(vocabulary, idf.copy(), components.astype(np.float32)), vectors, found.parts
