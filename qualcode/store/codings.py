"""Codings: codes applied to spans of documents."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import ORIGINS, Coding
from qualcode.store.base import default_coder, now

if TYPE_CHECKING:
    from qualcode.store.action import Action
    from qualcode.store.project import Project

_COLS = "id, code_id, document_id, start, [end], coder, origin, status, method, rule, confidence, run_id, created_at"


def coding_from_row(r: dict[str, Any]) -> Coding:
    return Coding(
        id=r["id"],
        code_id=r["code_id"],
        document_id=r["document_id"],
        start=r["start"],
        end=r["end"],
        coder=r["coder"],
        origin=r["origin"],
        status=r["status"],
        method=r["method"],
        confidence=r["confidence"],
        run_id=r["run_id"],
        created_at=r["created_at"],
        rule=r["rule"],
    )


def delete_codings(act: "Action", coding_ids: Sequence[int]) -> int:
    """Delete codings and the memos written on them, inside ``act``; returns how many codings."""
    ids = list(coding_ids)
    for at in range(0, len(ids), 500):
        chunk = ids[at : at + 500]
        marks = ", ".join("?" for _ in chunk)
        act.delete_where("memos", f"target = 'coding' AND target_id IN ({marks})", chunk)
    return act.delete_many("codings", ids)


_ROW_FIELDS = (
    "code_id",
    "document_id",
    "start",
    "end",
    "coder",
    "origin",
    "status",
    "method",
    "confidence",
    "run_id",
    "created_at",
    "rule",
)
"""The codings columns in the order of :class:`Coding`'s fields after ``id``."""


# Up to this many new codings, duplicates are looked up one by one instead of reading the documents' codings.
_FEW = 16


@dataclass(frozen=True, slots=True)
class AddedCodings:
    """What :meth:`CodingStore.add_many` did.

    ``ids`` has one id per item given (an existing coding's id for a
    duplicate); ``added`` holds the codings inserted by this call, so callers
    need not guess new ones by comparing ids. Iterating, ``len`` and indexing
    act on ``ids``, as the list ``add_many`` used to return.
    """

    ids: list[int]
    added: list[Coding]

    @property
    def duplicates(self) -> int:
        """Items that were already in the project (or repeated in the batch)."""
        return len(self.ids) - len(self.added)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids)

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: int) -> int:
        return self.ids[index]


@dataclass(frozen=True, slots=True)
class NewCoding:
    """One coding to add in a batch (code and document already resolved)."""

    code_id: int
    document_id: int
    start: int
    end: int
    coder: str | None = None
    origin: str = "manual"
    status: str | None = None
    method: str | None = None
    rule: str | None = None
    confidence: float | None = None
    run_id: int | None = None
    #: When it was first coded (kept by merges and imports); default now.
    created_at: str | None = None


class CodingStore:
    """Apply, remove, recode and list codings."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    # -- reading --------------------------------------------------------------
    def get(self, coding_id: int) -> Coding:
        rows = self.project.query(f"SELECT {_COLS} FROM codings WHERE id = ?", [coding_id])
        if not rows:
            raise NotFoundError(f"no coding with id {coding_id}")
        return coding_from_row(rows[0])

    def for_document(self, document_id: int, *, include_rejected: bool = False) -> list[Coding]:
        where = "" if include_rejected else " AND status != 'rejected'"
        rows = self.project.query(
            f"SELECT {_COLS} FROM codings WHERE document_id = ?{where} ORDER BY start, [end], id",
            [document_id],
        )
        return [coding_from_row(r) for r in rows]

    def for_code(self, code_id: int, *, include_rejected: bool = False) -> list[Coding]:
        where = "" if include_rejected else " AND status != 'rejected'"
        rows = self.project.query(
            f"SELECT {_COLS} FROM codings WHERE code_id = ?{where} ORDER BY document_id, start",
            [code_id],
        )
        return [coding_from_row(r) for r in rows]

    def all(self, *, status: str | None = None, origin: str | None = None) -> list[Coding]:
        clauses, params = [], []
        if status:
            clauses.append("status = ?")
            params.append(status)
        if origin:
            clauses.append("origin = ?")
            params.append(origin)
        where = f" WHERE {' AND '.join(clauses)}" if clauses else ""
        rows = self.project.query(f"SELECT {_COLS} FROM codings{where} ORDER BY id", params)
        return [coding_from_row(r) for r in rows]

    def max_id(self) -> int:
        """The highest coding id so far (0 for none): ids above it are new."""
        return int(self.project.query("SELECT COALESCE(MAX(id), 0) AS m FROM codings")[0]["m"])

    def at(self, document_id: int, offset: int) -> list[Coding]:
        """Codings covering ``offset``, innermost (shortest) first."""
        rows = self.project.query(
            f"SELECT {_COLS} FROM codings WHERE document_id = ? AND start <= ? AND [end] > ?"
            " AND status != 'rejected' ORDER BY ([end] - start), id",
            [document_id, offset, offset],
        )
        return [coding_from_row(r) for r in rows]

    # -- writing ------------------------------------------------------------
    def apply(
        self,
        document: str | int,
        start: int,
        end: int,
        codes: Sequence[str | int],
        *,
        coder: str | None = None,
    ) -> list[Coding]:
        """Apply one or more codes to ``document.text[start:end]`` (one action).

        Re-applying a code the same coder already put on the same span is a
        no-op, so scripts can be rerun safely.
        """
        doc = self.project.documents.resolve(document)
        code_objs = [self.project.codes.resolve(c) for c in codes]
        if not code_objs:
            raise ValidationError("name at least one code")
        batch = [NewCoding(c.id, doc.id, start, end, coder=coder) for c in code_objs]
        done = self.add_many(batch, summary=f"code {doc.name} {start}-{end} " + ", ".join(c.path for c in code_objs))
        return [self.get(i) for i in done.ids]

    def apply_turn(self, turn_id: int, codes: Sequence[str | int], *, coder: str | None = None) -> list[Coding]:
        """Apply codes to a whole speaker turn."""
        row = self.project.row("turns", turn_id)
        if row is None:
            raise NotFoundError(f"no turn with id {turn_id}")
        return self.apply(row["document_id"], row["start"], row["end"], codes, coder=coder)

    def add_many(
        self,
        items: Iterable[NewCoding],
        *,
        summary: str = "",
        action: str = "code",
        run_id: int | None = None,
    ) -> "AddedCodings":
        """Validate and insert codings in one transaction; all or none.

        Duplicates of an existing coding (same code, span, coder, origin) are
        skipped and their existing id returned. Documents are looked up 500
        at a time and the rows go in with ``executemany`` (logged as an id
        range), so a batch of 10^6 codings costs a few dozen queries.

        Returns:
            :class:`AddedCodings`: ``ids`` per item in order (it iterates as
            that list) and ``added``, the codings this call inserted.

        Raises:
            ValidationError: an offset is outside its document, or an origin
                is unknown. Nothing is written.
        """
        items = list(items)
        coder_default = default_coder()
        if len(items) <= _FEW:
            lengths, existing = self._lengths_and_spans(items, coder_default)
        else:
            lengths, existing = self._lengths_and_keys({it.document_id for it in items})
        fresh: list[tuple[Any, ...]] = []
        # Positive: an existing coding's id; negative: -(1 + index) into ``fresh``.
        result: list[int] = []
        stamp = now()
        for n, it in enumerate(items, 1):
            if it.origin not in ORIGINS:
                raise ValidationError(f"item {n}: unknown origin {it.origin!r}")
            if not (0 <= it.start < it.end <= lengths[it.document_id]):
                raise ValidationError(
                    f"item {n}: span {it.start}-{it.end} is outside the document (0-{lengths[it.document_id]})"
                )
            if it.confidence is not None and not (0.0 <= it.confidence <= 1.0):
                raise ValidationError(f"item {n}: confidence {it.confidence} is not within 0-1")
            coder = it.coder or coder_default
            key = (it.code_id, it.document_id, it.start, it.end, coder, it.origin)
            found = existing.get(key)
            if found is not None:
                result.append(found)
                continue
            existing[key] = -(len(fresh) + 1)
            status = it.status or ("confirmed" if it.origin == "manual" else "pending")
            # The fields after ``id``, as Coding takes them: the Coding is made once its id is known.
            fresh.append(
                (
                    it.code_id,
                    it.document_id,
                    it.start,
                    it.end,
                    coder,
                    it.origin,
                    status,
                    it.method,
                    it.confidence,
                    it.run_id if it.run_id is not None else run_id,
                    it.created_at or stamp,
                    it.rule,
                )
            )
            result.append(existing[key])
        with self.project.action(action, summary or f"add {len(fresh)} codings") as act:
            act.run_id = run_id
            new_ids = act.insert_many("codings", (dict(zip(_ROW_FIELDS, f)) for f in fresh))
        added = [Coding(new_id, *f) for new_id, f in zip(new_ids, fresh)]
        del fresh
        for k, r in enumerate(result):
            if r < 0:
                result[k] = new_ids[-r - 1]
        return AddedCodings(result, added)

    def _lengths_and_spans(
        self, items: list[NewCoding], coder_default: str
    ) -> tuple[dict[int, int], dict[tuple[Any, ...], int]]:
        """Like :meth:`_lengths_and_keys` for a few codings (a key press in the TUI).

        Why: reading every coding of the document to find a duplicate made a
        key press cost as much as the document's codings; here each item's
        duplicate is looked up at its own start through the (document, start)
        index.

        Raises:
            NotFoundError: a document id does not exist.
        """
        lengths: dict[int, int] = {}
        existing: dict[tuple[Any, ...], int] = {}
        db = self.project.db
        for it in items:
            if it.document_id not in lengths:
                row = db.execute("SELECT length(text) FROM documents WHERE id = ?", [it.document_id]).fetchone()
                if row is None:
                    raise NotFoundError(f"no document with id {it.document_id}")
                lengths[it.document_id] = row[0]
            key = (it.code_id, it.document_id, it.start, it.end, it.coder or coder_default, it.origin)
            found = db.execute(
                "SELECT id FROM codings WHERE document_id = ? AND start = ? AND [end] = ? AND code_id = ?"
                " AND coder = ? AND origin = ? ORDER BY id DESC LIMIT 1",
                [key[1], key[2], key[3], key[0], key[4], key[5]],
            ).fetchone()
            if found is not None:
                existing[key] = found[0]
        return lengths, existing

    def _lengths_and_keys(self, doc_ids: set[int]) -> tuple[dict[int, int], dict[tuple[Any, ...], int]]:
        """Text length of each document and the duplicate keys of its codings, 500 documents a query.

        Raises:
            NotFoundError: a document id does not exist.
        """
        lengths: dict[int, int] = {}
        existing: dict[tuple[Any, ...], int] = {}
        ids = sorted(doc_ids)
        for at in range(0, len(ids), 500):
            chunk = ids[at : at + 500]
            marks = ", ".join("?" for _ in chunk)
            for r in self.project.db.execute(f"SELECT id, length(text) FROM documents WHERE id IN ({marks})", chunk):
                lengths[r[0]] = r[1]
            for c in self.project.db.execute(
                f"SELECT id, code_id, document_id, start, [end], coder, origin FROM codings"
                f" WHERE document_id IN ({marks})",
                chunk,
            ):
                existing[c[1:]] = c[0]
        missing = [i for i in ids if i not in lengths]
        if missing:
            raise NotFoundError(f"no document with id {missing[0]}")
        return lengths, existing

    def remove(self, coding_id: int) -> Coding:
        """Remove one coding (and its memos); undoable."""
        coding = self.get(coding_id)
        with self.project.action("uncode", f"remove coding {coding_id}") as act:
            delete_codings(act, [coding_id])
        return coding

    def remove_many(self, coding_ids: Sequence[int]) -> list[Coding]:
        """Remove several codings in one undoable action: all of them, or none
        if any id does not exist (raises :class:`NotFoundError` naming it)."""
        ids = list(dict.fromkeys(coding_ids))
        found = [self.get(i) for i in ids]  # NotFoundError before anything is removed
        with self.project.action(
            "uncode", f"remove codings {', '.join(f'#{i}' for i in ids[:10])}" + ("…" if len(ids) > 10 else "")
        ) as act:
            delete_codings(act, ids)
        return found

    def remove_span(self, document: str | int, start: int, end: int, code: str | int | None = None) -> list[Coding]:
        """Remove codings exactly on a span (optionally of one code)."""
        doc = self.project.documents.resolve(document)
        found = [c for c in self.for_document(doc.id, include_rejected=True) if c.start == start and c.end == end]
        if code is not None:
            cid = self.project.codes.resolve(code).id
            found = [c for c in found if c.code_id == cid]
        if not found:
            raise NotFoundError(f"no coding on {doc.name} {start}-{end}")
        with self.project.action("uncode", f"remove {len(found)} codings on {doc.name} {start}-{end}") as act:
            delete_codings(act, [c.id for c in found])
        return found

    def recode(self, coding_id: int, code: str | int) -> Coding:
        """Give a coding another code, keeping span, coder and history."""
        self.get(coding_id)  # NotFoundError for an unknown id
        new = self.project.codes.resolve(code)
        with self.project.action("recode", f"recode {coding_id} as {new.path}") as act:
            act.update("codings", coding_id, {"code_id": new.id})
        return self.get(coding_id)

    def set_status(self, coding_ids: Sequence[int], status: str, *, summary: str = "") -> int:
        """Confirm or reject machine codings (the review queue)."""
        if status not in ("confirmed", "pending", "rejected"):
            raise ValidationError(f"unknown status {status!r}")
        ids = list(dict.fromkeys(coding_ids))
        with self.project.action("review", summary or f"{status} {len(ids)} codings") as act:
            missing = act.update_many("codings", ids, {"status": status})
            if missing:
                raise NotFoundError(f"no coding with id {missing[0]}")
        return len(coding_ids)
