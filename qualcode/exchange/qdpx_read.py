"""Import a REFI-QDA project (``.qdpx``) from NVivo, ATLAS.ti, MAXQDA or QualCoder.

Why it is built this way: a project from another tool must land whole or not
at all, so the archive is read and checked first (nothing touched yet), then
everything is stored in ONE ``project.action``: one undo removes the whole
import, and an error half-way leaves the project as it was.

Mapping (REFI-QDA → qualcode):

- ``CodeBook`` → codes, merged by path into the existing codebook
  (:func:`qualcode.codebook.apply_codebook`): colours, descriptions, and our own
  labelled extra fields (include/exclude, examples …) when the file is ours.
- ``TextSource`` whose text equals a document's stored text → that document,
  whatever its name, kind or metadata (matched by sha256 of the text), so a
  second coder's export lands on the same documents.
- Other ``TextSource`` → a document with the source's name; the text is the
  ``PlainTextContent`` or the internal ``sources/<file>.txt``, kept exactly
  (offsets are code points, as REFI-QDA 10.2 says). Speaker turns are found by
  the plain-text transcript parser of :mod:`qualcode.ingest`, so imported
  transcripts get turns, roles and participants like any imported file.
  Picture, PDF, audio and video sources are skipped with a warning.
- ``PlainTextSelection`` + ``Coding`` → codings (``origin`` manual, confirmed),
  coder = the name of the coding's ``creatingUser``; a ``Coding`` placed on a
  whole ``TextSource`` codes the whole text.
- ``Note`` → memos: on a code, a document, a coding, a turn (a selection that
  spans exactly one turn and has no coding), or the project (notes referenced
  from nowhere qualcode can hold). A selection's ``Description`` becomes a memo
  the same way.
- ``Case`` → participant with its variable values as attributes; a document
  that is the ``SourceRef`` of exactly one case (and has at most one
  non-interviewer speaker) is attributed to that participant.
- The project's ``Description`` and each case's ``Description`` → project
  memos; a ``Note`` anchored by its own ``PlainTextSelection`` (QualCoder's
  annotations) → a memo on that span of the source referencing it. A
  selection ``Description`` that only repeats the notes inside it (our own
  export) adds nothing. Everything else left out is listed in ``warnings``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.exchange.archive import MAX_QDE_BYTES, MAX_SOURCE_BYTES, QdpxArchive, decode_text
from qualcode.exchange.qde import QdeNote, QdeProject, QdeSelection, QdeTextSource, parse_qde
from qualcode.exchange.summary import ExchangeSummary
from qualcode.model import ParsedDocument

if TYPE_CHECKING:
    from qualcode.store import Action, Project


@dataclass
class _Planned:
    """One text source ready to store: the parsed document and where it came from."""

    source: QdeTextSource
    parsed: ParsedDocument
    #: The document already in the project with the same text (matched by content), if any.
    existing: int | None = None


def read_qdpx(path: str | Path) -> QdeProject:
    """Parse a ``.qdpx`` archive's ``project.qde`` without touching any project.

    Raises:
        ImportFormatError: not a zip, no ``project.qde``, unsafe or invalid XML.
    """
    path = Path(path)
    with QdpxArchive(path) as archive:
        name = archive.qde_name()
        return parse_qde(archive.read(name, MAX_QDE_BYTES), f"{path}/{name}")


def _iso(value: str | None) -> str | None:
    """An ``xsd:dateTime`` as the store writes times (UTC, seconds); ``None`` if unreadable."""
    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc).isoformat(timespec="seconds")


def _read_text(
    archive: QdpxArchive, content: str | None, url: str | None, what: str, warnings: list[str]
) -> str | None:
    """Inline text, or the internal file ``url`` points at; ``None`` (with a warning) when absent."""
    if content is not None:
        return content
    if not url:
        warnings.append(f"{what}: no text (neither PlainTextContent nor plainTextPath); skipped")
        return None
    entry = archive.source_name(url)
    if entry is None:
        warnings.append(f"{what}: its text is an external file ({url}), which is not read; skipped")
        return None
    if not archive.has(entry):
        warnings.append(f"{what}: its text file {entry} is missing from the archive; skipped")
        return None
    return decode_text(archive.read(entry, MAX_SOURCE_BYTES), f"{archive.where}/{entry}")


def _note_text(note: QdeNote, content: str) -> str:
    """A memo's text: the note's title and description, unless the content already starts with the title.

    qualcode exports a memo's first line as the note's name, so a round trip
    gives back exactly the memo's text.
    """
    parts: list[str] = []
    title = note.name.rstrip("…").strip()
    if title and not content.strip().startswith(title):
        parts.append(note.name)
    if note.description.strip():
        parts.append(note.description.strip())
    if content.strip():
        parts.append(content)
    return "\n\n".join(parts)


def _plan_documents(project: "Project", qde: QdeProject, archive: QdpxArchive, warnings: list[str]) -> list[_Planned]:
    """Read and parse every text source; warn about (and skip) those without text."""
    from qualcode.ingest.build import RawDoc, finish, is_interviewer, text_turns
    from qualcode.ingest.options import ImportOptions
    from qualcode.ingest.participants import ParticipantMap

    options, pmap = ImportOptions(), ParticipantMap()
    cases_of: dict[str, list[str]] = {}
    for case in qde.cases:
        for guid in case.sources:
            if case.name:
                cases_of.setdefault(guid, []).append(case.name)
    headers = project.documents.headers()
    taken = {d.name.casefold(): d.text_sha256 for d in headers}
    ours = {d.text_sha256: (d.name, d.id) for d in headers}
    planned: list[_Planned] = []
    for source in qde.sources:
        label = f"source {source.name or source.guid!r}"
        text = _read_text(archive, source.content, source.text_path, label, warnings)
        if text is None:
            continue
        if not text.strip():
            warnings.append(f"{label}: the text is empty; skipped")
            continue
        sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
        name = source.name or f"source {source.guid[:8]}"
        existing = ours.get(sha)
        if existing:  # the same text is the same document, whatever its name, kind or metadata
            if existing[0] != name:
                warnings.append(f"{label}: same text as document {existing[0]!r}; its codings and memos go there")
        else:
            base, n = name, 1
            while name.casefold() in taken and taken[name.casefold()] != sha:
                n += 1
                name = f"{base} ({n})"
            if name != base:
                warnings.append(f"{label}: a different document called {base!r} exists; imported as {name!r}")
            taken[name.casefold()] = sha
        turns = text_turns(text)
        speakers = {t.speaker for t in turns if t.speaker and not is_interviewer(t.speaker, options)}
        cases = cases_of.get(source.guid, [])
        metadata: dict[str, object] = {"refi_guid": source.guid, "refi_origin": qde.origin}
        if source.variables:
            metadata["refi_variables"] = dict(source.variables)
        raw = RawDoc(
            name,
            text,
            turns,
            metadata=metadata,
            participant=cases[0] if len(cases) == 1 and len(speakers) <= 1 else None,
        )
        parsed = finish(raw, options, pmap, source_path=f"{archive.where}#{source.guid}", sha256=sha, encoding=None)
        planned.append(_Planned(source, parsed, existing[1] if existing else None))
    return planned


def _span_target(
    doc_id: int, text: str, start: int, end: int, turns: dict[tuple[int, int], int], coding_id: int | None
) -> tuple[tuple[str, int], str]:
    """Where a memo on a span goes: its coding, the turn it covers exactly, or the document with a quote."""
    if coding_id is not None:
        return ("coding", coding_id), ""
    if (start, end) in turns:
        return ("turn", turns[(start, end)]), ""
    return ("document", doc_id), f"[{start}-{end}] “{text[start:end][:80]}”\n\n"


def _span_ok(sel: QdeSelection, length: int) -> bool:
    return sel.start is not None and sel.end is not None and 0 <= sel.start < sel.end <= length


class _Importer:
    """Stores a parsed project inside one action (see the module docstring)."""

    def __init__(
        self, project: "Project", qde: QdeProject, notes: dict[str, str], coder: str, summary: ExchangeSummary
    ) -> None:
        self.project = project
        self.qde = qde
        self.notes = notes
        self.coder = coder
        self.summary = summary
        self.placed: set[str] = set()

    def user(self, guid: str) -> str:
        return self.qde.users.get(guid) or guid or self.coder

    def memo(
        self, act: "Action", target: str, target_id: int | None, text: str, user: str, created: str | None
    ) -> None:
        """Add a memo unless the same text is already on the same target (re-imports add nothing)."""
        if not text.strip():
            return
        if any(m.text == text for m in self.project.memos.for_target(target, target_id)):
            return
        self.project.memos.add(target, target_id, text, author=self.user(user), created_at=_iso(created))
        self.summary.memos += 1

    def note(self, act: "Action", target: str, target_id: int | None, guids: list[str]) -> None:
        for guid in guids:
            note = self.qde.notes.get(guid)
            if note is not None and guid in self.notes:
                self.placed.add(guid)
                self.memo(act, target, target_id, self.notes[guid], note.user, note.created)

    def _anchored(self, act: "Action", guid: str, doc_id: int, text: str, turns: dict[tuple[int, int], int]) -> bool:
        """Place a note anchored by its own selection (a QualCoder annotation) on that span; False if not anchored."""
        note = self.qde.notes.get(guid)
        if note is None or guid not in self.notes or not note.anchors:
            return False
        start, end = note.anchors[0]
        if not 0 <= start < end <= len(text):
            self.summary.warnings.append(
                f"note {note.name or guid!r}: its span {start}-{end} is outside the text; kept on the whole document"
            )
            return False
        self.placed.add(guid)
        target, quote = _span_target(doc_id, text, start, end, turns, None)
        self.memo(act, target[0], target[1], quote + self.notes[guid], note.user, note.created)
        return True

    def _echoes(self, description: str, guids: list[str]) -> bool:
        """Whether a ``Description`` only repeats the notes ``guids`` (our own export writes both)."""
        texts = [self.notes[g] for g in guids if g in self.notes]
        return bool(texts) and description.strip() == "\n\n".join(texts).strip()

    def codes(self) -> dict[str, int]:
        from qualcode.codebook import apply_codebook

        if self.qde.codebook.nodes:
            self.summary.codes = len(apply_codebook(self.project, self.qde.codebook).added)
        ids = {c.path.casefold(): c.id for c in self.project.codes.all()}
        return {guid: ids[path.casefold()] for guid, path in self.qde.code_paths.items()}

    def document(self, act: "Action", plan: _Planned, code_ids: dict[str, int]) -> None:
        from qualcode.store import NewCoding

        source, text = plan.source, plan.parsed.text
        doc = self.project.documents.get(plan.existing) if plan.existing else None
        if doc is None:
            doc, status = self.project.documents.add(plan.parsed)
            self.summary.documents += status == "imported"
        elif doc.participant_id is None and plan.parsed.participant:
            self.project.documents.set_participant(doc.id, plan.parsed.participant)
        units: list[tuple[QdeSelection | None, int, int]] = [(None, 0, len(text))]
        bad_spans = unknown_codes = 0
        for sel in source.selections:
            if _span_ok(sel, len(text)):
                units.append((sel, sel.start or 0, sel.end or 0))
            else:
                bad_spans += 1
        items: dict[tuple[int, int, int, str], NewCoding] = {}
        by_guid: dict[str, tuple[int, int, int, str]] = {}
        for sel, start, end in units:
            for coding in sel.codings if sel else source.codings:
                code_id = code_ids.get(coding.code)
                if code_id is None:
                    unknown_codes += 1
                    continue
                key = (code_id, start, end, self.user(coding.user))
                items.setdefault(
                    key,
                    NewCoding(
                        code_id,
                        doc.id,
                        start,
                        end,
                        coder=key[3],
                        origin="manual",
                        status="confirmed",
                        created_at=_iso(coding.created),
                    ),
                )
                by_guid[coding.guid] = key
        if bad_spans:
            self.summary.warnings.append(f"source {source.name!r}: {bad_spans} selection(s) outside the text skipped")
        if unknown_codes:
            self.summary.warnings.append(f"source {source.name!r}: {unknown_codes} coding(s) of unknown codes skipped")
        keys = list(items)
        done = self.project.codings.add_many([items[k] for k in keys], action="refi-import")
        ids = dict(zip(keys, done.ids))
        new_ids = {c.id for c in done.added}
        self.summary.codings += sum(1 for coding_id in ids.values() if coding_id in new_ids)
        # Memos: on the document, on codings, on selections.
        turns = {(t.start, t.end): t.id for t in self.project.documents.turns(doc.id)}
        plain = [g for g in source.notes if not self._anchored(act, g, doc.id, text, turns)]
        self.note(act, "document", doc.id, plain)
        if not self._echoes(source.description, source.notes):
            self.memo(act, "document", doc.id, source.description, source.user, source.created)
        for sel, start, end in units:
            if sel is None:
                continue
            for coding in sel.codings:
                if coding.guid in by_guid:
                    self.note(act, "coding", ids[by_guid[coding.guid]], coding.notes)
            first = next((ids[by_guid[c.guid]] for c in sel.codings if c.guid in by_guid), None)
            target, quote = _span_target(doc.id, text, start, end, turns, first)
            for guid in sel.notes:
                if guid in self.notes:
                    self.placed.add(guid)
                    note = self.qde.notes[guid]
                    self.memo(act, target[0], target[1], quote + self.notes[guid], note.user, note.created)
            if sel.description.strip() and not self._echoes(
                sel.description, [g for c in sel.codings for g in c.notes] + sel.notes
            ):
                self.memo(act, target[0], target[1], quote + sel.description.strip(), sel.user, sel.created)
        for coding in source.codings:
            if coding.guid in by_guid:
                self.note(act, "coding", ids[by_guid[coding.guid]], coding.notes)


def import_qdpx(project: "Project", path: str | Path, *, coder: str | None = None) -> ExchangeSummary:
    """Import a REFI-QDA ``.qdpx`` project into ``project``, all or nothing.

    Args:
        project: the open project.
        path: the ``.qdpx`` file.
        coder: the coder for codings and memos whose user the file does not
            name (default ``$QUALCODE_CODER`` or the OS user).

    Returns:
        What was added, and warnings for what was left out.

    Raises:
        ImportFormatError: a broken or unsafe archive, invalid XML (named with
            the file and line). Nothing is imported then.
        CodebookFormatError: the file's codebook is malformed.
    """
    from qualcode.store import default_coder

    path = Path(path)
    summary = ExchangeSummary(file=str(path))
    with QdpxArchive(path) as archive:
        name = archive.qde_name()
        qde = parse_qde(archive.read(name, MAX_QDE_BYTES), f"{path}/{name}")
        planned = _plan_documents(project, qde, archive, summary.warnings)
        notes: dict[str, str] = {}
        for guid, note in qde.notes.items():
            quiet: list[str] = []
            content = _read_text(archive, note.content, note.text_path, f"note {note.name or guid!r}", quiet)
            text = _note_text(note, content or "")
            if text.strip():
                notes[guid] = text
            elif quiet:
                summary.warnings.extend(quiet)
    for kind, count in sorted(qde.left_out.items()):
        summary.warnings.append(
            f"{count} {kind} element(s) left out: qualcode imports text sources, codes, notes and cases"
        )
    importer = _Importer(project, qde, notes, coder or default_coder(), summary)
    with project.action("refi-import", f"import REFI-QDA project {path.name}") as act:
        code_ids = importer.codes()
        for case in qde.cases:
            if not case.name:
                summary.warnings.append(f"case {case.guid}: no name; skipped")
                continue
            before = project.participants.find(case.name)
            after = project.participants.ensure(case.name, case.values)
            summary.participants += before is None or before.attributes != after.attributes
        for plan in planned:
            importer.document(act, plan, code_ids)
        for path_, guids in qde.code_notes.items():
            code = project.codes.find_path(path_)
            if code is not None:
                importer.note(act, "code", code.id, guids)
        if qde.description and qde.description != (project.meta("description") or "").strip():
            importer.memo(
                act, "project", None, f"Project description ({path.name}):\n\n{qde.description}", qde.default_user, None
            )
        for case in qde.cases:
            if case.name and case.description:
                importer.memo(act, "project", None, f"Case {case.name}: {case.description}", qde.default_user, None)
        importer.note(act, "project", None, qde.project_notes)
        unplaced = [g for g in notes if g not in importer.placed]
        for guid in unplaced:
            if qde.notes[guid].anchors:
                start, end = qde.notes[guid].anchors[0]
                summary.warnings.append(
                    f"note {qde.notes[guid].name or guid!r}: anchored at {start}-{end} but no "
                    "source references it; kept as a project memo without its span"
                )
        importer.note(act, "project", None, unplaced)
    return summary
