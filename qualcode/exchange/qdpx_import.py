"""Storing a streamed ``project.qde``: cases and text sources in bounded chunks, inside the import's one action.

Why chunks: the second pass of :func:`qualcode.exchange.import_qdpx` hands
over one case or source at a time; holding them all (and their parsed
documents) is what made a 10^5-answer import take 3 GB. Here at most
:data:`CHUNK` of them wait, then go to the store in bulk
(``participants.ensure_many``, ``documents.add_many``, ``codings.add_many``),
all inside the caller's ``project.action``, so the import stays all or
nothing and one undo removes it. The mapping is the one described in
:mod:`qualcode.exchange.qdpx_read`.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.exchange.archive import QdpxArchive
from qualcode.exchange.qde import QdeCase, QdeProject, QdeSelection, QdeTextSource
from qualcode.exchange.summary import ExchangeSummary
from qualcode.model import ParsedDocument
from qualcode.store import exchange_rows as rows

if TYPE_CHECKING:
    from qualcode.store import NewCoding, Project

#: Cases or sources stored together.
CHUNK = 1000


def iso(value: str | None) -> str | None:
    """An ``xsd:dateTime`` as the store writes times (UTC, seconds); ``None`` if unreadable."""
    from datetime import datetime, timezone

    if not value:
        return None
    try:
        stamp = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is None:
        stamp = stamp.replace(tzinfo=timezone.utc)
    return stamp.astimezone(timezone.utc).isoformat(timespec="seconds")


def read_text(archive: QdpxArchive, content: str | None, url: str | None, what: str, warnings: list[str]) -> str | None:
    """Inline text, or the internal file ``url`` points at; ``None`` (with a warning) when absent."""
    from qualcode.exchange.archive import MAX_SOURCE_BYTES, decode_text

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


def _guid_key(guid: str) -> bytes | str:
    """A GUID as 16 bytes when it is a UUID (a million cases' source links stay small)."""
    try:
        return uuid.UUID(guid).bytes
    except ValueError:
        return guid


def _changes(before: dict[str, str] | None, values: dict[str, str]) -> bool:
    """Whether ``participants.ensure`` with ``values`` creates or changes a participant stored as ``before``."""
    if before is None:
        return True
    return any(k not in before or (v != "" and before[k] != v) for k, v in values.items())


@dataclass
class _Planned:
    """One text source ready to store: the parsed document and where it came from."""

    source: QdeTextSource
    parsed: ParsedDocument
    #: The document already in the project with the same text (matched by content), if any.
    existing: int | None = None
    doc_id: int = 0


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


class Importer:
    """Stores a streamed project inside the caller's action (see the module docstring)."""

    def __init__(
        self,
        project: "Project",
        qde: QdeProject,
        archive: QdpxArchive,
        notes: dict[str, str],
        coder: str,
        summary: ExchangeSummary,
    ) -> None:
        from qualcode.ingest.options import ImportOptions
        from qualcode.ingest.participants import ParticipantMap

        self.project, self.qde, self.archive = project, qde, archive
        self.notes, self.coder, self.summary = notes, coder, summary
        self.placed: set[str] = set()
        self.code_ids: dict[str, int] = {}
        self.cases: list[QdeCase] = []
        self.case_memos: list[tuple[str, str]] = []
        #: Source GUID → the name of the one case that references it (``None``: several).
        self.cases_of: dict[bytes | str, str | None] = {}
        self.sources: list[QdeTextSource] = []
        self.options, self.pmap = ImportOptions(), ParticipantMap()
        #: Documents there before the import: only those are matched by text.
        self.known_up_to = rows.max_document_id(project)

    def user(self, guid: str) -> str:
        return self.qde.users.get(guid) or guid or self.coder

    # -- memos -----------------------------------------------------------------
    def memo(self, target: str, target_id: int | None, text: str, user: str, created: str | None) -> None:
        """Add a memo unless the same text is already on the same target (re-imports add nothing)."""
        if not text.strip():
            return
        if any(m.text == text for m in self.project.memos.for_target(target, target_id)):
            return
        self.project.memos.add(target, target_id, text, author=self.user(user), created_at=iso(created))
        self.summary.memos += 1

    def note(self, target: str, target_id: int | None, guids: list[str]) -> None:
        for guid in guids:
            note = self.qde.notes.get(guid)
            if note is not None and guid in self.notes:
                self.placed.add(guid)
                self.memo(target, target_id, self.notes[guid], note.user, note.created)

    def _anchored(self, guid: str, doc_id: int, text: str, turns: dict[tuple[int, int], int]) -> bool:
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
        self.memo(target[0], target[1], quote + self.notes[guid], note.user, note.created)
        return True

    def _echoes(self, description: str, guids: list[str]) -> bool:
        """Whether a ``Description`` only repeats the notes ``guids`` (our own export writes both)."""
        texts = [self.notes[g] for g in guids if g in self.notes]
        return bool(texts) and description.strip() == "\n\n".join(texts).strip()

    # -- codes and cases -----------------------------------------------------------
    def codes(self) -> None:
        from qualcode.codebook import apply_codebook

        if self.qde.codebook.nodes:
            self.summary.codes = len(apply_codebook(self.project, self.qde.codebook).added)
        ids = {c.path.casefold(): c.id for c in self.project.codes.all()}
        self.code_ids = {guid: ids[path.casefold()] for guid, path in self.qde.code_paths.items()}

    def case(self, case: QdeCase) -> None:
        self.cases.append(case)
        if len(self.cases) >= CHUNK:
            self.flush_cases()

    def flush_cases(self) -> None:
        """Ensure the waiting cases' participants in bulk and remember which sources they reference."""
        named: list[QdeCase] = []
        for case in self.cases:
            if not case.name:
                self.summary.warnings.append(f"case {case.guid}: no name; skipped")
                continue
            named.append(case)
            for guid in case.sources:
                key = _guid_key(guid)
                self.cases_of[key] = case.name if self.cases_of.get(key, case.name) == case.name else None
            if case.description:
                self.case_memos.append((case.name, case.description))
        self.cases = []
        if not named:
            return
        before = rows.participant_attributes(self.project, [c.name for c in named])
        for case in named:
            key = case.name.strip().casefold()
            old = before.get(key)
            self.summary.participants += _changes(old, case.values)
            before[key] = {**(old or {}), **{k: v for k, v in case.values.items() if v != "" or k not in (old or {})}}
        self.project.participants.ensure_many([(c.name, c.values) for c in named])

    # -- sources ---------------------------------------------------------------
    def source(self, source: QdeTextSource) -> None:
        if self.cases:
            self.flush_cases()
        self.sources.append(source)
        if len(self.sources) >= CHUNK:
            self.flush_sources()

    def _plan(self, sources: list[QdeTextSource]) -> list[_Planned]:
        """Read and parse each text source; warn about (and skip) those without text."""
        from qualcode.ingest.build import RawDoc, finish, is_interviewer, text_turns

        warnings = self.summary.warnings
        texts: list[tuple[QdeTextSource, str, str]] = []
        for source in sources:
            label = f"source {source.name or source.guid!r}"
            text = read_text(self.archive, source.content, source.text_path, label, warnings)
            if text is None:
                continue
            if not text.strip():
                warnings.append(f"{label}: the text is empty; skipped")
                continue
            texts.append((source, text, hashlib.sha256(text.encode("utf-8")).hexdigest()))
        ours = rows.documents_by_text(self.project, [sha for _, _, sha in texts], self.known_up_to)
        wanted = [s.name or f"source {s.guid[:8]}" for s, _, _ in texts]
        taken: dict[str, str | None] = {n.casefold(): None for n in wanted}  # None: free
        taken.update(rows.names_taken(self.project, wanted))
        planned: list[_Planned] = []
        for source, text, sha in texts:
            label = f"source {source.name or source.guid!r}"
            name = source.name or f"source {source.guid[:8]}"
            existing = ours.get(sha)
            if existing:  # the same text is the same document, whatever its name, kind or metadata
                if existing[1] != name:
                    warnings.append(f"{label}: same text as document {existing[1]!r}; its codings and memos go there")
            else:
                base, n = name, 1
                while self._taken(taken, name) not in (None, sha):
                    n += 1
                    name = f"{base} ({n})"
                if name != base:
                    warnings.append(f"{label}: a different document called {base!r} exists; imported as {name!r}")
                taken[name.casefold()] = sha
            turns = text_turns(text)
            speakers = {t.speaker for t in turns if t.speaker and not is_interviewer(t.speaker, self.options)}
            case = self.cases_of.get(_guid_key(source.guid))
            metadata: dict[str, object] = {"refi_guid": source.guid, "refi_origin": self.qde.origin}
            if source.variables:
                metadata["refi_variables"] = dict(source.variables)
            raw = RawDoc(name, text, turns, metadata=metadata, participant=case if len(speakers) <= 1 else None)
            parsed = finish(
                raw,
                self.options,
                self.pmap,
                source_path=f"{self.archive.where}#{source.guid}",
                sha256=sha,
                encoding=None,
            )
            planned.append(_Planned(source, parsed, existing[0] if existing else None))
        return planned

    def _taken(self, taken: dict[str, str | None], name: str) -> str | None:
        """The text sha256 of the document called ``name`` (ignoring case), ``None`` if the name is free."""
        key = name.casefold()
        if key not in taken:
            taken[key] = None
            taken.update(rows.names_taken(self.project, [name]))
        return taken[key]

    def flush_sources(self) -> None:
        """Store the waiting sources: documents, then their codings, then their memos."""
        planned, self.sources = self._plan(self.sources), []
        if not planned:
            return
        new = [p for p in planned if p.existing is None]
        statuses = self.project.documents.add_many([p.parsed for p in new], summary="refi-import")
        self.summary.documents += statuses.count("imported")
        ids = rows.ids_by_names(self.project, [p.parsed.name for p in new])
        for p in new:
            p.doc_id = ids[p.parsed.name]
        matched = [p for p in planned if p.existing is not None]
        stored = {d.id: d for d in rows.documents_by_ids(self.project, [p.existing or 0 for p in matched])}
        for p in matched:
            p.doc_id = p.existing or 0
            if stored[p.doc_id].participant_id is None and p.parsed.participant:
                self.project.documents.set_participant(p.doc_id, p.parsed.participant)
        self._codings_and_memos(planned)

    def _codings_and_memos(self, planned: list[_Planned]) -> None:
        from qualcode.store import NewCoding

        items: dict[tuple[int, int, int, int, str], NewCoding] = {}
        by_guid: dict[tuple[int, str], tuple[int, int, int, int, str]] = {}
        for p in planned:
            source, length, doc_id = p.source, len(p.parsed.text), p.doc_id
            bad_spans = unknown_codes = 0
            units: list[tuple[QdeSelection | None, int, int]] = [(None, 0, length)]
            for sel in source.selections:
                if _span_ok(sel, length):
                    units.append((sel, sel.start or 0, sel.end or 0))
                else:
                    bad_spans += 1
            for sel, start, end in units:
                for coding in sel.codings if sel else source.codings:
                    code_id = self.code_ids.get(coding.code)
                    if code_id is None:
                        unknown_codes += 1
                        continue
                    key = (doc_id, code_id, start, end, self.user(coding.user))
                    items.setdefault(key, self._new_coding(NewCoding, key, coding.created))
                    by_guid[(doc_id, coding.guid)] = key
            if bad_spans:
                self.summary.warnings.append(
                    f"source {source.name!r}: {bad_spans} selection(s) outside the text skipped"
                )
            if unknown_codes:
                self.summary.warnings.append(
                    f"source {source.name!r}: {unknown_codes} coding(s) of unknown codes skipped"
                )
        keys = list(items)
        done = self.project.codings.add_many([items[k] for k in keys], action="refi-import")
        coding_ids = dict(zip(keys, done.ids))
        self.summary.codings += len(done.added)
        for p in planned:
            if self._has_memos(p.source):
                self._memos(p, {g: coding_ids[k] for (d, g), k in by_guid.items() if d == p.doc_id})

    @staticmethod
    def _new_coding(
        factory: type["NewCoding"], key: tuple[int, int, int, int, str], created: str | None
    ) -> "NewCoding":
        doc_id, code_id, start, end, coder = key
        return factory(
            code_id, doc_id, start, end, coder=coder, origin="manual", status="confirmed", created_at=iso(created)
        )

    @staticmethod
    def _has_memos(source: QdeTextSource) -> bool:
        return bool(
            source.notes
            or source.description.strip()
            or any(s.notes or s.description.strip() or any(c.notes for c in s.codings) for s in source.selections)
            or any(c.notes for c in source.codings)
        )

    def _memos(self, p: _Planned, ids: dict[str, int]) -> None:
        """Memos on the document, its codings and its selections."""
        source, text, doc_id = p.source, p.parsed.text, p.doc_id
        turns = {(t.start, t.end): t.id for t in self.project.documents.turns(doc_id)}
        plain = [g for g in source.notes if not self._anchored(g, doc_id, text, turns)]
        self.note("document", doc_id, plain)
        if not self._echoes(source.description, source.notes):
            self.memo("document", doc_id, source.description, source.user, source.created)
        for sel in source.selections:
            if not _span_ok(sel, len(text)):
                continue
            start, end = sel.start or 0, sel.end or 0
            for coding in sel.codings:
                if coding.guid in ids:
                    self.note("coding", ids[coding.guid], coding.notes)
            first = next((ids[c.guid] for c in sel.codings if c.guid in ids), None)
            target, quote = _span_target(doc_id, text, start, end, turns, first)
            for guid in sel.notes:
                if guid in self.notes:
                    self.placed.add(guid)
                    note = self.qde.notes[guid]
                    self.memo(target[0], target[1], quote + self.notes[guid], note.user, note.created)
            if sel.description.strip() and not self._echoes(
                sel.description, [g for c in sel.codings for g in c.notes] + sel.notes
            ):
                self.memo(target[0], target[1], quote + sel.description.strip(), sel.user, sel.created)
        for coding in source.codings:
            if coding.guid in ids:
                self.note("coding", ids[coding.guid], coding.notes)

    def finish(self, file_name: str) -> None:
        """What is left once the stream ends: the last chunks, code and project notes."""
        self.flush_cases()
        self.flush_sources()
        qde = self.qde
        for path_, guids in qde.code_notes.items():
            code = self.project.codes.find_path(path_)
            if code is not None:
                self.note("code", code.id, guids)
        if qde.description and qde.description != (self.project.meta("description") or "").strip():
            self.memo(
                "project", None, f"Project description ({file_name}):\n\n{qde.description}", qde.default_user, None
            )
        for name, description in self.case_memos:
            self.memo("project", None, f"Case {name}: {description}", qde.default_user, None)
        self.note("project", None, qde.project_notes)
        unplaced = [g for g in self.notes if g not in self.placed]
        for guid in unplaced:
            if qde.notes[guid].anchors:
                start, end = qde.notes[guid].anchors[0]
                self.summary.warnings.append(
                    f"note {qde.notes[guid].name or guid!r}: anchored at {start}-{end} but no "
                    "source references it; kept as a project memo without its span"
                )
        self.note("project", None, unplaced)
