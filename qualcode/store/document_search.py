"""Finding documents by a fragment of their name, kind or participant: the home screen's filter.

Why a module of its own: on a consultation project (10^6 survey answers) a
``LIKE '%q%'`` over every name, kind and participant scanned the whole
project at each keystroke (1-2 s). Two FTS5 tables with the ``trigram``
tokenizer (SQLite >= 3.34) index the document and participant names
(external content, kept by triggers created in migration
``m009_document_search``), so a fragment of three characters or more finds
its candidates through the index; shorter ones use the name index (prefixes)
and a bounded scan in name order. Candidates are always checked again with
the semantics of ``LIKE`` (ASCII case-insensitive substring), so the index
only ever narrows the search; it never changes what matches.

Order ("best first"): names containing the fragment (earliest position,
then name), then documents matched by kind or participant only (by name).
The order is exact while a tier has at most ``BOUND`` candidates; beyond
that the names starting with the fragment come first (in name order), then
the others among the first ``BOUND`` found. Nobody reads 2,000 rows: they
type another character.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.store.project import Project

BOUND = 2000
"""Candidates read per tier for a first page (the exact best-first order holds up to this many)."""

TRIGRAM_TABLES = ("document_names", "participant_names")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_KEY_MAX = "\U0010ffff"


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as SQLite's ``LIKE`` and ``lower()`` do (no ICU)."""
    return text.translate(_ASCII_LOWER)


def like_pattern(query: str) -> str:
    """``%query%`` with ``\\``, ``%`` and ``_`` escaped (use with ``ESCAPE '\\'``)."""
    return "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrase(query: str) -> str:
    """An FTS5 phrase matching ``query`` as a substring (trigram tokenizer)."""
    return '"' + query.replace('"', '""') + '"'


def create_name_index(db: sqlite3.Connection) -> bool:
    """Create the trigram tables over document and participant names, their triggers, and fill them.

    Returns False (creating nothing) where SQLite has no trigram tokenizer
    (before 3.34): the filter then scans, as it did before. Also usable to
    build the index in bulk after an import that dropped the triggers.
    """
    try:
        db.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.trigram_probe USING fts5(x, tokenize='trigram')")
        db.execute("DROP TABLE IF EXISTS temp.trigram_probe")
    except sqlite3.OperationalError:
        return False
    for fts, table in (("document_names", "documents"), ("participant_names", "participants")):
        db.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(name, content='{table}', content_rowid='id',"
            " tokenize='trigram')"
        )
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ai AFTER INSERT ON {table} BEGIN"
            f" INSERT INTO {fts}(rowid, name) VALUES (new.id, new.name); END"
        )
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {fts}_ad AFTER DELETE ON {table} BEGIN"
            f" INSERT INTO {fts}({fts}, rowid, name) VALUES ('delete', old.id, old.name); END"
        )
        db.execute(
            f"CREATE TRIGGER IF NOT EXISTS {fts}_au AFTER UPDATE OF id, name ON {table} BEGIN"
            f" INSERT INTO {fts}({fts}, rowid, name) VALUES ('delete', old.id, old.name);"
            f" INSERT INTO {fts}(rowid, name) VALUES (new.id, new.name); END"
        )
        db.execute(f"INSERT INTO {fts}({fts}) VALUES ('rebuild')")
    return True


class DocumentSearch:
    """Ids of the documents matching a filter fragment, best first, and how many there are."""

    def __init__(self, project: "Project") -> None:
        self.project = project
        self._indexed: bool | None = None

    @property
    def indexed(self) -> bool:
        """Whether this project has the trigram name index (SQLite >= 3.34 when it was migrated)."""
        if self._indexed is None:
            marks = ", ".join("?" for _ in TRIGRAM_TABLES)
            found = self._rows(f"SELECT count(*) FROM sqlite_master WHERE name IN ({marks})", list(TRIGRAM_TABLES))
            self._indexed = found[0][0] == len(TRIGRAM_TABLES)
        return self._indexed

    def _rows(self, sql: str, params: Iterable[object] = ()) -> list[tuple]:
        return self.project.db.execute(sql, list(params)).fetchall()

    # -- the page ---------------------------------------------------------------
    def first_ids(self, query: str, limit: int | None) -> list[int]:
        """Ids of the first ``limit`` matching documents (all with ``None``), best first."""
        bound = None if limit is None else max(BOUND, limit)
        needle = ascii_lower(query)
        named = self._name_tier(query, needle, limit, bound)
        page = [i for i, _ in named]
        if limit is not None and len(page) >= limit:
            return page[:limit]
        need = None if limit is None else limit - len(page)
        others = self._other_tier(query, needle, need, bound)
        return page + others

    def _name_tier(self, query: str, needle: str, limit: int | None, bound: int | None) -> list[tuple[int, str]]:
        """Documents whose name contains the fragment, ordered by position then name."""
        found = self._name_candidates(query, bound)
        if bound is not None and len(found) > bound:
            # Too many to order them all: the prefixes (best) through the name index, then the first found.
            found = self._prefixes(query, limit or bound) + found[:bound]
        rows = {i: n for i, n in found if needle in ascii_lower(n)}
        return sorted(rows.items(), key=lambda r: (ascii_lower(r[1]).find(needle), ascii_lower(r[1]), r[0]))

    def _name_candidates(self, query: str, bound: int | None) -> list[tuple[int, str]]:
        """``(id, name)`` of documents whose name may contain the fragment (at most ``bound + 1``)."""
        cap = -1 if bound is None else bound + 1
        if len(query) >= 3 and self.indexed:
            try:
                return self._rows(
                    "SELECT d.id, d.name FROM documents d WHERE d.id IN"
                    " (SELECT rowid FROM document_names WHERE document_names MATCH ? LIMIT ?)",
                    [_phrase(query), cap],
                )
            except sqlite3.OperationalError:  # pragma: no cover - a phrase FTS5 cannot parse
                pass
        return self._rows(
            "SELECT id, name FROM documents WHERE name LIKE ? ESCAPE '\\' ORDER BY name COLLATE NOCASE, id LIMIT ?",
            [like_pattern(query), cap],
        )

    def _prefixes(self, query: str, limit: int) -> list[tuple[int, str]]:
        """Documents whose name starts with the fragment, in name order, through the name index."""
        prefix = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        return self._rows(
            "SELECT id, name FROM documents WHERE name >= ? COLLATE NOCASE AND name < ? COLLATE NOCASE"
            " AND name LIKE ? ESCAPE '\\' ORDER BY name COLLATE NOCASE, id LIMIT ?",
            [query, query + _KEY_MAX, prefix, limit],
        )

    def _other_tier(self, query: str, needle: str, need: int | None, bound: int | None) -> list[int]:
        """Documents matched by kind or by a participant's name, not by their own name; in name order."""
        like = like_pattern(query)
        cap = -1 if need is None else need
        rows: dict[int, str] = {}
        for kind in self.kinds_matching(needle):
            rows.update(
                self._rows(
                    "SELECT id, name FROM documents WHERE kind = ? AND NOT (name LIKE ? ESCAPE '\\')"
                    " ORDER BY name COLLATE NOCASE, id LIMIT ?",
                    [kind, like, cap],
                )
            )
        people = self._participant_documents(query, needle, bound)
        if people:
            rows.update(
                (i, n)
                for i, n in self._rows(
                    "SELECT id, name FROM documents WHERE id IN (SELECT value FROM json_each(?))",
                    [json.dumps(sorted(people))],
                )
                if needle not in ascii_lower(n)
            )
        ordered = sorted(rows.items(), key=lambda r: (ascii_lower(r[1]), r[0]))
        return [i for i, _ in (ordered if need is None else ordered[:need])]

    def kinds_matching(self, needle: str) -> list[str]:
        """The kinds in use whose name contains the (ASCII-lowered) fragment: one index seek per kind."""
        kinds, last = [], ""
        while True:
            row = self._rows("SELECT min(kind) FROM documents WHERE kind > ?", [last])[0]
            if row[0] is None:
                return kinds
            last = row[0]
            if needle in ascii_lower(last):
                kinds.append(last)

    def _participants(self, query: str, needle: str, bound: int | None) -> list[int]:
        """Ids of participants whose name contains the fragment (at most ``bound + 1``)."""
        cap = -1 if bound is None else bound + 1
        if len(query) >= 3 and self.indexed:
            rows = self._rows(
                "SELECT p.id, p.name FROM participants p WHERE p.id IN"
                " (SELECT rowid FROM participant_names WHERE participant_names MATCH ? LIMIT ?)",
                [_phrase(query), cap],
            )
        else:
            rows = self._rows(
                "SELECT id, name FROM participants WHERE name LIKE ? ESCAPE '\\' LIMIT ?", [like_pattern(query), cap]
            )
        return [i for i, n in rows if needle in ascii_lower(n)]

    def _participant_documents(self, query: str, needle: str, bound: int | None) -> set[int]:
        """Documents of the matching participants: their own, and those they speak in."""
        ids = self._participants(query, needle, bound)
        if not ids:
            return set()
        people = json.dumps(ids)
        own = self._rows("SELECT id FROM documents WHERE participant_id IN (SELECT value FROM json_each(?))", [people])
        spoken = self._rows(
            "SELECT DISTINCT document_id FROM turns WHERE participant_id IN (SELECT value FROM json_each(?))", [people]
        )
        return {r[0] for r in own} | {r[0] for r in spoken}

    # -- how many ---------------------------------------------------------------
    def count(self, query: str, cap: int = 10_000) -> int:
        """How many documents match, exactly up to ``cap``; ``cap + 1`` means "more than ``cap``"."""
        if not query:
            n = self._rows("SELECT count(*) FROM (SELECT 1 FROM documents LIMIT ?)", [cap + 1])[0][0]
            return int(n)
        needle = ascii_lower(query)
        raw = self._name_candidates(query, cap)
        if len(raw) > cap:
            return cap + 1
        names = {i for i, n in raw if needle in ascii_lower(n)}
        found = names | self._participant_documents(query, needle, cap)
        for kind in self.kinds_matching(needle):
            rows = self._rows("SELECT id FROM documents WHERE kind = ? LIMIT ?", [kind, cap + 1])
            found.update(r[0] for r in rows)
            if len(found) > cap:
                return cap + 1
        return min(len(found), cap + 1)
