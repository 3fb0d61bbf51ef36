"""Participants and their attributes (the grouping variables of a study)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from qualcode.errors import NotFoundError, ValidationError
from qualcode.model import Participant

if TYPE_CHECKING:
    from qualcode.store.project import Project


DOCUMENT_SCOPED = " · "
"""The separator of participant names made from a document name and a role label
(``qualcode.ingest.build.PARTICIPANT_SEP``); such names never match ignoring case."""


def _participant(row: dict[str, Any]) -> Participant:
    return Participant(id=row["id"], name=row["name"], attributes=json.loads(row["attributes"] or "{}"))


@dataclass(frozen=True, slots=True)
class ParticipantSummary:
    """A participant with the number of documents they speak in (or own)."""

    participant: Participant
    documents: int


class ParticipantStore:
    """Create, look up and annotate participants."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def all(self) -> list[Participant]:
        rows = self.project.query("SELECT * FROM participants ORDER BY name COLLATE NOCASE")
        return [_participant(r) for r in rows]

    def summaries(self, limit: int | None = None) -> list[ParticipantSummary]:
        """Participants in name order with their document counts, computed in SQL (first ``limit``)."""
        rows = self.project.query(
            "SELECT p.*, (SELECT count(*) FROM (SELECT id FROM documents WHERE participant_id = p.id"
            " UNION SELECT document_id FROM turns WHERE participant_id = p.id)) AS n_documents"
            " FROM participants p ORDER BY p.name COLLATE NOCASE" + (" LIMIT ?" if limit is not None else ""),
            [limit] if limit is not None else [],
        )
        return [ParticipantSummary(_participant(r), r["n_documents"]) for r in rows]

    def count(self) -> int:
        return int(self.project.db.execute("SELECT count(*) FROM participants").fetchone()[0])

    def get(self, participant_id: int) -> Participant:
        row = self.project.row("participants", participant_id)
        if row is None:
            raise NotFoundError(f"no participant with id {participant_id}")
        return _participant(row)

    def find(self, name: str) -> Participant | None:
        """The participant called ``name``; failing an exact match, ignoring case and surrounding spaces.

        Why: transcripts write the same person "Tomas", "TOMAS" or "Tomas "; a
        participants sheet may write "tomas". They are one person. Names made
        from a document name ("Interview 14 · Interviewee") match exactly:
        "INTERVIEW 14" is another document, so another person.
        """
        rows = self.project.query("SELECT * FROM participants WHERE name = ?", [name])
        if not rows and name.strip() and DOCUMENT_SCOPED not in name:
            rows = self.project.query(
                "SELECT * FROM participants WHERE name = ? COLLATE NOCASE ORDER BY id LIMIT 1", [name.strip()]
            )
            if not rows and not name.isascii():  # NOCASE folds ASCII only
                wanted = name.strip().casefold()
                rows = [
                    r
                    for r in self.project.query("SELECT * FROM participants ORDER BY id")
                    if r["name"].strip().casefold() == wanted
                ][:1]
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
        if existing is not None:
            name = existing.name
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

    def ensure_many(self, items: Iterable[tuple[str, dict[str, str] | None]]) -> dict[str, int]:
        """:meth:`ensure` for each ``(name, attributes)`` in order, in a few statements.

        Why: a survey import ensures one participant per respondent; one
        query and one logged insert each made a 10^6-answer import
        quadratic in practice. The result (ids, merged attributes) is the
        same as calling :meth:`ensure` in order. Returns name → id.
        """
        order: list[str] = []
        wanted = items if isinstance(items, list) else list(items)
        names = list(dict.fromkeys(n.strip() for n, _ in wanted))
        if "" in names:
            raise ValidationError("a participant needs a name")
        stored: dict[str, tuple[int, dict[str, str]]] = {}
        folded: dict[str, str] = {}  # casefolded name -> the stored (or first created) name it matches, as find()
        for at in range(0, len(names), 500):
            chunk = names[at : at + 500]
            marks = ", ".join("?" for _ in chunk)
            for r in self.project.query(
                f"SELECT id, name, attributes FROM participants WHERE name IN ({marks})"
                f" OR name COLLATE NOCASE IN ({marks}) ORDER BY id",
                chunk + chunk,
            ):
                stored.setdefault(r["name"], (r["id"], json.loads(r["attributes"] or "{}")))
                if DOCUMENT_SCOPED not in r["name"]:
                    folded.setdefault(r["name"].strip().casefold(), r["name"])
        if any(not n.isascii() and n not in stored and n.casefold() not in folded for n in names):
            # SQLite's NOCASE folds ASCII only: as find() does, compare casefolded names in Python.
            for r in self.project.query("SELECT id, name, attributes FROM participants ORDER BY id"):
                if DOCUMENT_SCOPED not in r["name"] and r["name"].strip().casefold() not in folded:
                    stored.setdefault(r["name"], (r["id"], json.loads(r["attributes"] or "{}")))
                    folded[r["name"].strip().casefold()] = r["name"]
        current: dict[str, dict[str, str]] = {n: dict(a) for n, (_, a) in stored.items()}
        alias: dict[str, str] = {}  # every name given -> the participant's stored name
        for raw_name, raw_attrs in wanted:
            given = raw_name.strip()
            name = alias.get(given)
            if name is None:
                name = (
                    given if given in current else (None if DOCUMENT_SCOPED in given else folded.get(given.casefold()))
                )
                if name is None:
                    name = given
                    if DOCUMENT_SCOPED not in given:
                        folded.setdefault(given.casefold(), given)
                alias[given] = name
            # Attributes are normalised one pair at a time (no copy of the whole list).
            attrs = {str(k): "" if v is None else str(v) for k, v in (raw_attrs or {}).items()}
            if name not in current:
                current[name] = attrs
                order.append(name)
                continue
            known = current[name]
            known.update({k: v for k, v in attrs.items() if v != "" or k not in known})
        ids = {n: i for n, (i, _) in stored.items()}
        with self.project.action("participant", f"{len(order)} participants") as act:
            new_ids = act.insert_many(
                "participants",
                ({"name": n, "attributes": json.dumps(current[n], ensure_ascii=False)} for n in order),
            )
            ids.update(zip(order, new_ids))
            for name, (pid, before) in stored.items():
                if current[name] != before:
                    act.update("participants", pid, {"attributes": json.dumps(current[name], ensure_ascii=False)})
        return {**ids, **{given: ids[name] for given, name in alias.items()}}

    def set_attributes(self, name: str, attributes: dict[str, str]) -> Participant:
        """Set (merge) attributes of an existing participant."""
        if self.find(name) is None:
            raise NotFoundError(f"no participant called {name!r}")
        return self.ensure(name, attributes)

    def merge(self, keep: Participant, gone: Participant) -> int:
        """Move ``gone``'s turns, documents and attributes to ``keep`` and delete ``gone``; one action.

        Returns the number of turns moved.

        Raises:
            ValidationError: the same participant twice, or an attribute both
                have with different values (named in the message).
        """
        if keep.id == gone.id:
            raise ValidationError(f"{keep.name!r} and {gone.name!r} are the same participant")
        conflicts = [
            k
            for k, v in gone.attributes.items()
            if v.strip() and keep.attributes.get(k, "").strip() and keep.attributes[k].strip() != v.strip()
        ]
        if conflicts:
            k = conflicts[0]
            raise ValidationError(
                f"attribute {k!r} differs: {keep.name} has {keep.attributes[k]!r}, {gone.name} has "
                f"{gone.attributes[k]!r}; set one with 'qualcode participants set' first"
            )
        merged = {
            **{k: v for k, v in gone.attributes.items()},
            **{k: v for k, v in keep.attributes.items() if v.strip() or k not in gone.attributes},
        }
        turn_ids = [r["id"] for r in self.project.query("SELECT id FROM turns WHERE participant_id = ?", [gone.id])]
        doc_ids = [r["id"] for r in self.project.query("SELECT id FROM documents WHERE participant_id = ?", [gone.id])]
        with self.project.action("participants-merge", f"merge participant {gone.name} into {keep.name}") as act:
            act.update_many("turns", turn_ids, {"participant_id": keep.id})
            act.update_many("documents", doc_ids, {"participant_id": keep.id})
            if merged != keep.attributes:
                act.update("participants", keep.id, {"attributes": json.dumps(merged, ensure_ascii=False)})
            act.delete("participants", gone.id)
        return len(turn_ids)

    def attribute_names(self) -> list[str]:
        """Every attribute name any participant has, sorted (keys read in SQL, not a million objects)."""
        return self.project.tables.attribute_names()
