"""Units of analysis for theme suggestion: turns, sentences or paragraphs.

Why windows: topic models work on short, single-topic texts, while an
interview turn can run to hundreds of words across several subjects. Long
units are therefore cut into windows of whole sentences of at most
``max_words`` words (a sentence longer than that is a window on its own), so
every unit keeps exact offsets into the document and can be coded later.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from qualcode.errors import NotFoundError, ValidationError
from qualcode.text import TRANSCRIPT_FILLERS, count_words, paragraph_spans
from qualcode.themes.params import SuggestParams, Unit

if TYPE_CHECKING:
    from qualcode.store import Project


def stop_words() -> list[str]:
    """English stop words plus the one-word transcript fillers (sorted, stable)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    fillers = {w for f in TRANSCRIPT_FILLERS for w in f.replace("-", " ").split()}
    return sorted(set(ENGLISH_STOP_WORDS) | fillers)


def _windows(spans: list[tuple[int, int]], text: str, base: int, max_words: int) -> list[tuple[int, int]]:
    """Group consecutive sentence spans into windows of ≤ ``max_words`` words."""
    out: list[tuple[int, int]] = []
    cur_start: int | None = None
    cur_end = 0
    words = 0
    for s, e in spans:
        n = count_words(text[s:e])
        if cur_start is not None and words + n > max_words:
            out.append((base + cur_start, base + cur_end))
            cur_start = None
            words = 0
        if cur_start is None:
            cur_start = s
        cur_end = e
        words += n
    if cur_start is not None:
        out.append((base + cur_start, base + cur_end))
    return out


def build_units(project: "Project", params: SuggestParams) -> list[Unit]:
    """The units a run analyses, after filters, windowing and the short-unit cut.

    Raises:
        NotFoundError: a named document does not exist.
        ValidationError: a filter leaves nothing to analyse.
    """
    return build_units_with_lemmas(project, params)[0]


def build_units_with_lemmas(project: "Project", params: SuggestParams) -> tuple[list[Unit], list[str]]:
    """:func:`build_units` and each kept unit's lemma string (lemmatised once, cached in the project).

    Raises:
        NotFoundError: a named document does not exist.
        ValidationError: a filter leaves nothing to analyse.
    """
    from qualcode.text import sentence_spans_many
    from qualcode.themes.lemmas import lemma_texts

    docs = {d.id: d for d in project.documents.all()}
    if params.documents:
        wanted = {project.documents.resolve(ref).id for ref in params.documents}
        docs = {i: d for i, d in docs.items() if i in wanted}
    if params.kinds:
        docs = {i: d for i, d in docs.items() if d.kind in params.kinds}
    people = {p.id: p for p in project.participants.all()}
    if params.where:
        known = set(project.participants.attribute_names())
        for name, _ in params.where:
            if name not in known:
                raise NotFoundError(f"no participant attribute called {name!r}")

    pieces: list[tuple[int, int, int, str, int | None, int]] = []  # doc, start, end, speaker, pid, turn
    for turn in project.documents.all_turns():
        doc = docs.get(turn.document_id)
        if doc is None or turn.end <= turn.start:
            continue
        if turn.role == "interviewer" and not params.include_interviewer:
            continue
        pid = turn.participant_id or doc.participant_id
        if params.where:
            attrs = people[pid].attributes if pid in people else {}
            if any(attrs.get(k) != v for k, v in params.where):
                continue
        pieces.append((doc.id, turn.start, turn.end, turn.speaker, pid, turn.id))
    if not pieces:
        raise ValidationError("no turns to analyse: check --document, --kind, --where and interviewer settings")

    # Paragraph mode first splits turns at blank lines; then every piece that
    # is too long (or every piece, in sentence mode) is split into sentences.
    if params.unit == "paragraph":
        split: list[tuple[int, int, int, str, int | None, int]] = []
        for doc_id, s, e, spk, pid, tid in pieces:
            for ps, pe in paragraph_spans(docs[doc_id].text[s:e]):
                split.append((doc_id, s + ps, s + pe, spk, pid, tid))
        pieces = split
    texts = [docs[p[0]].text[p[1] : p[2]] for p in pieces]
    needs = [i for i, t in enumerate(texts) if params.unit == "sentence" or count_words(t) > params.max_words]
    spans_of = dict(zip(needs, sentence_spans_many(texts[i] for i in needs)))

    units: list[Unit] = []
    for i, (doc_id, s, e, spk, pid, tid) in enumerate(pieces):
        if i not in spans_of:
            ranges = [(s, e)]
        elif params.unit == "sentence":
            ranges = [(s + a, s + b) for a, b in spans_of[i]]
        else:
            ranges = _windows(spans_of[i], texts[i], s, params.max_words)
        for a, b in ranges:
            text = docs[doc_id].text[a:b]
            if text.strip():
                units.append(Unit(doc_id, docs[doc_id].name, a, b, text, spk, pid, tid))

    stops = set(stop_words())
    lemmas = lemma_texts(project, [u.text for u in units])
    keep = [
        i
        for i, lemma in enumerate(lemmas)
        if sum(1 for w in lemma.split() if w not in stops and len(w) > 1) >= params.min_content_words
    ]
    if not keep:
        raise ValidationError("every unit is too short to analyse (fewer than "
                              f"{params.min_content_words} content words)")
    return [units[i] for i in keep], [lemmas[i] for i in keep]
