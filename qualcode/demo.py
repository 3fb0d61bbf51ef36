"""The demo study: a project built from the study shipped inside the package.

Why: ``make demo`` must show a new user the whole loop (transcripts with
speakers, a codebook, human codings, a frequency table by group) on a
fresh machine with no input. The project is built into a temporary file and
renamed into place, so an interrupted build never leaves a half project.

The study lives in ``qualcode/data/demo`` and its codebook in
``qualcode/data/codebooks`` (package data, read through
:mod:`importlib.resources`), so ``qualcode demo`` works from an installed
wheel in any folder; the checkout's ``corpora/demo`` and
``codebooks/social_value.yaml`` are symlinks to them (one copy in git).
"""

from __future__ import annotations

import os
from pathlib import Path

from qualcode.errors import ProjectError


def package_data(*parts: str) -> Path:
    """A file or folder under ``qualcode/data`` as a real path.

    Why a path and not a Traversable: the importers walk folders and open
    files by path. Wheels install unpacked, so the resource is a real
    folder; a zipped install is refused with a clear error by the caller.
    """
    from importlib.resources import files

    resource = files("qualcode").joinpath("data", *parts)
    return resource if isinstance(resource, Path) else Path(str(resource))


DEMO_DIR = package_data("demo")
DEMO_CODEBOOK = package_data("codebooks", "social_value.yaml")


def _remove(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        p = Path(str(path) + suffix)
        if p.exists():
            p.unlink()


DEMO_MARK = "demo"


def is_demo_project(target: Path, demo_dir: Path = DEMO_DIR) -> bool:
    """Whether ``target`` is a demo project (marked by :func:`build_demo`, or every
    document imported from ``demo_dir`` by an older build)."""
    from qualcode.errors import QualcodeError
    from qualcode.store import open_project

    try:
        with open_project(target, create=False) as proj:
            if proj.meta(DEMO_MARK) == "1":
                return True
            docs = proj.documents.all()
            root = demo_dir.resolve()
            return bool(docs) and all(d.source_path and root in Path(d.source_path).resolve().parents for d in docs)
    except QualcodeError:
        return False


def build_demo(target: Path, *, rebuild: bool = False, demo_dir: Path = DEMO_DIR) -> bool:
    """Build the demo project at ``target`` unless it exists; returns True if built.

    Raises:
        ProjectError: ``rebuild`` was asked for a file that is not a demo
            project (a real study behind ``$QUALCODE_PROJECT`` must never be
            replaced by the demo).
    """
    from qualcode.codebook import apply_codebook, load_codebook
    from qualcode.coding_batch import apply_batch
    from qualcode.ingest import ImportOptions, import_paths
    from qualcode.store import open_project

    target = Path(target)
    if target.exists() and not rebuild:
        return False
    if target.exists() and not is_demo_project(target, demo_dir):
        raise ProjectError(
            "is not a demo project; 'demo --rebuild' only replaces a project built by 'qualcode demo' "
            "(give another --project)",
            where=str(target),
        )
    if not demo_dir.is_dir():
        raise ProjectError("the demo study is missing (reinstall qualcode)", where=str(demo_dir))
    tmp = target.with_name(target.name + ".building")
    _remove(tmp)
    with open_project(tmp) as proj:
        proj.set_meta(DEMO_MARK, "1")
        apply_codebook(proj, load_codebook(DEMO_CODEBOOK))
        transcripts = sorted(p for p in demo_dir.iterdir() if p.suffix in (".txt", ".vtt", ".docx", ".json"))
        results = import_paths(
            proj,
            transcripts,
            ImportOptions(participants_file=demo_dir / "participants.csv", interviewers=("Interviewer", "Moderator")),
        )
        survey = demo_dir / "survey.csv"
        if survey.exists():
            results += import_paths(
                proj,
                [survey],
                ImportOptions(
                    survey=True, id_column="respondent_id", text_columns=("feedback_comments", "improvements")
                ),
            )
        errors = [r for r in results if r.status == "error"]
        if errors:
            raise ProjectError("; ".join(r.error or r.file for r in errors), where=str(demo_dir))
        codings = demo_dir / "codings.csv"
        if codings.exists():
            apply_batch(proj, codings, coder="demo-analyst")
    _remove(target)
    for suffix in ("-wal", "-shm"):
        p = Path(str(tmp) + suffix)
        if p.exists():
            p.unlink()
    os.replace(tmp, target)
    return True


def demo_summary(target: Path) -> str:
    """A short text report: what is in the project and the theme frequencies by org size."""
    from qualcode.store import open_project, project_stats

    with open_project(target, create=False) as proj:
        st = project_stats(proj)
        lines = [
            f"{st['documents']} documents, {st['turns']} turns, {st['participants']} participants, "
            f"{st['codes']} codes, {st['codings']} codings"
        ]
        try:
            from qualcode.analysis import frequencies
        except ImportError:
            return "\n".join(lines)
        by = "org_size" if "org_size" in proj.participants.attribute_names() else None
        df = frequencies(proj, by=[by] if by else None)
        return "\n".join(lines + [""] + format_frequencies(df))


def format_frequencies(df) -> list[str]:  # noqa: ANN001 - a pandas DataFrame
    """A compact, indented frequency table for a terminal."""
    base = df.attrs.get("participants_base")
    groups = [c[: -len(": participants")] for c in df.columns if c.endswith(": participants")]
    head = f"{'code':<46} {'codings':>7} {'people':>6} {'%':>6}"
    head += "".join(f" {g.split('=', 1)[-1][:14]:>16}" for g in groups)
    out = [head, "-" * len(head)]
    for row in df.to_dict("records"):
        name = ("  " * int(row["depth"]) + str(row["code"]))[:46]
        line = f"{name:<46} {row['codings']:>7} {row['participants']:>6} {row['participants_percent']:>5.1f}%"
        for g in groups:
            line += f" {row[g + ': participants']:>7} ({row[g + ': participants_percent']:>5.1f}%)"
        out.append(line)
    if base is not None:
        out.append(f"% of the {base} participants with codeable text; group columns: participants (% of group)")
    return out
