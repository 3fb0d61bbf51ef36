"""Themes at scale: the lemma cache and the sampled topic-count choice give the same answers."""

from __future__ import annotations

import numpy as np
import pytest

from qualcode.text import lemma_text_many
from qualcode.themes import SuggestParams, run_segments, steps, suggest
from qualcode.themes import lemmas as lemma_mod


def _study(project):
    from qualcode.model import ParsedDocument

    vocab = {
        "money": "grant budget loan funding cost price money",
        "staff": "hire recruit skill staff training team wage",
        "rules": "regulation law compliance rule permit audit licence",
    }
    docs = []
    rng = np.random.default_rng(3)
    for i in range(45):
        theme = list(vocab)[i % 3]
        words = rng.choice(vocab[theme].split(), size=7).tolist()
        docs.append(
            ParsedDocument(
                name=f"a{i:02d}", kind="survey", text=" ".join(words) + ".", participant=f"R{i}", sha256=f"s{i}"
            )
        )
    project.documents.add_many(docs)
    return project


def test_second_run_reads_lemmas_from_the_cache_and_gives_the_same_topics(project, monkeypatch):
    _study(project)
    first = suggest(project, SuggestParams(guided=False, seed=4))
    calls: list[int] = []

    def counting(texts, **kw):
        calls.append(len(list(texts)))
        return lemma_text_many(texts, **kw)

    monkeypatch.setattr(lemma_mod, "lookup_lemma_texts", counting)
    second = suggest(project, SuggestParams(guided=False, seed=4))
    assert calls == []  # units and MMR keyword candidates: every lemma came from the cache
    assert [(t.keywords, t.size) for t in first.topics] == [(t.keywords, t.size) for t in second.topics]
    seg = lambda r: [(s.topic, s.document_id, s.start) for s in run_segments(project, r.id)]  # noqa: E731
    assert seg(first) == seg(second)
    cached = lemma_mod.lemma_texts(project, ["grant budget loan.", "a new text"])
    assert cached == lemma_text_many(["grant budget loan.", "a new text"])


@pytest.mark.parametrize("k", [None, 3])
def test_sampled_choice_then_one_fit_recovers_planted_clusters(monkeypatch, k):
    rng = np.random.default_rng(0)
    centres = np.eye(8)[:3] * 5
    labels = np.repeat(np.arange(3), 200)
    X = centres[labels] + rng.normal(scale=0.3, size=(600, 8))
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    monkeypatch.setattr(steps, "FIT_SAMPLE", 150)
    model = steps.AutoKMeans(k, max_topics=10, min_topic_size=10, seed=0).fit(X)
    assert model.chosen_k_ == 3
    # Every planted cluster maps to exactly one found cluster (hand-checkable: 3 × 200 points).
    pairs = {(int(a), int(b)) for a, b in zip(labels, model.labels_)}
    assert len(pairs) == 3 and len({b for _, b in pairs}) == 3
    assert model.probabilities_.shape == (600,)
