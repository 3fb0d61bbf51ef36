"""One in-memory snapshot of what the analysis counts.

Why a snapshot: every table (frequencies, matrices, evidence) must apply the
*same* rules for which codings count and whom they belong to, or two tables of
one report disagree. :func:`load_corpus` applies those rules once:

* a coding counts unless its status is ``rejected`` (``pending`` ones only
  when ``include_pending``);
* its turn is the turn containing its start offset (a start that falls between
  turns, e.g. on a ``Speaker:`` label, takes the first turn the coding
  overlaps);
* a coding whose turn is an interviewer turn is left out unless
  ``include_interviewer``;
* its participant is the turn's participant, else the document's
  participant, else none.

The participants *in scope* (the base of every "% of participants") are the
participants with at least one participant-role turn or who are a document's
participant; people known only from an attributes sheet are not in the base.
This module imports no pandas, so the store-level rules stay cheap to test.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.errors import ValidationError
from qualcode.model import Code, Coding, Document, Participant, Turn

if TYPE_CHECKING:
    from qualcode.store import Project

MISSING = "(missing)"
"""Group label for participants without the attribute (and codings with no participant)."""


@dataclass(frozen=True, slots=True)
class CountOptions:
    """Which codings count: the two switches every table shares."""

    include_interviewer: bool = False
    include_pending: bool = True

    def statuses(self) -> list[str]:
        """The coding statuses that are counted, for output metadata."""
        return ["confirmed", "pending"] if self.include_pending else ["confirmed"]

    def metadata(self) -> dict[str, object]:
        """Plain metadata stored in ``DataFrame.attrs`` and report headers."""
        return {
            "include_pending": self.include_pending,
            "include_interviewer": self.include_interviewer,
            "statuses_counted": self.statuses(),
        }


@dataclass(frozen=True, slots=True)
class CountedCoding:
    """A coding that counts, with the turn and participant it is attributed to."""

    coding: Coding
    code: Code
    document: Document
    turn: Turn | None
    participant_id: int | None

    @property
    def text(self) -> str:
        return self.document.text[self.coding.start : self.coding.end]


@dataclass(slots=True)
class Corpus:
    """Codes, documents, turns, participants and the counted codings."""

    options: CountOptions
    codes: list[Code]
    documents: list[Document]
    participants: dict[int, Participant]
    scope: list[Participant]
    codings: list[CountedCoding]
    subtree: dict[int, frozenset[int]] = field(default_factory=dict)
    turns: dict[int, list[Turn]] = field(default_factory=dict)

    def code_rows(self, codes: list[str | int] | None, project: "Project") -> list[Code]:
        """The codes to report: all, or the named ones with their sub-codes, in codebook order."""
        if not codes:
            return list(self.codes)
        keep: set[int] = set()
        for ref in codes:
            keep |= self.subtree[project.codes.resolve(ref).id]
        return [c for c in self.codes if c.id in keep]

    def participant_name(self, pid: int | None) -> str | None:
        return self.participants[pid].name if pid is not None and pid in self.participants else None

    def attribute(self, pid: int | None, name: str) -> str:
        """The participant's value of ``name``, or :data:`MISSING`."""
        if pid is None or pid not in self.participants:
            return MISSING
        value = self.participants[pid].attributes.get(name, "")
        return value if value.strip() else MISSING

    def attribute_names(self) -> list[str]:
        names: set[str] = set()
        for p in self.participants.values():
            names.update(p.attributes)
        return sorted(names)

    def group_base(self, name: str) -> dict[str, int]:
        """Participants in scope per value of attribute ``name`` (the per-group base)."""
        base: dict[str, int] = {}
        for p in self.scope:
            value = self.attribute(p.id, name)
            base[value] = base.get(value, 0) + 1
        return dict(sorted(base.items(), key=lambda kv: (kv[0] == MISSING, kv[0].casefold())))


def _subtrees(codes: list[Code]) -> dict[int, frozenset[int]]:
    """Each code id mapped to itself and all its descendants."""
    children: dict[int | None, list[int]] = {}
    for c in codes:
        children.setdefault(c.parent_id, []).append(c.id)
    out: dict[int, frozenset[int]] = {}

    def walk(cid: int) -> frozenset[int]:
        ids = {cid}
        for child in children.get(cid, []):
            ids |= walk(child)
        out[cid] = frozenset(ids)
        return out[cid]

    for root in children.get(None, []):
        walk(root)
    return out


def turn_for(turns: list[Turn], starts: list[int], start: int, end: int) -> Turn | None:
    """The turn containing ``start``; else the first turn overlapping ``[start, end)``."""
    i = bisect_right(starts, start) - 1
    if i >= 0 and start < max(turns[i].end, turns[i].start + 1):
        return turns[i]
    j = i + 1
    if j < len(turns) and turns[j].start < end:
        return turns[j]
    return None


def _scope(participants: dict[int, Participant], documents: list[Document], turns: list[Turn]) -> list[Participant]:
    ids = {t.participant_id for t in turns if t.role == "participant" and t.participant_id is not None}
    ids |= {d.participant_id for d in documents if d.participant_id is not None}
    return sorted((participants[i] for i in ids if i in participants), key=lambda p: (p.name.casefold(), p.id))


def load_corpus(
    project: "Project", *, include_interviewer: bool = False, include_pending: bool = True
) -> Corpus:
    """Read the project once and attribute every counted coding (see module doc)."""
    options = CountOptions(include_interviewer=include_interviewer, include_pending=include_pending)
    codes = project.codes.all()
    code_by_id = {c.id: c for c in codes}
    documents = sorted(project.documents.all(), key=lambda d: d.id)  # import order
    doc_by_id = {d.id: d for d in documents}
    all_turns = project.documents.all_turns()
    turns: dict[int, list[Turn]] = {}
    for t in all_turns:
        turns.setdefault(t.document_id, []).append(t)
    for doc_turns in turns.values():
        doc_turns.sort(key=lambda t: (t.start, t.seq))
    starts = {did: [t.start for t in ts] for did, ts in turns.items()}
    participants = {p.id: p for p in project.participants.all()}
    counted: list[CountedCoding] = []
    statuses = set(options.statuses())
    for coding in project.codings.all():
        if coding.status not in statuses:
            continue
        doc = doc_by_id.get(coding.document_id)
        code = code_by_id.get(coding.code_id)
        if doc is None or code is None:  # pragma: no cover - foreign keys prevent it
            continue
        turn = turn_for(turns.get(doc.id, []), starts.get(doc.id, []), coding.start, coding.end)
        if turn is not None and turn.role == "interviewer" and not include_interviewer:
            continue
        pid = turn.participant_id if turn is not None and turn.participant_id is not None else doc.participant_id
        counted.append(CountedCoding(coding, code, doc, turn, pid))
    counted.sort(key=lambda c: (c.document.id, c.coding.start, c.coding.end, c.coding.id))
    return Corpus(
        options=options,
        codes=codes,
        documents=documents,
        participants=participants,
        scope=_scope(participants, documents, all_turns),
        codings=counted,
        subtree=_subtrees(codes),
        turns=turns,
    )


def check_by(by: list[str] | str | None, corpus: Corpus, *, most: int = 2) -> list[str]:
    """Validate grouping attributes: known names, at most ``most`` of them.

    Raises:
        ValidationError: an unknown attribute (the message lists the known
            ones) or too many attributes.
    """
    if by is None:
        return []
    names = [by] if isinstance(by, str) else list(by)
    if len(names) > most:
        raise ValidationError(f"group by at most {most} attributes, not {len(names)}")
    known = corpus.attribute_names()
    for name in names:
        if name not in known:
            listed = ", ".join(known) or "none"
            raise ValidationError(f"no participant attribute {name!r}; known attributes: {listed}")
    return names
