"""The import driver: walk paths, parse each file, store it all-or-nothing.

Why one action per file: a file either lands whole (every document, turn and
participant) or not at all, and a bad file never stops the rest of a batch;
each failure becomes one :class:`ImportResult` line naming the file.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from qualcode.errors import ImportFormatError, QualcodeError, as_user_error
from qualcode.ingest.build import RawDoc, RawFile, RawPerson, finish
from qualcode.ingest.options import ImportOptions, ImportResult
from qualcode.ingest.participants import ParticipantMap, load_participants_file
from qualcode.ingest.registry import registry
from qualcode.model import DOCUMENT_KINDS, ParsedDocument

if TYPE_CHECKING:
    from qualcode.store import Project

ProgressFn = Callable[[int, int], None]


def _load_formats() -> None:
    import qualcode.ingest.formats  # noqa: F401 - registers the parsers


def walk(paths: Iterable[str | Path], exclude: Iterable[str] = ()) -> list[Path]:
    """Files to import: files as given; folders recursively (sorted, hidden
    entries, unsupported extensions and names matching ``exclude`` skipped)."""
    from fnmatch import fnmatch

    patterns = tuple(exclude)
    _load_formats()
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = [
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and registry.supports(p)
                and not any(fnmatch(p.name, pat) for pat in patterns)
            ]
            out.extend(sorted(found, key=lambda p: str(p.relative_to(path)).casefold()))
        else:
            out.append(path)
    return out


def _sha(data: bytes, key: str | None = None) -> str:
    digest = hashlib.sha256(data)
    if key is not None:
        digest.update(b"\x00" + key.encode("utf-8"))
    return digest.hexdigest()


def _keyed(base: "hashlib._Hash", key: str | None) -> str:
    """sha256 of the file bytes plus a document key, from the file's digest.

    Why a copy of the digest: a survey file holds one document per answer,
    and hashing the whole file again for each made import quadratic (20 h
    projected at 10^6 answers). ``_keyed(sha256(data), k) == _sha(data, k)``.
    """
    digest = base.copy()
    if key is not None:
        digest.update(b"\x00" + key.encode("utf-8"))
    return digest.hexdigest()


def file_digest(path: Path) -> "hashlib._Hash":
    """sha256 of a file read 1 MiB at a time (a survey of 10^6 answers is ~100 MB)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest


Entry = ParsedDocument | tuple[str, dict[str, str]]
"""What a parsed file yields to the store: documents, and people without a document as ``(name, attributes)``."""


def _parse(
    path: Path, data: bytes | None, options: ImportOptions, pmap: ParticipantMap, base: "hashlib._Hash | None" = None
) -> tuple[RawFile, Iterator[Entry]]:
    """Parse a file; its documents are finished one at a time as they are consumed.

    Why lazily: a survey file holds one document per answer; finishing them
    as the store takes them (and dropping each raw document once finished)
    keeps one form of each answer in memory, not two. ``data`` is ``None``
    for a format that streams the file itself (tables), which it then reads
    as the documents are consumed.
    """
    _load_formats()
    fmt = registry.for_path(path)
    raw = fmt.parser(path, None if fmt.stream else data, options)
    if base is None:
        base = hashlib.sha256(data) if data is not None else file_digest(path)
    whole = base.hexdigest()

    def entry(d: RawDoc | RawPerson) -> Entry:
        if isinstance(d, RawPerson):
            extra = pmap.attributes.get(d.name)
            return d.name, {**d.attributes, **extra} if extra else d.attributes
        return finish(
            d,
            options,
            pmap,
            source_path=str(path),
            sha256=_keyed(base, d.key) if raw.multi else whole,
            encoding=raw.encoding,
        )

    def finished() -> Iterator[Entry]:
        if isinstance(raw.documents, list):
            for i, d in enumerate(raw.documents):
                raw.documents[i] = None  # type: ignore[call-overload]
                yield entry(d)
            raw.documents = []
        else:
            yield from map(entry, raw.documents)

    return raw, finished()


def _check_options(options: ImportOptions) -> None:
    if options.kind is not None and options.kind not in DOCUMENT_KINDS:
        raise ImportFormatError(f"unknown kind {options.kind!r}; use one of {', '.join(DOCUMENT_KINDS)}")


def parse_file(path: str | Path, options: ImportOptions | None = None) -> list[ParsedDocument]:
    """Parse one file into documents without storing anything.

    Raises:
        ImportFormatError: the file cannot be read or parsed.
    """
    options = options or ImportOptions()
    _check_options(options)
    path = Path(path)
    pmap = load_participants_file(options.participants_file) if options.participants_file else ParticipantMap()
    fmt = registry.for_path(path)
    try:
        data = None if fmt.stream else path.read_bytes()
        base = file_digest(path) if fmt.stream else None
    except OSError as exc:
        raise ImportFormatError(f"cannot read: {exc.strerror or exc}", where=str(path)) from None
    return [d for d in _parse(path, data, options, pmap, base)[1] if isinstance(d, ParsedDocument)]


def import_file(project: "Project", path: Path, options: ImportOptions, pmap: ParticipantMap) -> ImportResult:
    """Import one file in one action; errors become an ``error`` result."""
    _load_formats()
    result = ImportResult(file=str(path), status="error")
    try:
        if not path.is_file():
            raise ImportFormatError("no such file" if not path.exists() else "not a file", where=str(path))
        fmt = registry.for_path(path)
        # The file is hashed once (a survey's answers get keyed copies of this digest).
        data = None if fmt.stream else path.read_bytes()
        base = file_digest(path) if data is None else hashlib.sha256(data)
        sha = base.hexdigest()
        if not options.replace:
            same = project.documents.by_sha256(sha)
            if same is not None:
                result.status, result.document, result.documents = "skipped", same.name, [same.name]
                result.encoding = same.metadata.get("encoding")
                return result
        raw, docs = _parse(path, data, options, pmap, base)
        del data
        result.encoding = raw.encoding
        names: list[str] = []
        speakers: list[str] = []  # documents with two labels or more (the only ones a label check can flag)
        turns = 0
        controls = [0]  # control characters replaced, summed over the documents

        def counted() -> Iterator[Entry]:
            nonlocal turns
            for doc in docs:
                if isinstance(doc, ParsedDocument):
                    names.append(doc.name)
                    turns += len(doc.turns)
                    controls[0] += int(doc.metadata.get("controls_replaced", 0))
                    if len(doc.turns) > 1 and len({t.speaker for t in doc.turns}) > 1:
                        speakers.append(doc.name)
                yield doc

        with project.action("import", f"import {path.name}") as act:
            people = {
                name: {**attrs, **pmap.attributes[name]} if pmap.attributes.get(name) else attrs
                for name, attrs in raw.participants.items()
            }
            stored = project.documents.store_many(counted(), replace=options.replace, participants=people)
            statuses = stored.statuses
            act.summary = f"import {path.name} ({len(names)} document{'s' if len(names) != 1 else ''})"
        result.documents = names
        result.several_speakers = speakers
        result.codings_removed = stored.codings_removed
        result.document = names[0] if names else None
        result.turns = turns
        result.controls_replaced = controls[0]
        if "replaced" in statuses:
            result.status = "replaced"
        elif "imported" in statuses:
            result.status = "imported"
        else:
            result.status = "skipped"
    except QualcodeError as exc:
        result.error = str(exc) if exc.where else f"{path}: {exc}"
    except Exception as exc:  # noqa: BLE001 - one bad file must not stop the batch
        # Parsers are third-party libraries fed untrusted files; whatever they
        # raise is reported against this file (the project is unchanged, the
        # action rolled back) instead of ending the batch with a traceback.
        coded = as_user_error(exc, str(path))  # deep nesting, corrupt zlib data, huge numbers…
        result.error = str(coded) if coded else f"{path}: cannot import: {type(exc).__name__}: {exc}"
    if result.error:
        result.status = "error"
        result.error = " ".join(result.error.split())
    return result


def import_paths(
    project: "Project",
    paths: Iterable[str | Path],
    options: ImportOptions | None = None,
    on_progress: ProgressFn | None = None,
) -> list[ImportResult]:
    """Import files and folders; one result per file, in order.

    Raises:
        ImportFormatError: the options or the participants file are invalid
            (nothing is imported then).
    """
    options = options or ImportOptions()
    _check_options(options)
    pmap = load_participants_file(options.participants_file) if options.participants_file else ParticipantMap()
    files = walk(paths, options.exclude)
    results: list[ImportResult] = []
    for i, path in enumerate(files, start=1):
        results.append(import_file(project, path, options, pmap))
        if on_progress:
            on_progress(i, len(files))
    _refresh_attributes(project, pmap)
    return results


def _refresh_attributes(project: "Project", pmap: ParticipantMap) -> None:
    """Apply sheet attributes to participants that already exist, so a sheet
    given again with skipped (identical) files still updates attributes."""
    if not pmap.attributes:
        return
    with project.action("participants", "participant attributes from the participants file"):
        for name, attrs in pmap.attributes.items():
            if attrs and project.participants.find(name) is not None:
                project.participants.ensure(name, attrs)
