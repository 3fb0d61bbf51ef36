"""The topic model itself: embeddings → reduce → cluster → c-TF-IDF, via BERTopic.

Why through BERTopic: its c-TF-IDF representation, guided seeding, outlier
reduction and MMR keyword diversification are well tested; we only swap in
offline, torch-free sub-models. Embeddings are computed beforehand (see
``embed.py``) and passed to ``fit_transform``, so BERTopic never loads a
sentence-transformers model; our embedder is wrapped as a BERTopic backend
only so that seed words and candidate keywords are embedded in the same space.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from qualcode.themes.embed import Embedder
from qualcode.themes.params import SuggestParams
from qualcode.themes.steps import make_clusterer, make_reducer


@dataclass(slots=True)
class TopicModelResult:
    """What the run needs from a fitted model (topic -1 = outliers)."""

    topics: np.ndarray
    probabilities: np.ndarray
    words: dict[int, list[str]]
    model: Any = None
    chosen_k: int | None = None
    scores: dict[int, float] = field(default_factory=dict)


def defer_bertopic_plotting() -> None:
    """Load ``bertopic.plotting`` (plotly, a third of BERTopic's import time) only if a plot is asked for.

    Why: a suggestion never plots; ``import bertopic`` imports plotly
    eagerly. A stand-in module is registered under that name before BERTopic
    is imported; its first attribute look-up loads the real one.
    """
    import importlib.util
    import sys
    import types
    from pathlib import Path

    if "bertopic" in sys.modules or "bertopic.plotting" in sys.modules:
        return
    top = importlib.util.find_spec("bertopic")
    if top is None or not top.submodule_search_locations:
        return
    folder = Path(next(iter(top.submodule_search_locations))) / "plotting"
    spec = importlib.util.spec_from_file_location(
        "bertopic.plotting", folder / "__init__.py", submodule_search_locations=[str(folder)]
    )
    if spec is None or spec.loader is None:
        return

    class _Deferred(types.ModuleType):
        def __getattr__(self, name: str) -> Any:
            if name.startswith("__"):
                raise AttributeError(name)
            real = importlib.util.module_from_spec(spec)
            sys.modules["bertopic.plotting"] = real
            spec.loader.exec_module(real)  # type: ignore[union-attr]
            return getattr(real, name)

    sys.modules["bertopic.plotting"] = _Deferred("bertopic.plotting")
    _defer_part_of_speech(top.submodule_search_locations)


def _defer_part_of_speech(locations: Any) -> None:
    """Load ``bertopic.representation._pos`` (it imports spaCy) only when ``PartOfSpeech`` is built.

    Why: BERTopic imports it eagerly; a rerun whose lemmas are all cached
    needs no spaCy at all, and importing it costs about a second. The
    stand-in module offers ``PartOfSpeech`` as a class whose construction
    loads the real module and returns a real instance.
    """
    import importlib.util
    import sys
    import types
    from pathlib import Path

    name = "bertopic.representation._pos"
    if name in sys.modules or "spacy" in sys.modules:
        return
    path = Path(next(iter(locations))) / "representation" / "_pos.py"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None or not path.exists():
        return

    def load() -> Any:
        real = sys.modules.get(name)
        if not isinstance(real, _DeferredPos):
            return real
        real = importlib.util.module_from_spec(spec)
        sys.modules[name] = real
        spec.loader.exec_module(real)  # type: ignore[union-attr]
        return real

    class PartOfSpeech:  # noqa: D101 - stands in for bertopic's class until first use
        def __new__(cls, *args: Any, **kwargs: Any) -> Any:
            return load().PartOfSpeech(*args, **kwargs)

    class _DeferredPos(types.ModuleType):
        def __getattr__(self, attr: str) -> Any:
            if attr.startswith("__"):
                raise AttributeError(attr)
            return getattr(load(), attr)

    stand_in = _DeferredPos(name)
    stand_in.PartOfSpeech = PartOfSpeech  # type: ignore[attr-defined]
    sys.modules[name] = stand_in


def _backend(embedder: Embedder) -> Any:
    from bertopic.backend import BaseEmbedder

    class _QualcodeBackend(BaseEmbedder):
        """Lets BERTopic embed seed words and keywords in our space."""

        def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
            return embedder.embed(list(documents))

    return _QualcodeBackend()


def _topic_model_class() -> Any:
    """BERTopic with its seeded-topic step computed by whole-array operations.

    Why: BERTopic's ``_guided_topic_modeling`` takes a Python ``argmax`` per
    unit and scans the label list once per seed topic (0.6 s at 10^5 units
    with a ten-code codebook, 15 s at 10^6) and sklearn's validated
    ``cosine_similarity``. This override does the same arithmetic on arrays: the same first-maximum labels and the same
    ``0.75 * unit + 0.25 * seed`` blend, so the topics are identical.
    """
    from bertopic import BERTopic

    def unit_rows(a: np.ndarray) -> np.ndarray:  # sklearn's ``normalize`` arithmetic, without its validation
        norms = np.sqrt(np.einsum("ij,ij->i", a, a))
        norms[norms == 0.0] = 1.0
        return a / norms[:, np.newaxis]

    class _QualcodeBERTopic(BERTopic):
        def _guided_topic_modeling(self, embeddings: np.ndarray) -> tuple[list[int], np.ndarray]:
            seed_topic_list = [" ".join(seed_topic) for seed_topic in self.seed_topic_list]
            seeds = self._extract_embeddings(seed_topic_list, verbose=self.verbose)
            seeds = np.vstack([seeds, embeddings.mean(axis=0)])
            labels = np.argmax(unit_rows(embeddings) @ unit_rows(seeds).T, axis=1)  # == cosine_similarity
            labels[labels == len(seed_topic_list)] = -1
            for seed_topic in range(len(seed_topic_list)):
                rows = np.flatnonzero(labels == seed_topic)
                embeddings[rows] = embeddings[rows] * 0.75 + seeds[seed_topic] * 0.25
            return labels.tolist(), embeddings

    return _QualcodeBERTopic


def representation_vectorizer(n_docs: int) -> Any:
    """Bag of lemmas without stop words or transcript fillers.

    Unigrams: with bigrams, MMR favoured rare two-word phrases ("happen
    card") and top-10 NPMI on BANKING77 fell from -0.35 to -0.56.

    BERTopic fits it on one concatenated document per *topic*, so ``min_df``
    must stay 1: with few topics a higher value would drop every topic's own
    vocabulary and keep only words shared across topics.
    """
    from sklearn.feature_extraction.text import CountVectorizer

    from qualcode.themes.units import stop_words

    return CountVectorizer(ngram_range=(1, 1), stop_words=stop_words(), min_df=1)


def fit_topics(
    lemma_texts: list[str],
    embeddings: np.ndarray,
    params: SuggestParams,
    embedder: Embedder,
    seed_topics: list[list[str]] | None = None,
) -> TopicModelResult:
    """Fit BERTopic on precomputed embeddings with the named sub-models.

    Args:
        lemma_texts: the units as lemma strings (c-TF-IDF input).
        embeddings: L2-normalised unit embeddings, one row per unit.
        params: step names and settings.
        embedder: the fitted embedder (for seed words and MMR keywords).
        seed_topics: guided mode: lemma seed words per codebook code.
    """
    import warnings

    from qualcode.themes.requirements import require_bertopic

    defer_bertopic_plotting()
    require_bertopic()
    from bertopic.representation import MaximalMarginalRelevance
    from bertopic.vectorizers import ClassTfidfTransformer

    np.random.seed(params.seed)
    clusterer = make_clusterer(params, len(lemma_texts))
    model = _topic_model_class()(
        embedding_model=_backend(embedder),
        umap_model=make_reducer(params),
        hdbscan_model=clusterer,
        vectorizer_model=representation_vectorizer(len(lemma_texts)),
        ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
        representation_model=MaximalMarginalRelevance(diversity=params.diversity, top_n_words=params.keywords),
        top_n_words=params.keywords,
        seed_topic_list=seed_topics or None,
        calculate_probabilities=False,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        topics, probs = model.fit_transform(lemma_texts, embeddings=embeddings.copy())
        topics_arr = np.asarray(topics, dtype=int)
        probs_arr = np.ones(len(topics_arr)) if probs is None else np.asarray(probs, dtype=float).reshape(-1)
        if params.clusterer == "hdbscan" and (topics_arr == -1).any() and (topics_arr >= 0).any():
            new = np.asarray(
                model.reduce_outliers(lemma_texts, list(topics_arr), strategy="embeddings", embeddings=embeddings),
                dtype=int,
            )
            moved = (topics_arr == -1) & (new >= 0)
            if moved.any():
                model.update_topics(
                    lemma_texts,
                    topics=list(new),
                    vectorizer_model=representation_vectorizer(len(lemma_texts)),
                    ctfidf_model=ClassTfidfTransformer(reduce_frequent_words=True),
                    representation_model=MaximalMarginalRelevance(
                        diversity=params.diversity, top_n_words=params.keywords
                    ),
                    top_n_words=params.keywords,
                )
                probs_arr = _reassigned_probabilities(embeddings, new, probs_arr, moved)
                topics_arr = new
    words = {
        int(t): [w for w, _ in (model.get_topic(int(t)) or []) if w][: params.keywords]
        for t in sorted(set(topics_arr.tolist()))
    }
    return TopicModelResult(
        topics=topics_arr,
        probabilities=np.clip(probs_arr, 0.0, 1.0),
        words=words,
        model=model,
        chosen_k=getattr(clusterer, "chosen_k_", None),
        scores=dict(getattr(clusterer, "scores_", {}) or {}),
    )


def _reassigned_probabilities(
    embeddings: np.ndarray, topics: np.ndarray, probs: np.ndarray, moved: np.ndarray
) -> np.ndarray:
    """Former outliers get their cosine to the new topic's centroid as membership."""
    out = probs.copy()
    for t in set(topics[moved].tolist()):
        centre = embeddings[topics == t].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        rows = np.where(moved & (topics == t))[0]
        out[rows] = np.clip(embeddings[rows] @ centre, 0.0, 1.0)
    return out
