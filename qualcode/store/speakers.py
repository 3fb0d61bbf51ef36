"""Speaker labels of documents and the turn updates that fix them.

Why a store of its own: a transcript's labels are data the analyst must be
able to see and correct ("Particpant" among 66 "Participant" turns, "TOMAS"
beside "Tomas"). The queries here list labels per document; the updates
relabel turns, change their role or participant, re-derive a document's
participant and drop participants left with nothing. The service
:mod:`qualcode.services.speakers` wraps each fix in one undoable action.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from qualcode.store.project import Project


@dataclass(frozen=True, slots=True)
class SpeakerLabel:
    """One speaker label of one document, with its turn count, role and participant.

    ``role`` is the role of most of its turns; ``participant_id`` the
    participant of most of them (``None`` when none has one).
    """

    document_id: int
    document: str
    speaker: str
    turns: int
    role: str
    participant_id: int | None
    participant: str | None
    first_seq: int


class SpeakerStore:
    """List speaker labels; relabel turns; keep document participants consistent."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def labels(self, document_ids: Sequence[int] | None = None) -> list[SpeakerLabel]:
        """Every (document, speaker label) with its turns, in document-name then first-turn order."""
        where, params = "", []
        if document_ids is not None:
            import json

            where, params = "WHERE t.document_id IN (SELECT value FROM json_each(?))", [json.dumps(list(document_ids))]
        rows = self.project.query(
            f"""
            SELECT t.document_id, d.name AS document, coalesce(t.speaker, '') AS speaker, count(*) AS turns,
                   CASE WHEN sum(t.role = 'interviewer') * 2 > count(*) THEN 'interviewer'
                        ELSE 'participant' END AS role,
                   (SELECT t2.participant_id FROM turns t2
                     WHERE t2.document_id = t.document_id AND coalesce(t2.speaker, '') = coalesce(t.speaker, '')
                       AND t2.participant_id IS NOT NULL
                     GROUP BY t2.participant_id ORDER BY count(*) DESC, t2.participant_id LIMIT 1) AS participant_id,
                   min(t.seq) AS first_seq
            FROM turns t JOIN documents d ON d.id = t.document_id
            {where}
            GROUP BY t.document_id, coalesce(t.speaker, '')
            ORDER BY d.name COLLATE NOCASE, d.id, first_seq
            """,
            params,
        )
        names = {r["id"]: r["name"] for r in self.project.query("SELECT id, name FROM participants")}
        return [
            SpeakerLabel(
                r["document_id"],
                r["document"],
                r["speaker"],
                r["turns"],
                r["role"],
                r["participant_id"],
                names.get(r["participant_id"]),
                r["first_seq"],
            )
            for r in rows
        ]

    def turn_ids(self, document_id: int, speaker: str) -> list[int]:
        """Ids of the turns of ``speaker`` in one document (exact label)."""
        rows = self.project.query(
            "SELECT id FROM turns WHERE document_id = ? AND coalesce(speaker, '') = ? ORDER BY seq",
            [document_id, speaker],
        )
        return [r["id"] for r in rows]

    def update_turns(self, turn_ids: Sequence[int], values: dict[str, Any]) -> int:
        """Set ``values`` (speaker, role, participant_id) on turns, inside the current action."""
        with self.project.action("turns", "update turns") as act:
            ids = list(turn_ids)
            return len(ids) - len(act.update_many("turns", ids, values))

    def participant_ids(self, document_id: int) -> list[int]:
        """Distinct participants of the participant-role turns of a document."""
        rows = self.project.query(
            "SELECT DISTINCT participant_id FROM turns WHERE document_id = ? AND role = 'participant'"
            " AND participant_id IS NOT NULL ORDER BY participant_id",
            [document_id],
        )
        return [r["participant_id"] for r in rows]

    def refresh_document_participant(self, document_id: int) -> None:
        """Give a document its participant when its participant turns now have exactly one.

        The import rule ("the document's participant is set when it has
        exactly one participant"), re-applied after a fix.
        """
        people = self.participant_ids(document_id)
        current = self.project.query("SELECT participant_id FROM documents WHERE id = ?", [document_id])
        if not current:
            return
        pid = current[0]["participant_id"]
        if len(people) == 1 and pid != people[0] and (pid is None or pid not in people):
            with self.project.action("document-participant", "document participant") as act:
                act.update("documents", document_id, {"participant_id": people[0]})

    def prune_participants(self, participant_ids: Sequence[int]) -> list[str]:
        """Delete those of ``participant_ids`` left with no turn, no document and no attribute.

        Returns the names removed (a misspelt label's participant, once relabelled).
        """
        removed = []
        with self.project.action("participants-prune", "remove empty participants") as act:
            for pid in dict.fromkeys(p for p in participant_ids if p is not None):
                row = self.project.query(
                    "SELECT name, attributes FROM participants p WHERE id = ?"
                    " AND NOT EXISTS (SELECT 1 FROM turns WHERE participant_id = p.id)"
                    " AND NOT EXISTS (SELECT 1 FROM documents WHERE participant_id = p.id)",
                    [pid],
                )
                if row and row[0]["attributes"] in (None, "", "{}"):
                    act.delete("participants", pid)
                    removed.append(row[0]["name"])
        return removed

    def rename_participant(self, participant_id: int, name: str) -> None:
        """Rename a participant (inside the current action)."""
        with self.project.action("participant-rename", f"participant {name}") as act:
            act.update("participants", participant_id, {"name": name})


__all__ = ["SpeakerLabel", "SpeakerStore"]
