"""Lemma strings of unit texts, cached in the project.

Why a cache: spaCy lemmatising is the slowest step of a theme suggestion on
short answers (9 s of 28 s on 4,000 answers). Units are slices of stored
texts, which change only by re-import, so the lemmas are kept in the
project keyed by the pipeline and the sha1 of the text: a rerun with a new
seed or topic count reads them back, and an edited text misses the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from qualcode.store import Project

#: Cache key of the default pipeline (spaCy blank English + lookup lemmas).
DEFAULT_PIPELINE = "blank-en-lookup"


def _key() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return f"{DEFAULT_PIPELINE}/spacy-{version('spacy')}"
    except PackageNotFoundError:  # pragma: no cover - spaCy is a hard dependency
        return DEFAULT_PIPELINE


def lemma_texts(project: "Project | None", texts: Sequence[str]) -> list[str]:
    """Each text as space-joined lowercase lemmas (``qualcode.text.lemma_text_many``), via the cache.

    Without a project nothing is cached.
    """
    from qualcode.text import lemma_text_many

    if project is None:
        return lemma_text_many(texts)
    from qualcode.store.suggestions import SuggestionStore

    store = getattr(project, "suggestions", None) or SuggestionStore(project)
    key = _key()
    shas = [hashlib.sha1(t.encode("utf-8")).hexdigest() for t in texts]
    found = store.cached_lemmas(key, shas)
    missing = list(dict.fromkeys(i for i, sha in enumerate(shas) if sha not in found))
    todo = {shas[i]: i for i in missing}  # one text per hash
    fresh = dict(zip(todo, lemma_text_many([texts[i] for i in todo.values()]))) if todo else {}
    store.cache_lemmas(key, fresh)
    found.update(fresh)
    return [found[sha] for sha in shas]
