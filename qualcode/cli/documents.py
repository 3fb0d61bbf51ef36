"""Document commands: ``import``, ``documents``, ``show``, ``participants``.

Why thin: each command opens the project, calls one function of
:mod:`qualcode.ingest` or the store, and prints text or ``--json``. The
importers are imported inside the commands so ``qualcode --help`` stays fast.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from qualcode.cli._common import (
    JsonOpt,
    ProjectOpt,
    fail,
    is_terminal,
    open_for_command,
    print_json,
    progress,
    user_errors,
)
from qualcode.services.documents import participant_rows

if TYPE_CHECKING:
    from qualcode.services.imports import ImportSummary


def import_(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders (walked recursively, hidden files skipped).")],
    kind: Annotated[
        Optional[str], typer.Option("--kind", help="interview, focus_group, survey or other (default: guessed).")
    ] = None,
    interviewer: Annotated[
        Optional[list[str]],
        typer.Option("--interviewer", help="Speaker label to mark as interviewer (repeatable)."),
    ] = None,
    participants: Annotated[
        Optional[Path],
        typer.Option("--participants", help="CSV/XLSX: participant[,document][,speaker], attribute columns…"),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace", help="Replace documents of the same name (their codings are removed; asks on a terminal)."
        ),
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --replace: do not ask before removing codings.")
    ] = False,
    survey: Annotated[
        bool, typer.Option("--survey", help="Read CSV/XLSX as a survey: one document per answer.")
    ] = False,
    id_column: Annotated[Optional[str], typer.Option("--id-column", help="Survey respondent id column.")] = None,
    text_column: Annotated[
        Optional[list[str]],
        typer.Option("--text-column", help="Text column (repeatable for surveys)."),
    ] = None,
    speaker_column: Annotated[
        Optional[str], typer.Option("--speaker-column", help="Transcript table speaker column.")
    ] = None,
    document_column: Annotated[
        Optional[str], typer.Option("--document-column", help="Column grouping table rows into documents.")
    ] = None,
    encoding: Annotated[
        Optional[str], typer.Option("--encoding", help="Force a text encoding (default: detected).")
    ] = None,
    exclude: Annotated[
        Optional[list[str]],
        typer.Option(
            "--exclude", help="Skip files in folders whose name matches this pattern, e.g. '*.csv' (repeatable)."
        ),
    ] = None,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Import transcripts, documents, captions, tables and surveys.

    Each file imports all-or-nothing; a bad file is reported and the others
    still import (exit status 1 if any file failed).
    """
    from qualcode.ingest import ImportOptions
    from qualcode.services.imports import import_files

    texts = tuple(text_column or ())
    if not survey and len(texts) > 1:
        fail("--text-column can be given several times only with --survey")
    options = ImportOptions(
        kind=kind,
        interviewers=tuple(interviewer or ()),
        participants_file=participants,
        replace=replace,
        survey=survey,
        id_column=id_column,
        text_columns=texts if survey else (),
        speaker_column=speaker_column,
        text_column=None if survey else (texts[0] if texts else None),
        document_column=document_column,
        encoding=encoding,
        exclude=tuple(exclude or ()),
    )
    with open_for_command(project, create=True) as proj, user_errors():
        if replace and not yes and _interactive():
            # Only a person asked first needs the codings per document before the replace.
            _confirm_replace(paths, options, {s.name: s.codings for s in proj.documents.iter_summaries(names=False)})
        with progress(len(paths), "importing") as bar:
            summary = import_files(proj, paths, options, on_progress=bar)
    if as_json:
        print_json(
            [
                {
                    **r.to_dict(),
                    "codings_removed": summary.codings_removed.get(r.file, 0),
                    "warnings": [w.to_json() for w in summary.warnings.get(i, ())],
                }
                for i, r in enumerate(summary.results)
            ]
        )
    else:
        _print_import(summary)
    if summary.failed:
        raise typer.Exit(1)


def _print_import(summary: "ImportSummary") -> None:
    """One line per file: what it became, or why it failed (on stderr); then the speaker warnings."""
    if not summary.results:
        typer.echo("no importable files found", err=True)
    for r in summary.results:
        if r.status == "error":
            typer.echo(f"Error: {r.error}", err=True)
            continue
        what = r.document if len(r.documents) <= 1 else f"{len(r.documents)} documents"
        enc = f", {r.encoding}" if r.encoding and r.status != "skipped" else ""
        extra = f" ({r.turns} turns{enc})" if r.status != "skipped" else " (identical file already imported)"
        if r.controls_replaced:
            extra += f", {r.controls_replaced} control characters replaced"
        if summary.codings_removed.get(r.file):
            extra += f", {summary.codings_removed[r.file]} codings removed"
        typer.echo(f"{r.status:>8}  {r.file} -> {what}{extra}")
    for found in summary.warnings.values():
        for w in found:
            typer.echo(f"warning: {w.warning()}", err=True)


def _interactive() -> bool:
    """A person at a terminal who can answer a question."""
    return is_terminal() and sys.stdin.isatty()


def _confirm_replace(paths: list[Path], options: Any, coded: dict[str, int]) -> None:
    """On a terminal, say how many codings --replace will remove and ask first."""
    from qualcode.ingest import parse_file
    from qualcode.ingest.importer import walk

    names: list[str] = []
    for path in walk(paths, options.exclude):
        try:
            names += [d.name for d in parse_file(path, options)]
        except Exception:  # noqa: BLE001 - the import itself reports bad files
            continue
    hit = [n for n in names if n in coded]
    lost = sum(coded[n] for n in hit)
    if (
        hit
        and lost
        and not typer.confirm(
            f"--replace will replace {len(hit)} document(s) and remove their {lost} coding(s). Continue?", default=False
        )
    ):
        raise typer.Exit(1)


def documents(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List documents with kind, words, turns and codings."""
    with open_for_command(project) as proj, user_errors():
        if as_json:
            # Streamed page by page: a 10^6-answer survey is listed in constant memory.
            _print_json_stream(_document_row(s) for s in proj.documents.iter_summaries(names=False))
            return
        rows = [_document_row(s) for s in proj.documents.iter_summaries(names=False)]
    if not rows:
        typer.echo("no documents; add some with 'qualcode import'")
        return
    width = max(len(r["name"]) for r in rows)
    typer.echo(f"{'document':<{width}}  {'kind':<11} {'words':>7} {'turns':>6} {'codings':>8}  participant")
    for r in rows:
        typer.echo(
            f"{r['name']:<{width}}  {r['kind']:<11} {r['words']:>7} {r['turns']:>6} {r['codings']:>8}  {r['participant'] or ''}"
        )


def _print_json_stream(items: Iterable[dict[str, Any]]) -> None:
    """Print a JSON array of flat objects item by item, laid out exactly as ``print_json`` lays out the list.

    Why by hand: ``json.dumps(..., indent=2)`` runs the pure-Python encoder,
    the slowest part of listing 10^6 documents; flat rows need only scalars.
    """
    import json
    import sys
    from json.encoder import encode_basestring

    def scalar(v: Any) -> str:
        if v is None:
            return "null"
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, str):
            return encode_basestring(v)
        if isinstance(v, int):
            return int.__repr__(v)
        return json.dumps(v, ensure_ascii=False, default=str)

    out = sys.stdout
    buf: list[str] = []
    prefixes: dict[str, str] = {}
    started = False
    for item in items:
        fields = []
        for k, v in item.items():
            if k not in prefixes:
                prefixes[k] = f"    {encode_basestring(k)}: "
            fields.append(prefixes[k] + scalar(v))
        buf.append("  {\n" + ",\n".join(fields) + "\n  }")
        if len(buf) >= 1000:
            out.write(("[\n" if not started else ",\n") + ",\n".join(buf))
            started = True
            buf.clear()
    if buf:
        out.write(("[\n" if not started else ",\n") + ",\n".join(buf))
        started = True
    out.write("\n]\n" if started else "[]\n")
    out.flush()


def _document_row(s: Any) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "kind": s.kind,
        "words": s.words,
        "turns": s.turns,
        "codings": s.codings,
        "participant": s.participant,
        "source_path": s.source_path,
        "imported_at": s.imported_at,
        "encoding": s.encoding,
    }


def show(
    document: Annotated[str, typer.Argument(help="Document name, #id or unique name prefix.")],
    text_only: Annotated[
        bool, typer.Option("--text/--turns", help="Print the stored text as is, or speaker-labelled turns (default).")
    ] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Show a document: its turns with speakers, or its raw text."""
    with open_for_command(project) as proj, user_errors():
        doc = proj.documents.resolve(document)
        turns = proj.documents.turns(doc.id)
        people = {p.id: p.name for p in proj.participants.all()}
    if as_json:
        print_json(
            {
                "id": doc.id,
                "name": doc.name,
                "kind": doc.kind,
                "participant": people.get(doc.participant_id) if doc.participant_id else None,
                "source_path": doc.source_path,
                "metadata": doc.metadata,
                "text": doc.text,
                "turns": [
                    {
                        "id": t.id,
                        "seq": t.seq,
                        "speaker": t.speaker,
                        "role": t.role,
                        "participant": people.get(t.participant_id) if t.participant_id else None,
                        "start": t.start,
                        "end": t.end,
                        "time_start": t.time_start,
                        "time_end": t.time_end,
                        "text": doc.text[t.start : t.end],
                    }
                    for t in turns
                ],
            }
        )
        return
    if text_only:
        typer.echo(doc.text)
        return
    typer.echo(f"# {doc.name} ({doc.kind}, {len(turns)} turns)")
    for t in turns:
        who = t.speaker or "-"
        if t.role == "interviewer":
            who += " [interviewer]"
        elif t.participant_id and people.get(t.participant_id) != t.speaker:
            who += f" [{people.get(t.participant_id)}]"
        stamp = f" {t.time_start}" if t.time_start else ""
        typer.echo(f"\n{who}{stamp}:\n{doc.text[t.start : t.end]}")


participants_app = typer.Typer(help="List participants and their attributes, or set attributes.", no_args_is_help=False)


@participants_app.callback(invoke_without_command=True)
def participants(ctx: typer.Context, project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List participants with attributes and the documents they speak in."""
    if ctx.invoked_subcommand is not None:
        return
    with open_for_command(project) as proj, user_errors():
        rows = participant_rows(proj)
    if as_json:
        print_json([r.to_json() for r in rows])
        return
    if not rows:
        typer.echo("no participants")
        return
    for r in rows:
        attrs = ", ".join(f"{k}={v}" for k, v in r.attributes.items())
        typer.echo(
            f"{r.name}  [{attrs}]  in {len(r.documents)} document(s): {', '.join(r.documents[:5])}"
            + (" …" if len(r.documents) > 5 else "")
        )


@participants_app.command("set")
def participants_set(
    name: Annotated[str, typer.Argument(help="Participant name.")],
    values: Annotated[list[str], typer.Argument(help="KEY=VALUE attributes to set.")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Set attributes of a participant, e.g. ``participants set Priya org_size=SME``."""
    attrs: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            fail(f"expected KEY=VALUE, got {item!r}")
        attrs[key.strip()] = value.strip()
    with open_for_command(project) as proj, user_errors():
        person = proj.participants.set_attributes(name, attrs)
    if as_json:
        print_json({"id": person.id, "name": person.name, "attributes": person.attributes})
    else:
        typer.echo(f"{person.name}: " + ", ".join(f"{k}={v}" for k, v in person.attributes.items()))


@participants_app.command("merge")
def participants_merge(
    keep: Annotated[str, typer.Argument(help="The participant to keep (A).")],
    gone: Annotated[str, typer.Argument(help="The participant merged into A and removed (B).")],
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Merge B into A: B's turns, documents and attributes move to A (a conflicting attribute is an error)."""
    from qualcode.services.speakers import merge_participants

    with open_for_command(project) as proj, user_errors():
        change = merge_participants(proj, keep, gone)
    if as_json:
        print_json(change.to_json())
    else:
        typer.echo(f"{change.summary} (undo with 'qualcode undo')")


def register(app: typer.Typer) -> None:
    app.command("import")(import_)
    app.command("documents")(documents)
    app.command("show")(show)
    app.add_typer(participants_app, name="participants")
