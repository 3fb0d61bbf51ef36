"""``qualcode export …``: analysis tables and reports as csv, xlsx, md, json, docx or html.

Each command computes one table with :mod:`qualcode.analysis` and writes it
with :func:`qualcode.export.write_export`. ``-o -`` writes csv/md/json/html to
stdout; the format defaults to the file's extension. pandas and the writers
load only when a command runs, so ``qualcode --help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any, Optional

import typer

from qualcode.cli._common import ProjectOpt, fail, open_for_command, user_errors
from qualcode.services import exports

if TYPE_CHECKING:
    from qualcode.services.exports import ExportTable

export_app = typer.Typer(
    name="export",
    help="Export analysis tables and evidence reports (csv, xlsx, md, json, docx, html).",
    no_args_is_help=True,
    rich_markup_mode=None,
)

OutOpt = Annotated[str, typer.Option("--output", "-o", help="Output file, or - for stdout (csv/md/json/html).")]
FormatOpt = Annotated[
    Optional[str], typer.Option("--format", "-f", help="csv, xlsx, md, json, docx or html (default: from -o).")
]
ByOpt = Annotated[Optional[list[str]], typer.Option("--by", help="Participant attribute to split by (repeat for two).")]
CodesOpt = Annotated[
    Optional[list[str]], typer.Option("--codes", help="Only these codes (path, name or id) and their sub-codes.")
]
InterviewerOpt = Annotated[bool, typer.Option("--include-interviewer", help="Count codings in interviewer turns too.")]
PendingOpt = Annotated[
    bool, typer.Option("--exclude-pending", help="Count confirmed codings only (pending ones are left out).")
]
TitleOpt = Annotated[str, typer.Option("--title", help="Report title (md, html, docx).")]
CoderFilterOpt = Annotated[
    Optional[list[str]],
    typer.Option("--coder", help="Only codings by this coder (repeat for several), e.g. a consensus coder."),
]


def _write(table: "ExportTable", output: str, fmt: str | None) -> None:
    with user_errors():
        written = exports.write(table, output, fmt)
    for path in written:
        typer.echo(f"wrote {path}", err=True)


def _counting(include_interviewer: bool, exclude_pending: bool) -> dict[str, bool]:
    return {"include_interviewer": include_interviewer, "include_pending": not exclude_pending}


def _check_format(output: str, fmt: str | None) -> None:
    """Fail before any work on an impossible output (e.g. xlsx to stdout)."""
    with user_errors():
        exports.check_output(output, fmt)


def frequencies_cmd(
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    by: ByOpt = None,
    codes: CodesOpt = None,
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
    title: TitleOpt = "",
    coder: CoderFilterOpt = None,
    explain_code: Annotated[
        Optional[str],
        typer.Option("--explain", help="List every coding of CODE (and sub-codes): counted, or why not."),
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print JSON to stdout (with --explain: the listing).")
    ] = False,
) -> None:
    """Codings, documents and participants per code (rolled up over sub-codes), optionally by group."""
    if explain_code is not None:
        _explain(project, explain_code, include_interviewer, exclude_pending, coder, as_json)
        return
    if as_json:
        output, fmt = "-", "json"
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        table = exports.build(
            proj,
            "frequencies",
            by=by or None,
            codes=codes or None,
            coders=coder or None,
            title=title,
            **_counting(include_interviewer, exclude_pending),
        )
    _write(table, output, fmt)


def _explain(
    project: Any, code: str, include_interviewer: bool, exclude_pending: bool, coders: list[str] | None, as_json: bool
) -> None:
    """``export frequencies --explain CODE``: the audit listing behind one row of the table."""
    with open_for_command(project) as proj, user_errors():
        from qualcode.analysis import explain

        found = explain(proj, code, coders=coders or None, **_counting(include_interviewer, exclude_pending))
    if as_json:  # streamed: the listing of a big code is 10^5 items (print_json would build it all in memory)
        json.dump(found.to_json(), sys.stdout, ensure_ascii=False, indent=2, default=str)
        sys.stdout.write("\n")
        return
    totals = found.totals()
    for item in found.items:
        status = "counted" if item.counted else f"left out: {item.reason}"
        who = ", ".join(item.participants) or "-"
        speakers = ", ".join(item.speakers) or "-"
        text = item.text if len(item.text) <= 60 else item.text[:59] + "…"
        typer.echo(
            f"#{item.coding_id:<6} {item.document} {item.start}-{item.end}  {item.path}  "
            f"speaker {speakers}  participant {who}  [{status}]  {text}"
        )
    left = ", ".join(f"{n} {r}" for r, n in totals["not_counted"].items()) or "none"
    typer.echo(
        f"{found.path}: {totals['codings']} codings counted in {totals['documents']} documents for "
        f"{totals['participants']} participants; left out: {left}"
    )


def matrix_cmd(
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    cols: Annotated[str, typer.Option("--cols", help="document, participant or attr:NAME.")] = "document",
    value: Annotated[str, typer.Option("--value", help="codings, participants or words.")] = "codings",
    own: Annotated[bool, typer.Option("--own", help="Codes alone, without rolling up sub-codes.")] = False,
    codes: CodesOpt = None,
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
) -> None:
    """Codes × documents, participants or attribute groups."""
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        table = exports.build(
            proj,
            "matrix",
            cols=cols,
            value=value,
            codes=codes or None,
            rollup=not own,
            **_counting(include_interviewer, exclude_pending),
        )
    _write(table, output, fmt)


def cooccurrence_cmd(
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
) -> None:
    """Pairs of codes in the same turn: turns with both, Jaccard, overlapping codings."""
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        table = exports.build(proj, "cooccurrence", **_counting(include_interviewer, exclude_pending))
    _write(table, output, fmt)


def presence_cmd(
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    unit: Annotated[str, typer.Option("--unit", help="participant or document.")] = "participant",
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
) -> None:
    """0/1 per participant (or document) × code."""
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        table = exports.build(proj, "presence", unit=unit, **_counting(include_interviewer, exclude_pending))
    _write(table, output, fmt)


def likert_cmd(
    scale: Annotated[str, typer.Option("--scale", help='Levels, most negative first: "L1,L2,...".')],
    more_items: Annotated[
        Optional[list[str]],
        typer.Argument(help="Further Likert columns, so that '--items A B C' works.", show_default=False),
    ] = None,
    items: Annotated[
        Optional[list[str]], typer.Option("--items", help="Likert column (participant attribute); repeat.")
    ] = None,
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    dont_know: Annotated[
        Optional[list[str]], typer.Option("--dont-know", help="A \"don't know\" answer (repeat; default Don't know).")
    ] = None,
    dont_know_in_base: Annotated[bool, typer.Option("--dont-know-in-base", help="Count don't know in n.")] = False,
    by: Annotated[Optional[str], typer.Option("--by", help="Respondent attribute to split by.")] = None,
    theme_item: Annotated[
        Optional[str], typer.Option("--by-code", help="Cross-tab this item with the coded themes instead.")
    ] = None,
    title: TitleOpt = "",
) -> None:
    """Counts, % per level and agree/disagree % of Likert items stored as participant attributes."""
    _check_format(output, fmt)
    levels = [s.strip() for s in scale.split(",") if s.strip()]
    # '--items A B C', '--items A --items B' and '--items A,B' all name items.
    items = [i.strip() for raw in [*(items or []), *(more_items or [])] for i in raw.split(",") if i.strip()]
    if not items and not theme_item:
        fail("name the Likert columns with --items (or one with --by-code)")
    with open_for_command(project) as proj, user_errors():
        dk = tuple(dont_know) if dont_know else ("Don't know",)
        if theme_item:
            table = exports.build(
                proj,
                "likert_by_code",
                theme_item,
                levels,
                dont_know=dk,
                dont_know_in_base=dont_know_in_base,
                title=title,
            )
        else:
            table = exports.build(
                proj,
                "likert",
                list(items or []),
                levels,
                dont_know=dk,
                dont_know_in_base=dont_know_in_base,
                by=by,
                title=title,
            )
    _write(table, output, fmt)


def _split(values: list[str] | None) -> list[str]:
    """'--opt A B', '--opt A --opt B' and '--opt A,B' all give [A, B]."""
    return [v.strip() for raw in values or [] for v in raw.split(",") if v.strip()]


def evidence_cmd(
    more_items: Annotated[
        Optional[list[str]],
        typer.Argument(
            help="Further --likert-items columns, so that '--likert-items A B C' works.", show_default=False
        ),
    ] = None,
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    by: ByOpt = None,
    codes: CodesOpt = None,
    quotes: Annotated[int, typer.Option("--quotes", min=0, help="Representative quotes per theme.")] = 3,
    pseudonymise: Annotated[
        bool, typer.Option("--pseudonymise", help="Replace participant names by P01, P02…")
    ] = False,
    quote_attrs: Annotated[
        Optional[list[str]],
        typer.Option(
            "--quote-attrs",
            help="Participant attributes shown after a quote (repeat; default: the --by attributes and one more).",
        ),
    ] = None,
    likert_items: Annotated[
        Optional[list[str]],
        typer.Option("--likert-items", help="Append a survey section with these Likert columns (repeat or A,B)."),
    ] = None,
    scale: Annotated[
        Optional[str],
        typer.Option("--scale", help='Likert levels for --likert-items, most negative first: "L1,L2,...".'),
    ] = None,
    dont_know: Annotated[
        Optional[list[str]], typer.Option("--dont-know", help="A \"don't know\" answer (repeat; default Don't know).")
    ] = None,
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
    title: TitleOpt = "",
    coder: CoderFilterOpt = None,
) -> None:
    """Per theme: definition, counts overall and by group, and representative quotes (optionally a survey section)."""
    _check_format(output, fmt)
    if more_items and not likert_items:
        fail(f"unexpected argument {more_items[0]!r} (Likert columns follow --likert-items)")
    items = _split([*(likert_items or []), *(more_items or [])])
    levels = [s.strip() for s in (scale or "").split(",") if s.strip()]
    if items and not levels:
        fail("--likert-items needs --scale (the levels, most negative first)")
    if levels and not items:
        fail("--scale goes with --likert-items (name the Likert columns)")
    with open_for_command(project) as proj, user_errors():
        from qualcode.analysis import likert
        from qualcode.export import report_context

        survey = None
        if items:
            by_one = by[0] if by else None
            dk = tuple(dont_know) if dont_know else ("Don't know",)
            survey = likert(proj, items, levels, dont_know=dk, by=by_one)
        shown = _split(quote_attrs)
        known = set(proj.participants.attribute_names())
        for name in shown:
            if name not in known:
                fail(f"no participant has a {name!r} attribute (--quote-attrs)")
        table = exports.build(
            proj,
            "evidence",
            by=by or None,
            quotes=quotes,
            pseudonymise=pseudonymise,
            codes=codes or None,
            coders=coder or None,
            title=title,
            context=lambda frame: report_context(proj, frame, quote_attributes=shown or None, survey=survey),
            **_counting(include_interviewer, exclude_pending),
        )
    _write(table, output, fmt)


def codings_cmd(
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    codes: CodesOpt = None,
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
    coder: CoderFilterOpt = None,
) -> None:
    """Every counted coding with its code, document, participant, attributes, turn and text."""
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        # Streamed (csv, json): the rows are written while the project is read, a batch at a time.
        written = exports.write_codings(
            proj,
            output,
            fmt,
            codes=codes or None,
            coders=coder or None,
            **_counting(include_interviewer, exclude_pending),
        )
    for path in written:
        typer.echo(f"wrote {path}", err=True)


def memos_cmd(project: ProjectOpt = None, output: OutOpt = "-", fmt: FormatOpt = None) -> None:
    """Every memo with what it is about."""
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        table = exports.build(proj, "memos")
    _write(table, output, fmt)


def coverage_cmd(
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    min_participants: Annotated[int, typer.Option("--min-participants", min=0)] = 1,
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
) -> None:
    """Codes raised by at least N participants."""
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        table = exports.build(proj, "coverage", min_participants, **_counting(include_interviewer, exclude_pending))
    _write(table, output, fmt)


def saturation_cmd(
    project: ProjectOpt = None,
    output: OutOpt = "-",
    fmt: FormatOpt = None,
    include_interviewer: InterviewerOpt = False,
    exclude_pending: PendingOpt = False,
) -> None:
    """New codes per successive document, in import order."""
    _check_format(output, fmt)
    with open_for_command(project) as proj, user_errors():
        table = exports.build(proj, "saturation", **_counting(include_interviewer, exclude_pending))
    _write(table, output, fmt)


for _name, _fn in (
    ("frequencies", frequencies_cmd),
    ("matrix", matrix_cmd),
    ("cooccurrence", cooccurrence_cmd),
    ("presence", presence_cmd),
    ("likert", likert_cmd),
    ("evidence", evidence_cmd),
    ("codings", codings_cmd),
    ("memos", memos_cmd),
    ("coverage", coverage_cmd),
    ("saturation", saturation_cmd),
):
    export_app.command(_name)(_fn)


def register(app: typer.Typer) -> None:
    app.add_typer(export_app, name="export")


__all__ = ["export_app", "register"]
