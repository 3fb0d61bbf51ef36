"""Parameters and results of a theme-suggestion run.

Why dataclasses and names instead of objects: a run is recorded in the
project with its parameters so that it can be reproduced and compared, so
every pipeline step is chosen by a *name* (``"tfidf"``, ``"pca"``,
``"kmeans"`` …) with plain numeric settings, all of which serialise to JSON.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields
from typing import Any

from qualcode.errors import ValidationError
from qualcode.model import Run

UNITS = ("turn", "sentence", "paragraph")
EMBEDDERS = ("tfidf", "sentence-transformers", "neural")  # "neural" is an alias
REDUCERS = ("pca", "none")
CLUSTERERS = ("kmeans", "hdbscan")


@dataclass(frozen=True, slots=True)
class SuggestParams:
    """Everything that determines a suggestion run (stored with the run).

    Attributes:
        unit: ``turn``, ``sentence`` or ``paragraph``; long units are cut into
            windows of whole sentences of at most ``max_words`` words.
        min_content_words: units with fewer non-stop-word lemmas are dropped.
        include_interviewer: also analyse interviewer turns.
        documents: only these documents (names or ids); empty means all.
        kinds: only documents of these kinds.
        where: participant attribute filters ``(name, value)``, all required.
        embedder: ``tfidf`` (TF-IDF over lemmas → SVD) or
            ``sentence-transformers`` (needs ``model``; never downloads).
        model: local path or installed package of a sentence-transformers model.
        svd_dims: dimensions of the TF-IDF embedding.
        reducer: ``pca`` or ``none``; reduce_dims is its target size.
        clusterer: ``kmeans`` (default; every unit gets a topic) or ``hdbscan``
            (density clusters with outliers, then outlier reduction).
        topics: fixed number of topics; ``None`` chooses it by silhouette.
        max_topics: upper bound of the automatic choice (kept readable).
        min_topic_size: smallest topic the automatic choice aims for.
        seed: random seed; the same seed gives the same topics.
        guided: seed topics with the codebook and map each topic to a code.
        new_theme_threshold: below this cosine similarity to every code a
            topic is marked as a possible new theme.
        merge_threshold: topics whose centroids are at least this similar are
            listed as merge candidates of each other.
        keywords: keywords kept per topic; diversity is the MMR trade-off.
        excerpts: representative excerpts per topic (3 to 5).
    """

    unit: str = "turn"
    max_words: int = 120
    min_content_words: int = 3
    include_interviewer: bool = False
    documents: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    where: tuple[tuple[str, str], ...] = ()
    embedder: str = "tfidf"
    model: str | None = None
    svd_dims: int = 100
    reducer: str = "pca"
    reduce_dims: int = 50
    clusterer: str = "kmeans"
    topics: int | None = None
    max_topics: int = 60
    min_topic_size: int = 10
    seed: int = 0
    guided: bool = True
    new_theme_threshold: float = 0.3
    merge_threshold: float = 0.6
    keywords: int = 10
    diversity: float = 0.3
    excerpts: int = 5

    def validate(self) -> None:
        """Raise :class:`ValidationError` for out-of-range settings."""
        checks = [
            (self.unit in UNITS, f"unknown unit {self.unit!r}; use one of {', '.join(UNITS)}"),
            (self.embedder in EMBEDDERS, f"unknown embedder {self.embedder!r}; use one of {', '.join(EMBEDDERS)}"),
            (self.reducer in REDUCERS, f"unknown reducer {self.reducer!r}; use one of {', '.join(REDUCERS)}"),
            (self.clusterer in CLUSTERERS, f"unknown clusterer {self.clusterer!r}; use one of {', '.join(CLUSTERERS)}"),
            (self.topics is None or 2 <= self.topics <= 500, "--topics must be between 2 and 500"),
            (self.max_topics >= 2, "max_topics must be at least 2"),
            (self.max_words >= 5, "max_words must be at least 5"),
            (self.min_topic_size >= 2, "min_topic_size must be at least 2"),
            (1 <= self.excerpts <= 20, "excerpts must be between 1 and 20"),
            (0.0 <= self.diversity <= 1.0, "diversity must be within 0-1"),
            (self.svd_dims >= 2 and self.reduce_dims >= 2, "dimensions must be at least 2"),
        ]
        for ok, message in checks:
            if not ok:
                raise ValidationError(message)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["documents"] = list(self.documents)
        data["kinds"] = list(self.kinds)
        data["where"] = [list(w) for w in self.where]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "SuggestParams":
        names = {f.name for f in fields(cls)}
        clean = {k: v for k, v in data.items() if k in names}
        for key in ("documents", "kinds"):
            if key in clean:
                clean[key] = tuple(clean[key])
        if "where" in clean:
            clean["where"] = tuple(tuple(w) for w in clean["where"])
        return cls(**clean)


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of analysis with what the reports need about its speaker."""

    document_id: int
    document: str
    start: int
    end: int
    text: str
    speaker: str
    participant_id: int | None = None
    turn_id: int | None = None


@dataclass(frozen=True, slots=True)
class Excerpt:
    """A representative excerpt of a topic (closest to its centroid)."""

    document_id: int
    document: str
    start: int
    end: int
    speaker: str
    text: str
    similarity: float


@dataclass(frozen=True, slots=True)
class TopicSuggestion:
    """One suggested theme, as the CLI, the TUI and auto-tagging read it."""

    topic: int
    label: str
    keywords: tuple[str, ...]
    size: int
    documents: int = 0
    document_share: float = 0.0
    participants: int = 0
    participant_share: float = 0.0
    excerpts: tuple[Excerpt, ...] = ()
    merge_candidates: tuple[int, ...] = ()
    closest_code: str | None = None
    similarity: float | None = None
    new_theme: bool = False
    status: str = "open"
    code_id: int | None = None
    merged_into: int | None = None

    def to_data(self) -> dict[str, Any]:
        """The JSON ``data`` column: what has no column of its own."""
        return {
            "documents": self.documents,
            "document_share": self.document_share,
            "participants": self.participants,
            "participant_share": self.participant_share,
            "excerpts": [asdict(e) for e in self.excerpts],
            "merge_candidates": list(self.merge_candidates),
            "new_theme": self.new_theme,
            "merged_into": self.merged_into,
        }


@dataclass(frozen=True, slots=True)
class SuggestionRun:
    """A recorded run with its topics (outliers, if any, are topic -1)."""

    run: Run
    params: SuggestParams
    topics: tuple[TopicSuggestion, ...] = field(default_factory=tuple)
    units: int = 0

    @property
    def id(self) -> int:
        return self.run.id
