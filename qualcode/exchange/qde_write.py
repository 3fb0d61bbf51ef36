"""Writing ``project.qde`` as a stream: the project read a page at a time, the XML written as it goes.

Why streamed: an export of 10^6 survey answers is gigabytes of XML. Built as
a tree it held the project several times over (13.5 GB, MemoryError); here
documents and their codings are read 1,000 documents at a time
(:mod:`qualcode.store.exchange_rows`) and written straight into the zip
entry, so memory stays flat whatever the size of the project. Only the
codebook, the memos and the users are held (they are small). The mapping is
described in :mod:`qualcode.exchange.qdpx_write`.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import defaultdict
from datetime import datetime, timezone
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qualcode.codebook.merge import node_from_code
from qualcode.codebook.qdc import guid_for, pack_description
from qualcode.exchange.xml_out import XmlOut, safe
from qualcode.model import Coding, Memo
from qualcode.store import exchange_rows as rows

if TYPE_CHECKING:
    from qualcode.store import Project

NS = "urn:QDA-XML:project:1.0"
_GUID_NS = uuid.UUID("0c6f3c1e-8a1d-5b7e-9d2a-4f3e6b1a7c55")
#: ``auto`` layout: a project of up to this many documents keeps every text in ``sources/`` (every tool reads it).
FILES_UP_TO = 10_000
#: ``auto`` layout above :data:`FILES_UP_TO` documents: texts up to this size (UTF-8) go inline.
AUTO_INLINE_BYTES = 4096
#: ``inline`` layout: texts up to this size go inline; longer ones stay files.
INLINE_BYTES = 8 << 20
SOURCE_LAYOUTS = ("auto", "files", "inline")


_NS_BYTES = _GUID_NS.bytes


def stable_guid(*parts: str) -> str:
    """A GUID for a stable key (kind, names …): the same project exports the same GUIDs.

    ``uuid.uuid5`` spelled out (SHA-1 of namespace and name, version and
    variant bits set): the same GUIDs, without building a ``UUID`` object for
    each of the millions an export of a consultation needs.
    """
    digest = bytearray(hashlib.sha1(_NS_BYTES + "\x1f".join(parts).encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    x = digest.hex()
    return f"{x[:8]}-{x[8:12]}-{x[12:16]}-{x[16:20]}-{x[20:]}"


@lru_cache(maxsize=4096)
def _xsd_time_text(value: str) -> str | None:
    return xsd_time(datetime.fromisoformat(value.replace("Z", "+00:00")))


def xsd_time(value: str | datetime | None) -> str | None:
    """An ISO time as ``xsd:dateTime`` in UTC (``2024-05-01T09:30:00Z``); ``None`` if unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, str):  # the same few stamps recur (a batch is coded at one time)
        try:
            return _xsd_time_text(value)
        except ValueError:
            return None
    try:
        stamp = value if isinstance(value, datetime) else datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _title(text: str, limit: int = 60) -> str:
    """A note or selection name: the first line, shortened with an ellipsis."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    line = " ".join(line.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


class QdeStreamWriter:
    """Writes one project's ``project.qde`` into a binary stream (see the module docstring).

    After :meth:`write`, :attr:`file_documents` lists the documents whose
    text belongs in ``sources/<guid>.txt`` and :attr:`journal` the project
    memos written as files; the caller adds those entries.
    """

    def __init__(self, project: "Project", include_pending: bool, layout: str = "auto") -> None:
        self.project = project
        self.statuses = ("confirmed", "pending") if include_pending else ("confirmed",)
        self.pending_left = 0 if include_pending else rows.coding_count(project, "pending")
        self.codes = project.codes.all()
        self.code_by_id = {c.id: c for c in self.codes}
        self.code_guid = {c.id: guid_for(c.path) for c in self.codes}
        self.memos: list[Memo] = project.memos.all()
        self.document_count = rows.document_count(project)
        if layout == "files" or (layout == "auto" and self.document_count <= FILES_UP_TO):
            self.inline_bytes = -1
        else:
            self.inline_bytes = INLINE_BYTES if layout == "inline" else AUTO_INLINE_BYTES
        self.notes: list[tuple[str, Memo]] = []
        self.note_text: dict[str, str] = {}
        self.note_refs: dict[tuple[str, Any], list[str]] = defaultdict(list)
        self.users: dict[str, str] = {}
        self.turns_of: dict[int, list[Any]] = defaultdict(list)
        self.file_documents: list[int] = []
        self.journal: dict[str, str] = {}
        self.coding_count = 0
        self.participants = 0

    def user(self, name: str) -> str:
        return self.users.setdefault(name, stable_guid("user", name))

    def _key(self, c: Coding, doc_name: str) -> tuple[str, ...]:
        return (doc_name, str(c.start), str(c.end), c.coder, self.code_by_id[c.code_id].path, c.origin)

    def place_memos(self) -> None:
        """Give each memo a note GUID and the element that will reference it (memos are few: held)."""
        on = lambda kind: [m.target_id for m in self.memos if m.target == kind and m.target_id is not None]  # noqa: E731
        codings = rows.codings_by_ids(self.project, on("coding"))
        turns = {i: t for i in on("turn") for t in [self.project.documents.turn(i)] if t is not None}
        doc_ids = on("document") + [c.document_id for c in codings.values()] + [t.document_id for t in turns.values()]
        names = {d.id: d.name for d in rows.documents_by_ids(self.project, doc_ids)}
        counter: dict[tuple[str, ...], int] = defaultdict(int)
        for memo in self.memos:
            target: tuple[str, Any] = ("project", None)
            key: tuple[str, ...] = ("project",)
            coding = codings.get(memo.target_id or 0) if memo.target == "coding" else None
            if memo.target == "document" and memo.target_id in names:
                target, key = ("document", memo.target_id), ("document", names[memo.target_id])
            elif memo.target == "code" and memo.target_id in self.code_by_id:
                target, key = ("code", memo.target_id), ("code", self.code_by_id[memo.target_id].path)
            elif coding is not None and coding.status in self.statuses and coding.document_id in names:
                target, key = ("coding", coding.id), ("coding", *self._key(coding, names[coding.document_id]))
            elif memo.target == "turn" and memo.target_id in turns and turns[memo.target_id].document_id in names:
                turn = turns[memo.target_id]
                target, key = ("turn", turn.id), ("turn", names[turn.document_id], str(turn.seq))
                self.turns_of[turn.document_id].append(turn)
            elif coding is not None and coding.document_id in names:
                # A memo on a coding left out (pending/rejected) stays with its document.
                target, key = ("document", coding.document_id), ("document", names[coding.document_id])
            counter[key] += 1
            guid = stable_guid("memo", *key, str(counter[key]))
            self.notes.append((guid, memo))
            self.note_text[guid] = memo.text
            self.note_refs[target].append(guid)
            self.user(memo.author or "unknown")
        for turns_here in self.turns_of.values():
            turns_here.sort(key=lambda t: t.seq)
            turns_here[:] = list({t.id: t for t in turns_here}.values())

    def refs(self, out: XmlOut, target: tuple[str, Any]) -> None:
        for guid in self.note_refs.get(target, []):
            out.leaf("NoteRef", targetGUID=guid)

    def describe(self, out: XmlOut, targets: list[tuple[str, Any]]) -> None:
        """A ``Description`` holding the memos on ``targets`` (for tools that read no ``NoteRef``)."""
        texts = [self.note_text[g] for t in targets for g in self.note_refs.get(t, [])]
        if texts:
            out.leaf("Description", "\n\n".join(texts))

    def write(self, out: XmlOut, name: str, origin: str, stamp: datetime, description: str | None) -> None:
        """The whole ``project.qde``."""
        self.place_memos()
        for coder in rows.coders(self.project, self.statuses):
            self.user(coder)
        out.open("Project", name=name, origin=origin, creationDateTime=xsd_time(stamp) or "")
        if self.users:
            out.open("Users")
            for user in sorted(self.users):
                out.leaf("User", guid=self.users[user], name=user)
            out.close("Users")
        self.codebook(out)
        self.cases(out)
        self.sources(out)
        self.notes_block(out)
        if description:
            out.leaf("Description", description)
        self.refs(out, ("project", None))
        out.close("Project")
        out.flush()

    def codebook(self, out: XmlOut) -> None:
        if not self.codes:
            return
        out.open("CodeBook")
        out.open("Codes")
        open_ids: list[int] = []
        for code in self.codes:  # depth-first: parents come first
            while open_ids and open_ids[-1] != code.parent_id:
                out.close("Code")
                open_ids.pop()
            node = node_from_code(code)
            out.open("Code", guid=guid_for(code.path), name=code.name, isCodable="true", color=code.colour)
            text = pack_description(node)
            if text:
                out.leaf("Description", text)
            self.refs(out, ("code", code.id))
            open_ids.append(code.id)
        for _ in open_ids:
            out.close("Code")
        out.close("Codes")
        out.close("CodeBook")

    def cases(self, out: XmlOut) -> None:
        """``Variables`` and one ``Case`` per participant, a page of participants at a time."""
        names = self.project.participants.attribute_names()
        opened = False
        for page in rows.participant_pages(self.project):
            if not opened:
                if names:
                    out.open("Variables")
                    for var in names:
                        out.leaf("Variable", guid=stable_guid("variable", var), name=var, typeOfVariable="Text")
                    out.close("Variables")
                out.open("Cases")
                opened = True
            docs = rows.case_documents(self.project, page[0].id, page[-1].id)
            for person in page:
                out.open("Case", guid=stable_guid("participant", person.name), name=person.name)
                for var in sorted(person.attributes):
                    out.open("VariableValue")
                    out.leaf("VariableRef", targetGUID=stable_guid("variable", var))
                    out.leaf("TextValue", person.attributes[var])
                    out.close("VariableValue")
                for doc_name in docs.get(person.id, []):
                    out.leaf("SourceRef", targetGUID=stable_guid("document", doc_name))
                out.close("Case")
                self.participants += 1
        if opened:
            out.close("Cases")

    def sources(self, out: XmlOut) -> None:
        opened = False
        for page in rows.document_pages(self.project):
            if not opened:
                out.open("Sources")
                opened = True
            by_doc: dict[int, list[Coding]] = defaultdict(list)
            for c in rows.codings_between(self.project, page[0].id, page[-1].id, self.statuses):
                by_doc[c.document_id].append(c)
            for doc in page:
                self.source(out, doc, by_doc.get(doc.id, []))
        if opened:
            out.close("Sources")

    def source(self, out: XmlOut, doc: rows.ExchangeDocument, codings: list[Coding]) -> None:
        guid = stable_guid("document", doc.name)
        inline = self.inline_bytes >= 0 and len(doc.text) <= self.inline_bytes
        if inline and len(doc.text.encode("utf-8")) > self.inline_bytes:
            inline = False
        if not inline:
            self.file_documents.append(doc.id)
        out.open(
            "TextSource",
            guid=guid,
            name=doc.name,
            plainTextPath=None if inline else f"internal://{guid}.txt",
            creationDateTime=xsd_time(doc.imported_at),
        )
        self.describe(out, [("document", doc.id)])  # QualCoder reads a source's Description as its memo
        if inline:
            out.leaf("PlainTextContent", doc.text)
        groups: dict[tuple[str, ...], list[Coding]] = defaultdict(list)
        for c in codings:
            # A coding with a memo gets a selection of its own, whose Description carries the memo
            # (QualCoder and others read a selection's Description as the memo of its codings).
            solo = (self.code_by_id[c.code_id].path,) if self.note_refs.get(("coding", c.id)) else ()
            groups[(f"{c.start:012d}", f"{c.end:012d}", c.coder, *solo)].append(c)
        for key in sorted(groups):
            self.selection(out, doc, key, groups[key])
        self.coding_count += len(codings)
        for turn in self.turns_of.get(doc.id, []):
            out.open(
                "PlainTextSelection",
                guid=stable_guid("turn", doc.name, str(turn.seq)),
                name=f"Turn {turn.seq + 1}" + (f": {turn.speaker}" if turn.speaker else ""),
                startPosition=turn.start,
                endPosition=turn.end,
            )
            self.describe(out, [("turn", turn.id)])
            self.refs(out, ("turn", turn.id))
            out.close("PlainTextSelection")
        self.refs(out, ("document", doc.id))
        out.close("TextSource")

    def selection(self, out: XmlOut, doc: rows.ExchangeDocument, key: tuple[str, ...], members: list[Coding]) -> None:
        """One ``PlainTextSelection`` with its codings (one coder, one span; a memo'd coding alone)."""
        start, end, coder = int(key[0]), int(key[1]), key[2]
        members = sorted(members, key=lambda c: (self.code_by_id[c.code_id].path, c.origin))
        times = sorted(t for t in (xsd_time(c.created_at) for c in members) if t)
        out.open(
            "PlainTextSelection",
            guid=stable_guid("selection", doc.name, str(start), str(end), coder, *key[3:]),
            name=_title(doc.text[start:end]) or None,
            startPosition=start,
            endPosition=end,
            creatingUser=self.user(coder),
            creationDateTime=times[0] if times else None,
        )
        self.describe(out, [("coding", c.id) for c in members])
        for c in members:
            out.open(
                "Coding",
                guid=stable_guid("coding", *self._key(c, doc.name)),
                creatingUser=self.user(c.coder),
                creationDateTime=xsd_time(c.created_at),
            )
            out.leaf("CodeRef", targetGUID=self.code_guid[c.code_id])
            self.refs(out, ("coding", c.id))
            out.close("Coding")
        out.close("PlainTextSelection")

    def notes_block(self, out: XmlOut) -> None:
        """The ``Notes``; a project memo is a journal-style note whose text is ``sources/<guid>.txt``.

        Why a file for project memos: QualCoder reads a ``Note`` with a
        ``plainTextPath`` (and a name) as a journal entry, and only that.
        """
        if not self.notes:
            return
        journal = set(self.note_refs.get(("project", None), []))
        out.open("Notes")
        for guid, memo in self.notes:
            attrs = {
                "guid": guid,
                "name": _title(memo.text) or ("Memo" if guid in journal else None),
                "plainTextPath": f"internal://{guid}.txt" if guid in journal else None,
                "creatingUser": self.user(memo.author or "unknown"),
                "creationDateTime": xsd_time(memo.created_at),
            }
            if guid in journal:
                self.journal[f"sources/{guid}.txt"] = safe(memo.text)
                out.leaf("Note", **attrs)
            else:
                out.open("Note", **attrs)
                out.leaf("PlainTextContent", memo.text)
                out.close("Note")
        out.close("Notes")
