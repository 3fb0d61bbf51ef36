"""Agreement's unit × code decisions for turn units, aggregated in SQL.

Why: intercoder agreement on turns needs, for every unit (participant turn)
of every document two coders coded, and every compared code, which coders
applied it. Held as per-document arrays in Python that is a loop over every
document and coding; here SQLite joins the codings to the units and returns
only the *pattern counts*: for each compared row (code or theme), each set of
coders present in a document and each set of coders who applied it, how many
units. Every statistic of :mod:`qualcode.analysis.agreement` (counts,
% agreement, kappa, alpha) is a function of those counts.

Rules (those of the Python path, tested equal): a coding counts when it is
``manual`` and not rejected, or (``include_machine``) a confirmed machine
coding; a coder is *present* in a document where they have such a coding
(every coder everywhere with ``all_documents``); units are the turns with
text (participant turns unless ``include_interviewer``); a coder applied a
code to a unit when a coding of theirs overlaps the unit without its leading
and trailing white space (Python's ``str.strip``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from qualcode.store.counted_units import WHITESPACE

if TYPE_CHECKING:
    from qualcode.store.project import Project

_COUNTED = (
    "((c.origin = 'manual' AND c.status != 'rejected') OR (? AND c.origin != 'manual' AND c.status = 'confirmed'))"
)


_TEMP = ("qc_coder", "qc_rows", "qc_ac", "qc_docs", "qc_aunits")


@dataclass(frozen=True, slots=True)
class TurnDecisions:
    """Pattern counts of the turn units (coder sets as bit masks: bit i = the i-th compared coder).

    ``documents``: the in-scope documents ``(id, name)`` in report order;
    ``units``: units per present-coder mask; ``applied``: ``(row, present mask,
    yes mask) -> units`` for the units where at least one coder applied the row.
    """

    documents: list[tuple[int, str]]
    units: dict[int, int]
    applied: dict[tuple[int, int, int], int]


def _bit_or(column: str, bits: int) -> str:
    """SQL for the bitwise OR of ``column`` over a group (bits 0 … ``bits``-1).

    Why not ``sum(DISTINCT column)``: a distinct-value tree per group, and
    there is a group per document (per unit and row below), 10^5–10^6 of them.
    """
    return " + ".join(f"max({column} & {1 << i})" for i in range(bits)) or "0"


def counted_coders(project: "Project", include_machine: bool) -> list[str]:
    """Coders with at least one coding that counts for agreement, sorted."""
    rows = project.db.execute(f"SELECT DISTINCT coder FROM codings c WHERE {_COUNTED}", [int(include_machine)])
    return sorted(r[0] for r in rows)


def turn_decisions(
    project: "Project",
    coders: Sequence[str],
    rows: Sequence[Sequence[int]],
    *,
    include_machine: bool = False,
    include_interviewer: bool = False,
    all_documents: bool = False,
) -> TurnDecisions:
    """Pattern counts for ``coders`` and compared ``rows`` (each a list of the code ids it stands for)."""
    db = project.db
    machine = int(include_machine)
    for table in _TEMP:
        db.execute(f"DROP TABLE IF EXISTS temp.{table}")
    try:
        db.execute("CREATE TEMP TABLE qc_coder (name TEXT PRIMARY KEY, bit INTEGER)")
        db.conn.executemany("INSERT INTO temp.qc_coder VALUES (?, ?)", [(c, 1 << i) for i, c in enumerate(coders)])
        db.execute("CREATE TEMP TABLE qc_rows (code_id INTEGER, row INTEGER, PRIMARY KEY (code_id, row))")
        db.conn.executemany(
            "INSERT OR IGNORE INTO temp.qc_rows VALUES (?, ?)", [(cid, r) for r, ids in enumerate(rows) for cid in ids]
        )
        # The counted codings of the compared coders, once, in (document, start) order: the coders present
        # per document and the codings overlapping each unit are then read from this one table.
        db.execute(
            "CREATE TEMP TABLE qc_ac (document_id INTEGER, start INTEGER, id INTEGER, [end] INTEGER, bit INTEGER,"
            " code_id INTEGER, PRIMARY KEY (document_id, start, id)) WITHOUT ROWID"
        )
        db.execute(
            f"""INSERT INTO temp.qc_ac SELECT c.document_id, c.start, c.id, c.[end], k.bit, c.code_id
                FROM codings c JOIN temp.qc_coder k ON k.name = c.coder WHERE {_COUNTED}
                ORDER BY c.document_id, c.start, c.id""",
            [machine],
        )
        db.execute("CREATE TEMP TABLE qc_docs (id INTEGER PRIMARY KEY, mask INTEGER)")
        if all_documents:
            db.execute("INSERT INTO temp.qc_docs SELECT id, ? FROM documents", [(1 << len(coders)) - 1])
        else:
            db.execute(
                f"INSERT INTO temp.qc_docs SELECT document_id, {_bit_or('bit', len(coders))} FROM temp.qc_ac"
                " GROUP BY document_id"
            )
            db.execute("DELETE FROM temp.qc_docs WHERE (mask & (mask - 1)) = 0")  # fewer than two coders
        order = "d.name COLLATE NOCASE" if all_documents else "d.id"
        documents = [
            (r[0], r[1])
            for r in db.execute(
                f"SELECT d.id, d.name FROM documents d JOIN temp.qc_docs q ON q.id = d.id ORDER BY {order}"
            )
        ]
        role = "" if include_interviewer else "AND coalesce(t.role, 'participant') = 'participant'"
        db.execute(
            "CREATE TEMP TABLE qc_aunits (id INTEGER PRIMARY KEY, document_id INTEGER, mask INTEGER,"
            " cs INTEGER, ce INTEGER)"
        )
        db.execute(
            f"""INSERT INTO temp.qc_aunits
                       SELECT id, document_id, mask, cs, max(cs, t_end - (n - length(rtrim(piece, ?)))) FROM (
                         SELECT *, length(piece) AS n, t_start + length(piece) - length(ltrim(piece, ?)) AS cs
                         FROM (SELECT t.id, t.document_id, q.mask, t.start AS t_start, t.[end] AS t_end,
                                      t.text AS piece
                               FROM turns t JOIN temp.qc_docs q ON q.id = t.document_id
                               WHERE t.[end] > t.start {role}))""",
            [WHITESPACE, WHITESPACE],
        )
        units = dict(db.execute("SELECT mask, count(*) FROM temp.qc_aunits GROUP BY mask").fetchall())
        applied = {
            (r[0], r[1], r[2]): r[3]
            for r in db.execute(
                f"""SELECT row, mask, yes, count(*) FROM (
                  SELECT r.row, u.mask, {_bit_or("c.bit", len(coders))} AS yes
                  FROM temp.qc_aunits u
                  JOIN temp.qc_ac c ON c.document_id = u.document_id AND c.start < u.ce AND c.[end] > u.cs
                  JOIN temp.qc_rows r ON r.code_id = c.code_id
                  GROUP BY u.id, r.row)
                GROUP BY row, mask, yes"""
            )
        }
        return TurnDecisions(documents, units, applied)
    finally:
        for table in _TEMP:
            db.execute(f"DROP TABLE IF EXISTS temp.{table}")


__all__ = ["TurnDecisions", "counted_coders", "turn_decisions"]
