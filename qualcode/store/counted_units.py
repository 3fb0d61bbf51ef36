"""Aggregations over the counted units of one command (the temporary tables built by :mod:`qualcode.store.tables`).

Why a module of its own: :class:`qualcode.store.tables.TablesStore` builds
the counted units (``qc_units``: coding × participant under the attribution
rule; ``qc_tree``: each code with its subtree; ``qc_scope``: the participants
in scope; ``qc_turn_units`` on request); :class:`CountedUnits` answers every
table's ``GROUP BY`` over them while the ``with`` block lasts.

Group values follow :meth:`qualcode.analysis.corpus.Corpus.attribute`: a
missing or blank attribute (blank as Python's ``str.strip`` sees it) is
:data:`MISSING`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.store.project import Project

MISSING = "(missing)"
# Every character Python's str.strip() removes (str.isspace), for SQLite's trim(X, Y); a test checks the list.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)


def _subtrees(roots: Sequence[int]) -> str:
    """The join of the units with the subtrees of ``roots`` (code ids, so inlined as integers)."""
    ids = ", ".join(str(int(r)) for r in roots)
    return f"JOIN temp.qc_tree tr ON tr.code_id = u.code_id AND tr.root IN ({ids})"


def attribute_value(column: str) -> str:
    """SQL for a participant's value of the attribute bound as the next parameter (MISSING when blank).

    Bind :func:`attribute_params` for it: the attribute is read with
    ``json_extract`` and a quoted JSON path (fast), or, for a name a path
    cannot quote, by scanning the object's keys with ``json_each``.
    """
    value = f"CASE WHEN ? IS NULL THEN (SELECT value FROM json_each({column}) WHERE key = ?) ELSE json_extract({column}, ?) END"
    return f"CASE WHEN {column} IS NULL OR trim(coalesce({value}, ''), ?) = '' THEN '{MISSING}' ELSE {value} END"


def attribute_path(name: str) -> str | None:
    """The JSON path of attribute ``name`` for ``json_extract`` (``None`` when a path cannot quote it)."""
    return None if any(ch in name for ch in '"\\') else f'$."{name}"'


def attribute_params(name: str) -> list[Any]:
    """The parameters of one :func:`attribute_value` expression for attribute ``name``."""
    path = attribute_path(name)
    one = [path, name, path]
    return [*one, WHITESPACE, *one]


@dataclass(frozen=True, slots=True)
class Tally:
    """Codings, distinct documents and distinct participants of one code (or code subtree)."""

    codings: int
    documents: int
    participants: int


@dataclass(frozen=True, slots=True)
class GroupTally:
    """Codings and distinct participants of one code (subtree) within one group of participants."""

    codings: int
    participants: int


class CountedUnits:
    """The counted units of one command, in a temporary table, and the aggregations over them."""

    def __init__(self, project: "Project") -> None:
        self.project = project
        self.db = project.db
        self._own: dict[int, Tally] | None = None
        self._one: bool | None = None
        self._wide: dict[int, tuple[int, int]] | None = None
        self._people: list[str] = []

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return self.db.execute(sql, list(params)).fetchall()

    def tallies(self, *, rollup: bool) -> dict[int, Tally]:
        """Per code: codings, documents, participants (over its subtree with ``rollup``, distinct).

        Rolled-up codings are the sum of the subtree's own codings (a coding
        has one code); only codes with sub-codes need the subtree join for
        their distinct documents and participants.
        """
        if self._own is None:
            rows = self._all(
                "SELECT code_id, count(DISTINCT coding_id), count(DISTINCT document_id), count(DISTINCT pid),"
                " count(*) FROM temp.qc_units GROUP BY code_id"
            )
            self._own = {r[0]: Tally(r[1], r[2], r[3]) for r in rows}
            # A coding has one code: as many rows as codings means one unit per coding.
            self._one = sum(r[4] for r in rows) == sum(r[1] for r in rows)
        own = self._own
        if not rollup:
            return dict(own)
        if self._wide is None:
            whole, partial = self._roots()
            self._wide = {}
            if whole:
                docs, pids = self._all("SELECT count(DISTINCT document_id), count(DISTINCT pid) FROM temp.qc_units")[0]
                self._wide = {root: (docs, pids) for root in whole}
            if partial:
                self._wide.update(
                    (r[0], (r[1], r[2]))
                    for r in self._all(
                        "SELECT tr.root, count(DISTINCT u.document_id), count(DISTINCT u.pid)"
                        f" FROM temp.qc_units u {_subtrees(partial)} GROUP BY tr.root"
                    )
                )
        wide = self._wide
        out = {}
        for root, members in self._members().items():
            if len(members) == 1 and root in own:
                out[root] = own[root]
            elif root in wide:
                out[root] = Tally(sum(own[c].codings for c in members if c in own), *wide[root])
        return out

    def _roots(self) -> tuple[list[int], list[int]]:
        """The codes with sub-codes: those whose subtree holds every counted code, and the others.

        Why: a subtree holding every counted unit (the one top theme of a
        consultation's codebook) needs no join with the code tree, which at
        10^6 answers costs seconds per table.
        """
        present = set(self.tallies(rollup=False))
        whole, partial = [], []
        for root, members in self._members().items():
            if len(members) > 1:
                (whole if present and present <= set(members) else partial).append(root)
        return whole, partial

    def _members(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for root, cid in self._all("SELECT root, code_id FROM temp.qc_tree"):
            out.setdefault(root, []).append(cid)
        return out

    def group_tallies(self, attrs: Sequence[str]) -> dict[tuple[int, tuple[str, ...]], GroupTally]:
        """Per code subtree and group of ``attrs`` values: codings and distinct participants.

        A coding counts in a group when one of its participants is in it (an
        unattributed coding is in the :data:`MISSING` group). As in
        :meth:`tallies`, codings are summed over the subtree's own codes.
        """
        n = len(attrs)
        # The subtree rows' codings are summed from the own rows below: their query counts only people.
        whole, partial = self._roots()
        if not all(a in self._people for a in attrs):
            self.people(attrs)  # kept for the block (dropped with the other temporary tables)
        queries = [("u.code_id", "")] + ([("tr.root", _subtrees(partial))] if partial else [])
        found = self._grouped(attrs, queries, codings=[True] + [False] * (len(queries) - 1))
        own_rows, wide_rows = found[0], found[1] if partial else []
        own = {(r[0], tuple(r[1 : 1 + n])): GroupTally(r[1 + n], r[2 + n]) for r in own_rows}
        if whole:
            # Every counted person is in such a subtree: its people per group are the counted people's
            # values (a group with only unattributed units has none), read from qc_people, not the units.
            cols = ", ".join(f"v{self._people.index(a)}" for a in attrs)
            people = {
                tuple(r[:-1]): r[-1]
                for r in self._all(
                    f"SELECT {cols}, count(*) FROM temp.qc_people WHERE pid IN (SELECT pid FROM temp.qc_units)"
                    f" GROUP BY {cols}"
                )
            }
            for values in {values for _, values in own}:
                wide_rows += [(root, *values, 0, people.get(values, 0)) for root in whole]
        members = self._members()
        out = {}
        for r in wide_rows:
            values = tuple(r[1 : 1 + n])
            codings = sum(own[(c, values)].codings for c in members[r[0]] if (c, values) in own)
            out[(r[0], values)] = GroupTally(codings, r[2 + n])
        for (code, values), tally in own.items():
            if len(members.get(code, ())) == 1:
                out[(code, values)] = tally
        return out

    def people(self, attrs: Sequence[str]) -> None:
        """Look up ``attrs`` once for every participant in scope or counted (``qc_people``), for the block.

        Why: the group bases (people in scope) and the group tallies (people
        counted) read the same attributes; at 10^6 respondents reading them
        twice per attribute is seconds.
        """
        n = len(attrs)
        names = ", ".join(f"v{i}" for i in range(n))
        self.db.execute("DROP TABLE IF EXISTS temp.qc_people")
        self.db.execute(f"CREATE TEMP TABLE qc_people (pid INTEGER PRIMARY KEY, in_scope INTEGER, {names})")
        paths = [attribute_path(a) for a in attrs]
        if all(paths):
            # Each value read once (json_extract), blanks marked MISSING afterwards: the CASE of
            # attribute_value would read it three times per person.
            values = ", ".join("json_extract(p.attributes, ?)" for _ in attrs)
            params: list[Any] = list(paths)
        else:
            values = ", ".join(f"{attribute_value('p.attributes')}" for _ in attrs)
            params = []
            for a in attrs:
                params += attribute_params(a)
        self.db.execute(
            f"""INSERT INTO temp.qc_people
                SELECT p.id, s.id IS NOT NULL, {values} FROM participants p LEFT JOIN temp.qc_scope s ON s.id = p.id
                WHERE s.id IS NOT NULL OR p.id IN (SELECT pid FROM temp.qc_units)""",
            params,
        )
        if all(paths):
            for i in range(n):
                self.db.execute(
                    f"UPDATE temp.qc_people SET v{i} = '{MISSING}' WHERE v{i} IS NULL OR trim(v{i}, ?) = ''",
                    [WHITESPACE],
                )
        self._people = list(attrs)

    def scope_size(self) -> int:
        """Participants in scope (see :meth:`TablesStore.scope_size`)."""
        return self._all("SELECT count(*) FROM temp.qc_scope")[0][0]

    def group_bases(self, attrs: Sequence[str]) -> dict[tuple[str, ...], int]:
        """Participants in scope per combination of ``attrs`` values (from :meth:`people` when it has them)."""
        if not all(a in self._people for a in attrs):
            return self.project.tables.group_bases(attrs)
        cols = ", ".join(f"v{self._people.index(a)}" for a in attrs)
        rows = self._all(f"SELECT {cols}, count(*) FROM temp.qc_people WHERE in_scope GROUP BY {cols}")
        return {tuple(r[:-1]): r[-1] for r in rows}

    def _single(self) -> bool:
        """Whether every counted coding is one unit (one participant or unattributed), as in a survey.

        Then a group's distinct codings are its rows, and ``count(*)`` spares
        SQLite a distinct-value tree per group.
        """
        if self._one is None:
            self.tallies(rollup=False)
        return bool(self._one)

    def _grouped(
        self, attrs: Sequence[str], queries: Sequence[tuple[str, str]], codings: Sequence[bool] | None = None
    ) -> list[list[tuple[Any, ...]]]:
        """Per (``key``, ``join``) query: key, the ``attrs`` values, codings and distinct participants.

        Each person's values are looked up once, into ``qc_people`` (kept when
        :meth:`people` built it for these attributes). Where ``codings`` is
        false for a query its codings column is 0 (the caller sums them).
        """
        wanted = list(codings) if codings is not None else [True] * len(queries)
        count = "count(*)" if self._single() else "count(DISTINCT u.coding_id)"
        n = len(attrs)
        names = ", ".join(f"v{i}" for i in range(n))
        kept = all(a in self._people for a in attrs)
        if not kept:
            self.people(attrs)
        index = [self._people.index(a) for a in attrs]
        try:
            missing = ", ".join(f"coalesce(g.v{j}, '{MISSING}') AS v{i}" for i, j in enumerate(index))
            return [
                self._all(
                    f"""SELECT {key}, {names}, {count if want else 0}, count(DISTINCT u.pid)
                        FROM (SELECT u.code_id, u.coding_id, u.pid, {missing}
                              FROM temp.qc_units u LEFT JOIN temp.qc_people g ON g.pid = u.pid) u
                        {join}
                        GROUP BY {key}, {names}"""
                )
                for (key, join), want in zip(queries, wanted)
            ]
        finally:
            if not kept:
                self.db.execute("DROP TABLE IF EXISTS temp.qc_people")
                self._people = []

    def cells(self, column: str, *, rollup: bool, attr: str | None = None) -> dict[tuple[int, Any], GroupTally]:
        """Per code (subtree with ``rollup``) and ``column`` key: codings and distinct participants.

        ``column`` is ``document`` (document id), ``participant`` (participant
        id; unattributed units left out) or ``attr`` (the value of ``attr``,
        :data:`MISSING` when blank or unattributed).
        """
        key = "tr.root" if rollup else "u.code_id"
        join = "JOIN temp.qc_tree tr ON tr.code_id = u.code_id" if rollup else ""
        if column == "document":
            sql = (
                f"SELECT {key}, u.document_id, count(DISTINCT u.coding_id), count(DISTINCT u.pid)"
                f" FROM temp.qc_units u {join} GROUP BY {key}, u.document_id"
            )
        elif column == "participant":
            sql = (
                f"SELECT {key}, u.pid, count(DISTINCT u.coding_id), count(DISTINCT u.pid)"
                f" FROM temp.qc_units u {join} WHERE u.pid IS NOT NULL GROUP BY {key}, u.pid"
            )
        else:
            (rows,) = self._grouped([attr or ""], [(key, join)])
            return {(r[0], r[1]): GroupTally(r[2], r[3]) for r in rows}
        return {(r[0], r[1]): GroupTally(r[2], r[3]) for r in self._all(sql)}

    def cooccurrence(self) -> tuple[dict[int, int], dict[tuple[int, int], tuple[int, int]]]:
        """Turns per code (as applied), and per pair of codes sharing a turn: shared turns, overlapping pairs.

        ``overlapping`` counts pairs of an A and a B coding, each attributed to
        a turn the two codes share, in one document with overlapping spans
        (needs ``counted(turns=True)``). Pairs are keyed with the lower id first.
        """
        per_code = dict(self._all("SELECT code_id, count(DISTINCT turn_id) FROM temp.qc_turn_units GROUP BY code_id"))
        self.db.execute("DROP TABLE IF EXISTS temp.qc_shared")
        try:
            self.db.execute("""CREATE TEMP TABLE qc_shared AS
                               WITH ct AS (SELECT DISTINCT code_id, turn_id FROM temp.qc_turn_units)
                               SELECT a.code_id AS ca, b.code_id AS cb, a.turn_id
                               FROM ct a JOIN ct b ON b.turn_id = a.turn_id AND b.code_id > a.code_id""")
            shared = {
                (r[0], r[1]): r[2] for r in self._all("SELECT ca, cb, count(*) FROM temp.qc_shared GROUP BY ca, cb")
            }
            overlapping = {
                (r[0], r[1]): r[2]
                for r in self._all(
                    """WITH side AS (
                     SELECT DISTINCT s.ca, s.cb, u.code_id = s.ca AS is_a, c.id, c.document_id, c.start, c.[end]
                     FROM temp.qc_shared s
                     JOIN temp.qc_turn_units u ON u.turn_id = s.turn_id AND u.code_id IN (s.ca, s.cb)
                     JOIN codings c ON c.id = u.coding_id)
                   SELECT x.ca, x.cb, count(*) FROM side x JOIN side y
                     ON y.ca = x.ca AND y.cb = x.cb AND x.is_a AND NOT y.is_a AND y.document_id = x.document_id
                    AND x.start < y.[end] AND y.start < x.[end]
                   GROUP BY x.ca, x.cb"""
                )
            }
        finally:
            self.db.execute("DROP TABLE IF EXISTS temp.qc_shared")
        return per_code, {k: (n, overlapping.get(k, 0)) for k, n in shared.items()}

    def saturation(self) -> tuple[dict[int, int], dict[int, list[int]]]:
        """Per document: distinct codes (as applied); and per document, the codes first counted in it.

        "First" is by document id (import order), as the saturation curve
        reads the documents.
        """
        per_doc = dict(self._all("SELECT document_id, count(DISTINCT code_id) FROM temp.qc_units GROUP BY document_id"))
        first: dict[int, list[int]] = {}
        for code_id, doc_id in self._all("SELECT code_id, min(document_id) FROM temp.qc_units GROUP BY code_id"):
            first.setdefault(doc_id, []).append(code_id)
        return per_doc, first

    def answers(self, item: str) -> list[tuple[int, Any, int]]:
        """Per code subtree and value of attribute ``item``: distinct counted participants (root, value, n).

        The value is the attribute as stored (``None`` when the participant
        lacks it); unattributed units have no participant and are left out.
        """
        path = attribute_path(item)
        value = "json_extract(p.attributes, ?)" if path else "(SELECT value FROM json_each(p.attributes) WHERE key = ?)"
        rows = self._all(
            f"""SELECT tr.root, {value} AS v, count(DISTINCT u.pid)
                FROM temp.qc_units u JOIN temp.qc_tree tr ON tr.code_id = u.code_id
                JOIN participants p ON p.id = u.pid
                GROUP BY tr.root, v""",
            [path or item],
        )
        return [(r[0], r[1], r[2]) for r in rows]

    def sample(self, roots: Sequence[int], per_code: int) -> dict[int, list[int]]:
        """Up to ``per_code`` counted coding ids per code subtree: all of them when there are that few.

        Larger subtrees get a deterministic spread: the ids with the smallest
        multiplicative hash, so a theme's sample is not just its first
        documents. Only ids under a hash threshold set for about twice the
        sample are read back (no sort of every coding), then the smallest
        ``per_code`` of them kept; the threshold widens until enough pass.
        """
        sizes = {root: t.codings for root, t in self.tallies(rollup=True).items()}
        out: dict[int, list[int]] = {}
        for root in roots:
            n = sizes.get(root, 0)
            if not n:
                continue
            fraction = min(1.0, 2.0 * per_code / n)
            while True:
                rows = self._all(
                    """SELECT DISTINCT u.coding_id, (u.coding_id * 2654435761) % 4294967296 AS h
                       FROM temp.qc_units u JOIN temp.qc_tree tr ON tr.code_id = u.code_id
                       WHERE tr.root = ? AND (u.coding_id * 2654435761) % 4294967296 < ?""",
                    [root, int(fraction * 4294967296) + 1],
                )
                if len(rows) >= min(per_code, n) or fraction >= 1.0:
                    break
                fraction = min(1.0, fraction * 4)
            out[root] = sorted(cid for cid, _ in sorted(rows, key=lambda r: (r[1], r[0]))[:per_code])
        return out

    def totals(self, code_ids: Sequence[int] | None = None) -> tuple[int, int]:
        """Distinct counted codings and documents (of ``code_ids`` as applied, or all).

        A coding has one code, so the codings are the sum of the codes' own
        counts; the documents come from a subtree's tally when one subtree
        holds exactly the counted codes asked for (the usual whole codebook),
        and are counted only otherwise.
        """
        own = self.tallies(rollup=False)
        asked = set(own) if code_ids is None else set(code_ids) & set(own)
        codings = sum(own[c].codings for c in asked)
        if not asked:
            return 0, 0
        if len(asked) == 1:
            return codings, own[next(iter(asked))].documents
        rolled = self.tallies(rollup=True)
        for root, members in self._members().items():
            if root in rolled and set(members) & set(own) == asked:
                return codings, rolled[root].documents
        where, params = "", []
        if code_ids is not None:
            where, params = "WHERE code_id IN (SELECT value FROM json_each(?))", [json.dumps(list(code_ids))]
        row = self._all(
            f"SELECT count(DISTINCT coding_id), count(DISTINCT document_id) FROM temp.qc_units {where}", params
        )[0]
        return row[0], row[1]


__all__ = ["CountedUnits", "GroupTally", "MISSING", "Tally", "WHITESPACE", "attribute_params", "attribute_value"]
