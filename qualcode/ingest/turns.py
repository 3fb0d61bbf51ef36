"""Speaker turns in plain text: ``Name:``, ``[00:01:02] Name:``, Otter style …

Why these rules: transcripts arrive as Word, PDF or text files with the
speaker written in front of each turn, in a handful of house styles, while
ordinary documents also contain ``Note:`` or ``Example:`` lines. A label only
counts as a speaker if it is short (≤ 4 words, ≤ 40 characters), starts with
a capital (or is a known role such as ``user``), and either repeats in the
file, carries a timestamp, or is a role label (``Interviewer``, ``Q``,
``Speaker 2`` …). A text is a transcript only if at least two turns are
found, labels repeat (or are all roles/timestamped) and turns are dense
enough (≥ 1 per 4 paragraphs); anything else becomes paragraph turns.

Turn spans cover the utterance only, never the label, in code points of the
(already newline-normalised) text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

TIMESTAMP = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_LABEL = r"[^\W\d_][\w.'’&/ -]{0,39}?"
_MD = r"(?:\*\*|__)?"
_END = r"(?:[ \t]+|$)"
_PATTERNS: tuple[re.Pattern[str], ...] = (
    # [00:01:02] Name: text   /   00:01:02 - Name: text
    re.compile(
        rf"^[ \t]*{_MD}[\[(]?(?P<ts>{TIMESTAMP})[\])]?{_MD}[ \t]*[-–—]?[ \t]*{_MD}(?P<label>{_LABEL}){_MD}[ \t]*:{_MD}{_END}"
    ),
    # Name (00:01:02): text   /   Name [00:01:02]: text
    re.compile(rf"^[ \t]*{_MD}(?P<label>{_LABEL})[ \t]*[\[(](?P<ts>{TIMESTAMP})[\])]{_MD}[ \t]*:{_MD}{_END}"),
    # Name: text   /   NAME: text   /   **Name:** text
    re.compile(rf"^[ \t]*{_MD}(?P<label>{_LABEL}){_MD}[ \t]*:{_MD}{_END}"),
    # Name 00:01:02   (Zoom/Otter: the label line alone, text on the next lines)
    re.compile(rf"^[ \t]*(?P<label>{_LABEL})[ \t]+[\[(]?(?P<ts>{TIMESTAMP})[\])]?[ \t]*$"),
)
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")

INTERVIEWER_LABELS = frozenset(
    {"interviewer", "moderator", "facilitator", "q", "ai", "assistant", "i", "int", "researcher"}
)
GENERIC_LABELS = frozenset(
    {
        "interviewee",
        "respondent",
        "participant",
        "user",
        "a",
        "r",
        "p",
        "s",
        "speaker",
        "person",
        "unknown",
        "guest",
        "ie",
        "iee",
        "resp",
        "member",
        "attendee",
    }
)
# Nouns naming a role rather than a person (AMI's "Project Manager"): such a
# label is a different person in every document.
ROLE_NOUNS = frozenset(
    GENERIC_LABELS
    | {
        "manager",
        "designer",
        "marketing",
        "interface",
        "engineer",
        "lead",
        "officer",
        "representative",
        "rep",
        "staff",
        "student",
        "teacher",
        "nurse",
        "doctor",
        "patient",
        "client",
        "customer",
        "caller",
        "agent",
        "chair",
        "expert",
        "analyst",
        "worker",
        "parent",
        "child",
        "operator",
        "owner",
        "director",
    }
)
# Headings of ordinary documents and transcript headers that are never speakers.
NOT_SPEAKERS = frozenset(
    {
        "note",
        "notes",
        "nb",
        "ps",
        "example",
        "examples",
        "e.g",
        "eg",
        "i.e",
        "ie.",
        "date",
        "time",
        "location",
        "place",
        "duration",
        "length",
        "title",
        "subject",
        "summary",
        "topic",
        "topics",
        "project",
        "file",
        "source",
        "attendees",
        "present",
        "recorded",
        "recording",
        "warning",
        "tip",
        "important",
        "re",
        "to",
        "from",
        "cc",
        "bcc",
        "sent",
        "url",
        "link",
        "see",
        "step",
        "question",
        "answer",
        "transcript",
        "transcription",
        "interview",
        "session",
        "study",
        "keywords",
        "abstract",
        "conclusion",
        "introduction",
        "background",
        "method",
        "methods",
        "results",
        "update",
        "edit",
        "todo",
        "caution",
        "definition",
        "version",
        "status",
        "author",
        "authors",
        "page",
        "figure",
        "table",
        "total",
        "chapter",
        "section",
    }
)
_PARTICLES = frozenset(
    {
        "de",
        "da",
        "di",
        "del",
        "der",
        "den",
        "van",
        "von",
        "la",
        "le",
        "du",
        "bin",
        "al",
        "and",
        "or",
        "and/or",
        "&",
        "of",
        "y",
        "e",
    }
)


@dataclass(slots=True)
class RawTurn:
    """A turn found by a parser, before roles and participants are set."""

    speaker: str
    start: int
    end: int
    time_start: str | None = None
    time_end: str | None = None
    role: str | None = None


def label_key(label: str) -> str:
    """A label reduced to its role word: ``Interviewer 2`` → ``interviewer``, ``P1`` → ``p``."""
    key = re.sub(r"[\d\s._#:()-]+$", "", label.strip().lower())
    return re.sub(r"\s+", " ", key)


def is_role_label(label: str) -> bool:
    key = label_key(label)
    return key in INTERVIEWER_LABELS or key in GENERIC_LABELS


def is_generic_label(label: str) -> bool:
    """True for labels naming a role, not a person (``Respondent``, ``Speaker 2``, ``Project Manager``)."""
    words = re.findall(r"[^\W\d_]+", label.lower())
    if not words:
        return True
    if all(w in GENERIC_LABELS or w in _PARTICLES or len(w) == 1 for w in words):
        return True
    return words[-1] in ROLE_NOUNS


def is_speaker_label(label: str) -> bool:
    """Shape test for a speaker label (see module docstring)."""
    label = label.strip()
    if not label or len(label) > 40 or not label[0].isalpha():
        return False
    words = label.split()
    if len(words) > 4:
        return False
    if label.lower().rstrip(".") in NOT_SPEAKERS or label_key(label) in NOT_SPEAKERS:
        return False
    if is_role_label(label):
        return True
    if not label[0].isupper():
        return False
    return all(w[0].isupper() or w[0].isdigit() or w.lower() in _PARTICLES for w in words[1:])


@dataclass(slots=True)
class _Candidate:
    line_start: int
    body_start: int
    label: str
    ts: str | None


def _candidates(text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    pos = 0
    for line in text.split("\n"):
        if line.strip():
            for pattern in _PATTERNS:
                m = pattern.match(line)
                if m and is_speaker_label(m.group("label")):
                    found.append(_Candidate(pos, pos + m.end(), m.group("label").strip(), m.groupdict().get("ts")))
                    break
        pos += len(line) + 1
    return found


def _once_speaker(text: str, cand: _Candidate) -> bool:
    words = cand.label.split()
    line_end = text.find("\n", cand.body_start)
    same_line = text[cand.body_start : line_end if line_end >= 0 else len(text)].strip()
    return bool(same_line) and len(words) <= 3 and all(w[0].isupper() and w.isalpha() for w in words)


def _trimmed(text: str, start: int, end: int) -> tuple[int, int]:
    chunk = text[start:end]
    lead = len(chunk) - len(chunk.lstrip())
    trail = len(chunk) - len(chunk.rstrip())
    return start + lead, max(start + lead, end - trail)


def speaker_turns(text: str) -> list[RawTurn] | None:
    """Speaker turns of a transcript, or ``None`` if the text is not one.

    Continuation lines (and paragraphs) belong to the previous turn; text
    before the first label (a header) belongs to no turn.
    """
    cands = _candidates(text)
    if len(cands) < 2:
        return None
    counts: dict[str, int] = {}
    for c in cands:
        counts[c.label.lower()] = counts.get(c.label.lower(), 0) + 1
    accepted = [c for c in cands if counts[c.label.lower()] >= 2 or c.ts or is_role_label(c.label)]
    if len(accepted) < 2:
        return None
    repeats = any(counts[c.label.lower()] >= 2 for c in accepted)
    if not repeats and not all(c.ts or is_role_label(c.label) for c in accepted):
        return None
    paragraphs = len([p for p in _PARAGRAPH_BREAK.split(text) if p.strip()])
    if len(accepted) * 4 < paragraphs:
        return None
    # A transcript now: a speaker heard once (a focus-group member) counts if
    # the label looks like a name and the utterance starts on the same line,
    # unlike a heading such as "Initial Steps:" alone on its line.
    # (Identity set: a list search here made 20,000 turns take 27 s.)
    kept = {id(c) for c in accepted}
    accepted = [c for c in cands if id(c) in kept or _once_speaker(text, c)]
    turns: list[RawTurn] = []
    for i, c in enumerate(accepted):
        end = accepted[i + 1].line_start if i + 1 < len(accepted) else len(text)
        start, stop = _trimmed(text, c.body_start, end)
        if stop > start:
            turns.append(RawTurn(c.label, start, stop, time_start=c.ts))
    return turns if len(turns) >= 2 else None


def paragraph_turns(text: str) -> list[RawTurn]:
    """One speakerless turn per paragraph (blocks split by blank lines)."""
    from qualcode.text import paragraph_spans

    return [RawTurn("", s, e) for s, e in paragraph_spans(text)]
