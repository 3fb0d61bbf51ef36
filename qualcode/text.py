"""Text processing with spaCy: sentences, paragraphs and lemmas.

Why a blank pipeline by default: qualcode must work offline with no model
download. ``spacy.blank("en")`` plus the rule-based sentencizer and the
lookup lemmatizer (tables from ``spacy-lookups-data``, installed as a
package) give sentence boundaries and lemmas with no weights at all. A user
who has a full pipeline installed (``en_core_web_sm`` …) can name it.

spaCy is imported lazily, so importing this module costs nothing until a
function that needs spaCy is called.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from qualcode.errors import DependencyError

if TYPE_CHECKING:  # pragma: no cover
    from spacy.language import Language

BATCH_SIZE = 256
_PARA = re.compile(r"\n\s*\n")

# Fillers of spoken transcripts that carry no topic; used as stop words by
# the themes and auto-tagging vectorizers.
TRANSCRIPT_FILLERS: tuple[str, ...] = (
    "um",
    "uh",
    "erm",
    "er",
    "ah",
    "hmm",
    "mm",
    "mhm",
    "uh-huh",
    "okay",
    "ok",
    "yeah",
    "yes",
    "yep",
    "right",
    "like",
    "just",
    "really",
    "actually",
    "basically",
    "gonna",
    "kind of",
    "sort of",
    "you know",
    "i mean",
    "i think",
    "inaudible",
    "crosstalk",
    "vocalsound",
    "disfmarker",
    "gap",
    "redacted",
    "laughter",
    "laugh",
    "pause",
)
_BRACKETED = re.compile(r"\[[^\]]{0,40}\]|\{[^}]{0,40}\}|<[^>]{0,40}>")


@lru_cache(maxsize=4)
def get_nlp(model: str | None = None) -> "Language":
    """The spaCy pipeline: a named installed one, or blank English.

    Raises:
        DependencyError: the named pipeline is not installed (no download
            is ever attempted).
    """
    import spacy

    if model:
        try:
            return spacy.load(model)
        except OSError as exc:
            raise DependencyError(
                f"spaCy pipeline {model!r} is not installed; install its package or leave it out"
            ) from exc
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    try:
        nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
        nlp.initialize()
    except Exception:  # pragma: no cover - spacy-lookups-data missing
        nlp.remove_pipe("lemmatizer")
    return nlp


def clean_for_nlp(text: str) -> str:
    """Blank out bracketed transcript tags (``[inaudible]``, ``{vocalsound}``)
    without changing offsets."""
    return _BRACKETED.sub(lambda m: " " * len(m.group(0)), text)


def sentence_spans(text: str, *, model: str | None = None) -> list[tuple[int, int]]:
    """Sentence boundaries as ``(start, end)`` code-point offsets."""
    return sentence_spans_many([text], model=model)[0]


def sentence_spans_many(texts: Iterable[str], *, model: str | None = None) -> list[list[tuple[int, int]]]:
    """Sentence spans for many texts, through ``nlp.pipe`` in batches."""
    nlp = get_nlp(model)
    out: list[list[tuple[int, int]]] = []
    with nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in ("sentencizer", "parser", "senter")]):
        for doc in nlp.pipe(texts, batch_size=BATCH_SIZE):
            spans = []
            for sent in doc.sents:
                s, e = sent.start_char, sent.end_char
                chunk = doc.text[s:e]
                if chunk.strip():
                    s += len(chunk) - len(chunk.lstrip())
                    e -= len(chunk) - len(chunk.rstrip())
                    spans.append((s, e))
            out.append(spans)
    return out


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """Paragraphs (blocks separated by blank lines) as offsets, whitespace trimmed."""
    spans = []
    pos = 0
    for m in list(_PARA.finditer(text)) + [None]:
        end = m.start() if m else len(text)
        chunk = text[pos:end]
        if chunk.strip():
            lead = len(chunk) - len(chunk.lstrip())
            trail = len(chunk) - len(chunk.rstrip())
            spans.append((pos + lead, end - trail))
        if m:
            pos = m.end()
    return spans


def lemmas_many(texts: Iterable[str], *, model: str | None = None, lower: bool = True) -> Iterator[list[str]]:
    """Lemmas of alphabetic tokens for each text (no punctuation, no numbers)."""
    nlp = get_nlp(model)
    for doc in nlp.pipe((clean_for_nlp(t) for t in texts), batch_size=BATCH_SIZE):
        lemmas = []
        for tok in doc:
            if not tok.is_alpha:
                continue
            lemma = tok.lemma_ or tok.text
            lemmas.append(lemma.lower() if lower else lemma)
        yield lemmas


def lemma_text_many(texts: Iterable[str], *, model: str | None = None) -> list[str]:
    """Each text as a space-joined string of lowercase lemmas (vectorizer input)."""
    return [" ".join(ls) for ls in lemmas_many(texts, model=model)]


def count_words(text: str) -> int:
    """Whitespace word count, as word processors report it."""
    return len(text.split())
