"""Import files with a summary both front ends show.

Why here: the CLI prints one line per file and the TUI one notification for
the whole batch, but both run the same importer and count the same outcomes;
the one-line summary used to be guessed from whatever the importer returned.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.ingest import ImportOptions, ImportResult
    from qualcode.services.speakers import SpeakerInfo
    from qualcode.store import Project


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """The per-file results of one import, in order, and the speaker labels worth a second look."""

    results: tuple["ImportResult", ...]
    warnings: dict[int, tuple["SpeakerInfo", ...]] = field(default_factory=dict)
    """By index into ``results``: labels of that file's documents that look like a misspelling or case variant."""
    codings_removed: dict[str, int] = field(default_factory=dict)
    """By file: the codings a ``--replace`` removed with the documents it replaced."""

    @property
    def failed(self) -> bool:
        """Whether any file failed (the CLI exits 1 then)."""
        return any(r.status == "error" for r in self.results)

    def counts(self) -> dict[str, int]:
        """Files per status (``imported``, ``replaced``, ``skipped``, ``error``)."""
        return dict(Counter(r.status for r in self.results))

    def line(self) -> str:
        """One line for a notification: ``2 imported, 1 skipped — a.txt: why``."""
        text = ", ".join(f"{n} {status}" for status, n in sorted(self.counts().items())) or "nothing to import"
        errors = [f"{r.file}: {r.error}" for r in self.results if r.error]
        warned = sum(len(w) for w in self.warnings.values())
        return (
            text + (f", {warned} speaker label(s) to check" if warned else "") + (f" — {errors[0]}" if errors else "")
        )


def import_files(
    project: "Project",
    paths: Iterable[str | Path],
    options: "ImportOptions | None" = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> ImportSummary:
    """Import files and folders (each file all-or-nothing) and summarise what happened.

    The summary says how many codings each replaced file removed, as the store
    counted them while replacing (nothing is read beforehand).

    Raises:
        ImportFormatError: the options or the participants file are invalid (nothing imported).
    """
    from qualcode.ingest import import_paths
    from qualcode.services.speakers import suspect_labels

    results = tuple(import_paths(project, [Path(p) for p in paths], options, on_progress=on_progress))
    removed = {r.file: r.codings_removed for r in results if r.status == "replaced"}
    warnings = {}
    for i, r in enumerate(results):
        # Only documents with two labels or more can hold a misspelt one: a survey of
        # 10^6 one-turn answers is not read back label by label.
        if r.status in ("imported", "replaced") and r.several_speakers:
            found = suspect_labels(project, list(r.several_speakers))
            if found:
                warnings[i] = tuple(found)
    return ImportSummary(results, warnings, removed)
