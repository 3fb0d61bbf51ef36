"""Speakers you can see and fix: list labels, flag likely misspellings, rename, set role, merge people.

Why: a single misspelt label ("Particpant" among 66 "Participant" turns)
silently becomes a second participant, and the interview then has no
participant of its own; "TOMAS" beside "Tomas" is the same person. Nothing is
merged automatically ("Dan" and "Dana" can be two people in a focus group):
labels are *flagged* (``similar_to``) and the analyst fixes them, each fix
one undoable action. The CLI (``qualcode speakers``, ``participants merge``)
and the TUI call these functions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError

if TYPE_CHECKING:
    from qualcode.store import Project
    from qualcode.store.speakers import SpeakerLabel

ROLES = ("interviewer", "participant")
FREQUENT = 3
"""A label with at least this many turns is "frequent"; one with one or two turns may be its misspelling."""
RARE = 2


@dataclass(frozen=True, slots=True)
class SpeakerInfo:
    """One label of one document as ``qualcode speakers`` shows it."""

    document: str
    speaker: str
    turns: int
    role: str
    participant: str | None
    similar_to: str | None = None
    similar_turns: int | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "speaker": self.speaker,
            "turns": self.turns,
            "role": self.role,
            "participant": self.participant,
            "similar_to": self.similar_to,
        }

    def warning(self) -> str:
        """The import warning for a suspect label."""
        return (
            f"{self.document}: speaker {self.speaker!r} ({_turns(self.turns)}) looks like {self.similar_to!r} "
            f"({_turns(self.similar_turns or 0)}); if it is, run: qualcode speakers rename "
            f"{_quote(self.speaker)} {_quote(self.similar_to or '')} --document {_quote(self.document)}"
        )


@dataclass(frozen=True, slots=True)
class SpeakerChange:
    """What a rename, role change or merge did (``--json``: action, turns, participants)."""

    action: str
    turns: int
    participants: list[str]
    documents: list[str] = field(default_factory=list)
    removed_participants: list[str] = field(default_factory=list)
    summary: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "turns": self.turns,
            "participants": self.participants,
            "documents": self.documents,
            "removed_participants": self.removed_participants,
            "summary": self.summary,
        }


def _turns(n: int) -> str:
    return f"{n} turn" if n == 1 else f"{n} turns"


def _quote(text: str) -> str:
    import shlex

    return shlex.quote(text)


def _norm(label: str) -> str:
    return " ".join(label.split())


def max_distance(a: str, b: str) -> int:
    """Edit distance allowed between two labels: 2, but 1 under 6 characters and 0 under 3.

    Why shorter limits: "Dan"/"Ian" or "Q"/"A" are one edit apart and are
    different speakers; "Particpant"/"Participant" are not.
    """
    shorter = min(len(a), len(b))
    return 0 if shorter < 3 else 1 if shorter < 6 else 2


def distinct_by_convention(a: str, b: str) -> bool:
    """Labels close in spelling that name different speakers by convention.

    Two role words ("Interviewee"/"Interviewer", "Q"/"A") or labels that
    differ in their numbers ("Interviewer 2"/"Interviewer 4", "P1"/"P2") are
    never flagged as misspellings of each other (seen on real transcripts).
    """
    import re

    from qualcode.ingest.turns import GENERIC_LABELS, INTERVIEWER_LABELS, label_key

    roles = INTERVIEWER_LABELS | GENERIC_LABELS
    key_a, key_b = label_key(a), label_key(b)
    if key_a in roles and key_b in roles and key_a != key_b:
        return True
    return re.findall(r"\d+", a) != re.findall(r"\d+", b)


def similar_label(label: "SpeakerLabel", others: list["SpeakerLabel"]) -> "SpeakerLabel | None":
    """The frequent label of the same document that ``label`` is probably a variant of, else ``None``.

    Only a label used once or twice is compared, against labels with at least
    :data:`FREQUENT` turns: equal ignoring case and spaces, or within
    :func:`max_distance` edits (case ignored), unless they are different by
    convention (:func:`distinct_by_convention`).
    """
    from rapidfuzz.distance import Levenshtein

    if label.turns > RARE or not _norm(label.speaker):
        return None
    mine = _norm(label.speaker).casefold()
    best: tuple[int, int, SpeakerLabel] | None = None
    for other in others:
        if other.document_id != label.document_id or other.turns < FREQUENT or other.speaker == label.speaker:
            continue
        theirs = _norm(other.speaker).casefold()
        if theirs != mine and distinct_by_convention(mine, theirs):
            continue
        distance = Levenshtein.distance(mine, theirs)
        if distance <= max_distance(mine, theirs) and (best is None or (distance, -other.turns) < best[:2]):
            best = (distance, -other.turns, other)
    return best[2] if best else None


def _by_document(labels: list["SpeakerLabel"]) -> dict[int, list["SpeakerLabel"]]:
    """Labels grouped by document: a label is only compared within its document (linear, not quadratic)."""
    out: dict[int, list[SpeakerLabel]] = {}
    for label in labels:
        out.setdefault(label.document_id, []).append(label)
    return out


def list_speakers(project: "Project", document: str | None = None) -> list[SpeakerInfo]:
    """Every speaker label per document with turns, role, participant and ``similar_to``.

    Raises:
        NotFoundError: ``document`` names no document.
    """
    ids = [project.documents.resolve(document).id] if document else None
    labels = project.speakers.labels(ids)
    same_doc = _by_document(labels)
    out = []
    for label in labels:
        like = similar_label(label, same_doc[label.document_id])
        out.append(
            SpeakerInfo(
                label.document,
                label.speaker,
                label.turns,
                label.role,
                label.participant,
                like.speaker if like else None,
                like.turns if like else None,
            )
        )
    return out


def suspect_labels(project: "Project", document_names: list[str]) -> list[SpeakerInfo]:
    """The labels of these documents that look like a misspelling or case variant (import warnings)."""
    # One query per 500 names, no texts: a survey import names a document per answer.
    ids = [e.id for e in project.documents.extents(document_names).values()]
    if not ids:
        return []
    labels = project.speakers.labels(ids)
    same_doc = _by_document(labels)
    out = []
    for label in labels:
        like = similar_label(label, same_doc[label.document_id])
        if like is not None:
            out.append(
                SpeakerInfo(
                    label.document, label.speaker, label.turns, label.role, label.participant, like.speaker, like.turns
                )
            )
    return out


def _targets(project: "Project", label: str, document: str | None) -> list["SpeakerLabel"]:
    """The labels equal to ``label`` (spaces normalised, case kept) in one or every document."""
    ids = [project.documents.resolve(document).id] if document else None
    found = [lb for lb in project.speakers.labels(ids) if _norm(lb.speaker) == _norm(label)]
    if not found:
        where = f" in {document}" if document else ""
        raise NotFoundError(f"no speaker {label!r}{where}; list them with 'qualcode speakers'")
    return found


def _participant_for(project: "Project", document: str, label: str) -> int:
    """The participant a participant-role label stands for, as import would create it."""
    from qualcode.ingest.build import PARTICIPANT_SEP
    from qualcode.ingest.turns import is_generic_label

    name = f"{document}{PARTICIPANT_SEP}{label}" if is_generic_label(label) else label
    return project.participants.ensure(name).id


def _finish(project: "Project", doc_ids: set[int], old_pids: set[int]) -> list[str]:
    for did in doc_ids:
        project.speakers.refresh_document_participant(did)
    return project.speakers.prune_participants(sorted(old_pids))


def rename_speaker(project: "Project", old: str, new: str, document: str | None = None) -> SpeakerChange:
    """Relabel ``old``'s turns as ``new`` and link them to ``new``'s participant; one undoable action.

    Where ``new`` already speaks in the document its role and participant are
    taken; otherwise the turns keep their role and get the participant import
    would give ``new``. A participant left with no turn, document or
    attribute (the misspelling's) is removed.

    Raises:
        ValidationError: an empty new label.
        NotFoundError: no such label (in ``document``).
    """
    new = _norm(new)
    if not new:
        raise ValidationError("the new speaker label is empty")
    targets = _targets(project, old, document)
    turns, people, docs, old_pids = 0, [], [], set()
    with project.action("speakers-rename", f"rename speaker {old} -> {new}"):
        for label in targets:
            same = [
                lb
                for lb in project.speakers.labels([label.document_id])
                if lb.speaker == new and lb.speaker != label.speaker
            ]
            if same:
                role, pid = same[0].role, same[0].participant_id
            elif label.role == "participant":
                role, pid = "participant", _participant_for(project, label.document, new)
            else:
                role, pid = label.role, label.participant_id
            if label.participant_id is not None and label.participant_id != pid:
                old_pids.add(label.participant_id)
            if pid is not None:
                person = project.participants.get(pid)
                twin = project.participants.find(new)
                if (
                    person.name == label.speaker
                    and person.name != new
                    and person.name.casefold() == new.casefold()
                    and twin is not None
                    and twin.id == pid
                ):
                    project.speakers.rename_participant(pid, new)  # "TOMAS" -> "Tomas", same person
                people.append(project.participants.get(pid).name)
            ids = project.speakers.turn_ids(label.document_id, label.speaker)
            turns += project.speakers.update_turns(ids, {"speaker": new, "role": role, "participant_id": pid})
            docs.append(label.document)
        removed = _finish(project, {lb.document_id for lb in targets}, old_pids)
    people = list(dict.fromkeys(people))
    return SpeakerChange(
        "rename",
        turns,
        people,
        list(dict.fromkeys(docs)),
        removed,
        f"renamed {old!r} to {new!r}: {_turns(turns)} in {len(set(docs))} document(s)",
    )


def set_speaker_role(project: "Project", label: str, role: str, document: str | None = None) -> SpeakerChange:
    """Mark every turn of ``label`` as interviewer or participant; one undoable action.

    Interviewer turns lose their participant (as at import); participant
    turns get the participant import would give the label.

    Raises:
        ValidationError: an unknown role.
        NotFoundError: no such label.
    """
    if role not in ROLES:
        raise ValidationError(f"role is interviewer or participant, not {role!r}")
    targets = _targets(project, label, document)
    turns, people, old_pids = 0, [], set()
    with project.action("speakers-role", f"speaker {label}: {role}"):
        for lb in targets:
            if role == "interviewer":
                pid = None
            else:
                pid = (
                    lb.participant_id
                    if lb.participant_id is not None
                    else _participant_for(project, lb.document, lb.speaker)
                )
                people.append(project.participants.get(pid).name)
            if lb.participant_id is not None and lb.participant_id != pid:
                old_pids.add(lb.participant_id)
            ids = project.speakers.turn_ids(lb.document_id, lb.speaker)
            turns += project.speakers.update_turns(ids, {"role": role, "participant_id": pid})
        removed = _finish(project, {lb.document_id for lb in targets}, old_pids)
    docs = list(dict.fromkeys(lb.document for lb in targets))
    return SpeakerChange(
        "role",
        turns,
        list(dict.fromkeys(people)),
        docs,
        removed,
        f"{label!r} is {role} in {len(docs)} document(s): {_turns(turns)}",
    )


def merge_participants(project: "Project", keep: str, gone: str) -> SpeakerChange:
    """Move participant ``gone``'s turns, documents and attributes to ``keep``; one undoable action.

    Raises:
        NotFoundError: either participant is unknown.
        ValidationError: the same participant twice, or a conflicting attribute.
    """
    a, b = project.participants.find(keep), project.participants.find(gone)
    for name, person in ((keep, a), (gone, b)):
        if person is None:
            raise NotFoundError(f"no participant called {name!r}; list them with 'qualcode participants'")
    assert a is not None and b is not None
    with project.action("participants-merge", f"merge participant {b.name} into {a.name}"):
        moved = project.participants.merge(a, b)
    return SpeakerChange(
        "merge", moved, [a.name], [], [b.name], f"merged {b.name!r} into {a.name!r}: {_turns(moved)} moved"
    )


__all__ = [
    "FREQUENT",
    "ROLES",
    "SpeakerChange",
    "SpeakerInfo",
    "list_speakers",
    "merge_participants",
    "rename_speaker",
    "set_speaker_role",
    "similar_label",
    "suspect_labels",
]
