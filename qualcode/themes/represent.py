"""From a fitted model to what an analyst reads: labels, excerpts, codes, merges.

Why centroids in the embedding space: representative excerpts, the closest
existing code and merge candidates are all "which is nearest to this topic"
questions, and answering them in the same space the topics were found in
(with code names, descriptions and keywords embedded there too) keeps the
three consistent with each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from qualcode.model import Code
from qualcode.themes.embed import Embedder
from qualcode.themes.params import Excerpt, SuggestParams, TopicSuggestion, Unit
from qualcode.themes.pipeline import TopicModelResult

if TYPE_CHECKING:
    from qualcode.store import Project

LABEL_TERMS = 4


def code_text(code: Code) -> str:
    """What a code says about itself: name, description, inclusion, keywords."""
    parts = [code.name, code.description, code.include, " ".join(code.keywords), " ".join(code.examples)]
    return ". ".join(p for p in parts if p)


def seed_topics(codes: Sequence[Code], project: "Project | None" = None) -> list[list[str]]:
    """BERTopic seed words per code: lemmas of its name and keywords (through the project's lemma cache)."""
    from qualcode.themes.lemmas import lemma_texts
    from qualcode.themes.units import stop_words

    stops = set(stop_words())
    texts = [" ".join([c.name, *c.keywords]) for c in codes]
    seeds = [
        [w for w in dict.fromkeys(ls.split()) if w not in stops and len(w) > 1] for ls in lemma_texts(project, texts)
    ]
    return [s for s in seeds if s]


def centroids(embeddings: np.ndarray, topics: np.ndarray) -> dict[int, np.ndarray]:
    """Unit-length mean embedding of each topic (outliers included as -1)."""
    out: dict[int, np.ndarray] = {}
    for t in sorted(set(topics.tolist())):
        centre = embeddings[topics == t].mean(axis=0)
        out[int(t)] = centre / (np.linalg.norm(centre) or 1.0)
    return out


def describe_topics(
    units: Sequence[Unit],
    embeddings: np.ndarray,
    result: TopicModelResult,
    params: SuggestParams,
    embedder: Embedder,
    codes: Sequence[Code] = (),
) -> list[TopicSuggestion]:
    """One :class:`TopicSuggestion` per topic, outliers (-1) first."""
    topics = result.topics
    centres = centroids(embeddings, topics)
    real = [t for t in centres if t >= 0]
    # Columns (``unit_cache.UnitColumns`` has them; others are read once): no Unit per member needed.
    doc_of = getattr(units, "document_ids", None) or [u.document_id for u in units]
    person_of = getattr(units, "participant_ids", None) or [u.participant_id for u in units]
    all_docs = set(doc_of)
    all_people = {p for p in person_of if p is not None}

    code_vecs: np.ndarray | None = None
    if codes:
        code_vecs = embedder.embed([code_text(c) for c in codes])
    merge_of = _merge_candidates(centres, real, params.merge_threshold)

    out: list[TopicSuggestion] = []
    for t in sorted(centres):
        rows = np.where(topics == t)[0]
        members = rows.tolist()
        words = result.words.get(t, [])
        sims = embeddings[rows] @ centres[t]
        order = rows[np.argsort(-sims, kind="stable")]
        n_ex = min(params.excerpts, len(order))
        excerpts = tuple(
            Excerpt(
                units[i].document_id,
                units[i].document,
                units[i].start,
                units[i].end,
                units[i].speaker,
                units[i].text,
                round(float(embeddings[i] @ centres[t]), 4),
            )
            for i in order[:n_ex]
        )
        docs = {doc_of[i] for i in members}
        people = {p for p in (person_of[i] for i in members) if p is not None}
        closest, similarity, new_theme = None, None, False
        if code_vecs is not None and t >= 0:
            code_sims = code_vecs @ centres[t]
            best = int(np.argmax(code_sims))
            closest, similarity = codes[best].path, round(float(code_sims[best]), 4)
            new_theme = similarity < params.new_theme_threshold
        out.append(
            TopicSuggestion(
                topic=t,
                label="outliers" if t < 0 else make_label(words, t),
                keywords=tuple(words),
                size=len(members),
                documents=len(docs),
                document_share=round(len(docs) / len(all_docs), 4) if all_docs else 0.0,
                participants=len(people),
                participant_share=round(len(people) / len(all_people), 4) if all_people else 0.0,
                excerpts=excerpts,
                merge_candidates=tuple(merge_of.get(t, ())),
                closest_code=closest,
                similarity=similarity,
                new_theme=new_theme,
            )
        )
    return out


def make_label(words: Sequence[str], topic: int) -> str:
    """The first MMR-diversified keyphrases, without repeating a word."""
    picked: list[str] = []
    seen: set[str] = set()
    for phrase in words:
        tokens = set(phrase.split())
        if tokens & seen and len(picked) >= 1:
            continue
        picked.append(phrase)
        seen |= tokens
        if len(picked) == LABEL_TERMS:
            break
    return ", ".join(picked) if picked else f"topic {topic}"


def _merge_candidates(centres: dict[int, np.ndarray], real: list[int], threshold: float) -> dict[int, list[int]]:
    """Topics whose centroids are at least ``threshold`` similar, most similar first."""
    if len(real) < 2:
        return {}
    matrix = np.vstack([centres[t] for t in real])
    sims = matrix @ matrix.T
    out: dict[int, list[int]] = {}
    for i, t in enumerate(real):
        order = np.argsort(-sims[i], kind="stable")
        out[t] = [real[j] for j in order if j != i and sims[i, j] >= threshold]
    return out
