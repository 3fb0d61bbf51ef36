"""Read-only, paged rows for the REFI-QDA exchange (``refi export``, ``refi import``, ``merge``).

Why a module of its own: a consultation of 10^6 answers must be written to and
read from a ``.qdpx`` in constant memory, so the exchange reads documents,
codings and case links a page at a time (keyset paging by id, on indexes the
schema already has) instead of ``all()``. Nothing here writes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.model import Coding, Participant
from qualcode.store.codings import coding_from_row

if TYPE_CHECKING:
    from qualcode.store.project import Project

_CHUNK = 500  # SQLite's bound-parameter budget per IN (...) list


def _in_chunks(values: Sequence[Any]) -> Iterator[tuple[list[Any], str]]:
    """``values`` _CHUNK at a time, each with its ``?, ?, …`` placeholders for an ``IN (...)`` list."""
    values = list(values)
    for at in range(0, len(values), _CHUNK):
        chunk = values[at : at + _CHUNK]
        yield chunk, ", ".join("?" for _ in chunk)


@dataclass(frozen=True, slots=True)
class ExchangeDocument:
    """What an export needs of a document (no metadata, no turns)."""

    id: int
    name: str
    text: str
    imported_at: str | None
    participant_id: int | None


_DOC_COLUMNS = "id, name, text, imported_at, participant_id"


def document_pages(project: "Project", size: int = 1000) -> Iterator[list[ExchangeDocument]]:
    """Every document in id order, ``size`` at a time (keyset paging: each page is one indexed query)."""
    last = 0
    while True:
        rows = project.db.execute(
            f"SELECT {_DOC_COLUMNS} FROM documents WHERE id > ? ORDER BY id LIMIT ?", [last, size]
        ).fetchall()
        if not rows:
            return
        yield [ExchangeDocument(*r) for r in rows]
        last = rows[-1][0]


def documents_by_ids(project: "Project", ids: Sequence[int]) -> list[ExchangeDocument]:
    """The documents ``ids`` (missing ones left out), in id order."""
    out: list[ExchangeDocument] = []
    wanted = sorted(set(ids))
    for chunk, marks in _in_chunks(wanted):
        out += [
            ExchangeDocument(*r)
            for r in project.db.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE id IN ({marks}) ORDER BY id", chunk
            )
        ]
    return out


def document_count(project: "Project") -> int:
    return int(project.db.execute("SELECT count(*) FROM documents").fetchone()[0])


def codings_between(project: "Project", first: int, last: int, statuses: Sequence[str]) -> list[Coding]:
    """Codings with a status in ``statuses`` on documents ``first``..``last`` (ids), by document then id."""
    marks = ", ".join("?" for _ in statuses)
    rows = project.query(
        f"SELECT * FROM codings WHERE document_id BETWEEN ? AND ? AND status IN ({marks}) ORDER BY document_id, id",
        [first, last, *statuses],
    )
    return [coding_from_row(r) for r in rows]


def codings_by_ids(project: "Project", ids: Sequence[int]) -> dict[int, Coding]:
    """The codings ``ids`` whatever their status (missing ones left out)."""
    out: dict[int, Coding] = {}
    wanted = sorted(set(ids))
    for chunk, marks in _in_chunks(wanted):
        for r in project.query(f"SELECT * FROM codings WHERE id IN ({marks})", chunk):
            out[r["id"]] = coding_from_row(r)
    return out


def coding_count(project: "Project", status: str) -> int:
    return int(project.db.execute("SELECT count(*) FROM codings WHERE status = ?", [status]).fetchone()[0])


def coders(project: "Project", statuses: Sequence[str]) -> list[str]:
    """The distinct coders of codings with a status in ``statuses``."""
    marks = ", ".join("?" for _ in statuses)
    return [r[0] for r in project.db.execute(f"SELECT DISTINCT coder FROM codings WHERE status IN ({marks})", statuses)]


def participant_pages(project: "Project", size: int = 2000) -> Iterator[list[Participant]]:
    """Every participant in id order, ``size`` at a time."""
    last = 0
    while True:
        rows = project.db.execute(
            "SELECT id, name, attributes FROM participants WHERE id > ? ORDER BY id LIMIT ?", [last, size]
        ).fetchall()
        if not rows:
            return
        yield [Participant(r[0], r[1], json.loads(r[2] or "{}")) for r in rows]
        last = rows[-1][0]


def case_documents(project: "Project", first: int, last: int) -> dict[int, list[str]]:
    """Participant id → names of the documents they are attributed to or speak in (sorted), for ids ``first``..``last``."""
    rows = project.db.execute(
        "SELECT participant_id, name FROM documents WHERE participant_id BETWEEN ? AND ?"
        " UNION SELECT t.participant_id, d.name FROM turns t JOIN documents d ON d.id = t.document_id"
        " WHERE t.participant_id BETWEEN ? AND ? ORDER BY 1, 2",
        [first, last, first, last],
    )
    out: dict[int, list[str]] = {}
    for pid, name in rows:
        out.setdefault(pid, []).append(name)
    return out


def max_document_id(project: "Project") -> int:
    return int(project.db.execute("SELECT coalesce(max(id), 0) FROM documents").fetchone()[0])


def documents_by_text(project: "Project", shas: Sequence[str], up_to: int) -> dict[str, tuple[int, str]]:
    """Text sha256 → (id, name) of a stored document with that text and an id up to ``up_to``.

    Why ``up_to``: an import matches the documents that were there before it
    began, not those it added itself (two survey answers with the same text
    stay two documents).
    """
    out: dict[str, tuple[int, str]] = {}
    wanted = list(dict.fromkeys(shas))
    for chunk, marks in _in_chunks(wanted):
        for r in project.db.execute(
            f"SELECT text_sha256, id, name FROM documents WHERE text_sha256 IN ({marks}) AND id <= ? ORDER BY id",
            [*chunk, up_to],
        ):
            out.setdefault(r[0], (r[1], r[2]))
    return out


def ids_by_names(project: "Project", names: Sequence[str]) -> dict[str, int]:
    """Name → id of the stored documents called exactly one of ``names``."""
    out: dict[str, int] = {}
    wanted = list(dict.fromkeys(names))
    for chunk, marks in _in_chunks(wanted):
        out.update(project.db.execute(f"SELECT name, id FROM documents WHERE name IN ({marks})", chunk).fetchall())
    return out


def names_taken(project: "Project", names: Sequence[str]) -> dict[str, str]:
    """Case-folded name → text sha256 of stored documents whose name equals one of ``names`` ignoring case."""
    out: dict[str, str] = {}
    wanted = list(dict.fromkeys(names))
    for chunk, marks in _in_chunks(wanted):
        for r in project.db.execute(
            f"SELECT name, text_sha256 FROM documents WHERE name COLLATE NOCASE IN ({marks})", chunk
        ):
            out.setdefault(r[0].casefold(), r[1] or "")
    return out


def participant_attributes(project: "Project", names: Sequence[str]) -> dict[str, dict[str, str]]:
    """Case-folded name → attributes of stored participants among ``names`` (matched ignoring case)."""
    out: dict[str, dict[str, str]] = {}
    wanted = list(dict.fromkeys(n.strip() for n in names))
    for chunk, marks in _in_chunks(wanted):
        for r in project.db.execute(
            f"SELECT name, attributes FROM participants WHERE name COLLATE NOCASE IN ({marks}) ORDER BY id", chunk
        ):
            out.setdefault(r[0].strip().casefold(), json.loads(r[1] or "{}"))
    return out


def turn_spans(project: "Project", doc_ids: Sequence[int]) -> dict[int, dict[tuple[int, int], int]]:
    """Document id → {(start, end): turn id} for the given documents."""
    out: dict[int, dict[tuple[int, int], int]] = {}
    wanted = sorted(set(doc_ids))
    for chunk, marks in _in_chunks(wanted):
        for doc_id, start, end, turn_id in project.db.execute(
            f"SELECT document_id, start, [end], id FROM turns WHERE document_id IN ({marks}) ORDER BY seq", chunk
        ):
            out.setdefault(doc_id, {}).setdefault((start, end), turn_id)
    return out


def memo_texts(project: "Project", targets: Sequence[tuple[str, int | None]]) -> set[tuple[str, Any, str]]:
    """``(target, target_id, text)`` of the memos already on the given targets (to add no twin)."""
    out: set[tuple[str, Any, str]] = set()
    for kind in sorted({t for t, _ in targets}):
        ids = sorted({i for t, i in targets if t == kind and i is not None})
        if kind == "project":  # as MemoStore.for_target: every project memo, whatever its target_id
            out |= {(kind, None, r[0]) for r in project.db.execute("SELECT text FROM memos WHERE target = 'project'")}
            continue
        for chunk, marks in _in_chunks(ids):
            out |= {
                (kind, r[0], r[1])
                for r in project.db.execute(
                    f"SELECT target_id, text FROM memos WHERE target = ? AND target_id IN ({marks})", [kind, *chunk]
                )
            }
    return out


def codings_on(project: "Project", doc_ids: Sequence[int]) -> list[Coding]:
    """Every coding (any status) on the documents ``doc_ids``."""
    out: list[Coding] = []
    wanted = sorted(set(doc_ids))
    for chunk, marks in _in_chunks(wanted):
        out += [
            coding_from_row(r) for r in project.query(f"SELECT * FROM codings WHERE document_id IN ({marks})", chunk)
        ]
    return out


def participant_names(project: "Project", ids: Sequence[int]) -> dict[int, str]:
    """Participant id → name for ``ids``."""
    out: dict[int, str] = {}
    wanted = sorted(set(ids))
    for chunk, marks in _in_chunks(wanted):
        out.update(project.db.execute(f"SELECT id, name FROM participants WHERE id IN ({marks})", chunk).fetchall())
    return out
