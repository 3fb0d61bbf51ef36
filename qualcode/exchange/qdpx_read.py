"""Import a REFI-QDA project (``.qdpx``) from NVivo, ATLAS.ti, MAXQDA or QualCoder.

Why it is built this way: a project from another tool must land whole or not
at all, so the archive is read and checked first (nothing touched yet), then
everything is stored in ONE ``project.action``: one undo removes the whole
import, and an error half-way leaves the project as it was.

Mapping (REFI-QDA → qualcode):

- ``CodeBook`` → codes, merged by path into the existing codebook
  (:func:`qualcode.codebook.apply_codebook`): colours, descriptions, and our own
  labelled extra fields (include/exclude, examples …) when the file is ours.
- ``TextSource`` → a document with the source's name; the text is the
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
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.exchange.archive import MAX_SOURCE_BYTES, MAX_QDE_BYTES, QdpxArchive, decode_text
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


def _read_text(archive: QdpxArchive, content: str | None, url: str | None, what: str, warnings: list[str]) -> str | None:
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
    taken = {d.name.casefold(): d.sha256 for d in project.documents.headers()}
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
        raw = RawDoc(name, text, turns, metadata=metadata, participant=cases[0] if len(cases) == 1 and len(speakers) <= 1 else None)
        parsed = finish(raw, options, pmap, source_path=f"{archive.where}#{source.guid}", sha256=sha, encoding=None)
        planned.append(_Planned(source, parsed))
    return planned


def _span_ok(sel: QdeSelection, length: int) -> bool:
    return sel.start is not None and sel.end is not None and 0 <= sel.start < sel.end <= length


class _Importer:
    """Stores a parsed project inside one action (see the module docstring)."""

    def __init__(self, project: "Project", qde: QdeProject, notes: dict[str, str], coder: str, summary: ExchangeSummary) -> None:
        self.project = project
        self.qde = qde
        self.notes = notes
        self.coder = coder
        self.summary = summary
        self.placed: set[str] = set()

    def user(self, guid: str) -> str:
        return self.qde.users.get(guid) or guid or self.coder

    def memo(self, act: "Action", target: str, target_id: int | None, text: str, user: str, created: str | None) -> None:
        """Add a memo unless the same text is already on the same target (re-imports add nothing)."""
        if not text.strip():
            return
        if any(m.text == text for m in self.project.memos.for_target(target, target_id)):
            return
        memo = self.project.memos.add(target, target_id, text, author=self.user(user))
        stamp = _iso(created)
        if stamp:
            act.update("memos", memo.id, {"created_at": stamp})
        self.summary.memos += 1

    def note(self, act: "Action", target: str, target_id: int | None, guids: list[str]) -> None:
        for guid in guids:
            note = self.qde.notes.get(guid)
            if note is not None and guid in self.notes:
                self.placed.add(guid)
                self.memo(act, target, target_id, self.notes[guid], note.user, note.created)

    def codes(self) -> dict[str, int]:
        from qualcode.codebook import apply_codebook

        if self.qde.codebook.nodes:
            self.summary.codes = len(apply_codebook(self.project, self.qde.codebook).added)
        ids = {c.path.casefold(): c.id for c in self.project.codes.all()}
        return {guid: ids[path.casefold()] for guid, path in self.qde.code_paths.items()}

    def document(self, act: "Action", plan: _Planned, code_ids: dict[str, int]) -> None:
        from qualcode.store import NewCoding

        source, text = plan.source, plan.parsed.text
        doc, status = self.project.documents.add(plan.parsed)
        self.summary.documents += status == "imported"
        units: list[tuple[QdeSelection | None, int, int]] = [(None, 0, len(text))]
        bad_spans = unknown_codes = 0
        for sel in source.selections:
            if _span_ok(sel, len(text)):
                units.append((sel, sel.start or 0, sel.end or 0))
            else:
                bad_spans += 1
        items: dict[tuple[int, int, int, str], NewCoding] = {}
        by_guid: dict[str, tuple[int, int, int, str]] = {}
        stamps: dict[tuple[int, int, int, str], str | None] = {}
        for sel, start, end in units:
            for coding in sel.codings if sel else source.codings:
                code_id = code_ids.get(coding.code)
                if code_id is None:
                    unknown_codes += 1
                    continue
                key = (code_id, start, end, self.user(coding.user))
                items.setdefault(key, NewCoding(code_id, doc.id, start, end, coder=key[3], origin="manual", status="confirmed"))
                stamps.setdefault(key, _iso(coding.created))
                by_guid[coding.guid] = key
        if bad_spans:
            self.summary.warnings.append(f"source {source.name!r}: {bad_spans} selection(s) outside the text skipped")
        if unknown_codes:
            self.summary.warnings.append(f"source {source.name!r}: {unknown_codes} coding(s) of unknown codes skipped")
        keys = list(items)
        done = self.project.codings.add_many([items[k] for k in keys], action="refi-import")
        new_ids = {c.id for c in done.added}
        ids = dict(zip(keys, done.ids))
        for key, coding_id in ids.items():
            if coding_id in new_ids:
                self.summary.codings += 1
                if stamps[key]:
                    act.update("codings", coding_id, {"created_at": stamps[key]})
        # Memos: on the document, on codings, on selections.
        self.note(act, "document", doc.id, source.notes)
        self.memo(act, "document", doc.id, source.description, source.user, source.created)
        turns = {(t.start, t.end): t.id for t in self.project.documents.turns(doc.id)}
        for sel, start, end in units:
            if sel is None:
                continue
            for coding in sel.codings:
                if coding.guid in by_guid:
                    self.note(act, "coding", ids[by_guid[coding.guid]], coding.notes)
            first = next((ids[by_guid[c.guid]] for c in sel.codings if c.guid in by_guid), None)
            if first is not None:
                target: tuple[str, int] = ("coding", first)
            elif (start, end) in turns:
                target = ("turn", turns[(start, end)])
            else:
                target = ("document", doc.id)
            quote = "" if target[0] != "document" else f"[{start}-{end}] “{text[start:end][:80]}”\n\n"
            for guid in sel.notes:
                if guid in self.notes:
                    self.placed.add(guid)
                    note = self.qde.notes[guid]
                    self.memo(act, target[0], target[1], quote + self.notes[guid], note.user, note.created)
            if sel.description.strip():
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
        summary.warnings.append(f"{count} {kind} element(s) left out: qualcode imports text sources, codes, notes and cases")
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
        importer.note(act, "project", None, qde.project_notes)
        importer.note(act, "project", None, [g for g in notes if g not in importer.placed])
    return summary
