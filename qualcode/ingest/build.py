"""From raw turns to a :class:`ParsedDocument`: roles, participants, kind.

Why one place: every format finds turns differently, but who is the
interviewer, which participant a speaker is, and what kind of document it
is follow the same rules for all of them (see README, "Importing data").
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from qualcode.ingest.options import ImportOptions
from qualcode.ingest.participants import ParticipantMap
from qualcode.ingest.turns import (
    INTERVIEWER_LABELS,
    RawTurn,
    is_generic_label,
    label_key,
    paragraph_turns,
    speaker_turns,
)
from qualcode.model import ParsedDocument, ParsedTurn

PARTICIPANT_SEP = " · "
# C0 controls other than tab, newline and carriage return. A NUL made every later
# offset uncodeable (SQLite's length() stops at it); the others break exports.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def replace_controls(text: str) -> tuple[str, int]:
    """Replace C0 control characters one for one (offsets keep their meaning):
    vertical tab and form feed (PDF page breaks) by a newline, the rest by a space."""
    found = len(_CONTROLS.findall(text))
    if not found:
        return text, 0
    return _CONTROLS.sub(lambda m: "\n" if m.group() in "\x0b\x0c" else " ", text), found


@dataclass
class RawDoc:
    """A document as a format parser found it."""

    name: str
    text: str
    turns: list[RawTurn]
    key: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)
    kind: str | None = None
    participant: str | None = None
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RawPerson:
    """A person who must exist without a document of their own (a survey respondent
    who left every free-text answer empty), yielded among a file's documents."""

    name: str
    attributes: dict[str, str]


@dataclass
class RawFile:
    """Everything a format parser found in one file.

    ``documents`` is a list, or a generator that reads the file as it is
    consumed (surveys); it may yield :class:`RawPerson` entries too.
    ``participants`` holds people that must exist even without a document;
    ``multi`` marks files holding several documents (their sha256 includes the key).
    """

    documents: "list[RawDoc] | Iterator[RawDoc | RawPerson]"
    encoding: str | None = None
    participants: dict[str, dict[str, str]] = field(default_factory=dict)
    multi: bool = False


@dataclass(slots=True)
class Utterance:
    """One turn of a structured source (JSON, CSV row, subtitle cue)."""

    speaker: str
    text: str
    time_start: str | None = None
    time_end: str | None = None
    role: str | None = None


def text_turns(text: str) -> list[RawTurn]:
    """Speaker turns if the text is a transcript, else paragraph turns."""
    found = speaker_turns(text)
    return found if found is not None else paragraph_turns(text)


def render(utterances: Sequence[Utterance]) -> tuple[str, list[RawTurn]]:
    """Lay out structured turns as ``Speaker: utterance`` blocks.

    Returns the text and turns whose spans point at each utterance.
    """
    parts: list[str] = []
    turns: list[RawTurn] = []
    pos = 0
    for u in utterances:
        body = u.text.strip()
        if not body:
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        label = f"{u.speaker}: " if u.speaker else ""
        parts.append(label + body)
        start = pos + len(label)
        pos = start + len(body)
        turns.append(RawTurn(u.speaker, start, pos, u.time_start, u.time_end, u.role))
    return "".join(parts), turns


def merge_consecutive(utterances: Sequence[Utterance], sep: str = " ") -> list[Utterance]:
    """Join consecutive utterances of the same speaker (cues, page-split rows)."""
    merged: list[Utterance] = []
    for u in utterances:
        if not u.text.strip():
            continue
        prev = merged[-1] if merged else None
        if prev and prev.speaker == u.speaker and prev.role == u.role:
            prev.text = prev.text.rstrip() + sep + u.text.strip()
            prev.time_end = u.time_end or prev.time_end
        else:
            merged.append(Utterance(u.speaker, u.text.strip(), u.time_start, u.time_end, u.role))
    return merged


def is_interviewer(label: str, options: ImportOptions) -> bool:
    """``--interviewer`` names, else the default labels (Interviewer 1, Q, AI …)."""
    wanted = {" ".join(n.split()).casefold() for n in options.interviewers}
    if " ".join(label.split()).casefold() in wanted:
        return True
    return label_key(label) in INTERVIEWER_LABELS


def guess_kind(turns: Sequence[ParsedTurn]) -> str:
    speakers = {t.speaker for t in turns if t.role == "participant" and t.speaker}
    if len(speakers) >= 3:
        return "focus_group"
    if speakers:
        return "interview"
    return "other"


def _same_person(turns: list[ParsedTurn]) -> list[ParsedTurn]:
    """One participant name per person: "TOMAS" and "Tomas " become the spelling used on most turns.

    Why: a case variant of a label is the same speaker; without this it would
    be a second participant and the interview would have none of its own.
    """
    from collections import Counter

    spellings: dict[str, Counter[str]] = {}
    for t in turns:
        if t.participant:
            spellings.setdefault(" ".join(t.participant.split()).casefold(), Counter())[t.participant] += 1
    best = {key: c.most_common(1)[0][0] for key, c in spellings.items() if len(c) > 1}
    if not best:
        return turns
    out = []
    for t in turns:
        key = " ".join(t.participant.split()).casefold() if t.participant else ""
        out.append(replace(t, participant=best[key]) if key in best else t)
    return out


def finish(
    raw: RawDoc,
    options: ImportOptions,
    pmap: ParticipantMap,
    *,
    source_path: str,
    sha256: str,
    encoding: str | None,
) -> ParsedDocument:
    """Set roles, participants and kind on a raw document."""
    names = (raw.name, *raw.aliases)
    doc_participant = raw.participant or pmap.for_document(names)
    turns: list[ParsedTurn] = []
    for t in raw.turns:
        role = t.role if t.role in ("interviewer", "participant") else None
        if role is None:
            role = "interviewer" if t.speaker and is_interviewer(t.speaker, options) else "participant"
        who = pmap.for_speaker(names, t.speaker)
        if who is None and role == "participant":
            if doc_participant:
                who = doc_participant
            elif t.speaker:
                who = f"{raw.name}{PARTICIPANT_SEP}{t.speaker}" if is_generic_label(t.speaker) else t.speaker
        speaker = replace_controls(t.speaker)[0].strip() if t.speaker else t.speaker
        turns.append(ParsedTurn(speaker, t.start, t.end, role, who, t.time_start, t.time_end))
    turns = _same_person(turns)
    if doc_participant is None:
        people = {t.participant for t in turns if t.role == "participant" and t.participant}
        if len(people) == 1:
            doc_participant = people.pop()
    attributes: dict[str, dict[str, str]] = {}
    used = {t.participant for t in turns if t.participant} | ({doc_participant} if doc_participant else set())
    for name in sorted(used):
        extra = pmap.attributes.get(name)
        # Shared, not copied, when the participants sheet adds nothing: a survey
        # file has one document per answer and memory must not grow per copy.
        attributes[name] = {**raw.attributes.get(name, {}), **extra} if extra else raw.attributes.get(name, {})
    kind = options.kind or raw.kind or guess_kind(turns)
    metadata = dict(raw.metadata)
    if encoding:
        metadata["encoding"] = encoding
    if raw.key is not None:
        metadata["key"] = raw.key
    text, replaced = replace_controls(raw.text)
    if replaced:
        metadata["controls_replaced"] = replaced
    return ParsedDocument(
        name=replace_controls(raw.name)[0],
        kind=kind,
        text=text,
        turns=turns,
        source_path=source_path,
        sha256=sha256,
        metadata=metadata,
        participant=doc_participant,
        participants=attributes,
    )
