"""Units of analysis shared by theme suggestion and auto-tagging.

Why one module: both pipelines start from the same thing, the participant
turns of the chosen documents cut into turns, sentences, paragraphs or
windows of whole sentences, with exact offsets into the document so a unit
can be coded later. Turn texts come from the store in one query (each turn
keeps its own text), so building units for 10^6 survey answers reads no
whole document and creates no :class:`~qualcode.model.Document`.

``qualcode.autotag.units`` and ``qualcode.themes.units`` re-export what they
used to define here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from qualcode.errors import ValidationError
from qualcode.model import Segment
from qualcode.text import count_words, paragraph_spans

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.store.documents import TurnText

UNIT_KINDS: tuple[str, ...] = ("turn", "sentence", "paragraph")


def select_turns(
    project: "Project",
    *,
    document_ids: Iterable[int] | None = None,
    kinds: Sequence[str] = (),
    include_interviewer: bool = False,
    keep: Callable[["TurnText"], bool] | None = None,
) -> list["TurnText"]:
    """Non-empty turns of the chosen documents, in document and turn order.

    Interviewer turns are left out unless ``include_interviewer``: questions
    are not data about the participants. ``keep`` is a further filter
    (participant attributes, for themes).
    """
    wanted = None if document_ids is None else list(document_ids)
    out = []
    for t in project.documents.turn_texts(wanted):
        if t.end <= t.start or (t.role == "interviewer" and not include_interviewer):
            continue
        if kinds and t.kind not in kinds:
            continue
        if keep is not None and not keep(t):
            continue
        out.append(t)
    return out


def windows(spans: list[tuple[int, int]], text: str, base: int, max_words: int) -> list[tuple[int, int]]:
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


def _may_exceed(text: str, max_words: int) -> bool:
    """False when ``text`` is too short to hold more than ``max_words`` words (each word and gap is a character),
    so short survey answers are never split into words just to be counted."""
    return len(text) > 2 * max_words


def split_turns(
    turns: Sequence["TurnText"], unit: str, max_words: int | None = None
) -> list[tuple["TurnText", int, int, str]]:
    """Cut turns into units: ``(turn, start, end, text)`` with document offsets.

    ``turn`` keeps a turn whole unless it has more than ``max_words`` words
    (then windows of whole sentences); ``sentence`` gives each sentence;
    ``paragraph`` splits at blank lines first, then windows long paragraphs.
    Units that are only whitespace are dropped.

    Raises:
        ValidationError: an unknown unit kind.
    """
    from qualcode.text import sentence_spans_many

    if unit not in UNIT_KINDS:
        raise ValidationError(f"unknown unit {unit!r}; use one of {', '.join(UNIT_KINDS)}")
    pieces: list[tuple[TurnText, int, int, str]] = []
    for t in turns:
        if unit == "paragraph":
            pieces += [(t, t.start + a, t.start + b, t.text[a:b]) for a, b in paragraph_spans(t.text)]
        else:
            pieces.append((t, t.start, t.end, t.text))
    needs = [
        i
        for i, p in enumerate(pieces)
        if unit == "sentence"
        or (max_words is not None and _may_exceed(p[3], max_words) and count_words(p[3]) > max_words)
    ]
    # spaCy loads only when some piece must be split (a rerun on short answers needs none of it).
    spans_of = dict(zip(needs, sentence_spans_many(pieces[i][3] for i in needs))) if needs else {}
    out: list[tuple[TurnText, int, int, str]] = []
    for i, (t, s, e, text) in enumerate(pieces):
        if i not in spans_of:  # the common case (short answers): the piece is a unit as it is
            piece = text[: e - s]
            if piece and not piece.isspace():  # == piece.strip(), without building the stripped copy
                out.append((t, s, e, piece))
            continue
        if unit == "sentence":
            ranges = [(s + a, s + b) for a, b in spans_of[i]]
        else:
            ranges = windows(spans_of[i], text, s, max_words or 0)
        for a, b in ranges:
            piece = text[a - s : b - s]
            if piece.strip():
                out.append((t, a, b, piece))
    return out


def build_segments(
    project: "Project",
    unit: str = "turn",
    *,
    document_ids: Iterable[int] | None = None,
    include_interviewer: bool = False,
) -> list[Segment]:
    """Every turn or sentence of the chosen documents as a :class:`Segment`, in document and text order.

    Raises:
        ValidationError: an unknown unit kind.
    """
    if unit not in ("turn", "sentence"):
        raise ValidationError(f"unknown unit {unit!r}; use one of turn, sentence")
    turns = [
        t
        for t in select_turns(project, document_ids=document_ids, include_interviewer=include_interviewer)
        if t.text.strip()
    ]
    return [
        Segment(t.document_id, a, b, text, t.speaker, t.role, t.participant_id, t.id)  # type: ignore[arg-type]
        for t, a, b, text in split_turns(turns, unit)
    ]
