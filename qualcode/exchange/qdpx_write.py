"""Export a whole project as a REFI-QDA project (``.qdpx``) for NVivo, ATLAS.ti, MAXQDA, QualCoder.

Why REFI-QDA: it is the one project format those tools all read and write.
A ``.qdpx`` is a zip holding ``project.qde`` (XML valid against the
consortium's ``Project.xsd``, namespace ``urn:QDA-XML:project:1.0``) and a flat
``sources/`` folder. A document's text travels either as ``sources/<guid>.txt``
(UTF-8) referenced by ``plainTextPath="internal://<guid>.txt"``, or inline as the
``TextSource``'s ``PlainTextContent`` (the standard allows either, not both).
Layout rule (``sources``): ``files`` puts every text in ``sources/`` (what
QualCoder reads); ``inline`` puts every text up to 8 MiB inline; ``auto`` (the
default) is ``files`` for a project of up to 10,000 documents and otherwise
puts texts up to 4 KiB inline (survey answers) and longer ones (transcripts)
in ``sources/``, so a consultation of 10^6 answers is a handful of archive
entries, not one per answer.

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

import io
import os
import zipfile
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from qualcode import __version__
from qualcode.errors import ValidationError
from qualcode.exchange.qde_write import NS, SOURCE_LAYOUTS, QdeStreamWriter, stable_guid
from qualcode.exchange.summary import ExchangeSummary
from qualcode.exchange.xml_out import XmlOut
from qualcode.outputs import file_mode, refuse_project_file
from qualcode.store import exchange_rows as rows

if TYPE_CHECKING:
    from qualcode.store import Project

__all__ = ["SOURCE_LAYOUTS", "build_qde", "export_qdpx", "stable_guid"]


def _stamp(timestamp: datetime | str | None) -> datetime:
    if timestamp is None:
        return datetime.now(timezone.utc).replace(microsecond=0)
    stamp = timestamp if isinstance(timestamp, datetime) else datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=timezone.utc)


def _write_qde(
    project: "Project", stream: BinaryIO, include_pending: bool, stamp: datetime, sources: str
) -> tuple[QdeStreamWriter, int]:
    """Stream ``project.qde`` into ``stream``; the writer (for the ``sources/`` files and counts) and its size."""
    if sources not in SOURCE_LAYOUTS:
        raise ValidationError(f"unknown sources layout {sources!r} (one of {', '.join(SOURCE_LAYOUTS)})")
    writer = QdeStreamWriter(project, include_pending, sources)
    out = XmlOut(stream, NS)
    writer.write(
        out, project.meta("name") or project.path.stem, f"qualcode {__version__}", stamp, project.meta("description")
    )
    return writer, out.written


def _summary(writer: QdeStreamWriter) -> ExchangeSummary:
    summary = ExchangeSummary(
        file="",
        documents=writer.document_count,
        codes=len(writer.codes),
        codings=writer.coding_count,
        memos=len(writer.notes),
        participants=writer.participants,
    )
    if writer.pending_left:
        summary.warnings.append(
            f"{writer.pending_left} pending machine coding(s) left out; pass --include-pending to export them"
        )
    return summary


def _source_files(project: "Project", writer: QdeStreamWriter, page: int = 1000):
    """``(entry name, UTF-8 bytes)`` of each file the ``project.qde`` points at, a page of documents at a time."""
    ids = writer.file_documents
    for at in range(0, len(ids), page):
        for doc in rows.documents_by_ids(project, ids[at : at + page]):
            yield f"sources/{stable_guid('document', doc.name)}.txt", doc.text.encode("utf-8")
    for name in sorted(writer.journal):
        yield name, writer.journal[name].encode("utf-8")


def build_qde(
    project: "Project",
    *,
    include_pending: bool = False,
    timestamp: datetime | str | None = None,
    sources: str = "auto",
) -> tuple[bytes, dict[str, bytes], ExchangeSummary]:
    """The ``project.qde`` bytes, the ``sources/`` files and the summary, in memory (small projects, tests)."""
    buffer = io.BytesIO()
    writer, _ = _write_qde(project, buffer, include_pending, _stamp(timestamp), sources)
    return buffer.getvalue(), dict(_source_files(project, writer)), _summary(writer)


def export_qdpx(
    project: "Project",
    path: str | Path,
    *,
    include_pending: bool = False,
    timestamp: datetime | str | None = None,
    sources: str = "auto",
) -> ExchangeSummary:
    """Write ``project`` as a REFI-QDA ``.qdpx`` archive, streamed (a temporary file, then a rename).

    Args:
        project: the open project.
        path: the ``.qdpx`` file to write (replaced if it exists).
        include_pending: also export machine codings not yet reviewed.
        timestamp: the export time written as ``creationDateTime`` and as the
            zip entries' time (default now); fix it to get byte-identical files.
        sources: the layout of the texts, ``auto``, ``files`` or ``inline``
            (see the module docstring).

    Raises:
        ValidationError: the file cannot be written, or an unknown layout.
    """
    from qualcode.limits import MAX_PROJECT_ENTRIES, MAX_QDE_BYTES

    path = Path(path)
    stamp = _stamp(timestamp)
    moment = stamp.astimezone(timezone.utc)
    date_time = (max(moment.year, 1980), moment.month, moment.day, moment.hour, moment.minute, moment.second)

    def info(name: str) -> zipfile.ZipInfo:
        entry = zipfile.ZipInfo(name, date_time=date_time)
        entry.compress_type = zipfile.ZIP_DEFLATED
        entry.external_attr = 0o644 << 16
        return entry

    refuse_project_file(path)  # never over the project or its -wal/-shm
    tmp = path.with_name(f".{path.name}.tmp")
    entries = 1
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, allowZip64=True) as archive:
            with archive.open(info("project.qde"), "w", force_zip64=True) as entry:
                writer, size = _write_qde(project, entry, include_pending, stamp, sources)
            for name, data in _source_files(project, writer):
                with archive.open(info(name), "w", force_zip64=len(data) > (1 << 31)) as entry:
                    entry.write(data)
                entries += 1
        os.chmod(tmp, file_mode())  # owner-only unless --shared
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ValidationError(f"cannot write file: {exc.strerror or exc}", where=str(path)) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    summary = _summary(writer)
    summary.file = str(path)
    if size > MAX_QDE_BYTES or entries > MAX_PROJECT_ENTRIES:
        summary.warnings.append(
            f"project.qde is {size >> 20} MiB in {entries} entries: more than `refi import` reads"
            f" ({MAX_QDE_BYTES >> 20} MiB, {MAX_PROJECT_ENTRIES} entries); export part of the project instead"
        )
    return summary
