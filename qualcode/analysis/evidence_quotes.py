"""Evidence tables: per theme, its definition, counts and representative quotes.

Why representativeness and not length: the quotes under a theme in a policy
report should show what most participants said, not the longest or the most
colourful answer. Each coded segment is turned into a TF-IDF vector over its
lemmas (:func:`qualcode.text.lemma_text_many`, IDF fitted on every counted
segment of the project); a theme's centroid is the mean of its segments'
vectors, and the quotes are the segments closest to it by cosine similarity,
preferring one quote per participant before a second from anyone.

A quote is the participant's part of the excerpt: a coding that took the
interviewer's question along with the answer is quoted from the answer only,
and a focus-group excerpt spanning two members gives one candidate quote per
member (:meth:`CountedCoding.part`).

Pseudonymisation replaces participant names (full names, then their
distinctive name parts) in quote text, speakers and attributions with ``P01``,
``P02`` … numbered in the order participants entered the project.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd

from qualcode.analysis.corpus import Corpus, CountedCoding
from qualcode.analysis.counts import frequency_records, group_block
from qualcode.text import TRANSCRIPT_FILLERS

if TYPE_CHECKING:
    from qualcode.model import Turn
    from qualcode.store import Project

MAX_QUOTE_CHARS = 800


@dataclass(frozen=True, slots=True)
class Quote:
    """One quote with its attribution."""

    text: str
    document: str
    participant: str | None
    start: int
    end: int
    speaker: str | None = None
    turn_id: int | None = None
    coding_id: int | None = None
    code_path: str = ""
    score: float = 0.0
    attributes: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def attribution(self) -> str:
        """A one-line source note: participant (attributes), document, speaker, offsets."""
        who = self.participant or "unattributed"
        attrs = ", ".join(f"{k}={v}" for k, v in sorted(self.attributes.items()))
        parts = [f"{who} ({attrs})" if attrs else who, self.document]
        if self.speaker and self.speaker != self.participant:
            parts.append(f"speaker {self.speaker}")
        parts.append(f"{self.start}-{self.end}")
        return "; ".join(parts)


class Pseudonymiser:
    """Replaces participant names with ``P01``, ``P02`` … (by order of entry)."""

    def __init__(self, corpus: Corpus) -> None:
        people = sorted(corpus.participants.values(), key=lambda p: p.id)
        width = max(2, len(str(len(people))))
        self.by_id = {p.id: f"P{i:0{width}d}" for i, p in enumerate(people, 1)}
        names: dict[str, str] = {p.name: self.by_id[p.id] for p in people}
        parts: dict[str, set[str]] = {}
        for p in people:
            tokens = re.findall(r"\w+", p.name)
            for token in tokens if len(tokens) > 1 else []:
                if len(token) >= 2 and token[0].isupper():
                    parts.setdefault(token, set()).add(self.by_id[p.id])
        # Full names first (case-insensitive), then distinctive name parts as written.
        self._full = self._pattern(names, re.IGNORECASE)
        self._full_map = {k.casefold(): v for k, v in names.items()}
        self._parts_map = {k: (next(iter(v)) if len(v) == 1 else "[name]") for k, v in parts.items()}
        self._parts = self._pattern(self._parts_map, 0)

    @staticmethod
    def _pattern(words: dict[str, str], flags: int) -> re.Pattern[str] | None:
        if not words:
            return None
        alts = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
        return re.compile(rf"(?<!\w)(?:{alts})(?!\w)", flags)

    def __call__(self, text: str | None) -> str | None:
        if not text:
            return text
        if self._full is not None:
            text = self._full.sub(lambda m: self._full_map[m.group(0).casefold()], text)
        if self._parts is not None:
            text = self._parts.sub(lambda m: self._parts_map[m.group(0)], text)
        return text


def _stop_words() -> list[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    fillers = {w for f in TRANSCRIPT_FILLERS for w in re.findall(r"[a-z]+", f)}
    return sorted(set(ENGLISH_STOP_WORDS) | fillers)


def segment_vectors(texts: list[str]) -> Any:
    """L2-normalised TF-IDF rows over the lemmas of ``texts`` (``None`` if no vocabulary).

    scikit-learn's vectoriser, not a copy of it: importing scikit-learn costs
    1-2 s of an evidence command, which a hand-written TF-IDF would save, but
    the project uses a well-kept library for what it already does.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer

    from qualcode.text import lemma_text_many

    lemmas = lemma_text_many(texts)
    try:
        return TfidfVectorizer(stop_words=_stop_words(), sublinear_tf=True).fit_transform(lemmas)
    except ValueError:  # empty vocabulary: nothing but stop words / numbers
        return None


def rank_by_centroid(vectors: Any, rows: list[int]) -> list[tuple[int, float]]:
    """``rows`` ordered by cosine similarity to their centroid (ties keep input order)."""
    import numpy as np

    if vectors is None or not rows:
        return [(r, 0.0) for r in rows]
    sub = vectors[rows]
    centroid = np.asarray(sub.mean(axis=0)).ravel()
    norm = float(np.linalg.norm(centroid))
    sims = np.asarray(sub @ centroid).ravel() / norm if norm else np.zeros(len(rows))
    order = sorted(range(len(rows)), key=lambda i: (-round(float(sims[i]), 12), i))
    return [(rows[i], float(sims[i])) for i in order]


@dataclass(frozen=True, slots=True)
class Candidate:
    """One participant's part of a counted coding: what a quote can be."""

    cc: CountedCoding
    participant_id: int | None

    @property
    def text(self) -> str:
        return self.cc.part(self.participant_id)

    @property
    def span(self) -> tuple[int, int]:
        spans = self.cc.spans(self.participant_id)
        return (
            (min(s for s, _ in spans), max(e for _, e in spans))
            if spans
            else (self.cc.coding.start, self.cc.coding.end)
        )

    @property
    def turn(self) -> "Turn | None":
        """The first of this participant's turns in the coding."""
        mine = [t for t in self.cc.turns if self.cc.owner(t) == self.participant_id]
        return mine[0] if mine else self.cc.turn


def pick_quotes(ranked: list[tuple[int, float]], items: list[Candidate], k: int) -> list[tuple[int, float]]:
    """The top ``k``: one per participant first, then the next best; no repeated text."""
    chosen: list[tuple[int, float]] = []
    seen_text: set[str] = set()
    people: set[int | None] = set()
    for second_pass in (False, True):
        for row, score in ranked:
            if len(chosen) >= k:
                return chosen
            text = " ".join(items[row].text.split()).casefold()
            pid = items[row].participant_id
            if text in seen_text or (not second_pass and pid is not None and pid in people):
                continue
            if any(r == row for r, _ in chosen):
                continue
            chosen.append((row, score))
            seen_text.add(text)
            people.add(pid)
    return chosen


def _quote(corpus: Corpus, item: Candidate, score: float, pseudo: Pseudonymiser | None, limit: int) -> Quote:
    cc, pid = item.cc, item.participant_id
    text = " ".join(item.text.split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    person = corpus.participants.get(pid) if pid is not None else None
    name = person.name if person else None
    turn = item.turn
    speaker = turn.speaker if turn else None
    document = cc.document.name
    if pseudo is not None:
        text = pseudo(text) or ""
        name = pseudo.by_id.get(pid) if pid is not None else None
        speaker, document = pseudo(speaker), pseudo(document) or document
    start, end = item.span
    return Quote(
        text=text,
        document=document,
        participant=name,
        start=start,
        end=end,
        speaker=speaker,
        turn_id=turn.id if turn else None,
        coding_id=cc.coding.id,
        code_path=cc.code.path,
        score=round(score, 6),
        attributes=dict(person.attributes) if person else {},
    )


CANDIDATES_PER_CODE = 300
"""Counted codings sampled per code (subtree) as quote candidates; a code with fewer keeps all of them."""


def evidence(
    project: "Project",
    by: list[str] | None = None,
    quotes: int = 3,
    pseudonymise: bool = False,
    *,
    codes: list[str | int] | None = None,
    include_interviewer: bool = False,
    include_pending: bool = True,
    max_chars: int = MAX_QUOTE_CHARS,
    coders: list[str] | None = None,
) -> pd.DataFrame:
    """One row per code: definition, the frequency-table counts and ``quotes`` representative quotes.

    The counts are exactly those of :func:`frequencies` (rolled up, computed
    in SQL); the ``quotes`` column holds lists of :class:`Quote` drawn from
    the code's subtree, each the participant's part of a coded excerpt. The
    candidates are the counted codings of a bounded sample per code
    (:data:`CANDIDATES_PER_CODE`, every coding of a smaller code), so only
    those are read and lemmatised; the TF-IDF is fitted on the union of the
    samples (on every counted coding when no code has more).
    """
    from qualcode.analysis.attribution import check_coders
    from qualcode.analysis.corpus import CountOptions, load_codings
    from qualcode.analysis.counted import check_attributes, frequency_frame
    from qualcode.analysis.counted import code_rows as rows_of

    chosen = check_coders(project, coders)
    options = CountOptions(include_interviewer=include_interviewer, include_pending=include_pending, coders=chosen)
    names = check_attributes(project, by)
    codes_all = project.codes.all()
    code_rows = rows_of(project, codes_all, codes)
    with project.tables.counted(
        include_interviewer=include_interviewer, include_pending=include_pending, coders=chosen
    ) as units:
        frame = frequency_frame(project, units, code_rows, names, options)
        sample = units.sample([c.id for c in codes_all], CANDIDATES_PER_CODE) if quotes > 0 else {}
        reported = [c.id for c in code_rows]
        codings, documents = units.totals(reported)
    # For the report's header (qualcode.export.report_context), so it need not count again.
    frame.attrs["counted_totals"] = {"code_ids": reported, "codings": codings, "documents": documents}
    ids = sorted({i for got in sample.values() for i in got})
    corpus = load_codings(project, ids, options, all_participants=pseudonymise)
    frame["definition"] = [c.description for c in code_rows] if code_rows else []
    column = quote_column(corpus, code_rows, quotes, pseudonymise, max_chars)
    frame["quotes"] = pd.Series(column, index=frame.index, dtype=object)
    frame.attrs.update({"quotes": quotes, "pseudonymised": pseudonymise})
    return frame


def quote_column(
    corpus: Corpus, code_rows: list, quotes: int, pseudonymise: bool, max_chars: int = MAX_QUOTE_CHARS
) -> list[list[Quote]]:
    """Per code row, its ``quotes`` most representative quotes among ``corpus.codings``."""
    unique: dict[tuple[int, int, int, int | None], int] = {}
    items: list[Candidate] = []
    own: dict[int, list[int]] = {}  # code id -> its codings' candidate rows
    for cc in corpus.codings:
        for pid in cc.units():
            item = Candidate(cc, pid)
            key = (cc.document.id, *item.span, pid)
            if key not in unique:
                unique[key] = len(items)
                items.append(item)
            own.setdefault(cc.code.id, []).append(unique[key])
    vectors = segment_vectors([item.text for item in items]) if items and quotes > 0 else None
    pseudo = Pseudonymiser(corpus) if pseudonymise else None
    column = []
    for code in code_rows:
        rows = sorted({r for cid in corpus.subtree[code.id] for r in own.get(cid, [])})
        picked = pick_quotes(rank_by_centroid(vectors, rows), items, quotes) if quotes > 0 else []
        column.append([_quote(corpus, items[r], s, pseudo, max_chars) for r, s in picked])
    return column


def evidence_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Evidence rows in the stable JSON shape: the frequency record plus
    ``"definition"`` and ``"quotes": [{"text", "document", "participant", "start", "end", ...}]``."""
    records = frequency_records(frame)
    for record, (_, row) in zip(records, frame.iterrows()):
        record["definition"] = row.get("definition", "")
        record["quotes"] = [q.as_dict() for q in row["quotes"]]
    return records


def quotes_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """One row per quote of an evidence table (for spreadsheets)."""
    rows = []
    for _, row in frame.iterrows():
        for rank, q in enumerate(row["quotes"], 1):
            rows.append(
                {
                    "path": row["path"],
                    "rank": rank,
                    "text": q.text,
                    "participant": q.participant,
                    "attributes": ", ".join(f"{k}={v}" for k, v in sorted(q.attributes.items())),
                    "document": q.document,
                    "speaker": q.speaker,
                    "start": q.start,
                    "end": q.end,
                    "score": q.score,
                }
            )
    return pd.DataFrame(
        rows,
        columns=["path", "rank", "text", "participant", "attributes", "document", "speaker", "start", "end", "score"],
    )


def evidence_table(frame: pd.DataFrame) -> pd.DataFrame:
    """The evidence table flattened for CSV/XLSX: quotes as ``quote_N`` and ``quote_N_source``."""
    flat = frame.drop(columns=["quotes", "code_id"], errors="ignore").copy()
    k = max((len(q) for q in frame["quotes"]), default=0) if "quotes" in frame else 0
    for i in range(k):
        flat[f"quote_{i + 1}"] = [q[i].text if len(q) > i else "" for q in frame["quotes"]]
        flat[f"quote_{i + 1}_source"] = [q[i].attribution() if len(q) > i else "" for q in frame["quotes"]]
    flat.attrs.update(frame.attrs)
    return flat


__all__ = [
    "CANDIDATES_PER_CODE",
    "Pseudonymiser",
    "Quote",
    "evidence",
    "evidence_records",
    "evidence_table",
    "group_block",
    "quote_column",
    "quotes_frame",
]
