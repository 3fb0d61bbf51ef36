"""Participants and their attributes (the grouping variables of a study)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import Participant

if TYPE_CHECKING:
    from qualcode.store.project import Project


def _participant(row: dict[str, Any]) -> Participant:
    return Participant(
        id=row["id"], name=row["name"], attributes=json.loads(row["attributes"] or "{}")
    )


class ParticipantStore:
    """Create, look up and annotate participants."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def all(self) -> list[Participant]:
        rows = self.project.query("SELECT * FROM participants ORDER BY name COLLATE NOCASE")
        return [_participant(r) for r in rows]

    def get(self, participant_id: int) -> Participant:
        row = self.project.row("participants", participant_id)
        if row is None:
            raise NotFoundError(f"no participant with id {participant_id}")
        return _participant(row)

    def find(self, name: str) -> Participant | None:
        rows = self.project.query("SELECT * FROM participants WHERE name = ?", [name])
        return _participant(rows[0]) if rows else None

    def ensure(self, name: str, attributes: dict[str, str] | None = None) -> Participant:
        """Return the participant called ``name``, creating it or merging attributes.

        Attributes given here are added to (and override) stored ones, so a
        participants sheet imported later refines what an import created.
        """
        name = name.strip()
        if not name:
            raise ValidationError("a participant needs a name")
        # Blank values are kept when a participant is created (a survey
        # respondent who left an item blank is "missing", not absent), but
        # never overwrite a stored value when merging.
        attributes = {str(k): "" if v is None else str(v) for k, v in (attributes or {}).items()}
        existing = self.find(name)
        with self.project.action("participant", f"participant {name}") as act:
            if existing is None:
                new_id = act.insert(
                    "participants",
                    {"name": name, "attributes": json.dumps(attributes, ensure_ascii=False)},
                )
                return Participant(new_id, name, attributes)
            attributes = {k: v for k, v in attributes.items() if v != "" or k not in existing.attributes}
            if attributes:
                merged = {**existing.attributes, **attributes}
                if merged != existing.attributes:
                    act.update(
                        "participants",
                        existing.id,
                        {"attributes": json.dumps(merged, ensure_ascii=False)},
                    )
                return Participant(existing.id, name, merged)
            return existing

    def set_attributes(self, name: str, attributes: dict[str, str]) -> Participant:
        """Set (merge) attributes of an existing participant."""
        if self.find(name) is None:
            raise NotFoundError(f"no participant called {name!r}")
        return self.ensure(name, attributes)

    def attribute_names(self) -> list[str]:
        names: set[str] = set()
        for p in self.all():
            names.update(p.attributes)
        return sorted(names)
