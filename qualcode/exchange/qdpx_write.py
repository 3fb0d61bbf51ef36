"""Export a whole project as a REFI-QDA project (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

Why REFI-QDA: it is the one project format those tools all read and write.
A ``.qdpx`` is a zip holding ``project.qde`` (XML valid against the
consortium's ``Project.xsd``, namespace ``urn:QDA-XML:project:1.0``) and a flat
``sources/`` folder; each document travels as ``sources/<guid>.txt`` (UTF-8)
referenced by ``plainTextPath="internal://<guid>.txt"``.

Mapping (qualcode → REFI-QDA):

- coders and memo authors → ``Users``;
- codebook → ``CodeBook/Codes``, written as the ``.qdc`` export writes it
  (same GUIDs, same packed descriptions, :mod:`qualcode.codebook.qdc`);
- each coding → a ``Coding`` inside a ``PlainTextSelection`` of its span;
  codings by one coder on one span share a selection. ``startPosition`` and
  ``endPosition`` are our code-point offsets, end exclusive (REFI-QDA 10.2 and
  its Annex A). Confirmed codings only, unless ``include_pending`` (machine
  codings not yet reviewed); rejected codings never. REFI-QDA has no notion of
  origin or status, so every exported coding reads as a plain coding elsewhere;
- memos → ``Notes``, referenced (``NoteRef``) from what they are about: the
  project, a ``TextSource``, a ``Code``, a ``Coding``, or for a turn memo an
  uncoded ``PlainTextSelection`` spanning the turn. Memos on a document are
  also the source's ``Description``; memos on a coding or a
  turn are also the selection's ``Description`` (a coding with a memo gets a
  selection of its own), and a project memo is a journal-style ``Note`` whose
  text is the file ``plainTextPath`` names: QualCoder reads notes only in
  those two forms;
- participants → ``Cases`` with a ``VariableValue`` per attribute (all
  ``Text`` variables, declared in ``Variables``) and a ``SourceRef`` to each
  document they speak in or are attributed to.

Every GUID is a UUID 5 of a stable key (a code path, a document name, a
coder …), so exporting the same project twice gives the same file; pass
``timestamp`` to fix the one moving part, the export time.
"""

from __future__ import annotations

import os
import re
import uuid
import zipfile
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from qualcode import __version__
from qualcode.codebook.qdc import guid_for, pack_description
from qualcode.codebook.tree import CodebookNode
from qualcode.errors import NotFoundError, ValidationError
from qualcode.exchange.summary import ExchangeSummary
from qualcode.model import Code, Coding, Memo
from qualcode.outputs import file_mode, refuse_project_file

if TYPE_CHECKING:
    from qualcode.store import Project

NS = "urn:QDA-XML:project:1.0"
_GUID_NS = uuid.UUID("0c6f3c1e-8a1d-5b7e-9d2a-4f3e6b1a7c55")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def stable_guid(*parts: str) -> str:
    """A GUID for a stable key (kind, names …): the same project exports the same GUIDs."""
    return str(uuid.uuid5(_GUID_NS, "\x1f".join(parts)))


def _safe(text: str) -> str:
    """Text XML can hold (control characters other than tab and newlines dropped)."""
    return _XML_ILLEGAL.sub("", text)


def _xsd_time(value: str | datetime | None) -> str | None:
    """An ISO time as ``xsd:dateTime`` in UTC (``2024-05-01T09:30:00Z``); ``None`` if unreadable."""
    if value is None or value == "":
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


class _Writer:
    """Builds the ``project.qde`` tree for one project."""

    def __init__(self, project: "Project", include_pending: bool) -> None:
        from lxml import etree

        self.etree = etree
        self.project = project
        self.codes: list[Code] = project.codes.all()
        self.code_by_id = {c.id: c for c in self.codes}
        statuses = ("confirmed", "pending") if include_pending else ("confirmed",)
        everything = project.codings.all()
        self.codings: list[Coding] = [c for c in everything if c.status in statuses]
        self.pending_left = sum(1 for c in everything if c.status == "pending" and not include_pending)
        self.memos: list[Memo] = project.memos.all()
        self.documents = project.documents.all()
        self.doc_by_id = {d.id: d for d in self.documents}
        self.notes: list[tuple[str, Memo]] = []
        self.note_text: dict[str, str] = {}
        self.note_refs: dict[tuple[str, Any], list[str]] = defaultdict(list)
        self.users: dict[str, str] = {}

    def el(self, parent: Any, tag: str, **attrs: str | None) -> Any:
        elem = self.etree.SubElement(parent, f"{{{NS}}}{tag}")
        for key, value in attrs.items():
            if value is not None:
                elem.set(key, _safe(str(value)))
        return elem

    def user(self, name: str) -> str:
        guid = self.users.setdefault(name, stable_guid("user", name))
        return guid

    def coding_key(self, c: Coding) -> tuple[str, ...]:
        doc = self.doc_by_id[c.document_id].name
        return (doc, str(c.start), str(c.end), c.coder, self.code_by_id[c.code_id].path, c.origin)

    def _coding_document(self, coding_id: int) -> int | None:
        """The document of a coding left out of the export, or ``None`` if it is gone."""
        try:
            return self.project.codings.get(coding_id).document_id
        except NotFoundError:
            return None

    def place_memos(self) -> None:
        """Give each memo a note GUID and the element that will reference it."""
        exported = {c.id: c for c in self.codings}
        turns = {t.id: t for t in self.project.documents.all_turns()}
        counter: dict[tuple[str, Any], int] = defaultdict(int)
        for memo in self.memos:
            target: tuple[str, Any]
            if memo.target == "document" and memo.target_id in self.doc_by_id:
                target = ("document", memo.target_id)
                key = ("document", self.doc_by_id[memo.target_id].name)
            elif memo.target == "code" and memo.target_id in self.code_by_id:
                target, key = ("code", memo.target_id), ("code", self.code_by_id[memo.target_id].path)
            elif memo.target == "coding" and memo.target_id in exported:
                target, key = ("coding", memo.target_id), ("coding", *self.coding_key(exported[memo.target_id]))
            elif memo.target == "turn" and memo.target_id in turns:
                turn = turns[memo.target_id]
                target = ("turn", memo.target_id)
                key = ("turn", self.doc_by_id[turn.document_id].name, str(turn.seq))
            elif memo.target == "coding" and memo.target_id is not None:
                # A memo on a coding left out (pending/rejected) stays with its document.
                doc_id = self._coding_document(memo.target_id)
                if doc_id not in self.doc_by_id:
                    target, key = ("project", None), ("project",)
                else:
                    target = ("document", doc_id)
                    key = ("document", self.doc_by_id[doc_id].name)
            else:
                target, key = ("project", None), ("project",)
            counter[key] += 1
            guid = stable_guid("memo", *key, str(counter[key]))
            self.notes.append((guid, memo))
            self.note_text[guid] = memo.text
            self.note_refs[target].append(guid)
            self.user(memo.author or "unknown")

    def refs(self, parent: Any, target: tuple[str, Any]) -> None:
        for guid in self.note_refs.get(target, []):
            self.el(parent, "NoteRef", targetGUID=guid)

    def codebook(self, root: Any) -> None:
        if not self.codes:
            return
        codes = self.el(self.el(root, "CodeBook"), "Codes")
        elems: dict[int, Any] = {}
        for code in self.codes:  # depth-first: parents come first
            parent = elems[code.parent_id] if code.parent_id is not None else codes
            node = CodebookNode(
                name=code.name,
                description=code.description,
                include=code.include,
                exclude=code.exclude,
                examples=list(code.examples),
                keywords=list(code.keywords),
                colour=code.colour,
                key=code.key,
            )
            elem = self.el(
                parent, "Code", guid=guid_for(code.path), name=code.name, isCodable="true", color=code.colour
            )
            text = pack_description(node)
            if text:
                self.el(elem, "Description").text = _safe(text)
            self.refs(elem, ("code", code.id))
            elems[code.id] = elem

    def sources(self, root: Any) -> dict[str, bytes]:
        files: dict[str, bytes] = {}
        if not self.documents:
            return files
        block = self.el(root, "Sources")
        by_doc: dict[int, list[Coding]] = defaultdict(list)
        for c in self.codings:
            by_doc[c.document_id].append(c)
        turns_by_doc: dict[int, list[Any]] = defaultdict(list)
        for t in self.project.documents.all_turns():
            if self.note_refs.get(("turn", t.id)):
                turns_by_doc[t.document_id].append(t)
        for doc in self.documents:
            guid = stable_guid("document", doc.name)
            files[f"sources/{guid}.txt"] = doc.text.encode("utf-8")
            src = self.el(
                block,
                "TextSource",
                guid=guid,
                name=doc.name,
                plainTextPath=f"internal://{guid}.txt",
                creationDateTime=_xsd_time(doc.imported_at),
            )
            self.describe(src, [("document", doc.id)])  # QualCoder reads a source's Description as its memo
            groups: dict[tuple[str, ...], list[Coding]] = defaultdict(list)
            for c in by_doc.get(doc.id, []):
                # A coding with a memo gets a selection of its own, whose Description carries the memo
                # (QualCoder and others read a selection's Description as the memo of its codings).
                solo = (self.code_by_id[c.code_id].path,) if self.note_refs.get(("coding", c.id)) else ()
                groups[(f"{c.start:012d}", f"{c.end:012d}", c.coder, *solo)].append(c)
            for key in sorted(groups):
                self.selection(src, doc, key, groups[key])
            for turn in turns_by_doc.get(doc.id, []):
                sel = self.el(
                    src,
                    "PlainTextSelection",
                    guid=stable_guid("turn", doc.name, str(turn.seq)),
                    name=f"Turn {turn.seq + 1}" + (f": {turn.speaker}" if turn.speaker else ""),
                    startPosition=str(turn.start),
                    endPosition=str(turn.end),
                )
                self.describe(sel, [("turn", turn.id)])
                self.refs(sel, ("turn", turn.id))
            self.refs(src, ("document", doc.id))
        return files

    def describe(self, elem: Any, targets: list[tuple[str, Any]]) -> None:
        """A ``Description`` holding the memos on ``targets`` (for tools that read no ``NoteRef``)."""
        texts = [self.note_text[g] for t in targets for g in self.note_refs.get(t, [])]
        if texts:
            self.el(elem, "Description").text = _safe("\n\n".join(texts))

    def selection(self, src: Any, doc: Any, key: tuple[str, ...], members: list[Coding]) -> None:
        """One ``PlainTextSelection`` with its codings (one coder, one span; a memo'd coding alone)."""
        start, end, coder = int(key[0]), int(key[1]), key[2]
        members = sorted(members, key=lambda c: (self.code_by_id[c.code_id].path, c.origin))
        times = sorted(t for t in (_xsd_time(c.created_at) for c in members) if t)
        sel = self.el(
            src,
            "PlainTextSelection",
            guid=stable_guid("selection", doc.name, str(start), str(end), coder, *key[3:]),
            name=_title(doc.text[start:end]) or None,
            startPosition=str(start),
            endPosition=str(end),
            creatingUser=self.user(coder),
            creationDateTime=times[0] if times else None,
        )
        self.describe(sel, [("coding", c.id) for c in members])
        for c in members:
            coding = self.el(
                sel,
                "Coding",
                guid=stable_guid("coding", *self.coding_key(c)),
                creatingUser=self.user(c.coder),
                creationDateTime=_xsd_time(c.created_at),
            )
            self.el(coding, "CodeRef", targetGUID=guid_for(self.code_by_id[c.code_id].path))
            self.refs(coding, ("coding", c.id))

    def cases(self, root: Any) -> int:
        people = self.project.participants.all()
        if not people:
            return 0
        names = sorted({k for p in people for k in p.attributes})
        if names:
            block = self.el(root, "Variables")
            for name in names:
                self.el(block, "Variable", guid=stable_guid("variable", name), name=name, typeOfVariable="Text")
        docs_of: dict[int, set[int]] = defaultdict(set)
        for doc in self.documents:
            if doc.participant_id is not None:
                docs_of[doc.participant_id].add(doc.id)
        for t in self.project.documents.all_turns():
            if t.participant_id is not None:
                docs_of[t.participant_id].add(t.document_id)
        block = self.el(root, "Cases")
        for person in people:
            case = self.el(block, "Case", guid=stable_guid("participant", person.name), name=person.name)
            for name in sorted(person.attributes):
                value = self.el(case, "VariableValue")
                self.el(value, "VariableRef", targetGUID=stable_guid("variable", name))
                self.el(value, "TextValue").text = _safe(person.attributes[name])
            for doc in sorted((self.doc_by_id[i] for i in docs_of.get(person.id, ())), key=lambda d: d.name):
                self.el(case, "SourceRef", targetGUID=stable_guid("document", doc.name))
        return len(people)

    def notes_block(self, root: Any) -> dict[str, bytes]:
        """The ``Notes``; a project memo is a journal-style note whose text is ``sources/<guid>.txt``.

        Why a file for project memos: QualCoder reads a ``Note`` with a
        ``plainTextPath`` (and a name) as a journal entry, and only that.
        """
        files: dict[str, bytes] = {}
        if not self.notes:
            return files
        journal = set(self.note_refs.get(("project", None), []))
        block = self.el(root, "Notes")
        for guid, memo in self.notes:
            name = _title(memo.text) or ("Memo" if guid in journal else None)
            path = f"internal://{guid}.txt" if guid in journal else None
            note = self.el(
                block,
                "Note",
                guid=guid,
                name=name,
                plainTextPath=path,
                creatingUser=self.user(memo.author or "unknown"),
                creationDateTime=_xsd_time(memo.created_at),
            )
            if guid in journal:
                files[f"sources/{guid}.txt"] = _safe(memo.text).encode("utf-8")
            else:
                self.el(note, "PlainTextContent").text = _safe(memo.text)
        return files


def _stamp(timestamp: datetime | str | None) -> datetime:
    if timestamp is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    stamp = timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def build_qde(
    project: "Project", *, include_pending: bool = False, timestamp: datetime | str | None = None
) -> tuple[bytes, dict[str, bytes], ExchangeSummary]:
    """The ``project.qde`` bytes, the ``sources/`` files and the summary, without writing anything."""
    writer = _Writer(project, include_pending)
    stamp = _stamp(timestamp)
    etree = writer.etree
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS})
    root.set("name", _safe(project.meta("name") or project.path.stem))
    root.set("origin", f"qualcode {__version__}")
    root.set("creationDateTime", _xsd_time(stamp) or "")
    writer.place_memos()
    for c in writer.codings:
        writer.user(c.coder)
    users = writer.el(root, "Users") if writer.users else None
    writer.codebook(root)
    participants = writer.cases(root)
    files = writer.sources(root)
    files.update(writer.notes_block(root))
    description = project.meta("description")
    if description:
        writer.el(root, "Description").text = _safe(description)
    writer.refs(root, ("project", None))
    if users is not None:
        for name in sorted(writer.users):
            writer.el(users, "User", guid=writer.users[name], name=name)
    data = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    summary = ExchangeSummary(
        file="",
        documents=len(writer.documents),
        codes=len(writer.codes),
        codings=len(writer.codings),
        memos=len(writer.notes),
        participants=participants,
    )
    if writer.pending_left:
        summary.warnings.append(
            f"{writer.pending_left} pending machine coding(s) left out; pass --include-pending to export them"
        )
    return data, files, summary


def export_qdpx(
    project: "Project", path: str | Path, *, include_pending: bool = False, timestamp: datetime | str | None = None
) -> ExchangeSummary:
    """Write ``project`` as a REFI-QDA ``.qdpx`` archive (atomically: a temporary file, then a rename).

    Args:
        project: the open project.
        path: the ``.qdpx`` file to write (replaced if it exists).
        include_pending: also export machine codings not yet reviewed.
        timestamp: the export time written as ``creationDateTime`` and as the
            zip entries' time (default now); fix it to get byte-identical files.

    Raises:
        ValidationError: the file cannot be written.
    """
    path = Path(path)
    data, files, summary = build_qde(project, include_pending=include_pending, timestamp=timestamp)
    summary.file = str(path)
    from qualcode.limits import MAX_PROJECT_ENTRIES, MAX_XML_BYTES

    if len(data) > MAX_XML_BYTES or len(files) + 1 > MAX_PROJECT_ENTRIES:
        summary.warnings.append(
            f"project.qde is {len(data) >> 20} MiB in {len(files) + 1} entries: more than `refi import` reads"
            f" ({MAX_XML_BYTES >> 20} MiB, {MAX_PROJECT_ENTRIES} entries); export part of the project instead"
        )
    moment = _stamp(timestamp).astimezone(timezone.utc)
    date_time = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)
    refuse_project_file(path)  # never over the project or its -wal/-shm
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            # Each entry is streamed into the zip and dropped once written, so
            # the texts are not held twice (source bytes and zip buffers).
            names = ["project.qde", *sorted(files)]
            files["project.qde"] = data
            del data
            for name in names:
                info = zipfile.ZipInfo(name, date_time=date_time)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                payload = files.pop(name)
                with archive.open(info, "w", force_zip64=len(payload) > (1 << 31)) as entry:
                    for at in range(0, len(payload), 1 << 20):
                        entry.write(payload[at : at + (1 << 20)])
                del payload
        os.chmod(tmp, file_mode())  # owner-only unless --shared
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError(f"cannot write file: {exc.strerror or exc}", where=str(path)) from None
    return summary
