"""Auto-tagging runs as both front ends start and report them.

Why here: the CLI (``qualcode autotag``) and the review screen's ``t`` both
turn what the user chose (a spec file, methods, flags) into one
:class:`~qualcode.autotag.AutotagOptions`, run it, and report the same
counts; one summary line keeps their wording and numbers the same.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from qualcode.autotag import AutotagOptions, AutotagResult
    from qualcode.store import Project


def options(
    *,
    spec: Path | None = None,
    methods: Sequence[str] | str | None = None,
    codes: Sequence[str] = (),
    documents: Sequence[str] = (),
    include_interviewer: bool = False,
    dry_run: bool = False,
    **overrides: Any,
) -> "AutotagOptions":
    """Options from a spec file (if any) with the user's choices on top; ``None`` overrides are ignored.

    Raises:
        ValidationError: an unknown method, or a bad spec file.
    """
    from qualcode.autotag import AutotagOptions, load_spec, parse_methods

    opts = load_spec(spec) if spec else AutotagOptions()
    if methods:
        opts.methods = parse_methods(methods)
    if codes:
        opts.codes = tuple(codes)
    if documents:
        opts.documents = tuple(documents)
    for name, value in overrides.items():
        if value is not None:
            setattr(opts, name, value)
    opts.include_interviewer = opts.include_interviewer or include_interviewer
    opts.dry_run = dry_run
    return opts


def run(
    project: "Project", opts: "AutotagOptions", on_progress: Callable[[int, int], None] | None = None
) -> "AutotagResult":
    """Propose codings (pending review) as ``opts`` says; one undoable run."""
    from qualcode.autotag import autotag

    return autotag(project, opts, on_progress=on_progress)


def summary(result: "AutotagResult", unit: str = "turn") -> str:
    """``run 3: added 12 codings over 40 turns (rules 12); skipped …`` — the line both front ends show."""
    verb = "would add" if result.dry_run else "added"
    where = "dry run" if result.dry_run else f"run {result.run_id}"
    methods = ", ".join(f"{m} {n}" for m, n in result.by_method.items()) or "none"
    return (
        f"{where}: {verb} {result.added} codings over {result.units} {unit}s ({methods}); "
        f"skipped {result.skipped_human} coded by a human, {result.skipped_existing} already proposed"
    )
