"""Set-based counts under the attribution rule: the SQL behind the frequency and evidence tables.

Why SQL: every table asks the same questions of every counted coding
(which code, which document, which participants). Answered per coding in
Python that is a loop over 10^5–10^6 objects; answered here it is one join
that materialises the *counted units* once per command (a temporary table of
``(coding_id, code_id, document_id, participant_id)``) and ``GROUP BY``
queries over it.

The rule is that of :mod:`qualcode.analysis.attribution` (the reference,
tested against this module to the unit):

* a coding overlaps a turn when they share a non-space character of the
  turn's utterance (the same expression as :mod:`qualcode.store.attribution`,
  after a shortcut: a coding that starts at or before the turn and so takes
  its first character, when that is not a space, overlaps it without
  cutting the text — the usual case of a whole survey answer);
* it counts for the distinct participants of the participant turns it
  overlaps (a turn without a participant falls back to the document's);
  with ``include_interviewer``, a coding with no participant turn counts for
  the people of its interviewer turns, or, outside every turn, for the
  document's participant; otherwise it does not count;
* a counted coding with nobody to count for is one *unattributed* unit
  (``participant_id`` NULL);
* rejected codings never count; pending ones unless ``include_pending`` is false.

Group values follow :meth:`qualcode.analysis.corpus.Corpus.attribute`: a
missing or blank attribute (blank as Python's ``str.strip`` sees it) is
:data:`MISSING`.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from qualcode.store.attribution import _SPACES
from qualcode.store.counted_units import (
    MISSING,
    WHITESPACE,
    CountedUnits,
    GroupTally,
    Tally,
    attribute_params,
    attribute_path,
    attribute_value,
)

if TYPE_CHECKING:
    from qualcode.model import Document, Participant
    from qualcode.store.project import Project

_OVERLAP = f"""
SELECT c.id AS coding_id, c.code_id, c.document_id,
       coalesce(t.role, 'participant') = 'interviewer' AS interviewer,
       coalesce(t.participant_id, (SELECT d.participant_id FROM documents d WHERE d.id = c.document_id)) AS pid,
       t.id AS turn_id
FROM codings c
JOIN turns t ON t.document_id = c.document_id
     AND t.start < c.[end] AND t.[end] > c.start
     AND t.start >= coalesce((SELECT max(t2.start) FROM turns t2
                              WHERE t2.document_id = c.document_id AND t2.start <= c.start), -1)
     AND ((c.start <= t.start AND unicode(t.text) > 32 AND unicode(t.text) NOT IN (160, 8232, 8233, 12288))
          OR coalesce(trim(substr(t.text, max(c.start, t.start) - t.start + 1,
                                  min(c.[end], t.[end]) - max(c.start, t.start)), {_SPACES}), 'x') != '')
WHERE {{where}}
"""


class TablesStore:
    """Builds the counted units and answers the participant-scope questions of the tables."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    @contextmanager
    def counted(
        self,
        *,
        include_interviewer: bool = False,
        include_pending: bool = True,
        coders: Sequence[str] | None = None,
        turns: bool = False,
    ) -> Iterator[CountedUnits]:
        """The counted units under the rule (module docstring), alive for the ``with`` block.

        With ``turns`` also the turns each counted coding is attributed to
        (``qc_turn_units``: its participant turns, or its interviewer turns
        when it has none and counts), for co-occurrence.
        """
        db = self.project.db
        where = ["c.status IN (SELECT value FROM json_each(?))"]
        params: list[Any] = [json.dumps(["confirmed", "pending"] if include_pending else ["confirmed"])]
        if coders is not None:
            where.append("c.coder IN (SELECT value FROM json_each(?))")
            params.append(json.dumps(list(coders)))
        cond = " AND ".join(where)
        self._drop()
        db.execute(
            "CREATE TEMP TABLE qc_ov (coding_id INTEGER, code_id INTEGER, document_id INTEGER,"
            " interviewer INTEGER, pid INTEGER, turn_id INTEGER)"
        )
        db.execute("CREATE TEMP TABLE qc_units (coding_id INTEGER, code_id INTEGER, document_id INTEGER, pid INTEGER)")
        # One row per coding and participant: rows arrive in coding-id order, so this index only ever appends
        # (cheaper than a DISTINCT over the join); NULL (unattributed) is one key like any participant.
        db.execute("CREATE UNIQUE INDEX temp.qc_units_coding ON qc_units (coding_id, coalesce(pid, -1))")
        db.execute(
            "CREATE TEMP TABLE qc_tree (root INTEGER, code_id INTEGER, PRIMARY KEY (code_id, root)) WITHOUT ROWID"
        )
        try:
            if include_interviewer or turns:
                db.execute("INSERT INTO temp.qc_ov " + _OVERLAP.format(where=cond), params)
                db.execute("CREATE INDEX temp.qc_ov_coding ON qc_ov (coding_id, interviewer)")
                mine = "interviewer = 0"
                if include_interviewer:
                    mine += (
                        " OR NOT EXISTS (SELECT 1 FROM temp.qc_ov o2 WHERE o2.coding_id = o.coding_id"
                        " AND o2.interviewer = 0)"
                    )
                db.execute(
                    f"INSERT OR IGNORE INTO temp.qc_units SELECT coding_id, code_id, document_id, pid"
                    f" FROM temp.qc_ov o WHERE {mine}"
                )
                db.execute(
                    f"CREATE TEMP TABLE qc_turn_units AS SELECT DISTINCT coding_id, code_id, document_id,"
                    f" turn_id FROM temp.qc_ov o WHERE {mine}"
                )
            if include_interviewer:
                db.execute(
                    f"""INSERT INTO temp.qc_units
                               SELECT c.id, c.code_id, c.document_id, d.participant_id
                               FROM codings c JOIN documents d ON d.id = c.document_id
                               WHERE {cond} AND NOT EXISTS (SELECT 1 FROM temp.qc_ov o WHERE o.coding_id = c.id)""",
                    params,
                )
            elif not turns:
                db.execute(
                    "INSERT OR IGNORE INTO temp.qc_units SELECT coding_id, code_id, document_id, pid"
                    f" FROM ({_OVERLAP.format(where=cond)}) WHERE interviewer = 0",
                    params,
                )
            # Nobody to count for: one unattributed unit, only when the coding has no known participant.
            if db.execute("SELECT 1 FROM temp.qc_units WHERE pid IS NULL LIMIT 1").fetchone():
                db.execute("""DELETE FROM temp.qc_units WHERE pid IS NULL AND coding_id IN
                              (SELECT coding_id FROM temp.qc_units WHERE pid IS NOT NULL)""")
            db.execute("CREATE INDEX temp.qc_units_code ON qc_units (code_id)")
            db.execute("CREATE TEMP TABLE qc_scope (id INTEGER PRIMARY KEY)")
            fill_scope(db, "temp.qc_scope")
            db.execute("""INSERT INTO temp.qc_tree
                          WITH RECURSIVE tree(root, code_id) AS (
                            SELECT id, id FROM codes
                            UNION ALL SELECT tree.root, c.id FROM codes c JOIN tree ON c.parent_id = tree.code_id)
                          SELECT DISTINCT root, code_id FROM tree""")
            yield CountedUnits(self.project)
        finally:
            self._drop()

    def _drop(self) -> None:
        for table in ("qc_ov", "qc_units", "qc_tree", "qc_turn_units", "qc_people", "qc_scope"):
            self.project.db.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def documents(self, ids: Sequence[int]) -> list["Document"]:
        """The documents with these ids, in id order (for the few a table quotes from)."""
        from qualcode.store.document_rows import _document

        rows = self.project.query(
            "SELECT * FROM documents WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json.dumps(sorted(set(ids)))],
        )
        return [_document(r) for r in rows]

    def participants(self, ids: Sequence[int]) -> list["Participant"]:
        """The participants with these ids, in id order."""
        from qualcode.store.participants import _participant

        rows = self.project.query(
            "SELECT * FROM participants WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id",
            [json.dumps(sorted(set(ids)))],
        )
        return [_participant(r) for r in rows]

    def turn_numbers(self, turn_ids: Sequence[int]) -> dict[int, int]:
        """Each turn's 1-based number in its document (by ``seq``), for documents of more than one turn."""
        rows = self.project.db.execute(
            """SELECT t.id,
                      (SELECT count(*) FROM turns t2 WHERE t2.document_id = t.document_id
                         AND (t2.seq < t.seq OR (t2.seq = t.seq AND t2.id <= t.id))),
                      (SELECT count(*) FROM turns t3 WHERE t3.document_id = t.document_id)
               FROM turns t WHERE t.id IN (SELECT value FROM json_each(?))""",
            [json.dumps(list(turn_ids))],
        )
        return {r[0]: r[1] for r in rows if r[2] > 1}

    def coding_ids_in_order(
        self,
        statuses: Sequence[str],
        *,
        coders: Sequence[str] | None = None,
        code_ids: Sequence[int] | None = None,
        batch: int = 5000,
    ) -> Iterator[list[int]]:
        """Ids of the codings with these statuses (coders, codes), by document, start, end, id; in batches.

        Why batches: the codings export streams its rows, so only one batch
        of codings (with their documents and people) is in memory at a time.
        """
        where = ["status IN (SELECT value FROM json_each(?))"]
        params: list[Any] = [json.dumps(list(statuses))]
        for column, values in (("coder", coders), ("code_id", code_ids)):
            if values is not None:
                where.append(f"{column} IN (SELECT value FROM json_each(?))")
                params.append(json.dumps(list(values)))
        cursor = self.project.db.execute(
            f"SELECT id FROM codings WHERE {' AND '.join(where)} ORDER BY document_id, start, [end], id", params
        )
        while rows := cursor.fetchmany(batch):
            yield [r[0] for r in rows]

    def anyone_answered(self, item: str) -> bool:
        """Whether any participant has a (non-null) value of attribute ``item``."""
        path = attribute_path(item)
        value = "json_extract(attributes, ?)" if path else "(SELECT value FROM json_each(attributes) WHERE key = ?)"
        found = self.project.db.execute(
            f"SELECT 1 FROM participants WHERE attributes IS NOT NULL AND {value} IS NOT NULL LIMIT 1", [path or item]
        ).fetchone()
        return found is not None

    def document_labels(self) -> list[tuple[int, str]]:
        """Every document's id and name, in import (id) order."""
        return [(r[0], r[1]) for r in self.project.db.execute("SELECT id, name FROM documents ORDER BY id")]

    def scope_labels(self) -> list[tuple[int, str]]:
        """The participants in scope as (id, name), by name ignoring case, then id."""
        rows = self.project.db.execute(f"SELECT id, name FROM participants WHERE id IN ({_SCOPE})").fetchall()
        return sorted(((r[0], r[1]) for r in rows), key=lambda r: (r[1].casefold(), r[0]))

    def scope_size(self) -> int:
        """Participants in scope: with a participant turn, or a document's participant."""
        return self.project.db.execute(f"SELECT count(*) FROM participants WHERE id IN ({_SCOPE})").fetchone()[0]

    def attribute_names(self) -> list[str]:
        """Every attribute name any participant has, sorted (without reading the participants into Python)."""
        rows = self.project.db.execute(
            "SELECT DISTINCT j.key FROM participants p, json_each(coalesce(p.attributes, '{}')) j"
        ).fetchall()
        return sorted(r[0] for r in rows)

    def group_bases(self, attrs: Sequence[str]) -> dict[tuple[str, ...], int]:
        """Participants in scope per combination of ``attrs`` values (MISSING when blank)."""
        values = ", ".join(f"{attribute_value('p.attributes')}" for _ in attrs)
        params: list[Any] = []
        for a in attrs:
            params += attribute_params(a)
        rows = self.project.db.execute(
            f"SELECT {values}, count(*) FROM participants p WHERE p.id IN ({_SCOPE}) GROUP BY {values}", params + params
        ).fetchall()
        return {tuple(r[:-1]): r[-1] for r in rows}


def fill_scope(db: Any, table: str) -> None:
    """Insert the ids of the participants in scope (:data:`_SCOPE`) into ``table`` (an INTEGER PRIMARY KEY).

    Why not ``IN (… UNION …)``: at 10^6 respondents the UNION sorts every
    turn's participant; inserting them into the key ignores repeats for free.
    """
    db.execute(
        f"INSERT OR IGNORE INTO {table} SELECT participant_id FROM turns"
        " WHERE participant_id IS NOT NULL AND coalesce(role, 'participant') = 'participant'"
    )
    db.execute(f"INSERT OR IGNORE INTO {table} SELECT participant_id FROM documents WHERE participant_id IS NOT NULL")
    db.execute(f"DELETE FROM {table} WHERE id NOT IN (SELECT id FROM participants)")


_SCOPE = """SELECT participant_id FROM turns WHERE coalesce(role, 'participant') = 'participant'
              AND participant_id IS NOT NULL
            UNION SELECT participant_id FROM documents WHERE participant_id IS NOT NULL"""


__all__ = ["CountedUnits", "GroupTally", "MISSING", "Tally", "TablesStore", "WHITESPACE"]
