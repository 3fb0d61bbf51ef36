"""Lemma strings of unit texts, cached in the project.

Why a cache: spaCy lemmatising is the slowest step of a theme suggestion on
short answers (9 s of 28 s on 4,000 answers). Units are slices of stored
texts, which change only by re-import, so the lemmas are kept in the
project keyed by the pipeline and the sha1 of the text: a rerun with a new
seed or topic count reads them back, and an edited text misses the cache.

A first run lemmatises with :func:`lookup_lemma_texts`, which gives exactly
``qualcode.text.lemma_text_many``'s strings for the default pipeline (a test
compares them on real corpora) in a third of the time: the tokenizer alone,
then one lookup-table query per distinct token instead of spaCy's
per-token pipeline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.store import Project

#: Cache key of the default pipeline (spaCy blank English + lookup lemmas).
DEFAULT_PIPELINE = "blank-en-lookup"


@lru_cache(maxsize=1)
def _key() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{DEFAULT_PIPELINE}/spacy-{version('spacy')}"
    except PackageNotFoundError:  # pragma: no cover - spaCy is a hard dependency
        return DEFAULT_PIPELINE


def lookup_lemma_texts(texts: Sequence[str]) -> list[str]:
    """``qualcode.text.lemma_text_many(texts)`` for the default pipeline, computed faster.

    Why it is the same: the default pipeline's lemmatizer is a lookup table
    keyed by the token text, and the sentencizer does not change tokens; so
    the lemma of a token depends on its text alone and is looked up once per
    distinct token (alphabetic tokens only, lowercased, as ``lemmas_many``).
    """
    from spacy.attrs import ORTH

    from qualcode.text import BATCH_SIZE, clean_for_nlp, get_nlp

    nlp = get_nlp()
    table: Any = {}
    if "lemmatizer" in nlp.pipe_names:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup", {})
    strings = nlp.vocab.strings
    known: dict[int, str] = {}
    out: list[str] = []
    for doc in nlp.tokenizer.pipe((clean_for_nlp(t) for t in texts), batch_size=BATCH_SIZE * 4):
        words = []
        for orth in doc.to_array(ORTH).tolist():
            word = known.get(orth)
            if word is None:
                text = strings[orth]
                word = (table.get(text, text) or text).lower() if text.isalpha() else ""
                known[orth] = word
            if word:
                words.append(word)
        out.append(" ".join(words))
    return out


def lemma_texts(project: "Project | None", texts: Sequence[str]) -> list[str]:
    """Each text as space-joined lowercase lemmas (``qualcode.text.lemma_text_many``), via the cache.

    Without a project nothing is cached.
    """
    if project is None:
        return lookup_lemma_texts(texts)
    from qualcode.store.suggestions import SuggestionStore

    store = getattr(project, "suggestions", None) or SuggestionStore(project)
    key = _key()
    shas = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    found = store.cached_lemmas(key, shas)
    missing = list(dict.fromkeys(i for i, sha in enumerate(shas) if sha not in found))
    todo = {shas[i]: i for i in missing}  # one text per hash
    fresh = dict(zip(todo, lookup_lemma_texts([texts[i] for i in todo.values()]))) if todo else {}
    store.cache_lemmas(key, fresh)
    found.update(fresh)
    return [found[sha] for sha in shas]


def word_lemma_texts(project: "Project | None", texts: Sequence[str]) -> list[str]:
    """:func:`lemma_texts`, composed from the cached lemmas of each whitespace-separated chunk.

    Why: BERTopic's keyword step embeds a new string per topic (its keywords
    joined); caching whole strings would write the cache once per topic and
    load spaCy on every rerun. spaCy's tokenizer handles each
    whitespace-separated chunk on its own, so joining the chunks' lemmas gives
    the same string; a text with a bracket, which ``clean_for_nlp`` may blank
    across chunks, is lemmatised whole.
    """
    whole = [i for i, t in enumerate(texts) if any(c in t for c in "[{<")]
    skip = set(whole)
    chunks = sorted({c for i, t in enumerate(texts) if i not in skip for c in t.split()})
    known = dict(zip(chunks, lemma_texts(project, chunks))) if chunks else {}
    out = [
        " ".join(w for w in (known[c] for c in t.split()) if w) if i not in skip else "" for i, t in enumerate(texts)
    ]
    if whole:
        for i, lemma in zip(whole, lemma_texts(project, [texts[i] for i in whole])):
            out[i] = lemma
    return out
