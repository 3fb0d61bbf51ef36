"""Coding commands: ``code``, ``uncode``, ``recode``, ``memo``, ``memos``, ``search``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from qualcode.cli._common import CoderOpt, JsonOpt, ProjectOpt, fail, open_for_command, print_json, user_errors


def _coding_json(project, coding) -> dict:  # noqa: ANN001 - store types
    doc = project.documents.get(coding.document_id)
    code = project.codes.get(coding.code_id)
    return {
        "id": coding.id,
        "document": doc.name,
        "start": coding.start,
        "end": coding.end,
        "code": code.name,
        "path": code.path,
        "coder": coding.coder,
        "origin": coding.origin,
        "status": coding.status,
        "text": doc.text[coding.start : coding.end],
    }


def code(
    args: Annotated[
        Optional[list[str]], typer.Argument(help="DOCUMENT START END CODE... (or DOCUMENT CODE... with --turn)")
    ] = None,
    batch: Annotated[
        Optional[Path], typer.Option("--batch", help="CSV with document,start,end,code[,coder,memo]; all rows or none.")
    ] = None,
    turn: Annotated[
        Optional[int], typer.Option("--turn", help="Code the whole turn with this number (see 'show').")
    ] = None,
    create_codes: Annotated[
        bool, typer.Option("--create-codes", help="Create codes named in --batch that do not exist.")
    ] = False,
    project: ProjectOpt = None,
    coder: CoderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Apply codes to a span (code-point offsets, end exclusive), a turn, or a CSV batch."""
    with open_for_command(project) as proj, user_errors():
        proj.coder = coder
        if batch is not None:
            from qualcode.coding_batch import apply_batch

            result = apply_batch(proj, batch, coder=coder, create_codes=create_codes)
            if as_json:
                print_json(
                    {
                        "file": str(batch),
                        "rows": result.rows,
                        "added": result.added,
                        "duplicates": result.duplicates,
                        "codes_created": result.codes_created,
                        "memos": result.memos,
                    }
                )
            else:
                typer.echo(
                    f"{batch}: {result.rows} rows, {result.added} codings added, "
                    f"{result.duplicates} already present, {result.codes_created} codes created"
                )
            return
        args = list(args or [])
        if turn is not None:
            if len(args) < 2:
                fail("usage: qualcode code DOCUMENT --turn N CODE...")
            doc = proj.documents.resolve(args[0])
            turns = proj.documents.turns(doc.id)
            if not 0 <= turn < len(turns):
                fail(f"{doc.name} has turns 0-{len(turns) - 1}, not {turn}")
            codings = proj.codings.apply_turn(turns[turn].id, args[1:], coder=coder)
        else:
            if len(args) < 4:
                fail("usage: qualcode code DOCUMENT START END CODE...  (or --batch FILE.csv)")
            try:
                start, end = int(args[1]), int(args[2])
            except ValueError:
                fail(f"START and END must be integers, not {args[1]!r} {args[2]!r}")
            codings = proj.codings.apply(args[0], start, end, args[3:], coder=coder)
        if as_json:
            print_json([_coding_json(proj, c) for c in codings])
        else:
            for c in codings:
                info = _coding_json(proj, c)
                typer.echo(f"#{c.id} {info['path']} on {info['document']} {c.start}-{c.end}: {info['text'][:60]!r}")


def uncode(
    args: Annotated[list[str], typer.Argument(help="CODING_ID... or DOCUMENT START END [CODE]")],
    project: ProjectOpt = None,
) -> None:
    """Remove codings by id, or every coding on an exact span (undoable)."""
    with open_for_command(project) as proj, user_errors():
        if all(a.lstrip("#").isdigit() for a in args):
            # All or nothing: an unknown id among several removes none of them.
            for c in proj.codings.remove_many([int(a.lstrip("#")) for a in args]):
                typer.echo(f"removed coding #{c.id}")
            return
        if len(args) not in (3, 4):
            fail("usage: qualcode uncode CODING_ID...  or  qualcode uncode DOCUMENT START END [CODE]")
        try:
            start, end = int(args[1]), int(args[2])
        except ValueError:
            fail("START and END must be integers")
        removed = proj.codings.remove_span(args[0], start, end, args[3] if len(args) == 4 else None)
        typer.echo(f"removed {len(removed)} coding(s)")


def recode(
    coding_id: Annotated[int, typer.Argument(help="The coding to change.")],
    new_code: Annotated[str, typer.Argument(help="Code path or unique name.")],
    project: ProjectOpt = None,
) -> None:
    """Give a coding another code (span, coder and history kept)."""
    with open_for_command(project) as proj, user_errors():
        c = proj.codings.recode(coding_id, new_code)
        typer.echo(f"#{c.id} is now {proj.codes.get(c.code_id).path}")


def memo(
    text: Annotated[str, typer.Argument(help="The memo text.")],
    document: Annotated[Optional[str], typer.Option("--document", "-d", help="Attach to a document.")] = None,
    code_ref: Annotated[Optional[str], typer.Option("--code", "-c", help="Attach to a code.")] = None,
    coding: Annotated[Optional[int], typer.Option("--coding", help="Attach to a coding id.")] = None,
    turn: Annotated[Optional[int], typer.Option("--turn", help="Attach to turn N of --document.")] = None,
    project: ProjectOpt = None,
    coder: CoderOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Write a memo on the project (default), a document, a turn, a code or a coding."""
    with open_for_command(project) as proj, user_errors():
        if coding is not None:
            target, target_id = "coding", coding
        elif code_ref:
            target, target_id = "code", proj.codes.resolve(code_ref).id
        elif document and turn is not None:
            doc = proj.documents.resolve(document)
            turns = proj.documents.turns(doc.id)
            if not 0 <= turn < len(turns):
                fail(f"{doc.name} has turns 0-{len(turns) - 1}, not {turn}")
            target, target_id = "turn", turns[turn].id
        elif document:
            target, target_id = "document", proj.documents.resolve(document).id
        else:
            target, target_id = "project", None
        m = proj.memos.add(target, target_id, text, author=coder)
        if as_json:
            print_json({"id": m.id, "target": m.target, "target_id": m.target_id, "text": m.text, "author": m.author})
        else:
            typer.echo(f"memo #{m.id} on {m.target}{'' if m.target_id is None else ' ' + str(m.target_id)}")


def memos(project: ProjectOpt = None, as_json: JsonOpt = False) -> None:
    """List every memo."""
    with open_for_command(project) as proj, user_errors():
        rows = [
            {
                "id": m.id,
                "target": m.target,
                "target_id": m.target_id,
                "text": m.text,
                "author": m.author,
                "created_at": m.created_at,
            }
            for m in proj.memos.all()
        ]
        if as_json:
            print_json(rows)
            return
        for r in rows:
            typer.echo(f"#{r['id']} [{r['target']} {r['target_id'] or ''}] {r['author']}: {r['text']}")


def search(
    query: Annotated[str, typer.Argument(help='Words or an FTS5 query ("exact phrase", a OR b, feed*).')],
    limit: Annotated[int, typer.Option("--limit", "-n", help="Maximum hits.")] = 20,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Full-text search over every speaker turn, best matches first."""
    with open_for_command(project) as proj, user_errors():
        hits = proj.search(query, limit=limit)
        if as_json:
            print_json(
                [
                    {
                        "document": h.document,
                        "turn": h.turn_id,
                        "speaker": h.speaker,
                        "start": h.start,
                        "end": h.end,
                        "snippet": h.snippet,
                    }
                    for h in hits
                ]
            )
            return
        if not hits:
            typer.echo("no matches")
        for h in hits:
            typer.echo(f"{h.document} {h.start}-{h.end} {h.speaker}: {h.snippet}")


def register(app: typer.Typer) -> None:
    app.command("code")(code)
    app.command("uncode")(uncode)
    app.command("recode")(recode)
    app.command("memo")(memo)
    app.command("memos")(memos)
    app.command("search")(search)
