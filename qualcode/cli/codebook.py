"""``qualcode codebook``: load, show and export codebooks; manage codes.

Each command opens the project, calls one core function from
:mod:`qualcode.codebook` or ``project.codes`` and prints text or ``--json``.
Codes are named by path (``Theme > Code``), by a unique name, or by id.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from qualcode.cli._common import JsonOpt, ProjectOpt, fail, open_for_command, print_json, user_errors

if TYPE_CHECKING:
    from qualcode.codebook import CodeCount
    from qualcode.model import Code

codebook_app = typer.Typer(
    name="codebook",
    help="Load, show and export codebooks (YAML, CSV, REFI-QDA .qdc); add, rename, move, merge and delete codes.",
    no_args_is_help=True,
    rich_markup_mode=None,
)

CodeArg = Annotated[str, typer.Argument(help="A code: its path ('Theme > Code'), a unique name, or its id.")]
DescOpt = Annotated[str | None, typer.Option("--description", "-d", help="What the code means.")]
IncludeOpt = Annotated[str | None, typer.Option("--include", help="When to apply the code.")]
ExcludeOpt = Annotated[str | None, typer.Option("--exclude", help="When not to apply it.")]
KeywordsOpt = Annotated[str | None, typer.Option("--keywords", help="Comma-separated keywords ('' clears).")]
ExamplesOpt = Annotated[
    list[str] | None, typer.Option("--example", help="An example quote; repeat for several (replaces the list).")
]
KeyOpt = Annotated[str | None, typer.Option("--key", help="One-character shortcut key ('' clears).")]
ColourOpt = Annotated[str | None, typer.Option("--colour", "--color", help="Colour as #rrggbb ('' clears).")]


def register(app: typer.Typer) -> None:
    """Add the ``codebook`` command group to the application."""
    app.add_typer(codebook_app, name="codebook")


def _code_json(code: "Code") -> dict[str, Any]:
    return {
        "id": code.id,
        "name": code.name,
        "path": code.path,
        "parent_id": code.parent_id,
        "description": code.description,
        "include": code.include,
        "exclude": code.exclude,
        "examples": list(code.examples),
        "keywords": list(code.keywords),
        "colour": code.colour,
        "key": code.key,
    }


def _fields(
    description: str | None = None,
    include: str | None = None,
    exclude: str | None = None,
    keywords: str | None = None,
    examples: list[str] | None = None,
    key: str | None = None,
    colour: str | None = None,
) -> dict[str, Any]:
    """The fields given on the command line, validated; ``''`` clears key/colour."""
    from qualcode.codebook.tree import check_colour, check_key

    out: dict[str, Any] = {}
    for name, value in (("description", description), ("include", include), ("exclude", exclude)):
        if value is not None:
            out[name] = value.strip()
    if keywords is not None:
        out["keywords"] = [k.strip() for k in keywords.split(",") if k.strip()]
    if examples:
        out["examples"] = [e.strip() for e in examples if e.strip()]
    if key is not None:
        out["key"] = check_key(key, "--key")
    if colour is not None:
        out["colour"] = check_colour(colour.strip(), "--colour")
    return out


def _report(code: "Code", message: str, as_json: bool) -> None:
    if as_json:
        print_json(_code_json(code))
    else:
        typer.echo(message)


@codebook_app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="Codebook file: .yaml/.yml, .csv, .qdc or .qdpx.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="Also delete codes the file does not list (codes with codings are kept).")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Report what would change; change nothing.")] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Merge a codebook file into the project by code path (one undoable action)."""
    from qualcode.codebook import load_codebook

    with user_errors():
        book = load_codebook(file)
    with open_for_command(project) as proj:
        result = _apply(proj, book, replace, dry_run)
    if as_json:
        print_json(
            {
                "codebook": book.name,
                "file": str(file),
                "dry_run": dry_run,
                "added": result.added,
                "updated": result.updated,
                "unchanged": result.unchanged,
                "removed": result.removed,
                "kept": result.kept,
            }
        )
        return
    verb = "Would load" if dry_run else "Loaded"
    typer.echo(
        f"{verb} {book.name!r} from {file}: {len(result.added)} added, {len(result.updated)} updated, "
        f"{len(result.unchanged)} unchanged, {len(result.removed)} removed."
    )
    for label, paths in (("added", result.added), ("updated", result.updated), ("removed", result.removed)):
        for path in paths:
            typer.echo(f"  {label}: {path}")
    if result.kept:
        typer.echo(f"Kept {len(result.kept)} code(s) not in the file because they have codings:")
        for path in result.kept:
            typer.echo(f"  kept: {path}")


class _DryRun(Exception):
    """Raised inside the load action to roll it back after computing the result."""


def _apply(proj: Any, book: Any, replace: bool, dry_run: bool) -> Any:
    from qualcode.codebook import apply_codebook

    if not dry_run:
        return apply_codebook(proj, book, replace=replace)
    outcome: list[Any] = []
    try:
        with proj.action("codebook-load-dry-run"):
            outcome.append(apply_codebook(proj, book, replace=replace))
            raise _DryRun
    except _DryRun:
        pass
    return outcome[0]


def _tree_lines(nodes: list["CodeCount"], depth: int = 0) -> list[str]:
    lines = []
    for node in nodes:
        key = f" [{node.code.key}]" if node.code.key else ""
        count = str(node.codings_total)
        if node.children and node.codings:
            count += f" ({node.codings} direct)"
        if node.pending:
            count += f", {node.pending} pending"
        lines.append(f"{'  ' * depth}{node.code.name}{key}  {count}")
        lines.extend(_tree_lines(node.children, depth + 1))
    return lines


@codebook_app.command("show")
def show(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """The code tree with coding counts (a parent's count includes its sub-codes)."""
    from qualcode.codebook import code_tree

    with open_for_command(project) as proj:
        tree = code_tree(proj)
    if as_json:
        print_json([node.to_json() for node in tree])
        return
    if not tree:
        typer.echo(
            "No codes yet. Load a codebook with 'qualcode codebook load FILE' or add one with 'qualcode codebook add'."
        )
        return
    typer.echo("\n".join(_tree_lines(tree)))


@codebook_app.command("export")
def export(
    file: Annotated[Path, typer.Argument(help="Output file; the extension picks the format unless --format is given.")],
    format: Annotated[str | None, typer.Option("--format", "-f", help="yaml, csv or qdc.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write the project's codebook as YAML, CSV or REFI-QDA .qdc."""
    from qualcode.codebook import codebook_from_project, write_codebook
    from qualcode.codebook.io import format_for

    with user_errors():
        fmt = format_for(file, format)
    if file.exists() and not force:
        fail(f"{file} exists; pass --force to overwrite it")
    with open_for_command(project) as proj:
        book = codebook_from_project(proj)
        with user_errors():
            write_codebook(book, file, fmt)
    if as_json:
        print_json({"file": str(file), "format": fmt, "codes": book.count()})
    else:
        typer.echo(f"Wrote {book.count()} codes to {file} ({fmt}).")


@codebook_app.command("check")
def check(
    file: Annotated[Path, typer.Argument(help="Codebook file to validate (no project needed).")],
    as_json: JsonOpt = False,
) -> None:
    """Validate a codebook file and report its size; errors name the line or row."""
    from qualcode.codebook import load_codebook

    with user_errors():
        book = load_codebook(file)
    if as_json:
        print_json({"file": str(file), "codebook": book.name, "themes": len(book.nodes), "codes": book.count()})
    else:
        typer.echo(f"{file}: OK, {book.name!r}, {len(book.nodes)} themes, {book.count()} codes.")


@codebook_app.command("add")
def add(
    path: Annotated[str, typer.Argument(help="New code path, e.g. 'Theme > Code'; missing parents are created.")],
    description: DescOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    keywords: KeywordsOpt = None,
    example: ExamplesOpt = None,
    key: KeyOpt = None,
    colour: ColourOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Add a code (and any missing parents)."""
    with user_errors():
        fields = _fields(description, include, exclude, keywords, example, key, colour)
    with open_for_command(project) as proj:
        if proj.codes.find_path(path) is not None:
            fail(f"a code {path!r} already exists; use 'qualcode codebook update' to change it")
        code, _ = proj.codes.ensure_path(path, **fields)
    _report(code, f"Added {code.path} (id {code.id}).", as_json)


@codebook_app.command("update")
def update(
    code: CodeArg,
    description: DescOpt = None,
    include: IncludeOpt = None,
    exclude: ExcludeOpt = None,
    keywords: KeywordsOpt = None,
    example: ExamplesOpt = None,
    key: KeyOpt = None,
    colour: ColourOpt = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Change a code's definition fields (only the options given)."""
    with user_errors():
        fields = _fields(description, include, exclude, keywords, example, key, colour)
    if not fields:
        fail("nothing to update; give --description, --include, --exclude, --keywords, --example, --key or --colour")
    with open_for_command(project) as proj:
        updated = proj.codes.update(code, **fields)
    _report(updated, f"Updated {updated.path}.", as_json)


@codebook_app.command("rename")
def rename(
    code: CodeArg,
    new_name: Annotated[str, typer.Argument(help="The new name (one level, no '>').")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Rename a code; its codings and sub-codes stay with it."""
    with open_for_command(project) as proj:
        old = proj.codes.resolve(code)
        renamed = proj.codes.rename(old.id, new_name)
    _report(renamed, f"Renamed {old.path} to {renamed.path}.", as_json)


@codebook_app.command("move")
def move(
    code: CodeArg,
    to: Annotated[str | None, typer.Option("--to", help="The new parent code.")] = None,
    top: Annotated[bool, typer.Option("--top", help="Move to the top level.")] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Move a code (with its sub-codes) under another code or to the top level."""
    if (to is None) == (not top):
        fail("give exactly one of --to PARENT or --top")
    with open_for_command(project) as proj:
        moved = proj.codes.move(code, None if top else to)
    _report(moved, f"Moved to {moved.path}.", as_json)


@codebook_app.command("merge")
def merge(
    source: Annotated[str, typer.Argument(help="The code to merge away.")],
    target: Annotated[str, typer.Argument(help="The code that receives its codings and sub-codes.")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Merge SOURCE into TARGET: codings, sub-codes and memos move; SOURCE is deleted."""
    with open_for_command(project) as proj:
        src = proj.codes.resolve(source)
        merged = proj.codes.merge(src.id, target)
        total = len(proj.codings.for_code(merged.id))
    _report(merged, f"Merged {src.path} into {merged.path}; it now has {total} codings.", as_json)


@codebook_app.command("delete")
def delete(code: CodeArg, project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """Delete a code that has no codings and no sub-codes (undo restores it)."""
    with open_for_command(project) as proj:
        deleted = proj.codes.delete(code)
    _report(deleted, f"Deleted {deleted.path}.", as_json)
