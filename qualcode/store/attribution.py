"""Which speaker turns each coding overlaps: the raw material of the attribution rule.

Why a set-based query: every analysis table asks, for every coding, which
turns it touches. Done in Python that is a loop over codings × turns; done
here it is one correlated SQL query that SQLite answers with the
``(document_id, start)`` index on turns (a range from the last turn starting at
or before the coding to its end), streamed row by row.

The query returns one row per coding with the ids of its turns
(``group_concat``); the turns themselves are read once and shared.

A coding *overlaps* a turn when they share at least one non-space character
of the turn's utterance (the ``Speaker:`` label is not part of a turn). The
rule deciding what counts (and for whom) lives in
:mod:`qualcode.analysis.attribution`; this module only reports the facts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.model import Coding, Turn
from qualcode.store.codings import coding_from_row

if TYPE_CHECKING:
    from qualcode.store.project import Project

# Characters that do not make an overlap (SQLite's trim() takes an explicit set).
_SPACES = "' ' || char(9, 10, 11, 12, 13, 160, 8232, 8233, 12288)"

_BATCH = 5000

_QUERY = f"""
SELECT c.id, c.code_id, c.document_id, c.start, c.[end], c.coder, c.origin, c.status, c.method,
       c.rule, c.confidence, c.run_id, c.created_at,
       d.participant_id AS doc_participant_id,
       (SELECT group_concat(t.id) FROM turns t
         WHERE t.document_id = c.document_id
           AND t.start < c.[end] AND t.[end] > c.start
           AND t.start >= coalesce((SELECT max(t2.start) FROM turns t2
                                    WHERE t2.document_id = c.document_id AND t2.start <= c.start), -1)
           AND coalesce(trim(substr(t.text, max(c.start, t.start) - t.start + 1,
                                    min(c.[end], t.[end]) - max(c.start, t.start)), {_SPACES}), 'x') != ''
       ) AS turn_ids
FROM codings c
JOIN documents d ON d.id = c.document_id
{{where}}
ORDER BY c.id
"""


@dataclass(frozen=True, slots=True)
class CodingOverlap:
    """One coding, the turns it overlaps (in text order) and its document's participant."""

    coding: Coding
    turns: tuple[Turn, ...]
    document_participant_id: int | None


class AttributionStore:
    """Read-only overlap queries between codings and turns."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def coders(self) -> list[str]:
        """Every coder name that has a coding, sorted."""
        return [r["coder"] for r in self.project.query("SELECT DISTINCT coder FROM codings ORDER BY coder")]

    def overlaps(
        self,
        *,
        code_ids: Iterable[int] | None = None,
        coders: Iterable[str] | None = None,
        statuses: Iterable[str] | None = None,
        coding_ids: Iterable[int] | None = None,
    ) -> Iterator[CodingOverlap]:
        """Every coding (optionally only these codes, coders, statuses) with the turns it overlaps.

        Rows come in coding-id order and are streamed from SQLite; a coding
        overlapping no turn (a header, a gap between turns) has ``turns == ()``.
        Only the turns the rows name are read, a batch of rows at a time, so
        asking for one code's codings does not read every turn of the project.
        """
        where: list[str] = []
        params: list[Any] = []
        for column, values in (
            ("c.code_id", code_ids),
            ("c.coder", coders),
            ("c.status", statuses),
            ("c.id", coding_ids),
        ):
            if values is None:
                continue
            items = list(values)
            if not items:
                return
            where.append(f"{column} IN (SELECT value FROM json_each(?))")
            params.append(_json_list(items))
        sql = _QUERY.format(where=("WHERE " + " AND ".join(where)) if where else "")
        cursor = self.project.db.execute(sql, params)
        names = [d[0] for d in cursor.description]
        turns: dict[int, Turn] = {}
        while batch := cursor.fetchmany(_BATCH):
            rows = [dict(zip(names, values)) for values in batch]
            wanted = {int(i) for row in rows if row["turn_ids"] for i in row["turn_ids"].split(",")}
            turns = {i: turns[i] for i in wanted if i in turns}
            turns.update(self._turns(wanted - set(turns)))
            for row in rows:
                ids = row["turn_ids"]
                if not ids:
                    found: tuple[Turn, ...] = ()
                elif "," not in ids:
                    found = (turns[int(ids)],)
                else:
                    found = tuple(sorted((turns[int(i)] for i in ids.split(",")), key=lambda t: t.start))
                yield CodingOverlap(coding_from_row(row), found, row["doc_participant_id"])

    def _turns(self, ids: set[int]) -> dict[int, Turn]:
        """The turns with these ids (without their text)."""
        if not ids:
            return {}
        from qualcode.store.document_rows import _turn

        rows = self.project.query(
            "SELECT id, document_id, seq, speaker, role, start, [end], participant_id, time_start, time_end"
            " FROM turns WHERE id IN (SELECT value FROM json_each(?))",
            [_json_list(sorted(ids))],
        )
        return {r["id"]: _turn(r) for r in rows}


def _json_list(items: list[Any]) -> str:
    import json

    return json.dumps(items, ensure_ascii=False)


__all__ = ["AttributionStore", "CodingOverlap"]
