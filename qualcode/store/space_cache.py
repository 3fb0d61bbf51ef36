"""The cache of fitted embedding spaces (theme suggestion's unit vectors).

Why a cache of whole spaces, not of vectors per text: the default embedding
(TF-IDF over lemmas → truncated SVD) is fitted on the corpus itself, so a
unit's vector depends on every other unit; the per-text ``embeddings`` table
(sentence-transformers vectors, which do not) cannot hold it. A space is
stored under a key that hashes the units' lemma strings and the embedding
settings, so a rerun on the same units (new seed, new topic count) reads the
vectors back and only clusters, while an edited text or other settings miss
the cache. Arrays are kept as bytes in parts of at most ``PART_BYTES``, so a
10^6-unit space is written and read without one huge blob. Like the lemma
cache, nothing here is part of the undo history: entries are pure functions
of their key, so an undo can never make one wrong.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from qualcode.store.base import now

if TYPE_CHECKING:
    from qualcode.store.project import Project

#: Largest blob written in one row.
PART_BYTES = 32 * 1024 * 1024
#: Spaces kept per project (the newest); a 10^6-unit space takes about 400 MB.
KEEP = 2


@dataclass(frozen=True, slots=True)
class CachedSpace:
    """A stored space: its settings (``meta``) and named byte arrays (``parts``)."""

    key: str
    meta: dict[str, Any] = field(default_factory=dict)
    parts: dict[str, bytes] = field(default_factory=dict)


class SpaceCache:
    """Read and write ``space_cache`` and ``space_cache_parts``."""

    def __init__(self, project: "Project") -> None:
        self.project = project

    def get(self, key: str) -> CachedSpace | None:
        """The space stored under ``key``, or ``None`` (also for one whose parts are incomplete)."""
        found = self.project.db.execute("SELECT meta FROM space_cache WHERE key = ?", [key]).fetchone()
        if found is None:
            return None
        meta = json.loads(found[0])
        chunks: dict[str, list[bytes]] = {}
        cur = self.project.db.execute(
            "SELECT name, data FROM space_cache_parts WHERE key = ? ORDER BY name, part", [key]
        )
        for name, data in cur:
            chunks.setdefault(name, []).append(data)
        parts = {name: b"".join(pieces) for name, pieces in chunks.items()}
        sizes = meta.get("part_sizes", {})
        if any(len(parts.get(name, b"")) != size for name, size in sizes.items()):
            return None
        return CachedSpace(key, meta, parts)

    def put(self, key: str, meta: Mapping[str, Any], parts: Mapping[str, bytes]) -> None:
        """Store a space (replacing one under the same key) and drop all but the newest ``KEEP``."""
        record = {**meta, "part_sizes": {name: len(data) for name, data in parts.items()}}
        with self.project.action(
            "cache-space", f"cache an embedding space of {meta.get('rows', '?')} units", undoable=False
        ):
            db = self.project.db
            db.execute("DELETE FROM space_cache_parts WHERE key = ?", [key])
            db.execute(
                "INSERT OR REPLACE INTO space_cache (key, created_at, meta) VALUES (?, ?, ?)",
                [key, now(), json.dumps(record)],
            )
            for name, data in parts.items():
                view = memoryview(data)
                for i, start in enumerate(range(0, max(1, len(data)), PART_BYTES)):
                    db.execute(
                        "INSERT INTO space_cache_parts (key, name, part, data) VALUES (?, ?, ?, ?)",
                        [key, name, i, bytes(view[start : start + PART_BYTES])],
                    )
            stale = [
                r[0]
                for r in db.execute(
                    "SELECT key FROM space_cache ORDER BY created_at DESC, rowid DESC LIMIT -1 OFFSET ?", [KEEP]
                ).fetchall()
            ]
            for old in stale:
                db.execute("DELETE FROM space_cache_parts WHERE key = ?", [old])
                db.execute("DELETE FROM space_cache WHERE key = ?", [old])

    def keys(self) -> list[str]:
        """Stored keys, newest first."""
        return [
            r[0] for r in self.project.db.execute("SELECT key FROM space_cache ORDER BY created_at DESC, rowid DESC")
        ]
