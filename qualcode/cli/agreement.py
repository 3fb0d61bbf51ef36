"""``qualcode agreement``: intercoder agreement per code, and the disagreements to discuss."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated, Optional

import click
import typer
from typer.core import TyperGroup

from qualcode.cli._common import JsonOpt, ProjectOpt, fail, open_for_command, print_json, user_errors

if TYPE_CHECKING:
    from qualcode.analysis.agreement import AgreementResult, Disagreements
    from qualcode.services.reconcile import ReconcileItem, ReconcileState
    from qualcode.store import Project


LIST_FLAGS = ("--coders", "--codes")


def expand_lists(args: list[str], commands: set[str]) -> list[str]:
    """Rewrite ``--coders A B`` as ``--coders A --coders B`` (also ``--codes``).

    Why: click options take a fixed number of values, but listing coders
    after one flag is what users type. Values are taken up to the next
    option or sub-command name, so put ``disagreements CODE`` first.
    """
    out: list[str] = []
    flag, taken = "", 0
    for arg in args:
        if flag and not arg.startswith("-") and arg not in commands:
            if taken:
                out.append(flag)
            taken += 1
        else:
            flag, taken = (arg, 0) if arg in LIST_FLAGS else ("", 0)
        out.append(arg)
    return out


class _AgreementGroup(TyperGroup):
    """The ``agreement`` group, accepting ``--coders A B`` (see :func:`expand_lists`)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, expand_lists(args, set(self.commands)))


agreement_app = typer.Typer(
    cls=_AgreementGroup,
    help="Intercoder agreement: Cohen's kappa, Krippendorff's alpha and % agreement per code; disagreements.",
    invoke_without_command=True,
    no_args_is_help=False,
)

CodersOpt = Annotated[
    Optional[list[str]],
    typer.Option("--coders", help="Coders to compare: --coders A B (or repeated, or A,B); default every coder."),
]
UnitOpt = Annotated[str, typer.Option("--unit", help="turn, sentence or character.")]
RollupOpt = Annotated[
    bool, typer.Option("--rollup", help="Compare themes: a unit has a theme if it has any of its codes.")
]
MachineOpt = Annotated[
    bool, typer.Option("--include-machine", help="Also count confirmed machine codings (coder 'autotag').")
]
AllDocsOpt = Annotated[
    bool, typer.Option("--all-documents", help="Every document: not coding a document counts as absence.")
]
InterviewerOpt = Annotated[bool, typer.Option("--include-interviewer", help="Interviewer turns are units too.")]


def _split(coders: list[str] | None) -> list[str] | None:
    if not coders:
        return None
    return [name.strip() for item in coders for name in item.replace(",", " ").split() if name.strip()]


def _num(x: float | None, width: int, digits: int = 3) -> str:
    return f"{'-':>{width}}" if x is None else f"{x:>{width}.{digits}f}"


@agreement_app.callback()
def agreement_table(
    ctx: typer.Context,
    coders: CodersOpt = None,
    unit: UnitOpt = "turn",
    codes: Annotated[
        Optional[list[str]],
        typer.Option("--codes", "--code", help="Only these codes and their sub-codes: --codes A B (or repeated)."),
    ] = None,
    rollup: RollupOpt = False,
    include_machine: MachineOpt = False,
    all_documents: AllDocsOpt = False,
    include_interviewer: InterviewerOpt = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Per-code kappa, % agreement, alpha and counts between coders, with overall lines."""
    if ctx.invoked_subcommand is not None:
        return
    from qualcode.analysis.agreement import agreement

    with open_for_command(project) as proj, user_errors():
        result = agreement(
            proj,
            _split(coders),
            unit,
            codes,
            rollup,
            include_machine,
            all_documents=all_documents,
            include_interviewer=include_interviewer,
        )
    if as_json:
        print_json(result.to_json())
        return
    _print_table(result)


def _print_table(result: "AgreementResult") -> None:
    kappa_name = "kappa" if result.kappa_kind == "cohen" else "Light's kappa (mean of pairwise Cohen's kappas)"
    unit = "characters" if result.unit == "character" else f"{result.unit}s"
    typer.echo(
        f"coders: {', '.join(result.coders)} · {result.units} {unit} in {len(result.documents)} documents"
        f" · {kappa_name}"
    )
    width = min(max([len(c.path) for c in result.codes] + [4]), 40)
    only = [f"only {c}" for c in result.coders]
    cols = [max(len(h), 7) for h in only]
    typer.echo(
        f"{'code':<{width}} {'kappa':>7} {'agree%':>7} {'alpha':>7} {'both':>7} "
        + " ".join(f"{h:>{w}}" for h, w in zip(only, cols))
        + f" {'neither':>8}"
    )
    notes = []
    for c in result.codes:
        path = c.path if len(c.path) <= width else c.path[: width - 1] + "…"
        typer.echo(
            f"{path:<{width}} {_num(c.kappa, 7)} {_num(c.percent_agreement, 7, 1)} {_num(c.alpha, 7)} "
            f"{c.both:>7} " + " ".join(f"{c.only[n]:>{w}}" for n, w in zip(result.coders, cols)) + f" {c.neither:>8}"
        )
        if c.note:
            notes.append(f"{c.path}: {c.note}")
    o = result.overall
    typer.echo(
        f"overall: mean kappa {_num(o.kappa_mean, 0)} over {o.codes_with_kappa} codes · pooled kappa "
        f"{_num(o.kappa_pooled, 0)} · alpha {_num(o.alpha, 0)} · agreement {_num(o.percent_agreement, 0, 1)}%"
    )
    for note in notes:
        typer.echo(f"note: {note}")


@agreement_app.command("disagreements")
def disagreements_cmd(
    code: Annotated[str, typer.Argument(help="Code (path or name); a theme with --rollup.")],
    coders: CodersOpt = None,
    unit: UnitOpt = "turn",
    rollup: RollupOpt = False,
    include_machine: MachineOpt = False,
    all_documents: AllDocsOpt = False,
    include_interviewer: InterviewerOpt = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """The units where coders differ on CODE, with who applied it: the agenda of a reconciliation meeting."""
    from qualcode.analysis.disagreement_listing import disagreements

    with open_for_command(project) as proj, user_errors():
        result = disagreements(
            proj,
            code,
            _split(coders),
            unit,
            rollup,
            include_machine,
            all_documents=all_documents,
            include_interviewer=include_interviewer,
        )
    if as_json:
        print_json(result.to_json())
        return
    _print_disagreements(result)


def _print_disagreements(result: "Disagreements") -> None:
    typer.echo(
        f"{result.path}: {len(result.items)} disagreements between {', '.join(result.coders)} ({result.unit} units)"
    )
    for d in result.items:
        text = " ".join(d.text.split())
        text = text if len(text) <= 100 else text[:99] + "…"
        typer.echo(
            f"{d.document} {d.start}-{d.end}  applied by {', '.join(d.applied_by)}; "
            f"not by {', '.join(d.not_applied_by)}"
        )
        typer.echo(f"    {text}")


KEYS = {"a": "a", "b": "b", "o": "both", "n": "neither"}


@agreement_app.command("reconcile")
def reconcile_cmd(
    into: Annotated[str, typer.Option("--into", help="The consensus coder (a new name) that receives the decisions.")],
    coders: CodersOpt = None,
    unit: UnitOpt = "turn",
    keep: Annotated[
        Optional[str],
        typer.Option("--keep", help="Decide every remaining disagreement at once: a, b, both or neither."),
    ] = None,
    code: Annotated[
        Optional[str], typer.Option("--code", help="Only the disagreements on this code (path or name).")
    ] = None,
    interactive: Annotated[
        bool,
        typer.Option(
            "--interactive", "-i", help="Ask for each disagreement (default when the terminal is interactive)."
        ),
    ] = False,
    project: ProjectOpt = None,
    as_json: JsonOpt = False,
) -> None:
    """Reconcile two coders into a consensus coder, disagreement by disagreement; progress is saved in the project."""
    from qualcode.services.reconcile import decide, open_session

    chosen = _split(coders) or []
    if len(chosen) != 2:
        fail("name the two coders to reconcile: --coders A B")
    if keep is not None and keep not in ("a", "b", "both", "neither"):
        fail(f"--keep must be a, b, both or neither, not {keep!r}")
    added = 0
    with open_for_command(project) as proj, user_errors():
        state = open_session(proj, chosen[0], chosen[1], into, unit)
        todo = state.remaining
        if code is not None:
            wanted = proj.codes.resolve(code).id
            todo = [i for i in todo if i.code_id == wanted]
        if keep is not None:
            added = decide(proj, state, todo, keep)
        elif (interactive or sys.stdin.isatty()) and not as_json:
            added = _ask(proj, state, todo)
        if as_json:
            print_json(state.to_json(proj, added))
            return
        data = state.to_json(proj, added)
    typer.echo(
        f"reconcile {chosen[0]} and {chosen[1]} into {into}: {data['total']} disagreements ({unit} units), "
        f"{data['decided']} decided, {data['remaining']} remaining; {into} has {data['consensus_codings']} "
        f"codings"
    )
    for item in data["items"]:
        typer.echo(
            f"{item['document']} {item['start']}-{item['end']}  {item['code']}: applied by "
            f"{', '.join(item['applied_by'])}"
        )


def _ask(proj: "Project", state: "ReconcileState", todo: "list[ReconcileItem]") -> int:
    """One prompt per disagreement; each answer is saved at once (q stops, s skips)."""
    from qualcode.services.reconcile import decide

    added = 0
    a, b = state.session.coder_a, state.session.coder_b
    for n, item in enumerate(todo, 1):
        doc = proj.documents.get(item.document_id).text
        typer.echo(f"\n[{n}/{len(todo)}] {item.code} · {item.document} {item.start}-{item.end}")
        typer.echo(f"    {' '.join(item.text.split())[:300]}")
        for who, spans in ((a, item.a), (b, item.b)):
            shown = "; ".join(f"{c.start}-{c.end} “{' '.join(doc[c.start : c.end].split())[:80]}”" for c in spans)
            typer.echo(f"  {who}: {shown or '(not coded)'}")
        answer = typer.prompt(f"keep [a] {a} / [b] {b} / b[o]th / [n]either / [s]kip / [q]uit", default="s")
        answer = answer.strip().lower()[:1]
        if answer == "q":
            break
        if answer in KEYS:
            added += decide(proj, state, [item], KEYS[answer])
    return added


def register(app: typer.Typer) -> None:
    app.add_typer(agreement_app, name="agreement")
