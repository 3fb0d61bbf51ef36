"""The evidence TF-IDF without scikit-learn gives scikit-learn's matrix bit for bit (hence the same quotes)."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer

from qualcode.analysis.evidence_quotes import _stop_words, rank_by_centroid
from qualcode.analysis.tfidf import english_stop_words, tfidf_rows

WORDS = (
    "bus buses route timetable late the a we our council fare fares cheap park parks green tree trees "
    "ab x 42 café naïve über stop-words it's well and or Bus ROUTE Late"
).split()


def _texts(seed: int, n: int) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(0, 12))) for _ in range(n)]


def test_stop_words_are_sklearns() -> None:
    assert english_stop_words() == ENGLISH_STOP_WORDS


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matrix_is_sklearns_bit_for_bit(seed: int) -> None:
    texts = _texts(seed, 300)
    stop = _stop_words()
    ours = tfidf_rows(texts, frozenset(stop))
    theirs = TfidfVectorizer(stop_words=stop, sublinear_tf=True).fit_transform(texts)
    assert ours.shape == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.array_equal(ours.data, theirs.data)  # exact, not close
    rows = list(range(0, 300, 3))
    assert rank_by_centroid(ours, rows) == rank_by_centroid(theirs, rows)


def test_no_vocabulary_is_none() -> None:
    assert tfidf_rows(["the and", "a", ""], frozenset(_stop_words())) is None
    with pytest.raises(ValueError):
        TfidfVectorizer(stop_words=_stop_words(), sublinear_tf=True).fit_transform(["the and", "a", ""])
