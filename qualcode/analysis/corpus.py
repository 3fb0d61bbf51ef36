"""One in-memory snapshot of what the analysis counts.

Why a snapshot: every table (frequencies, matrices, evidence) must apply the
*same* rules for which codings count and whom they belong to, or two tables of
one report disagree. :func:`load_corpus` applies the one rule of
:mod:`qualcode.analysis.attribution` (overlap with participant turns; codings
wholly in interviewer turns or outside every turn left out unless
``include_interviewer``; rejected never, pending unless excluded) and keeps
the counted codings, each with the turns and the participants it counts for.

The participants *in scope* (the base of every "% of participants") are the
participants with at least one participant-role turn or who are a document's
participant; people known only from an attributes sheet are not in the base.
This module imports no pandas, so the store-level rules stay cheap to test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from qualcode.analysis.attribution import attributions, check_coders, clipped_spans
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
    coders: tuple[str, ...] | None = None

    def statuses(self) -> list[str]:
        """The coding statuses that are counted, for output metadata."""
        return ["confirmed", "pending"] if self.include_pending else ["confirmed"]

    def metadata(self) -> dict[str, object]:
        """Plain metadata stored in ``DataFrame.attrs`` and report headers."""
        meta: dict[str, object] = {
            "include_pending": self.include_pending,
            "include_interviewer": self.include_interviewer,
            "statuses_counted": self.statuses(),
        }
        if self.coders:
            meta["coders"] = list(self.coders)
        return meta


@dataclass(frozen=True, slots=True)
class CountedCoding:
    """A coding that counts, with the turns and the participants it is attributed to.

    ``turns`` are the participant turns it overlaps (its interviewer turns when
    it has none, counted with ``include_interviewer``); ``participant_ids``
    the distinct people of those turns, in text order (empty: unattributed).
    """

    coding: Coding
    code: Code
    document: Document
    turns: tuple[Turn, ...]
    participant_ids: tuple[int, ...]

    @property
    def turn(self) -> Turn | None:
        """The first turn it is attributed to."""
        return self.turns[0] if self.turns else None

    @property
    def participant_id(self) -> int | None:
        """The first participant it counts for (``None`` when unattributed)."""
        return self.participant_ids[0] if self.participant_ids else None

    @property
    def text(self) -> str:
        """The coded span as selected (question included)."""
        return self.document.text[self.coding.start : self.coding.end]

    def spans(self, pid: int | None = None) -> list[tuple[int, int]]:
        """The coded parts inside its turns (only ``pid``'s turns when given)."""
        turns = self.turns if pid is None else tuple(t for t in self.turns if self.owner(t) == pid)
        return clipped_spans(self.coding.start, self.coding.end, turns or self.turns)

    def owner(self, turn: Turn) -> int | None:
        """The participant a turn of this coding counts for."""
        return turn.participant_id if turn.participant_id is not None else self.document.participant_id

    def part(self, pid: int | None = None) -> str:
        """The participant's part of the excerpt: the coded text inside their turns, not the question."""
        pieces = [self.document.text[s:e].strip() for s, e in self.spans(pid)]
        return " … ".join(p for p in pieces if p)

    def units(self) -> Iterator[int | None]:
        """Each participant it counts for, or a single ``None`` when unattributed."""
        if self.participant_ids:
            yield from self.participant_ids
        else:
            yield None


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


def subtrees(codes: list[Code]) -> dict[int, frozenset[int]]:
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


def _scope(participants: dict[int, Participant], documents: list[Document], turns: list[Turn]) -> list[Participant]:
    ids = {t.participant_id for t in turns if t.role == "participant" and t.participant_id is not None}
    ids |= {d.participant_id for d in documents if d.participant_id is not None}
    return sorted((participants[i] for i in ids if i in participants), key=lambda p: (p.name.casefold(), p.id))


def load_corpus(
    project: "Project",
    *,
    include_interviewer: bool = False,
    include_pending: bool = True,
    coders: list[str] | tuple[str, ...] | None = None,
) -> Corpus:
    """Read the project once and keep every counted coding under the attribution rule.

    ``coders`` restricts the codings to those coders (e.g. a consensus coder);
    the participants in scope do not change.
    """
    chosen = check_coders(project, coders)
    options = CountOptions(include_interviewer=include_interviewer, include_pending=include_pending, coders=chosen)
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
    participants = {p.id: p for p in project.participants.all()}
    counted: list[CountedCoding] = []
    for found in attributions(
        project,
        include_interviewer=include_interviewer,
        include_pending=include_pending,
        coders=chosen,
        counted_only=True,
    ):
        doc = doc_by_id.get(found.coding.document_id)
        code = code_by_id.get(found.coding.code_id)
        if doc is None or code is None:  # pragma: no cover - foreign keys prevent it
            continue
        counted.append(CountedCoding(found.coding, code, doc, found.turns, found.participant_ids))
    counted.sort(key=lambda c: (c.document.id, c.coding.start, c.coding.end, c.coding.id))
    return Corpus(
        options=options,
        codes=codes,
        documents=documents,
        participants=participants,
        scope=_scope(participants, documents, all_turns),
        codings=counted,
        subtree=subtrees(codes),
        turns=turns,
    )


def load_codings(
    project: "Project", coding_ids: list[int], options: CountOptions, *, all_participants: bool = False
) -> Corpus:
    """A corpus of only these codings (those that count), reading only their documents and people.

    Why: evidence quotes are drawn from a bounded candidate set; loading the
    whole project for them is what made evidence slow at 10^5 answers.
    ``scope`` is left empty (the counts come from SQL); ``participants`` holds
    the people of these codings, or everyone with ``all_participants`` (the
    pseudonymiser numbers people by order of entry).
    """
    codes = project.codes.all()
    code_by_id = {c.id: c for c in codes}
    found = list(
        attributions(
            project,
            include_interviewer=options.include_interviewer,
            include_pending=options.include_pending,
            coders=options.coders,
            coding_ids=coding_ids,
            counted_only=True,
        )
    )
    documents = project.tables.documents([f.coding.document_id for f in found])
    doc_by_id = {d.id: d for d in documents}
    if all_participants:
        people = project.participants.all()
    else:
        people = project.tables.participants([p for f in found for p in f.participant_ids])
    counted = [
        CountedCoding(
            f.coding, code_by_id[f.coding.code_id], doc_by_id[f.coding.document_id], f.turns, f.participant_ids
        )
        for f in found
    ]
    counted.sort(key=lambda c: (c.document.id, c.coding.start, c.coding.end, c.coding.id))
    return Corpus(
        options=options,
        codes=codes,
        documents=documents,
        participants={p.id: p for p in people},
        scope=[],
        codings=counted,
        subtree=subtrees(codes),
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
