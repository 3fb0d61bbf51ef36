"""Import a REFI-QDA project (``.qdpx``) from NVivo, ATLAS.ti, MAXQDA or QualCoder.

Why it is built this way: a project from another tool must land whole or not
at all, so everything is stored in ONE ``project.action``: one undo removes the
whole import, and an error half-way leaves the project as it was. A
consultation's ``project.qde`` is gigabytes, so it is never held whole: a
first streamed pass checks the whole XML and reads the small parts (users,
codebook, variables, notes) before the project is touched; a second pass, in
the action, hands cases and text sources to :mod:`qualcode.exchange.qdpx_import`,
which stores them in bounded chunks. Memory does not grow with the file.

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

from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.exchange.archive import QdpxArchive
from qualcode.exchange.qde import QdeNote, QdeProject
from qualcode.exchange.qde_scan import scan_qde
from qualcode.exchange.qdpx_import import Importer, read_text
from qualcode.exchange.summary import ExchangeSummary

if TYPE_CHECKING:
    from qualcode.store import Project

__all__ = ["import_qdpx", "read_qdpx"]


def read_qdpx(path: str | Path) -> QdeProject:
    """Parse a ``.qdpx`` archive's ``project.qde`` without touching any project (cases and sources held: small files).

    Raises:
        ImportFormatError: not a zip, no ``project.qde``, unsafe or invalid XML.
    """
    path = Path(path)
    with QdpxArchive(path) as archive:
        name = archive.qde_name()
        with archive.stream(name) as stream:
            cases: list = []
            sources: list = []
            qde = scan_qde(stream, f"{path}/{name}", on_case=cases.append, on_source=sources.append, count=True)
    qde.cases, qde.sources = cases, sources
    return qde


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


def _notes(qde: QdeProject, archive: QdpxArchive, summary: ExchangeSummary) -> dict[str, str]:
    """Each note's memo text (notes are few: held), read inline or from its file."""
    notes: dict[str, str] = {}
    for guid, note in qde.notes.items():
        quiet: list[str] = []
        content = read_text(archive, note.content, note.text_path, f"note {note.name or guid!r}", quiet)
        text = _note_text(note, content or "")
        if text.strip():
            notes[guid] = text
        elif quiet:
            summary.warnings.extend(quiet)
    return notes


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
        where = f"{path}/{name}"
        with archive.stream(name) as stream:
            qde = scan_qde(stream, where)  # the whole file checked, the small parts read
        notes = _notes(qde, archive, summary)
        for kind, count in sorted(qde.left_out.items()):
            summary.warnings.append(
                f"{count} {kind} element(s) left out: qualcode imports text sources, codes, notes and cases"
            )
        importer = Importer(project, qde, archive, notes, coder or default_coder(), summary)
        with project.action("refi-import", f"import REFI-QDA project {path.name}"):
            importer.codes()
            with archive.stream(name) as stream:
                scan_qde(stream, where, on_case=importer.case, on_source=importer.source)
            importer.finish(path.name)
    return summary
