"""Theme suggestions, their member segments and the embedding cache.

Why a repository of its own: a suggestion run writes hundreds of rows
(topics, memberships) that the TUI, the CLI and auto-tagging read back;
keeping their SQL here, next to the other repositories, means the themes
package never touches SQLite directly. Run outputs are machine results, not
analyst edits, so they are written as logged but not undoable actions;
accepting, rejecting and merging suggestions are analyst decisions and are
undoable.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from qualcode.errors import NotFoundError
from qualcode.model import ThemeSuggestion

if TYPE_CHECKING:
    from qualcode.store.action import Action
    from qualcode.store.project import Project


#: Above this many texts, cached lemmas are read by one scan of the model's rows (see ``cached_lemmas``).
LEMMA_SCAN_ABOVE = 5000


@dataclass(frozen=True, slots=True)
class SuggestionSegment:
    """One unit assigned to a suggested topic, with its membership probability."""

    run_id: int
    topic: int
    document_id: int
    start: int
    end: int
    probability: float | None = None
    id: int | None = None


class Memberships(NamedTuple):
    """Every unit's topic as parallel columns (what a run writes: 10^6 rows without an object per row)."""

    document_ids: Sequence[int]
    starts: Sequence[int]
    ends: Sequence[int]
    topics: Sequence[int]
    probabilities: Sequence[float | None]


class NamedSegment(NamedTuple):
    """A member segment with its document's name (what ``--json`` prints).

    A named tuple, not a frozen dataclass: printing a run of 10^6 units
    builds one per unit, and a tuple is built several times faster.
    """

    topic: int
    document_id: int
    document: str
    start: int
    end: int
    probability: float | None = None


def _suggestion(r: dict[str, Any]) -> ThemeSuggestion:
    return ThemeSuggestion(
        run_id=r["run_id"],
        topic=r["topic"],
        label=r["label"] or "",
        keywords=tuple(json.loads(r["keywords"] or "[]")),
        size=r["size"] or 0,
        status=r["status"] or "open",
        closest_code=r["closest_code"],
        similarity=r["similarity"],
        data={**json.loads(r["data"] or "{}"), "code_id": r["code_id"], "row_id": r["id"]},
    )


class SuggestionStore:
    """Read and write ``suggestions``, ``suggestion_segments`` and ``embeddings``."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    # -- writing a run's output ---------------------------------------------
    def save(
        self,
        run_id: int,
        suggestions: Sequence[ThemeSuggestion],
        segments: Iterable[SuggestionSegment] | Memberships,
    ) -> None:
        """Store the topics and memberships of one run (one transaction)."""
        with self.project.action("suggest", f"theme suggestions of run {run_id}", undoable=False) as act:
            act.run_id = run_id
            act.insert_many("suggestions", [self._row(run_id, s) for s in suggestions])
            if isinstance(segments, Memberships):
                act.insert_many(
                    "suggestion_segments",
                    (
                        {"run_id": run_id, "topic": t, "document_id": d, "start": a, "end": b, "probability": p}
                        for d, a, b, t, p in zip(*segments)
                    ),
                )
                return
            act.insert_many(
                "suggestion_segments",
                [
                    {
                        "run_id": run_id,
                        "topic": s.topic,
                        "document_id": s.document_id,
                        "start": s.start,
                        "end": s.end,
                        "probability": s.probability,
                    }
                    for s in segments
                ],
            )

    @staticmethod
    def _row(run_id: int, s: ThemeSuggestion) -> dict[str, Any]:
        data = {k: v for k, v in s.data.items() if k not in ("code_id", "row_id")}
        return {
            "run_id": run_id,
            "topic": s.topic,
            "label": s.label,
            "keywords": json.dumps(list(s.keywords), ensure_ascii=False),
            "size": s.size,
            "status": s.status,
            "closest_code": s.closest_code,
            "similarity": s.similarity,
            "code_id": s.data.get("code_id"),
            "data": json.dumps(data, ensure_ascii=False, default=str),
        }

    # -- reading ------------------------------------------------------------
    def for_run(self, run_id: int) -> list[ThemeSuggestion]:
        rows = self.project.query("SELECT * FROM suggestions WHERE run_id = ? ORDER BY topic", [run_id])
        return [_suggestion(r) for r in rows]

    def get(self, run_id: int, topic: int) -> ThemeSuggestion:
        rows = self.project.query("SELECT * FROM suggestions WHERE run_id = ? AND topic = ?", [run_id, topic])
        if not rows:
            raise NotFoundError(f"run {run_id} has no topic {topic}")
        return _suggestion(rows[0])

    def segments(self, run_id: int, topic: int | None = None) -> list[SuggestionSegment]:
        sql = "SELECT * FROM suggestion_segments WHERE run_id = ?"
        params: list[Any] = [run_id]
        if topic is not None:
            sql += " AND topic = ?"
            params.append(topic)
        rows = self.project.query(sql + " ORDER BY topic, document_id, start", params)
        return [
            SuggestionSegment(
                r["run_id"], r["topic"], r["document_id"], r["start"], r["end"], r["probability"], r["id"]
            )
            for r in rows
        ]

    def named_segments(self, run_id: int) -> list[NamedSegment]:
        """Every member segment of a run with its document's name, in one query.

        Why: printing a run of 10^5 units must not read every document's
        header or build a dict per row.
        """
        cur = self.project.db.execute(
            "SELECT s.topic, s.document_id, d.name, s.start, s.end, s.probability FROM suggestion_segments s"
            " JOIN documents d ON d.id = s.document_id WHERE s.run_id = ? ORDER BY s.topic, s.document_id, s.start",
            [run_id],
        )
        return list(map(NamedSegment._make, cur))

    def counts(self) -> dict[int, int]:
        """Number of suggested topics (outliers excluded) per run."""
        rows = self.project.query("SELECT run_id, count(*) AS n FROM suggestions WHERE topic >= 0 GROUP BY run_id")
        return {r["run_id"]: r["n"] for r in rows}

    # -- analyst decisions (call inside an open project.action) --------------
    def update(self, act: "Action", suggestion: ThemeSuggestion, **fields: Any) -> None:
        """Change status, label, keywords, size, code_id or data of one suggestion."""
        values: dict[str, Any] = {}
        for key, value in fields.items():
            if key == "keywords":
                values[key] = json.dumps(list(value), ensure_ascii=False)
            elif key == "data":
                clean = {k: v for k, v in value.items() if k not in ("code_id", "row_id")}
                values[key] = json.dumps(clean, ensure_ascii=False, default=str)
            else:
                values[key] = value
        act.update("suggestions", int(suggestion.data["row_id"]), values)

    def move_segments(self, act: "Action", run_id: int, source: int, target: int) -> int:
        """Reassign the members of topic ``source`` to ``target`` (merging)."""
        moved = self.segments(run_id, source)
        for seg in moved:
            act.update("suggestion_segments", int(seg.id or 0), {"topic": target})
        return len(moved)

    # -- embedding cache ------------------------------------------------------
    def cached_vectors(self, model: str, shas: Sequence[str]) -> dict[str, bytes]:
        """Stored vectors (raw float32 bytes) of ``model`` for the given text hashes."""
        found: dict[str, bytes] = {}
        unique = list(dict.fromkeys(shas))
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            for r in self.project.query(
                f"SELECT text_sha, vector FROM embeddings WHERE model = ? AND text_sha IN ({marks})",
                [model, *chunk],
            ):
                found[r["text_sha"]] = r["vector"]
        return found

    def cache_vectors(self, model: str, dim: int, vectors: dict[str, bytes]) -> None:
        """Store new vectors; the cache is not part of the undo history."""
        if not vectors:
            return
        with self.project.action("embed", f"cache {len(vectors)} embeddings of {model}", undoable=False):
            self.project.db.conn.executemany(
                "INSERT OR REPLACE INTO embeddings (model, text_sha, dim, vector) VALUES (?, ?, ?, ?)",
                [(model, sha, dim, blob) for sha, blob in vectors.items()],
            )

    # -- lemma cache ----------------------------------------------------------
    def cached_lemmas(self, model: str, shas: Sequence[str]) -> dict[str, str]:
        """Stored lemma strings of ``model`` for the given text hashes."""
        found: dict[str, str] = {}
        unique = list(dict.fromkeys(shas))
        if len(unique) > LEMMA_SCAN_ABOVE:
            # Many texts (a rerun over a whole consultation): one scan of the model's rows beats thousands of
            # IN-lists, as long as the cache holds not much more than what is asked for.
            stored = self.project.db.execute("SELECT count(*) FROM lemma_cache WHERE model = ?", [model]).fetchone()[0]
            if stored <= 2 * len(unique):
                wanted = set(unique)
                cur = self.project.db.execute("SELECT text_sha, lemmas FROM lemma_cache WHERE model = ?", [model])
                return {sha: text for sha, text in cur if sha in wanted}
        for i in range(0, len(unique), 500):
            chunk = unique[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            found.update(
                self.project.db.execute(
                    f"SELECT text_sha, lemmas FROM lemma_cache WHERE model = ? AND text_sha IN ({marks})",
                    [model, *chunk],
                ).fetchall()
            )
        return found

    def cache_lemmas(self, model: str, lemmas: dict[str, str]) -> None:
        """Store new lemma strings; like the vector cache, not part of the undo history."""
        if not lemmas:
            return
        with self.project.action("lemmatise", f"cache lemmas of {len(lemmas)} texts", undoable=False):
            self.project.db.conn.executemany(
                "INSERT OR REPLACE INTO lemma_cache (model, text_sha, lemmas) VALUES (?, ?, ?)",
                [(model, sha, text) for sha, text in lemmas.items()],
            )
