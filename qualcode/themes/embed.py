"""Embedding step: turn unit texts into L2-normalised vectors.

Why two backends: the default must work offline with no torch, so it is a
scikit-learn pipeline (TF-IDF over spaCy lookup lemmas, uni- and bigrams,
sublinear tf, English stop words and transcript fillers removed → truncated
SVD → L2 normalisation), i.e. a latent semantic space fitted on the corpus
itself. A user who has a sentence-transformers model on disk can name it;
it is loaded with the Hugging Face hub forced offline (never a download) and
its vectors are cached in the project, keyed by model and text hash, so a
second run embeds nothing again.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from qualcode.errors import DependencyError
from qualcode.themes.params import SuggestParams

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

    def __init__(self, dims: int = 100, seed: int = 0) -> None:
        self.dims = dims
        self.seed = seed
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
        from qualcode.text import lemma_text_many

        if self._vectorizer is None:
            raise RuntimeError("fit_embed must be called before embed")
        return _normalise(self._svd.transform(self._vectorizer.transform(lemma_text_many(texts))))


class SentenceTransformerEmbedder:
    """A local sentence-transformers model, never downloaded, with a vector cache."""

    def __init__(self, model: str | None, project: "Project | None" = None) -> None:
        if not model:
            raise DependencyError("the sentence-transformers embedder needs --model (a local path or package)")
        self.name = model
        self.path = _resolve_model(model)
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        if importlib.util.find_spec("sentence_transformers") is None:
            raise DependencyError(
                "sentence-transformers is not installed; install the 'neural' extra or use --embedder tfidf"
            )
        self.project = project
        self._model: Any = None

    def _load(self) -> Any:
        if self._model is None:
            from sentence_transformers import SentenceTransformer

            try:
                self._model = SentenceTransformer(self.path, local_files_only=True)
            except Exception as exc:  # noqa: BLE001 - any load failure is a setup problem
                raise DependencyError(f"cannot load sentence-transformers model {self.name!r}: {exc}") from exc
        return self._model

    def fit_embed(self, texts: list[str], lemma_texts: list[str] | None = None) -> "np.ndarray":
        return self.embed(texts)

    def embed(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        shas = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
        store = _store(self.project)
        cached = store.cached_vectors(self.name, shas) if store else {}
        missing = [i for i, sha in enumerate(shas) if sha not in cached]
        fresh: dict[str, bytes] = {}
        if missing:
            vectors = self._load().encode([texts[i] for i in missing], normalize_embeddings=True)
            vectors = np.asarray(vectors, dtype=np.float32)
            for i, vec in zip(missing, vectors):
                fresh[shas[i]] = vec.tobytes()
            if store:
                store.cache_vectors(self.name, int(vectors.shape[1]), fresh)
        every = {**cached, **fresh}
        return _normalise(np.vstack([np.frombuffer(every[sha], dtype=np.float32) for sha in shas]))


def _store(project: "Project | None") -> Any:
    if project is None:
        return None
    store = getattr(project, "suggestions", None)
    if store is None:
        from qualcode.store.suggestions import SuggestionStore

        store = SuggestionStore(project)
    return store


def _resolve_model(model: str) -> str:
    """A local directory, or the folder of an installed model package."""
    path = Path(model).expanduser()
    if path.exists():
        return str(path)
    try:
        spec = importlib.util.find_spec(model)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        return str(next(iter(spec.submodule_search_locations)))
    raise DependencyError(f"no local model at {model!r} (a folder or an installed package); nothing is downloaded")


def _normalise(matrix: Any) -> "np.ndarray":
    import numpy as np
    from sklearn.preprocessing import normalize

    return normalize(np.asarray(matrix, dtype=np.float64))


def make_embedder(params: SuggestParams, project: "Project | None" = None) -> Embedder:
    """The embedding step named by ``params.embedder``."""
    if params.embedder == "sentence-transformers":
        return SentenceTransformerEmbedder(params.model, project)
    return TfidfSvdEmbedder(params.svd_dims, params.seed)


def embed_texts(
    texts: list[str], params: SuggestParams | None = None, project: "Project | None" = None
) -> "np.ndarray":
    """Embed ``texts`` with the configured backend (rows are L2-normalised).

    Reusable by auto-tagging. With the TF-IDF backend the space is fitted on
    ``texts`` themselves; pass the project to use the neural vector cache.
    """
    return make_embedder(params or SuggestParams(), project).fit_embed(list(texts))
