"""Merge another coder's copy of a study (a project file or a ``.qdpx``) into this project.

Why it is built this way: a team codes the same transcripts in separate
files, then brings them together to measure agreement and reconcile. Nothing
may be lost, moved or silently overwritten, so:

- **documents are matched by content**, the sha256 of the stored text, never
  by name, kind or metadata (those change in a REFI round trip). A document of
  the other file whose text is not here is added; if its name is taken (a
  corrected transcript) it is added under a new name and reported, so its
  codings stay at offsets into *their* text;
- **codes** are matched by path; a missing description is filled in, a
  different one is reported (ours kept);
- **codings** keep coder, origin, status, confidence, method, rule, run and
  time; one already here (same document, span, code and coder) is skipped;
- **memos** follow their target (project, document, code, coding, turn); the
  same text on the same target is not added twice;
- **participants** are matched by name; attributes we lack are added, a
  different value is reported (ours kept); a document's participant link is
  filled in when ours has none.

Both projects are read a page of 1,000 documents at a time (documents
matched in bulk by text, codings compared per page), so a merge of two
consultations does not hold either whole.

The whole merge is ONE ``project.action``: one undo removes it, an error
half-way leaves the project as it was, and merging the same file again adds
nothing. The other file is never written: a project file is read through a
private copy (:func:`qualcode.store.copy_project`); a ``.qdpx`` is first
imported into a temporary project by :func:`qualcode.exchange.import_qdpx`.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import Code, Coding, Document, ParsedDocument, ParsedTurn
from qualcode.store import exchange_rows as rows

if TYPE_CHECKING:
    from qualcode.store import Project


@dataclass
class MergeSummary:
    """What a merge did, with the stable ``--json`` shape of ``qualcode merge``.

    ``conflicts`` are places where the two files disagree and ours was kept
    (or, for a document's text, theirs was added separately): each a dict with
    ``kind``, ``item``, ``field``, ``ours``, ``theirs`` and ``resolution``.
    """

    file: str
    documents_matched: int = 0
    documents_added: int = 0
    codes_added: int = 0
    codings_added: int = 0
    codings_skipped: int = 0
    memos_added: int = 0
    participants_added: int = 0
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "documents_matched": self.documents_matched,
            "documents_added": self.documents_added,
            "codes_added": self.codes_added,
            "codings_added": self.codings_added,
            "codings_skipped": self.codings_skipped,
            "memos_added": self.memos_added,
            "participants_added": self.participants_added,
            "conflicts": [dict(c) for c in self.conflicts],
            "warnings": list(self.warnings),
        }

    def conflict(self, kind: str, item: str, field_: str, ours: Any, theirs: Any, resolution: str) -> None:
        self.conflicts.append(
            {"kind": kind, "item": item, "field": field_, "ours": ours, "theirs": theirs, "resolution": resolution}
        )


_CODE_FIELDS = ("description", "include", "exclude", "examples", "keywords", "colour")


class _Merger:
    """Copies the other project into ours inside the caller's action (see the module docstring)."""

    def __init__(self, project: "Project", other: "Project", summary: MergeSummary) -> None:
        self.project, self.other, self.summary = project, other, summary
        self.codes: dict[int, int] = {}
        self.docs: dict[int, int] = {}
        self.codings: dict[int, int] = {}
        self.runs: dict[int, int | None] = {}
        self.their_memos = other.memos.all()
        #: Their codings that carry a memo: the only ones whose id in our project is kept.
        self.memo_codings = {m.target_id for m in self.their_memos if m.target == "coding"}
        self._people: dict[int, str] = {}

    def their_person(self, participant_id: int | None) -> str | None:
        """The name of one of their participants (looked up once each)."""
        if participant_id is None:
            return None
        if participant_id not in self._people:
            self._people.update(rows.participant_names(self.other, [participant_id]))
        return self._people.get(participant_id)

    def participants(self) -> None:
        for theirs in self.other.participants.all():
            ours = self.project.participants.find(theirs.name)
            if ours is None:
                self.project.participants.ensure(theirs.name, theirs.attributes)
                self.summary.participants_added += 1
                continue
            new: dict[str, str] = {}
            for key, value in sorted(theirs.attributes.items()):
                mine = ours.attributes.get(key)
                if mine in (None, "") and value != "":
                    new[key] = value
                elif value not in ("", mine):
                    self.summary.conflict("attribute", theirs.name, key, mine, value, "kept ours")
            if new:
                self.project.participants.ensure(theirs.name, new)

    def code_tree(self) -> None:
        for theirs in self.other.codes.all():  # depth-first: parents first
            ours = self.project.codes.find_path(theirs.path)
            if ours is None:
                fields = {f: getattr(theirs, f) for f in _CODE_FIELDS if getattr(theirs, f)}
                if theirs.key and self.project.codes.by_key(theirs.key) is None:
                    fields["key"] = theirs.key
                ours, _ = self.project.codes.ensure_path(theirs.path, **fields)
                self.summary.codes_added += 1
            else:
                self._describe(ours, theirs)
            self.codes[theirs.id] = ours.id

    def _describe(self, ours: Code, theirs: Code) -> None:
        fill = {
            f: getattr(theirs, f)
            for f in ("description", "include", "exclude")
            if getattr(theirs, f).strip() and not getattr(ours, f).strip()
        }
        if fill:
            self.project.codes.update(ours.id, **fill)
        if ours.description.strip() and theirs.description.strip() and ours.description != theirs.description:
            self.summary.conflict(
                "code_description", ours.path, "description", ours.description, theirs.description, "kept ours"
            )

    def documents(self) -> None:
        """Match their documents to ours by text, a page at a time; add the others."""
        from qualcode.store.document_insert import text_sha256

        for page in rows.document_pages(self.other):
            shas = {d.id: text_sha256(d.text) for d in page}
            ours = rows.documents_by_text(self.project, list(shas.values()), up_to=1 << 62)
            links: list[tuple[int, int]] = []
            for theirs in page:
                found = ours.get(shas[theirs.id])
                if found is not None:
                    self.docs[theirs.id] = found[0]
                    self.summary.documents_matched += 1
                    if theirs.participant_id is not None:
                        links.append((found[0], theirs.participant_id))
                    continue
                doc_id = self._add(self.other.documents.get(theirs.id))
                ours[shas[theirs.id]] = (doc_id, theirs.name)  # a later twin of theirs lands on it too
                self.docs[theirs.id] = doc_id
            self._link(links)

    def _add(self, theirs: Document) -> int:
        """Add one of their documents (under a new name if ours has a different text under that name)."""
        name, n = theirs.name, 1
        while rows.names_taken(self.project, [name]):
            n += 1
            name = f"{theirs.name} ({n})"
        if name != theirs.name:
            ours = self.project.documents.find(theirs.name)
            self.summary.conflict(
                "document_text",
                theirs.name,
                "text",
                f"{len(ours.text) if ours else 0} characters",
                f"{len(theirs.text)} characters",
                f"added as {name!r}; codings kept on their own text",
            )
            self.summary.warnings.append(
                f"document {theirs.name!r}: their text differs from ours (a corrected transcript?); "
                f"added as {name!r} with its codings, nothing moved onto ours"
            )
        doc, _ = self.project.documents.add(self._parsed(theirs, name))
        self.summary.documents_added += 1
        return doc.id

    def _parsed(self, theirs: Document, name: str) -> ParsedDocument:
        person = self.their_person
        turns = [
            ParsedTurn(t.speaker, t.start, t.end, t.role, person(t.participant_id), t.time_start, t.time_end)
            for t in self.other.documents.turns(theirs.id)
        ]
        return ParsedDocument(
            name=name,
            kind=theirs.kind,
            text=theirs.text,
            turns=turns,
            source_path=theirs.source_path,
            sha256=theirs.sha256,
            metadata=dict(theirs.metadata),
            participant=person(theirs.participant_id),
        )

    def _link(self, links: list[tuple[int, int]]) -> None:
        """Fill in matched documents' participants when ours have none; report a different one."""
        if not links:
            return
        ours = {d.id: d for d in rows.documents_by_ids(self.project, [d for d, _ in links])}
        mine = rows.participant_names(self.project, [d.participant_id for d in ours.values() if d.participant_id])
        theirs_names = rows.participant_names(self.other, [p for _, p in links])
        for doc_id, their_pid in links:
            name, doc = theirs_names.get(their_pid), ours[doc_id]
            if doc.participant_id is None and name:
                self.project.documents.set_participant(doc_id, name)
            elif name and doc.participant_id is not None and mine.get(doc.participant_id) != name:
                self.summary.conflict(
                    "document_participant", doc.name, "participant", mine.get(doc.participant_id), name, "kept ours"
                )

    def _run(self, run_id: int | None) -> int | None:
        if run_id is None:
            return None
        if run_id not in self.runs:
            try:
                self.runs[run_id] = self.project.runs.copy(self.other.runs.get(run_id))[0].id
            except NotFoundError:
                self.runs[run_id] = None
        return self.runs[run_id]

    def coding_rows(self) -> None:
        """Add their codings a page of their documents at a time; one already here is skipped."""
        for page in rows.document_pages(self.other):
            theirs = rows.codings_between(self.other, page[0].id, page[-1].id, ("confirmed", "pending", "rejected"))
            if theirs:
                self._coding_page(theirs)

    def _coding_page(self, theirs: list[Coding]) -> None:
        from qualcode.store import NewCoding

        have = {
            (c.document_id, c.start, c.end, c.code_id, c.coder): c.id
            for c in rows.codings_on(self.project, [self.docs[c.document_id] for c in theirs])
        }
        batch: list[NewCoding] = []
        seen: set[tuple[int, int, int, int, str]] = set()
        for c in theirs:
            key = (self.docs[c.document_id], c.start, c.end, self.codes[c.code_id], c.coder)
            if key in have or key in seen:  # here already, or the same coding twice in their file (two origins)
                self.summary.codings_skipped += 1
                continue
            seen.add(key)
            batch.append(
                NewCoding(
                    key[3],
                    key[0],
                    c.start,
                    c.end,
                    coder=c.coder,
                    origin=c.origin,
                    status=c.status,
                    method=c.method,
                    rule=c.rule,
                    confidence=c.confidence,
                    run_id=self._run(c.run_id),
                    created_at=c.created_at,
                )
            )
        ids = self.project.codings.add_many(batch, action="merge")
        for item, our_id in zip(batch, ids):
            have[(item.document_id, item.start, item.end, item.code_id, item.coder or "")] = our_id
        self.summary.codings_added += len(batch)
        for c in theirs:
            if c.id in self.memo_codings:
                self.codings[c.id] = have[(self.docs[c.document_id], c.start, c.end, self.codes[c.code_id], c.coder)]

    def memos(self) -> None:
        for memo in self.their_memos:
            target, text = self._memo_target(memo.target, memo.target_id)
            text = text + memo.text
            if target is None:
                self.summary.warnings.append(
                    f"memo {memo.id} on {memo.target} {memo.target_id}: target gone; kept as a project memo"
                )
                target = ("project", None)
            if any(m.text == text for m in self.project.memos.for_target(*target)):
                continue
            self.project.memos.add(target[0], target[1], text, author=memo.author or None, created_at=memo.created_at)
            self.summary.memos_added += 1

    def _memo_target(self, kind: str, target_id: int | None) -> tuple[tuple[str, int | None] | None, str]:
        if kind == "project":
            return ("project", None), ""
        mapping = {"document": self.docs, "code": self.codes, "coding": self.codings}.get(kind)
        if mapping is not None:
            found = mapping.get(target_id or 0)
            return ((kind, found) if found else None), ""
        turn = self.other.documents.turn(target_id or 0)
        if turn is None or turn.document_id not in self.docs:
            return None, ""
        doc_id = self.docs[turn.document_id]
        ours = next(
            (t for t in self.project.documents.turns(doc_id) if (t.start, t.end) == (turn.start, turn.end)), None
        )
        if ours is not None:
            return ("turn", ours.id), ""
        return ("document", doc_id), f"[turn {turn.start}-{turn.end}] "


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:  # pragma: no cover
        return False


def merge_project(project: "Project", other: str | Path, *, coder: str | None = None) -> MergeSummary:
    """Merge the project file or ``.qdpx`` ``other`` into ``project`` as one undoable action.

    Args:
        project: the open project (ours).
        other: a qualcode project file or a REFI-QDA ``.qdpx``.
        coder: for a ``.qdpx``, the coder of codings whose user the file does not name.

    Returns:
        Counts of what was matched, added and skipped, the conflicts and warnings.

    Raises:
        ProjectError: ``other`` is not a qualcode project (nor a ``.qdpx``).
        ImportFormatError: a broken ``.qdpx``.
        ValidationError: ``other`` is this very project.
    """
    from qualcode.exchange.qdpx_read import import_qdpx
    from qualcode.outputs import private_workdir_prefix, sweep_stale_workdirs
    from qualcode.store import copy_project, open_project

    path = Path(other)
    if not path.is_file():
        raise NotFoundError("no such file", where=str(path))
    if _same_file(path, project.path):
        raise ValidationError("cannot merge a project into itself", where=str(path))
    summary = MergeSummary(file=str(path))
    # Beside the project, never in a shared $TMPDIR: the copy holds a whole study.
    folder = project.path.resolve().parent
    sweep_stale_workdirs(folder, "merge")
    with tempfile.TemporaryDirectory(prefix=private_workdir_prefix("merge"), dir=folder) as tmp:
        copy = Path(tmp) / "other.db"
        if path.suffix.casefold() == ".qdpx":
            with open_project(copy) as theirs:
                summary.warnings += import_qdpx(theirs, path, coder=coder).warnings
        else:
            copy_project(path, copy)
        with open_project(copy, create=False) as theirs:
            merger = _Merger(project, theirs, summary)
            with project.action("merge", f"merge {path.name}"):
                merger.participants()
                merger.code_tree()
                merger.documents()
                merger.coding_rows()
                merger.memos()
    return summary
